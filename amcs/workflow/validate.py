"""VALIDATE: the rubric scores of the lyrics (``metrics``), the weighted total, the verdict and the issues.

The total weighs the blueprint's metrics by its weights (a weight for a metric this system does not compute is an
error naming it); ``pass`` at ``min_total`` or above, ``borderline`` below it by less than 0.05, ``fail`` below
that, when flagged terms per line exceed ``max_profanity`` or when a section has more lines than its maximum.
Each issue carries a code, a JSON pointer into the run's lyrics, the metric, a message and a suggestion.
"""

from __future__ import annotations

from amcs import rules
from amcs.constants import DEFAULT_RUBRIC_WEIGHTS
from amcs.workflow import data, metrics
from amcs.workflow.base import NodeFailed, RunInput
from amcs.workflow.lyrics import banned_terms
from amcs.workflow.plan import _ranges

UNKNOWN_METRIC = (
    "Blueprint {blueprint} weights the metric '{metric}', which this system does not compute "
    "(it computes {known}); remove its weight or set it to 0."
)
PASS, BORDERLINE, FAIL = "pass", "borderline", "fail"


def rubric(blueprint: dict) -> tuple[dict[str, float], float, float]:
    """The blueprint's weights, ``min_total`` and ``max_profanity``."""
    rubric_doc = blueprint.get("eval_rubric") or {}
    weights = rubric_doc.get("weights")
    if not isinstance(weights, dict) or not weights:
        weights = dict(DEFAULT_RUBRIC_WEIGHTS)
    thresholds = rubric_doc.get("thresholds") or {}
    return weights, float(thresholds.get("min_total", 0.75)), float(thresholds.get("max_profanity", 0.1))


def lyrics_sections(upstream: dict) -> list[dict]:
    return (upstream.get("FIX") or upstream["LYRICS"])["sections"]


def score(sections: list[dict], run_input: RunInput, *, required: list[str] | None = None) -> dict:
    weights, min_total, max_profanity = rubric(run_input.blueprint)
    known = set(DEFAULT_RUBRIC_WEIGHTS)
    for metric, weight in sorted(weights.items()):
        if metric not in known and weight:
            raise NodeFailed(
                UNKNOWN_METRIC.format(
                    blueprint=rules.blueprint_label(run_input.blueprint), metric=metric, known=", ".join(sorted(known))
                )
            )
    if required is None:
        required = [name for name in run_input.rules.get("required_sections") or [] if isinstance(name, str)]
    ranges = _ranges(run_input)
    minimum = {key: value.get("min", 0) for key, value in ranges.items()}
    banned = banned_terms(run_input.blueprint)
    scores = {
        "hook_density": metrics.hook_density(sections),
        "singability": metrics.singability(sections),
        "rhyme_tightness": metrics.rhyme_tightness(sections),
        "section_completeness": metrics.section_completeness(sections, required, minimum),
        "profanity_score": metrics.profanity_score(sections, banned),
    }
    scores = {name: round(value, 6) for name, value in scores.items()}
    weight_sum = sum(weight for name, weight in weights.items() if name in known) or 1.0
    total = round(sum(scores[name] * weight for name, weight in weights.items() if name in known) / weight_sum, 6)
    profane = metrics.profanity_share(sections, banned) > max_profanity
    issues = _issues(sections, run_input, scores, required, ranges, banned, min_total, profane)
    too_long = any(issue["code"] == "long_section" for issue in issues)
    if profane or too_long or total < min_total - data.BORDERLINE_MARGIN:
        verdict = FAIL
    elif total < min_total:
        verdict = BORDERLINE
    else:
        verdict = PASS
    return {
        "scores": {**scores, "total": total},
        "weights": {name: weights[name] for name in sorted(weights)},
        "thresholds": {"min_total": min_total, "max_profanity": max_profanity},
        "verdict": verdict,
        "issues": issues,
    }


SUGGESTIONS = {
    "hook_density": "Repeat a chorus phrase of three or more words in more lines.",
    "singability": "Even out the syllables per line within each section.",
    "rhyme_tightness": "End adjacent lines with words that share their last vowel sound and what follows it.",
    "section_completeness": "Write every section the blueprint requires, with at least its minimum lines.",
    "profanity_score": "Replace the flagged terms, or allow explicit content if the song is meant to carry them.",
}


def _issues(sections, run_input, scores, required, ranges, banned, min_total, profane) -> list[dict]:
    issues = []
    minimum = {key: value.get("min", 0) for key, value in ranges.items()}
    status = metrics.section_status(sections, required, minimum)
    for name in required:
        if status[name] == "missing":
            lines = max(minimum.get(rules.section_key(name), 1), 1)
            issues.append(
                {
                    "code": "missing_section",
                    "pointer": "/lyrics/sections",
                    "metric": "section_completeness",
                    "message": f"The lyrics have no '{name}', which the blueprint requires.",
                    "suggestion": f"Add a '{name}' section of at least {lines} line(s).",
                    "section": name,
                }
            )
    for index, section in enumerate(sections):
        key = rules.section_key(section.get("type", ""))
        count = len(metrics.text_lines([section]))
        low, high = ranges.get(key, {}).get("min"), ranges.get(key, {}).get("max")
        if low is not None and count < low:
            issues.append(
                {
                    "code": "short_section",
                    "pointer": f"/lyrics/sections/{index}",
                    "metric": "section_completeness",
                    "message": f"'{section.get('type')}' has {count} lines; it needs at least {low}.",
                    "suggestion": f"Write {low - count} more line(s) in this section.",
                }
            )
        if high is not None and count > high:
            issues.append(
                {
                    "code": "long_section",
                    "pointer": f"/lyrics/sections/{index}",
                    "metric": "section_completeness",
                    "message": f"'{section.get('type')}' has {count} lines; it allows at most {high}.",
                    "suggestion": f"Cut or move {count - high} line(s).",
                }
            )
    if profane:
        for s_index, l_index, term in metrics.flagged_terms(sections, banned):
            issues.append(
                {
                    "code": "profanity",
                    "pointer": f"/lyrics/sections/{s_index}/lines/{l_index}",
                    "metric": "profanity_score",
                    "message": f"Flagged term '{term}'.",
                    "suggestion": SUGGESTIONS["profanity_score"],
                }
            )
    for name in ("hook_density", "singability", "rhyme_tightness"):
        if scores[name] < min_total:
            issues.append(
                {
                    "code": "metric_low",
                    "pointer": "/lyrics/sections",
                    "metric": name,
                    "message": f"{name.replace('_', ' ').capitalize()} is {scores[name]:.2f}, under {min_total:.2f}.",
                    "suggestion": SUGGESTIONS[name],
                }
            )
    return issues


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    return score(lyrics_sections(upstream), run_input, required=upstream["PLAN"]["required_sections"])
