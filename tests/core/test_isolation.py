"""The isolation matrix: no private row crosses to someone who may not see it, and nothing is written by
someone who may not write it, through any registered viewset, admin page or history page.

Generated, not written per model: every model that declares its visibility (``access_path``, or a group
model such as ``core.Tenant`` and ``club.Club``; see docs/architecture.md, "Visibility") and is served by a
router's viewset or registered in the admin is covered, in every app, including apps that land later. Rows
come from ``tests/<app>/factories.py``'s ``<Model>Factory``.

For a victim row, the actors are:

- ``outsider``: an owner of another group of the same kind (another tenant, another club);
- ``viewer``: a viewer of the row's group (for a member's own data: a club-mate), who may read, never write;
- ``nonmember``: a signed-in user with no membership;
- ``staff``: a non-superuser staff user holding every permission of the model, and no membership.

They try list, filtered list, detail, create, update, delete and restore (API and admin), the admin's
autocomplete of every relation that offers the row, and the history pages (the events list, the object's
events). Every GET of the API's lists and details, by every actor, runs without an INSERT, UPDATE or DELETE.
"""

from __future__ import annotations

import datetime
import decimal
import importlib
import json
import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from config.urls import API_APPS
from core.admin import SoftDeleteAdmin
from core.choices import MembershipRole
from core.models import GroupModel, is_private
from tests.core.factories import UserFactory

