"""Viewset bases shared by every app."""

from django.contrib.auth import get_user_model
from django.db.models import ProtectedError, RestrictedError
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from core.api.exceptions import Conflict
from core.api.pagination import CursorPagination
from core.api.permissions import ModelPermissionsOrReadOnly, ScopedRolePermission, TenantRolePermission
from core.api.serializers import MembershipSerializer, TenantSerializer, UserSerializer
from core.api.values import values_plan
from core.filtersets import MembershipFilterSet, TenantFilterSet, UserFilterSet
from core.models import Membership, Tenant, describe_referrers

UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


PROTECTED_MESSAGE = "Cannot delete this {label}: {referrers} still refer to it."


class ProtectedConflictMixin:
    """A delete that rows still depend on (``on_delete=PROTECT``, soft or hard) is a 409 naming those rows."""

    def handle_exception(self, exc):
        if isinstance(exc, ProtectedError | RestrictedError):
            objects = list(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or [])
            message = PROTECTED_MESSAGE.format(
                label=self.get_queryset().model._meta.verbose_name, referrers=describe_referrers(objects)
            )
            exc = Conflict(detail=message, code="protected")
        return super().handle_exception(exc)


class ValuesListMixin:
    """List pages read ``values()`` instead of model instances when the serializer allows it (see core.api.values)."""

    def list(self, request, *args, **kwargs):
        plan = values_plan(self.get_serializer_class())
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        keys = ()
        if isinstance(self.paginator, CursorPagination):  # it reads the position of the page's last row from the row
            field = self.paginator.get_ordering(request, queryset, self)[0].lstrip("-")
            self.paginator.position_key = plan.key(field)
            if self.paginator.position_key is None:
                keys, self.paginator.position_key = (field,), field
        values = plan.values(queryset, *keys)
        page = self.paginate_queryset(values)
        found = list(values if page is None else page)
        if plan.related:
            plan.attach_related(queryset, found)
        rows = [plan.shape(row) for row in found]
        return self.get_paginated_response(rows) if page is not None else Response(rows)


class BaseModelViewSet(ProtectedConflictMixin, ValuesListMixin, viewsets.ModelViewSet):
    """CRUD on a model with a UUID key; a malformed id in the URL is a 404, never a 500."""

    lookup_value_regex = UUID_PATTERN


class BaseReadOnlyModelViewSet(ValuesListMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only variant, for models the admin or a service alone writes."""

    lookup_value_regex = UUID_PATTERN


class TenantOwnedViewSet(BaseModelViewSet):
    """Rows of the tenants the user belongs to; another tenant's row is a 404 and viewers only read."""

    permission_classes = [permissions.IsAuthenticated, TenantRolePermission]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class UserViewSet(BaseReadOnlyModelViewSet):
    """Users, as other users see them (no e-mail, no permissions beyond staff status)."""

    queryset = get_user_model().objects.filter(is_active=True).order_by("username")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "date_joined"]


class TenantViewSet(BaseModelViewSet):
    """Tenants the user belongs to; staff with the model permissions create them, and change the ones they own."""

    queryset = Tenant.objects.order_by("name")
    permission_classes = [permissions.IsAuthenticated, ModelPermissionsOrReadOnly, ScopedRolePermission]
    serializer_class = TenantSerializer
    filterset_class = TenantFilterSet
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class MembershipViewSet(BaseModelViewSet):
    """Memberships in the user's tenants; the tenant's owners (and superusers) add, change and remove them."""

    queryset = Membership.objects.select_related("user", "tenant").order_by("tenant__name", "user__username")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    permission_classes = [permissions.IsAuthenticated, ScopedRolePermission]
    ordering_fields = ["created_at", "role"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)
