"""Every AMCS entity as a document in the reference's shape: in, out, and in again, field by field.

The documents are made here from the schemas' own field lists (``example``): every property the
schema names gets a value (booleans the opposite of their default, so a dropped or inverted flag
shows), with a few values set by hand where a rule or a pattern asks for something particular.
"""

import copy

import pytest
from django.urls import reverse

from amcs import documents, rules
from amcs.models import Blueprint, Persona, Source, Style
from amcs.validation import registry, schemas
from tests.amcs.factories import (
    BlueprintFactory,
    LyricsFactory,
    PersonaFactory,
    ProducerNotesFactory,
    SongFactory,
    SourceFactory,
    StyleFactory,
)

#: Values a rule or a pattern decides, by kind and pointer; everything else comes from the schema.
SET_BY_HAND = {
    "blueprint": {
        "/version": "2025.11",
        "/rules/tempo_bpm": [90, 130],
        "/rules/required_sections": ["Verse", "Chorus"],
        "/rules/conflicting_tags": [["Era:1970s", "Era:2020s"]],
        "/rules/length_minutes": [2.5, 4],
        "/rules/time_signature": "3/4",
        "/rules/key_signatures": ["C major", "A minor"],
        # the reference's open set of metrics: a sixth one beyond the five defaults
        "/eval_rubric/weights": {
            "hook_density": 0.2,
            "singability": 0.2,
            "rhyme_tightness": 0.1,
            "section_completeness": 0.2,
            "profanity_score": 0.1,
            "originality": 0.2,
        },
        "/eval_rubric/thresholds": {"min_total": 0.8, "max_profanity": 0.05},
        "/tag_categories": {"era": ["Era:1970s", "Era:2020s"], "mix": ["Mix:lush"]},
    },
    "style": {
        "/tempo_bpm": [92, 118],
        "/key/primary": "F# minor",
        "/key/modulations": ["A major"],
        "/time_signature": "6/8",
        "/energy": "medium",
        "/tags": ["Era:1970s", "Mix:lush"],
    },
    "lyrics": {
        "/language": "de",
        "/section_order": ["Verse", "Chorus", "Chorus"],
        "/hook_strategy": "chant",
        "/repetition_policy": "moderate",
        "/sections": [{"type": "Chorus", "lines": ["la la", "la la"], "rhyme_scheme": "AA"}],
    },
    "producer_notes": {"/structure": "Verse–Chorus–Chorus", "/hooks": 2},
}


