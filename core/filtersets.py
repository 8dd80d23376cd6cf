"""Filter bases shared by every app: the one ``FilterSet`` base, the ``q`` search and the one id filter."""

import copy

import django_filters
from django.contrib.auth import get_user_model
from django.db.models.constants import LOOKUP_SEP
from django_filters.filters import QuerySetRequestMixin

from core.choices import MembershipRole
from core.models import Membership, Tenant
from core.search import contains_any, text_contains


class Filters(dict):
    """A FilterSet's declared filters, which django-filter deep-copies for every FilterSet it makes (every
    request). A filter's settings are fixed when its class is made; what a copy needs of its own is the FilterSet
    it belongs to (``parent``, ``model``, its ``method`` bound to it), so a shallow copy does, at a tenth of the cost.
    """

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copies[name] = copied = copy.copy(filter_)
            if copied.method is not None:
                copied.method = copied.method  # the method wrapper, bound to the copy
        return copies


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet in the project: the validation form class is built once per FilterSet class,
    and a FilterSet's filters are copied shallowly (:class:`Filters`).

    django-filter builds a new form class (a metaclass run over a fresh field per filter, labels derived from the
    model) on every request; that was a third of the time of a list request spent outside the database. The
    fields depend only on the class, unless a filter takes its choices from the request (a model-choice filter
    with a callable queryset), in which case the class is built per request as before.
    """

    _form_classes: dict = {}

    @classmethod
    def get_filters(cls):
        return Filters(super().get_filters())

    def get_form_class(self):
        cls = type(self)
        form_class = FilterSet._form_classes.get(cls)
        if form_class is None:
            form_class = super().get_form_class()
            if not any(isinstance(filter_, QuerySetRequestMixin) for filter_ in self.filters.values()):
                FilterSet._form_classes[cls] = form_class
        return form_class


class SearchFilterSet(FilterSet):
    """``?q=``: rows where any of ``search_fields`` contains the text, any case; the one text search of the API.

    Each local column in ``search_fields`` has a trigram index (``core.models.trigram_index``); a column through a
    foreign key (``song__title``) is matched on its own table first (``core.search``), so every arm is indexed.
    """

    q = django_filters.CharFilter(method="search", label="Search")

    search_fields: tuple[str, ...] = ()
    #: match the (local) search fields joined as one text, served by one trigram index over them all
    #: (``core.models.trigram_index(name, *fields)``) instead of one index per column
    search_as_one_text = False

    def search(self, queryset, name, value):
        if not self.search_fields:
            return queryset
        if self.search_as_one_text:
            return queryset.filter(text_contains(self.search_fields, value))
        return queryset.filter(contains_any(queryset.model, self.search_fields, value))


class IdListWidget(django_filters.widgets.CSVWidget):
    """Reads ``?x_id=a,b`` and ``?x_id=a&x_id=b`` alike."""

    def value_from_datadict(self, data, files, name):
        if not hasattr(data, "getlist") or name not in data:
            return super().value_from_datadict(data, files, name)
        values = [value for item in data.getlist(name) for value in item.split(",") if value.strip()]
        return values or None


class IdInFilter(django_filters.BaseInFilter, django_filters.UUIDFilter):
    """``?x_id=<uuid>,<uuid>`` (or repeated): rows related to any of the ids, the one id filter of every app.

    A well-formed id that matches nothing filters to nothing (200 and an empty page), as any other filter
    value does; only a malformed id is a 400. The ids are not looked up first: one query, whatever they are.
    """

    def __init__(self, *args, queryset=None, **kwargs):  # ``queryset`` kept for the old model-choice signature
        kwargs.setdefault("lookup_expr", "in")
        kwargs.setdefault("widget", IdListWidget)
        super().__init__(*args, **kwargs)


def crosses_many(model, path: str) -> bool:
    """Whether the lookup ``path`` from ``model`` follows a to-many relation (and so may repeat a row)."""
    for name in path.split(LOOKUP_SEP):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
        if model is None:
            return False
    return False


class ModelMultipleChoiceFilter(IdInFilter):
    """An :class:`IdInFilter` on a relation. Rows are made distinct only when the path crosses a to-many relation
    (``artists``): a foreign key cannot repeat a row, and a needless DISTINCT makes the page's count a subquery."""

    def filter(self, qs, value):
        self.distinct = crosses_many(qs.model, self.field_name)
        return super().filter(qs, value)


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated values (slugs, names, choices): ``?genre=jazz,soul``; a ``method`` decides what they mean."""


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "display_name", "handle")

    class Meta:
        model = get_user_model()
        fields = {"username": ["exact"], "handle": ["exact"], "is_staff": ["exact"]}


class TenantFilterSet(SearchFilterSet):
    search_fields = ("name", "slug")

    class Meta:
        model = Tenant
        fields = {"slug": ["exact"], "name": ["exact", "icontains"]}


class MembershipFilterSet(SearchFilterSet):
    tenant_id = ModelMultipleChoiceFilter(field_name="tenant", queryset=Tenant.objects.all())
    tenant = CharInFilter(field_name="tenant__slug", label="Tenant slugs (comma-separated)")
    user_id = ModelMultipleChoiceFilter(field_name="user", queryset=get_user_model().objects.all())
    role = django_filters.MultipleChoiceFilter(choices=MembershipRole.choices)

    search_fields = ("user__username", "tenant__name")

    class Meta:
        model = Membership
        fields = ["tenant_id", "tenant", "user_id", "role"]
