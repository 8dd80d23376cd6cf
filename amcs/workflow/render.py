"""RENDER: the composed prompt (after the last FIX, if any) handed to the song's render engine (``engines``)."""

from __future__ import annotations

from amcs.workflow.base import RunInput
from amcs.workflow.engines import engine_for


def latest_prompt(upstream: dict) -> dict:
    fixed = (upstream.get("FIX") or {}).get("composed")
    return fixed or upstream["COMPOSE"]


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    render = run_input.sds.get("render") or {}
    engine = engine_for(render.get("engine", "none"))
    return engine.render(prompt=latest_prompt(upstream), variations=render.get("num_variations", 2))
