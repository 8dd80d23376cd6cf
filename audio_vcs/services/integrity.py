"""Checking and cleaning the stored history: ``fsck`` re-hashes commits and blob files, ``garbage_collect`` removes
files no committed row owns and blobs nothing references, after a grace period."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from audio_vcs.constants import GC_GRACE_HOURS
from audio_vcs.models import Blob, Commit, CommitParent, Stem
from audio_vcs.services import audio
from audio_vcs.services.audio import CHUNK_BYTES, INCOMING_DIR
from audio_vcs.services.history import commit_content_hash

BLOBS_DIR = "audio_vcs/blobs"
BATCH = 500


def _noop(message: str) -> None:
    return None


def _file_sha256(name: str) -> str | None:
    """The SHA-256 of a stored file, read in chunks; None when the storage has no such file."""
    if not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def fsck(*, progress: Callable[[str], None] = _noop) -> list[dict]:
    """Re-hash every commit from its stored content and its parents' stored hashes, and every blob's file from
    storage; returns the problems found (``kind``, ``id``, ``expected``, ``actual``). Reads only."""
    problems = []
    total = Commit.objects.count()
    checked = 0
    ids = list(Commit.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        commits = Commit.objects.filter(pk__in=batch).select_related("render")
        parents, stems = {}, {}
        links = CommitParent.objects.filter(commit_id__in=batch).order_by("commit_id", "position")
        for commit_id, parent_hash in links.values_list("commit_id", "parent__content_hash"):
            parents.setdefault(commit_id, []).append(parent_hash)
        rows = Stem.objects.filter(commit_id__in=batch).values_list("commit_id", "stem_type", "name", "blob__sha256")
        for commit_id, stem_type, name, sha in rows:
            stems.setdefault(commit_id, []).append((stem_type, name, sha))
        for commit in commits:
            actual = commit_content_hash(
                commit, parent_hashes=parents.get(commit.pk, []), stems=stems.get(commit.pk, [])
            )
            if actual != commit.content_hash:
                problems.append(
                    {"kind": "commit", "id": str(commit.pk), "expected": commit.content_hash, "actual": actual}
                )
        checked += len(batch)
        progress(f"commits: {checked}/{total}")
    total = Blob.objects.count()
    for number, (pk, sha, name) in enumerate(Blob.objects.order_by("pk").values_list("pk", "sha256", "file"), 1):
        actual = _file_sha256(name)
        if actual != sha:
            problems.append({"kind": "blob", "id": str(pk), "expected": sha, "actual": actual or "(file missing)"})
        if number % 50 == 0 or number == total:
            progress(f"blobs: {number}/{total}")
    return problems


@dataclass
class GarbageReport:
    """What a garbage collection removed (or, dry, would remove)."""

    stray_files: list[str] = field(default_factory=list)
    blobs: list[str] = field(default_factory=list)


def _files(folder: str):
    """Every file under ``folder`` of the storage (storage API only), as storage names."""
    if not default_storage.exists(folder):
        return
    directories, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _files(f"{folder}/{directory}")


def garbage_collect(
    *, dry_run: bool = False, grace: timedelta | None = None, progress: Callable[[str], None] = _noop
) -> GarbageReport:
    """Remove, once older than the grace period (``GC_GRACE_HOURS``): staged files no commit moved into place,
    blob files without a row, and blobs no stem or render references (an upload never committed) with their
    files. ``dry_run`` only lists them. Each blob is deleted in its own transaction, so one that a commit starts
    to reference meanwhile is kept (the database refuses the delete)."""
    grace = timedelta(hours=GC_GRACE_HOURS) if grace is None else grace
    cutoff = timezone.now() - grace
    report = GarbageReport()
    known = set(Blob.objects.values_list("file", flat=True))
    for name in [*_files(INCOMING_DIR), *_files(BLOBS_DIR)]:
        if name in known or default_storage.get_modified_time(name) > cutoff:
            continue
        report.stray_files.append(name)
        if not dry_run:
            default_storage.delete(name)
    progress(f"stray files: {len(report.stray_files)}")
    orphans = (
        Blob.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=Stem.objects.values("blob_id"))
        .exclude(pk__in=Commit.objects.filter(render__isnull=False).values("render_id"))
        .order_by("pk")
    )
    for blob in orphans:
        if not dry_run:
            try:
                with transaction.atomic():
                    blob.delete()
                    name = blob.file.name
                    audio.on_commit(lambda name=name: default_storage.delete(name))
            except (IntegrityError, ProtectedError):
                continue
        report.blobs.append(blob.sha256)
    progress(f"unreferenced blobs: {len(report.blobs)}")
    return report
