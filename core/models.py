"""What every app shares: the user model, tenants and memberships, and the abstract bases.

Every concrete model in the project inherits :class:`BaseModel` (UUID key and
timestamps); soft-deletable models add :class:`SoftDeleteModel`, tenant-scoped
models :class:`TenantOwnedModel`. Concrete models are tracked by django-pghistory
(``@pghistory.track()``), whose database triggers record inserts, updates and
deletes, including bulk ``update()`` and ``delete()`` that ORM signals never see.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import WRITE_ROLES, MembershipRole


class BaseModel(models.Model):
    """UUID primary key and timezone-aware creation and update times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True


class SoftDeleteQuerySet(models.QuerySet):
    """Deleting through this queryset marks rows deleted; ``hard_delete()`` removes them."""

    def alive(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=True)

    def dead(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=False)

    def delete(self) -> tuple[int, dict[str, int]]:
        count = self.alive().update(deleted_at=timezone.now())
        return count, {self.model._meta.label: count}

    delete.queryset_only = True

    def hard_delete(self) -> tuple[int, dict[str, int]]:
        return super().delete()

    hard_delete.queryset_only = True

    def restore(self) -> int:
        return self.dead().update(deleted_at=None)


class SoftDeleteManager(models.Manager):
    """The default manager of soft-deletable models: deleted rows are hidden."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """Rows are marked deleted instead of removed, and can be restored (the admin has an action for it).

    ``objects`` hides deleted rows; ``all_objects`` sees every row. Concrete models that need
    their own queryset use ``SoftDeleteManager.from_queryset(TheirQuerySet)()`` for ``objects``.
    """

    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        verbose_name=_("deleted at"),
    )

    objects = SoftDeleteManager.from_queryset(SoftDeleteQuerySet)()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, using=None, keep_parents=False):
        """Mark the row deleted; related rows stay as they are."""
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at", "updated_at"])
        return 1, {self._meta.label: 1}

    def hard_delete(self, using=None, keep_parents=False):
        return super().delete(using=using, keep_parents=keep_parents)

    def restore(self) -> None:
        self.deleted_at = None
        self.save(update_fields=["deleted_at", "updated_at"])


class CoreUserManager(UserManager):
    pass


@pghistory.track(exclude=["password", "last_login"])
class User(BaseModel, AbstractUser):
    """A person who uses the platform: staff in the admin, API clients, club members, storytellers."""

    display_name = models.CharField(max_length=150, blank=True, default="", verbose_name=_("display name"))
    handle = models.CharField(  # noqa: DJ001 - optional and unique: NULL keeps several users without one
        max_length=64,
        null=True,
        blank=True,
        verbose_name=_("handle"),
        help_text=_("Public name shown to other users, unique regardless of case. Optional."),
    )

    objects = CoreUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("handle"),
                name="core_user_handle_unique",
                violation_error_message=_("This handle is already taken."),
            ),
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        self.handle = (self.handle or "").strip() or None
        super().save(*args, **kwargs)


class TenantOwnedQuerySet(models.QuerySet):
    """Scopes rows that have a ``tenant`` to the users who may see or change them.

    This is the one scoping rule for tenant data: tenant-owned viewsets, admins and
    services all call ``visible_to`` or ``editable_by``.
    """

    def visible_to(self, user) -> TenantOwnedQuerySet:
        """Rows of the tenants the user belongs to (any role); superusers see everything."""
        return self._scoped(user, roles=None)

    def editable_by(self, user) -> TenantOwnedQuerySet:
        """Rows the user may change: tenants where they are owner, admin or member."""
        return self._scoped(user, roles=WRITE_ROLES)

    def _scoped(self, user, *, roles) -> TenantOwnedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        memberships = Membership.objects.filter(user=user, tenant__deleted_at__isnull=True)
        if roles is not None:
            memberships = memberships.filter(role__in=roles)
        return self.filter(tenant_id__in=memberships.values("tenant_id"))


class TenantQuerySet(SoftDeleteQuerySet):
    def visible_to(self, user) -> TenantQuerySet:
        """Tenants the user belongs to; superusers see all."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(pk__in=Membership.objects.filter(user=user).values("tenant_id"))


@pghistory.track()
class Tenant(SoftDeleteModel, BaseModel):
    """An organisation whose rows (AMCS songs, styles, …) are private to its members.

    Deleting a tenant only marks it deleted: its rows disappear from every member's view and
    come back when staff restore it.
    """

    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))

    objects = SoftDeleteManager.from_queryset(TenantQuerySet)()
    all_objects = models.Manager.from_queryset(TenantQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Membership(BaseModel):
    """A user's role in a tenant: owners, admins and members write, viewers only read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("tenant"),
    )
    role = models.CharField(
        max_length=16,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
        verbose_name=_("role"),
    )

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["tenant__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tenant"],
                name="core_membership_user_tenant_unique",
                violation_error_message=_("This user is already a member of this tenant."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values),
                name="core_membership_role_valid",
                violation_error_message=_("Unknown role."),
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"


class TenantOwnedModel(models.Model):
    """A row that belongs to a tenant and was created by one of its members (its owner)."""

    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_set",
        verbose_name=_("tenant"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_set",
        verbose_name=_("owner"),
    )

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        abstract = True
