"""Upload once, commit by reference: raw blob uploads (PUT/HEAD by SHA-256), commits that name stems by hash and
inherit their parent's stems, blob visibility, and staged files that only a committed row moves into place."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from audio_vcs import services
from audio_vcs.models import Blob, BlobUpload, Commit
from audio_vcs.services import audio as audio_services
from audio_vcs.services import history
from tests.audio_vcs.audio import tone, upload
from tests.audio_vcs.factories import CommitFactory, ProjectFactory, stems_for
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def blob_url(sha: str) -> str:
    return reverse("audio_vcs-api:blob-hash-detail", args=[sha])


def put_blob(client, data: bytes, sha: str | None = None):
    sha = sha or hashlib.sha256(data).hexdigest()
    return client.put(blob_url(sha), data, content_type="application/octet-stream")


def stored_files(root) -> set[str]:
    return {os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names}


def test_put_blob_stores_it_once_and_head_tells_who_may_read_it(project, owner_client, stranger_client):
    data = tone(330)
    sha = hashlib.sha256(data).hexdigest()
    assert owner_client.head(blob_url(sha)).status_code == 404
    created = put_blob(owner_client, data)
    assert created.status_code == 201, created.json()
    assert created.json()["sha256"] == sha and created.json()["audio_format"] == "WAV"
    blob = Blob.objects.get(sha256=sha)
    with default_storage.open(blob.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == sha
    assert owner_client.head(blob_url(sha)).status_code == 200
    # Someone who never sent the bytes and sees no commit of them: as if the server did not have it.
    assert stranger_client.head(blob_url(sha)).status_code == 404
    # Sending the same bytes proves they hold them: 200, no second blob.
    again = put_blob(stranger_client, data)
    assert again.status_code == 200 and Blob.objects.filter(sha256=sha).count() == 1
    assert stranger_client.head(blob_url(sha)).status_code == 200


def test_put_blob_refuses_a_body_whose_hash_differs_and_keeps_nothing(owner_client, settings):
    data = tone(200)
    response = put_blob(owner_client, data, sha="0" * 64)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "sha256"
    assert not Blob.objects.exists()
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, audio_services.INCOMING_DIR)) or not os.listdir(
        os.path.join(settings.MEDIA_ROOT, audio_services.INCOMING_DIR)
    )


def test_put_blob_that_is_not_audio_is_400_without_a_python_repr(owner_client):
    response = put_blob(owner_client, b"plain text, not audio")
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "is not an audio file" in message and "Error(" not in message and "<" not in message


def test_put_blob_over_the_stem_limit_is_refused(owner_client, monkeypatch):
    monkeypatch.setattr(audio_services, "MAX_STEM_BYTES", 1000)
    response = put_blob(owner_client, tone(200))
    assert response.status_code == 400 and "larger than" in response.json()["message"]
    assert not Blob.objects.exists()


def test_raw_body_limit_is_its_own_not_the_json_limit(owner_client, settings):
    settings.API_MAX_JSON_BYTES = 1000
    data = tone(200, seconds=0.5)
    assert len(data) > 1000
    assert put_blob(owner_client, data).status_code == 201
    settings.API_MAX_RAW_UPLOAD_BYTES = 1000
    other = tone(210, seconds=0.5)
    assert put_blob(owner_client, other).status_code == 413


def test_commit_by_reference_inherits_the_parent_and_uploads_only_what_changed(project, owner_client):
    first = CommitFactory(project=project, stems=stems_for(types=("drums", "bass", "vocals")))
    new_bass = tone(97)
    assert put_blob(owner_client, new_bass).status_code == 201
    body = {"message": "New bass, no vocals", "stems": {"bass": hashlib.sha256(new_bass).hexdigest(), "vocals": None}}
    response = owner_client.post(reverse("audio_vcs-api:project-commits", args=[project.pk]), body, format="json")
    assert response.status_code == 201, response.json()
    commit = Commit.objects.get(pk=response.json()["id"])
    stems = {s.key: s.blob.sha256 for s in commit.stems.select_related("blob")}
    parent = {s.key: s.blob.sha256 for s in first.stems.select_related("blob")}
    assert set(stems) == {"drums", "bass"}
    assert stems["drums"] == parent["drums"] and stems["bass"] == hashlib.sha256(new_bass).hexdigest()
    assert list(commit.parents.all()) == [first]


def test_commit_by_reference_refuses_a_blob_the_caller_may_not_read_as_if_absent(project, owner_client):
    secret = ProjectFactory(is_public=False)
    hidden = CommitFactory(project=secret).stems.first().blob
    CommitFactory(project=project)
    url = reverse("audio_vcs-api:project-commits", args=[project.pk])
    refused = owner_client.post(url, {"stems": {"drums": hidden.sha256}}, format="json")
    absent = owner_client.post(url, {"stems": {"drums": "a" * 64}}, format="json")
    assert refused.status_code == absent.status_code == 400
    assert refused.json()["errors"][0]["field"] == "stems.drums"
    assert refused.json()["message"].replace(hidden.sha256, "X") == absent.json()["message"].replace("a" * 64, "X")


def test_commit_without_inherit_holds_only_the_listed_stems(project):
    CommitFactory(project=project, stems=stems_for(types=("drums", "bass")))
    commit = services.commit_create(
        project=project, author=project.owner, branch="main", stems=stems_for(types=("melody",)), inherit=False
    )
    assert [s.key for s in commit.stems.all()] == ["melody"]


def test_removing_a_stem_the_parent_lacks_or_every_stem_is_refused(project):
    CommitFactory(project=project, stems=stems_for(types=("drums",)))
    with pytest.raises(ValidationError, match="no stem 'bass'"):
        services.commit_create(
            project=project,
            author=project.owner,
            branch="main",
            stems=[services.StemUpload(stem_type="bass", remove=True)],
        )
    with pytest.raises(ValidationError, match="at least one stem"):
        services.commit_create(
            project=project,
            author=project.owner,
            branch="main",
            stems=[services.StemUpload(stem_type="drums", remove=True)],
        )


def test_multipart_commit_still_works_and_records_the_uploader(project, owner_client):
    response = owner_client.post(
        reverse("audio_vcs-api:project-commits", args=[project.pk]),
        {"message": "Files", "drums": upload(tone(120))},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    blob = Blob.objects.get(sha256=response.json()["stems"][0]["blob"]["sha256"])
    assert BlobUpload.objects.filter(blob=blob, user=project.owner).exists()


@pytest.mark.staged_files
def test_a_commit_killed_halfway_leaves_no_stray_file(
    project, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Blob files are staged under a temporary name and moved into place on commit; a commit that fails after its
    files were written (here: while moving the branch) leaves neither a row nor a file."""
    CommitFactory(project=project, stems=stems_for(types=("drums",)))
    before = stored_files(settings.MEDIA_ROOT)

    def killed(**kwargs):
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(history, "_advance", killed)
    blobs = Blob.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.commit_create(project=project, author=project.owner, branch="main", stems=stems_for())
    assert Blob.objects.count() == blobs
    assert stored_files(settings.MEDIA_ROOT) == before


