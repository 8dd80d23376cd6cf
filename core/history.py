"""Audit history scoped like the rows it records.

A tracked row's events are visible to those who may see the row (core's ``visible_to``; soft-deleted rows
included); events of shared reference data (the catalog, process definitions) to every staff user with the
history view permission; superusers see everything. The admin's events pages (``/admin/pghistory/events/``,
with or without ``?obj=`` and ``?model=``) use ``events_visible_to``; so must any history API.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models.functions import Cast
from django.http import Http404
from pghistory.admin import EventsAdmin

from core.models import visible_rows


def _private(model) -> bool:
    manager = getattr(model, "all_objects", model._default_manager)
    return hasattr(manager.all(), "visible_to")


def tracked_models() -> list[type[models.Model]]:
    """Every model with pghistory event models (the rows the history records)."""
    from pghistory.models import Event

    return sorted(
        {model.pgh_tracked_model for model in apps.get_models() if issubclass(model, Event)},
        key=lambda model: model._meta.label,
    )


def events_visible_to(queryset: models.QuerySet, user) -> models.QuerySet:
    """The events (pghistory ``Events`` rows) of rows ``user`` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    shared = [model._meta.label for model in tracked_models() if not _private(model)]
    condition = models.Q(pgh_obj_model__in=shared)
    for model in tracked_models():
        if _private(model):
            ids = visible_rows(model, user).annotate(pk_text=Cast("pk", models.TextField())).values("pk_text")
            condition |= models.Q(pgh_obj_model=model._meta.label, pgh_obj_id__in=ids)
    return queryset.filter(condition)


def object_visible_to(label_and_pk: str, user) -> bool:
    """Whether ``"app.model:pk"`` names a row ``user`` may see (unknown models and shared data: True)."""
    label, _, pk = label_and_pk.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return True
    if not _private(model) or user.is_superuser:
        return True
    try:
        return visible_rows(model, user).filter(pk=pk).exists()
    except Exception:  # noqa: BLE001 - a malformed id names nothing the user may see
        return False


def events_of_object(queryset: models.QuerySet, label_and_pk: str) -> models.QuerySet:
    """The events of the one row ``"app.model:pk"`` names (pghistory's own ``obj`` filter only narrows event
    models that have a ``pgh_obj`` column, so on the all-events page it filtered nothing)."""
    label, _, pk = label_and_pk.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return queryset.none()
    return queryset.filter(pgh_obj_model=model._meta.label, pgh_obj_id=pk)


class ScopedEventsAdmin(EventsAdmin):
    """pghistory's events admin, limited to the events of rows the viewer may see (``events_visible_to``).

    With ``?obj=app.model:pk`` (the "History" button of every change page) it lists that row's events only.
    The sidebar's "Show counts" (facets) is off: pghistory's filters cannot count over the union of event
    tables and the link was a 500.
    """

    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        queryset = events_visible_to(super().get_queryset(request), request.user)
        if "obj" in request.GET and request.resolver_match.url_name.endswith("changelist"):
            queryset = events_of_object(queryset, request.GET["obj"])
        return queryset

    def changelist_view(self, request, extra_context=None):
        if "obj" in request.GET and not object_visible_to(request.GET["obj"], request.user):
            raise Http404("No such object.")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not object_visible_to(unquote(object_id), request.user):
            raise Http404("No such object.")
        return super().change_view(request, object_id, form_url, extra_context)
