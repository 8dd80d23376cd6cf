"""The AMCS rules, written once over plain documents (the JSON shapes of ``amcs/schemas``).

Each ``<entity>_issues`` function takes an entity's document and returns ``Issue(code, pointer,
message)`` triples, pointers relative to that document. Whether an issue blocks a save (an error)
or is only reported and stored with the row (a warning) is decided in ONE place, the ``RULES``
table below; ``docs/domain-map.md`` prints the same table. The ``<entity>_errors`` functions keep
only the errors, as ``(pointer, message)`` pairs.

The functions tolerate documents that are not schema-valid (a part of the wrong type is skipped),
so a validation can report schema errors and the rule errors of the valid parts in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from amcs.constants import (
    BPM_MAX,
    BPM_MIN,
    CONFLICTING_DELIVERIES,
    DURATION_TOLERANCE_SEC,
    LIVING_ARTISTS,
    MAX_INSTRUMENTS,
    WEIGHT_TOLERANCE,
)

Error = tuple[str, str]

ERROR = "error"
WARNING = "warning"


class Rule(NamedTuple):
    severity: str
    source: str
    summary: str


#: Every rule of the AMCS documents: its severity, where it comes from, and what it checks.
#: ``system`` marks a rule this project holds more strictly than the reference, on purpose; its
#: message says so. Warnings never block a save or an import; they are stored with the row.
RULES: dict[str, Rule] = {
    "style.bpm_system_range": Rule(ERROR, "system (seed)", "BPM within 60-200 (the reference allows 40-220)"),
    "style.tempo_backwards": Rule(ERROR, "PRD style §4", "tempo range minimum <= maximum"),
    "style.tags_both_ways": Rule(ERROR, "seed", "no tag both positive and negative"),
    "style.conflicting_tags": Rule(ERROR, "PRD style §4", "no pair of tags the blueprint's conflict matrix forbids"),
    "style.tempo_outside_blueprint": Rule(ERROR, "PRD blueprint §4", "BPM inside the blueprint's tempo range"),
    "style.instruments_over_three": Rule(WARNING, "PRD style §4", "at most three instruments"),
    "style.energy_tempo": Rule(WARNING, "PRD style §4", "energy fits the tempo (anthemic is not slow, low not fast)"),
    "lyrics.no_chorus": Rule(ERROR, "system (PRD lyrics §4)", "the section order has a chorus"),
    "lyrics.two_choruses": Rule(ERROR, "PRD lyrics §4", "lyrical/chant hooks need two or more choruses"),
    "lyrics.hook_heavy_chorus": Rule(ERROR, "PRD lyrics §4", "hook-heavy repetition: chorus min_lines >= 6"),
    "lyrics.lines_backwards": Rule(ERROR, "schema", "section min_lines <= max_lines"),
    "lyrics.citation_weights": Rule(ERROR, "PRD lyrics §4", "citation weights sum to at most 1.0"),
    "lyrics.missing_sections": Rule(ERROR, "PRD blueprint §4", "every section the blueprint requires"),
    "lyrics.section_lines": Rule(ERROR, "blueprint", "written sections within the blueprint's line range"),
    "lyrics.banned_term": Rule(ERROR, "blueprint", "no term the blueprint bans"),
    "producer_notes.zero_hooks": Rule(WARNING, "PRD producer notes §4", "at least one hook"),
    "producer_notes.section_not_in_structure": Rule(
        WARNING, "PRD producer notes §4", "section_meta keys appear in the structure (others ignored)"
    ),
    "producer_notes.structure_lyrics_disjoint": Rule(
        WARNING, "PRD producer notes §4", "the structure shares a section with the lyrics' section order"
    ),
    "producer_notes.duration_mismatch": Rule(ERROR, "PRD producer notes §4", "durations within 30 s of the target"),
    "blueprint.tempo_backwards": Rule(ERROR, "PRD blueprint §4", "tempo pair minimum <= maximum"),
    "blueprint.bpm_system_range": Rule(ERROR, "system (seed)", "tempo within 60-200 (the reference allows 40-220)"),
    "blueprint.required_sections_empty": Rule(ERROR, "PRD blueprint §4", "required_sections is not empty"),
    "blueprint.lines_backwards": Rule(ERROR, "schema", "section line min <= max"),
    "blueprint.pair_same_tag": Rule(ERROR, "system", "a conflicting pair names two different tags"),
    "blueprint.rubric_weights": Rule(ERROR, "PRD blueprint §4", "rubric weights sum to 1.0"),
    "persona.living_artist": Rule(ERROR, "PRD persona §4", "public-release personas name no living artist"),
    "persona.style_of_artist": Rule(ERROR, "PRD persona §4", "no 'style of <living artist>' when the policy forbids"),
    "persona.delivery_conflict": Rule(WARNING, "PRD persona §4", "no conflicting delivery styles"),
    "source.deny_overrides_allow": Rule(WARNING, "PRD sources §4", "a term both allowed and denied counts as denied"),
    "sds.duplicate_source": Rule(ERROR, "system", "each source listed once"),
    "sds.prompt_tags_both_ways": Rule(ERROR, "seed", "no prompt tag both positive and negative"),
}


class Issue(NamedTuple):
    """One finding of a rule: its code (a key of ``RULES``), a JSON pointer and a message for people."""

    code: str
    pointer: str
    message: str

    @property
    def severity(self) -> str:
        return RULES[self.code].severity

    def at(self, prefix: str) -> Issue:
        return Issue(self.code, prefix + self.pointer, self.message)


def errors_of(issues: Iterable[Issue]) -> list[Error]:
    return [(issue.pointer, issue.message) for issue in issues if issue.severity == ERROR]


def warnings_of(issues: Iterable[Issue]) -> list[Error]:
    return [(issue.pointer, issue.message) for issue in issues if issue.severity == WARNING]


HOOK_STRATEGIES_NEEDING_TWO_CHORUSES = ("lyrical", "chant")
STRUCTURE_SEPARATORS = re.compile(r"\s*(?:–|—|->|→|>|,|\||/|\s-\s)\s*")

SYSTEM_BPM = (
    "BPM {value} is outside this system's range of {low}-{high} (a rule of this system, stricter than the "
    "reference's 40-220): choose a tempo between {low} and {high}."
)
MISSING_CHORUS = (
    "The section order has no chorus; this system requires at least one (stricter than some reference "
    "documents): add a 'Chorus' section."
)
TWO_CHORUSES = "A {strategy} hook strategy needs two or more choruses; the section order has {count}."
CITATION_WEIGHTS = "Citation weights sum to {total:g}; they may sum to at most 1.0."
TAGS_BOTH_WAYS = "Tags both positive and negative: {tags}."
TAGS_CONFLICT = "Tags '{first}' and '{second}' conflict in blueprint {blueprint}."
TEMPO_BACKWARDS = "The tempo range {low}-{high} runs backwards: the maximum must be at least the minimum."
TEMPO_OUTSIDE = "BPM {low}-{high} is outside the tempo range {min}-{max} of blueprint {blueprint}."
MISSING_SECTIONS = "Missing section(s) that blueprint {blueprint} requires: {sections}."
SECTION_NOT_IN_STRUCTURE = "Section '{section}' is not in the structure ({structure}); its settings are ignored."
DURATION_MISMATCH = (
    "Section durations add up to {total} s, more than {tolerance} s away from the song's target of {target} s."
)
RUBRIC_WEIGHTS = "Rubric weights sum to {total:g}; they must sum to 1.0."
REQUIRED_SECTIONS_EMPTY = "A blueprint requires at least one section: list them in required_sections."
LINES_BACKWARDS = "Section '{section}': the minimum of {low} lines is above the maximum of {high}."
HOOK_HEAVY_CHORUS = "A hook-heavy repetition policy needs choruses of at least 6 lines; '{section}' asks for {lines}."
SECTION_LINES = "Section {index} ('{section}') has {count} lines; blueprint {blueprint} allows {low}-{high}."
BANNED_TERM = "Section {index} ('{section}') uses the term '{term}' that blueprint {blueprint} bans."
LIVING_ARTIST = "A public-release persona may not name a living artist as an influence: {artist}."
STYLE_OF_ARTIST = "'style of {artist}' names a living artist, which this persona's policy forbids."
ALLOW_AND_DENY = "Terms both allowed and denied count as denied (deny overrides allow): {terms}."
PAIR_SAME_TAG = "A conflicting pair needs two different tags, not '{tag}' twice."
DUPLICATE_SOURCE = "Source '{name}' is listed more than once; an SDS lists each source once."
INSTRUMENTS_OVER_THREE = (
    "{count} instruments listed; more than {limit} tend to blur the mix (the engine may drop some)."
)
ENERGY_TEMPO = "An {energy} energy rarely fits {low}-{high} BPM."
ZERO_HOOKS = "No hooks: a song without a hook rarely sticks."
STRUCTURE_LYRICS_DISJOINT = "The structure ({structure}) shares no section with the lyrics' section order ({order})."
DELIVERY_CONFLICT = "Delivery styles '{first}' and '{second}' conflict."


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


def _strings(value) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _folded(values: Iterable[str]) -> dict[str, str]:
    return {value.strip().lower(): value for value in values}


def blueprint_label(blueprint: dict) -> str:
    return f"{blueprint.get('genre', '?')} {blueprint.get('version', '?')}"


def tag_overlap_issues(positive, negative, at: str, code: str = "style.tags_both_ways") -> list[Issue]:
    pos, neg = _folded(_strings(positive)), _folded(_strings(negative))
    both = sorted(pos[key] for key in pos.keys() & neg.keys())
    return [Issue(code, at, TAGS_BOTH_WAYS.format(tags=", ".join(both)))] if both else []


def tag_overlap_errors(positive: Iterable[str], negative: Iterable[str], at: str) -> list[Error]:
    return errors_of(tag_overlap_issues(list(positive), list(negative), at))


def tempo_range(tempo) -> tuple[int, int] | None:
    if isinstance(tempo, bool):
        return None
    if isinstance(tempo, int):
        return tempo, tempo
    if (
        isinstance(tempo, list)
        and len(tempo) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in tempo)
    ):
        return tempo[0], tempo[1]
    return None


def conflict_pairs(blueprint: dict) -> list[tuple[str, str]]:
    """The blueprint's conflicting tag pairs: ``rules.conflicting_tags`` and the ``conflict_matrix`` rows."""
    pairs = [
        (pair[0], pair[1])
        for pair in _object(blueprint.get("rules")).get("conflicting_tags", []) or []
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(tag, str) for tag in pair)
    ]
    for tag, others in _object(blueprint.get("conflict_matrix")).items():
        pairs += [(tag, other) for other in _strings(others)]
    return pairs


