"""The storyteller admin: every changelist at constant queries, change pages, sensitive inlines, rules."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storyteller import models as m
from storyteller import services
from tests.core.factories import UserFactory
from tests.storyteller import factories as f

ALL_MODELS = [*m.PROCESS_MODELS, *m.STORYTELLER_MODELS]


def changelist(model):
    return reverse(f"admin:storyteller_{model._meta.model_name}_changelist")


@pytest.mark.django_db
@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows_and_change_page_loads(admin_client, model):
    factory = getattr(f, f"{model.__name__}Factory")
    obj = factory()
    admin_client.get(changelist(model))
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(changelist(model)).status_code == 200
    for _ in range(4):
        factory()
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(changelist(model))
    assert response.status_code == 200
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
    change = reverse(f"admin:storyteller_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


@pytest.mark.django_db
def test_a_life_event_page_and_its_sensitive_inlines_open_to_the_owner_and_superusers_only(client):
    """Core's staff rule: permissions never widen the owner's scope; only superusers bypass it."""
    life_event = f.LifeEventFactory()
    every = Permission.objects.filter(content_type__app_label="storyteller")
    owner, staff = life_event.storyteller.user, UserFactory(staff=True)
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    for user in (owner, staff):
        user.user_permissions.set(every)
    url = reverse("admin:storyteller_lifeevent_change", args=[life_event.pk])
    for user, shown in ((owner, True), (staff, False), (UserFactory(superuser=True), True)):
        client.force_login(user)
        response = client.get(url)
        assert (response.status_code == 200) is shown, user
        if shown:
            models = {formset.opts.model for formset in response.context["inline_admin_formsets"]}
            assert {m.LifeEventTrauma, m.LifeEventBoundary, m.LifeEventPreference} <= models


@pytest.mark.django_db
def test_row_save_refuses_a_row_for_another_users_storyteller():
    staff = UserFactory(staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="storyteller"))
    with pytest.raises(PermissionDenied, match="your own storytellers"):
        services.row_save(obj=f.StorytellerFactory.build(user=UserFactory()), actor=staff)
    with pytest.raises(PermissionDenied):
        services.row_save(obj=f.LifeEventFactory.build(storyteller=f.StorytellerFactory()), actor=staff)
    assert services.row_save(obj=f.StorytellerFactory.build(user=staff), actor=staff).pk


@pytest.mark.django_db
def test_admin_refuses_a_status_move_the_machine_does_not_allow(admin_client):
    requirement = f.RequirementFactory()
    url = reverse("admin:storyteller_requirement_change", args=[requirement.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"status": "resolved", "storyteller": str(requirement.storyteller_id), "_save": "Save"})
    data = {key: (str(value) if not isinstance(value, list | dict) else value) for key, value in data.items()}
    for key in ("discriminates_between", "expected_archetype_outcomes", "suggested_prompts", "metadata"):
        data[key] = "{}" if key in ("expected_archetype_outcomes", "metadata") else "[]"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot move from pending to resolved" in response.content.decode()
    requirement.refresh_from_db()
    assert requirement.status == "pending"


@pytest.mark.django_db
def test_life_event_added_in_admin_is_logged_like_one_added_through_the_api(client):
    """``life_event_save`` (the API's path) records "life_event_added" in the storyteller's events; the admin
    saved the row alone, so the log missed every life event entered there."""
    from core.testing import admin_form_data

    storyteller = f.StorytellerFactory()
    owner = storyteller.user
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="storyteller"))
    client.force_login(owner)
    url = reverse("admin:storyteller_lifeevent_add")
    data = admin_form_data(client.get(url))
    data.update({"storyteller": str(storyteller.pk), "event_name": "First day of school"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert m.Event.objects.filter(
        storyteller=storyteller, event_type="life_event_added", subject="First day of school"
    ).exists()
