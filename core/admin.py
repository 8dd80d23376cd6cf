"""Admin bases and the admin pages of users, tenants and memberships.

``BaseAdmin`` is the base of every ``ModelAdmin`` in the project: read-only id and
timestamps, a page size, and a "History" button that opens the object's audit
events (django-pghistory). ``SoftDeleteAdmin`` shows deleted rows behind a filter
and restores them; ``TenantOwnedAdmin`` scopes rows to the staff member's tenants.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import ProtectedError, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from core.api.permissions import may_write
from core.field_rules import acting_fields
from core.formsets import ConstraintFormSet, ScopedChoicesMixin, TabularInline, acting_person_form
from core.models import (
    Membership,
    Tenant,
    User,
    access_target,
    is_private,
    may_write_into,
    protected_referrers,
    soft_delete_plan,
)
from core.search import admin_lookups, search_condition
from core.services import ConflictError

NOT_MANAGED = _("Only the owners add, change or remove memberships.")
MEMBERSHIP_CANNOT_MOVE = _("A membership cannot move to another group or user.")
NOT_YOURS = _("You may not write rows there: not a group you write in, nor your own data.")
NOT_RESTORED = _("%(count)d row(s) not restored: you may not change them.")
SAVED_MEANWHILE = _(
    "Not saved: a change saved at the same time conflicts with this one (%(rule)s). Check the values and save again."
)


class VisibleRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A sidebar filter on a relation that lists only the related rows the viewer may see."""

    def field_choices(self, field, request, model_admin):
        queryset = field.related_model._default_manager.visible_to(request.user)
        ordering = self.field_admin_ordering(field, request, model_admin) or queryset.model._meta.ordering
        return [(obj.pk, str(obj)) for obj in queryset.order_by(*ordering)]


class HistoryMixin:
    """The change page's "History" button lists the object's pghistory events."""

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        query = {"obj": f"{opts.label_lower}:{object_id}", "back": request.get_full_path()}
        return HttpResponseRedirect(f"{reverse('admin:pghistory_events_changelist')}?{urlencode(query)}")


def integrity_message(error: IntegrityError) -> str:
    """What the admin says when the database refused a save that passed the form's checks (a concurrent save of the
    same unique row): the violated constraint's own message when the project declares it, else its name."""
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return SAVED_MEANWHILE % {"rule": constraint.get_violation_error_message()}
    return SAVED_MEANWHILE % {"rule": name or _("a database rule")}


REFUSALS = (IntegrityError, ValidationError, PermissionDenied, ConflictError)


def refusal_errors(error: Exception, model) -> dict[str | None, list[str]]:
    """A write's refusal (``REFUSALS``) as form errors by field (``None``: the whole form). A refused permission is
    about the field it names (``core.services.Refused``), else the first step of the model's ``access_path``
    (where the row would be written)."""
    if isinstance(error, ProtectedError):  # a soft delete or restore that rows still depending on refuse
        return {None: [error.args[0]]}
    if isinstance(error, IntegrityError):
        return {None: [integrity_message(error)]}
    if isinstance(error, ValidationError):
        if not hasattr(error, "error_dict"):
            return {None: error.messages}
        return {None if field == NON_FIELD_ERRORS else field: errors for field, errors in error.message_dict.items()}
    field = getattr(error, "field", None) or (getattr(model, "access_path", None) or "").split("__")[0] or None
    return {field: [str(error) or NOT_YOURS]}


def refusal_messages(error: Exception, model) -> list[str]:
    """The refusal's errors as lines of text for the admin's messages."""
    return [
        f"{field}: {message}" if field else message
        for field, messages_ in refusal_errors(error, model).items()
        for message in messages_
    ]


