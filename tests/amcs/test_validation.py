"""The JSON schemas and the rules over documents: valid documents pass, each broken one names its pointer."""

import copy

import pytest

from amcs import rules
from amcs.validation import SCHEMA_NAMES, schema_errors, schemas, validator
from tests.amcs.conftest import ELF


def broken(path: str, value):
    """ELF with the value at a slash path replaced (``None`` with a trailing ``-`` deletes the key)."""
    document = copy.deepcopy(ELF)
    *parents, last = path.strip("/").split("/")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is KeyError:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return document


def test_every_schema_loads_once_and_is_a_valid_schema():
    assert set(schemas()) == set(SCHEMA_NAMES)
    assert schemas() is schemas()
    assert validator("sds") is validator("sds")


def test_reference_example_passes_schema_and_rules():
    assert schema_errors("sds", ELF) == []
    assert rules.sds_errors(ELF) == []


@pytest.mark.parametrize(
    ("path", "value", "pointer"),
    [
        ("title", "", "/title"),
        ("seed", -1, "/seed"),
        ("blueprint_ref/version", "11.2025", "/blueprint_ref/version"),
        ("persona_id", "not-a-uuid", "/persona_id"),
        ("render/engine", "midi", "/render/engine"),
        ("render/num_variations", 9, "/render/num_variations"),
        ("style/tempo_bpm", [30, 124], "/style/tempo_bpm/0"),
        ("style/tempo_bpm", 250, "/style/tempo_bpm"),
        ("style/key/primary", "H major", "/style/key/primary"),
        ("style/mood", [], "/style/mood"),
        ("style/energy", "loud", "/style/energy"),
        ("lyrics/syllables_per_line", 3, "/lyrics/syllables_per_line"),
        ("lyrics/imagery_density", 7, "/lyrics/imagery_density"),
        ("lyrics/pov", "collective", "/lyrics/pov"),
        ("lyrics/language", "eng", "/lyrics/language"),
        ("producer_notes/hooks", -1, "/producer_notes/hooks"),
        ("producer_notes/mix/stereo_width", "huge", "/producer_notes/mix/stereo_width"),
        ("sources/0/kind", "mcp", "/sources/0/kind"),
        ("sources/0/weight", 1.5, "/sources/0/weight"),
        ("prompt_controls/max_style_chars", 0, "/prompt_controls/max_style_chars"),
        ("style/unknown", 1, "/style/unknown"),
        ("render", KeyError, "/render"),
    ],
)
def test_schema_errors_point_at_the_bad_value(path, value, pointer):
    errors = schema_errors("sds", broken(path, value))
    assert pointer in {error[0] for error in errors}, errors


@pytest.mark.parametrize(
    ("path", "value", "pointer"),
    [
        ("style/tags", ["x" * 101], "/style/tags/0"),
        ("style/mood", ["x" * 101], "/style/mood/0"),
        ("style/time_signature", "4/" + "4" * 12, "/style/time_signature"),
        ("lyrics/themes", ["x" * 201], "/lyrics/themes/0"),
        ("lyrics/constraints/max_lines", 2**40, "/lyrics/constraints/max_lines"),
        ("producer_notes/hooks", 40000, "/producer_notes/hooks"),
        ("producer_notes/instrumentation", ["x" * 101], "/producer_notes/instrumentation/0"),
        ("prompt_controls/positive_tags", ["x" * 101], "/prompt_controls/positive_tags/0"),
        ("sources/0/scopes", ["x" * 101], "/sources/0/scopes/0"),
    ],
)
def test_values_the_tables_cannot_hold_are_schema_errors_at_their_pointer(path, value, pointer):
    """What validates also imports: a value too long or large for its column is refused by the schema already."""
    assert pointer in {error[0] for error in schema_errors("sds", broken(path, value))}


def test_seed_identifiers_may_ride_along_but_are_checked():
    assert schema_errors("sds", {**ELF, "song_id": "6b1e0a4e-8d7c-4f9e-9a51-0f5c1b1b7d11", "version": "1.0.0"}) == []
    errors = dict(schema_errors("sds", {**ELF, "song_id": "song-1", "version": "1.0"}))
    assert set(errors) == {"/song_id", "/version"}


def test_the_unedited_reference_example_with_four_instruments_draws_only_a_warning():
    document = broken("style/instrumentation", ["brass", "upright bass", "handclaps", "sleigh bells"])
    assert schema_errors("sds", document) == []
    issues = rules.sds_issues(document)
    assert rules.errors_of(issues) == []
    assert [pointer for pointer, _ in rules.warnings_of(issues)] == ["/style/instrumentation"]


