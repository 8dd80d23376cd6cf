"""LYRICS: the song's own lyrics text through the policy guards, every change listed.

Lyric drafting by a language model is not part of this platform: a run whose lyrics have no text fails here,
saying what to add. Guards: the blueprint's banned terms and the profanity list (``data.PROFANITY``) become
``[[REDACTED]]`` unless the lyrics allow explicit content (banned terms are redacted always: the blueprint bans
them); e-mail addresses, phone numbers and URLs are redacted; living artists' names become generic influences
when the persona's policy asks for it, as compose does.
"""

from __future__ import annotations

import re

from amcs import compose
from amcs.constants import LIVING_ARTISTS
from amcs.workflow import data
from amcs.workflow.base import NodeFailed, RunInput

NO_TEXT = (
    "The song's lyrics have no text: add the written sections to the song's lyrics "
    '(sections: [{"type": "Verse", "lines": ["..."]}, ...]); this platform does not draft lyrics.'
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)[^\s]+", re.IGNORECASE)
PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")


def term_pattern(terms) -> re.Pattern | None:
    terms = sorted({term.strip().lower() for term in terms if isinstance(term, str) and term.strip()}, key=len)
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in reversed(terms))
    return re.compile(rf"(?<![\w']){'(?:' + alternatives + ')'}(?![\w'])", re.IGNORECASE)


def banned_terms(blueprint: dict) -> list[str]:
    return [term for term in (blueprint.get("rules") or {}).get("banned_terms") or [] if isinstance(term, str)]


def guard(sections: list[dict], *, blueprint: dict, persona: dict | None, explicit: bool) -> tuple[list, list]:
    """``sections`` with the guards applied, and the changes ``{pointer, kind, term}`` in text order."""
    rules_in_order = [("email", EMAIL), ("url", URL), ("phone", PHONE)]
    banned = term_pattern(banned_terms(blueprint))
    if banned is not None:
        rules_in_order.append(("banned_term", banned))
    if not explicit:
        rules_in_order.append(("profanity", term_pattern(data.PROFANITY)))
    sanitise = compose._sanitises(persona)
    out, changes = [], []
    for s_index, section in enumerate(sections):
        lines = []
        for l_index, line in enumerate(section.get("lines") or []):
            pointer = f"/lyrics/sections/{s_index}/lines/{l_index}"
            for kind, pattern in rules_in_order:
                for match in pattern.finditer(line):
                    changes.append({"pointer": pointer, "kind": kind, "term": match.group(0)})
                line = pattern.sub(data.REDACTED, line)
            if sanitise:
                for artist in LIVING_ARTISTS:
                    if re.search(rf"(?<!\w){re.escape(artist)}(?!\w)", line, re.IGNORECASE):
                        changes.append({"pointer": pointer, "kind": "living_artist", "term": artist})
                line = compose.generic(line)
            lines.append(line)
        out.append({"type": section.get("type", ""), "lines": lines})
    return out, changes


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    sections = [s for s in run_input.lyrics.get("sections") or [] if isinstance(s, dict)]
    if not any(line.strip() for section in sections for line in section.get("lines") or []):
        raise NodeFailed(NO_TEXT)
    explicit = bool((run_input.lyrics.get("constraints") or {}).get("explicit", False))
    guarded, changes = guard(sections, blueprint=run_input.blueprint, persona=run_input.persona, explicit=explicit)
    return {"sections": guarded, "changes": changes, "explicit": explicit}
