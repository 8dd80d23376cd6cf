"""The one FilterSet base: every routed filterset uses it, and its validation form class is built once."""

from django.http import QueryDict

from core.filtersets import FilterSet, UserFilterSet
from tests.core.test_routes import api_routes


def test_every_api_filterset_uses_the_core_base():
    filtersets = {route.view.filterset_class for route in api_routes() if getattr(route.view, "filterset_class", None)}
    assert filtersets
    assert [filterset for filterset in filtersets if not issubclass(filterset, FilterSet)] == []


def test_the_form_class_is_built_once_per_filterset_class():
    first = UserFilterSet(QueryDict("q=a")).form
    second = UserFilterSet(QueryDict("q=b")).form
    assert type(first) is type(second)
    assert first is not second and first.fields["q"] is not second.fields["q"]  # each form has its own fields
