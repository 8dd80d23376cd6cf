"""The admin's "History" button lists that object's events only; the events page never 500s on "Show counts"."""

import pytest
from django.urls import reverse

from tests.core.factories import TenantFactory


@pytest.mark.django_db
def test_history_button_lists_only_the_objects_events(admin_client):
    tenant, other = TenantFactory(name="Mine"), TenantFactory(name="Other")
    tenant.name = "Mine, renamed"
    tenant.save()
    history = admin_client.get(reverse("admin:core_tenant_history", args=[tenant.pk]), follow=True)
    assert history.status_code == 200
    rows = list(history.context["cl"].result_list)
    assert rows and {row.pgh_obj_id for row in rows} == {str(tenant.pk)}
    assert len(rows) == 2  # insert and update
    assert str(other.pk) not in history.text


@pytest.mark.django_db
def test_events_page_show_counts_is_not_a_500(admin_client):
    tenant = TenantFactory()
    url = reverse("admin:pghistory_events_changelist")
    assert admin_client.get(url, {"obj": f"core.tenant:{tenant.pk}", "_facets": "True"}).status_code == 200
    assert admin_client.get(url, {"_facets": "True"}).status_code == 200