def _system_bpm_issues(code: str, pointer: str, tempo) -> list[Issue]:
    bpm = tempo_range(tempo)
    if bpm is None:
        return []
    issues = []
    for index, value in enumerate(bpm if isinstance(tempo, list) else bpm[:1]):
        if not BPM_MIN <= value <= BPM_MAX:
            at = f"{pointer}/{index}" if isinstance(tempo, list) else pointer
            issues.append(Issue(code, at, SYSTEM_BPM.format(value=value, low=BPM_MIN, high=BPM_MAX)))
    return issues


def style_issues(style: dict, *, blueprint: dict | None = None) -> list[Issue]:
    """Tempo in this system's range and in order; tags never both ways; the blueprint's conflicts and tempo range;
    at most three instruments and an energy that fits the tempo (warnings)."""
    style = _object(style)
    issues = _system_bpm_issues("style.bpm_system_range", "/tempo_bpm", style.get("tempo_bpm"))
    issues += tag_overlap_issues(style.get("tags"), style.get("negative_tags"), "/negative_tags")
    bpm = tempo_range(style.get("tempo_bpm"))
    if bpm and bpm[0] > bpm[1]:
        issues.append(Issue("style.tempo_backwards", "/tempo_bpm", TEMPO_BACKWARDS.format(low=bpm[0], high=bpm[1])))
    instruments = _strings(style.get("instrumentation"))
    if len(instruments) > MAX_INSTRUMENTS:
        issues.append(
            Issue(
                "style.instruments_over_three",
                "/instrumentation",
                INSTRUMENTS_OVER_THREE.format(count=len(instruments), limit=MAX_INSTRUMENTS),
            )
        )
    energy = style.get("energy")
    if bpm and ((energy == "anthemic" and bpm[1] < 80) or (energy == "low" and bpm[0] > 160)):
        issues.append(
            Issue("style.energy_tempo", "/energy", ENERGY_TEMPO.format(energy=energy, low=bpm[0], high=bpm[1]))
        )
    if blueprint:
        tags = _folded(_strings(style.get("tags")))
        for first, second in conflict_pairs(blueprint):
            if first.strip().lower() in tags and second.strip().lower() in tags:
                issues.append(
                    Issue(
                        "style.conflicting_tags",
                        "/tags",
                        TAGS_CONFLICT.format(first=first, second=second, blueprint=blueprint_label(blueprint)),
                    )
                )
        limits = tempo_range(_object(blueprint.get("rules")).get("tempo_bpm"))
        if bpm and limits and (bpm[0] < limits[0] or bpm[1] > limits[1]):
            issues.append(
                Issue(
                    "style.tempo_outside_blueprint",
                    "/tempo_bpm",
                    TEMPO_OUTSIDE.format(
                        low=bpm[0], high=bpm[1], min=limits[0], max=limits[1], blueprint=blueprint_label(blueprint)
                    ),
                )
            )
    return issues


