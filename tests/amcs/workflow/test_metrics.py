"""The rubric metrics and VALIDATE's verdict, on hand-made lyrics (definitions: docs/domain-map.md, "Rubric")."""

import pytest

from amcs.workflow import metrics
from amcs.workflow.base import NodeFailed, RunInput
from amcs.workflow.validate import score


def blueprint(**rubric):
    return {
        "genre": "Pop",
        "version": "2025.11",
        "rules": {
            "tempo_bpm": [90, 130],
            "required_sections": ["Verse", "Chorus"],
            "section_lines": {"Verse": {"min": 2, "max": 6}, "Chorus": {"min": 2, "max": 4}},
            "banned_terms": ["synergy"],
        },
        "eval_rubric": rubric
        or {
            "weights": {
                "hook_density": 0.25,
                "singability": 0.20,
                "rhyme_tightness": 0.15,
                "section_completeness": 0.20,
                "profanity_score": 0.20,
            },
            "thresholds": {"min_total": 0.75, "max_profanity": 0.1},
        },
    }


def run_input(bp=None):
    return RunInput(sds={"lyrics": {}}, blueprint=bp or blueprint())


def test_syllables_are_vowel_groups_at_least_one_a_word():
    assert [metrics.syllables(word) for word in ("night", "water", "rhythm", "beautiful", "queue")] == [1, 2, 1, 3, 1]
    assert metrics.line_syllables("Neon on the water") == 5  # "eo" is one group: 1 + 1 + 1 + 2
    assert metrics.line_syllables("[[REDACTED]]") == 0


def test_hook_density_counts_lines_sharing_three_chorus_words():
    sections = [
        {"type": "Verse", "lines": ["I saw you at the station", "we drive until the dawn comes", "nothing else"]},
        {"type": "Chorus", "lines": ["we drive until the dawn", "la la"]},
    ]
    # lines with a chorus trigram: verse line 2 and chorus line 1; "la la" has no trigram
    assert metrics.hook_density(sections) == pytest.approx(2 / 5)
    assert metrics.hook_density([{"type": "Verse", "lines": ["a b c d"]}]) == 0.0


def test_singability_is_one_minus_the_coefficient_of_variation_per_section():
    even = [{"type": "Verse", "lines": ["one two three four", "five six sev en"]}]  # 4 and 4 syllables
    assert metrics.singability(even) == pytest.approx(1.0)
    uneven = [{"type": "Verse", "lines": ["go", "go go go"]}]  # 1 and 3: mean 2, pstdev 1, cv 0.5
    assert metrics.singability(uneven) == pytest.approx(0.5)
    both = even + uneven
    assert metrics.singability(both) == pytest.approx(0.75)
    wild = [{"type": "Verse", "lines": ["a", "a", " ".join(["a"] * 30)]}]  # cv above 1
    assert metrics.singability(wild) == 0.0  # floored


def test_rhyme_tightness_compares_the_last_vowel_group_and_what_follows_within_sections():
    assert metrics.ending("Out in the night!") == "ight"
    assert metrics.rhymes("into the night", "the morning light")
    assert not metrics.rhymes("into the night", "the morning sun")
    sections = [
        {"type": "Verse", "lines": ["the night", "the light", "the sun", "the run"]},  # yes, no, yes
        {"type": "Chorus", "lines": ["a fire", "a door"]},  # no; no pair across sections
    ]
    assert metrics.rhyme_tightness(sections) == pytest.approx(2 / 4)
    assert metrics.rhyme_tightness([{"type": "Verse", "lines": ["alone"]}]) == 0.0


def test_section_completeness_needs_each_required_section_with_its_minimum_lines():
    sections = [{"type": "Verse", "lines": ["a", "b"]}, {"type": "Chorus", "lines": ["c"]}]
    assert metrics.section_completeness(sections, ["Verse", "Chorus"], {"chorus": 2}) == pytest.approx(0.5)
    assert metrics.section_status(sections, ["Verse", "Chorus", "Bridge"], {"chorus": 2}) == {
        "Verse": "ok",
        "Chorus": "short",
        "Bridge": "missing",
    }
    assert metrics.section_completeness(sections, [], {}) == 1.0


def test_profanity_score_drops_per_flagged_term_per_line():
    clean = [{"type": "Verse", "lines": ["a", "b", "c", "d"]}]
    assert metrics.profanity_score(clean, []) == 1.0
    dirty = [{"type": "Verse", "lines": ["damn it", "pure synergy", "c", "[[REDACTED]] d"]}]
    assert metrics.profanity_score(dirty, ["synergy"]) == pytest.approx(1 - 2 / 4)


GOOD = [
    {"type": "Verse", "lines": ["we ride into the night", "the city burning bright"]},
    {"type": "Chorus", "lines": ["hold on to the light", "hold on to the light"]},
]


def test_validate_weighs_the_metrics_and_passes_good_lyrics():
    report = score(GOOD, run_input())
    scores = report["scores"]
    assert scores["hook_density"] == pytest.approx(0.5)
    assert scores["rhyme_tightness"] == 1.0 and scores["section_completeness"] == 1.0
    expected = 0.25 * 0.5 + 0.2 * scores["singability"] + 0.15 + 0.2 + 0.2
    assert scores["total"] == pytest.approx(expected, abs=1e-6)
    assert report["verdict"] == "pass"
    # a passing song still hears about a metric under min_total
    assert [(issue["code"], issue["metric"]) for issue in report["issues"]] == [("metric_low", "hook_density")]


def test_borderline_is_within_five_hundredths_under_min_total_and_fail_below():
    total = score(GOOD, run_input())["scores"]["total"]
    bp = blueprint(
        weights={
            "hook_density": 0.25,
            "singability": 0.2,
            "rhyme_tightness": 0.15,
            "section_completeness": 0.2,
            "profanity_score": 0.2,
        },
        thresholds={"min_total": round(total + 0.03, 6), "max_profanity": 0.1},
    )
    assert score(GOOD, run_input(bp))["verdict"] == "borderline"
    bp["eval_rubric"]["thresholds"]["min_total"] = round(total + 0.06, 6)
    assert score(GOOD, run_input(bp))["verdict"] == "fail"


def test_profanity_over_the_allowance_fails_with_pointed_issues():
    lyrics = [GOOD[0], {"type": "Chorus", "lines": ["hold on to the shit", "hold on to the light"]}]
    report = score(lyrics, run_input())
    assert report["verdict"] == "fail"
    profane = [issue for issue in report["issues"] if issue["code"] == "profanity"]
    assert profane == [
        {
            "code": "profanity",
            "pointer": "/lyrics/sections/1/lines/0",
            "metric": "profanity_score",
            "message": "Flagged term 'shit'.",
            "suggestion": profane[0]["suggestion"],
        }
    ]


def test_missing_and_long_sections_are_issues_with_pointers_and_suggestions():
    lyrics = [{"type": "Verse", "lines": [f"line {n} of the night" for n in range(8)]}]
    codes = {(issue["code"], issue["pointer"]) for issue in score(lyrics, run_input())["issues"]}
    assert ("missing_section", "/lyrics/sections") in codes and ("long_section", "/lyrics/sections/0") in codes
    assert all(issue["suggestion"] for issue in score(lyrics, run_input())["issues"])


def test_a_weight_for_an_unknown_metric_is_an_error_naming_it():
    bp = blueprint(weights={"hook_density": 0.5, "groove_quality": 0.5}, thresholds={"min_total": 0.7})
    with pytest.raises(NodeFailed, match="groove_quality"):
        score(GOOD, run_input(bp))
