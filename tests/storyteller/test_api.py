"""The storyteller API: CRUD conventions on every endpoint (generated from the models), the privacy
matrix (owner, another user, superuser) on every private endpoint, nested life event writes, actions."""

import json
import uuid

import pytest
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from core.field_rules import STORED_FILES
from core.testing import CrudAPITests
from storyteller import models as m
from storyteller.api.serializers import SERIALIZERS
from tests.core.factories import UserFactory
from tests.storyteller import factories as f

ALL_MODELS = [*m.PROCESS_MODELS, *m.STORYTELLER_MODELS]


def factory_for(model):
    return getattr(f, f"{model.__name__}Factory")


def payload_for(model) -> dict:
    """A valid create payload: a factory row, serialized, then removed (its parents stay)."""
    factory = factory_for(model)
    unique_choice = getattr(factory._meta, "django_get_or_create", ())
    if unique_choice:
        (name,) = unique_choice
        taken = set(model._default_manager.values_list(name, flat=True))
        obj = factory(**{name: next(v for v in model._meta.get_field(name).choices if v[0] not in taken)[0]})
    else:
        obj = factory()
    data = json.loads(json.dumps(SERIALIZERS[model](obj).data, cls=JSONEncoder))
    if isinstance(obj, m.Storyteller):
        obj.hard_delete()
    else:
        model._base_manager.filter(pk=obj.pk).delete()
    read_only = set(getattr(SERIALIZERS[model].Meta, "read_only_fields", [])) | {"id", "created_at", "updated_at"}
    return {key: value for key, value in data.items() if key not in read_only}


def update_for(model) -> dict:
    for field in model._meta.concrete_fields:
        stored_file = (model, field.name) in STORED_FILES  # names a stored file: not free text
        if field.editable and not field.choices and not field.unique and field.blank and not stored_file:
            if isinstance(field, models.CharField | models.TextField) and not isinstance(field, ArrayField):
                return {field.name: "Updated"}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.BooleanField) and field.editable:
            return {field.name: not field.default if isinstance(field.default, bool) else True}
    return {}


class StorytellerCrud(CrudAPITests):
    def create_data(self):
        return payload_for(self.model)

    def update_data(self):
        return update_for(self.model)


class OwnerCreatesStoryteller:
    def test_create_with_empty_body_is_400_naming_fields(self, user_client):
        """Every storyteller column is optional in the schema: an empty body starts a nameless storyteller."""
        assert user_client.post(self.list_url(), {}, format="json").status_code == 201

    def test_write_without_permission_is_403(self, user_client):
        obj = self.make()
        assert user_client.patch(self.detail_url(obj), self.update_data(), format="json").status_code == 404
        assert user_client.delete(self.detail_url(obj)).status_code == 404
        response = user_client.post(self.list_url(), self.create_data(), format="json")
        assert response.status_code == 201
        assert m.Storyteller.objects.get(pk=response.data["id"]).user == user_client.handler._force_user


class AppendOnly:
    """Events are written by the services and the database only: no client adds, changes or removes one."""

    test_create_makes_object = None
    test_create_with_empty_body_is_400_naming_fields = None
    test_update_changes_object = None
    test_delete_removes_object = None

    def test_write_without_permission_is_403(self, user_client):
        obj = self.make()
        assert user_client.post(self.list_url(), self.create_data(), format="json").status_code == 405
        assert user_client.get(self.detail_url(obj)).status_code == 404

    def test_events_are_never_changed_or_removed(self, admin_api_client):
        obj = self.make()
        assert admin_api_client.patch(self.detail_url(obj), {"subject": "x"}, format="json").status_code == 405
        assert admin_api_client.delete(self.detail_url(obj)).status_code == 405


class ReadOnlyHere:
    """Exports are made under /stories/{id}/exports/; the table endpoints only read them."""

    test_create_makes_object = None
    test_create_with_empty_body_is_400_naming_fields = None
    test_update_changes_object = None
    test_delete_removes_object = None

    def test_write_without_permission_is_403(self, admin_api_client):
        obj = self.make()
        assert admin_api_client.post(self.list_url(), {}, format="json").status_code == 405
        assert admin_api_client.patch(self.detail_url(obj), {}, format="json").status_code == 405


def _make_test_class(model):
    mixins = {m.Storyteller: (OwnerCreatesStoryteller,), m.Event: (AppendOnly,)}.get(model, ())
    if model in (m.BookExport, m.BookExportDelivery):
        mixins = (ReadOnlyHere,)
    return type(
        f"Test{model.__name__}API",
        (*mixins, StorytellerCrud),
        {"model": model, "factory": factory_for(model), "url_base": f"storyteller-api:{model._meta.model_name}"},
    )