def style_errors(style: dict, *, blueprint: dict | None = None) -> list[Error]:
    return errors_of(style_issues(style, blueprint=blueprint))


def lyrics_issues(lyrics: dict, *, blueprint: dict | None = None, sections: list | None = None) -> list[Issue]:
    """Choruses, hook strategy, citation weights, line requirements and the blueprint's sections and terms.

    ``sections`` is the written text (``[{"type", "lines"}]``); without it the document's own ``sections``.
    """
    lyrics = _object(lyrics)
    issues: list[Issue] = []
    order = _strings(lyrics.get("section_order"))
    choruses = sum(1 for name in order if is_chorus(name))
    if order and choruses == 0:
        issues.append(Issue("lyrics.no_chorus", "/section_order", MISSING_CHORUS))
    strategy = lyrics.get("hook_strategy")
    if strategy in HOOK_STRATEGIES_NEEDING_TWO_CHORUSES and choruses < 2:
        issues.append(
            Issue("lyrics.two_choruses", "/hook_strategy", TWO_CHORUSES.format(strategy=strategy, count=choruses))
        )
    citations = lyrics.get("source_citations") if isinstance(lyrics.get("source_citations"), list) else []
    weights = [c.get("weight") for c in citations if isinstance(c, dict)]
    total = sum(w for w in weights if isinstance(w, int | float) and not isinstance(w, bool))
    if total > 1.0 + WEIGHT_TOLERANCE:
        issues.append(
            Issue("lyrics.citation_weights", "/source_citations", CITATION_WEIGHTS.format(total=round(total, 6)))
        )
    requirements = _object(_object(lyrics.get("constraints")).get("section_requirements"))
    for section, requirement in requirements.items():
        requirement = _object(requirement)
        low, high = requirement.get("min_lines"), requirement.get("max_lines")
        at = f"/constraints/section_requirements/{section}"
        if isinstance(low, int) and isinstance(high, int) and low > high:
            issues.append(
                Issue("lyrics.lines_backwards", at, LINES_BACKWARDS.format(section=section, low=low, high=high))
            )
        if lyrics.get("repetition_policy") == "hook-heavy" and is_chorus(section) and isinstance(low, int) and low < 6:
            issues.append(
                Issue(
                    "lyrics.hook_heavy_chorus", at + "/min_lines", HOOK_HEAVY_CHORUS.format(section=section, lines=low)
                )
            )
    if blueprint:
        written = sections if sections is not None else lyrics.get("sections")
        issues.extend(_blueprint_lyrics_issues(order, blueprint, written if isinstance(written, list) else []))
    return issues


