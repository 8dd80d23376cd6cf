"""Every registered admin page loads, follows the conventions, and the core admin actions work."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse

from core.admin import BaseAdmin
from core.formsets import StackedInline, TabularInline
from core.models import Tenant
from tests.core.factories import MembershipFactory, TenantFactory


def project_admins():
    """Every admin page of the project's own apps (any app under the repository, so a new app is included)."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_config.path.startswith(str(settings.BASE_DIR))
        and "site-packages" not in model._meta.app_config.path
    ]


def test_project_admins_are_those_of_the_repositorys_apps():
    labels = {model._meta.app_label for model, _ in project_admins()}
    assert {"core", "storyteller"} <= labels and not labels & {"auth", "knox", "pghistory", "procrastinate"}


@pytest.mark.parametrize(("model", "model_admin"), project_admins(), ids=lambda v: getattr(v, "__name__", ""))
def test_admin_and_its_inlines_use_cores_bases(model, model_admin):
    """Core's bases carry the write rules of the admin (refusals as form errors, rows added at their defaults
    saved, constraint checks across inline rows, scoped choices): an admin or inline that bypasses them fails."""
    assert isinstance(model_admin, BaseAdmin), f"{type(model_admin).__name__} must subclass core.admin.BaseAdmin"
    for inline in model_admin.inlines:
        assert issubclass(inline, TabularInline | StackedInline), (
            f"{inline.__name__} must subclass core.formsets.TabularInline or StackedInline"
        )
    for action in model_admin.actions or []:
        action = getattr(model_admin, action) if isinstance(action, str) else action
        assert getattr(action, "allowed_permissions", None), f"{action.__name__} must declare permissions=[...]"


@pytest.mark.parametrize(("model", "model_admin"), project_admins(), ids=lambda v: getattr(v, "__name__", ""))
def test_admin_follows_conventions(model, model_admin):
    assert model_admin.list_display and model_admin.list_display != ("__str__",)
    assert model_admin.search_fields
    assert model_admin.list_filter
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
    changelist = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    # a read-only admin (rows the services alone write, such as storyteller events) refuses its add page
    addable = model_admin.has_add_permission(changelist.wsgi_request)
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == (200 if addable else 403)


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


@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_the_same_unique_row_at_once_get_a_form_error_not_a_500(monkeypatch):
    """Both forms pass their checks (neither row is saved yet); the database refuses the second insert, and the
    admin shows that as a form error on the page (core.admin.RefusedSaveMixin, on every ModelAdmin)."""
    import threading

    from django.test import Client

    from catalog.admin import GenreAdmin
    from catalog.models import Genre
    from core.testing import run_concurrently
    from tests.core.factories import UserFactory

    both_checked = threading.Barrier(2, timeout=30)
    save_model = GenreAdmin.save_model

    def save_after_both_checked(self, request, obj, form, change):
        both_checked.wait()  # the second form was validated before either row is written
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(GenreAdmin, "save_model", save_after_both_checked)
    url = reverse("admin:catalog_genre_add")

    def add():
        client = Client()
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        return client.post(url, {"name": "Shoegaze", "slug": "shoegaze"})

    responses = run_concurrently(add, add)
    assert not [response for response in responses if isinstance(response, Exception)], responses
    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(response for response in responses if response.status_code == 200)
    assert "Not saved: a change saved at the same time conflicts with this one" in refused.content.decode()
    assert Genre.objects.filter(slug="shoegaze").count() == 1
