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
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import MANAGE_ROLES, WRITE_ROLES, MembershipRole


def trigram_index(name: str, field: str, *more_fields: str) -> GinIndex:
    """A pg_trgm index on ``UPPER(field)``: what Django's ``icontains`` (the ``q`` filters and the admin's search)
    compiles to, so a search by a piece of text is an index scan, not a scan of the table.

    With several fields, one index over them joined as one text (``core.search.search_text``), which serves a
    search of that text (``core.search.text_contains``) instead of one index per column."""
    from core.search import search_text

    expression = search_text(field, *more_fields) if more_fields else field
    return GinIndex(OpClass(Upper(expression), name="gin_trgm_ops"), name=name)


class BaseModel(models.Model):
    """UUID primary key and timezone-aware creation and update times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        """Django's field checks, then the declared field rules (``core.field_rules``): each JSON field's schema and
        nesting limit, and that every field naming a file names one the platform stored. ``full_clean()`` runs
        this, so the admin's forms, the API's serializers and the services all meet them."""
        from django.core.exceptions import ValidationError

        from core.field_rules import field_rule_errors

        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        exclude = set(exclude or ()) | set(errors)
        for name, messages in field_rule_errors(self, exclude).items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


def is_soft_deletable(model) -> bool:
    """Whether rows of ``model`` are marked deleted rather than removed."""
    return issubclass(model, SoftDeleteModel)


def _cascade_relations(model):
    """The foreign keys of soft-deletable models that point at ``model`` with ``on_delete=CASCADE``: its owned rows."""
    return [
        relation
        for relation in model._meta.related_objects
        if relation.on_delete is models.CASCADE
        and not relation.many_to_many
        and is_soft_deletable(relation.related_model)
        and not relation.related_model._meta.abstract
    ]


def _protect_relations(model):
    return [
        relation
        for relation in model._meta.related_objects
        if relation.on_delete is models.PROTECT and not relation.many_to_many
    ]


def soft_delete_plan(model, ids) -> dict:
    """The rows a soft delete of ``ids`` marks: the rows themselves and, through ``on_delete=CASCADE``, the live
    soft-deletable rows they own (recursively). Returns ``{model: set(ids)}``; rows that are not soft-deletable
    (and so are not removed by a soft delete) are left where they are."""
    plan: dict = {}
    pending = [(model, set(ids))]
    while pending:
        current, current_ids = pending.pop()
        current_ids = current_ids - plan.get(current, set())
        if not current_ids:
            continue
        plan.setdefault(current, set()).update(current_ids)
        for relation in _cascade_relations(current):
            child = relation.related_model
            owned = set(
                child._base_manager.filter(
                    **{f"{relation.field.name}__in": current_ids, "deleted_at__isnull": True}
                ).values_list("pk", flat=True)
            )
            if owned:
                pending.append((child, owned))
    return plan


#: at most this many referrers are named in a refusal
PROTECTED_NAMED = 10


def protected_referrers(plan: dict) -> list:
    """Live rows (outside ``plan``) that point at a row of ``plan`` with ``on_delete=PROTECT``: what a hard delete
    would refuse over, minus referrers that are themselves soft-deleted."""
    found = []
    for model, ids in plan.items():
        for relation in _protect_relations(model):
            referrer = relation.related_model
            queryset = referrer._base_manager.filter(**{f"{relation.field.name}__in": ids})
            if is_soft_deletable(referrer):
                queryset = queryset.filter(deleted_at__isnull=True)
            if referrer in plan:
                queryset = queryset.exclude(pk__in=plan[referrer])
            found.extend(queryset.order_by("pk")[: PROTECTED_NAMED + 1 - len(found)])
            if len(found) > PROTECTED_NAMED:
                return found
    return found


def describe_referrers(referrers: list) -> str:
    """'Song "A", Song "B" and more' for a refusal message."""
    names = [f'{referrer._meta.verbose_name} "{referrer}"' for referrer in referrers[:PROTECTED_NAMED]]
    more = " and more" if len(referrers) > PROTECTED_NAMED else ""
    return ", ".join(names) + more


SOFT_DELETE_PROTECTED = "Cannot delete {label}: {referrers} still refer to it."


def soft_delete(model, ids) -> tuple[int, dict[str, int]]:
    """Mark ``ids`` and the rows they own deleted, at one instant, one statement per model; refuse with
    ``ProtectedError`` (naming the referrers) when a live row PROTECTs any of them, as a hard delete would."""
    from django.db import transaction
    from django.db.models.deletion import ProtectedError

    with transaction.atomic():
        plan = soft_delete_plan(model, ids)
        referrers = protected_referrers(plan)
        if referrers:
            label = model._meta.verbose_name_plural if len(plan[model]) > 1 else model._meta.verbose_name
            message = SOFT_DELETE_PROTECTED.format(label=label, referrers=describe_referrers(referrers))
            raise ProtectedError(message, set(referrers))
        now = timezone.now()
        counts = {}
        for target, target_ids in plan.items():
            counts[target._meta.label] = target._base_manager.filter(pk__in=target_ids).update(
                deleted_at=now, updated_at=now
            )
    return counts.get(model._meta.label, 0), counts


SOFT_RESTORE_PROTECTED = "Cannot restore {label}: {targets} it refers to is deleted; restore that first."


def deleted_protected_targets(model, ids) -> list:
    """Deleted rows that rows ``ids`` of ``model`` point at with ``on_delete=PROTECT``: restoring ``ids`` would leave
    live rows referring to deleted ones, the state a soft delete refuses to create."""
    found = []
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.remote_field.on_delete is not models.PROTECT:
            continue
        target = field.related_model
        if not is_soft_deletable(target):
            continue
        referred = model._base_manager.filter(pk__in=ids).values(field.attname)
        queryset = target._base_manager.filter(pk__in=referred, deleted_at__isnull=False)
        if target is model:
            queryset = queryset.exclude(pk__in=ids)
        found.extend(queryset.order_by("pk")[: PROTECTED_NAMED + 1 - len(found)])
        if len(found) > PROTECTED_NAMED:
            break
    return found


def soft_restore(model, ids) -> int:
    """Bring back deleted ``ids`` and the rows that were deleted with them (same instant, through CASCADE); refuse
    with ``ProtectedError`` (naming them) while a row it would bring back refers with PROTECT to a deleted row."""
    from django.db import transaction
    from django.db.models.deletion import ProtectedError

    ids = list(ids)
    if not ids:  # nothing to bring back; also ends the walk where models own each other (comment replies)
        return 0
    with transaction.atomic():
        dead = model._base_manager.filter(pk__in=ids, deleted_at__isnull=False)
        targets = deleted_protected_targets(model, list(dead.values_list("pk", flat=True)))
        if targets:
            label = model._meta.verbose_name_plural if len(ids) > 1 else model._meta.verbose_name
            message = SOFT_RESTORE_PROTECTED.format(label=label, targets=describe_referrers(targets))
            raise ProtectedError(message, set(targets))
        for relation in _cascade_relations(model):
            child = relation.related_model
            name = relation.field.name
            owned = child._base_manager.filter(
                **{f"{name}__in": dead, "deleted_at__isnull": False},
                deleted_at=models.F(f"{name}__deleted_at"),
            )
            soft_restore(child, list(owned.values_list("pk", flat=True)))
        return dead.update(deleted_at=None, updated_at=timezone.now())


class SoftDeleteQuerySet(models.QuerySet):
    """Deleting through this queryset marks rows deleted; ``hard_delete()`` removes them.

    A soft delete honours ``on_delete`` as a hard delete would: a live row that PROTECTs one of the rows makes it
    a ``ProtectedError`` (a 409 in the API, the "cannot delete" page in the admin), and the soft-deletable rows the
    deleted rows own (``CASCADE``) are marked deleted with them, one statement per model, at the same instant, so
    that ``restore()`` brings back exactly those.
    """

    def alive(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=True)

    def dead(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=False)

    def delete(self) -> tuple[int, dict[str, int]]:
        return soft_delete(self.model, list(self.alive().values_list("pk", flat=True)))

    delete.queryset_only = True

    def hard_delete(self) -> tuple[int, dict[str, int]]:
        return super().delete()

    hard_delete.queryset_only = True

    def restore(self) -> int:
        return soft_restore(self.model, list(self.dead().values_list("pk", flat=True)))


class SoftDeleteManager(models.Manager):
    """The default manager of soft-deletable models: deleted rows are hidden."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """Rows are marked deleted instead of removed, and can be restored (the admin has an action for it).

    ``objects`` hides deleted rows; ``all_objects`` sees every row. Concrete models that need
    their own queryset use ``SoftDeleteManager.from_queryset(TheirQuerySet)()`` for ``objects``.
    Deleting honours ``on_delete`` (see :class:`SoftDeleteQuerySet`).
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
        """Mark the row (and the rows it owns) deleted, unless a live row PROTECTs it (``ProtectedError``)."""
        if self.deleted_at is not None:
            return 0, {}
        result = soft_delete(type(self), [self.pk])
        self.refresh_from_db(fields=["deleted_at", "updated_at"])
        return result

    def hard_delete(self, using=None, keep_parents=False):
        return super().delete(using=using, keep_parents=keep_parents)

    def restore(self) -> None:
        """Bring the row back with the rows that were deleted with it."""
        soft_restore(type(self), [self.pk])
        self.refresh_from_db(fields=["deleted_at", "updated_at"])


