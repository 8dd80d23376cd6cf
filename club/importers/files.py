"""Reading export files: a single file, a directory, or a ZIP archive, in a stable order."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def open_members(path: str | Path, wanted: Callable[[str], bool]) -> Iterator[tuple[str, IO[bytes]]]:
    """Yield ``(name, binary file)`` for every member of ``path`` (file, directory or ZIP) that ``wanted``
    accepts, in natural order (``listens/2024/2.jsonl`` before ``listens/2024/10.jsonl``)."""
    path = Path(path)
    if path.is_dir():
        for member in sorted((p for p in path.rglob("*") if p.is_file()), key=lambda p: _natural(str(p))):
            if wanted(str(member.relative_to(path))):
                with member.open("rb") as handle:
                    yield str(member.relative_to(path)), handle
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist(), key=_natural):
                if not name.endswith("/") and wanted(name):
                    with archive.open(name) as handle:
                        yield name, handle
    else:
        with path.open("rb") as handle:
            yield path.name, handle
