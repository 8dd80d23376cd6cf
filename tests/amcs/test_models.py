"""Model rules: factory defaults are valid; database constraints hold without Python; clean() names fields."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext

from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Source, Style, WorkflowEvent, WorkflowRun
from core.testing import assert_valid
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
from tests.core.factories import TenantFactory

FACTORIES = [
    BlueprintFactory,
    PersonaFactory,
    SourceFactory,
    StyleFactory,
    SongFactory,
    LyricsFactory,
    ProducerNotesFactory,
    WorkflowRunFactory,
    WorkflowEventFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_factory_defaults_pass_full_clean(factory):
    instance = factory()
    instance.full_clean()
    assert str(instance)


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    return error.value.message_dict


@pytest.mark.django_db
class TestDatabaseConstraints:
    """Each update bypasses Python validation: the database itself refuses the row."""

    @pytest.mark.parametrize(
        ("factory", "values", "constraint"),
        [
            (StyleFactory, {"bpm_min": 50}, "amcs_style_bpm_range"),
            (StyleFactory, {"bpm_max": 201}, "amcs_style_bpm_range"),
            (StyleFactory, {"bpm_min": 130, "bpm_max": 120}, "amcs_style_bpm_order"),
            (StyleFactory, {"energy_level": 11}, "amcs_style_energy_level_range"),
            (StyleFactory, {"energy_level": 0}, "amcs_style_energy_level_range"),
            (StyleFactory, {"mood": []}, "amcs_style_mood_nonempty"),
            (StyleFactory, {"energy": "loud"}, "amcs_style_energy_valid"),
            (LyricsFactory, {"imagery_density": 1.5}, "amcs_lyrics_imagery_density_range"),
            (LyricsFactory, {"syllables_per_line": 17}, "amcs_lyrics_syllables_range"),
            (LyricsFactory, {"section_order": []}, "amcs_lyrics_section_order_nonempty"),
            (SourceFactory, {"weight": 1.01}, "amcs_source_weight_range"),
            (SourceFactory, {"weight": -0.1}, "amcs_source_weight_range"),
            (SourceFactory, {"kind": "mcp"}, "amcs_source_kind_valid"),
            (BlueprintFactory, {"tempo_bpm_min": 150, "tempo_bpm_max": 140}, "amcs_blueprint_tempo_range"),
            (BlueprintFactory, {"required_sections": []}, "amcs_blueprint_required_sections_nonempty"),
            (BlueprintFactory, {"min_total": 2}, "amcs_blueprint_thresholds_range"),
            (SongFactory, {"global_seed": -1}, "amcs_song_seed_nonnegative"),
            (SongFactory, {"render_num_variations": 9}, "amcs_song_num_variations_range"),
            (SongFactory, {"render_engine": "midi"}, "amcs_song_render_engine_valid"),
            (SongFactory, {"status": "lost"}, "amcs_song_status_valid"),
            (WorkflowRunFactory, {"fix_iterations": 4}, "amcs_workflowrun_fix_iterations_range"),
            (WorkflowRunFactory, {"status": "cancelled"}, "amcs_workflowrun_status_valid"),
            (WorkflowRunFactory, {"current_node": "MIX"}, "amcs_workflowrun_current_node_valid"),
            (PersonaFactory, {"kind": "choir"}, "amcs_persona_kind_valid"),
        ],
    )
    def test_check_constraint_refuses_row(self, factory, values, constraint):
        obj = factory()
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            type(obj).objects.filter(pk=obj.pk).update(**values)
        for key, value in values.items():
            setattr(obj, key, value)
        assert errors_of(obj)

    def test_persona_name_is_unique_per_tenant_regardless_of_case(self):
        persona = PersonaFactory(name="Nova")
        PersonaFactory(name="Nova")  # another tenant
        duplicate = PersonaFactory.build(tenant=persona.tenant, owner=persona.owner, name="NOVA")
        assert "already has a persona" in str(errors_of(duplicate))
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()

    def test_deleted_persona_frees_its_name(self):
        persona = PersonaFactory(name="Nova")
        persona.delete()
        assert not Persona.objects.filter(pk=persona.pk).exists()
        replacement = PersonaFactory.build(tenant=persona.tenant, owner=persona.owner, name="Nova")
        assert_valid(replacement)
        replacement.save()
        assert list(Persona.objects.filter(tenant=persona.tenant, name="Nova")) == [replacement]

    def test_blueprint_genre_and_version_are_unique_per_tenant(self):
        blueprint = BlueprintFactory(genre="Pop", version="2025.11")
        duplicate = BlueprintFactory.build(tenant=blueprint.tenant, owner=blueprint.owner, genre="pop")
        assert "genre and version" in str(errors_of(duplicate))

    def test_song_has_one_set_of_lyrics_and_producer_notes(self):
        song = SongFactory()
        assert "already has lyrics" in str(
            errors_of(LyricsFactory.build(song=song, tenant=song.tenant, owner=song.owner))
        )
        notes = ProducerNotesFactory.build(song=song, tenant=song.tenant, owner=song.owner)
        assert "already has producer notes" in str(errors_of(notes))

    def test_run_status_trigger_refuses_leaving_a_finished_state(self):
        run = WorkflowRunFactory()
        WorkflowRun.objects.filter(pk=run.pk).update(status="completed")
        with pytest.raises(ProgrammingError, match="Cannot update rows from amcs_workflowrun"), transaction.atomic():
            WorkflowRun.objects.filter(pk=run.pk).update(status="running")

    def test_events_cannot_be_rewritten(self):
        event = WorkflowEventFactory()
        with pytest.raises(ProgrammingError, match="Cannot update rows from amcs_workflowevent"), transaction.atomic():
            WorkflowEvent.objects.filter(pk=event.pk).update(phase="end")

    def test_deleting_a_song_row_marks_its_lyrics_notes_and_runs_and_restore_brings_them_back(self):
        song = SongFactory()
        WorkflowRunFactory(song=song, tenant=song.tenant, owner=song.owner)
        song.delete()
        for model in (Lyrics, ProducerNotes, WorkflowRun):
            assert not model.objects.filter(song_id=song.pk).exists()
        Song.all_objects.get(pk=song.pk).restore()
        for model in (Lyrics, ProducerNotes, WorkflowRun):
            assert model.objects.filter(song_id=song.pk).exists()

    def test_deleting_songs_through_a_queryset_marks_their_children_too(self):
        songs = SongFactory.create_batch(2)
        assert Song.objects.filter(pk__in=[song.pk for song in songs]).delete()[0] == 2
        assert not Lyrics.objects.filter(song__in=songs).exists()
        assert not ProducerNotes.objects.filter(song__in=songs).exists()
        assert Song.all_objects.filter(pk__in=[song.pk for song in songs]).restore() == 2
        assert Lyrics.objects.filter(song__in=songs).count() == 2

    def test_deleting_and_restoring_songs_costs_the_same_queries_for_one_or_many(self):
        def queries(action, songs) -> int:
            with CaptureQueriesContext(connection) as captured:
                action(Song.all_objects.filter(pk__in=[song.pk for song in songs]))
            return len(captured)

        one, many = SongFactory.create_batch(1), SongFactory.create_batch(4)
        assert queries(lambda qs: qs.delete(), one) == queries(lambda qs: qs.delete(), many)
        assert queries(lambda qs: qs.restore(), one) == queries(lambda qs: qs.restore(), many)
        assert Lyrics.objects.filter(song__in=one + many).count() == 5

    def test_hard_deleting_a_song_deletes_lyrics_notes_runs_and_events(self):
        song = SongFactory()
        run = WorkflowRunFactory(song=song, tenant=song.tenant, owner=song.owner)
        WorkflowEventFactory(run=run, tenant=song.tenant, owner=song.owner)
        song.hard_delete()
        for model in (Lyrics, ProducerNotes, WorkflowRun):
            assert not model.all_objects.filter(song_id=song.pk).exists()
        assert not WorkflowEvent.objects.filter(run_id=run.pk).exists()


@pytest.mark.django_db
class TestClean:
    def test_style_tag_both_positive_and_negative_is_named(self):
        style = StyleFactory.build(tags_positive=["Era:2010s", "warm"], tags_negative=["WARM"], blueprint=None)
        assert errors_of(style) == {"tags_negative": ["Tags both positive and negative: warm."]}

    def test_style_outside_blueprint_tempo_and_with_conflicting_tags(self):
        blueprint = BlueprintFactory(tempo_bpm_min=90, tempo_bpm_max=120)
        style = StyleFactory.build(
            tenant=blueprint.tenant,
            owner=blueprint.owner,
            blueprint=blueprint,
            bpm_min=100,
            bpm_max=130,
            tags_positive=["Era:1970s", "Era:2020s"],
        )
        errors = errors_of(style)
        assert "100-130 is outside the tempo range 90-120" in errors["bpm_min"][0]
        assert "'Era:1970s' and 'Era:2020s' conflict" in errors["tags_positive"][0]

    def test_style_key_is_an_error_and_instrument_count_a_stored_warning(self):
        style = StyleFactory.build(key="C dorian", instrumentation=["a", "b", "c", "d"], blueprint=None)
        assert set(errors_of(style)) == {"key"}
        style.key = "C major"
        style.full_clean()
        assert [w["pointer"] for w in style.warnings] == ["/instrumentation"]
        style.save()
        assert Style.objects.get(pk=style.pk).warnings == style.warnings

    def test_one_message_per_problem_when_a_field_and_the_schema_both_object(self):
        style = StyleFactory.build(key="C dorian", blueprint=None)
        assert errors_of(style)["key"] == ["Write a key as a note and a mode, for example 'C major' or 'F# minor'."]

    def test_style_blueprint_of_another_tenant_is_refused(self):
        style = StyleFactory.build(tenant=TenantFactory(), blueprint=BlueprintFactory())
        assert "another tenant" in errors_of(style)["blueprint"][0]

    def test_lyrics_without_chorus_and_with_heavy_citations(self):
        lyrics = LyricsFactory.build(
            section_order=["Verse", "Bridge"],
            source_citations=[{"source_id": "a", "weight": 0.8}, {"source_id": "b", "weight": 0.3}],
        )
        errors = errors_of(lyrics)
        assert any("chorus" in message for message in errors["section_order"])
        assert "sum to 1.1" in errors["source_citations"][0]

    def test_lyrics_chant_hook_needs_two_choruses(self):
        lyrics = LyricsFactory.build(hook_strategy="chant", section_order=["Verse", "Chorus"])
        assert "two or more choruses" in errors_of(lyrics)["hook_strategy"][0]

    def test_song_missing_a_required_section_is_rejected_with_the_section_named(self):
        blueprint = BlueprintFactory(required_sections=["Verse", "Chorus", "Bridge"])
        style = StyleFactory(tenant=blueprint.tenant, owner=blueprint.owner, blueprint=blueprint)
        song = SongFactory(tenant=blueprint.tenant, owner=blueprint.owner, style=style, parts=False)
        lyrics = LyricsFactory.build(song=song, tenant=song.tenant, owner=song.owner)
        assert "Bridge" in errors_of(lyrics)["section_order"][0]

    def test_lyrics_text_over_blueprint_line_limit(self):
        lyrics = LyricsFactory.build(sections=[{"type": "Chorus", "lines": ["la"] * 9}])
        assert "has 9 lines" in errors_of(lyrics)["sections"][0]

    def test_producer_notes_meta_keys_outside_the_structure_are_a_warning(self):
        notes = ProducerNotesFactory.build(section_tags={"Outro": ["fade"]})
        notes.full_clean()
        assert "'Outro' is not in the structure" in notes.warnings[0]["message"]

    def test_producer_notes_durations_must_meet_song_target(self):
        song = SongFactory(parts=False, target_duration_sec=300)
        notes = ProducerNotesFactory.build(song=song, tenant=song.tenant, owner=song.owner)
        assert "160 s" in errors_of(notes)["section_durations"][0]
        song.target_duration_sec = None
        notes.full_clean()

    def test_song_target_duration_must_still_fit_its_producer_notes(self):
        song = SongFactory()  # notes add up to 160 s, the target is 180 s
        song.target_duration_sec = 300
        assert "160 s" in errors_of(song)["target_duration_sec"][0]
        song.target_duration_sec = 170
        song.full_clean()

    def test_blueprint_tempo_cannot_shrink_below_its_styles(self):
        style = StyleFactory(name="Wide", bpm_min=110, bpm_max=124)
        blueprint = style.blueprint
        blueprint.tempo_bpm_max = 120
        assert "Wide" in errors_of(blueprint)["tempo_bpm_min"][0]
        blueprint.tempo_bpm_max = 130
        blueprint.full_clean()

    def test_producer_notes_fill_structure_and_written_structure_from_each_other(self):
        notes = ProducerNotesFactory(structure=[], structure_string="Intro–Verse–Chorus–Verse–Chorus")
        assert notes.structure == ["Intro", "Verse", "Chorus", "Verse", "Chorus"]
        other = ProducerNotesFactory(structure=["Verse", "Chorus"], structure_string="", section_durations={})
        assert other.structure_string == "Verse–Chorus"
        other.structure_string = "Verse–Bridge"
        assert "other sections" in str(errors_of(other))

    def test_song_style_without_blueprint_still_meets_the_song_blueprint(self):
        blueprint = BlueprintFactory(tempo_bpm_min=100, tempo_bpm_max=120)
        style = StyleFactory(
            tenant=blueprint.tenant,
            owner=blueprint.owner,
            blueprint=None,
            bpm_min=60,
            bpm_max=200,
            tags_positive=["Era:1970s", "Era:2020s"],
        )
        song = SongFactory.build(tenant=blueprint.tenant, owner=blueprint.owner, style=style, blueprint=blueprint)
        messages = errors_of(song)["style"]
        assert any("60-200 is outside the tempo range 100-120" in message for message in messages)
        assert any("'Era:1970s' and 'Era:2020s' conflict" in message for message in messages)

    def test_song_moved_to_a_blueprint_its_lyrics_do_not_meet_is_rejected_with_the_section_named(self):
        song = SongFactory()  # lyrics: Intro, Verse, Chorus, Verse, Chorus
        Style.objects.filter(pk=song.style_id).update(blueprint=None)
        song.refresh_from_db()
        song.blueprint = BlueprintFactory(
            tenant=song.tenant, owner=song.owner, required_sections=["Verse", "Chorus", "Bridge"]
        )
        assert "Bridge" in errors_of(song)["blueprint"][0]

    def test_blueprint_cannot_require_a_section_its_songs_lack(self):
        song = SongFactory(title="Night Drive")
        blueprint = song.blueprint
        blueprint.required_sections = ["Verse", "Chorus", "Bridge"]
        message = errors_of(blueprint)["required_sections"][0]
        assert "Night Drive" in message and "Bridge" in message
        blueprint.required_sections = ["Verse", "Intro"]
        blueprint.full_clean()

    def test_blueprint_rubric_weights_must_sum_to_one(self):
        blueprint = BlueprintFactory.build(rubric_weights={"hook_density": 0.5, "singability": 0.4})
        assert "sum to 0.9" in errors_of(blueprint)["rubric_weights"][0]

    def test_blueprint_section_lines_shape_is_checked(self):
        blueprint = BlueprintFactory.build(section_lines={"Chorus": {"min": "two"}})
        assert "section_lines" in errors_of(blueprint)

    def test_public_persona_may_not_name_a_living_artist(self):
        persona = PersonaFactory.build(is_public_release=True, influences=["Dua Lipa"])
        assert "Dua Lipa" in errors_of(persona)["influences"][0]

    def test_persona_defaults_are_checked_against_their_schemas(self):
        persona = PersonaFactory.build(style_defaults={"tempo_bpm": 500}, lyrics_defaults={"pov": "4th"})
        assert set(errors_of(persona)) == {"style_defaults", "lyrics_defaults"}

    def test_persona_defaults_meet_the_style_and_lyrics_rules(self):
        style = {
            "genre_detail": {"primary": "Pop"},
            "tempo_bpm": [100, 120],
            "key": {"primary": "C major"},
            "mood": ["warm"],
            "tags": ["Era:2010s"],
            "negative_tags": ["era:2010s"],
        }
        lyrics = {"language": "en", "section_order": ["Verse", "Bridge"], "constraints": {}}
        errors = errors_of(PersonaFactory.build(style_defaults=style, lyrics_defaults=lyrics))
        assert "Era:2010s" in errors["style_defaults"][0]
        assert "chorus" in errors["lyrics_defaults"][0]
        style["negative_tags"], lyrics["section_order"] = [], ["Verse", "Chorus"]
        PersonaFactory.build(style_defaults=style, lyrics_defaults=lyrics).full_clean()

    def test_source_term_allowed_and_denied_is_a_warning(self):
        source = SourceFactory.build(allow=["harbour", "storm"], deny=["Storm"])
        source.full_clean()
        assert source.warnings == [
            {
                "pointer": "/deny",
                "message": "Terms both allowed and denied count as denied (deny overrides allow): storm.",
            }
        ]

    def test_song_prompt_tags_and_style_of_another_blueprint(self):
        song = SongFactory(parts=False)
        song.positive_tags, song.negative_tags = ["bright"], ["bright"]
        song.blueprint = BlueprintFactory(tenant=song.tenant, owner=song.owner)
        errors = errors_of(song)
        assert "bright" in errors["negative_tags"][0]
        assert "another blueprint" in errors["style"][0]

    def test_run_status_moves_running_to_completed_or_failed_only(self):
        run = WorkflowRunFactory()
        run = WorkflowRun.objects.get(pk=run.pk)
        run.status = "completed"
        run.full_clean()
        run.save()
        run = WorkflowRun.objects.get(pk=run.pk)
        run.status = "failed"
        assert "cannot change status" in errors_of(run)["status"][0]
        assert "starts running" in errors_of(WorkflowRunFactory.build(status="completed"))["status"][0]

    def test_run_node_seed_is_run_seed_plus_node_index(self):
        run = WorkflowRunFactory.build(seed=42)
        assert [run.node_seed(node) for node in ("PLAN", "STYLE", "REVIEW")] == [42, 43, 50]

    def test_event_shape_and_tenant(self):
        event = WorkflowEventFactory.build(metrics=[], issues={}, run=WorkflowRunFactory())
        assert set(errors_of(event)) == {"metrics", "issues", "run"}


def test_every_model_has_a_docstring_and_str():
    for model in (Blueprint, Persona, Source, Style, Song, Lyrics, ProducerNotes, WorkflowRun, WorkflowEvent):
        assert model.__doc__