@pytest.mark.staged_files
def test_a_staged_file_moves_into_place_only_when_the_row_commits(
    project, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        commit = services.commit_create(project=project, author=project.owner, branch="main", stems=stems_for())
    blob = commit.stems.first().blob
    assert not default_storage.exists(blob.file.name)
    assert any(name.startswith(audio_services.INCOMING_DIR) for name in stored_files(settings.MEDIA_ROOT))
    for callback in callbacks:
        callback()
    assert default_storage.exists(blob.file.name)
    assert not any(name.startswith(audio_services.INCOMING_DIR) for name in stored_files(settings.MEDIA_ROOT))


def test_conflicts_are_django_errors_of_core(project):
    """Services raise core's ConflictError (no DRF exception), so the admin and commands can show them."""
    from core.services import ConflictError

    first = CommitFactory(project=project)
    CommitFactory(project=project)
    with pytest.raises(ConflictError) as error:
        services.commit_create(
            project=project, author=project.owner, branch="main", stems=stems_for(), expected_head=str(first.pk)
        )
    assert error.value.code == "non_fast_forward"
    from rest_framework.exceptions import APIException

    assert not isinstance(error.value, APIException)


def test_blob_uploads_are_one_row_per_user_and_blob(project):
    user = UserFactory()
    data = tone(410)
    sha = hashlib.sha256(data).hexdigest()
    services.blob_receive(body=io.BytesIO(data), sha256=sha, actor=user)
    services.blob_receive(body=io.BytesIO(data), sha256=sha, actor=user)
    assert BlobUpload.objects.filter(user=user).count() == 1


def test_a_wav_whose_header_promises_more_frames_than_it_holds_is_stored_with_a_warning(owner_client):
    whole = tone(300, seconds=1.0)
    cut = whole[: len(whole) - 20_000]
    response = put_blob(owner_client, cut)
    assert response.status_code == 201, response.json()
    warning = response.json()["warning"]
    assert "header promises 22050 frames but the file holds 12050" in warning and "0.454 s missing" in warning
    assert put_blob(owner_client, whole).json()["warning"] == ""