def lyrics_errors(lyrics: dict, *, blueprint: dict | None = None, sections: list | None = None) -> list[Error]:
    return errors_of(lyrics_issues(lyrics, blueprint=blueprint, sections=sections))


def _blueprint_lyrics_issues(order: list[str], blueprint: dict, sections: list) -> list[Issue]:
    issues: list[Issue] = []
    rules = _object(blueprint.get("rules"))
    label = blueprint_label(blueprint)
    present = {section_key(name) for name in order}
    missing = [name for name in _strings(rules.get("required_sections")) if section_key(name) not in present]
    if missing:
        issues.append(
            Issue(
                "lyrics.missing_sections",
                "/section_order",
                MISSING_SECTIONS.format(blueprint=label, sections=", ".join(missing)),
            )
        )
    limits = {section_key(name): _object(value) for name, value in _object(rules.get("section_lines")).items()}
    banned = [term for term in _strings(rules.get("banned_terms")) if term.strip()]
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        name = str(section.get("type", ""))
        lines = _strings(section.get("lines"))
        limit = limits.get(section_key(name))
        if limit and lines:
            low, high = limit.get("min", 0), limit.get("max")
            if len(lines) < low or (high is not None and len(lines) > high):
                issues.append(
                    Issue(
                        "lyrics.section_lines",
                        f"/sections/{index}/lines",
                        SECTION_LINES.format(
                            index=index, section=name, count=len(lines), blueprint=label, low=low, high=high or "∞"
                        ),
                    )
                )
        text = "\n".join(lines).lower()
        for term in banned:
            if re.search(rf"\b{re.escape(term.lower())}\b", text):
                issues.append(
                    Issue(
                        "lyrics.banned_term",
                        f"/sections/{index}/lines",
                        BANNED_TERM.format(index=index, section=name, term=term, blueprint=label),
                    )
                )
    return issues