for _model in ALL_MODELS:
    globals()[f"Test{_model.__name__}API"] = _make_test_class(_model)


#: the routes the generated classes above exercise, named so that tests/core/test_routes.py sees them
GENERATED_ROUTES = [
    "storyteller-api:processversion-list",
    "storyteller-api:processversion-detail",
    "storyteller-api:processcommitment-list",
    "storyteller-api:processcommitment-detail",
    "storyteller-api:processnodetype-list",
    "storyteller-api:processnodetype-detail",
    "storyteller-api:processnode-list",
    "storyteller-api:processnode-detail",
    "storyteller-api:processflowedge-list",
    "storyteller-api:processflowedge-detail",
    "storyteller-api:processprompt-list",
    "storyteller-api:processprompt-detail",
    "storyteller-api:promptpacktemplate-list",
    "storyteller-api:promptpacktemplate-detail",
    "storyteller-api:promptpackprompt-list",
    "storyteller-api:promptpackprompt-detail",
    "storyteller-api:processsection-list",
    "storyteller-api:processsection-detail",
    "storyteller-api:sectionprompt-list",
    "storyteller-api:sectionprompt-detail",
    "storyteller-api:sessiontemplate-list",
    "storyteller-api:sessiontemplate-detail",
    "storyteller-api:scopetype-list",
    "storyteller-api:scopetype-detail",
    "storyteller-api:agent-list",
    "storyteller-api:agent-detail",
    "storyteller-api:storyteller-list",
    "storyteller-api:storyteller-detail",
    "storyteller-api:storytellerboundary-list",
    "storyteller-api:storytellerboundary-detail",
    "storyteller-api:storytellerpreference-list",
    "storyteller-api:storytellerpreference-detail",
    "storyteller-api:lifeevent-list",
    "storyteller-api:lifeevent-detail",
    "storyteller-api:lifeeventtimespan-list",
    "storyteller-api:lifeeventtimespan-detail",
    "storyteller-api:lifeeventlocation-list",
    "storyteller-api:lifeeventlocation-detail",
    "storyteller-api:lifeeventparticipant-list",
    "storyteller-api:lifeeventparticipant-detail",
    "storyteller-api:lifeeventdetail-list",
    "storyteller-api:lifeeventdetail-detail",
    "storyteller-api:lifeeventtrauma-list",
    "storyteller-api:lifeeventtrauma-detail",
    "storyteller-api:lifeeventboundary-list",
    "storyteller-api:lifeeventboundary-detail",
    "storyteller-api:lifeeventmedia-list",
    "storyteller-api:lifeeventmedia-detail",
    "storyteller-api:lifeeventpreference-list",
    "storyteller-api:lifeeventpreference-detail",
    "storyteller-api:storytellersession-list",
    "storyteller-api:storytellersession-detail",
    "storyteller-api:sessionscope-list",
    "storyteller-api:sessionscope-detail",
    "storyteller-api:sessionprofile-list",
    "storyteller-api:sessionprofile-detail",
    "storyteller-api:sessionprogress-list",
    "storyteller-api:sessionprogress-detail",
    "storyteller-api:sessionsectionstatus-list",
    "storyteller-api:sessionsectionstatus-detail",
    "storyteller-api:sessionsynthesis-list",
    "storyteller-api:sessionsynthesis-detail",
    "storyteller-api:sessionarchetype-list",
    "storyteller-api:sessionarchetype-detail",
    "storyteller-api:sessionlifeevent-list",
    "storyteller-api:sessionlifeevent-detail",
    "storyteller-api:sessioninteraction-list",
    "storyteller-api:sessioninteraction-detail",
    "storyteller-api:sessionartifact-list",
    "storyteller-api:sessionartifact-detail",
    "storyteller-api:sessionnote-list",
    "storyteller-api:sessionnote-detail",
    "storyteller-api:collection-list",
    "storyteller-api:collection-detail",
    "storyteller-api:collectionlifeevent-list",
    "storyteller-api:collectionlifeevent-detail",
    "storyteller-api:collectiongrouping-list",
    "storyteller-api:collectiongrouping-detail",
    "storyteller-api:collectiongroupingmember-list",
    "storyteller-api:collectiongroupingmember-detail",
    "storyteller-api:collectionrelationship-list",
    "storyteller-api:collectionrelationship-detail",
    "storyteller-api:collectiontag-list",
    "storyteller-api:collectiontag-detail",
    "storyteller-api:collectionsynthesis-list",
    "storyteller-api:collectionsynthesis-detail",
    "storyteller-api:story-list",
    "storyteller-api:story-detail",
    "storyteller-api:storychapter-list",
    "storyteller-api:storychapter-detail",
    "storyteller-api:chaptersection-list",
    "storyteller-api:chaptersection-detail",
    "storyteller-api:storycollection-list",
    "storyteller-api:storycollection-detail",
    "storyteller-api:storycharacter-list",
    "storyteller-api:storycharacter-detail",
    "storyteller-api:characterrelationship-list",
    "storyteller-api:characterrelationship-detail",
    "storyteller-api:characterappearance-list",
    "storyteller-api:characterappearance-detail",
    "storyteller-api:storytheme-list",
    "storyteller-api:storytheme-detail",
    "storyteller-api:chaptertheme-list",
    "storyteller-api:chaptertheme-detail",
    "storyteller-api:storyscene-list",
    "storyteller-api:storyscene-detail",
    "storyteller-api:storydraft-list",
    "storyteller-api:storydraft-detail",
    "storyteller-api:storytellerprogress-list",
    "storyteller-api:storytellerprogress-detail",
    "storyteller-api:storytellersectionselection-list",
    "storyteller-api:storytellersectionselection-detail",
    "storyteller-api:storytellersectionstatus-list",
    "storyteller-api:storytellersectionstatus-detail",
    "storyteller-api:archetypeanalysis-list",
    "storyteller-api:archetypeanalysis-detail",
    "storyteller-api:userfeedback-list",
    "storyteller-api:userfeedback-detail",
    "storyteller-api:agentinstance-list",
    "storyteller-api:agentinstance-detail",
    "storyteller-api:requirement-list",
    "storyteller-api:requirement-detail",
    "storyteller-api:editrequirement-list",
    "storyteller-api:editrequirement-detail",
    "storyteller-api:bookexport-list",
    "storyteller-api:bookexport-detail",
    "storyteller-api:bookexportdelivery-list",
    "storyteller-api:bookexportdelivery-detail",
    "storyteller-api:event-list",
    "storyteller-api:event-detail",
]


