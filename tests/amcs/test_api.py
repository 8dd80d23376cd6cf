"""The AMCS endpoints: CRUD per resource (core.testing.CrudAPITests), tenancy for every endpoint and verb,
the SDS export/validate/import endpoints and run events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Source, Style, WorkflowEvent, WorkflowRun
from core.choices import MembershipRole
from core.testing import CrudAPITests
from tests.amcs.factories import (
    BlueprintFactory,
    LyricsFactory,
    PersonaFactory,
    ProducerNotesFactory,
    SongFactory,
    SourceFactory,
    StyleFactory,
    WorkflowEventFactory,
    WorkflowRunFactory,
)
from tests.core.factories import MembershipFactory, TenantFactory, UserFactory


class AmcsCrud(CrudAPITests):
    def grant_read(self, client, obj):
        MembershipFactory(user=client.handler._force_user, tenant=obj.tenant, role=MembershipRole.VIEWER)


class TestBlueprintAPI(AmcsCrud):
    model = Blueprint
    factory = BlueprintFactory
    url_base = "amcs-api:blueprint"
    brief_fields = ["genre", "version", "owner"]

    def create_data(self):
        return {
            "tenant": str(TenantFactory().pk),
            "genre": "Jazz",
            "version": "2025.11",
            "tempo_bpm_min": 80,
            "tempo_bpm_max": 140,
            "required_sections": ["Verse", "Chorus"],
        }

    def update_data(self):
        return {"version": "2026.1"}


class TestPersonaAPI(AmcsCrud):
    model = Persona
    factory = PersonaFactory
    url_base = "amcs-api:persona"
    brief_fields = ["name", "kind"]

    def create_data(self):
        return {"tenant": str(TenantFactory().pk), "name": "Nova", "kind": "band", "influences": ["city pop"]}

    def update_data(self):
        return {"name": "Nova Two"}


class TestSourceAPI(AmcsCrud):
    model = Source
    factory = SourceFactory
    url_base = "amcs-api:source"
    brief_fields = ["name", "weight"]

    def create_data(self):
        return {"tenant": str(TenantFactory().pk), "name": "Archive", "kind": "web", "mcp_server_id": "web-1"}

    def update_data(self):
        return {"weight": 0.8}


class TestStyleAPI(AmcsCrud):
    model = Style
    factory = StyleFactory
    url_base = "amcs-api:style"
    brief_fields = ["blueprint", "owner"]

    def create_data(self):
        blueprint = BlueprintFactory()
        return {
            "tenant": str(blueprint.tenant_id),
            "blueprint_id": str(blueprint.pk),
            "name": "Bright",
            "genre": "Pop",
            "bpm_min": 100,
            "bpm_max": 120,
            "key": "A minor",
            "mood": ["bright"],
            "tags_positive": ["Era:2010s"],
        }

    def update_data(self):
        return {"bpm_max": 130}


class TestSongAPI(AmcsCrud):
    model = Song
    factory = SongFactory
    url_base = "amcs-api:song"
    brief_fields = ["blueprint", "style", "persona", "sources"]

    def create_data(self):
        style = StyleFactory()
        source = SourceFactory(tenant=style.tenant, owner=style.owner)
        return {
            "tenant": str(style.tenant_id),
            "title": "New Song",
            "blueprint_id": str(style.blueprint_id),
            "style_id": str(style.pk),
            "sources": [str(source.pk)],
            "global_seed": 7,
        }

    def update_data(self):
        return {"title": "Renamed"}  # the status is the workflow's (read-only)


class TestLyricsAPI(AmcsCrud):
    model = Lyrics
    factory = LyricsFactory
    url_base = "amcs-api:lyrics"
    brief_fields = ["song"]

    def create_data(self):
        song = SongFactory(parts=False)
        return {"tenant": str(song.tenant_id), "song_id": str(song.pk), "section_order": ["Verse", "Chorus"]}

    def update_data(self):
        return {"syllables_per_line": 10}


class TestProducerNotesAPI(AmcsCrud):
    model = ProducerNotes
    factory = ProducerNotesFactory
    url_base = "amcs-api:producernotes"
    brief_fields = ["song"]

    def create_data(self):
        song = SongFactory(parts=False)
        return {"tenant": str(song.tenant_id), "song_id": str(song.pk), "structure_string": "Verse–Chorus"}

    def update_data(self):
        return {"hook_count": 3}


class TestWorkflowRunAPI(AmcsCrud):
    model = WorkflowRun
    factory = WorkflowRunFactory
    url_base = "amcs-api:workflowrun"
    brief_fields = ["song", "seed"]

    def create_data(self):
        song = SongFactory(parts=False)
        return {"tenant": str(song.tenant_id), "song_id": str(song.pk)}

    def update_data(self):
        return {"status": "completed"}

    # runs are read-only: they start from a song (tests/amcs/workflow/test_runs.py) and the server computes them

    def test_create_makes_object(self, admin_api_client):
        assert admin_api_client.post(self.list_url(), self.create_data(), format="json").status_code == 405

    def test_create_with_empty_body_is_400_naming_fields(self, admin_api_client):
        assert admin_api_client.post(self.list_url(), {}, format="json").status_code == 405

    def test_update_changes_object(self, admin_api_client):
        obj = self.make()
        assert admin_api_client.patch(self.detail_url(obj), self.update_data(), format="json").status_code == 405
        assert admin_api_client.put(self.detail_url(obj), self.update_data(), format="json").status_code == 405
        obj.refresh_from_db()
        assert obj.status == "running"

    def test_write_without_permission_is_403(self, user_client):
        obj = self.make()
        self.grant_read(user_client, obj)
        assert user_client.delete(self.detail_url(obj)).status_code == 403
        assert self.model._default_manager.filter(pk=obj.pk).exists()


# Tenancy: every endpoint and verb, as a member and a viewer of tenant A, against rows of tenant B.


def part_payload(factory_for_song):
    def payload(tenant, owner):
        song = SongFactory(tenant=tenant, owner=owner, parts=False)
        return factory_for_song(song)

    return payload


ENDPOINTS = {
    "blueprint": (
        BlueprintFactory,
        lambda t, o: {
            "genre": "Folk",
            "version": "2025.11",
            "tempo_bpm_min": 80,
            "tempo_bpm_max": 120,
            "required_sections": ["Verse"],
        },
        {"version": "2026.2"},
    ),
    "persona": (PersonaFactory, lambda t, o: {"name": "Echo", "kind": "artist"}, {"bio": "changed"}),
    "source": (
        SourceFactory,
        lambda t, o: {"name": "Wiki", "kind": "web", "mcp_server_id": "w"},
        {"weight": 0.9},
    ),
    "style": (
        StyleFactory,
        lambda t, o: {"name": "S", "genre": "Pop", "bpm_min": 90, "bpm_max": 100, "key": "C major", "mood": ["x"]},
        {"bpm_max": 110},
    ),
    "song": (
        SongFactory,
        lambda t, o: (lambda style: {"title": "T", "style_id": str(style.pk), "blueprint_id": str(style.blueprint_id)})(
            StyleFactory(tenant=t, owner=o)
        ),
        {"title": "Renamed"},
    ),
    "lyrics": (
        LyricsFactory,
        part_payload(lambda song: {"song_id": str(song.pk), "section_order": ["Verse", "Chorus"]}),
        {"meter": "3/4"},
    ),
    "producernotes": (
        ProducerNotesFactory,
        part_payload(lambda song: {"song_id": str(song.pk), "structure_string": "Verse–Chorus"}),
        {"hook_count": 4},
    ),
}


@pytest.fixture
def theirs(other_tenant):
    return UserFactory()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINTS)
class TestTenancy:
    def urls(self, name, obj=None):
        if obj is None:
            return reverse(f"amcs-api:{name}-list")
        return reverse(f"amcs-api:{name}-detail", args=[obj.pk])

    def test_member_sees_and_changes_only_own_tenant(self, name, member_client, member, tenant, other_tenant, theirs):
        factory, payload, update = ENDPOINTS[name]
        mine = factory(tenant=tenant, owner=member)
        foreign = factory(tenant=other_tenant, owner=theirs)
        ids = {row["id"] for row in member_client.get(self.urls(name), {"page_size": 500}).data["results"]}
        assert str(mine.pk) in ids and str(foreign.pk) not in ids
        assert member_client.get(self.urls(name, foreign)).status_code == 404
        assert member_client.patch(self.urls(name, foreign), update, format="json").status_code == 404
        assert member_client.put(self.urls(name, foreign), update, format="json").status_code == 404
        assert member_client.delete(self.urls(name, foreign)).status_code == 404
        assert type(foreign).objects.filter(pk=foreign.pk).exists()
        assert member_client.get(self.urls(name, mine)).status_code == 200
        response = member_client.patch(self.urls(name, mine), update, format="json")
        assert response.status_code == 200, response.data
        created = member_client.post(
            self.urls(name), {"tenant": str(tenant.pk), **payload(tenant, member)}, format="json"
        )
        assert created.status_code == 201, created.data
        assert created.data["owner"]["id"] == str(member.pk)
        assert member_client.delete(self.urls(name, mine)).status_code == 204

    def test_member_cannot_create_in_another_tenant(self, name, member_client, other_tenant, theirs):
        factory, payload, _ = ENDPOINTS[name]
        response = member_client.post(
            self.urls(name), {"tenant": str(other_tenant.pk), **payload(other_tenant, theirs)}, format="json"
        )
        assert response.status_code == 400
        assert "tenant" in {error["field"] for error in response.data["errors"]}

    def test_viewer_reads_but_never_writes(self, name, viewer_client, tenant, member):
        factory, payload, update = ENDPOINTS[name]
        obj = factory(tenant=tenant, owner=member)
        assert viewer_client.get(self.urls(name, obj)).status_code == 200
        assert str(obj.pk) in {row["id"] for row in viewer_client.get(self.urls(name)).data["results"]}
        assert viewer_client.patch(self.urls(name, obj), update, format="json").status_code == 403
        assert viewer_client.put(self.urls(name, obj), update, format="json").status_code == 403
        assert viewer_client.delete(self.urls(name, obj)).status_code == 403
        response = viewer_client.post(
            self.urls(name), {"tenant": str(tenant.pk), **payload(tenant, member)}, format="json"
        )
        assert response.status_code == 400
        assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
class TestCrossTenantReferences:
    def test_song_may_not_use_another_tenants_style_or_sources(self, member_client, tenant, member, other_tenant):
        foreign_style = StyleFactory(tenant=other_tenant)
        foreign_source = SourceFactory(tenant=other_tenant)
        response = member_client.post(
            "/api/amcs/songs/",
            {
                "tenant": str(tenant.pk),
                "title": "Stolen",
                "style_id": str(foreign_style.pk),
                "blueprint_id": str(foreign_style.blueprint_id),
                "sources": [str(foreign_source.pk)],
            },
            format="json",
        )
        assert response.status_code == 400
        assert {"style_id", "blueprint_id", "sources"} <= {error["field"] for error in response.data["errors"]}

    def test_sources_of_a_tenant_the_user_also_belongs_to_are_refused_for_another_tenants_song(
        self, member_client, tenant, member, other_tenant
    ):
        MembershipFactory(user=member, tenant=other_tenant, role=MembershipRole.MEMBER)
        song = SongFactory(tenant=tenant, owner=member)
        other_source = SourceFactory(tenant=other_tenant)
        response = member_client.patch(
            f"/api/amcs/songs/{song.pk}/", {"sources": [str(other_source.pk)]}, format="json"
        )
        assert response.status_code == 400
        assert "another tenant" in response.data["message"]

    def test_lyrics_for_a_song_of_another_tenant_the_user_writes_to(self, member_client, tenant, member, other_tenant):
        MembershipFactory(user=member, tenant=other_tenant, role=MembershipRole.MEMBER)
        song = SongFactory(tenant=other_tenant, parts=False)
        response = member_client.post(
            "/api/amcs/lyrics/",
            {"tenant": str(tenant.pk), "song_id": str(song.pk), "section_order": ["Verse", "Chorus"]},
            format="json",
        )
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "song"


@pytest.mark.django_db
class TestRules:
    def test_style_rule_error_is_400_naming_field_and_tags(self, member_client, tenant, member):
        blueprint = BlueprintFactory(tenant=tenant, owner=member, tempo_bpm_min=90, tempo_bpm_max=120)
        response = member_client.post(
            "/api/amcs/styles/",
            {
                "tenant": str(tenant.pk),
                "blueprint_id": str(blueprint.pk),
                "name": "Clash",
                "genre": "Pop",
                "bpm_min": 100,
                "bpm_max": 150,
                "key": "C major",
                "mood": ["x"],
                "tags_positive": ["Era:1970s", "Era:2020s", "warm"],
                "tags_negative": ["warm"],
            },
            format="json",
        )
        assert response.status_code == 400
        errors = {error["field"]: error["message"] for error in response.data["errors"]}
        assert "100-150" in errors["bpm_min"]
        assert "Era:1970s" in errors["tags_positive"]
        assert "warm" in errors["tags_negative"]

    def test_bad_json_field_is_400_not_500(self, member_client, tenant, member):
        song = SongFactory(tenant=tenant, owner=member, parts=False)
        response = member_client.post(
            "/api/amcs/producer-notes/",
            {"tenant": str(tenant.pk), "song_id": str(song.pk), "structure_string": "Verse", "section_tags": [1]},
            format="json",
        )
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "section_tags"

    def test_deleting_a_song_deletes_its_lyrics_notes_and_runs(self, member_client, tenant, member):
        song = SongFactory(tenant=tenant, owner=member)
        WorkflowRunFactory(song=song, tenant=tenant, owner=member)
        assert member_client.delete(f"/api/amcs/songs/{song.pk}/").status_code == 204
        for model in (Lyrics, ProducerNotes, WorkflowRun):
            assert not model.objects.filter(song_id=song.pk).exists()
            assert model.all_objects.filter(song_id=song.pk).exists()


@pytest.mark.django_db
class TestFiltersThroughTheAPI:
    def test_active_runs_and_song_filter(self, member_client, tenant, member):
        running = WorkflowRunFactory(tenant=tenant, owner=member)
        done = WorkflowRunFactory(tenant=tenant, owner=member)
        WorkflowRun.objects.filter(pk=done.pk).update(status="completed")
        rows = member_client.get("/api/amcs/runs/", {"active": "true"}).data["results"]
        assert [row["id"] for row in rows] == [str(running.pk)]
        rows = member_client.get("/api/amcs/runs/", {"song_id": str(done.song_id)}).data["results"]
        assert [row["id"] for row in rows] == [str(done.pk)]

    def test_bad_filter_value_is_400(self, member_client):
        assert member_client.get("/api/amcs/songs/", {"song_id": "x", "bpm": "fast"}).status_code == 400


@pytest.mark.django_db
class TestEvents:
    def url(self, run):
        return reverse("amcs-api:workflowrun-events", args=[run.pk])

    def test_events_page_by_cursor_in_sequence_order_without_counting(
        self, member_client, tenant, member, django_assert_max_num_queries
    ):
        run = WorkflowRunFactory(tenant=tenant, owner=member)
        events = [WorkflowEventFactory(run=run, tenant=tenant, owner=member, sequence=n) for n in (3, 1, 7, 2, 5)]
        WorkflowEventFactory(tenant=tenant, owner=member)  # another run's event stays out
        seen, pages = [], 0
        response = member_client.get(self.url(run), {"page_size": 2})
        while True:
            assert response.status_code == 200, response.data
            assert "count" not in response.data and len(response.data["results"]) <= 2
            seen.extend(event["sequence"] for event in response.data["results"])
            pages += 1
            if not response.data["next"]:
                break
            with django_assert_max_num_queries(4):  # the run and the page (no count), and the request's savepoint
                response = member_client.get(response.data["next"])
        assert seen == sorted(event.sequence for event in events) and pages == 3

    def test_events_tenancy(self, member_client, viewer_client, tenant, member, other_tenant):
        foreign = WorkflowRunFactory(tenant=other_tenant)
        assert member_client.get(self.url(foreign)).status_code == 404
        mine = WorkflowRunFactory(tenant=tenant, owner=member)
        WorkflowEventFactory(run=mine, tenant=tenant, owner=member)
        assert viewer_client.get(self.url(mine)).status_code == 200
        assert viewer_client.post(self.url(mine), {"node": "PLAN", "phase": "start"}, format="json").status_code == 405
        assert WorkflowEvent.objects.filter(run=mine).count() == 1


@pytest.mark.django_db
class TestSds:
    def test_export_is_valid_and_costs_constant_queries(self, member_client, tenant, member):
        from amcs.validation import schema_errors

        small = SongFactory(tenant=tenant, owner=member)
        big = SongFactory(tenant=tenant, owner=member)
        for _ in range(5):
            big.sources.add(SourceFactory(tenant=tenant, owner=member))
        counts = []
        for song in (small, big):
            with CaptureQueriesContext(connection) as queries:
                response = member_client.get(f"/api/amcs/songs/{song.pk}/sds/")
            assert response.status_code == 200
            assert schema_errors("sds", response.json()) == []
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 6
        assert len(response.json()["sources"]) == 6

    def test_export_of_incomplete_song_is_400_naming_the_part(self, member_client, tenant, member):
        song = SongFactory(tenant=tenant, owner=member, parts=False)
        response = member_client.get(f"/api/amcs/songs/{song.pk}/sds/")
        assert response.status_code == 400
        assert {error["field"] for error in response.data["errors"]} == {"lyrics", "producer_notes"}

    def test_export_of_another_tenants_song_is_404(self, member_client, other_tenant):
        song = SongFactory(tenant=other_tenant)
        assert member_client.get(f"/api/amcs/songs/{song.pk}/sds/").status_code == 404

    def test_validate_returns_pointers(self, member_client, elf):
        assert member_client.post("/api/amcs/sds/validate/", elf, format="json").data == {
            "valid": False,
            "errors": [{"pointer": "/blueprint_ref", "message": "This tenant has no blueprint Christmas Pop 2025.11."}],
            "warnings": [],
        }
        elf["style"]["tempo_bpm"] = [116, 300]
        elf["lyrics"]["section_order"] = ["Verse"]
        response = member_client.post("/api/amcs/sds/validate/", elf, format="json")
        assert response.status_code == 200 and response.data["valid"] is False
        assert "/style/tempo_bpm/1" in {error["pointer"] for error in response.data["errors"]}

    def test_validate_is_clean_when_blueprint_exists(self, member_client, elf, christmas_blueprint):
        assert member_client.post("/api/amcs/sds/validate/", elf, format="json").data == {
            "valid": True,
            "errors": [],
            "warnings": [],
        }

    def test_validate_non_object_body(self, member_client):
        response = member_client.post("/api/amcs/sds/validate/", [1, 2], format="json")
        assert response.status_code == 200 and response.data["errors"][0]["pointer"] == "/"

    def test_import_round_trip(self, member_client, elf, christmas_blueprint, tenant):
        response = member_client.post(f"/api/amcs/sds/import/?tenant={tenant.pk}", elf, format="json")
        assert response.status_code == 201, response.data
        assert response.data["sds"] == elf
        song = Song.objects.get(pk=response.data["id"])
        assert song.tenant == tenant and song.lyrics.get().section_order[0] == "Intro"
        again = member_client.get(f"/api/amcs/songs/{song.pk}/sds/").json()
        assert again == elf

    def test_import_invalid_document_is_400_with_pointers_and_leaves_nothing(
        self, member_client, elf, christmas_blueprint
    ):
        elf["lyrics"]["hook_strategy"] = "lyrical"
        elf["lyrics"]["section_order"] = ["Verse", "Chorus", "Bridge"]
        before = (Song.all_objects.count(), Style.all_objects.count(), Source.all_objects.count())
        response = member_client.post("/api/amcs/sds/import/", elf, format="json")
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "/lyrics/hook_strategy"
        assert (Song.all_objects.count(), Style.all_objects.count(), Source.all_objects.count()) == before

    def test_import_tenancy(self, member_client, viewer_client, elf, tenant, other_tenant):
        assert (
            member_client.post(f"/api/amcs/sds/import/?tenant={other_tenant.pk}", elf, format="json").status_code == 404
        )
        assert member_client.post("/api/amcs/sds/import/?tenant=nope", elf, format="json").status_code == 404
        assert viewer_client.post(f"/api/amcs/sds/import/?tenant={tenant.pk}", elf, format="json").status_code == 403
        response = viewer_client.post("/api/amcs/sds/import/", elf, format="json")
        assert response.status_code == 400 and response.data["errors"][0]["field"] == "tenant"
        assert (
            member_client.post(f"/api/amcs/sds/validate/?tenant={other_tenant.pk}", elf, format="json").status_code
            == 404
        )

    def test_sds_endpoints_need_authentication(self, elf):
        client = APIClient()
        assert client.post("/api/amcs/sds/validate/", elf, format="json").status_code == 401
        assert client.post("/api/amcs/sds/import/", elf, format="json").status_code == 401


MALFORMED = {
    "blueprint": [
        {"section_lines": "x"},
        {"conflicting_tags": [["a"]]},
        {"rubric_weights": {"hook_density": "high"}},
        {"tempo_bpm_min": 10**12},
        {"required_sections": "Verse"},
    ],
    "persona": [{"influences": [None]}, {"style_defaults": []}, {"kind": None}],
    "source": [{"weight": "heavy"}, {"config": "x"}, {"allow": ["a" * 500]}],
    "style": [{"bpm_min": None}, {"mood": "happy"}, {"tags_positive": [{"a": 1}]}, {"key": 5}],
    "song": [{"global_seed": 10**20}, {"sources": ["nope"]}, {"feature_flags": "x"}, {"style_id": None}],
    "lyrics": [
        {"sections": {"a": 1}},
        {"sections": [{"type": "Verse", "lines": "one line"}]},
        {"source_citations": [{"weight": 2}]},
        {"section_requirements": {"Chorus": {"min_lines": "x"}}},
        {"section_order": ["x" * 80]},
    ],
    "producernotes": [{"section_durations": {"Chorus": "long"}}, {"mix_targets": []}, {"hook_count": -1}],
}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "body"), [(name, body) for name, bodies in MALFORMED.items() for body in bodies])
def test_malformed_updates_are_400_naming_a_field(name, body, member_client, tenant, member):
    factory = ENDPOINTS[name][0]
    obj = factory(tenant=tenant, owner=member)
    response = member_client.patch(reverse(f"amcs-api:{name}-detail", args=[obj.pk]), body, format="json")
    assert response.status_code == 400, response.data
    assert response.data["errors"] and all(error["field"] for error in response.data["errors"])


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[], "text", {"title": None}, {"seed": "x"}, {"sources": [{"name": 1}]}])
def test_malformed_sds_bodies_are_400_or_invalid_never_500(body, member_client):
    assert member_client.post("/api/amcs/sds/validate/", body, format="json").status_code == 200
    assert member_client.post("/api/amcs/sds/import/", body, format="json").status_code == 400
