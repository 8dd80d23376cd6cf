"""Field rules met on every path, generated from the router, the serializers, the models and ``admin.site``.

- Who did it: every writable serializer field and admin form field that points at the user model and names the
  acting person (``core.field_rules.acting_fields``) is tried with another user's id by a user who is not a
  superuser (the API: not staff either): refused or ignored, never stored.
- JSON fields: every JSON field of every model gets the wrong JSON type (a list for an object, a string for a list)
  and a value nested too deep, through the admin's change form and the API: refused naming the field, never stored.
- Files: every field that names a file refuses ``file://`` URLs, absolute paths, ``..`` segments and symbolic links,
  whatever path writes it (model validation, so the admin, the API and the services).

Rows come from ``tests/<app>/factories.py``'s ``<Model>Factory`` (as in the isolation matrix); a new model, field
or endpoint is covered as soon as it exists.
"""

from __future__ import annotations

import importlib
import json
import os
import uuid

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.test import APIClient, APIRequestFactory

from config.urls import API_APPS
from core import field_rules
from core.choices import MembershipRole
from core.models import GroupModel, is_private
from core.testing import admin_form_data
from tests.core.factories import UserFactory
from tests.core.test_isolation import api_payload, factory_for, join, scope_of


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Discovery -------------------------------------------------------------------------------------


def routes():
    """(model, URL name prefix, viewset) of every router registration with a serializer."""
    found = []
    for app in API_APPS:
        module = importlib.import_module(f"{app}.api.urls")
        for _prefix, viewset, basename in getattr(module, "router", None).registry if hasattr(module, "router") else []:
            queryset = getattr(viewset, "queryset", None)
            if queryset is not None and getattr(viewset, "serializer_class", None) is not None:
                found.append((queryset.model, f"{module.app_name}:{basename}", viewset))
    return found


def serializer_fields(viewset) -> dict:
    request = APIRequestFactory().post("/")
    request.user = get_user_model()(is_superuser=True)
    return viewset.serializer_class(context={"request": request}).fields


def writes(viewset) -> bool:
    return any(hasattr(viewset, action) for action in ("create", "update", "partial_update"))


def model_field_of(model, serializer_field):
    source = (serializer_field.source or "").split(".")[0]
    try:
        return model._meta.get_field(source)
    except Exception:  # noqa: BLE001 - a serializer field with no column behind it
        return None


def writable_user_relations() -> list[str]:
    """Writable serializer fields that take the acting person from the body (there must be none)."""
    found = []
    user_model = get_user_model()
    for model, url_name, viewset in routes():
        if not writes(viewset):
            continue
        for name, field in serializer_fields(viewset).items():
            relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            queryset = None if field.read_only else getattr(relation, "queryset", None)
            column = model_field_of(model, field)
            if queryset is not None and queryset.model is user_model and column is not None:
                if column.name in field_rules.acting_fields(model):
                    found.append(f"{url_name}: {name}")
    return found


def api_user_places() -> list[tuple]:
    """(model, url name, viewset, field name): every acting-person field of every model a writable route serves."""
    return [
        (model, url_name, viewset, name)
        for model, url_name, viewset in routes()
        if writes(viewset)
        for name in field_rules.acting_fields(model)
    ]


def project_admins():
    base = str(__import__("django.conf").conf.settings.BASE_DIR)
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_config.path.startswith(base) and "site-packages" not in model._meta.app_config.path
    ]


def admin_user_places() -> list[tuple]:
    """(model, field name) of every admin form offering an acting-person field (add or change form)."""
    return [(model, name) for model, model_admin in project_admins() for name in field_rules.acting_fields(model)]


def json_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, models.JSONField)]


def wrong_values(model, name) -> list:
    """A value of the wrong JSON type and one nested too deep, for ``model.name``."""
    field = model._meta.get_field(name)
    default = field.default() if callable(field.default) else field.default
    deep: object = 1
    for _ in range(field_rules.JSON_MAX_DEPTH + 8):
        deep = [deep] if isinstance(default, list) else {"a": deep}
    return ["not a list", deep] if isinstance(default, list) else [[1, 2], deep]


# Actors ----------------------------------------------------------------------------------------


