"""Verifiable commits (a content-only hash), ``audio_fsck`` and the garbage collection (``audio_gc``)."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import time

import pgtrigger
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from audio_vcs import services
from audio_vcs.hashing import commit_digest
from audio_vcs.models import Blob, Commit
from audio_vcs.services import audio as audio_services
from audio_vcs.services.integrity import fsck, garbage_collect
from tests.audio_vcs.audio import tone
from tests.audio_vcs.factories import CommitFactory, stems_for

pytestmark = pytest.mark.django_db


def test_commit_hash_covers_content_only_and_is_recomputed_from_plain_values(project):
    parent = CommitFactory(project=project)
    commit = services.commit_create(
        project=project, author=project.owner, branch="main", stems=stems_for(), message="Two", bpm=101
    )
    stems = [(s.stem_type, s.name, s.blob.sha256) for s in commit.stems.select_related("blob")]
    expected = commit_digest(
        parents=[parent.content_hash],
        stems=list(reversed(stems)),
        message="Two",
        bpm=101,
        key_signature="",
        generation_params={},
        author=str(project.owner.pk),
        render=None,
        committed_at=commit.created_at,
    )
    assert commit.content_hash == expected  # no id, no random value: another server computes the same
    assert commit.author_key == str(project.owner.pk)
    other_time = commit.created_at + datetime.timedelta(microseconds=1)
    assert commit_digest(**{**_plain(commit, parent, stems), "committed_at": other_time}) != expected


def _plain(commit, parent, stems) -> dict:
    return {
        "parents": [parent.content_hash],
        "stems": stems,
        "message": commit.message,
        "bpm": commit.bpm,
        "key_signature": commit.key_signature,
        "generation_params": commit.generation_params,
        "author": commit.author_key,
        "render": None,
    }


def test_fsck_finds_a_clean_history_clean_and_reports_a_changed_commit_and_a_changed_file(project):
    first = CommitFactory(project=project)
    CommitFactory(project=project)
    assert fsck() == []
    out = io.StringIO()
    call_command("audio_fsck", stdout=out, stderr=io.StringIO())
    assert "every commit and blob matches" in out.getvalue()
    blob = first.stems.select_related("blob").first().blob
    with default_storage.open(blob.file.name, "wb") as handle:
        handle.write(b"bit rot")
    with pgtrigger.ignore("audio_vcs.Commit:audio_vcs_commit_immutable"):  # a corrupted row; the trigger refuses it
        Commit.objects.filter(pk=first.pk).update(message="tampered")
    problems = fsck()
    assert {(p["kind"], p["id"]) for p in problems} == {("commit", str(first.pk)), ("blob", str(blob.pk))}
    with pytest.raises(CommandError, match="2 mismatch"):
        call_command("audio_fsck", stdout=io.StringIO(), stderr=io.StringIO())


def _age(name: str, hours: float) -> None:
    path = default_storage.path(name)
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


def test_gc_dry_run_lists_and_gc_removes_stray_files_and_unreferenced_blobs_after_the_grace_period(project):
    kept = CommitFactory(project=project).stems.select_related("blob").first().blob
    stray = default_storage.save(f"{audio_services.INCOMING_DIR}/left-by-a-killed-commit", ContentFile(b"x" * 10))
    fresh = default_storage.save(f"{audio_services.INCOMING_DIR}/still-uploading", ContentFile(b"y" * 10))
    _age(stray, 48)
    data = tone(777)
    sha = hashlib.sha256(data).hexdigest()
    services.blob_receive(body=io.BytesIO(data), sha256=sha, actor=project.owner)  # uploaded, never committed
    orphan = Blob.objects.get(sha256=sha)
    Blob.objects.filter(pk=orphan.pk).update(created_at=orphan.created_at - datetime.timedelta(hours=48))

    out = io.StringIO()
    call_command("audio_gc", "--dry-run", stdout=out, stderr=io.StringIO())
    assert f"would remove file {stray}" in out.getvalue() and f"would remove blob {sha}" in out.getvalue()
    assert default_storage.exists(stray) and Blob.objects.filter(pk=orphan.pk).exists()

    report = garbage_collect()
    assert report.stray_files == [stray] and report.blobs == [sha]
    assert not default_storage.exists(stray) and default_storage.exists(fresh)
    assert not Blob.objects.filter(pk=orphan.pk).exists() and not default_storage.exists(orphan.file.name)
    assert Blob.objects.filter(pk=kept.pk).exists() and default_storage.exists(kept.file.name)
    assert Commit.objects.filter(project=project).count() == 1


def test_gc_refuses_a_negative_grace_period():
    with pytest.raises(CommandError, match="0 or more"):
        call_command("audio_gc", "--grace-hours", "-1", stdout=io.StringIO())


def test_the_migration_rehash_gives_stored_commits_the_hashes_the_service_writes(project):
    """The data migration that gave existing commits content-only hashes computes what the service computes."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = import_module("audio_vcs.migrations.0006_content_only_commit_hash")
    CommitFactory(project=project)
    CommitFactory(project=project)
    before = dict(Commit.objects.values_list("pk", "content_hash"))
    migration.rehash(apps, SimpleNamespace(connection=connection))
    assert dict(Commit.objects.values_list("pk", "content_hash")) == before
    assert fsck() == []