@pytest.mark.parametrize(
    ("path", "value", "pointer", "text"),
    [
        ("style/negative_tags", ["Era:2010s"], "/style/negative_tags", "Era:2010s"),
        ("style/tempo_bpm", [124, 116], "/style/tempo_bpm", "124-116"),
        ("lyrics/section_order", ["Verse", "Bridge"], "/lyrics/section_order", "this system requires at least one"),
        ("lyrics/section_order", ["Verse", "Chorus", "Pre-Chorus"], "/lyrics/hook_strategy", "has 1"),
        (
            "lyrics/source_citations",
            [{"source_id": "a", "weight": 0.7}, {"source_id": "b", "weight": 0.4}],
            "/lyrics/source_citations",
            "1.1",
        ),
        (
            "lyrics/constraints/section_requirements",
            {"Chorus": {"min_lines": 4}},
            "/lyrics/constraints/section_requirements/Chorus/min_lines",
            "hook-heavy",
        ),
        (
            "lyrics/constraints/section_requirements",
            {"Verse": {"min_lines": 8, "max_lines": 4}},
            "/lyrics/constraints/section_requirements/Verse",
            "above the maximum",
        ),
        ("prompt_controls/positive_tags", ["muddy low-end"], "/prompt_controls/negative_tags", "muddy low-end"),
    ],
)
def test_rule_errors_name_the_values(path, value, pointer, text):
    errors = rules.sds_errors(broken(path, value))
    assert any(p == pointer and text in m for p, m in errors), errors


BLUEPRINT = {
    "genre": "Christmas Pop",
    "version": "2025.11",
    "rules": {
        "tempo_bpm": [100, 120],
        "required_sections": ["Verse", "Chorus", "Outro"],
        "conflicting_tags": [["Era:2010s", "Mix:modern-bright"]],
        "section_lines": {"Chorus": {"min": 2, "max": 4}},
        "banned_terms": ["synergy"],
    },
    "eval_rubric": {"weights": {"hook_density": 0.5, "singability": 0.5}, "thresholds": {"min_total": 0.7}},
}


def test_a_source_listed_twice_is_named():
    document = copy.deepcopy(ELF)
    document["sources"].append({**document["sources"][0], "name": "family history document"})
    assert ("/sources/2/name", rules.DUPLICATE_SOURCE.format(name="family history document")) in rules.sds_errors(
        document
    )


def test_blueprint_rules_bpm_conflicts_and_missing_sections_are_named():
    errors = rules.sds_errors(ELF, blueprint=BLUEPRINT)
    messages = dict(errors)
    assert "116-124 is outside the tempo range 100-120" in messages["/style/tempo_bpm"]
    assert "'Era:2010s' and 'Mix:modern-bright' conflict" in messages["/style/tags"]
    assert "Outro" in messages["/lyrics/section_order"]


def test_lyrics_text_meets_blueprint_line_limits_and_banned_terms():
    sections = [
        {"type": "Chorus", "lines": ["one", "two", "three", "four", "five"]},
        {"type": "Verse", "lines": ["We need more Synergy tonight"]},
    ]
    errors = rules.lyrics_errors(ELF["lyrics"], blueprint=BLUEPRINT, sections=sections)
    messages = [m for p, m in errors if p.startswith("/sections")]
    assert any("has 5 lines" in m and "2-4" in m for m in messages)
    assert any("'synergy'" in m for m in messages)


@pytest.mark.parametrize(
    ("weights", "valid"),
    [
        (
            {
                "hook_density": 0.25,
                "singability": 0.2,
                "rhyme_tightness": 0.15,
                "section_completeness": 0.2,
                "profanity_score": 0.2,
            },
            True,
        ),
        ({"hook_density": 0.5, "singability": 0.4}, False),
        ({"hook_density": 0.7, "singability": 0.4}, False),
        ({}, False),
    ],
)
def test_rubric_weights_must_sum_to_one(weights, valid):
    document = {**BLUEPRINT, "eval_rubric": {"weights": weights, "thresholds": {}}}
    errors = rules.blueprint_errors(document)
    assert (errors == []) is valid
    assert schema_errors("blueprint", document) == []


def test_blueprint_tempo_pair_and_conflict_pairs_are_checked():
    document = copy.deepcopy(BLUEPRINT)
    document["rules"]["tempo_bpm"] = [130, 100]
    document["rules"]["conflicting_tags"] = [["Era:1970s", "era:1970s"]]
    pointers = {p for p, _ in rules.blueprint_errors(document)}
    assert pointers == {"/rules/tempo_bpm", "/rules/conflicting_tags/0"}
    empty = {**BLUEPRINT, "rules": {**BLUEPRINT["rules"], "required_sections": []}}
    assert schema_errors("blueprint", empty) == []  # the reference's schema allows it; the PRD's rule does not
    assert [p for p, _ in rules.blueprint_errors(empty)] == ["/rules/required_sections"]