class GroupQuerySet(SoftDeleteQuerySet):
    """Groups of users with roles (tenants, clubs): who may see, write in and manage each one.

    These three methods are the one place that says what a role allows. Every scoped queryset,
    API permission, admin page, serializer field, history page and service asks them; nothing else
    reads memberships to decide access. A group model has a ``memberships`` reverse relation whose
    rows carry ``user`` and ``role`` (``core.Membership`` for tenants, ``club.ClubMembership`` for clubs).

    - ``visible_to``: groups where the user holds any role (viewers included).
    - ``writable_by``: groups where the user's role writes (owner, admin, member).
    - ``managed_by``: groups whose memberships the user manages (owners).

    Superusers get every group; anonymous users none. Deleted groups drop out through ``objects``.
    """

    def visible_to(self, user) -> GroupQuerySet:
        return self._with_role(user, roles=None)

    def writable_by(self, user) -> GroupQuerySet:
        return self._with_role(user, roles=WRITE_ROLES)

    def managed_by(self, user) -> GroupQuerySet:
        return self._with_role(user, roles=MANAGE_ROLES)

    def editable_by(self, user) -> GroupQuerySet:
        """Changing a group itself (its name, deleting it) is managing it."""
        return self.managed_by(user)

    def _with_role(self, user, *, roles) -> GroupQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        relation = self.model._meta.get_field("memberships")
        memberships = relation.related_model._default_manager.filter(user=user)
        if roles is not None:
            memberships = memberships.filter(role__in=roles)
        return self.filter(pk__in=memberships.values(relation.field.attname))