def test_generated_classes_cover_every_named_route():
    covered = {
        f"storyteller-api:{model._meta.model_name}-{kind}" for model in ALL_MODELS for kind in ("list", "detail")
    }
    assert set(GENERATED_ROUTES) == covered
    assert all(f"Test{model.__name__}API" in globals() for model in ALL_MODELS)


# privacy ----------------------------------------------------------------------------------------


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def owner_of(obj):
    from storyteller.services import storyteller_of

    return storyteller_of(obj).user


@pytest.mark.django_db
@pytest.mark.parametrize("model", m.STORYTELLER_MODELS, ids=lambda model: model.__name__)
def test_storyteller_data_is_seen_by_its_owner_and_superusers_only(model):
    # an archetype analysis is shown to its owner once revealed (tests/storyteller/test_machines.py)
    obj = factory_for(model)(**({"revealed_to_user": True} if model is m.ArchetypeAnalysis else {}))
    base = f"storyteller-api:{model._meta.model_name}"
    detail, listing = reverse(f"{base}-detail", args=[obj.pk]), reverse(f"{base}-list")
    owner, stranger = owner_of(obj), UserFactory()
    staff = UserFactory(staff=True)
    superuser = UserFactory(superuser=True)
    for user, sees in ((owner, True), (stranger, False), (staff, False), (superuser, True)):
        client = client_for(user)
        ids = {row["id"] for row in client.get(listing, {"page_size": 100}).json()["results"]}
        assert (str(obj.pk) in ids) is sees, user
        assert client.get(detail).status_code == (200 if sees else 404), user
    stranger_client = client_for(stranger)
    if model not in (m.Event, m.BookExport, m.BookExportDelivery):
        assert stranger_client.patch(detail, update_for(model), format="json").status_code == 404
        assert stranger_client.delete(detail).status_code == 404
    assert model._base_manager.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [m.LifeEvent, m.Story, m.LifeEventTrauma, m.StorytellerBoundary], ids=lambda model: model.__name__
)
def test_staff_with_every_permission_see_no_storyteller_data_but_their_own(model):
    """Core's one staff rule: only superusers bypass the owner's scope; permissions never widen it."""
    from django.contrib.auth.models import Permission

    obj = factory_for(model)()
    staff = UserFactory(staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="storyteller"))
    client = client_for(staff)
    detail = reverse(f"storyteller-api:{model._meta.model_name}-detail", args=[obj.pk])
    assert client.get(detail).status_code == 404
    assert client.patch(detail, update_for(model), format="json").status_code == 404
    assert client_for(UserFactory(superuser=True)).get(detail).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", m.PROCESS_MODELS, ids=lambda model: model.__name__)
