"""The five rubric metrics, computed from the lyrics text; each lies in 0..1 (docs/domain-map.md, "Rubric").

- hook density: the share of lines that carry a chorus phrase, i.e. share one run of three consecutive words with a
  line of a chorus (or hook) section; 0 when there is no chorus.
- singability: per section, one minus the coefficient of variation (population standard deviation over mean) of
  the syllables per line, floored at 0; averaged over the sections with text. Syllables are vowel groups
  (``a e i o u y`` and their accented forms), at least one per word.
- rhyme tightness: the share of adjacent line pairs within each section whose endings rhyme: the last word's last
  vowel group and what follows it are the same ("night"/"light": "ight"). 0 when no section has two lines.
- section completeness: the share of the blueprint's required sections that the lyrics have with at least their
  minimum lines; 1 when none is required.
- profanity score: 1 minus the share of lines per flagged term (profanity list and banned terms), floored at 0;
  1.0 when clean. The blueprint allows ``max_profanity`` flagged terms per line.

Markers such as ``[[REDACTED]]`` and ``[[PLACEHOLDER: ...]]`` are not words: a line holding only markers counts as
a line (for completeness and profanity) but carries no syllables, rhyme or phrase.
"""

from __future__ import annotations

import re
import statistics

from amcs import rules
from amcs.workflow import data
from amcs.workflow.base import words

MARKER = re.compile(r"\[\[[^\]]*\]\]")
VOWEL_GROUP = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøœùúûüý]+")
ENDING = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøœùúûüý]+[^aeiouyàáâãäåæèéêëìíîïòóôõöøœùúûüý]*$")


def line_words(line: str) -> list[str]:
    return words(MARKER.sub(" ", line))


def syllables(word: str) -> int:
    return max(1, len(VOWEL_GROUP.findall(word.lower()))) if word else 0


def line_syllables(line: str) -> int:
    return sum(syllables(word) for word in line_words(line))


def ending(line: str) -> str:
    found = line_words(line)
    if not found:
        return ""
    match = ENDING.search(found[-1])
    return match.group(0) if match else found[-1]


def rhymes(first: str, second: str) -> bool:
    a, b = ending(first), ending(second)
    return bool(a) and a == b


def is_hook_section(name: str) -> bool:
    return rules.is_chorus(name) or rules.section_key(name) == "hook"


def trigrams(line: str) -> set[tuple[str, ...]]:
    found = line_words(line)
    return {tuple(found[i : i + 3]) for i in range(len(found) - 2)}


def text_lines(sections: list[dict]) -> list[str]:
    return [line for section in sections for line in section.get("lines") or [] if line.strip()]


def hook_density(sections: list[dict]) -> float:
    phrases = set()
    for section in sections:
        if is_hook_section(section.get("type", "")):
            for line in section.get("lines") or []:
                phrases |= trigrams(line)
    lines = text_lines(sections)
    if not lines or not phrases:
        return 0.0
    return sum(1 for line in lines if trigrams(line) & phrases) / len(lines)


def section_singability(lines: list[str]) -> float | None:
    counts = [n for n in (line_syllables(line) for line in lines) if n]
    if not counts:
        return None
    mean = statistics.fmean(counts)
    return max(0.0, 1.0 - statistics.pstdev(counts) / mean)


def singability(sections: list[dict]) -> float:
    scores = [s for s in (section_singability(section.get("lines") or []) for section in sections) if s is not None]
    return statistics.fmean(scores) if scores else 0.0


def rhyme_pairs(sections: list[dict]) -> list[tuple[int, int, bool]]:
    """Per adjacent pair of lines within a section: (section index, first line index, whether they rhyme)."""
    pairs = []
    for s_index, section in enumerate(sections):
        lines = section.get("lines") or []
        for i in range(len(lines) - 1):
            pairs.append((s_index, i, rhymes(lines[i], lines[i + 1])))
    return pairs


def rhyme_tightness(sections: list[dict]) -> float:
    pairs = rhyme_pairs(sections)
    return sum(1 for *_, ok in pairs if ok) / len(pairs) if pairs else 0.0


def section_status(sections: list[dict], required: list[str], minimum: dict[str, int]) -> dict[str, str]:
    """Per required section: ``ok``, ``short`` (present with fewer lines than its minimum) or ``missing``."""
    status = {}
    for name in required:
        key = rules.section_key(name)
        counts = [len(text_lines([s])) for s in sections if rules.section_key(s.get("type", "")) == key]
        if not counts:
            status[name] = "missing"
        else:
            status[name] = "ok" if max(counts) >= minimum.get(key, 0) else "short"
    return status


def section_completeness(sections: list[dict], required: list[str], minimum: dict[str, int]) -> float:
    if not required:
        return 1.0
    status = section_status(sections, required, minimum)
    return sum(1 for value in status.values() if value == "ok") / len(required)


def flagged_terms(sections: list[dict], banned: list[str]) -> list[tuple[int, int, str]]:
    """(section index, line index, term) of every profanity or banned term, in text order."""
    from amcs.workflow.lyrics import term_pattern

    pattern = term_pattern([*data.PROFANITY, *banned])
    found = []
    for s_index, section in enumerate(sections):
        for l_index, line in enumerate(section.get("lines") or []):
            found += [(s_index, l_index, match.group(0)) for match in pattern.finditer(MARKER.sub(" ", line))]
    return found


def profanity_share(sections: list[dict], banned: list[str]) -> float:
    lines = text_lines(sections)
    return min(1.0, len(flagged_terms(sections, banned)) / len(lines)) if lines else 0.0


def profanity_score(sections: list[dict], banned: list[str]) -> float:
    return 1.0 - profanity_share(sections, banned)
