import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.choices import MembershipRole
from core.models import Membership, Tenant


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


class ModelMultipleChoiceFilter(IdInFilter):
    """An :class:`IdInFilter` on a foreign key or many-to-many field (distinct rows)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", True)
        super().__init__(*args, **kwargs)


class SlugInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated slugs of a related model: ``?genre=jazz,soul``."""


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = get_user_model()
        fields = {"username": ["exact"], "handle": ["exact"], "is_staff": ["exact"]}

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value) | Q(display_name__icontains=value) | Q(handle__icontains=value)
        )


class TenantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Tenant
        fields = {"slug": ["exact"], "name": ["exact", "icontains"]}

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))


class MembershipFilterSet(django_filters.FilterSet):
    tenant_id = ModelMultipleChoiceFilter(field_name="tenant", queryset=Tenant.objects.all())
    tenant = SlugInFilter(field_name="tenant__slug", label="Tenant slugs (comma-separated)")
    user_id = ModelMultipleChoiceFilter(field_name="user", queryset=get_user_model().objects.all())
    role = django_filters.MultipleChoiceFilter(choices=MembershipRole.choices)

    class Meta:
        model = Membership
        fields = ["tenant_id", "tenant", "user_id", "role"]