def grant_model_permissions(user, model) -> None:
    codenames = [f"{action}_{model._meta.model_name}" for action in ("add", "change", "delete", "view")]
    perms = Permission.objects.filter(content_type__app_label=model._meta.app_label, codename__in=codenames)
    user.user_permissions.add(*perms)


def insider_for(row, *, staff: bool):
    """A user who is not a superuser, may write ``row`` where it lives and holds the model's permissions."""
    model = type(row)
    if is_private(model) and not isinstance(row, GroupModel):
        scope = scope_of(row)
        if isinstance(scope, GroupModel):
            user = UserFactory(is_staff=staff)
            join(user, scope, MembershipRole.OWNER)
        else:
            user = scope
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
    else:
        user = UserFactory(is_staff=staff)
        if isinstance(row, GroupModel):
            join(user, row, MembershipRole.OWNER)
    grant_model_permissions(user, model)
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def another_member(row):
    """Another user, a member of ``row``'s group when it has one (so only the acting-person rule can refuse them)."""
    other = UserFactory()
    scope = scope_of(row) if is_private(type(row)) else None
    if isinstance(scope, GroupModel):
        join(other, scope, MembershipRole.OWNER)  # a role every group model has
    return other


def stored_with(model, name, user) -> bool:
    manager = getattr(model, "all_objects", model._base_manager)
    return manager.filter(**{name: user}).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "url_name", "viewset", "name"),
    api_user_places(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_api_takes_the_acting_person_from_the_request(model, url_name, viewset, name):
    """Another user's id, as ``name`` and as ``name_id``, by a user who is neither staff nor superuser, on update and
    on create (the row's own values otherwise): refused or ignored, never stored."""
    row = factory_for(model)()
    actor, other = insider_for(row, staff=False), another_member(row)
    client = APIClient()
    client.force_authenticate(actor)
    someone_else = {name: str(other.pk), f"{name}_id": str(other.pk)}
    try:
        detail = reverse(f"{url_name}-detail", args=[row.pk])
    except NoReverseMatch:
        detail = None
    if detail and hasattr(viewset, "partial_update"):
        client.patch(detail, someone_else, format="json")
        assert not stored_with(model, name, other), f"PATCH {detail} stored {name}={other}"
    payload = {**api_payload(row), **someone_else}
    model._base_manager.filter(pk=row.pk).delete()  # frees the row's unique keys for the create
    response = client.post(reverse(f"{url_name}-list"), payload, format="json")
    assert not stored_with(model, name, other), f"POST stored {name} = another user ({response.status_code})"


def test_no_serializer_takes_the_acting_person_from_the_body():
    assert not writable_user_relations()


def test_the_api_places_are_found():
    """The discovery sees the API's user fields (a positive control: the generated test is not empty)."""
    places = {(model._meta.label, name) for model, _url, _view, name in api_user_places()}
    assert {("storyteller.UserFeedback", "user"), ("storyteller.ProcessVersion", "created_by")} <= places
    assert ("core.Membership", "user") not in places and ("audio_vcs.Approval", "reviewer") not in places


def admin_url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), admin_user_places(), ids=lambda v: getattr(v, "__name__", v))
def test_admin_forms_take_the_acting_person_from_the_request(model, name):
    row = factory_for(model)()
    actor, other = insider_for(row, staff=True), another_member(row)
    client = Client()
    client.force_login(actor)
    page = client.get(admin_url(model, "change", row.pk))
    if page.status_code == 200 and name in page.context["adminform"].form.fields:
        data = admin_form_data(page)
        data[name] = str(other.pk)
        client.post(admin_url(model, "change", row.pk), data)
        assert not stored_with(model, name, other), f"the change page stored {name} = another user"
    page = client.get(admin_url(model, "add"))
    if page.status_code == 200 and name in page.context["adminform"].form.fields:
        data = {**admin_form_data(page), **add_form_values(row, page)}
        data[name] = str(other.pk)
        model._base_manager.filter(pk=row.pk).delete()
        client.post(admin_url(model, "add"), data)
        assert not stored_with(model, name, other), f"the add page stored {name} = another user"


def add_form_values(row, page) -> dict:
    """``row``'s values for the fields of the add form (the row is deleted before the post)."""
    from tests.core.test_isolation import form_payload

    fields = page.context["adminform"].form.fields
    return {key: value for key, value in form_payload(row).items() if key in fields}


