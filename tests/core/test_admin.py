"""Every registered admin page loads, follows the conventions, and the core admin actions work."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from core.admin import BaseAdmin
from core.models import Tenant
from tests.core.factories import MembershipFactory, TenantFactory

PROJECT_APPS = {"core", "catalog", "amcs", "audio_vcs", "club", "storyteller"}


def project_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ]


@pytest.mark.parametrize(("model", "model_admin"), project_admins(), ids=lambda v: getattr(v, "__name__", ""))
def test_admin_follows_conventions(model, model_admin):
    assert model_admin.list_display and model_admin.list_display != ("__str__",)
    assert model_admin.search_fields
    assert model_admin.list_filter
    if model._meta.label != "core.User":
        assert isinstance(model_admin, BaseAdmin)
    relations = [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.ManyToManyField) and field.editable and not field.auto_created
    ]
    chosen = set(model_admin.autocomplete_fields) | set(model_admin.raw_id_fields)
    excluded = set(model_admin.exclude or []) | {"owner", "groups", "user_permissions"}
    assert set(relations) - excluded <= chosen, "foreign keys must use autocomplete or raw id widgets"


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), project_admins(), ids=lambda v: getattr(v, "__name__", ""))
def test_admin_pages_load_for_superuser(admin_client, model, model_admin):
    info = model._meta.app_label, model._meta.model_name
    assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200


@pytest.mark.django_db
def test_change_page_and_history_of_a_tenant(admin_client):
    tenant = TenantFactory()
    MembershipFactory(tenant=tenant)
    assert admin_client.get(reverse("admin:core_tenant_change", args=[tenant.pk])).status_code == 200
    history = admin_client.get(reverse("admin:core_tenant_history", args=[tenant.pk]))
    assert history.status_code == 302
    events = admin_client.get(history["Location"])
    assert events.status_code == 200
    assert tenant.name in events.content.decode()


@pytest.mark.django_db
def test_deleted_tenant_is_listed_behind_filter_and_restored_by_action(admin_client):
    tenant = TenantFactory(name="Gone For Now")
    admin_client.post(reverse("admin:core_tenant_delete", args=[tenant.pk]), {"post": "yes"})
    assert Tenant.all_objects.get(pk=tenant.pk).is_deleted
    changelist = reverse("admin:core_tenant_changelist")
    assert tenant not in admin_client.get(changelist).context["cl"].result_list
    assert tenant in admin_client.get(changelist, {"deleted": "yes"}).context["cl"].result_list
    response = admin_client.post(
        f"{changelist}?deleted=yes", {"action": "restore_selected", "_selected_action": [str(tenant.pk)]}
    )
    assert response.status_code == 302
    assert not Tenant.all_objects.get(pk=tenant.pk).is_deleted