ACTORS = ["outsider", "viewer", "nonmember", "staff"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Each case makes a dozen users; hashing their passwords slowly proves nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


READERS = {"viewer"}  # may read the victim row; nobody here may write it


# Discovery -------------------------------------------------------------------------------------


def api_routes() -> list[tuple[type[models.Model], str, type]]:
    """(model, URL name prefix, viewset) of every router registration whose model is private."""
    routes = []
    for app in API_APPS:
        module = importlib.import_module(f"{app}.api.urls")
        router = getattr(module, "router", None)
        if router is None:
            continue
        for _prefix, viewset, basename in router.registry:
            queryset = getattr(viewset, "queryset", None)
            if queryset is not None and is_private(queryset.model):
                routes.append((queryset.model, f"{module.app_name}:{basename}", viewset))
    return routes


def admin_models() -> list[type[models.Model]]:
    return [model for model in admin.site._registry if is_private(model)]


def factory_for(model):
    module = importlib.import_module(f"tests.{model._meta.app_label}.factories")
    factory = getattr(module, f"{model.__name__}Factory", None)
    assert factory is not None, (
        f"{model._meta.label} is private: tests/{model._meta.app_label}/factories.py "
        f"needs a {model.__name__}Factory for the isolation matrix"
    )
    return factory


# The victim row and the actors -----------------------------------------------------------------


def scope_of(row):
    """The group or user at the end of ``row``'s ``access_path`` (a group row is its own scope)."""
    if isinstance(row, GroupModel):
        return row
    target = row
    for name in type(row).access_path.split("__"):
        target = getattr(target, name)
    return target


def sharing_group_model():
    return next(model for model in apps.get_models() if issubclass(model, GroupModel) and model.shares_member_data)


def join(user, group, role) -> None:
    relation = type(group)._meta.get_field("memberships")
    relation.related_model._default_manager.update_or_create(
        user=user, **{relation.field.name: group}, defaults={"role": role}
    )


def staff_with_every_permission(model):
    user = UserFactory(staff=True)
    codenames = [f"{action}_{model._meta.model_name}" for action in ("add", "change", "delete", "view")]
    perms = Permission.objects.filter(content_type__app_label=model._meta.app_label, codename__in=codenames)
    user.user_permissions.set([*perms, *Permission.objects.filter(codename="view_events")])
    return user


def make_world(model) -> tuple[models.Model, dict]:
    """A victim row and the four actors, each with the same powers over their own group as the victim's own."""
    row = factory_for(model)()
    scope = scope_of(row)
    actors = {"nonmember": UserFactory(), "staff": staff_with_every_permission(model)}
    if isinstance(scope, GroupModel):
        group_model = type(scope)
        join(UserFactory(), scope, MembershipRole.OWNER)  # the victim group has an owner of its own
        other = factory_for(group_model)()
        actors["outsider"] = UserFactory(staff=True)
        actors["outsider"].user_permissions.set(actors["staff"].user_permissions.all())
        join(actors["outsider"], other, MembershipRole.OWNER)
        actors["viewer"] = UserFactory()
        join(actors["viewer"], scope, MembershipRole.VIEWER)
    else:  # a member's own data: club-mates read it, members of other clubs do not
        group_model = sharing_group_model()
        theirs, other = factory_for(group_model)(), factory_for(group_model)()
        join(scope, theirs, MembershipRole.MEMBER)
        actors["viewer"] = UserFactory()
        join(actors["viewer"], theirs, MembershipRole.MEMBER)
        actors["outsider"] = UserFactory(staff=True)
        actors["outsider"].user_permissions.set(actors["staff"].user_permissions.all())
        join(actors["outsider"], other, MembershipRole.OWNER)
    return row, actors


def snapshot(row) -> dict:
    manager = getattr(type(row), "all_objects", type(row)._base_manager)
    return manager.filter(pk=row.pk).values().first()


def scope_count(row, actor) -> int:
    """Rows of the victim's scope that ``actor`` may not change: what a create into someone else's scope would add
    to. A row the actor made their own (a project they own, a star of theirs on a public project) writes into
    nobody else's scope and is not counted."""
    model = type(row)
    manager = getattr(model, "all_objects", model._default_manager)
    rows = manager.all() if isinstance(row, GroupModel) else manager.filter(**{model.access_path: scope_of(row)})
    return rows.exclude(pk__in=manager.editable_by(actor).values("pk")).count()


# Payloads built from the victim row ------------------------------------------------------------


def plain(value):
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def text_field(model) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and field.editable and not field.unique:
            if not field.choices:
                return field
    return None


def api_payload(row) -> dict:
    """The victim row's values (FKs both as ``x`` and ``x_id``) with a text field changed."""
    data = {}
    for field in type(row)._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name in {"created_at", "updated_at"}:
            continue
        value = plain(getattr(row, field.attname))
        data[field.name] = value
        if field.is_relation:
            data[f"{field.name}_id"] = value
    changed = text_field(type(row))
    if changed is not None:
        data[changed.name] = f"{getattr(row, changed.attname)} (changed)"[: changed.max_length or 10_000]
    return json.loads(json.dumps(data, default=str))


def form_payload(row) -> dict:
    """The victim row as admin form data, with a text field changed."""
    data = {}
    for name, value in model_to_dict(row).items():
        field = type(row)._meta.get_field(name)
        if isinstance(field, models.FileField):
            continue
        if isinstance(field, models.JSONField):
            data[name] = json.dumps(value)
        elif isinstance(field, ArrayField):
            data[name] = ",".join(str(item) for item in value or [])
        elif isinstance(value, list):
            data[name] = [plain(item) for item in value]
        elif value is None:
            data[name] = ""
        else:
            data[name] = plain(value)
    changed = text_field(type(row))
    if changed is not None:
        data[changed.name] = f"{getattr(row, changed.attname)} (changed)"[: changed.max_length or 10_000]
    return data


def filter_params(viewset, row) -> list[dict]:
    """Query strings that single the victim row out through the viewset's id filters."""
    params = []
    filterset = getattr(viewset, "filterset_class", None)
    for name, declared in filterset.base_filters.items() if filterset else []:
        field_name = getattr(declared, "field_name", "")
        try:
            field = type(row)._meta.get_field(field_name)
        except Exception:  # noqa: BLE001 - a filter on a path or a method, not a local column
            continue
        if field.is_relation and field.many_to_one and name.endswith("_id"):
            params.append({name: str(getattr(row, field.attname))})
    if filterset and "q" in filterset.base_filters:
        params.append({"q": str(row)[:20]})
    return params


# API -------------------------------------------------------------------------------------------


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def writes(captured) -> list[str]:
    """The statements of ``captured`` (a ``CaptureQueriesContext``) that change rows."""
    return [query["sql"] for query in captured.captured_queries if query["sql"].lstrip().upper().startswith(WRITES)]


WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")


def ids_of(response) -> set[str]:
    data = response.json() if response.status_code == 200 else {}
    rows = data.get("results", data) if isinstance(data, dict) else data
    return {str(item.get("id")) for item in rows or [] if isinstance(item, dict)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "url_name", "viewset"),
    api_routes(),
    ids=[name for _, name, _ in api_routes()],
)
def test_api_keeps_private_rows_private(model, url_name, viewset):
    row, actors = make_world(model)
    list_url = reverse(f"{url_name}-list")
    try:
        detail_url = reverse(f"{url_name}-detail", args=[row.pk])
    except NoReverseMatch:
        detail_url = None
    insider = scope_of(row) if not isinstance(scope_of(row), GroupModel) else None
    if insider is not None:  # a positive control: the matrix must not pass because nobody sees anything
        assert str(row.pk) in ids_of(api_client(insider).get(list_url, {"page_size": 500}))
    for actor_name in ACTORS:
        client = api_client(actors[actor_name])
        before, count = snapshot(row), scope_count(row, actors[actor_name])
        with CaptureQueriesContext(connection) as reads:
            listed = ids_of(client.get(list_url, {"page_size": 500}))
            filtered = [
                ids_of(client.get(list_url, {**params, "page_size": 500})) for params in filter_params(viewset, row)
            ]
            detail_status = client.get(detail_url).status_code if detail_url else None
        assert not writes(reads), (actor_name, "a GET wrote", writes(reads))
        if actor_name not in READERS:
            assert str(row.pk) not in listed, actor_name
            assert all(str(row.pk) not in ids for ids in filtered), (actor_name, filter_params(viewset, row))
            assert detail_status in (None, 404), actor_name
        response = client.post(list_url, api_payload(row), format="json")
        assert scope_count(row, actors[actor_name]) == count, (actor_name, "create", response.status_code)
        if detail_url:
            response = client.patch(detail_url, api_payload(row), format="json")
            assert response.status_code in (400, 403, 404, 405), (actor_name, "update", response.status_code)
            response = client.delete(detail_url)
            assert response.status_code in (403, 404, 405), (actor_name, "delete", response.status_code)
            for action in ("restore",):
                response = client.post(f"{detail_url}{action}/")
                assert response.status_code in (403, 404, 405), (actor_name, action, response.status_code)
        assert snapshot(row) == before, actor_name


