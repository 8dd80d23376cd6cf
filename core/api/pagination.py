"""Pagination shared by every app.

Page-number pagination (``?page=N&page_size=M``) suits tables people browse; append-only tables
that grow without bound (listens, events, history) use :class:`CursorPagination`, which never
counts the table and costs the same on page 1 and page 10,000: each page continues from the
last row of the previous one (a keyset ``WHERE key < last`` on an indexed key), with opaque
``next`` / ``previous`` links.
"""

from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``; ``page_size`` is capped at ``API_MAX_PAGE_SIZE``."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE


class CursorPagination(pagination.CursorPagination):
    """``?cursor=...&page_size=M`` over an indexed key, newest first; no count, same cost at any depth.

    Set ``ordering`` on a subclass (or the view's ``cursor_ordering``) to the indexed key, most selective
    first, e.g. ``("-played_at", "-id")``; rows sharing the first key are told apart by an offset in the cursor.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    #: where a row read by ``values()`` holds the first ordering field (``core.api.views.ValuesListMixin`` sets it;
    #: a timestamp read as its text is a position the next page's filter parses as well)
    position_key = None

    def _get_position_from_instance(self, instance, ordering):
        if self.position_key is not None and isinstance(instance, dict):
            return str(instance[self.position_key])
        return super()._get_position_from_instance(instance, ordering)

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", None)
        if ordering is not None and not request.query_params.get("ordering"):
            return tuple(ordering)
        return super().get_ordering(request, queryset, view)