class RefusedSaveMixin:
    """A save, delete or action that the services or the database refuse after the form's checks passed comes back
    as a form error on the field it is about (or a message), never as a 403 or a 500 page: a rule a service checks
    (an owner the user may not write for, a phase that has closed) or a concurrent save of the same unique row.

    The admin saves inside a savepoint (``changeform_view``), which the error rolls back; the page is then built again
    from the same POST, with a form whose ``clean()`` adds the errors, so nothing is saved and nothing is lost. Only
    refusals raised while saving (after ``save_form``) or deleting (after ``log_deletions``) are caught: a page the
    user may not open is still a 403.
    """

    def save_form(self, request, form, change):
        request._admin_saving = True
        return super().save_form(request, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            if not getattr(request, "_admin_saving", False) or getattr(request, "_refused_save", None) is not None:
                raise
            request._admin_saving = False
            request._refused_save = refusal_errors(error, self.model)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, *args, **kwargs):  # ModelAdmin's (request, obj, change) and UserAdmin's
        form_class = super().get_form(request, obj, *args, **kwargs)
        refused = getattr(request, "_refused_save", None)
        if refused is None:
            return form_class

        class RefusedSaveForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for field, errors in refused.items():
                    if field in self.fields:
                        self.add_error(field, errors)
                    else:
                        self.add_error(None, [f"{field}: {error}" if field else error for error in errors])
                return cleaned

        RefusedSaveForm.__name__ = form_class.__name__
        return RefusedSaveForm

    def log_deletions(self, request, queryset):
        request._admin_deleting = True
        return super().log_deletions(request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as error:
            if not getattr(request, "_admin_deleting", False):
                raise
            for message in refusal_messages(error, self.model):
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset):
        """An action (bulk delete, restore, the apps' own) is stored whole or not at all; a refusal is a message."""
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except REFUSALS as error:
            for message in refusal_messages(error, self.model):
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def added_rows_saved(formset_class):
    """``formset_class``, saving every row the user added even when it is left at its defaults.

    Django skips a new inline form that did not change from its initial values (``has_changed()``), without a word,
    while the page reports the object saved: a producer-notes row added with "Add another" and left at its defaults
    vanished. A row past the inline's ``extra`` blank forms is one the user asked for, so it is validated and saved
    like any other (a blank ``extra`` form is still skipped).
    """

    class AddedRowForm(formset_class.form):
        added_by_user = False

        def has_changed(self):
            return self.added_by_user or super().has_changed()

    class AddedRowsFormSet(formset_class):
        form = AddedRowForm

        def _construct_form(self, i, **kwargs):
            form = super()._construct_form(i, **kwargs)
            if self.is_bound and i >= self.initial_form_count() + self.extra:
                form.added_by_user = True
                form.empty_permitted = False
            return form

    AddedRowsFormSet.__name__ = formset_class.__name__
    return AddedRowsFormSet


class AddedInlineRowsMixin:
    """Every inline of the page saves the rows the user added, defaults or not (see :func:`added_rows_saved`)."""

    def get_formsets_with_inlines(self, request, obj=None):
        for formset_class, inline in super().get_formsets_with_inlines(request, obj):
            yield added_rows_saved(formset_class), inline


class ActingPersonMixin:
    """Fields naming the acting person (owner, author, the voter...) start as the signed-in user, and another user
    there is a form error unless the model lets staff enter rows for others and they hold that permission
    (``core.field_rules``; the history then records "by X for Y")."""

    def get_form(self, request, obj=None, *args, **kwargs):
        return acting_person_form(super().get_form(request, obj, *args, **kwargs), request)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name in acting_fields(self.model):
            initial.setdefault(name, request.user.pk)
        return initial


class BaseAdmin(
    ActingPersonMixin, RefusedSaveMixin, AddedInlineRowsMixin, HistoryMixin, ScopedChoicesMixin, admin.ModelAdmin
):
    """The base of every ModelAdmin in the project."""

    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ["id", "created_at", "updated_at"]

    def delete_queryset(self, request, queryset):
        """The bulk delete action deletes through the page's own ``delete_model`` (its service) when it has one, so
        a rule of the delete page is a rule of the bulk delete too."""
        if type(self).delete_model is admin.ModelAdmin.delete_model:
            return super().delete_queryset(request, queryset)
        for obj in queryset:
            self.delete_model(request, obj)
        return None

    def get_search_results(self, request, queryset, search_term):
        """Django's admin search (and autocomplete), with every field through a foreign key (``project__name``)
        matched on its own table first (``core.search``), so each arm of the OR is served by an index."""
        lookups = admin_lookups(self.model, self.get_search_fields(request))
        if not search_term or not lookups:
            return super().get_search_results(request, queryset, search_term)
        terms = []
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            terms.append(search_condition(self.model, lookups, bit))
        queryset = queryset.filter(Q.create(terms))
        return queryset, any(lookup_spawns_duplicates(self.opts, lookup) for lookup in lookups)

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and "__" not in item:
                field = self.model._meta.get_field(item)
                if field.is_relation and field.related_model is not None and is_private(field.related_model):
                    item = (item, VisibleRelatedFieldListFilter)
            filters.append(item)
        return filters


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", _("Not deleted")), ("yes", _("Deleted")), ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "no":
            return queryset.alive()
        if value == "yes":
            return queryset.dead()
        return queryset


@admin.action(description=_("Restore selected deleted rows"), permissions=["change"])
def restore_selected(modeladmin, request, queryset):
    """Restore deleted rows: needs the change permission and, for private rows, write access to each row."""
    if hasattr(queryset, "editable_by"):
        queryset = queryset.editable_by(request.user)
    count = queryset.restore()  # refused (ProtectedError, a message) while a row it refers to is deleted
    skipped = queryset.model.all_objects.filter(pk__in=request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME))
    skipped = skipped.dead().count()
    modeladmin.message_user(request, _("Restored %(count)d row(s).") % {"count": count}, messages.SUCCESS)
    if skipped > 0:
        modeladmin.message_user(request, NOT_RESTORED % {"count": skipped}, messages.WARNING)