def example(kind: str, schema: dict | None = None, pointer: str = ""):
    """A value for ``schema`` at ``pointer`` with every property its schema names."""
    if pointer in SET_BY_HAND.get(kind, {}):
        return copy.deepcopy(SET_BY_HAND[kind][pointer])
    schema = schemas()[kind] if schema is None else schema
    if "$ref" in schema:
        inner = registry().contents(schema["$ref"])
        sub_kind = {value["$id"]: name for name, value in schemas().items()}[schema["$ref"]]
        return example(sub_kind, inner, "")
    if "enum" in schema:
        return schema["enum"][-1]
    if "oneOf" in schema:
        return example(kind, schema["oneOf"][-1], pointer)
    kind_of = schema.get("type")
    name = pointer.rsplit("/", 1)[-1] or kind
    if kind_of == "object":
        properties = schema.get("properties", {})
        if properties:
            return {key: example(kind, sub, f"{pointer}/{key}") for key, sub in properties.items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return {"Chorus": example(kind, extra, f"{pointer}/Chorus")}
        return {"kept": name}
    if kind_of == "array":
        count = max(schema.get("minItems", 1), 1)
        return [example(kind, schema.get("items", {"type": "string"}), f"{pointer}/{i}") for i in range(count)]
    if kind_of == "string":
        return f"{kind}-{name}"[: schema.get("maxLength", 100)]
    if kind_of == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind_of == "number":
        return schema.get("maximum", 1) / 2 if "maximum" in schema else 1.5
    if kind_of == "boolean":
        return not schema.get("default", False)
    return f"{kind}-{name}"


def every_pointer(value, path="") -> set[str]:
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(f"{path}/{key}")
            found |= every_pointer(item, f"{path}/{key}")
    return found


KINDS = ["blueprint", "persona", "source", "style", "lyrics", "producer_notes"]
URLS = {
    "blueprint": "blueprints",
    "persona": "personas",
    "source": "sources",
    "style": "styles",
    "lyrics": "lyrics",
    "producer_notes": "producer-notes",
}


@pytest.mark.parametrize("kind", KINDS)
def test_examples_name_every_schema_field_and_are_valid(kind):
    document = example(kind)
    assert set(schemas()[kind]["properties"]) <= set(document)
    assert documents.check(kind, document).errors == []


@pytest.fixture
def song(tenant, member):
    """A song without lyrics or notes whose blueprint the lyrics example meets."""
    blueprint = BlueprintFactory(
        tenant=tenant, owner=member, required_sections=["Chorus"], section_lines={}, banned_terms=[]
    )
    style = StyleFactory(tenant=tenant, owner=member, blueprint=blueprint)
    return SongFactory(tenant=tenant, owner=member, style=style, parts=False, target_duration_sec=None)


@pytest.mark.django_db
class TestRoundTrip:
    @pytest.mark.parametrize("kind", KINDS)
    def test_document_imports_and_exports_field_by_field(self, kind, member_client, tenant, song):
        document = example(kind)
        query = f"?tenant={tenant.pk}&song={song.pk}" if kind in ("lyrics", "producer_notes") else ""
        response = member_client.post(f"/api/amcs/{URLS[kind]}/documents/import/{query}", document, format="json")
        assert response.status_code == 201, response.data
        exported = member_client.get(f"/api/amcs/{URLS[kind]}/{response.data['id']}/document/").json()
        for pointer in sorted(every_pointer(document)):
            assert pointer in every_pointer(exported), f"{kind}: {pointer} was dropped"
        assert exported == document
        assert response.data["document"] == document

    def test_persona_policy_flags_keep_their_meaning(self, member_client, tenant):
        document = {"name": "Public One", "kind": "band", "policy": {"public_release": True}}
        response = member_client.post("/api/amcs/personas/documents/import/", document, format="json")
        assert response.status_code == 201, response.data
        persona = Persona.objects.get(pk=response.data["id"])
        assert persona.is_public_release is True and persona.is_style_of_disallowed is True
        assert response.data["document"] == document

    def test_integer_tempo_stays_an_integer_and_empty_objects_stay(self, member_client, tenant):
        document = {**example("style"), "tempo_bpm": 120, "extra_metadata": {}}
        document["key"] = {"primary": "C major"}
        response = member_client.post("/api/amcs/styles/documents/import/", document, format="json")
        assert response.status_code == 201, response.data
        assert response.data["document"] == document and response.data["document"]["tempo_bpm"] == 120

    def test_export_import_export_is_identical_for_rows_made_here(self, member_client, tenant, member):
        for row, kind in [
            (BlueprintFactory(tenant=tenant, owner=member), "blueprint"),
            (PersonaFactory(tenant=tenant, owner=member), "persona"),
            (SourceFactory(tenant=tenant, owner=member), "source"),
        ]:
            first = row.to_document()
            row.delete()
            response = member_client.post(f"/api/amcs/{URLS[kind]}/documents/import/", first, format="json")
            assert response.status_code == 201, (kind, response.data)
            assert response.data["document"] == first

    def test_importing_the_same_document_twice_reuses_the_row(self, member_client, tenant):
        document = example("source")
        first = member_client.post("/api/amcs/sources/documents/import/", document, format="json")
        second = member_client.post("/api/amcs/sources/documents/import/", document, format="json")
        assert first.data["id"] == second.data["id"] and Source.objects.filter(tenant=tenant).count() == 1
        document["weight"] = 0.9
        third = member_client.post("/api/amcs/sources/documents/import/", document, format="json")
        assert third.status_code == 400
        assert third.json()["errors"][0]["field"] == "/name"


@pytest.mark.django_db
class TestNoSilentDrops:
    def test_unknown_document_field_is_refused_with_its_pointer(self, member_client, tenant):
        document = {**example("persona"), "favourite_colour": "teal"}
        document["policy"] = {**document["policy"], "stage_fright": True}
        response = member_client.post("/api/amcs/personas/documents/import/", document, format="json")
        assert response.status_code == 400
        fields = {error["field"]: error["message"] for error in response.json()["errors"]}
        assert set(fields) == {"/favourite_colour", "/policy/stage_fright"}
        assert "extra_metadata" in fields["/favourite_colour"]

    @pytest.mark.parametrize(
        ("url", "body", "field", "hint"),
        [
            (
                "personas",
                {"name": "P", "kind": "artist", "public_release": True},
                "public_release",
                "is_public_release",
            ),
            ("personas", {"name": "P", "kind": "artist", "policy": {"public_release": True}}, "policy", "documents"),
            ("sources", {"name": "S", "kind": "web", "mcp_server_id": "m", "provenance": False}, "provenance", ""),
        ],
    )
    def test_row_endpoints_refuse_fields_they_do_not_store(self, member_client, tenant, url, body, field, hint):
        response = member_client.post(f"/api/amcs/{url}/", {**body, "tenant": str(tenant.pk)}, format="json")
        assert response.status_code == 400
        errors = {error["field"]: error["message"] for error in response.json()["errors"]}
        assert field in errors and hint in errors[field]

    def test_persona_row_endpoint_stores_every_field(self, member_client, tenant):
        body = {
            "tenant": str(tenant.pk),
            "name": "Field By Field",
            "kind": "band",
            "bio": "b",
            "voice": "v",
            "vocal_range": "C3-C5",
            "delivery": ["crooning"],
            "influences": ["city pop"],
            "style_defaults": {},
            "lyrics_defaults": {},
            "is_public_release": True,
            "is_style_of_disallowed": False,
            "external_ref": "ref-7",
            "extra_metadata": {"label": "x"},
        }
        response = member_client.post("/api/amcs/personas/", body, format="json")
        assert response.status_code == 201, response.data
        persona = Persona.objects.get(pk=response.data["id"])
        for name, value in body.items():
            if name != "tenant":
                assert getattr(persona, name) == value, name
        assert persona.to_document()["policy"] == {"public_release": True, "disallow_named_style_of": False}

    def test_source_row_endpoint_stores_every_field(self, member_client, tenant):
        body = {
            "tenant": str(tenant.pk),
            "name": "Every Field",
            "kind": "api",
            "config": {"endpoint": "https://example.org"},
            "scopes": ["a"],
            "allow": ["x"],
            "deny": ["y"],
            "weight": 0.25,
            "has_provenance": False,
            "mcp_server_id": "srv",
            "is_active": False,
            "external_ref": "ref-8",
            "extra_metadata": {"k": 1},
        }
        response = member_client.post("/api/amcs/sources/", body, format="json")
        assert response.status_code == 201, response.data
        source = Source.objects.get(pk=response.data["id"])
        for name, value in body.items():
            if name != "tenant":
                assert getattr(source, name) == value, name
        assert source.to_document()["provenance"] is False


@pytest.mark.django_db
class TestOnePass:
    def test_schema_errors_and_rule_errors_and_warnings_come_together(self, member_client, tenant):
        document = example("blueprint")
        document["genre"] = ""  # schema
        document["eval_rubric"]["weights"]["originality"] = 0.1  # rule: the sum is 0.9
        document["rules"]["tempo_bpm"] = [130, 90]  # rule: backwards
        response = member_client.post("/api/amcs/blueprints/documents/validate/", document, format="json")
        assert response.status_code == 200
        errors = {error["pointer"]: error["message"] for error in response.data["errors"]}
        assert errors["/genre"] == "Must not be empty."
        assert "0.9" in errors["/eval_rubric/weights"]
        assert "/rules/tempo_bpm" in errors
        assert response.data["valid"] is False

    def test_sds_schema_and_rule_errors_of_other_parts_in_one_answer(self, member_client, elf):
        elf["style"]["key"]["primary"] = "H major"  # schema error in the style
        elf["lyrics"]["section_order"] = ["Verse"]  # rule error in the lyrics
        elf["producer_notes"]["hooks"] = 0  # warning
        response = member_client.post("/api/amcs/sds/validate/", elf, format="json")
        pointers = {error["pointer"] for error in response.data["errors"]}
        assert {"/style/key/primary", "/lyrics/section_order"} <= pointers
        assert [w["pointer"] for w in response.data["warnings"]] == ["/producer_notes/hooks"]

    def test_messages_are_for_people(self, elf):
        from amcs.services import sds_check

        elf["style"]["tempo_bpm"] = -5
        elf["style"]["mood"] = []
        report = sds_check(document=elf)
        messages = dict(report.errors)
        assert messages["/style/tempo_bpm"] == "Must be at least 40; it is -5."
        assert messages["/style/mood"] == "Must not be empty."
        assert not any("is a required property" in m or "should be non-empty" in m for m in messages.values())
        assert len(report.errors) == len({p for p, _ in report.errors})  # one message per problem

    def test_warnings_never_block_and_are_stored_with_the_row(self, member_client, tenant):
        document = {**example("persona"), "delivery": ["whispered", "belting"]}
        response = member_client.post("/api/amcs/personas/documents/import/", document, format="json")
        assert response.status_code == 201
        assert [w["pointer"] for w in response.data["warnings"]] == ["/delivery"]
        assert Persona.objects.get(pk=response.data["id"]).warnings == response.data["warnings"]

    def test_blueprint_of_the_reference_seeder_shape_imports(self, member_client, tenant):
        document = {
            "genre": "Hip-Hop",
            "version": "2025.11",
            "rules": {
                "tempo_bpm": [80, 100],
                "required_sections": ["Verse", "Chorus"],
                "length_minutes": [2.5, 3.5],
                "time_signature": "4/4",
                "key_signatures": ["A minor"],
                "lexicon_positive": ["hustle"],
                "lexicon_negative": [],
                "banned_terms": [],
            },
            "eval_rubric": {
                "weights": {
                    "hook_density": 0.25,
                    "singability": 0.2,
                    "rhyme_tightness": 0.15,
                    "section_completeness": 0.2,
                    "profanity_score": 0.2,
                },
                "thresholds": {"min_total": 0.75, "max_profanity": 0.1},
            },
        }
        response = member_client.post("/api/amcs/blueprints/documents/import/", document, format="json")
        assert response.status_code == 201, response.data
        blueprint = Blueprint.objects.get(pk=response.data["id"])
        assert blueprint.rules_extra == {
            "length_minutes": [2.5, 3.5],
            "time_signature": "4/4",
            "key_signatures": ["A minor"],
        }
        assert response.data["document"] == document


def test_warning_and_error_table_is_in_the_domain_map():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "domain-map.md").read_text()
    for code, rule in rules.RULES.items():
        assert f"`{code}`" in text and rule.severity in text, code


