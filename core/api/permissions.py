"""API permissions. Tenant rules themselves live in ``TenantOwnedQuerySet``; these only apply them."""

from rest_framework import permissions

from core.choices import WRITE_ROLES
from core.models import Membership


class ModelPermissionsOrReadOnly(permissions.DjangoModelPermissions):
    """Any authenticated user reads; writes need the model's add/change/delete permission.

    Admin groups therefore control API writes exactly as they control the admin.
    """

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return request.user.is_staff
        return super().has_permission(request, view)


class TenantRolePermission(permissions.BasePermission):
    """Members of a tenant read its rows; owners, admins and members also write; viewers only read.

    The viewset's queryset is already scoped with ``visible_to`` (another tenant's row is a 404);
    this decides writes on rows the user can see.
    """

    message = "Your role in this tenant does not allow changes."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS or request.user.is_superuser:
            return True
        return Membership.objects.filter(user=request.user, tenant_id=obj.tenant_id, role__in=WRITE_ROLES).exists()
