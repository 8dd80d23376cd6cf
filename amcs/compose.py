"""The composed prompt: an SDS turned into the text a music engine takes, deterministically.

``compose(sds, blueprint=..., persona=...)`` is a pure function of its inputs (no clock, no
randomness, no database): the same SDS and blueprint give the same prompt, byte for byte.

- The style string lists tags in the order era -> genre, sub-genre, fusion -> energy ->
  instrumentation -> rhythm -> vocal -> mix, one tag per category (the style's own tags first,
  then the prompt controls', then tags derived from the style's fields); of two tags the blueprint
  says conflict, the one of lower priority (later in that order) is dropped, and a tag the song
  asks to avoid never appears. Tags of no category follow, in the order given.
- The structure is the producer notes' sections, each as a section tag (``[Chorus: anthemic]``,
  with the notes' tags for that section), followed by its lines when the lyrics have them.
- When the persona's policy asks for it (public release, or no 'style of' a living artist),
  living artists' names become generic influences.
- The result must fit the engine's limits (``amcs/engine_limits.json`` and the song's own); over
  a limit is an error naming the part and its length. It carries a SHA-256 content hash.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from amcs import rules
from amcs.constants import GENERIC_INFLUENCE, GENERIC_INFLUENCES, LIVING_ARTISTS

ENGINE_LIMITS_FILE = Path(__file__).resolve().parent / "engine_limits.json"

#: The categories of the style string, in order.
CATEGORIES = ("era", "genre", "subgenre", "fusion", "energy", "instrumentation", "rhythm", "vocal", "mix")
#: Prefixes of tags that name their category ("Era:1970s"), lower case, to category.
PREFIXES = {
    "era": "era",
    "decade": "era",
    "genre": "genre",
    "subgenre": "subgenre",
    "sub-genre": "subgenre",
    "fusion": "fusion",
    "energy": "energy",
    "mood": "energy",
    "instrument": "instrumentation",
    "instrumentation": "instrumentation",
    "rhythm": "rhythm",
    "groove": "rhythm",
    "tempo": "rhythm",
    "vocal": "vocal",
    "vocals": "vocal",
    "voice": "vocal",
    "mix": "mix",
    "production": "mix",
}
STYLE_TOO_LONG = "The style part has {length} characters; {engine} takes at most {limit}. Drop tags or shorten them."
PROMPT_TOO_LONG = "The prompt has {length} characters; {engine} takes at most {limit}. Shorten the lyrics or sections."


@functools.cache
def engine_limits() -> dict:
    """The engines' limits, read once (``amcs/engine_limits.json``)."""
    data = json.loads(ENGINE_LIMITS_FILE.read_text())
    data.pop("_about", None)
    return data


def limits_for(engine: str, model: str | None, *, style_max: int, prompt_max: int) -> dict:
    """The limits a prompt must meet: the engine's (for its model, or its default) and the song's, whichever is
    smaller."""
    per_engine = engine_limits().get(engine, engine_limits()["none"])
    found = per_engine.get((model or "").lower().removeprefix("chirp-"), per_engine["default"])
    return {"style_max": min(found["style_max"], style_max), "prompt_max": min(found["prompt_max"], prompt_max)}


def _key(tag: str) -> str:
    return tag.strip().lower()


def category_of(tag: str, categories: dict[str, str]) -> str | None:
    """A tag's category: the blueprint's tag categories first, then a 'Category:' prefix."""
    if _key(tag) in categories:
        return categories[_key(tag)]
    prefix, sep, _rest = tag.partition(":")
    if sep:
        return PREFIXES.get(_key(prefix))
    return None


def generic(text: str) -> str:
    """``text`` with every living artist's name replaced by a generic influence."""
    for artist in LIVING_ARTISTS:
        replacement = GENERIC_INFLUENCES.get(artist, GENERIC_INFLUENCE)
        text = re.sub(rf"(?<!\w){re.escape(artist)}(?!\w)", replacement, text, flags=re.IGNORECASE)
    return text


def _sanitises(persona: dict | None) -> bool:
    policy = (persona or {}).get("policy", {})
    return bool(policy.get("public_release", False)) or policy.get("disallow_named_style_of", True) is not False


def style_tags(sds: dict, *, blueprint: dict | None = None, persona: dict | None = None) -> list[str]:
    """The style string's tags, in category order, one per category, conflicts and negative tags resolved."""
    style, controls, notes = sds["style"], sds.get("prompt_controls", {}), sds.get("producer_notes", {})
    categories: dict[str, str] = {}
    for name, tags in ((blueprint or {}).get("tag_categories") or {}).items():
        category = _normal_category(name)
        if category:
            categories.update({_key(tag): category for tag in tags})
    genre = style.get("genre_detail", {})
    tempo = rules.tempo_range(style.get("tempo_bpm"))
    mix = notes.get("mix", {}) if isinstance(notes.get("mix"), dict) else {}
    derived = {
        "genre": [genre.get("primary", "")],
        "subgenre": genre.get("subgenres", [])[:1],
        "fusion": genre.get("fusions", [])[:1],
        "energy": [f"{style['energy']} energy"] if style.get("energy") else [],
        "instrumentation": style.get("instrumentation", [])[:1],
        "rhythm": [f"{tempo[0]} BPM" if tempo[0] == tempo[1] else f"{tempo[0]}-{tempo[1]} BPM"] if tempo else [],
        "vocal": [style["vocal_profile"]] if style.get("vocal_profile") else (persona or {}).get("delivery", [])[:1],
        "mix": [f"{mix['space']} mix"] if mix.get("space") else [],
    }
    given = [*style.get("tags", []), *controls.get("positive_tags", [])]
    avoid = {_key(tag) for tag in [*style.get("negative_tags", []), *controls.get("negative_tags", [])]}
    by_category: dict[str, list[str]] = {category: [] for category in CATEGORIES}
    other: list[str] = []
    for tag in given:
        category = category_of(tag, categories)
        (by_category[category] if category else other).append(tag)
    for category, tags in derived.items():
        by_category[category] += [tag for tag in tags if tag]
    conflicts = {(_key(a), _key(b)) for a, b in rules.conflict_pairs(blueprint or {})}
    conflicts |= {(b, a) for a, b in conflicts}
    chosen: list[str] = []
    for tag in [*(candidates for category in CATEGORIES for candidates in by_category[category][:1]), *other]:
        key = _key(tag)
        if key in avoid or any((key, _key(kept)) in conflicts for kept in chosen):
            continue
        if key not in {_key(kept) for kept in chosen}:
            chosen.append(tag)
    # one per category: a category whose first tag was dropped does not fall back to another of its tags
    if _sanitises(persona):
        chosen = [generic(tag) for tag in chosen]
    return chosen


