"""The audio version control API: CRUD per resource (core.testing.CrudAPITests), visibility and roles on every
endpoint, and the history actions (commits with uploads, log, diff, merge base, merge, fork) over HTTP."""

import io
import zipfile

import pytest
import soundfile
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from audio_vcs.api.views import NO_FILE
from audio_vcs.choices import CollaboratorRole, ExportStatus
from audio_vcs.models import (
    Approval,
    Arrangement,
    Branch,
    Collaborator,
    Comment,
    Commit,
    Composition,
    CompositionLyrics,
    CompositionSession,
    ExportJob,
    Project,
    Star,
    Track,
)
from audio_vcs.services import export_job_run
from core.testing import CrudAPITests
from tests.audio_vcs.audio import midi_file, tone, upload
from tests.audio_vcs.factories import (
    ApprovalFactory,
    ArrangementFactory,
    BranchFactory,
    CollaboratorFactory,
    CommentFactory,
    CommitFactory,
    CompositionFactory,
    CompositionLyricsFactory,
    CompositionSessionFactory,
    ExportJobFactory,
    ProjectFactory,
    StarFactory,
    TrackFactory,
)
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def project_of(obj):
    if isinstance(obj, Project):
        return obj
    if hasattr(obj, "project"):
        return obj.project
    return obj.composition.project


class AudioCrud(CrudAPITests):
    def grant_read(self, client, obj):
        CollaboratorFactory(project=project_of(obj), user=client.handler._force_user, role=CollaboratorRole.VIEWER)


class TestProjectAPI(AudioCrud):
    model = Project
    factory = ProjectFactory
    url_base = "audio_vcs-api:project"
    brief_fields = ["owner", "default_branch"]

    def create_data(self):
        return {"name": "New song", "genre": "house", "tempo": 124, "key_signature": "F#m", "is_public": True}

    def update_data(self):
        return {"description": "Changed"}

    def test_write_without_permission_is_403(self, user_client):
        obj = self.make()
        self.grant_read(user_client, obj)
        assert user_client.patch(self.detail_url(obj), self.update_data(), format="json").status_code == 403
        assert user_client.delete(self.detail_url(obj)).status_code == 403
        assert Project.objects.filter(pk=obj.pk).exists()

    def test_any_user_creates_own_project_as_owner(self, user_client, user):
        response = user_client.post(self.list_url(), self.create_data(), format="json")
        assert response.status_code == 201, response.data
        project = Project.objects.get(pk=response.data["id"])
        assert project.owner == user
        assert project.memberships.get().role == CollaboratorRole.OWNER
        again = user_client.post(self.list_url(), {**self.create_data(), "name": "NEW SONG"}, format="json")
        assert again.status_code == 409  # a duplicate name, as a race's loser gets it


class TestCollaboratorAPI(AudioCrud):
    model = Collaborator
    factory = CollaboratorFactory
    url_base = "audio_vcs-api:collaborator"
    brief_fields = ["user", "role"]

    def create_data(self):
        project = ProjectFactory.build(owner=UserFactory())
        project.save()  # without its owner's collaborator row, so the count grows by the one created
        return {"project": str(project.pk), "user_id": str(UserFactory().pk), "role": "viewer"}

    def update_data(self):
        return {"role": "maintainer"}

    def test_a_collaborator_never_moves_to_another_user(self, admin_api_client):
        row = CollaboratorFactory()
        response = admin_api_client.patch(self.detail_url(row), {"user_id": str(UserFactory().pk)}, format="json")
        assert response.status_code == 400
        assert Collaborator.objects.get(pk=row.pk).user == row.user

    def test_only_owners_manage_collaborators(self, project, role_client):
        maintainer = role_client(CollaboratorRole.MAINTAINER)
        data = {"project": str(project.pk), "user_id": str(UserFactory().pk), "role": "viewer"}
        assert maintainer.post(self.list_url(), data, format="json").status_code == 403


