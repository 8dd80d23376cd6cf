import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.choices import MembershipRole
from core.models import Membership, Tenant


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
    tenant_id = django_filters.ModelMultipleChoiceFilter(field_name="tenant", queryset=Tenant.objects.all())
    tenant = SlugInFilter(field_name="tenant__slug", label="Tenant slugs (comma-separated)")
    user_id = django_filters.ModelMultipleChoiceFilter(field_name="user", queryset=get_user_model().objects.all())
    role = django_filters.MultipleChoiceFilter(choices=MembershipRole.choices)

    class Meta:
        model = Membership
        fields = ["tenant_id", "tenant", "user_id", "role"]