def _normal_category(name: str) -> str | None:
    key = _key(name).replace("_", "-")
    return PREFIXES.get(key) or (key if key in CATEGORIES else None)


def structure_text(sds: dict) -> tuple[str, dict[str, list[str]]]:
    """The sections as section tags with their lines (the n-th 'Verse' of the structure takes the n-th written
    verse), and the section tags used."""
    notes, lyrics = sds["producer_notes"], sds.get("lyrics", {})
    sections = rules.split_structure(notes["structure"])
    keys = {rules.section_key(name) for name in sections}
    meta = {
        rules.section_key(name): value
        for name, value in (notes.get("section_meta") or {}).items()
        if isinstance(value, dict) and rules.section_key(name) in keys
    }
    written: dict[str, list[list[str]]] = {}
    for section in lyrics.get("sections", []) or []:
        written.setdefault(rules.section_key(section.get("type", "")), []).append(list(section.get("lines", [])))
    used: dict[str, int] = {}
    section_tags: dict[str, list[str]] = {}
    blocks = []
    for name in sections:
        key = rules.section_key(name)
        tags = list(meta.get(key, {}).get("tags", []))
        if tags:
            section_tags[name] = tags
        header = f"[{name}: {', '.join(tags)}]" if tags else f"[{name}]"
        texts = written.get(key, [])
        lines = texts[used.get(key, 0)] if used.get(key, 0) < len(texts) else []
        used[key] = used.get(key, 0) + 1
        blocks.append("\n".join([header, *lines]))
    return "\n\n".join(blocks), section_tags


def compose(
    sds: dict,
    *,
    blueprint: dict | None = None,
    persona: dict | None = None,
) -> dict[str, Any]:
    """The composed prompt of a (valid) SDS: ``text``, ``meta`` (the ``composed_prompt`` schema), the ``style``
    string, the character counts and the content hash. Raises a ValidationError naming the part over its limit."""
    style, controls, render = sds["style"], sds.get("prompt_controls", {}), sds.get("render", {})
    tags = style_tags(sds, blueprint=blueprint, persona=persona)
    style_string = ", ".join(tags)
    structure, section_tags = structure_text(sds)
    negative = list(dict.fromkeys([*style.get("negative_tags", []), *controls.get("negative_tags", [])]))
    tempo = style.get("tempo_bpm")
    lines = [f"Title: {sds['title']}", f"Style: {style_string}"]
    key = style.get("key", {}).get("primary")
    facts = [f"Tempo: {tempo} BPM" if isinstance(tempo, int) else f"Tempo: {tempo[0]}-{tempo[1]} BPM"]
    facts += [f"Key: {key}"] if key else []
    facts += [f"Time: {style.get('time_signature', '4/4')}"]
    lines.append(" · ".join(facts))
    influences = (persona or {}).get("influences", [])
    if influences:
        shown = [generic(item) for item in influences] if _sanitises(persona) else list(influences)
        lines.append("Influences: " + ", ".join(shown))
    if negative:
        lines.append("Avoid: " + ", ".join(negative))
    lines.append("Structure: " + "–".join(rules.split_structure(sds["producer_notes"]["structure"])))
    text = "\n".join(lines) + "\n\n" + structure
    limits = limits_for(
        render.get("engine", "none"),
        render.get("model"),
        style_max=controls.get("max_style_chars", 1000),
        prompt_max=controls.get("max_prompt_chars", 5000),
    )
    engine = " ".join(part for part in (render.get("engine", "none"), render.get("model") or "") if part)
    errors = {}
    if len(style_string) > limits["style_max"]:
        errors["style"] = [STYLE_TOO_LONG.format(length=len(style_string), engine=engine, limit=limits["style_max"])]
    if len(text) > limits["prompt_max"]:
        errors["text"] = [PROMPT_TOO_LONG.format(length=len(text), engine=engine, limit=limits["prompt_max"])]
    if errors:
        raise ValidationError(errors)
    meta = {
        "title": sds["title"],
        "genre": style["genre_detail"]["primary"],
        "tempo_bpm": tempo,
        "structure": sds["producer_notes"]["structure"],
        "style_tags": tags,
        "negative_tags": negative,
        "section_tags": section_tags,
        "model_limits": limits,
    }
    canonical = json.dumps({"text": text, "meta": meta}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {
        "text": text,
        "meta": meta,
        "style": style_string,
        "style_char_count": len(style_string),
        "total_char_count": len(text),
        "content_hash": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    }
