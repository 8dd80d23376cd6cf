"""What every AMCS model shares: the tenant-scoped soft-delete queryset and manager, the abstract base, helpers."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amcs.constants import DEFAULT_RUBRIC_WEIGHTS
from core.models import BaseModel, SoftDeleteManager, SoftDeleteModel, SoftDeleteQuerySet, TenantOwnedModel
from core.models import TenantOwnedQuerySet as CoreTenantOwnedQuerySet

ALIVE = Q(deleted_at__isnull=True)


def text_array(verbose_name: str, help_text: str = "", max_length: int = 100) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=max_length),
        blank=True,
        default=list,
        verbose_name=verbose_name,
        help_text=help_text,
    )


def check_same_tenant(instance, **related) -> dict[str, str]:
    """Errors for related rows that belong to another tenant than ``instance``."""
    errors = {}
    for name, obj in related.items():
        if obj is not None and instance.tenant_id and obj.tenant_id != instance.tenant_id:
            errors[name] = _("This %(name)s belongs to another tenant.") % {"name": name.replace("_", " ")}
    return errors


def default_rubric_weights() -> dict:
    return dict(DEFAULT_RUBRIC_WEIGHTS)


class AmcsQuerySet(SoftDeleteQuerySet, CoreTenantOwnedQuerySet):
    """Soft delete plus tenant scoping (``visible_to``/``editable_by``) for every AMCS model."""


AmcsManager = SoftDeleteManager.from_queryset(AmcsQuerySet)
AllAmcsManager = models.Manager.from_queryset(AmcsQuerySet)


class AmcsModel(TenantOwnedModel, SoftDeleteModel, BaseModel):
    """Abstract base of the AMCS entities: tenant and owner, soft delete, UUID key and timestamps."""

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        abstract = True