class GroupModel(SoftDeleteModel, BaseModel):
    """Abstract base of groups of users with roles (``core.Tenant``, ``club.Club``); see ``GroupQuerySet``.

    ``shares_member_data``: whether belonging to the same group lets members see each other's own
    data (a club's members see each other's listens; a tenant's members do not).
    """

    shares_member_data = False

    objects = SoftDeleteManager.from_queryset(GroupQuerySet)()
    all_objects = models.Manager.from_queryset(GroupQuerySet)()

    class Meta:
        abstract = True


def group_models() -> list[type[GroupModel]]:
    """Every installed group model (tenants, clubs, ...)."""
    return [model for model in apps.get_models() if issubclass(model, GroupModel)]


class ScopedQuerySet(models.QuerySet):
    """Rows whose visibility follows the group or user that ``Model.access_path`` leads to.

    This is how a model declares that its rows are private (see docs/architecture.md, "Visibility"):
    ``access_path`` names a relation path ending at a group model (a tenant, a club) or at a user.

    - a group: rows are visible to the group's members (``visible_to``) and changed by those whose
      role writes (``editable_by``);
    - a user: rows are visible to that user and to the users who share a group with them whose
      model sets ``shares_member_data`` (club co-members), and changed only by that user.

    The staff rule lives here and nowhere else: superusers see and change everything; every other
    user, staff included, gets the rows of their scope (``scope_filter``), and staff powers come from
    model permissions on top of that scope, never instead of it. A model whose scope is narrower
    (storyteller data, shared with nobody) overrides ``scope_filter`` only.
    """

    def visible_to(self, user) -> ScopedQuerySet:
        return self._scoped(user, write=False)

    def editable_by(self, user) -> ScopedQuerySet:
        return self._scoped(user, write=True)

    def _scoped(self, user, *, write: bool) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(self.scope_filter(user, write=write))

    def scope_filter(self, user, *, write: bool) -> models.Q:
        """The rows of this model that ``user`` (active, not a superuser) may see or, with ``write``, change."""
        return access_filter(self.model, user, write=write)


def access_target(model) -> type[models.Model]:
    """The model at the end of ``model.access_path`` (a group model or the user model)."""
    target = model
    for name in model.access_path.split("__"):
        target = target._meta.get_field(name).related_model
    return target


def access_filter(model, user, *, write: bool) -> models.Q:
    """The ``Q`` that keeps the rows of ``model`` that ``user`` (not a superuser) may see or change."""
    path = model.access_path
    target = access_target(model)
    if issubclass(target, GroupModel):
        groups = target.objects.writable_by(user) if write else target.objects.visible_to(user)
        return models.Q(**{f"{path}__in": groups.values("pk")})
    if write:
        return models.Q(**{path: user.pk})
    return models.Q(**{f"{path}__in": target.objects.visible_to(user).values("pk")})


def is_private(model) -> bool:
    """Whether rows of ``model`` are scoped (it declares ``access_path`` or is a group itself)."""
    return bool(getattr(model, "access_path", None)) or (isinstance(model, type) and issubclass(model, GroupModel))


