"""Services: SDS export of every factory-built song, validation against a tenant, import round trips,
song deletion and restore, workflow runs and events; plus the demo data."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amcs import demo, services
from amcs.models import Blueprint, Lyrics, ProducerNotes, Song, Source, Style, WorkflowRun
from amcs.services import documents as documents_services
from amcs.validation import schema_errors
from tests.amcs.factories import (
    LyricsFactory,
    PersonaFactory,
    ProducerNotesFactory,
    SongFactory,
    SourceFactory,
    StyleFactory,
    WorkflowRunFactory,
)


def export(song):
    return services.song_sds(song=Song.objects.with_sds_parts().get(pk=song.pk))


def minimal_song(**kwargs):
    song = SongFactory(parts=False, **kwargs)
    LyricsFactory(
        song=song,
        tenant=song.tenant,
        owner=song.owner,
        pov="",
        tense="",
        rhyme_scheme="",
        meter="",
        syllables_per_line=None,
        hook_strategy="",
        repetition_policy="",
        imagery_density=None,
        themes=[],
        sections=[],
        section_requirements={},
    )
    ProducerNotesFactory(
        song=song, tenant=song.tenant, owner=song.owner, section_tags={}, section_durations={}, mix_targets={}
    )
    return song


SONG_SHAPES = {
    "default": lambda: SongFactory(),
    "minimal parts": lambda: minimal_song(),
    "persona and suno": lambda: (
        lambda song: (
            setattr(song, "persona", PersonaFactory(tenant=song.tenant, owner=song.owner)),
            setattr(song, "render_engine", "suno"),
            setattr(song, "render_model", "v4"),
            song.save(),
            song,
        )[-1]
    )(SongFactory()),
    "no energy, vocal profile": lambda: (
        lambda style: SongFactory(tenant=style.tenant, owner=style.owner, style=style)
    )(StyleFactory(energy="", vocal_profile="warm alto")),
    "many sources": lambda: (
        lambda song: (song.sources.add(*SourceFactory.create_batch(4, tenant=song.tenant, owner=song.owner)), song)[-1]
    )(SongFactory()),
}


@pytest.mark.django_db
@pytest.mark.parametrize("shape", SONG_SHAPES)
def test_every_factory_built_song_exports_a_valid_sds(shape):
    song = SONG_SHAPES[shape]()
    song.full_clean()
    document = export(song)
    assert schema_errors("sds", document) == []
    assert services.sds_validate(document=document, tenant=song.tenant) == []


@pytest.mark.django_db
def test_demo_songs_export_valid_sds_and_seeding_is_idempotent():
    from core import demo as core_demo

    out = io.StringIO()
    core_demo.seed(out)
    demo.seed(out)
    count = Song.objects.count()
    demo.seed(out)
    assert Song.objects.count() == count == 6
    assert WorkflowRun.objects.filter(status="completed").count() == 2  # one song per tenant ran end to end
    assert Song.objects.filter(status="validated").count() == 2
    for song in Song.objects.all():
        assert schema_errors("sds", export(song)) == []


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_the_song():
    small = minimal_song()
    big = SongFactory()
    big.sources.add(*SourceFactory.create_batch(10, tenant=big.tenant, owner=big.owner))
    counts = []
    for song in (small, big):
        with CaptureQueriesContext(connection) as queries:
            export(song)
        counts.append(len(queries))
    assert counts == [4, 4]


@pytest.mark.django_db
class TestImport:
    def test_round_trip_with_persona_and_seed_identifiers(self, elf, christmas_blueprint, tenant, member):
        persona = PersonaFactory(tenant=tenant, owner=member)
        elf["persona_id"] = str(persona.pk)
        document = {**elf, "version": "1.2.0", "song_id": "6b1e0a4e-8d7c-4f9e-9a51-0f5c1b1b7d11"}
        song = services.sds_import(document=document, tenant=tenant, owner=member)
        assert song.sds_version == "1.2.0" and song.persona == persona and song.blueprint == christmas_blueprint
        assert export(song) == document  # the seed plan's identifiers are kept, not dropped
        style = song.style
        assert (style.bpm_min, style.bpm_max, style.blueprint) == (116, 124, christmas_blueprint)
        notes = song.producer_notes.get()
        assert notes.structure[2] == "Pre-Chorus" and notes.section_durations["Chorus"] == 25

    def test_exported_document_imports_again_reusing_identical_sources(self, elf, christmas_blueprint, tenant, member):
        first = services.sds_import(document=elf, tenant=tenant, owner=member)
        second = services.sds_import(document=export(first), tenant=tenant, owner=member)
        assert export(second) == export(first) == elf
        assert Source.objects.filter(tenant=tenant).count() == 2

    def test_imported_form_is_kept_integer_tempo_absent_defaults_empty_objects(
        self, elf, christmas_blueprint, tenant, member
    ):
        del elf["style"]["time_signature"]
        del elf["render"]["model"]
        elf["style"]["tempo_bpm"] = 120
        elf["producer_notes"]["mix"] = {}
        elf["lyrics"]["constraints"]["section_requirements"] = {}
        elf["sources"].reverse()
        song = services.sds_import(document=elf, tenant=tenant, owner=member)
        document = export(song)
        assert document == elf
        assert isinstance(document["style"]["tempo_bpm"], int)
        assert [s["name"] for s in document["sources"]] == [s["name"] for s in elf["sources"]]
        again = services.sds_import(document=document, tenant=tenant, owner=member)
        assert export(again) == document

    def test_reference_root_id_is_the_songs_external_reference(self, elf, christmas_blueprint, tenant, member):
        elf["id"] = "0b8f3c2e-1111-4222-8333-944455556666"
        song = services.sds_import(document=elf, tenant=tenant, owner=member)
        assert song.external_ref == elf["id"] and export(song)["id"] == elf["id"]

    def test_reference_persona_id_maps_by_external_reference_or_by_name(self, elf, christmas_blueprint, tenant, member):
        persona = PersonaFactory(tenant=tenant, owner=member, name="Jolly Jo")
        elf["persona_id"] = "0b8f3c2e-1111-4222-8333-944455556666"
        errors = services.sds_validate(document=elf, tenant=tenant)
        assert errors[0]["pointer"] == "/persona_id" and elf["persona_id"] in errors[0]["message"]
        song = services.sds_import(
            document=elf, tenant=tenant, owner=member, persona_names={elf["persona_id"]: "jolly jo"}
        )
        assert song.persona == persona
        persona.external_ref = elf["persona_id"]
        persona.save()
        assert services.sds_import(document=elf, tenant=tenant, owner=member).persona == persona

    @pytest.mark.parametrize(
        ("change", "pointer"),
        [
            (lambda d: d["blueprint_ref"].update(version="2024.1"), "/blueprint_ref"),
            (lambda d: d.update(persona_id="6b1e0a4e-8d7c-4f9e-9a51-0f5c1b1b7d11"), "/persona_id"),
            (lambda d: d["style"].update(tempo_bpm=[90, 140]), "/style/tempo_bpm"),
            (lambda d: d["lyrics"].update(section_order=["Verse", "Chorus"]), "/lyrics/section_order"),
        ],
    )
    def test_reference_errors_leave_nothing_behind(self, elf, christmas_blueprint, tenant, member, change, pointer):
        change(elf)
        counts = [model.all_objects.count() for model in (Song, Style, Source, Lyrics, ProducerNotes)]
        with pytest.raises(ValidationError) as error:
            services.sds_import(document=elf, tenant=tenant, owner=member)
        assert pointer in error.value.message_dict
        assert [model.all_objects.count() for model in (Song, Style, Source, Lyrics, ProducerNotes)] == counts

    def test_source_listed_twice_is_refused_so_the_round_trip_holds(self, elf, christmas_blueprint, tenant, member):
        elf["sources"].append(dict(elf["sources"][0]))
        with pytest.raises(ValidationError) as error:
            services.sds_import(document=elf, tenant=tenant, owner=member)
        assert "/sources/2/name" in error.value.message_dict
        assert not Source.objects.filter(tenant=tenant).exists()

    def test_same_named_source_with_other_settings_is_refused(self, elf, christmas_blueprint, tenant, member):
        SourceFactory(tenant=tenant, owner=member, name="Family History Document", weight=0.1)
        errors = services.sds_validate(document=elf, tenant=tenant)
        assert errors == [
            {"pointer": "/sources/0/name", "message": services.SOURCE_DIFFERS.format(name="Family History Document")}
        ]

    def test_model_errors_during_import_are_keyed_by_pointer(self, elf, christmas_blueprint, tenant, member):
        elf["title"] = "x" * 300  # fine for the SDS, but a style name holds 255: the style takes the first 255
        song = services.sds_import(document=elf, tenant=tenant, owner=member)
        assert len(song.style.name) == 255
        source = Source(tenant=tenant, owner=member, name="", kind="file", mcp_server_id="x")
        with pytest.raises(ValidationError) as error:
            documents_services._save(source, "/sources/0")
        assert "/sources/0/name" in error.value.message_dict


@pytest.mark.django_db
class TestSongDeletion:
    def test_delete_marks_song_and_children_and_restore_brings_them_back(self):
        song = SongFactory()
        WorkflowRunFactory(song=song, tenant=song.tenant, owner=song.owner)
        services.song_delete(song=song)
        assert not Song.objects.filter(pk=song.pk).exists()
        for model in (Lyrics, ProducerNotes, WorkflowRun):
            assert not model.objects.filter(song=song).exists()
        services.song_restore(song=Song.all_objects.get(pk=song.pk))
        for model in (Song, Lyrics, ProducerNotes, WorkflowRun):
            assert model.objects.filter(**({"pk": song.pk} if model is Song else {"song": song})).exists()

    def test_restore_leaves_children_deleted_earlier_alone(self):
        song = SongFactory()
        song.lyrics.get().delete()
        services.song_delete(song=song)
        services.song_restore(song=Song.all_objects.get(pk=song.pk))
        assert not Lyrics.objects.filter(song=song).exists()
        assert ProducerNotes.objects.filter(song=song).exists()
        assert services.song_restore(song=song) is song  # restoring a live song changes nothing


@pytest.mark.django_db
class TestWorkflow:
    def test_blueprint_lookup_ignores_genre_case(self, christmas_blueprint, tenant, elf):
        elf["blueprint_ref"]["genre"] = "christmas pop"
        assert documents_services._blueprint_for(elf, tenant) == christmas_blueprint
        assert Blueprint.objects.count() == 1
