"""System checks run at start-up (``manage.py check``, ``runserver``, the test run).

``core.E001``: every viewset that serves list pages from ``values()`` (``core.api.values``) reads paths that
exist on its model, so a serializer the fast path cannot serve is refused when the process starts, not
answered with a 500 on the first list request.
"""

from __future__ import annotations

from django.core import checks


def _viewsets():
    from django.urls import get_resolver

    from core.api.views import ValuesListMixin

    get_resolver().url_patterns  # noqa: B018 - imports every app's views
    found, pending = [], list(ValuesListMixin.__subclasses__())
    while pending:
        view = pending.pop()
        pending.extend(view.__subclasses__())
        if getattr(view, "queryset", None) is not None and getattr(view, "serializer_class", None) is not None:
            found.append(view)
    return found


def values_plan_errors(viewsets) -> list[checks.Error]:
    """``core.E001`` for each viewset whose list fast path reads a path its model does not have."""
    from core.api.values import values_plan

    errors = []
    for view in viewsets:
        try:
            plan = values_plan(view.serializer_class)
            if plan is not None:
                str(plan.values(view.queryset).query)
        except Exception as error:  # noqa: BLE001 - any failure to plan or compile is the error reported
            errors.append(
                checks.Error(
                    f"{view.__module__}.{view.__name__}: its list fast path cannot serve "
                    f"{view.serializer_class.__name__}: {error}",
                    hint="Give the field a model path as its source, or make it a SerializerMethodField.",
                    obj=view,
                    id="core.E001",
                )
            )
    return errors


@checks.register(checks.Tags.compatibility)
def check_values_plans(app_configs=None, **kwargs):
    return values_plan_errors(_viewsets())