@pytest.mark.parametrize(
    ("influences", "public", "style_of_disallowed", "valid"),
    [
        (["80s synth-pop"], True, True, True),
        (["Taylor Swift"], True, True, False),
        (["taylor swift ballads"], True, False, False),
        (["Taylor Swift"], False, True, True),
        (["in the style of Taylor Swift"], False, True, False),
        (["in the style of Taylor Swift"], False, False, True),
        (["style of the 1970s"], False, True, True),
    ],
)
def test_persona_living_artist_policy(influences, public, style_of_disallowed, valid):
    document = {
        "name": "Nova",
        "kind": "artist",
        "influences": influences,
        "policy": {"public_release": public, "disallow_named_style_of": style_of_disallowed},
    }
    errors = rules.persona_errors(document)
    assert (errors == []) is valid
    if not valid:
        assert errors[0][0] == "/influences/0" and "Taylor Swift" in errors[0][1]


@pytest.mark.parametrize(
    ("structure", "sections"),
    [
        ("Intro–Verse–Pre-Chorus–Chorus", ["Intro", "Verse", "Pre-Chorus", "Chorus"]),
        ("Intro -> Verse -> Chorus", ["Intro", "Verse", "Chorus"]),
        ("Intro, Verse, Chorus", ["Intro", "Verse", "Chorus"]),
        ("Intro-Verse-Chorus", ["Intro", "Verse", "Chorus"]),
        ("Verse", ["Verse"]),
    ],
)
def test_structure_is_split_into_sections(structure, sections):
    assert rules.split_structure(structure) == sections


def test_durations_count_each_appearance_and_must_meet_the_target_within_30_seconds():
    notes = ELF["producer_notes"]  # 10 + 30 + 15 + 25 + 30 + 15 + 25 + 20 + 25 = 195 s
    assert rules.producer_notes_errors(notes, target_duration_sec=200) == []
    assert rules.producer_notes_errors(notes, target_duration_sec=225) == []
    errors = rules.producer_notes_errors(notes, target_duration_sec=226)
    assert errors == [("/section_meta", rules.DURATION_MISMATCH.format(total=195, tolerance=30, target=226))]
    assert rules.producer_notes_errors(notes, target_duration_sec=None) == []


@pytest.mark.parametrize(
    ("name", "chorus"),
    [("Chorus", True), ("Final Chorus", True), ("chorus 2", True), ("Pre-Chorus", False), ("PostChorus", False)],
)
def test_chorus_names(name, chorus):
    assert rules.is_chorus(name) is chorus


@pytest.mark.parametrize(
    ("path", "value", "code", "pointer"),
    [
        ("style/instrumentation", ["a", "b", "c", "d"], "style.instruments_over_three", "/style/instrumentation"),
        ("producer_notes/hooks", 0, "producer_notes.zero_hooks", "/producer_notes/hooks"),
        (
            "producer_notes/section_meta/Outro",
            {"tags": ["fade-out"]},
            "producer_notes.section_not_in_structure",
            "/producer_notes/section_meta/Outro",
        ),
        (
            "producer_notes/structure",
            "Solo–Interlude",
            "producer_notes.structure_lyrics_disjoint",
            "/producer_notes/structure",
        ),
        ("sources/0/deny", ["grandmother"], "source.deny_overrides_allow", "/sources/0/deny"),
    ],
)
def test_reference_prd_warnings_are_warnings_not_errors(path, value, code, pointer):
    issues = rules.sds_issues(broken(path, value))
    assert rules.RULES[code].severity == rules.WARNING
    assert (code, pointer) in {(issue.code, issue.pointer) for issue in issues}
    assert all(issue.severity == rules.WARNING for issue in issues if issue.pointer == pointer)
    assert rules.sds_errors(broken(path, value)) == []


def test_conflicting_persona_delivery_is_a_warning():
    issues = rules.persona_issues({"name": "X", "kind": "artist", "delivery": ["Whispered", "belting"]})
    assert [(i.code, i.pointer) for i in issues] == [("persona.delivery_conflict", "/delivery")]
    assert "Whispered" in issues[0].message and rules.persona_errors({"delivery": ["whispered", "belting"]}) == []


def test_every_rule_function_code_is_in_the_one_table():
    document = broken("style/instrumentation", ["a", "b", "c", "d"])
    document["producer_notes"]["hooks"] = 0
    for issue in rules.sds_issues(document):
        assert issue.code in rules.RULES
    assert {rule.severity for rule in rules.RULES.values()} == {rules.ERROR, rules.WARNING}


@pytest.mark.parametrize(
    ("tempo", "pointer"),
    [([50, 124], "/style/tempo_bpm/0"), ([116, 210], "/style/tempo_bpm/1"), (45, "/style/tempo_bpm")],
)
def test_system_bpm_rule_says_it_is_this_systems_and_what_to_change(tempo, pointer):
    document = broken("style/tempo_bpm", tempo)
    assert schema_errors("sds", document) == []  # the reference's 40-220 accepts it
    errors = dict(rules.sds_errors(document))
    assert "this system's range of 60-200" in errors[pointer]
    assert "choose a tempo between 60 and 200" in errors[pointer]
