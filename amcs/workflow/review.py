"""REVIEW: the artifact list with hashes, the citations summary, and the final status of the run and the song.

The song is ``validated`` when nothing was rendered (engine ``none``), ``rendered`` when an external render
delivered audio. Citations list the SDS's sources (name and weight, by name) and the lyrics' citations (source and
weight, in the lyrics' order); no ids of this system, times or other varying values.
"""

from __future__ import annotations

from amcs.workflow.base import RunInput
from amcs.workflow.render import latest_prompt


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    prompt = latest_prompt(upstream)
    audio = upstream.get("RENDER_RESULT")
    sources = sorted(
        (
            {"name": source.get("name", ""), "weight": source.get("weight", 0.5)}
            for source in run_input.sds.get("sources") or []
            if isinstance(source, dict)
        ),
        key=lambda source: (source["name"].lower(), source["name"]),
    )
    cited = [
        {"source_id": citation.get("source_id"), "weight": citation.get("weight")}
        for citation in run_input.lyrics.get("source_citations") or []
        if isinstance(citation, dict)
    ]
    artifacts = [dict(step) for step in upstream.get("_steps", [])]
    artifacts.append({"node": "COMPOSE", "kind": "composed_prompt", "sha256": prompt["content_hash"]})
    if audio:
        artifacts.append({"node": "RENDER", "kind": "audio", "sha256": audio["sha256"]})
    return {
        "artifacts": artifacts,
        "citations": {
            "sources": sources,
            "lyrics": cited,
            "weight_total": round(sum(c["weight"] or 0 for c in cited), 6),
        },
        "verdict": upstream["VALIDATE"]["verdict"],
        "scores": upstream["VALIDATE"]["scores"],
        "run_status": "completed",
        "song_status": "rendered" if audio else "validated",
    }
