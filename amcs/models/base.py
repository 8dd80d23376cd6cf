"""What every AMCS model shares: the tenant-scoped soft-delete queryset and manager, the abstract base, helpers."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
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


class DocumentModel(models.Model):
    """Abstract base of the entities with a JSON document: what the document carries beyond the model's columns.

    ``warnings`` holds what the last check found that does not block a save (``amcs.rules.RULES``);
    ``document_form`` how the document this row was imported from wrote its optional keys, so the
    export repeats them (``amcs.documents``).
    """

    DOCUMENT_KIND = ""

    external_ref = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("external reference"),
        help_text=_("The row's id in the system its document came from (the document's 'id')."),
    )
    extra_metadata = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("extra metadata"),
        help_text=_("Anything else kept with the row (the document's 'extra_metadata'); exported as given."),
    )
    warnings = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        verbose_name=_("warnings"),
        help_text=_("What the last check found that does not block a save, as JSON pointers and messages."),
    )
    document_form = models.JSONField(default=dict, blank=True, editable=False, verbose_name=_("document form"))

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Rows saved without ``full_clean()`` (a serializer validates a copy) still store their warnings."""
        if not getattr(self, "_warnings_checked", False):
            try:
                self.check_document(**self.document_context())
            except ValidationError:
                pass
        self._warnings_checked = False
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        """Remember the fields with an error of their own, so the document check adds no second message."""
        self._field_errors: set[str] = set()
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            self._field_errors = set(error.error_dict)
            raise

    def check_document(self, document: dict | None = None, extra_errors: list | None = None, **context) -> None:
        """Check the row's document in one pass: store the warnings, raise the errors keyed by model field."""
        from amcs import documents

        kind = self.DOCUMENT_KIND
        report = documents.check(kind, self.to_document() if document is None else document, **context)
        self.warnings = documents.as_json(report.warnings)
        self._warnings_checked = True
        documents.raise_document_errors(
            [*(extra_errors or []), *report.errors], documents.FIELDS[kind], getattr(self, "_field_errors", set())
        )

    def document_context(self) -> dict:
        """What the rules need beyond the document (a blueprint, a song's target duration)."""
        return {}
