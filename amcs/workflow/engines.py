"""Render engines: what RENDER asks of the engine a song names.

``none`` renders nothing and says so; every other engine (``external``, and ``suno``/``udio``, which this platform
has no client for) is external: RENDER creates a render job holding the composed prompt, an external renderer
completes it (``POST /api/amcs/render-jobs/{id}/complete/``) or fails it, and the run waits without a worker.
"""

from __future__ import annotations


class RenderEngine:
    name = ""
    #: whether the run waits for a render job an external renderer completes
    external = False

    def render(self, *, prompt: dict, variations: int) -> dict:
        raise NotImplementedError


class NoEngine(RenderEngine):
    name = "none"

    def render(self, *, prompt: dict, variations: int) -> dict:
        return {
            "engine": self.name,
            "rendered": False,
            "waiting": False,
            "prompt_hash": prompt["content_hash"],
            "note": "Render engine 'none': nothing is rendered; the composed prompt is the result.",
        }


class ExternalEngine(RenderEngine):
    external = True

    def __init__(self, name: str = "external"):
        self.name = name

    def render(self, *, prompt: dict, variations: int) -> dict:
        return {
            "engine": self.name,
            "rendered": False,
            "waiting": True,
            "prompt_hash": prompt["content_hash"],
            "variations": variations,
            "note": "A render job holds the composed prompt until an external renderer completes or fails it.",
        }


def engine_for(name: str) -> RenderEngine:
    return NoEngine() if name in ("", "none") else ExternalEngine(name)