def test_process_definitions_are_read_by_any_signed_in_user_and_written_by_staff(model, user_client):
    obj = factory_for(model)()
    base = f"storyteller-api:{model._meta.model_name}"
    assert user_client.get(reverse(f"{base}-detail", args=[obj.pk])).status_code == 200
    assert user_client.patch(reverse(f"{base}-detail", args=[obj.pk]), {}, format="json").status_code == 403
    assert APIClient().get(reverse(f"{base}-list")).status_code in (401, 403)


@pytest.mark.django_db
def test_a_user_cannot_hang_a_row_under_another_users_storyteller(user_client):
    other = f.StorytellerFactory()
    response = user_client.post(
        reverse("storyteller-api:lifeevent-list"), {"storyteller": str(other.pk), "event_name": "Mine now"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "storyteller"


# nested writes and actions ------------------------------------------------------------------------


@pytest.mark.django_db
def test_life_event_is_written_with_its_timespans_and_locations_in_one_request(user, user_client):
    storyteller = f.StorytellerFactory(user=user)
    response = user_client.post(
        reverse("storyteller-api:lifeevent-list"),
        {
            "storyteller": str(storyteller.pk),
            "event_name": "My time in the Navy",
            "event_type": "military_service",
            "timespans": [{"timespan_type": "primary", "start_year": 1968, "end_year": 1972}],
            "locations": [{"location_name": "Vietnam", "location_type": "country"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    life_event = m.LifeEvent.objects.get(pk=response.json()["id"])
    assert [t.start_year for t in life_event.timespans.all()] == [1968]
    assert response.json()["locations"][0]["location_name"] == "Vietnam"
    response = user_client.patch(
        reverse("storyteller-api:lifeevent-detail", args=[life_event.pk]),
        {"timespans": [{"start_year": 1970}, {"start_year": 1971}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert sorted(t.start_year for t in life_event.timespans.all()) == [1970, 1971]
    assert life_event.locations.count() == 1
    assert m.Event.objects.filter(storyteller=storyteller, event_type="life_event_added").count() == 1


@pytest.mark.django_db
def test_life_event_filters_by_storyteller_tags_and_dates(user, user_client):
    storyteller = f.StorytellerFactory(user=user)
    event = f.LifeEventFactory(storyteller=storyteller, event_type="loss")
    f.LifeEventFactory(storyteller=storyteller, event_type="education")
    media = f.LifeEventMediaFactory(life_event=event, tags=["war", "letters"])
    f.LifeEventMediaFactory(life_event=event, tags=["war"])
    url = reverse("storyteller-api:lifeevent-list")
    assert user_client.get(url, {"event_type": "loss"}).json()["results"][0]["id"] == str(event.pk)
    assert len(user_client.get(url, {"storyteller_id": str(storyteller.pk)}).json()["results"]) == 2
    assert user_client.get(url, {"storyteller_id": str(uuid.uuid4())}).json()["results"] == []
    malformed = user_client.get(url, {"storyteller_id": "not-a-uuid"})
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["field"] == "storyteller_id"
    media_url = reverse("storyteller-api:lifeeventmedia-list")
    rows = user_client.get(media_url, {"tags": "war,letters"}).json()["results"]
    assert [row["id"] for row in rows] == [str(media.pk)]
    assert len(user_client.get(media_url, {"storyteller_id": str(storyteller.pk)}).json()["results"]) == 2
    assert user_client.get(url, {"created_at__gte": "2999-01-01T00:00:00Z"}).json()["results"] == []


@pytest.mark.django_db
def test_process_version_activate_leaves_one_active(admin_api_client):
    first, second = f.ProcessVersionFactory(), f.ProcessVersionFactory()
    for version in (first, second):
        response = admin_api_client.post(reverse("storyteller-api:processversion-activate", args=[version.pk]))
        assert response.status_code == 200
    assert list(m.ProcessVersion.objects.filter(is_active=True)) == [second]