def may_write_into(user, obj) -> bool:
    """Whether ``user`` may write ``obj`` where it now points (saved or not): the group at the end of its
    ``access_path`` is one they write in, or the user there is themselves. Shared data: True."""
    model = type(obj)
    if user.is_superuser or not getattr(model, "access_path", None):
        return True
    scope = obj
    for name in model.access_path.split("__"):
        scope = getattr(scope, name, None)
        if scope is None:
            return True  # nothing to check yet: validation reports the missing relation
    if isinstance(scope, GroupModel):
        return type(scope).objects.writable_by(user).filter(pk=scope.pk).exists()
    return scope.pk == user.pk


def choices_for(model, user) -> models.QuerySet | None:
    """The rows of ``model`` a form or serializer may offer ``user`` as a relation's value: groups they write
    in, private rows they may change (attaching a row to another is writing where it lives); ``None`` for
    shared data (every row)."""
    if issubclass(model, GroupModel):
        return model.objects.writable_by(user)
    if is_private(model):
        return model._default_manager.editable_by(user)
    return None


def visible_rows(model, user) -> models.QuerySet:
    """Every row of ``model`` (soft-deleted ones included) that ``user`` may see; shared data is all visible."""
    manager = getattr(model, "all_objects", model._default_manager)
    queryset = manager.all()
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    return queryset


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """Whose own data (listens, taste, ...) ``user`` may see: ``sharing_data_with(user)``; superusers
        see everyone's."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.sharing_data_with(user)

    def sharing_data_with(self, user) -> UserQuerySet:
        """``user`` and the members of every group they belong to whose model sets ``shares_member_data``
        (club co-members), whatever ``user``'s own powers."""
        condition = models.Q(pk=user.pk)
        for group in group_models():
            if group.shares_member_data:
                relation = group._meta.get_field("memberships")
                memberships = relation.related_model._default_manager
                mine = memberships.filter(user=user, **{f"{relation.field.name}__deleted_at__isnull": True})
                condition |= models.Q(
                    pk__in=memberships.filter(
                        **{f"{relation.field.attname}__in": mine.values(relation.field.attname)}
                    ).values("user_id")
                )
        return self.filter(condition)


class TenantOwnedQuerySet(ScopedQuerySet):
    """Rows of a tenant (``access_path = "tenant"``): kept for the apps that name it."""


class TenantQuerySet(GroupQuerySet):
    """Tenants; see ``GroupQuerySet`` for ``visible_to``, ``writable_by`` and ``managed_by``."""


class CoreUserManager(UserManager.from_queryset(UserQuerySet)):
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
        indexes = [
            trigram_index("core_user_username_trgm", "username"),
            trigram_index("core_user_display_name_trgm", "display_name"),
            trigram_index("core_user_handle_trgm", "handle"),
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        self.handle = (self.handle or "").strip() or None
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded_is_active = user.__dict__.get("is_active")
        return user

    def set_password(self, raw_password) -> None:
        """Set the password; once saved, the user's API tokens are revoked (``core.signals``)."""
        super().set_password(raw_password)
        self._password_changed = True

    @property
    def credentials_revoked_on_save(self) -> bool:
        """Whether saving this user must revoke their tokens: the password changed, or the account was
        deactivated (read by ``core.signals``)."""
        deactivated = getattr(self, "_loaded_is_active", None) is True and not self.is_active
        return bool(getattr(self, "_password_changed", False) and not self._state.adding) or deactivated


@pghistory.track()
class Tenant(GroupModel):
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
        indexes = [trigram_index("core_tenant_name_trgm", "name"), trigram_index("core_tenant_slug_trgm", "slug")]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    """Memberships of a group model (``access_path`` names the group): members see them, owners manage them."""

    def visible_to(self, user) -> MembershipQuerySet:
        """Memberships of the groups the user belongs to."""
        return super().visible_to(user)

    def editable_by(self, user) -> MembershipQuerySet:
        """Memberships the user may add, change or remove: those of the groups they own (``managed_by``)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        groups = access_target(self.model).objects.managed_by(user)
        return self.filter(**{f"{self.model.access_path}__in": groups.values("pk")})


@pghistory.track()
class Membership(BaseModel):
    """A user's role in a tenant: owners, admins and members write, viewers only read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
        db_index=False,
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

    access_path = "tenant"

    objects = MembershipQuerySet.as_manager()

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
    """A row that belongs to a tenant and was created by one of its members (its owner).

    Visibility follows the tenant (``access_path``): its members read, its writing roles change.
    ``owner`` records who created the row; it does not narrow access within the tenant (see
    docs/architecture.md, "What owner means").
    """

    access_path = "tenant"

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
