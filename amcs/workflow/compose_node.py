"""COMPOSE: the existing compose (``amcs.compose``) fed by the nodes before it: STYLE's normalised style,
the guarded lyrics and PRODUCER's section durations."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError

from amcs import compose
from amcs.workflow.base import NodeFailed, RunInput


def composed(run_input: RunInput, upstream: dict, sections: list[dict]) -> dict:
    sds = copy.deepcopy(run_input.sds)
    sds["style"] = upstream["STYLE"]["style"]
    sds["lyrics"] = {**sds.get("lyrics", {}), "sections": sections}
    notes = sds.setdefault("producer_notes", {})
    meta = dict(notes.get("section_meta") or {})
    for section in upstream["PRODUCER"]["sections"]:
        entry = dict(meta.get(section["name"]) or {})
        entry["target_duration_sec"] = section["duration_sec"]
        meta[section["name"]] = entry
    notes["section_meta"] = meta
    try:
        result = compose.compose(sds, blueprint=run_input.blueprint, persona=run_input.persona)
    except ValidationError as error:
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in sorted(error.message_dict.items()))
        raise NodeFailed(f"The composed prompt is over the engine's limits: {problems}") from error
    return result


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    return composed(run_input, upstream, upstream["LYRICS"]["sections"])
