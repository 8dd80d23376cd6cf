"""PRODUCER: section durations from the target duration, hook placement and mix parameters.

A section the producer notes give a duration keeps it; the rest of the target is split over the other sections by
the weights of ``data.SECTION_DURATION_WEIGHTS`` (whole seconds, largest remainder), so the durations add up to
the target exactly when the given ones fit in it (otherwise to their own sum, and the output says so). Hooks go to
the plan's hook positions, first to last, as many as the notes ask (at least one per hook section when they say
nothing).
"""

from __future__ import annotations

from amcs import rules
from amcs.workflow import data
from amcs.workflow.base import RunInput
from amcs.workflow.plan import split


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    plan = upstream["PLAN"]
    notes = run_input.sds.get("producer_notes") or {}
    meta = {rules.section_key(k): v for k, v in (notes.get("section_meta") or {}).items() if isinstance(v, dict)}
    target = plan["target_duration_sec"]
    given = [meta.get(rules.section_key(s["name"]), {}).get("target_duration_sec") for s in plan["sections"]]
    fixed = sum(value for value in given if isinstance(value, int))
    free = [i for i, value in enumerate(given) if not isinstance(value, int)]
    weights = [
        data.SECTION_DURATION_WEIGHTS.get(rules.section_key(plan["sections"][i]["name"]), data.DEFAULT_SECTION_WEIGHT)
        for i in free
    ]
    rest = split(max(target - fixed, 0), weights) if free else []
    durations = list(given)
    for i, seconds in zip(free, rest, strict=True):
        durations[i] = seconds
    hooks = notes.get("hooks")
    positions = plan["hook_positions"]
    placed = positions[: hooks if isinstance(hooks, int) else len(positions)]
    mix = {**data.DEFAULT_MIX, **{k: v for k, v in (notes.get("mix") or {}).items() if k in data.DEFAULT_MIX}}
    sections = [
        {
            "index": section["index"],
            "name": section["name"],
            "duration_sec": durations[section["index"]],
            "tags": list(meta.get(rules.section_key(section["name"]), {}).get("tags") or []),
            "hook": section["index"] in placed,
        }
        for section in plan["sections"]
    ]
    total = sum(durations)
    return {
        "sections": sections,
        "total_sec": total,
        "target_sec": target,
        "within_target": abs(total - target) <= 1,
        "hooks": placed,
        "mix": mix,
    }
