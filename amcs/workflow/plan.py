"""PLAN: the section plan from the SDS structure and the blueprint.

Order (the producer notes' structure, else the lyrics' section order), target lines per section (the
blueprint's ``section_lines`` target or the middle of its range, else the lyrics' section requirements, else
``data.DEFAULT_SECTION_LINES``), target words (lines x words per line from the lyrics' syllables per line),
hook positions (choruses and hooks) and the target duration split by section weight (``data``).
"""

from __future__ import annotations

from amcs import rules
from amcs.workflow import data
from amcs.workflow.base import RunInput


def _ranges(run: RunInput) -> dict[str, dict]:
    """Per section key, the line range and target: the blueprint's, narrowed by the lyrics' requirements."""
    found: dict[str, dict] = {}
    for name, value in (run.rules.get("section_lines") or {}).items():
        if isinstance(value, dict):
            found[rules.section_key(name)] = {k: value[k] for k in ("min", "max", "target") if k in value}
    requirements = (run.lyrics.get("constraints") or {}).get("section_requirements") or {}
    for name, value in requirements.items():
        if isinstance(value, dict):
            entry = found.setdefault(rules.section_key(name), {})
            if "min_lines" in value:
                entry["min"] = max(entry.get("min", 0), value["min_lines"])
            if "max_lines" in value:
                entry["max"] = min(entry.get("max", value["max_lines"]), value["max_lines"])
    return found


def target_duration(run: RunInput) -> int:
    """The song's target duration; else the producer notes' section durations; else the blueprint's radio target
    or length; else ``data.DEFAULT_DURATION_SEC``."""
    if run.target_duration_sec:
        return int(run.target_duration_sec)
    notes = run.sds.get("producer_notes") or {}
    structure = rules.split_structure(notes.get("structure", ""))
    meta = {rules.section_key(k): v for k, v in (notes.get("section_meta") or {}).items() if isinstance(v, dict)}
    given = [meta.get(rules.section_key(name), {}).get("target_duration_sec") for name in structure]
    if structure and all(isinstance(value, int) for value in given):
        return sum(given)
    duration = run.rules.get("target_duration")
    if isinstance(duration, dict) and isinstance(duration.get("radio_target"), int | float):
        return int(duration["radio_target"])
    minutes = run.rules.get("length_minutes")
    if isinstance(minutes, list) and len(minutes) == 2 and all(isinstance(m, int | float) for m in minutes):
        return int(round((minutes[0] + minutes[1]) * 30))
    return data.DEFAULT_DURATION_SEC


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` seconds split by ``weights`` into whole seconds that add up to ``total`` exactly (largest
    remainder, ties to the earlier section)."""
    if not weights:
        return []
    scale = sum(weights) or 1.0
    exact = [total * weight / scale for weight in weights]
    parts = [int(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def order_of(run: RunInput) -> list[str]:
    notes = run.sds.get("producer_notes") or {}
    structure = rules.split_structure(notes.get("structure", "") or "")
    return structure or list(run.lyrics.get("section_order") or [])


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    order = order_of(run_input)
    ranges = _ranges(run_input)
    syllables = run_input.lyrics.get("syllables_per_line")
    words_per_line = (
        max(1, round(syllables / data.SYLLABLES_PER_WORD))
        if isinstance(syllables, int)
        else data.DEFAULT_WORDS_PER_LINE
    )
    weights = [data.SECTION_DURATION_WEIGHTS.get(rules.section_key(n), data.DEFAULT_SECTION_WEIGHT) for n in order]
    total = target_duration(run_input)
    seconds = split(total, weights)
    sections = []
    for index, name in enumerate(order):
        key = rules.section_key(name)
        found = ranges.get(key, {})
        default = data.DEFAULT_SECTION_LINES.get(key, data.DEFAULT_LINES)
        low, high = found.get("min"), found.get("max")
        if "target" in found:
            target = found["target"]
        elif low is not None and high is not None:
            target = (low + high) // 2
        else:
            target = (
                low if low is not None and low > default else (high if high is not None and high < default else default)
            )
        sections.append(
            {
                "index": index,
                "name": name,
                "min_lines": low if low is not None else 0,
                "max_lines": high,
                "target_lines": target,
                "target_words": target * words_per_line,
                "is_hook": rules.is_chorus(name) or key == "hook",
                "duration_sec": seconds[index],
            }
        )
    required = [name for name in run_input.rules.get("required_sections") or [] if isinstance(name, str)]
    return {
        "sections": sections,
        "hook_positions": [section["index"] for section in sections if section["is_hook"]],
        "required_sections": required,
        "target_duration_sec": total,
        "words_per_line": words_per_line,
    }