# Admin and history -----------------------------------------------------------------------------


def admin_url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def autocomplete_queries(model) -> list[dict]:
    """Admin autocomplete requests that offer rows of ``model``: one per relation pointing at it (Django's view
    answers for any such relation; the rows come from ``model``'s admin)."""
    if not admin.site._registry[model].get_search_fields(None):
        return []
    return [
        {
            "app_label": rel.related_model._meta.app_label,
            "model_name": rel.related_model._meta.model_name,
            "field_name": rel.field.name,
            "term": "",
        }
        for rel in model._meta.related_objects
        if rel.field.concrete and rel.field.related_model is model
    ][:3]


@pytest.mark.django_db
@pytest.mark.parametrize("model", admin_models(), ids=lambda model: model._meta.label)
def test_admin_and_history_keep_private_rows_private(model):
    row, actors = make_world(model)
    soft_deletable = isinstance(admin.site._registry[model], SoftDeleteAdmin)
    for query in autocomplete_queries(model)[:1]:  # a positive control: the autocomplete check can see a row
        superuser = Client()
        superuser.force_login(UserFactory(superuser=True))
        offered = superuser.get(reverse("admin:autocomplete"), query).json()["results"]
        assert str(row.pk) in {item["id"] for item in offered}, query
    for actor_name in ACTORS:
        user = actors[actor_name]
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.user_permissions.set(actors["staff"].user_permissions.all())
        client = Client()
        client.force_login(user)
        before, count = snapshot(row), scope_count(row, actors[actor_name])
        changelist = admin_url(model, "changelist")
        if actor_name not in READERS:
            for params in ({}, {"q": str(row)[:20]}, *([{"deleted": "all"}] if soft_deletable else [])):
                response = client.get(changelist, params)
                assert response.status_code == 200, (actor_name, params)
                assert row.pk not in {obj.pk for obj in response.context["cl"].result_list}, (actor_name, params)
            response = client.get(admin_url(model, "change", row.pk))
            assert response.status_code in (302, 403, 404), (actor_name, "change page")
            for query in autocomplete_queries(model):
                response = client.get(reverse("admin:autocomplete"), query)
                offered = {item["id"] for item in response.json()["results"]} if response.status_code == 200 else set()
                assert str(row.pk) not in offered, (actor_name, "autocomplete", query)
            history = reverse("admin:pghistory_events_changelist")
            assert client.get(history, {"obj": f"{model._meta.label_lower}:{row.pk}"}).status_code == 404
            for params in ({"model": model._meta.label_lower}, {"event_model": ""}):
                response = client.get(history, params)
                if response.status_code == 200:
                    seen = {event.pgh_obj_id for event in response.context["cl"].result_list}
                    assert str(row.pk) not in seen, (actor_name, params)
        client.post(admin_url(model, "add"), form_payload(row))
        assert scope_count(row, user) == count, (actor_name, "admin add")
        client.post(admin_url(model, "change", row.pk), form_payload(row))
        client.post(admin_url(model, "delete", row.pk), {"post": "yes"})
        assert snapshot(row) == before, (actor_name, "admin change/delete")
    if soft_deletable:
        type(row).all_objects.filter(pk=row.pk).delete()
        deleted = snapshot(row)
        for actor_name in ACTORS:
            client = Client()
            client.force_login(actors[actor_name])
            client.post(
                admin_url(model, "changelist") + "?deleted=yes",
                {"action": "restore_selected", "_selected_action": [str(row.pk)]},
            )
            assert snapshot(row) == deleted, (actor_name, "restore")


def test_the_matrix_covers_the_private_models_of_every_app():
    """A private model served by the API or the admin is in the matrix (and the matrix is not empty)."""
    covered = {model for model, _, _ in api_routes()} | set(admin_models())
    labels = {model._meta.label for model in covered}
    assert {"amcs.Song", "club.Week", "club.ListenEvent", "core.Membership"} <= labels