def producer_notes_issues(
    notes: dict, *, target_duration_sec: int | None = None, section_order: list | None = None
) -> list[Issue]:
    """Hooks, section metadata keys in the structure (others ignored), the structure against the lyrics' section
    order, and durations adding up to the song's target within 30 s (a section counts once per appearance)."""
    notes = _object(notes)
    issues: list[Issue] = []
    if notes.get("hooks") == 0:
        issues.append(Issue("producer_notes.zero_hooks", "/hooks", ZERO_HOOKS))
    structure = notes.get("structure") if isinstance(notes.get("structure"), str) else ""
    sections = split_structure(structure)
    keys = {section_key(name) for name in sections}
    meta = _object(notes.get("section_meta"))
    for name in meta:
        if section_key(name) not in keys:
            issues.append(
                Issue(
                    "producer_notes.section_not_in_structure",
                    f"/section_meta/{name}",
                    SECTION_NOT_IN_STRUCTURE.format(section=name, structure=structure),
                )
            )
    order = _strings(section_order)
    if sections and order and not keys & {section_key(name) for name in order}:
        issues.append(
            Issue(
                "producer_notes.structure_lyrics_disjoint",
                "/structure",
                STRUCTURE_LYRICS_DISJOINT.format(structure=structure, order=", ".join(order)),
            )
        )
    durations = {
        section_key(name): value.get("target_duration_sec")
        for name, value in meta.items()
        if isinstance(value, dict)
        and isinstance(value.get("target_duration_sec"), int)
        and not isinstance(value.get("target_duration_sec"), bool)
        and section_key(name) in keys
    }
    if target_duration_sec and durations:
        total = sum(durations.get(section_key(name), 0) for name in sections)
        if abs(total - target_duration_sec) > DURATION_TOLERANCE_SEC:
            issues.append(
                Issue(
                    "producer_notes.duration_mismatch",
                    "/section_meta",
                    DURATION_MISMATCH.format(total=total, tolerance=DURATION_TOLERANCE_SEC, target=target_duration_sec),
                )
            )
    return issues