class TestBranchAPI(AudioCrud):
    model = Branch
    factory = BranchFactory
    url_base = "audio_vcs-api:branch"
    brief_fields = ["head", "head_hash"]

    def create_data(self):
        head = CommitFactory()
        Branch.objects.filter(project=head.project).delete()  # the commit stays; only the new branch counts
        return {"project": str(head.project.pk), "name": "release/1.0", "head": str(head.pk)}

    def update_data(self):
        return {}

    def test_update_with_stale_expected_head_is_409(self, admin_api_client):
        branch = BranchFactory()
        first = branch.head
        second = CommitFactory(project=branch.project, branch=branch.name)
        url = self.detail_url(branch)
        stale = admin_api_client.patch(url, {"head": str(first.pk), "expected_head": str(first.pk)}, format="json")
        assert stale.status_code == 409
        assert "non-fast-forward" in stale.json()["message"]
        ok = admin_api_client.patch(url, {"head": str(first.pk), "expected_head": second.short_hash}, format="json")
        assert ok.status_code == 200, ok.data
        assert Branch.objects.get(pk=branch.pk).head == first

    def test_create_with_bad_name_is_400(self, admin_api_client):
        data = {**self.create_data(), "name": "bad..name"}
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400


class TestCompositionAPI(AudioCrud):
    model = Composition
    factory = CompositionFactory
    url_base = "audio_vcs-api:composition"
    brief_fields = ["midi_data", "theory_data"]

    def create_data(self):
        return {"project": str(ProjectFactory().pk), "name": "Sketch", "confidence_score": 0.5}

    def update_data(self):
        return {"name": "Sketch 2", "confidence_score": 0.9}

    def test_out_of_range_and_invalid_midi_data_are_400(self, admin_api_client):
        data = {**self.create_data(), "confidence_score": 1.5}
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400
        data = {**self.create_data(), "midi_data": {"tracks": [{"notes": [{"pitch": 200, "start": 0}]}]}}
        response = admin_api_client.post(self.list_url(), data, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "midi_data"

    def test_commit_from_another_project_is_400(self, admin_api_client):
        data = {**self.create_data(), "commit": str(CommitFactory().pk)}
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400


class TestArrangementAPI(AudioCrud):
    model = Arrangement
    factory = ArrangementFactory
    url_base = "audio_vcs-api:arrangement"
    brief_fields = ["sections", "length_bars"]

    def create_data(self):
        return {
            "composition": str(CompositionFactory().pk),
            "name": "Radio edit",
            "sections": [{"name": "Chorus", "start_bar": 1, "length_bars": 8}],
        }

    def update_data(self):
        return {"name": "Club edit"}

    def test_overlapping_sections_are_400(self, admin_api_client):
        data = self.create_data()
        data["sections"] = [
            {"name": "A", "start_bar": 1, "length_bars": 8},
            {"name": "B", "start_bar": 4, "length_bars": 8},
        ]
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400


class TestTrackAPI(AudioCrud):
    model = Track
    factory = TrackFactory
    url_base = "audio_vcs-api:track"
    brief_fields = ["clips", "pan", "volume"]

    def create_data(self):
        return {"composition": str(CompositionFactory().pk), "name": "Bass", "track_type": "bass", "volume": 0.5}

    def update_data(self):
        return {"pan": -0.5, "is_muted": True}

    @pytest.mark.parametrize("field,value", [("pan", 1.5), ("volume", -0.1), ("channel", 16), ("program", 128)])
    def test_out_of_range_mixer_values_are_400(self, admin_api_client, field, value):
        data = {**self.create_data(), field: value}
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400

    def test_clip_ending_before_it_starts_is_400(self, admin_api_client):
        data = {**self.create_data(), "clips": [{"start_time": 4, "end_time": 2}]}
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400


class TestCompositionLyricsAPI(AudioCrud):
    model = CompositionLyrics
    factory = CompositionLyricsFactory
    url_base = "audio_vcs-api:compositionlyrics"
    brief_fields = ["alignment"]

    def create_data(self):
        return {"composition": str(CompositionFactory().pk), "language": "fr", "text": "bonjour"}

    def update_data(self):
        return {"text": "salut"}

    @pytest.mark.parametrize(
        "phonemes",
        [
            [{"symbol": "A", "start": 1.0, "end": 0.9}],  # ends before it starts
            [{"symbol": "A", "start": 0.6, "end": 0.8}, {"symbol": "B", "start": 0.7, "end": 0.9}],  # backwards
            [{"symbol": "A", "start": 0.6, "end": 1.2}],  # past its word
        ],
    )
    def test_phoneme_timeline_that_runs_backwards_is_400(self, admin_api_client, phonemes):
        alignment = {
            "lines": [
                {
                    "text": "a",
                    "start": 0.5,
                    "end": 1.5,
                    "words": [{"text": "a", "start": 0.5, "end": 1.0, "phonemes": phonemes}],
                }
            ]
        }
        data = {**self.create_data(), "alignment": alignment}
        response = admin_api_client.post(self.list_url(), data, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "alignment"

    def test_alignment_past_the_composition_length_is_400(self, admin_api_client):
        composition = CompositionFactory(length_seconds=1.0)
        line = {"text": "a", "start": 0.5, "end": 1.5, "words": []}
        data = {"composition": str(composition.pk), "language": "en", "alignment": {"lines": [line]}}
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 400


class TestCompositionSessionAPI(AudioCrud):
    model = CompositionSession
    factory = CompositionSessionFactory
    url_base = "audio_vcs-api:compositionsession"
    brief_fields = ["status", "progress", "requested_by"]

    def create_data(self):
        return {"project": str(ProjectFactory().pk), "prompt": "Dark techno", "instruments": ["909"]}

    def update_data(self):
        return {"status": "running", "progress": 0.5}

    def test_status_moves_only_along_the_machine(self, admin_api_client):
        session = CompositionSessionFactory()
        url = self.detail_url(session)
        assert admin_api_client.patch(url, {"status": "completed"}, format="json").status_code == 400
        assert admin_api_client.patch(url, {"status": "running"}, format="json").status_code == 200
        assert admin_api_client.patch(url, {"status": "completed"}, format="json").status_code == 200
        response = admin_api_client.patch(url, {"status": "running"}, format="json")
        assert response.status_code == 400
        assert "final" in response.json()["message"]


class TestApprovalAPI(AudioCrud):
    model = Approval
    factory = ApprovalFactory
    url_base = "audio_vcs-api:approval"
    brief_fields = ["status", "reviewer"]

    def create_data(self):
        composition = CompositionFactory()
        return {
            "project": str(composition.project.pk),
            "composition": str(composition.pk),
            "reviewer": str(composition.project.owner.pk),
        }

    def update_data(self):
        return {"status": "approved", "comment": "Ship it"}

    def test_second_open_request_is_refused_and_reviewer_must_be_maintainer(self, admin_api_client):
        data = self.create_data()
        assert admin_api_client.post(self.list_url(), data, format="json").status_code == 201
        assert admin_api_client.post(self.list_url(), data, format="json").status_code in (400, 409)
        project = Project.objects.get(pk=data["project"])
        viewer = CollaboratorFactory(project=project, role=CollaboratorRole.VIEWER).user
        response = admin_api_client.post(self.list_url(), {**data, "reviewer": str(viewer.pk)}, format="json")
        assert response.status_code == 400

    def test_only_the_reviewer_decides(self, project, role_client):
        maintainer = role_client(CollaboratorRole.MAINTAINER)
        other = role_client(CollaboratorRole.MAINTAINER)
        approval = ApprovalFactory(composition=CompositionFactory(project=project), reviewer=maintainer.user)
        url = self.detail_url(approval)
        assert other.patch(url, {"status": "approved"}, format="json").status_code == 403
        assert maintainer.patch(url, {"status": "changes_requested"}, format="json").status_code == 200
        assert maintainer.patch(url, {"status": "approved"}, format="json").status_code == 400


class TestCommentAPI(AudioCrud):
    model = Comment
    factory = CommentFactory
    url_base = "audio_vcs-api:comment"
    brief_fields = ["author", "body"]

    def create_data(self):
        return {"project": str(ProjectFactory().pk), "body": "Love the bassline"}

    def update_data(self):
        return {"body": "Love the bassline even more"}

    def test_timestamped_reply_on_a_stem(self, project, role_client):
        contributor = role_client(CollaboratorRole.CONTRIBUTOR)
        commit = CommitFactory(project=project)
        stem = commit.stems.first()
        url = self.list_url()
        first = contributor.post(
            url,
            {
                "project": str(project.pk),
                "stem": str(stem.pk),
                "body": "Kick too loud",
                "start_seconds": 0.1,
                "end_seconds": 0.2,
            },
            format="json",
        )
        assert first.status_code == 201, first.data
        reply = contributor.post(
            url,
            {"project": str(project.pk), "stem": str(stem.pk), "parent": first.data["id"], "body": "Fixed"},
            format="json",
        )
        assert reply.status_code == 201, reply.data
        wrong = contributor.post(
            url, {"project": str(project.pk), "parent": first.data["id"], "body": "x"}, format="json"
        )
        assert wrong.status_code == 400
        backwards = {
            "project": str(project.pk),
            "commit": str(commit.pk),
            "body": "x",
            "start_seconds": 2,
            "end_seconds": 1,
        }
        assert contributor.post(url, backwards, format="json").status_code == 400

    def test_viewers_cannot_comment(self, project, role_client):
        viewer = role_client(CollaboratorRole.VIEWER)
        assert (
            viewer.post(self.list_url(), {"project": str(project.pk), "body": "hi"}, format="json").status_code == 403
        )


# Visibility and roles


def test_private_project_and_its_rows_are_404_for_strangers(project, stranger_client):
    commit = CommitFactory(project=project)
    composition = CompositionFactory(project=project)
    for name, obj in [
        ("project", project),
        ("commit", commit),
        ("composition", composition),
        ("stem", commit.stems.first()),
        ("blob", commit.stems.first().blob),
        ("branch", project.branches.get()),
    ]:
        assert stranger_client.get(reverse(f"audio_vcs-api:{name}-detail", args=[obj.pk])).status_code == 404, name
    assert stranger_client.get(reverse("audio_vcs-api:project-log", args=[project.pk])).status_code == 404
    assert stranger_client.get(reverse("audio_vcs-api:commit-list")).json()["results"] == []
    url = reverse("audio_vcs-api:blob-download", args=[commit.stems.first().blob_id])
    assert stranger_client.get(url).status_code == 404


def test_public_project_is_readable_but_not_writable_by_any_signed_in_user(stranger_client):
    project = ProjectFactory(is_public=True)
    CommitFactory(project=project)
    assert stranger_client.get(reverse("audio_vcs-api:project-detail", args=[project.pk])).status_code == 200
    assert stranger_client.get(reverse("audio_vcs-api:project-log", args=[project.pk])).status_code == 200
    response = stranger_client.post(
        reverse("audio_vcs-api:project-commits", args=[project.pk]),
        {"drums": upload(tone(100))},
        format="multipart",
    )
    assert response.status_code == 403


# History over HTTP


def post_commit(client, project, **fields):
    return client.post(reverse("audio_vcs-api:project-commits", args=[project.pk]), fields, format="multipart")


def test_commit_upload_log_diff_merge_base_merge_and_fork(project, owner_client, role_client):
    url_log = reverse("audio_vcs-api:project-log", args=[project.pk])
    first = post_commit(owner_client, project, message="Init", drums=upload(tone(100)), bass=upload(tone(150)))
    assert first.status_code == 201, first.json()
    assert {s["stem_type"] for s in first.json()["stems"]} == {"drums", "bass"}
    second = post_commit(owner_client, project, message="Vox", **{"vocals:lead": upload(tone(300))})
    assert second.status_code == 201
    side = post_commit(owner_client, project, branch="idea", message="Side", melody=upload(tone(500)))
    log = owner_client.get(url_log, {"limit": 10}).json()
    assert [c["message"] for c in log] == ["Vox", "Init"]
    assert owner_client.get(url_log, {"limit": 0}).status_code == 400
    diff = owner_client.get(
        reverse("audio_vcs-api:project-diff", args=[project.pk]), {"from": first.json()["short_hash"], "to": "main"}
    ).json()
    assert [s["key"] for s in diff["added"]] == ["vocals:lead"]
    assert diff["removed"] == []  # the commit inherited its parent's drums and bass
    assert sorted(diff["unchanged"]) == ["bass", "drums"]
    base = owner_client.get(reverse("audio_vcs-api:project-merge-base", args=[project.pk]), {"a": "main", "b": "idea"})
    assert base.json()["id"] == second.json()["id"]
    merge_url = reverse("audio_vcs-api:project-merge", args=[project.pk])
    contributor = role_client(CollaboratorRole.CONTRIBUTOR)
    assert contributor.post(merge_url, {"source": "idea", "target": "main"}, format="json").status_code == 403
    merged = owner_client.post(merge_url, {"source": "idea", "target": "main"}, format="json")
    assert merged.status_code == 200 and merged.json()["fast_forward"]
    assert merged.json()["commit"]["id"] == side.json()["id"]
    fork_url = reverse("audio_vcs-api:project-fork", args=[project.pk])
    forked = contributor.post(fork_url, {"name": "My take"}, format="json")
    assert forked.status_code == 201, forked.json()
    fork = Project.objects.get(pk=forked.json()["id"])
    assert fork.owner == contributor.user and fork.forked_from_id.hex == side.json()["id"].replace("-", "")


def test_project_commits_page_by_cursor_newest_first_as_documented(project, owner_client):
    for message in ("one", "two", "three"):
        CommitFactory(project=project, message=message)
    CommitFactory(message="another project's")
    url = reverse("audio_vcs-api:project-commits", args=[project.pk])
    response, seen = owner_client.get(url, {"page_size": 2}), []
    while True:
        assert response.status_code == 200 and set(response.json()) == {"next", "previous", "results"}
        seen.extend(commit["message"] for commit in response.json()["results"])
        if not response.json()["next"]:
            break
        response = owner_client.get(response.json()["next"])
    assert seen == ["three", "two", "one"]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = schema["paths"]["/api/audio-vcs/projects/{id}/commits/"]["get"]["responses"]["200"]
    listed = schema["paths"]["/api/audio-vcs/commits/"]["get"]["responses"]["200"]
    assert documented == listed  # the same page of the same rows


def test_commit_upload_bad_input(project, owner_client):
    bad = post_commit(owner_client, project, drums=upload(b"\x00\x01 definitely not audio", "loop.wav"))
    assert bad.status_code == 400 and "loop.wav" in bad.json()["message"]
    assert post_commit(owner_client, project, branch="x..y", drums=upload(tone(100))).status_code == 400
    assert post_commit(owner_client, project).status_code == 400
    first = post_commit(owner_client, project, drums=upload(tone(100))).json()
    post_commit(owner_client, project, drums=upload(tone(110)))
    stale = post_commit(owner_client, project, expected_head=first["id"], drums=upload(tone(120)))
    assert stale.status_code == 409
    assert Commit.objects.filter(project=project).count() == 2


def test_merge_conflict_is_409_listing_stems_and_unrelated_is_400(project, owner_client):
    post_commit(owner_client, project, drums=upload(tone(100)))
    post_commit(owner_client, project, branch="b", drums=upload(tone(200)))
    post_commit(owner_client, project, drums=upload(tone(300)))
    url = reverse("audio_vcs-api:project-merge", args=[project.pk])
    conflict = owner_client.post(url, {"source": "b", "target": "main"}, format="json")
    assert conflict.status_code == 409
    assert [c["key"] for c in conflict.json()["conflicts"]] == ["drums"]
    resolved = owner_client.post(
        url, {"source": "b", "target": "main", "resolutions": {"drums": "ours"}}, format="json"
    )
    assert resolved.status_code == 201
    assert len(resolved.json()["commit"]["parents"]) == 2
    Branch.objects.create(project=project, name="alien", head=CommitFactory())
    unrelated = owner_client.post(url, {"source": "alien", "target": "main"}, format="json")
    assert unrelated.status_code == 400


def test_commit_list_query_count_is_constant(project, admin_api_client, django_assert_max_num_queries):
    for _ in range(3):
        CommitFactory(project=project)
    with django_assert_max_num_queries(6):
        response = admin_api_client.get(reverse("audio_vcs-api:commit-list"), {"project_id": str(project.pk)})
    assert len(response.json()["results"]) == 3
    page = admin_api_client.get(reverse("audio_vcs-api:commit-list"), {"project_id": str(project.pk), "page_size": 2})
    following = admin_api_client.get(page.json()["next"]).json()["results"]
    assert len(following) == 1 and following[0]["id"] not in {row["id"] for row in page.json()["results"]}


def test_stars_once_per_user(stranger_client):
    project = ProjectFactory(is_public=True)
    url = reverse("audio_vcs-api:star-list")
    first = stranger_client.post(url, {"project": str(project.pk)}, format="json")
    assert first.status_code == 201
    again = stranger_client.post(url, {"project": str(project.pk)}, format="json")  # star_add keeps one star, alone
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]  # as in a burst (ON CONFLICT)
    assert Star.objects.filter(project=project).count() == 1
    private = ProjectFactory()
    assert stranger_client.post(url, {"project": str(private.pk)}, format="json").status_code == 400


def test_star_detail_shows_a_star_to_its_user_and_the_collaborators_and_only_its_user_removes_it(
    project, owner_client, stranger_client
):
    project.is_public = True
    project.save()
    star = StarFactory(project=project)
    url = reverse("audio_vcs-api:star-detail", args=[star.pk])
    assert stranger_client.get(url).status_code == 404  # a public project shows its stars' count, not who
    shown = owner_client.get(url)
    assert shown.status_code == 200
    assert shown.json()["project"] == str(project.pk) and shown.json()["user"]["id"] == str(star.user.pk)
    refused = owner_client.delete(url)
    assert refused.status_code == 403 and refused.json()["message"] == "You can only remove your own star."
    assert Star.objects.filter(pk=star.pk).exists()
    own = StarFactory(project=project, user=stranger_client.handler._force_user)
    assert stranger_client.delete(reverse("audio_vcs-api:star-detail", args=[own.pk])).status_code == 204
    assert not Star.objects.filter(pk=own.pk).exists()


def test_star_of_a_project_one_cannot_see_is_404_for_reading_and_removing(project, stranger_client):
    hidden = StarFactory(project=project)  # the project is private: the stranger is no collaborator
    url = reverse("audio_vcs-api:star-detail", args=[hidden.pk])
    assert stranger_client.get(url).status_code == 404
    gone = stranger_client.delete(url)
    assert gone.status_code == 404 and gone["Content-Type"].startswith("application/json")
    assert Star.objects.filter(pk=hidden.pk).exists()


def test_who_starred_a_public_project_is_seen_by_the_starrer_and_the_collaborators_only(owner_client, project):
    project.is_public = True
    project.save()
    star = StarFactory(project=project)
    url = reverse("audio_vcs-api:star-list")
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    starrer = APIClient()
    starrer.force_authenticate(star.user)
    for client, sees in ((stranger, False), (starrer, True), (owner_client, True)):
        ids = {row["id"] for row in client.get(url).json()["results"]}
        assert (str(star.pk) in ids) is sees


# MIDI and exports


def test_import_midi_and_export_back(project, owner_client):
    url = reverse("audio_vcs-api:composition-import-midi")
    response = owner_client.post(
        url, {"project": str(project.pk), "file": upload(midi_file(), "tune.mid", "audio/midi")}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    composition = Composition.objects.get(pk=response.json()["id"])
    assert composition.tracks.count() == 2
    assert composition.theory_data["meter"] == {"numerator": 3, "denominator": 4}
    midi = owner_client.get(reverse("audio_vcs-api:composition-midi", args=[composition.pk]))
    assert midi.status_code == 200 and midi.content.startswith(b"MThd")
    bad = owner_client.post(url, {"project": str(project.pk), "file": upload(b"RIFFnope", "x.mid")}, format="multipart")
    assert bad.status_code == 400 and "x.mid" in bad.json()["message"]


def test_export_jobs_produce_real_files(project, owner_client, stranger_client):
    CommitFactory(project=project, stems=_stems_of_two_rates())
    url = reverse("audio_vcs-api:exportjob-list")
    made = {}
    for fmt in ("wav", "flac", "stems_zip"):
        response = owner_client.post(
            url, {"project": str(project.pk), "branch_name": "main", "export_format": fmt}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == ExportStatus.QUEUED
        job = export_job_run(job_id=response.json()["id"])
        assert job.status == ExportStatus.COMPLETED, job.error
        made[fmt] = job
    detail = owner_client.get(reverse("audio_vcs-api:exportjob-detail", args=[made["wav"].pk])).json()
    assert detail["status"] == "completed" and detail["download_url"] and detail["progress"] == 1.0
    wav = owner_client.get(detail["download_url"])
    data, rate = soundfile.read(io.BytesIO(b"".join(wav.streaming_content)))
    assert rate == 44_100 and data.shape[1] == 2
    assert len(data) / rate == pytest.approx(0.5, abs=0.01)  # the longer stem, not truncated
    assert stranger_client.get(detail["download_url"]).status_code == 404
    archive = zipfile.ZipFile(made["stems_zip"].file.open("rb"))
    assert "manifest.json" in archive.namelist() and len(archive.namelist()) == 3
    composition = CompositionFactory(project=project)
    midi = owner_client.post(
        url, {"project": str(project.pk), "composition": str(composition.pk), "export_format": "midi"}, format="json"
    )
    assert export_job_run(job_id=midi.json()["id"]).file.read(4) == b"MThd"
    wrong = owner_client.post(
        url, {"project": str(project.pk), "composition": str(composition.pk), "export_format": "wav"}, format="json"
    )
    assert wrong.status_code == 400
    assert ExportJob.objects.filter(project=project).count() == 4


def test_export_job_download_streams_the_file_to_those_who_see_the_project(project, owner_client, stranger_client):
    job = ExportJobFactory(composition=CompositionFactory(project=project))
    url = reverse("audio_vcs-api:exportjob-download", args=[job.pk])
    pending = owner_client.get(url)
    assert pending.status_code == 404 and pending.json()["message"] == NO_FILE
    export_job_run(job_id=job.pk)
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"MThd")
    assert response["Content-Disposition"].startswith("attachment;")
    denied = stranger_client.get(url)
    assert denied.status_code == 404 and denied["Content-Type"].startswith("application/json")


def _stems_of_two_rates():
    from audio_vcs.services import StemUpload

    return [
        StemUpload(stem_type="drums", file=upload(tone(100, seconds=0.25, rate=22_050))),
        StemUpload(stem_type="bass", file=upload(tone(60, seconds=0.5, rate=44_100, channels=2))),
    ]
