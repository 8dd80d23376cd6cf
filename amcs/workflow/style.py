"""STYLE: the style normalised against the blueprint, every change listed with its reason.

Tempo clamped into the blueprint's range; instrumentation cut to ``MAX_INSTRUMENTS``; of two tags the blueprint
says conflict, the one compose ranks lower (later category, else later in the list) is dropped; a tag the song
also asks to avoid is dropped.
"""

from __future__ import annotations

import copy

from amcs import compose, rules
from amcs.constants import MAX_INSTRUMENTS
from amcs.workflow.base import RunInput


def blueprint_tempo(blueprint: dict) -> tuple[int, int] | None:
    tempo = (blueprint.get("rules") or {}).get("tempo_bpm")
    if isinstance(tempo, dict) and isinstance(tempo.get("min"), int) and isinstance(tempo.get("max"), int):
        return tempo["min"], tempo["max"]
    return rules.tempo_range(tempo)


def _rank(tag: str, position: int, categories: dict[str, str]) -> tuple[int, int]:
    category = compose.category_of(tag, categories)
    return (compose.CATEGORIES.index(category) if category else len(compose.CATEGORIES), position)


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    style = copy.deepcopy(run_input.sds.get("style") or {})
    changes = []
    bounds = blueprint_tempo(run_input.blueprint)
    tempo = style.get("tempo_bpm")
    if bounds is not None and rules.tempo_range(tempo) is not None:
        low, high = bounds
        clamped = min(max(tempo, low), high) if isinstance(tempo, int) else [min(max(v, low), high) for v in tempo]
        if clamped != tempo:
            changes.append(
                {
                    "pointer": "/style/tempo_bpm",
                    "from": tempo,
                    "to": clamped,
                    "reason": f"clamped into the blueprint's tempo range {low}-{high} BPM",
                }
            )
            style["tempo_bpm"] = clamped
    instruments = list(style.get("instrumentation") or [])
    if len(instruments) > MAX_INSTRUMENTS:
        style["instrumentation"] = instruments[:MAX_INSTRUMENTS]
        changes.append(
            {
                "pointer": "/style/instrumentation",
                "from": instruments,
                "to": style["instrumentation"],
                "reason": f"cut to the first {MAX_INSTRUMENTS} instruments",
            }
        )
    categories: dict[str, str] = {}
    for name, tags in (run_input.blueprint.get("tag_categories") or {}).items():
        category = compose._normal_category(name)
        if category and isinstance(tags, list):
            categories.update({compose._key(tag): category for tag in tags if isinstance(tag, str)})
    conflicts = {(compose._key(a), compose._key(b)) for a, b in rules.conflict_pairs(run_input.blueprint)}
    conflicts |= {(b, a) for a, b in conflicts}
    controls = run_input.sds.get("prompt_controls") or {}
    avoid = {compose._key(tag) for tag in [*style.get("negative_tags", []), *controls.get("negative_tags", [])]}
    tags = list(style.get("tags") or [])
    ranked = sorted(range(len(tags)), key=lambda i: _rank(tags[i], i, categories))
    kept: list[int] = []
    for i in ranked:
        key = compose._key(tags[i])
        if key in avoid:
            changes.append(
                {"pointer": f"/style/tags/{i}", "from": tags[i], "to": None, "reason": "also a negative tag"}
            )
            continue
        rival = next((tags[k] for k in kept if (key, compose._key(tags[k])) in conflicts), None)
        if rival is not None:
            changes.append(
                {
                    "pointer": f"/style/tags/{i}",
                    "from": tags[i],
                    "to": None,
                    "reason": f"conflicts with '{rival}' in the blueprint, which ranks first",
                }
            )
            continue
        kept.append(i)
    style["tags"] = [tags[i] for i in sorted(kept)]
    return {"style": style, "changes": changes}
