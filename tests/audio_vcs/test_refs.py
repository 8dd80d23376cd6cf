"""Tags, revert, cherry-pick, protected branches and the ref log: services and their endpoints."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.urls import reverse

from audio_vcs import services
from audio_vcs.choices import CollaboratorRole, RefMove
from audio_vcs.models import Branch, RefLogEntry, Tag
from core.services import ConflictError
from core.testing import run_concurrently
from tests.audio_vcs.factories import CollaboratorFactory, CommitFactory, ProjectFactory, stems_for
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def stems_of(commit) -> dict[str, str]:
    return {s.key: s.blob.sha256 for s in commit.stems.select_related("blob")}


def change(project, *types, branch="main", **kwargs):
    return services.commit_create(
        project=project, author=project.owner, branch=branch, stems=stems_for(types=types), **kwargs
    )


# Tags


def test_tag_names_a_commit_with_its_tagger_and_never_moves(project, owner_client):
    first = CommitFactory(project=project)
    CommitFactory(project=project)
    url = reverse("audio_vcs-api:project-tags", args=[project.pk])
    response = owner_client.post(url, {"name": "v1.0", "commit": first.short_hash, "message": "First cut"})
    assert response.status_code == 201, response.json()
    assert response.json()["commit"] == str(first.pk) and response.json()["tagger"]["id"] == str(project.owner.pk)
    again = owner_client.post(url, {"name": "v1.0", "commit": "main"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "name"
    assert [t["name"] for t in owner_client.get(url).json()] == ["v1.0"]
    tag = Tag.objects.get()
    with pytest.raises((IntegrityError, ProgrammingError, Exception)), transaction.atomic():
        Tag.objects.filter(pk=tag.pk).update(commit=CommitFactory(project=project))
    tag.refresh_from_db()
    assert tag.commit == first


def test_tag_refuses_names_git_refuses(project):
    CommitFactory(project=project)
    with pytest.raises(ValidationError) as error:
        services.tag_create(project=project, actor=project.owner, name="bad name", commit="main")
    assert "name" in error.value.message_dict


def test_deleting_a_tag_needs_a_maintainer(project, role_client):
    CommitFactory(project=project)
    tag = services.tag_create(project=project, actor=project.owner, name="v1", commit="main")
    url = reverse("audio_vcs-api:tag-detail", args=[tag.pk])
    contributor = role_client(CollaboratorRole.CONTRIBUTOR)
    assert contributor.get(url).status_code == 200
    assert contributor.delete(url).status_code == 403
    maintainer = role_client(CollaboratorRole.MAINTAINER)
    assert maintainer.delete(url).status_code == 204
    assert not Tag.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_tags_of_one_name_one_wins_the_other_is_a_conflict():
    project = ProjectFactory()
    CommitFactory(project=project)
    results = run_concurrently(
        *[lambda: services.tag_create(project=project, actor=project.owner, name="v2", commit="main")] * 2
    )
    assert sum(isinstance(r, Tag) for r in results) == 1
    assert sum(isinstance(r, ConflictError) for r in results) == 1


# Revert and cherry-pick


def test_revert_restores_the_parent_stems_the_commit_changed(project, owner_client):
    base = change(project, "drums", "bass")
    changed = change(project, "bass", inherit=True)
    later = change(project, "vocals")
    url = reverse("audio_vcs-api:project-revert", args=[project.pk])
    response = owner_client.post(url, {"commit": changed.short_hash}, format="json")
    assert response.status_code == 201, response.json()
    reverted = Branch.objects.get(project=project, name="main").head
    assert stems_of(reverted)["bass"] == stems_of(base)["bass"]
    assert stems_of(reverted)["vocals"] == stems_of(later)["vocals"]
    assert stems_of(reverted)["drums"] == stems_of(base)["drums"]
    assert list(reverted.parents.all()) == [later]
    assert reverted.message.startswith("Revert")


def test_revert_of_a_stem_a_later_commit_changed_is_a_conflict_like_merge(project, owner_client):
    change(project, "drums", "bass")
    changed = change(project, "bass")
    change(project, "bass")
    url = reverse("audio_vcs-api:project-revert", args=[project.pk])
    response = owner_client.post(url, {"commit": changed.short_hash}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert [c["key"] for c in body["conflicts"]] == ["bass"]
    assert body["errors"][0]["field"] == "resolutions.bass"
    resolved = owner_client.post(url, {"commit": changed.short_hash, "resolutions": {"bass": "theirs"}}, format="json")
    assert resolved.status_code == 201, resolved.json()


def test_cherry_pick_applies_one_commit_of_another_branch(project, owner_client):
    base = change(project, "drums", "bass")
    side = change(project, "melody", branch="idea")
    change(project, "vocals", branch="idea")
    change(project, "drums")
    url = reverse("audio_vcs-api:project-cherry-pick", args=[project.pk])
    response = owner_client.post(url, {"commit": str(side.pk), "branch": "main"}, format="json")
    assert response.status_code == 201, response.json()
    head = Branch.objects.get(project=project, name="main").head
    assert set(stems_of(head)) == {"drums", "bass", "melody"}
    assert stems_of(head)["melody"] == stems_of(side)["melody"]
    assert stems_of(head)["bass"] == stems_of(base)["bass"]
    again = owner_client.post(url, {"commit": str(side.pk), "branch": "main"}, format="json")
    assert again.status_code == 400 and "Nothing to cherry-pick" in again.json()["message"]


# Protected branches and the ref log


def test_protected_branch_needs_a_maintainer_and_a_fast_forward_unless_the_owner_forces(project):
    first = change(project, "drums")
    second = change(project, "bass")
    branch = Branch.objects.get(project=project, name="main")
    services.branch_protect(branch=branch, actor=project.owner, is_protected=True)
    contributor = UserFactory()
    CollaboratorFactory(project=project, user=contributor, role=CollaboratorRole.CONTRIBUTOR)
    with pytest.raises(PermissionDenied, match="protected"):
        services.commit_create(
            project=project, author=contributor, actor=contributor, branch="main", stems=stems_for(types=("other",))
        )
    maintainer = UserFactory()
    CollaboratorFactory(project=project, user=maintainer, role=CollaboratorRole.MAINTAINER)
    with pytest.raises(ConflictError, match="only moves forward"):
        services.branch_move(branch=branch, actor=maintainer, head=first)
    with pytest.raises(PermissionDenied, match="owner"):
        services.branch_move(branch=branch, actor=maintainer, head=first, force=True)
    moved = services.branch_move(branch=branch, actor=project.owner, head=first, force=True)
    assert moved.head == first
    release = services.branch_create(project=project, actor=project.owner, name="release", head=second)
    services.branch_protect(branch=release, actor=project.owner, is_protected=True)
    with pytest.raises(ValidationError, match="protected"):
        services.branch_delete(branch=release, actor=project.owner)
    log = list(RefLogEntry.objects.filter(branch=branch).order_by("created_at"))
    assert [e.action for e in log] == [RefMove.CREATE, RefMove.COMMIT, RefMove.FORCE]
    assert log[-1].old_head_id == second.pk and log[-1].new_head_id == first.pk and log[-1].actor == project.owner


def test_reflog_endpoint_lists_every_head_move_newest_first(project, owner_client, role_client):
    change(project, "drums")
    change(project, "bass", branch="idea")
    services.merge(project=project, source="idea", target="main", actor=project.owner)
    branch = Branch.objects.get(project=project, name="main")
    url = reverse("audio_vcs-api:branch-reflog", args=[branch.pk])
    body = owner_client.get(url).json()
    assert [e["action"] for e in body["results"]] == ["fast_forward", "create"]
    assert role_client(CollaboratorRole.VIEWER).get(url).status_code == 200


def test_branch_patch_protects_and_refuses_a_backwards_move_with_409(project, owner_client, role_client):
    first = change(project, "drums")
    change(project, "bass")
    branch = Branch.objects.get(project=project, name="main")
    url = reverse("audio_vcs-api:branch-detail", args=[branch.pk])
    contributor = role_client(CollaboratorRole.CONTRIBUTOR)
    assert contributor.patch(url, {"is_protected": True}, format="json").status_code == 403
    assert owner_client.patch(url, {"is_protected": True}, format="json").status_code == 200
    maintainer = role_client(CollaboratorRole.MAINTAINER)
    back = maintainer.patch(url, {"head": str(first.pk)}, format="json")
    assert back.status_code == 409 and back.json()["errors"] == []
    forced = owner_client.patch(url, {"head": str(first.pk), "force": True}, format="json")
    assert forced.status_code == 200 and forced.json()["head"] == str(first.pk)


def test_tag_list_shows_tags_of_visible_projects_only_at_a_constant_cost(
    project, owner_client, stranger_client, django_assert_max_num_queries
):
    CommitFactory(project=project)
    for name in ("v1", "v2", "v3"):
        services.tag_create(project=project, actor=project.owner, name=name, commit="main")
    url = reverse("audio_vcs-api:tag-list")
    with django_assert_max_num_queries(6):
        body = owner_client.get(url, {"project_id": str(project.pk)}).json()
    assert [t["name"] for t in body["results"]] == ["v1", "v2", "v3"]
    assert stranger_client.get(url).json()["results"] == []
