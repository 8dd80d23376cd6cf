"""Filters of the audio version control API: each filter narrows as documented; every factory passes
``full_clean()``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audio_vcs.models import Commit, CommitParent, Stem
from core.testing import assert_stored_and_valid
from tests.audio_vcs import factories as f
from tests.audio_vcs.factories import CommitFactory, ProjectFactory, stems_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        f.ProjectFactory,
        f.CollaboratorFactory,
        f.StarFactory,
        f.BranchFactory,
        f.CompositionFactory,
        f.ArrangementFactory,
        f.TrackFactory,
        f.CompositionLyricsFactory,
        f.CompositionSessionFactory,
        f.ExportJobFactory,
        f.ApprovalFactory,
        f.CommentFactory,
        f.StemFactory,
        f.CommitParentFactory,
    ],
    ids=lambda factory: factory.__name__,
)
def test_every_factory_makes_a_valid_row(factory):
    assert_stored_and_valid(factory())


def count(client, name, **params):
    response = client.get(reverse(f"audio_vcs-api:{name}-list"), {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return len(response.json()["results"])


def test_project_filters(admin_api_client):
    jazz = ProjectFactory(genre="jazz", is_public=True, name="Blue")
    ProjectFactory(genre="house")
    assert count(admin_api_client, "project", genre="jazz") == 1
    assert count(admin_api_client, "project", visibility="public") == 1
    assert count(admin_api_client, "project", owner=jazz.owner.username) == 1
    assert count(admin_api_client, "project", owner_id=str(jazz.owner_id)) == 1
    assert count(admin_api_client, "project", owner_id="00000000-0000-0000-0000-000000000000") == 0
    assert count(admin_api_client, "project", q="blu") == 1
    later = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert count(admin_api_client, "project", created_after=later) == 0


def test_commit_and_stem_filters(admin_api_client):
    project = ProjectFactory()
    first = CommitFactory(project=project, message="alpha")
    CommitFactory(project=project, branch="side", stems=stems_for(types=("vocals",)), message="beta")
    CommitFactory(project=ProjectFactory())
    assert count(admin_api_client, "commit", project_id=str(project.pk)) == 2
    assert count(admin_api_client, "commit", project_id=str(project.pk), branch="side") == 2
    assert count(admin_api_client, "commit", project_id=str(project.pk), branch="main") == 1
    assert count(admin_api_client, "commit", stem_type="vocals") == 1
    assert count(admin_api_client, "commit", author=project.owner.username) == 2
    assert count(admin_api_client, "commit", hash=first.short_hash) == 1
    assert count(admin_api_client, "commit", q="alp") == 1
    assert count(admin_api_client, "stem", stem_type="vocals") == 1
    assert count(admin_api_client, "stem", commit_id=str(first.pk)) == Stem.objects.filter(commit=first).count()
    assert count(admin_api_client, "blob", sha256=first.stems.first().blob.sha256[:10]) == 1
    assert count(admin_api_client, "branch", project_id=str(project.pk)) == 2
    assert Commit.objects.count() == 3 and CommitParent.objects.count() == 1


def test_studio_and_review_filters(admin_api_client):
    composition = f.CompositionFactory()
    f.TrackFactory(composition=composition, track_type="bass")
    f.TrackFactory(track_type="drums")
    f.CompositionSessionFactory(project=composition.project)
    f.ExportJobFactory(composition=composition)
    f.ApprovalFactory(composition=composition)
    f.CommentFactory(project=composition.project, composition=composition, start_seconds=1, end_seconds=2)
    f.CommentFactory()
    project_id = str(composition.project_id)
    assert count(admin_api_client, "track", track_type="bass") == 1
    assert count(admin_api_client, "track", project_id=project_id) == 1
    assert count(admin_api_client, "composition", project_id=project_id) == 1
    assert count(admin_api_client, "compositionsession", status="queued", project_id=project_id) == 1
    assert count(admin_api_client, "exportjob", status="queued", export_format="midi") == 1
    assert count(admin_api_client, "approval", status="pending", project_id=project_id) == 1
    assert count(admin_api_client, "comment", is_timestamped="true") == 1
    assert count(admin_api_client, "comment", composition_id=str(composition.pk)) == 1
