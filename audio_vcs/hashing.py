"""The content address of a commit: a SHA-256 over what the commit holds, nothing random.

It covers the parents' hashes (in order), the stems (type, name and blob hash), the message, BPM, key, generation
parameters, the author's id, the render's blob hash and the commit time (as git covers its dates), as a canonical
JSON document. Two servers holding the same history compute the same hashes; ``manage.py audio_fsck`` recomputes
them from the stored rows. Pure: the migrations use it too.
"""

from __future__ import annotations

import datetime
import hashlib
import json


def commit_digest(
    *,
    parents: list[str],
    stems: list[tuple[str, str, str]],
    message: str,
    bpm: float | None,
    key_signature: str,
    generation_params: dict,
    author: str,
    render: str | None,
    committed_at: datetime.datetime,
) -> str:
    """SHA-256 (hex) of the canonical JSON of a commit's content; ``stems`` are (type, name, blob sha256)."""
    document = {
        "parents": list(parents),
        "stems": sorted([str(t), str(n), str(s)] for t, n, s in stems),
        "message": message or "",
        "bpm": bpm,
        "key_signature": key_signature or "",
        "generation_params": generation_params or {},
        "author": str(author or ""),
        "render": render,
        "committed_at": committed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
