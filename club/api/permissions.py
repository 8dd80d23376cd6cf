"""Club members act for themselves: they create their own rows and change or delete only those."""

from rest_framework import permissions

from core.api.permissions import ModelPermissionsOrReadOnly, may_write


class MemberOwnsRow(ModelPermissionsOrReadOnly):
    """Any authenticated member reads and creates (for themselves); the row's member changes and deletes it.

    Staff whose groups grant the model's change/delete permission may change the rows of the clubs they write in
    (core's ``editable_by``; the viewset's ``visible_to`` already hides other clubs' rows). The view names
    the owning field in ``owner_field`` (default ``user``).
    """

    message = "You can only change your own rows."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(obj, f"{getattr(view, 'owner_field', 'user')}_id") == request.user.pk:
            return True
        return super().has_permission(request, view) and may_write(request.user, obj)


class CanChangeWeeks(permissions.BasePermission):
    """Closing a poll is an edit of the week: it needs ``club.change_week`` (staff, through admin groups)."""

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("club.change_week")