def producer_notes_errors(notes: dict, *, target_duration_sec: int | None = None) -> list[Error]:
    return errors_of(producer_notes_issues(notes, target_duration_sec=target_duration_sec))


def blueprint_issues(blueprint: dict) -> list[Issue]:
    """Tempo pair in this system's range and in order, sections required, line limits in order, conflict pairs of
    two tags, rubric weights (any metrics) summing to 1.0."""
    blueprint = _object(blueprint)
    issues: list[Issue] = []
    rules = _object(blueprint.get("rules"))
    issues += _system_bpm_issues("blueprint.bpm_system_range", "/rules/tempo_bpm", rules.get("tempo_bpm"))
    tempo = tempo_range(rules.get("tempo_bpm"))
    if tempo and tempo[0] > tempo[1]:
        issues.append(
            Issue("blueprint.tempo_backwards", "/rules/tempo_bpm", TEMPO_BACKWARDS.format(low=tempo[0], high=tempo[1]))
        )
    if isinstance(rules.get("required_sections"), list) and not rules["required_sections"]:
        issues.append(Issue("blueprint.required_sections_empty", "/rules/required_sections", REQUIRED_SECTIONS_EMPTY))
    for section, limit in _object(rules.get("section_lines")).items():
        limit = _object(limit)
        if isinstance(limit.get("min"), int) and isinstance(limit.get("max"), int) and limit["min"] > limit["max"]:
            issues.append(
                Issue(
                    "blueprint.lines_backwards",
                    f"/rules/section_lines/{section}",
                    LINES_BACKWARDS.format(section=section, low=limit["min"], high=limit["max"]),
                )
            )
    for index, pair in enumerate(rules.get("conflicting_tags") or []):
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(tag, str) for tag in pair):
            if pair[0].strip().lower() == pair[1].strip().lower():
                issues.append(
                    Issue(
                        "blueprint.pair_same_tag", f"/rules/conflicting_tags/{index}", PAIR_SAME_TAG.format(tag=pair[0])
                    )
                )
    rubric = _object(blueprint.get("eval_rubric"))
    weights = _object(rubric.get("weights"))
    numbers = [w for w in weights.values() if isinstance(w, int | float) and not isinstance(w, bool)]
    # Weights, once given, sum to 1.0: an empty set sums to 0 and scores nothing.
    if "weights" in rubric and len(numbers) == len(weights) and abs(sum(numbers) - 1.0) > WEIGHT_TOLERANCE:
        issues.append(
            Issue(
                "blueprint.rubric_weights", "/eval_rubric/weights", RUBRIC_WEIGHTS.format(total=round(sum(numbers), 6))
            )
        )
    return issues


def blueprint_errors(blueprint: dict) -> list[Error]:
    return errors_of(blueprint_issues(blueprint))


def living_artist_in(text: str) -> str | None:
    """The first living artist named in ``text`` (whole words, any case), or None."""
    for artist in LIVING_ARTISTS:
        if re.search(rf"(?<!\w){re.escape(artist)}(?!\w)", text, re.IGNORECASE):
            return artist
    return None


