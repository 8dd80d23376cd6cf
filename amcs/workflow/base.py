"""What every node shares: the frozen run input, canonical JSON and its SHA-256, the node failure."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from amcs import rules

#: Words of a line: letters (any script) with inner apostrophes; digits and punctuation separate words.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def canonical_json(value: Any) -> str:
    """The one text of a JSON value: keys sorted, no spaces, UTF-8 as is (so equal values hash equal)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


class NodeFailed(Exception):
    """A node cannot go on: the run ends ``failed`` with this message (and the report, when there is one)."""

    def __init__(self, message: str, *, report: dict | None = None):
        super().__init__(message)
        self.message = message
        self.report = report or {}


@dataclass(frozen=True)
class RunInput:
    """What a run froze when it started: the SDS, the blueprint and persona documents, the song's target duration
    and its explicit-content flag. Nodes read only this, their upstream outputs and their seed."""

    sds: dict
    blueprint: dict
    persona: dict | None = None
    target_duration_sec: int | None = None
    seed: int = 0
    context_hash: str = field(default="", compare=False)

    @classmethod
    def from_frozen(cls, sds: dict, context: dict, seed: int) -> RunInput:
        return cls(
            sds=sds,
            blueprint=context.get("blueprint") or {},
            persona=context.get("persona"),
            target_duration_sec=context.get("target_duration_sec"),
            seed=seed,
            context_hash=sha256_of({"sds": sds, "context": context}),
        )

    @property
    def rules(self) -> dict:
        value = self.blueprint.get("rules")
        return value if isinstance(value, dict) else {}

    @property
    def lyrics(self) -> dict:
        return self.sds.get("lyrics") or {}


def words(text: str) -> list[str]:
    return [word.lower().replace("’", "'") for word in WORD.findall(text)]


def section_name_key(name: str) -> str:
    return rules.section_key(name)
