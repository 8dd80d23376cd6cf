"""``audio_vcs.*``: the history log against walking parents, and what a repeated commit stores.

- ``audio_vcs.log10k.queries``: queries ``services.commit_log`` costs for the whole ancestry of the head of a
  10,000-commit history (a first-parent chain with a side commit merged back every 100 commits). Must be 1.
- ``audio_vcs.log10k.speedup_vs_walk``: the same log walked one commit (one query) at a time
  (``services.commit_log_walk``, the same rows and order) over the recursive CTE, both measured in this run.
- ``audio_vcs.log10k.cte_ms``: median milliseconds of the CTE log of 10,000 commits.
- ``audio_vcs.commit.dedupe_bytes``: new blob bytes stored by a second commit of the same five stems (in
  another project). Must be 0.
- ``audio_vcs.commit.incremental_bytes``: request body bytes a client sends over the API for a commit that
  changes 1 of 8 stems (``PUT blobs/{sha256}/`` of the new stem, then a JSON commit naming it by hash; the other
  seven are inherited). Must be the one stem's size plus a small JSON body; ``...incremental_vs_full`` is that
  over the bytes of the multipart commit of all eight stems the same change needed before.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
import uuid

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

NAME = "bench-log10k"
COMMITS = 10_000
MERGE_EVERY = 100


def ensure_history():
    """A project whose ``main`` head has 10,000 commits behind it (built once, kept between runs)."""
    from audio_vcs.models import Blob, Branch, Commit, CommitParent, Project, Stem
    from tests.core.factories import UserFactory

    owner = UserFactory(username="bench-audio-owner", password=None)
    project = Project.objects.filter(owner=owner, name=NAME).first()
    if project is not None:
        branch = Branch.objects.filter(project=project, name="main").select_related("head").first()
        if branch is not None:
            return branch.head
        project.hard_delete()
    project = Project.objects.create(owner=owner, name=NAME)
    blob = Blob.objects.filter(sha256="0" * 64).first() or Blob.objects.create(
        sha256="0" * 64,
        file="audio_vcs/blobs/00/bench.wav",
        size=44,
        media_type="audio/wav",
        audio_format="WAV",
        duration=0.0,
        sample_rate=44_100,
        channels=1,
        frames=0,
    )
    commits, links = [], []
    main_tip = None
    previous_hash = ""
    index = 0
    while len(commits) < COMMITS:
        index += 1
        commit_id = uuid.uuid4()
        parents = [main_tip] if main_tip is not None else []
        if index % MERGE_EVERY == 0 and len(commits) < COMMITS - 1:
            side_id = uuid.uuid4()  # a side commit off the tip, merged back by this commit
            side_hash = hashlib.sha256(f"side{index}".encode()).hexdigest()
            commits.append(Commit(id=side_id, project=project, message=f"side {index}", content_hash=side_hash))
            links.append(CommitParent(commit_id=side_id, parent_id=main_tip, position=0))
            parents.append(side_id)
        digest = hashlib.sha256(json.dumps([str(commit_id), previous_hash]).encode()).hexdigest()
        commits.append(Commit(id=commit_id, project=project, message=f"commit {index}", content_hash=digest))
        links.extend(CommitParent(commit_id=commit_id, parent_id=p, position=n) for n, p in enumerate(parents))
        main_tip, previous_hash = commit_id, digest
    Commit.objects.bulk_create(commits, batch_size=2000)
    CommitParent.objects.bulk_create(links, batch_size=5000)
    Stem.objects.bulk_create([Stem(commit_id=main_tip, stem_type="drums", blob=blob)])
    Branch.objects.create(project=project, name="main", head_id=main_tip)
    return Commit.objects.get(pk=main_tip)


def dedupe_bytes() -> int:
    from audio_vcs import services
    from audio_vcs.models import Blob, Project
    from tests.audio_vcs.audio import tone, upload
    from tests.core.factories import UserFactory

    owner = UserFactory(username="bench-audio-owner", password=None)
    salt = time.time_ns() % 1000 / 1000  # new audio on every run, so the first commit really stores it
    stems_data = [
        (kind, tone(110.0 * (n + 1) + salt, seconds=1.0))
        for n, kind in enumerate(["drums", "bass", "vocals", "melody", "other"])
    ]

    def commit(name):
        project = Project.objects.filter(owner=owner, name=name).first() or services.project_create(
            owner=owner, name=name
        )
        stems = [services.StemUpload(stem_type=kind, file=upload(data)) for kind, data in stems_data]
        services.commit_create(project=project, author=owner, branch="main", stems=stems)

    def stored() -> int:
        return sum(Blob.objects.values_list("size", flat=True))

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        before = stored()
        commit("bench-dedupe-a")
        first = stored() - before
        assert first > 0, "the first commit stores its new stems"
        before = stored()
        commit("bench-dedupe-b")
        return stored() - before


def incremental_bytes() -> tuple[int, int, int]:
    """(bytes sent for a commit changing 1 of 8 stems by reference, the new stem's size, the eight stems' size)."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    from audio_vcs import services
    from tests.audio_vcs.audio import tone
    from tests.core.factories import UserFactory

    owner = UserFactory(username="bench-audio-owner", password=None)
    salt = time.time_ns() % 1000 / 1000
    stems = {f"other:{n}": tone(100.0 + 40 * n + salt, seconds=2.0, rate=44_100, channels=2) for n in range(8)}
    client = APIClient()
    client.force_authenticate(owner)
    sent = 0

    def put(data: bytes) -> str:
        nonlocal sent
        sha = hashlib.sha256(data).hexdigest()
        url = reverse("audio_vcs-api:blob-hash-detail", args=[sha])
        if client.head(url).status_code != 200:
            response = client.put(url, data, content_type="application/octet-stream")
            assert response.status_code in (200, 201), response.content[:300]
            sent += len(data)
        return sha

    def commit(project, changes: dict) -> None:
        nonlocal sent
        body = json.dumps({"message": "bench", "stems": changes})
        url = reverse("audio_vcs-api:project-commits", args=[project.pk])
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        sent += len(body.encode())

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media, ALLOWED_HOSTS=["*"]):
        project = services.project_create(owner=owner, name=f"bench-incremental-{uuid.uuid4().hex[:8]}")
        commit(project, {key: put(data) for key, data in stems.items()})
        sent = 0
        new = tone(987.0 + salt, seconds=2.0, rate=44_100, channels=2)
        commit(project, {"other:3": put(new)})
        return sent, len(new), sum(len(data) for data in stems.values())


def run(report, timed):
    from audio_vcs import services

    head = ensure_history()
    with CaptureQueriesContext(connection) as queries:
        log = list(services.commit_log(head=head, limit=None))
    assert len(log) >= COMMITS, len(log)
    report("audio_vcs.log10k.queries", len(queries), "queries")
    walked = services.commit_log_walk(head=head)
    assert [c["id"] for c in walked] == [c["id"] for c in log][: len(walked)]
    cte = timed(lambda: list(services.commit_log(head=head, limit=None)), repeat=7, warmup=1)
    walk = timed(lambda: services.commit_log_walk(head=head), repeat=3, warmup=1)
    report("audio_vcs.log10k.cte_ms", cte * 1000, "ms")
    report("audio_vcs.log10k.speedup_vs_walk", walk / cte, "x")
    report("audio_vcs.commit.dedupe_bytes", dedupe_bytes(), "bytes")
    sent, one_stem, all_stems = incremental_bytes()
    assert one_stem <= sent < one_stem + 1000, (sent, one_stem)
    report("audio_vcs.commit.incremental_bytes", sent, "bytes")
    report("audio_vcs.commit.incremental_vs_full", sent / all_stems, "x")