@pytest.mark.django_db
def test_staff_with_the_permission_enter_rows_for_others_and_history_says_so():
    from club.models import Vote
    from tests.club.factories import NominationFactory, WeekFactory

    nomination = NominationFactory(week=WeekFactory(poll=True))
    club = nomination.week.club
    member = UserFactory()
    join(member, club, MembershipRole.MEMBER)
    staff = UserFactory(staff=True)
    join(staff, club, MembershipRole.OWNER)
    grant_model_permissions(staff, Vote)
    client = Client()
    client.force_login(staff)
    data = {"week": str(nomination.week.pk), "nomination": str(nomination.pk), "user": str(member.pk), "rank": "1"}
    response = client.post(admin_url(Vote, "add"), data)
    assert not Vote.objects.filter(user=member).exists()
    assert field_rules.NOT_YOU in response.content.decode()
    field_rules.ensure_on_behalf_permissions()
    staff.user_permissions.add(Permission.objects.get(codename=field_rules.on_behalf_codename(Vote)))
    response = client.post(admin_url(Vote, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    vote = Vote.objects.get(user=member)
    from django.apps import apps

    event = apps.get_model("club", "VoteEvent").objects.filter(pgh_obj_id=vote.pk).get(pgh_label="insert")
    assert str(event.pgh_context.metadata["user"]) == str(staff.pk)  # by staff ...
    assert event.pgh_context.metadata["on_behalf_of"] == {"club.Vote.user": str(member.pk)}  # ... for the member


# JSON fields -----------------------------------------------------------------------------------


def json_models() -> list:
    return [model for model in field_rules.project_models() if json_fields(model)]


def json_admin_models() -> list:
    return [model for model in json_models() if model in admin.site._registry]


def json_api_places() -> list[tuple]:
    places = []
    for model, url_name, viewset in routes():
        if not hasattr(viewset, "partial_update"):
            continue
        names = [
            name
            for name, field in serializer_fields(viewset).items()
            if not field.read_only and name in json_fields(model) and (field.source or name) == name
        ]
        if names:
            places.append((model, url_name, names))
    return places


def stored_wrong(model, pk, wrong: dict) -> list[str]:
    row = model._base_manager.get(pk=pk)
    return [f"{name}={json.dumps(value)[:30]}" for name, value in wrong.items() if getattr(row, name) == value]


@pytest.mark.django_db
@pytest.mark.parametrize("model", json_admin_models(), ids=lambda model: model._meta.label)
def test_admin_refuses_json_of_the_wrong_shape(model, admin_client):
    """Every JSON field of the change form at once, with a value of the wrong type, then one nested too deep."""
    row = factory_for(model)()
    url = admin_url(model, "change", row.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    names = [name for name in json_fields(model) if name in form_fields and not form_fields[name].disabled]
    if not page.context["has_change_permission"]:  # a page that only shows the row (the server's own records)
        names = []
    stored = []
    for kind in (0, 1):
        wrong = {name: wrong_values(model, name)[kind] for name in names}
        data = {**admin_form_data(page), **{name: json.dumps(value) for name, value in wrong.items()}}
        response = admin_client.post(url, data)
        stored += stored_wrong(model, row.pk, wrong)
        if not stored and response.status_code != 403:  # 403: a page that refuses every write (server records)
            assert response.status_code == 200, response.status_code
            errors = response.context["adminform"].form.errors
            assert set(names) <= set(errors), (kind, errors)
    assert not stored, f"{model._meta.label}: the admin stored {stored}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "url_name", "names"), json_api_places(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_api_refuses_json_of_the_wrong_shape(model, url_name, names, admin_api_client):
    """Every writable JSON field at once, with a value of the wrong type, then one nested too deep."""
    row = factory_for(model)()
    url = reverse(f"{url_name}-detail", args=[row.pk])
    stored = []
    for kind in (0, 1):
        wrong = {name: wrong_values(model, name)[kind] for name in names}
        response = admin_api_client.patch(url, wrong, format="json")
        stored += stored_wrong(model, row.pk, wrong)
        if not stored:
            assert response.status_code == 400, (kind, response.status_code)
            assert set(names) <= {error["field"] for error in response.json()["errors"]}, response.json()
    assert not stored, f"{model._meta.label}: the API stored {stored}"


def test_every_json_field_has_a_schema():
    missing = [
        f"{model._meta.label}.{name}"
        for model in json_models()
        for name in json_fields(model)
        if (model, name) not in field_rules.JSON_SCHEMAS
    ]
    assert not missing
    assert not field_rules.declaration_errors()


def test_now_playing_metadata_is_a_listenbrainz_track():
    from club.models import NowPlaying

    row = NowPlaying(track_metadata=[1, 2])
    assert field_rules.json_errors(NowPlaying, "track_metadata", [1, 2]) == ["Must be an object."]
    assert field_rules.json_errors(NowPlaying, "track_metadata", {"track_name": "x"})
    assert not field_rules.json_errors(NowPlaying, "track_metadata", {"artist_name": "a", "track_name": "t"})
    assert not field_rules.json_errors(NowPlaying, "track_metadata", {})
    with pytest.raises(ValidationError) as error:
        row.clean_fields(exclude=["user", "expires_at"])
    assert "track_metadata" in error.value.message_dict


# Files -----------------------------------------------------------------------------------------


def file_places() -> list[tuple]:
    return [(model, name) for model in field_rules.project_models() for name in field_rules.file_fields(model)]


@pytest.fixture
def outside_file(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    return secret


@pytest.fixture
def stored_link(outside_file):
    """A symbolic link inside the storage to a file outside it."""
    name = f"links/{uuid.uuid4().hex}.png"
    os.makedirs(os.path.dirname(default_storage.path(name)), exist_ok=True)
    os.symlink(outside_file, default_storage.path(name))
    yield name
    os.unlink(default_storage.path(name))


def hostile_names(outside_file, stored_link) -> list[str]:
    return [
        f"file://{outside_file}",
        str(outside_file),
        "media/../../../etc/passwd",
        "../secret.png",
        "./x/../../secret.png",
        "https://example.org/photo.png",
        "C:\\Windows\\win.ini",
        stored_link,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), file_places(), ids=lambda v: getattr(v, "__name__", v))
def test_fields_that_name_files_refuse_paths_the_platform_did_not_store(model, name, outside_file, stored_link):
    """Model validation (what the admin, the API and the services run) refuses every name the platform did not
    store, and accepts one it did."""
    others = [field.name for field in model._meta.concrete_fields if field.name != name]
    row = model()
    accepted = []
    for hostile in hostile_names(outside_file, stored_link):
        setattr(row, name, hostile)
        try:
            row.clean_fields(exclude=others)
        except ValidationError as error:
            if name in error.message_dict:
                continue
        accepted.append(hostile)
    assert not accepted, f"{model._meta.label}.{name} accepts {accepted}"
    good = default_storage.save(f"tests/{uuid.uuid4().hex}.png", ContentFile(b"\x89PNG"))
    try:
        setattr(row, name, good)
        row.clean_fields(exclude=others)
    finally:
        default_storage.delete(good)


def test_every_file_field_is_covered():
    labels = {f"{model._meta.label}.{name}" for model, name in file_places()}
    assert {"storyteller.LifeEventMedia.file_url", "catalog.Sample.audio_file", "audio_vcs.Blob.file"} <= labels


@pytest.mark.django_db
def test_the_api_stores_an_upload_and_the_field_names_it(tmp_path, settings):
    """A stored-file field is written by uploading the file (``<field>_upload``, multipart): the server stores it
    through the storage API and the field holds the stored name; a path the platform did not store is a 400."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from storyteller.models import LifeEventMedia
    from tests.storyteller.factories import LifeEventFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    event = LifeEventFactory()
    client = APIClient()
    client.force_authenticate(event.storyteller.user)
    url = reverse("storyteller-api:lifeeventmedia-list")
    upload = SimpleUploadedFile("../../kitchen photo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = client.post(url, {"life_event": str(event.pk), "file_url_upload": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    media = LifeEventMedia.objects.get(pk=response.json()["id"])
    assert media.file_url.startswith("storyteller/lifeeventmedia/") and media.file_url.endswith("kitchen_photo.png")
    assert default_storage.open(media.file_url).read() == b"\x89PNG\r\n\x1a\n"
    response = client.post(url, {"life_event": str(event.pk), "file_url": "file:///etc/passwd"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file_url"
    response = client.post(url, {"life_event": str(event.pk)}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file_url"
