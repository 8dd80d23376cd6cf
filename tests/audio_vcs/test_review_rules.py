"""Rules of review found from outside: a comment's time range lies inside its audio, and nobody approves their own
commit or composition."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audio_vcs import services
from audio_vcs.choices import ApprovalStatus, CollaboratorRole
from audio_vcs.models import Approval, Comment
from audio_vcs.services.review import OWN_WORK
from tests.audio_vcs.factories import CollaboratorFactory, CommitFactory, CompositionFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_comment_time_range_must_lie_inside_its_stems_duration(project, owner_client):
    commit = CommitFactory(project=project)  # stems of 0.25 s
    stem = commit.stems.first()
    url = reverse("audio_vcs-api:comment-list")
    data = {"project": str(project.pk), "commit": str(commit.pk), "stem": str(stem.pk), "body": "Late hit"}
    late = owner_client.post(url, {**data, "start_seconds": 500, "end_seconds": 600}, format="json")
    assert late.status_code == 400
    assert late.json()["errors"][0]["field"] == "end_seconds" and "after the audio's end" in late.json()["message"]
    inside = owner_client.post(url, {**data, "start_seconds": 0.1, "end_seconds": 0.2}, format="json")
    assert inside.status_code == 201, inside.json()
    on_commit = Comment(project=project, commit=commit, author=project.owner, body="x", start_seconds=1, end_seconds=2)
    with pytest.raises(ValidationError) as error:
        services.comment_create(comment=on_commit, actor=project.owner)
    assert "end_seconds" in error.value.message_dict


def test_nobody_approves_their_own_commit_or_composition(project):
    commit = CommitFactory(project=project)  # authored by the owner
    with pytest.raises(ValidationError) as error:
        services.approval_request(
            approval=Approval(project=project, commit=commit, reviewer=project.owner), actor=project.owner
        )
    assert error.value.message_dict == {"reviewer": [OWN_WORK]}
    maintainer = UserFactory()
    CollaboratorFactory(project=project, user=maintainer, role=CollaboratorRole.MAINTAINER)
    composition = CompositionFactory(project=project)
    with pytest.raises(ValidationError):
        services.approval_request(
            approval=Approval(project=project, composition=composition, reviewer=maintainer), actor=maintainer
        )
    fair = services.approval_request(
        approval=Approval(project=project, composition=composition, reviewer=maintainer), actor=project.owner
    )
    decided = services.approval_decide(approval=fair, actor=maintainer, status=ApprovalStatus.APPROVED)
    assert decided.status == ApprovalStatus.APPROVED
    # A row made some other way (the admin, old data) still cannot be approved by its requester.
    sneaky = Approval.objects.create(project=project, commit=commit, reviewer=project.owner, requested_by=project.owner)
    with pytest.raises(PermissionDenied, match="Nobody reviews their own work"):
        services.approval_decide(approval=sneaky, actor=project.owner, status=ApprovalStatus.APPROVED)
