"""Each filter narrows the list as it says; every concrete field of a filtered model is covered or exempt."""

import pytest

from amcs.filtersets import (
    BlueprintFilterSet,
    LyricsFilterSet,
    PersonaFilterSet,
    ProducerNotesFilterSet,
    SongFilterSet,
    SourceFilterSet,
    StyleFilterSet,
    WorkflowRunFilterSet,
)
from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Source, Style, WorkflowRun
from tests.amcs.factories import (
    BlueprintFactory,
    PersonaFactory,
    SongFactory,
    SourceFactory,
    StyleFactory,
    WorkflowRunFactory,
)


def count(filterset, model, data):
    fs = filterset(data=data, queryset=model.objects.all())
    assert fs.is_valid(), fs.errors
    return fs.qs.count()


@pytest.mark.django_db
class TestStyleAndSongFilters:
    @pytest.fixture
    def styles(self):
        slow = StyleFactory(genre="Ballad", bpm_min=70, bpm_max=80, mood=["sad", "warm"], tags_positive=["Era:1990s"])
        fast = StyleFactory(genre="Pop", bpm_min=120, bpm_max=130, mood=["happy"], tags_positive=["Era:2010s", "x"])
        return slow, fast

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({"genre": "ballad"}, 1),
            ({"bpm": 75}, 1),
            ({"bpm": 100}, 0),
            ({"bpm_min": 100}, 1),
            ({"bpm_max": 90}, 1),
            ({"mood": "sad,warm"}, 1),
            ({"mood": "sad,happy"}, 0),
            ({"tags": "Era:2010s"}, 1),
            ({"q": "pop"}, 1),
            ({"energy": ["high"]}, 2),
        ],
    )
    def test_style_filters(self, styles, data, expected):
        assert count(StyleFilterSet, Style, data) == expected

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ({"genre": "pop"}, 1),
            ({"bpm": 75}, 1),
            ({"mood": "happy"}, 1),
            ({"tags": "Era:1990s"}, 1),
            ({"q": "one"}, 1),
        ],
    )
    def test_song_filters_reach_the_style(self, styles, data, expected):
        for style, title in zip(styles, ["One", "Two"], strict=True):
            SongFactory(tenant=style.tenant, owner=style.owner, style=style, title=title, parts=False)
        assert count(SongFilterSet, Song, data) == expected

    def test_song_id_filters(self):
        song = SongFactory()
        SongFactory(parts=False)
        assert count(SongFilterSet, Song, {"blueprint_id": str(song.blueprint_id)}) == 1
        assert count(SongFilterSet, Song, {"source_id": str(song.sources.get().pk)}) == 1
        assert count(SongFilterSet, Song, {"status": ["draft"], "tenant": song.tenant.slug}) == 1
        assert count(LyricsFilterSet, Lyrics, {"song_id": str(song.pk)}) == 1
        assert count(ProducerNotesFilterSet, ProducerNotes, {"song_id": str(song.pk), "q": song.title}) == 1


@pytest.mark.django_db
def test_other_filtersets():
    BlueprintFactory(genre="Rock")
    PersonaFactory(kind="band", is_public_release=True)
    SourceFactory(kind="api", is_active=False)
    run = WorkflowRunFactory()
    assert count(BlueprintFilterSet, Blueprint, {"genre": "rock"}) == 1
    assert count(PersonaFilterSet, Persona, {"kind": ["band"], "is_public_release": True}) == 1
    assert count(SourceFilterSet, Source, {"kind": ["api"], "is_active": False}) == 1
    assert count(WorkflowRunFilterSet, WorkflowRun, {"active": True, "tenant_id": str(run.tenant_id)}) == 1
    assert count(WorkflowRunFilterSet, WorkflowRun, {"active": False}) == 0
    assert count(LyricsFilterSet, Lyrics, {"hook_strategy": ["chant"]}) == 0


COMMON_EXEMPT = {
    "id",
    "owner",
    "created_at",
    "updated_at",
    "deleted_at",
    "extra_metadata",
    "warnings",
    "document_form",
    "conflict_matrix",
    "tag_categories",
    "rules_extra",
}
EXEMPT = {
    Blueprint: {
        "tempo_bpm_min",
        "tempo_bpm_max",
        "required_sections",
        "section_lines",
        "banned_terms",
        "lexicon_positive",
        "lexicon_negative",
        "conflicting_tags",
        "rubric_weights",
        "min_total",
        "max_profanity",
    },
    Persona: {
        "bio",
        "voice",
        "vocal_range",
        "delivery",
        "influences",
        "style_defaults",
        "lyrics_defaults",
        "is_style_of_disallowed",
    },
    Source: {"config", "scopes", "allow", "deny", "weight", "has_provenance", "mcp_server_id", "last_validated_at"},
    Style: {
        "sub_genres",
        "fusions",
        "time_signature",
        "modulations",
        "instrumentation",
        "vocal_profile",
        "tags_negative",
    },
    Song: {
        "sds_version",
        "feature_flags",
        "positive_tags",
        "negative_tags",
        "max_style_chars",
        "max_prompt_chars",
        "render_model",
        "render_num_variations",
        "target_duration_sec",
    },
    Lyrics: {
        "pov",
        "tense",
        "themes",
        "rhyme_scheme",
        "meter",
        "syllables_per_line",
        "repetition_policy",
        "repetition_rules",
        "imagery_density",
        "reading_level",
        "section_order",
        "sections",
        "is_explicit_allowed",
        "max_lines",
        "section_requirements",
        "source_citations",
    },
    ProducerNotes: {
        "structure",
        "section_tags",
        "section_durations",
        "instrumentation_hints",
        "mix_targets",
        "arrangement_notes",
    },
    WorkflowRun: {
        "seed",
        "node_outputs",
        "validation_scores",
        "fix_iterations",
        "input_document",
        "input_hash",
        "input_context",
        "error",
        "node_started_at",
    },
}
FILTERSETS = {
    Blueprint: BlueprintFilterSet,
    Persona: PersonaFilterSet,
    Source: SourceFilterSet,
    Style: StyleFilterSet,
    Song: SongFilterSet,
    Lyrics: LyricsFilterSet,
    ProducerNotes: ProducerNotesFilterSet,
    WorkflowRun: WorkflowRunFilterSet,
}
#: fields reached by a method filter or search rather than a filter of their own name
INDIRECT = {
    Style: {"bpm_min", "bpm_max", "mood", "tags_positive", "name"},
    Song: {"title"},
    Persona: {"name"},
    Source: {"name"},
    ProducerNotes: {"structure_string"},
    WorkflowRun: {"current_node"},
}


@pytest.mark.parametrize("model", FILTERSETS, ids=lambda m: m.__name__)
def test_every_concrete_field_has_a_filter_or_is_exempt(model):
    filters = FILTERSETS[model].base_filters
    names = {f.field_name.split("__")[0] for f in filters.values() if f.field_name} | set(filters)
    names |= {name.removesuffix("_id") for name in filters}
    fields = {field.name for field in model._meta.concrete_fields}
    missing = fields - names - COMMON_EXEMPT - EXEMPT.get(model, set()) - INDIRECT.get(model, set())
    assert not missing, f"{model.__name__}: add filters or exempt {sorted(missing)}"
