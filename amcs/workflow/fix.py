"""FIX: deterministic repairs of what VALIDATE failed and that need no model, then the prompt composed again.

- a required section the lyrics lack gets the plan's placeholder lines (``[[PLACEHOLDER: ...]]``, as many as the
  section's minimum, at least one), at its place in the plan's order, and the change says so;
- a section over its maximum lines keeps its first lines and the rest are cut (each cut line listed);
- when flagged terms exceed the blueprint's allowance, the redaction is applied again, explicit or not.

A FIX that changes nothing is not a round: the runner ends the run ``failed`` with the last report.
"""

from __future__ import annotations

import copy

from amcs import rules
from amcs.workflow import data
from amcs.workflow.base import RunInput
from amcs.workflow.compose_node import composed
from amcs.workflow.lyrics import guard
from amcs.workflow.plan import _ranges
from amcs.workflow.validate import lyrics_sections


def repair(sections: list[dict], report: dict, plan: dict, run_input: RunInput) -> tuple[list[dict], list[dict]]:
    sections = copy.deepcopy(sections)
    changes: list[dict] = []
    codes = {issue["code"] for issue in report["issues"]}
    ranges = _ranges(run_input)
    if "long_section" in codes:
        for index, section in enumerate(sections):
            high = ranges.get(rules.section_key(section.get("type", "")), {}).get("max")
            lines = section.get("lines") or []
            if high is not None and len(lines) > high:
                for cut in range(high, len(lines)):
                    changes.append(
                        {"pointer": f"/lyrics/sections/{index}/lines/{cut}", "kind": "cut", "text": lines[cut]}
                    )
                section["lines"] = lines[:high]
    if "profanity" in codes:
        sections, redacted = guard(sections, blueprint=run_input.blueprint, persona=None, explicit=False)
        changes += [{**change, "kind": f"redacted_{change['kind']}"} for change in redacted]
    order = [rules.section_key(section["name"]) for section in plan["sections"]]
    for issue in report["issues"]:
        if issue["code"] != "missing_section":
            continue
        name = issue["section"]
        key = rules.section_key(name)
        count = max(ranges.get(key, {}).get("min", 1), 1)
        placeholder = {
            "type": name,
            "lines": [data.PLACEHOLDER.format(section=name, number=n) for n in range(1, count + 1)],
        }
        position = order.index(key) if key in order else len(order)
        at = sum(
            1
            for section in sections
            if (
                order.index(rules.section_key(section.get("type", "")))
                if rules.section_key(section.get("type", "")) in order
                else len(order)
            )
            <= position
        )
        sections.insert(at, placeholder)
        changes.append(
            {
                "pointer": f"/lyrics/sections/{at}",
                "kind": "placeholder",
                "text": f"'{name}' was missing: {count} placeholder line(s) to replace with the real lyrics.",
            }
        )
    return sections, changes


def run(run_input: RunInput, upstream: dict, seed: int) -> dict:
    sections, changes = repair(lyrics_sections(upstream), upstream["VALIDATE"], upstream["PLAN"], run_input)
    prompt = composed(run_input, upstream, sections) if changes else None
    return {"sections": sections, "changes": changes, "composed": prompt}
