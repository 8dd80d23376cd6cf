"""API permissions. Who may see or write what is decided by core's scoped querysets; these only apply them."""

from rest_framework import permissions

from core.models import Tenant, is_private


class ModelPermissionsOrReadOnly(permissions.DjangoModelPermissions):
    """Any authenticated user reads; writes need the model's add/change/delete permission.

    Admin groups therefore control API writes exactly as they control the admin. A view with no model
    to take permissions from (the API roots) only reads: it declares its own permissions to write.
    """

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return False
        return super().has_permission(request, view)


def may_write(user, obj) -> bool:
    """Whether ``user`` may change ``obj``: its model's ``editable_by`` (core's one scoping rule) keeps it."""
    model = type(obj)
    manager = getattr(model, "all_objects", model._default_manager)
    return manager.editable_by(user).filter(pk=obj.pk).exists()


def may_write_in_tenant(user, tenant_id) -> bool:
    """Whether ``user``'s role in the tenant writes (``Tenant.objects.writable_by``)."""
    return Tenant.objects.writable_by(user).filter(pk=tenant_id).exists()


class ScopedRolePermission(permissions.BasePermission):
    """Reads follow the viewset's ``visible_to`` queryset (another group's row is a 404); writes need the
    row to be in ``editable_by`` (viewers and outsiders only read)."""

    message = "Your role in this tenant does not allow changes."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS or request.user.is_superuser:
            return True
        if not is_private(type(obj)):
            return True
        return may_write(request.user, obj)


#: Tenant-owned viewsets' permission (the name the apps use).
TenantRolePermission = ScopedRolePermission