@pytest.mark.django_db
def test_style_document_endpoint_needs_a_name_and_names_the_blueprint_conflict(member_client, tenant, member):
    blueprint = BlueprintFactory(tenant=tenant, owner=member)
    document = example("style")
    del document["name"]
    document["tags"] = ["Era:1970s", "Era:2020s"]
    response = member_client.post(
        f"/api/amcs/styles/documents/validate/?tenant={tenant.pk}&blueprint={blueprint.pk}", document, format="json"
    )
    errors = {error["pointer"]: error["message"] for error in response.data["errors"]}
    assert "/name" in errors and "conflict" in errors["/tags"]
    assert Style.objects.filter(tenant=tenant, blueprint=blueprint).count() == 0


@pytest.mark.django_db
def test_a_database_constraint_of_an_import_answers_with_its_message(member_client, tenant, song):
    url = f"/api/amcs/lyrics/documents/import/?tenant={tenant.pk}&song={song.pk}"
    assert member_client.post(url, example("lyrics"), format="json").status_code == 201
    response = member_client.post(url, example("lyrics"), format="json")
    assert response.status_code == 409  # a duplicate is a 409 with the rule's message (core.api.exceptions)
    assert "This song already has lyrics." in str(response.json())


@pytest.mark.django_db
def test_an_import_costs_few_queries(elf, christmas_blueprint, tenant, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amcs.services import sds_import

    with CaptureQueriesContext(connection) as queries:
        sds_import(document=elf, tenant=tenant, owner=member)
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 20, [sql[:80] for sql in statements]


#: kind -> its factory and its three document routes (GET one row's document, POST validate, POST import)
DOCUMENT_ROUTES = {
    "blueprint": (
        BlueprintFactory,
        "amcs-api:blueprint-document",
        "amcs-api:blueprint-documents-validate",
        "amcs-api:blueprint-documents-import",
    ),
    "persona": (
        PersonaFactory,
        "amcs-api:persona-document",
        "amcs-api:persona-documents-validate",
        "amcs-api:persona-documents-import",
    ),
    "source": (
        SourceFactory,
        "amcs-api:source-document",
        "amcs-api:source-documents-validate",
        "amcs-api:source-documents-import",
    ),
    "style": (
        StyleFactory,
        "amcs-api:style-document",
        "amcs-api:style-documents-validate",
        "amcs-api:style-documents-import",
    ),
    "lyrics": (
        LyricsFactory,
        "amcs-api:lyrics-document",
        "amcs-api:lyrics-documents-validate",
        "amcs-api:lyrics-documents-import",
    ),
    "producer_notes": (
        ProducerNotesFactory,
        "amcs-api:producernotes-document",
        "amcs-api:producernotes-documents-validate",
        "amcs-api:producernotes-documents-import",
    ),
}


def rows_of(kind: str, tenant) -> int:
    return DOCUMENT_ROUTES[kind][0]._meta.model.objects.filter(tenant=tenant).count()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
class TestDocumentRoutes:
    """Each entity's document routes: what they answer, to whom, and what a bad request gets."""

    def test_document_is_the_rows_document_for_its_tenant_and_404_for_others(
        self, kind, member_client, viewer_client, tenant, member, other_tenant
    ):
        factory, document_route, _, _ = DOCUMENT_ROUTES[kind]
        mine, theirs = factory(tenant=tenant, owner=member), factory(tenant=other_tenant)
        response = member_client.get(reverse(document_route, args=[mine.pk]))
        assert response.status_code == 200
        assert response.json() == mine.to_document() and documents.check(kind, response.json()).errors == []
        assert viewer_client.get(reverse(document_route, args=[mine.pk])).status_code == 200
        hidden = member_client.get(reverse(document_route, args=[theirs.pk]))
        assert hidden.status_code == 404 and hidden.json()["errors"] == []

    def test_validate_reports_without_writing_and_names_a_bad_parameter(self, kind, member_client, tenant, song):
        _, _, validate_route, _ = DOCUMENT_ROUTES[kind]
        before = rows_of(kind, tenant)
        query = f"?tenant={tenant.pk}&song={song.pk}" if kind in ("lyrics", "producer_notes") else ""
        report = member_client.post(reverse(validate_route) + query, example(kind), format="json")
        assert report.status_code == 200, report.json()
        assert report.json()["valid"] is True and report.json()["errors"] == []
        broken = member_client.post(reverse(validate_route) + query, {**example(kind), "unheard_of": 1}, format="json")
        assert broken.json()["valid"] is False and broken.json()["errors"][0]["pointer"] == "/unheard_of"
        bad = member_client.post(reverse(validate_route) + "?song=nonsense", example(kind), format="json")
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "song"
        assert rows_of(kind, tenant) == before

    def test_validate_against_another_tenant_is_404(self, kind, member_client, other_tenant):
        _, _, validate_route, _ = DOCUMENT_ROUTES[kind]
        response = member_client.post(
            f"{reverse(validate_route)}?tenant={other_tenant.pk}", example(kind), format="json"
        )
        assert response.status_code == 404 and response.json()["message"] == "No such tenant."

    def test_import_into_another_tenant_is_404_and_writes_nothing(self, kind, member_client, other_tenant):
        _, _, _, import_route = DOCUMENT_ROUTES[kind]
        song = SongFactory(tenant=other_tenant, parts=False)
        before = rows_of(kind, other_tenant)
        response = member_client.post(
            f"{reverse(import_route)}?tenant={other_tenant.pk}&song={song.pk}", example(kind), format="json"
        )
        assert response.status_code == 404 and response.json()["message"] == "No such tenant."
        assert rows_of(kind, other_tenant) == before

    def test_import_refuses_viewers_and_another_tenants_song(self, kind, viewer_client, member_client, tenant):
        _, _, _, import_route = DOCUMENT_ROUTES[kind]
        before = rows_of(kind, tenant)
        refused = viewer_client.post(f"{reverse(import_route)}?tenant={tenant.pk}", example(kind), format="json")
        assert refused.status_code == 403
        unnamed = viewer_client.post(reverse(import_route), example(kind), format="json")
        assert unnamed.status_code == 400 and unnamed.json()["errors"][0]["field"] == "tenant"
        foreign_song = SongFactory(parts=False)
        response = member_client.post(
            f"{reverse(import_route)}?tenant={tenant.pk}&song={foreign_song.pk}", example(kind), format="json"
        )
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "song"
        assert rows_of(kind, tenant) == before

    def test_import_of_an_invalid_document_is_400_naming_its_pointer(self, kind, member_client, tenant, song):
        _, _, _, import_route = DOCUMENT_ROUTES[kind]
        before = rows_of(kind, tenant)
        query = f"?tenant={tenant.pk}&song={song.pk}"
        response = member_client.post(reverse(import_route) + query, {**example(kind), "unheard_of": 1}, format="json")
        assert response.status_code == 400
        assert "/unheard_of" in {error["field"] for error in response.json()["errors"]}
        assert rows_of(kind, tenant) == before
