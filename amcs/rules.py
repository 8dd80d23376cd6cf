"""The AMCS rules, written once over plain documents (the JSON shapes of ``amcs/schemas``).

Each function takes an entity's document and returns ``(pointer, message)`` pairs, pointers
relative to that document. Model ``clean()`` methods build their document and call these (so
the admin, the API and the services meet them); the SDS validation calls them with the
document's own parts and prefixes the pointers. Messages name the offending tags, values or
sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amcs.constants import DURATION_TOLERANCE_SEC, LIVING_ARTISTS, WEIGHT_TOLERANCE

Error = tuple[str, str]

HOOK_STRATEGIES_NEEDING_TWO_CHORUSES = ("lyrical", "chant")
STRUCTURE_SEPARATORS = re.compile(r"\s*(?:–|—|->|→|>|,|\||/|\s-\s)\s*")

MISSING_CHORUS = "The section order needs at least one chorus."
TWO_CHORUSES = "A {strategy} hook strategy needs two or more choruses; the section order has {count}."
CITATION_WEIGHTS = "Citation weights sum to {total:g}; they may sum to at most 1.0."
TAGS_BOTH_WAYS = "Tags both positive and negative: {tags}."
TAGS_CONFLICT = "Tags '{first}' and '{second}' conflict in blueprint {blueprint}."
TEMPO_BACKWARDS = "The tempo range {low}-{high} runs backwards: the maximum must be at least the minimum."
TEMPO_OUTSIDE = "BPM {low}-{high} is outside the tempo range {min}-{max} of blueprint {blueprint}."
MISSING_SECTIONS = "Missing section(s) that blueprint {blueprint} requires: {sections}."
SECTION_NOT_IN_STRUCTURE = "Section '{section}' is not in the structure ({structure})."
DURATION_MISMATCH = (
    "Section durations add up to {total} s, more than {tolerance} s away from the song's target of {target} s."
)
RUBRIC_WEIGHTS = "Rubric weights sum to {total:g}; they must sum to 1.0."
LINES_BACKWARDS = "Section '{section}': the minimum of {low} lines is above the maximum of {high}."
HOOK_HEAVY_CHORUS = "A hook-heavy repetition policy needs choruses of at least 6 lines; '{section}' asks for {lines}."
SECTION_LINES = "Section {index} ('{section}') has {count} lines; blueprint {blueprint} allows {low}-{high}."
BANNED_TERM = "Section {index} ('{section}') uses the term '{term}' that blueprint {blueprint} bans."
LIVING_ARTIST = "A public-release persona may not name a living artist as an influence: {artist}."
STYLE_OF_ARTIST = "'style of {artist}' names a living artist, which this persona's policy forbids."
ALLOW_AND_DENY = "Terms both allowed and denied: {terms}."
PAIR_SAME_TAG = "A conflicting pair needs two different tags, not '{tag}' twice."
DUPLICATE_SOURCE = "Source '{name}' is listed more than once; an SDS lists each source once."


def section_key(name: str) -> str:
    """A section name reduced for comparison: 'Pre-Chorus', 'PreChorus' and 'pre chorus' are one section."""
    return re.sub(r"[^a-z]", "", name.lower())


def is_chorus(name: str) -> bool:
    key = section_key(name)
    return key.endswith("chorus") and not key.startswith(("pre", "post"))


def split_structure(structure: str) -> list[str]:
    """The sections of a written structure such as 'Intro–Verse–Pre-Chorus–Chorus' (en dash, arrows, commas)."""
    parts = STRUCTURE_SEPARATORS.split(structure.strip())
    if len(parts) == 1 and "-" in structure and not re.search(r"pre-|post-", structure, re.IGNORECASE):
        parts = structure.split("-")
    return [part.strip() for part in parts if part.strip()]


def _folded(values: Iterable[str]) -> dict[str, str]:
    return {value.strip().lower(): value for value in values}


def blueprint_label(blueprint: dict) -> str:
    return f"{blueprint.get('genre', '?')} {blueprint.get('version', '?')}"


def tag_overlap_errors(positive: Iterable[str], negative: Iterable[str], at: str) -> list[Error]:
    pos, neg = _folded(positive), _folded(negative)
    both = sorted(pos[key] for key in pos.keys() & neg.keys())
    return [(at, TAGS_BOTH_WAYS.format(tags=", ".join(both)))] if both else []


def tempo_range(tempo) -> tuple[int, int] | None:
    if isinstance(tempo, bool):
        return None
    if isinstance(tempo, int):
        return tempo, tempo
    if isinstance(tempo, list) and len(tempo) == 2 and all(isinstance(v, int) for v in tempo):
        return tempo[0], tempo[1]
    return None


def style_errors(style: dict, *, blueprint: dict | None = None) -> list[Error]:
    """Tags never both positive and negative, no pair the blueprint forbids, BPM inside its tempo range."""
    errors = tag_overlap_errors(style.get("tags", []), style.get("negative_tags", []), "/negative_tags")
    bpm = tempo_range(style.get("tempo_bpm"))
    if bpm and bpm[0] > bpm[1]:
        errors.append(("/tempo_bpm", TEMPO_BACKWARDS.format(low=bpm[0], high=bpm[1])))
    if blueprint:
        rules = blueprint.get("rules", {})
        tags = _folded(style.get("tags", []))
        for first, second in rules.get("conflicting_tags", []):
            if first.strip().lower() in tags and second.strip().lower() in tags:
                errors.append(
                    ("/tags", TAGS_CONFLICT.format(first=first, second=second, blueprint=blueprint_label(blueprint)))
                )
        limits = tempo_range(rules.get("tempo_bpm"))
        if bpm and limits and (bpm[0] < limits[0] or bpm[1] > limits[1]):
            errors.append(
                (
                    "/tempo_bpm",
                    TEMPO_OUTSIDE.format(
                        low=bpm[0], high=bpm[1], min=limits[0], max=limits[1], blueprint=blueprint_label(blueprint)
                    ),
                )
            )
    return errors


def lyrics_errors(lyrics: dict, *, blueprint: dict | None = None, sections: list | None = None) -> list[Error]:
    """Choruses, hook strategy, citation weights, line requirements and the blueprint's sections and terms.

    ``sections`` is the written text (``[{"type", "lines"}]``), which lives on the model, not in the SDS.
    """
    errors: list[Error] = []
    order = [name for name in lyrics.get("section_order", []) if isinstance(name, str)]
    choruses = sum(1 for name in order if is_chorus(name))
    if order and choruses == 0:
        errors.append(("/section_order", MISSING_CHORUS))
    strategy = lyrics.get("hook_strategy")
    if strategy in HOOK_STRATEGIES_NEEDING_TWO_CHORUSES and choruses < 2:
        errors.append(("/hook_strategy", TWO_CHORUSES.format(strategy=strategy, count=choruses)))
    weights = [c.get("weight") for c in lyrics.get("source_citations", []) if isinstance(c, dict)]
    total = sum(w for w in weights if isinstance(w, int | float) and not isinstance(w, bool))
    if total > 1.0 + WEIGHT_TOLERANCE:
        errors.append(("/source_citations", CITATION_WEIGHTS.format(total=round(total, 6))))
    requirements = lyrics.get("constraints", {}).get("section_requirements", {})
    for section, requirement in requirements.items():
        low, high = requirement.get("min_lines"), requirement.get("max_lines")
        at = f"/constraints/section_requirements/{section}"
        if isinstance(low, int) and isinstance(high, int) and low > high:
            errors.append((at, LINES_BACKWARDS.format(section=section, low=low, high=high)))
        if lyrics.get("repetition_policy") == "hook-heavy" and is_chorus(section) and isinstance(low, int) and low < 6:
            errors.append((at + "/min_lines", HOOK_HEAVY_CHORUS.format(section=section, lines=low)))
    if blueprint:
        errors.extend(_blueprint_lyrics_errors(order, blueprint, sections or []))
    return errors


def _blueprint_lyrics_errors(order: list[str], blueprint: dict, sections: list) -> list[Error]:
    errors: list[Error] = []
    rules = blueprint.get("rules", {})
    label = blueprint_label(blueprint)
    present = {section_key(name) for name in order}
    missing = [name for name in rules.get("required_sections", []) if section_key(name) not in present]
    if missing:
        errors.append(("/section_order", MISSING_SECTIONS.format(blueprint=label, sections=", ".join(missing))))
    limits = {section_key(name): value for name, value in rules.get("section_lines", {}).items()}
    banned = [term for term in rules.get("banned_terms", []) if term.strip()]
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        name = str(section.get("type", ""))
        lines = [line for line in section.get("lines", []) if isinstance(line, str)]
        limit = limits.get(section_key(name))
        if limit and lines:
            low, high = limit.get("min", 0), limit.get("max")
            if len(lines) < low or (high is not None and len(lines) > high):
                errors.append(
                    (
                        f"/sections/{index}/lines",
                        SECTION_LINES.format(
                            index=index, section=name, count=len(lines), blueprint=label, low=low, high=high or "∞"
                        ),
                    )
                )
        text = "\n".join(lines).lower()
        for term in banned:
            if re.search(rf"\b{re.escape(term.lower())}\b", text):
                errors.append(
                    (
                        f"/sections/{index}/lines",
                        BANNED_TERM.format(index=index, section=name, term=term, blueprint=label),
                    )
                )
    return errors


def producer_notes_errors(notes: dict, *, target_duration_sec: int | None = None) -> list[Error]:
    """Section metadata keys appear in the structure; durations add up to the song's target within 30 s.

    A section's duration counts once per appearance in the structure (three choruses play three times).
    """
    errors: list[Error] = []
    structure = notes.get("structure") if isinstance(notes.get("structure"), str) else ""
    sections = split_structure(structure)
    keys = {section_key(name) for name in sections}
    meta = notes.get("section_meta", {}) if isinstance(notes.get("section_meta"), dict) else {}
    for name in meta:
        if section_key(name) not in keys:
            errors.append((f"/section_meta/{name}", SECTION_NOT_IN_STRUCTURE.format(section=name, structure=structure)))
    durations = {
        section_key(name): value.get("target_duration_sec")
        for name, value in meta.items()
        if isinstance(value, dict) and isinstance(value.get("target_duration_sec"), int)
    }
    if target_duration_sec and durations:
        total = sum(durations.get(section_key(name), 0) for name in sections)
        if abs(total - target_duration_sec) > DURATION_TOLERANCE_SEC:
            errors.append(
                (
                    "/section_meta",
                    DURATION_MISMATCH.format(total=total, tolerance=DURATION_TOLERANCE_SEC, target=target_duration_sec),
                )
            )
    return errors


def blueprint_errors(blueprint: dict) -> list[Error]:
    """Tempo pair in order, rubric weights summing to 1.0, line limits in order, conflict pairs of two tags."""
    errors: list[Error] = []
    rules = blueprint.get("rules", {})
    tempo = tempo_range(rules.get("tempo_bpm"))
    if tempo and tempo[0] > tempo[1]:
        errors.append(("/rules/tempo_bpm", TEMPO_BACKWARDS.format(low=tempo[0], high=tempo[1])))
    for section, limit in rules.get("section_lines", {}).items():
        if isinstance(limit.get("min"), int) and isinstance(limit.get("max"), int) and limit["min"] > limit["max"]:
            errors.append(
                (
                    f"/rules/section_lines/{section}",
                    LINES_BACKWARDS.format(section=section, low=limit["min"], high=limit["max"]),
                )
            )
    for index, pair in enumerate(rules.get("conflicting_tags", [])):
        if len(pair) == 2 and pair[0].strip().lower() == pair[1].strip().lower():
            errors.append((f"/rules/conflicting_tags/{index}", PAIR_SAME_TAG.format(tag=pair[0])))
    rubric = blueprint.get("eval_rubric", {})
    weights = rubric.get("weights", {}) if isinstance(rubric.get("weights"), dict) else {}
    numbers = [w for w in weights.values() if isinstance(w, int | float) and not isinstance(w, bool)]
    # Weights, once given, sum to 1.0: an empty set sums to 0 and scores nothing.
    if "weights" in rubric and len(numbers) == len(weights) and abs(sum(numbers) - 1.0) > WEIGHT_TOLERANCE:
        errors.append(("/eval_rubric/weights", RUBRIC_WEIGHTS.format(total=round(sum(numbers), 6))))
    return errors


def _living_artist_in(text: str) -> str | None:
    for artist in LIVING_ARTISTS:
        if re.search(rf"(?<!\w){re.escape(artist)}(?!\w)", text, re.IGNORECASE):
            return artist
    return None


def persona_errors(persona: dict) -> list[Error]:
    """Public-release personas name no living artist; 'style of <living artist>' is refused when the policy says so;
    the style and lyrics defaults meet the style and lyrics rules."""
    errors: list[Error] = []
    policy = persona.get("policy", {})
    public = policy.get("public_release", False)
    no_style_of = policy.get("disallow_named_style_of", True)
    for index, influence in enumerate(persona.get("influences", [])):
        if not isinstance(influence, str):
            continue
        artist = _living_artist_in(influence)
        if artist is None:
            continue
        if public:
            errors.append((f"/influences/{index}", LIVING_ARTIST.format(artist=artist)))
        elif no_style_of and re.search(r"style\s+of\b", influence, re.IGNORECASE):
            errors.append((f"/influences/{index}", STYLE_OF_ARTIST.format(artist=artist)))
    # The defaults are a style and a lyrics document: the same rules hold for them as for a song's.
    if persona.get("style_defaults"):
        errors += [("/style_defaults" + p, m) for p, m in style_errors(persona["style_defaults"])]
    if persona.get("lyrics_defaults"):
        errors += [("/lyrics_defaults" + p, m) for p, m in lyrics_errors(persona["lyrics_defaults"])]
    return errors


def source_errors(source: dict) -> list[Error]:
    """Deny overrides allow: a term may not be in both lists."""
    allow, deny = _folded(source.get("allow", [])), _folded(source.get("deny", []))
    both = sorted(allow[key] for key in allow.keys() & deny.keys())
    return [("/deny", ALLOW_AND_DENY.format(terms=", ".join(both)))] if both else []


def sds_errors(sds: dict, *, blueprint: dict | None = None, target_duration_sec: int | None = None) -> list[Error]:
    """Every rule over a schema-valid SDS document; pointers are relative to the document's root."""
    errors: list[Error] = []
    errors += [("/style" + p, m) for p, m in style_errors(sds["style"], blueprint=blueprint)]
    errors += [("/lyrics" + p, m) for p, m in lyrics_errors(sds["lyrics"], blueprint=blueprint)]
    errors += [
        ("/producer_notes" + p, m)
        for p, m in producer_notes_errors(sds["producer_notes"], target_duration_sec=target_duration_sec)
    ]
    seen: set[str] = set()
    for index, source in enumerate(sds["sources"]):
        errors += [(f"/sources/{index}" + p, m) for p, m in source_errors(source)]
        key = source["name"].strip().lower()
        if key in seen:
            errors.append((f"/sources/{index}/name", DUPLICATE_SOURCE.format(name=source["name"])))
        seen.add(key)
    controls = sds["prompt_controls"]
    errors += tag_overlap_errors(
        controls.get("positive_tags", []), controls.get("negative_tags", []), "/prompt_controls/negative_tags"
    )
    return errors
