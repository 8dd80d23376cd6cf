"""Admin bases and the admin pages of users, tenants and memberships.

``BaseAdmin`` is the base of every ``ModelAdmin`` in the project: read-only id and
timestamps, a page size, and a "History" button that opens the object's audit
events (django-pghistory). ``SoftDeleteAdmin`` shows deleted rows behind a filter
and restores them; ``TenantOwnedAdmin`` scopes rows to the staff member's tenants.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.choices import WRITE_ROLES
from core.models import Membership, Tenant, User


class HistoryMixin:
    """The change page's "History" button lists the object's pghistory events."""

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        query = {"obj": f"{opts.label_lower}:{object_id}", "back": request.get_full_path()}
        return HttpResponseRedirect(f"{reverse('admin:pghistory_events_changelist')}?{urlencode(query)}")


class BaseAdmin(HistoryMixin, admin.ModelAdmin):
    """The base of every ModelAdmin in the project."""

    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ["id", "created_at", "updated_at"]


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


@admin.action(description=_("Restore selected deleted rows"))
def restore_selected(modeladmin, request, queryset):
    count = queryset.restore()
    modeladmin.message_user(request, _("Restored %(count)d row(s).") % {"count": count}, messages.SUCCESS)


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


class TenantOwnedAdmin(BaseAdmin):
    """Staff see the rows of their tenants and change those where their role allows writes."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return self._can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return self._can_write(request, obj)

    def _can_write(self, request, obj) -> bool:
        return Membership.objects.filter(user=request.user, tenant_id=obj.tenant_id, role__in=WRITE_ROLES).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tenant" and not request.user.is_superuser:
            kwargs["queryset"] = Tenant.objects.filter(
                memberships__user=request.user, memberships__role__in=WRITE_ROLES
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "owner"]

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "tenant"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(HistoryMixin, DjangoUserAdmin):
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


@admin.register(Tenant)
class TenantAdmin(SoftDeleteAdmin):
    list_display = ["name", "slug", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Membership)
class MembershipAdmin(BaseAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "user__display_name", "tenant__name"]
    list_select_related = ["user", "tenant"]
    autocomplete_fields = ["user", "tenant"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
