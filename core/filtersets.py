import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core.choices import MembershipRole
from core.models import Membership, Tenant


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """``?x_id=<uuid>&x_id=<uuid>``; absent, it costs nothing (django-filter's own tests the empty
    ``queryset.none()`` it gets for truth, which compiles a query on every request)."""

    def filter(self, qs, value):
        if isinstance(value, QuerySet) and value.query.is_empty():
            return qs
        return super().filter(qs, value)


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