def persona_issues(persona: dict) -> list[Issue]:
    """Public-release personas name no living artist; 'style of <living artist>' is refused when the policy says so;
    conflicting delivery styles are reported; the style and lyrics defaults meet the style and lyrics rules."""
    persona = _object(persona)
    issues: list[Issue] = []
    policy = _object(persona.get("policy"))
    public = policy.get("public_release", False) is True
    no_style_of = policy.get("disallow_named_style_of", True) is not False
    for index, influence in enumerate(persona.get("influences") or []):
        if not isinstance(influence, str):
            continue
        artist = living_artist_in(influence)
        if artist is None:
            continue
        if public:
            issues.append(Issue("persona.living_artist", f"/influences/{index}", LIVING_ARTIST.format(artist=artist)))
        elif no_style_of and re.search(r"style\s+of\b", influence, re.IGNORECASE):
            issues.append(
                Issue("persona.style_of_artist", f"/influences/{index}", STYLE_OF_ARTIST.format(artist=artist))
            )
    delivery = _folded(_strings(persona.get("delivery")))
    for first, second in CONFLICTING_DELIVERIES:
        if first in delivery and second in delivery:
            issues.append(
                Issue(
                    "persona.delivery_conflict",
                    "/delivery",
                    DELIVERY_CONFLICT.format(first=delivery[first], second=delivery[second]),
                )
            )
    # The defaults are a style and a lyrics document: the same rules hold for them as for a song's.
    if isinstance(persona.get("style_defaults"), dict) and persona["style_defaults"]:
        issues += [issue.at("/style_defaults") for issue in style_issues(persona["style_defaults"])]
    if isinstance(persona.get("lyrics_defaults"), dict) and persona["lyrics_defaults"]:
        issues += [issue.at("/lyrics_defaults") for issue in lyrics_issues(persona["lyrics_defaults"])]
    return issues


def persona_errors(persona: dict) -> list[Error]:
    return errors_of(persona_issues(persona))


def source_issues(source: dict) -> list[Issue]:
    """Deny overrides allow: a term in both lists counts as denied, with a warning."""
    source = _object(source)
    allow, deny = _folded(_strings(source.get("allow"))), _folded(_strings(source.get("deny")))
    both = sorted(allow[key] for key in allow.keys() & deny.keys())
    return [Issue("source.deny_overrides_allow", "/deny", ALLOW_AND_DENY.format(terms=", ".join(both)))] if both else []


def source_errors(source: dict) -> list[Error]:
    return errors_of(source_issues(source))


def sds_issues(
    sds: dict,
    *,
    blueprint: dict | None = None,
    target_duration_sec: int | None = None,
    skip: Iterable[str] = (),
) -> list[Issue]:
    """Every rule over an SDS document; pointers are relative to the document's root. Parts named in ``skip``
    (pointers such as ``/style`` or ``/sources/2``: those with schema errors) are not checked."""
    sds = _object(sds)
    skip = set(skip)
    issues: list[Issue] = []
    if "/style" not in skip:
        issues += [issue.at("/style") for issue in style_issues(sds.get("style"), blueprint=blueprint)]
    lyrics = _object(sds.get("lyrics"))
    if "/lyrics" not in skip:
        issues += [issue.at("/lyrics") for issue in lyrics_issues(lyrics, blueprint=blueprint)]
    if "/producer_notes" not in skip:
        order = lyrics.get("section_order") if "/lyrics" not in skip else None
        issues += [
            issue.at("/producer_notes")
            for issue in producer_notes_issues(
                sds.get("producer_notes"), target_duration_sec=target_duration_sec, section_order=order
            )
        ]
    seen: set[str] = set()
    sources = sds.get("sources") if isinstance(sds.get("sources"), list) else []
    for index, source in enumerate(sources):
        if f"/sources/{index}" in skip or not isinstance(source, dict):
            continue
        issues += [issue.at(f"/sources/{index}") for issue in source_issues(source)]
        if isinstance(source.get("name"), str):
            key = source["name"].strip().lower()
            if key in seen:
                issues.append(
                    Issue(
                        "sds.duplicate_source", f"/sources/{index}/name", DUPLICATE_SOURCE.format(name=source["name"])
                    )
                )
            seen.add(key)
    if "/prompt_controls" not in skip:
        controls = _object(sds.get("prompt_controls"))
        issues += tag_overlap_issues(
            controls.get("positive_tags"),
            controls.get("negative_tags"),
            "/prompt_controls/negative_tags",
            code="sds.prompt_tags_both_ways",
        )
    return issues


def sds_errors(sds: dict, *, blueprint: dict | None = None, target_duration_sec: int | None = None) -> list[Error]:
    return errors_of(sds_issues(sds, blueprint=blueprint, target_duration_sec=target_duration_sec))