class SoftDeleteAdmin(BaseAdmin):
    """Deleting marks rows deleted; the "Deleted" filter shows them and an action restores them."""

    actions = [restore_selected]

    def get_queryset(self, request):
        queryset = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_list_filter(self, request):
        return [DeletedFilter, *super().get_list_filter(request)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "deleted_at"]

    def get_deleted_objects(self, objs, request):
        """What the confirmation page lists, by the soft delete's own rule (core.models.soft_delete): the rows it
        marks (with the rows they own) and the live rows that PROTECT them, which make it the "cannot delete" page."""
        ids = [obj.pk for obj in objs if getattr(obj, "deleted_at", None) is None]
        plan = soft_delete_plan(self.model, ids)
        protected = [
            f"{referrer._meta.verbose_name.capitalize()}: {referrer}" for referrer in protected_referrers(plan)
        ]
        to_delete = [f"{obj._meta.verbose_name.capitalize()}: {obj}" for obj in objs]
        model_count = {model._meta.verbose_name_plural: len(model_ids) for model, model_ids in plan.items()}
        return to_delete, model_count, set(), protected


class ScopedAdmin(BaseAdmin):
    """Private rows (the model declares ``access_path``): staff see the rows core's ``visible_to`` gives them and
    change or delete those in ``editable_by``; model permissions are needed as well, never instead."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return may_write(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return may_write(request.user, obj)

    def save_model(self, request, obj, form, change):
        """A row is saved only where the user may write: their group, or their own data (a staff user's
        add permission does not let them write another member's rows)."""
        if not may_write_into(request.user, obj):
            raise PermissionDenied(NOT_YOURS)
        super().save_model(request, obj, form, change)


class TenantOwnedAdmin(ScopedAdmin):
    """Staff see the rows of their tenants and change those where their role allows writes."""

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "owner"]

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


def membership_validate_manage(*, actor, membership) -> None:
    """Raise unless ``actor`` manages the membership's group (``managed_by``: its owners), and, for an existing
    membership, it stays in its group and with its user."""
    group_field = type(membership).access_path
    group_id = getattr(membership, f"{group_field}_id")
    group_ids = {group_id}
    if not membership._state.adding:
        previous = (
            type(membership)
            ._default_manager.filter(pk=membership.pk)
            .values_list(f"{group_field}_id", "user_id")
            .first()
        )
        if previous is not None:
            if previous != (group_id, membership.user_id):
                raise ValidationError({group_field: MEMBERSHIP_CANNOT_MOVE})
            group_ids.add(previous[0])
    managed = access_target(type(membership)).objects.managed_by(actor)
    if group_id and managed.filter(pk__in=group_ids).count() != len(group_ids):
        raise ValidationError({group_field: NOT_MANAGED})


class MembershipForm(forms.ModelForm):
    """Checks that the editing user manages the membership's group (the admin sets ``actor``)."""

    actor = None

    def clean(self):
        cleaned = super().clean()
        if self.actor is not None and not self.errors:
            membership = self.instance
            group_field = type(membership).access_path
            if cleaned.get(group_field):
                setattr(membership, group_field, cleaned[group_field])
            if cleaned.get("user"):
                membership.user = cleaned["user"]
            membership_validate_manage(actor=self.actor, membership=membership)
        return cleaned


class MembershipFormSet(ConstraintFormSet):
    """Removing a membership from a page's inline needs what changing one needs: managing its group. (Django does
    not clean the rows marked for deletion, so ``MembershipForm`` alone let any member who writes remove others.)"""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk is not None and form.actor is not None:
                try:
                    membership_validate_manage(actor=form.actor, membership=form.instance)
                except ValidationError as error:
                    raise ValidationError(error.messages) from error


def form_for(form_class, user):
    return type(form_class.__name__, (form_class,), {"actor": user})


class MembershipInline(TabularInline):
    """Memberships on a user's or a tenant's page: only those of tenants the viewer sees; only owners edit."""

    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user", "tenant"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = form_for(self.form, request.user)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tenant":
            kwargs["queryset"] = Tenant.objects.managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(BaseAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "handle", "email", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "display_name", "handle", "email"]
    ordering = ["username"]
    readonly_fields = ["id", "created_at", "updated_at", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["id", "username", "password"]}),
        (_("Profile"), {"fields": ["display_name", "handle", "first_name", "last_name", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "created_at", "updated_at"]}),
    ]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields


@admin.register(Tenant)
class TenantAdmin(SoftDeleteAdmin):
    list_display = ["name", "slug", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return may_write(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return may_write(request.user, obj)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    """Memberships of the viewer's tenants; a tenant's owners (with the model permissions) manage them."""

    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "user__display_name", "tenant__name"]
    list_select_related = ["user", "tenant"]
    autocomplete_fields = ["user", "tenant"]
    form = MembershipForm

    def has_add_permission(self, request):
        allowed = super().has_add_permission(request)
        return allowed and (request.user.is_superuser or Tenant.objects.managed_by(request.user).exists())

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = form_for(self.form, request.user)
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user", "tenant"] if obj is not None else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tenant":
            kwargs["queryset"] = Tenant.objects.managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
