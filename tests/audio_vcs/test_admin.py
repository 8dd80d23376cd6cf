"""The admin as a client of the services: projects with collaborators, commits uploaded from a form, branch
moves, exports with download links; private projects stay hidden from staff who do not collaborate."""

import pytest
from django.urls import reverse

from audio_vcs.choices import CollaboratorRole
from audio_vcs.models import Branch, Collaborator, Commit, ExportJob, Project
from core.testing import admin_form_data
from tests.audio_vcs.audio import tone, upload
from tests.audio_vcs.factories import (
    CollaboratorFactory,
    CommitFactory,
    CompositionFactory,
    ExportJobFactory,
    ProjectFactory,
)
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_project_added_in_admin_has_its_owner_as_collaborator(admin_client):
    owner = UserFactory()
    response = admin_client.post(
        reverse("admin:audio_vcs_project_add"),
        {
            "name": "Admin song",
            "owner": str(owner.pk),
            "description": "",
            "genre": "ambient",
            "key_signature": "C",
            "meter_numerator": 4,
            "meter_denominator": 4,
            "default_branch": "main",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "branches-TOTAL_FORMS": 0,
            "branches-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(name="Admin song")
    assert Collaborator.objects.get(project=project).user == owner


def test_commit_uploaded_in_admin_goes_through_the_service(admin_client):
    project = ProjectFactory()
    url = reverse("admin:audio_vcs_commit_add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"project": str(project.pk), "branch": "main", "message": "From the admin", "drums": upload(tone(220))},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    commit = Commit.objects.get(project=project)
    assert commit.stems.get().stem_type == "drums"
    assert Branch.objects.get(project=project).head == commit
    bad = admin_client.post(url, {"project": str(project.pk), "branch": "main", "bass": upload(b"nope", "x.wav")})
    assert bad.status_code == 200 and "x.wav" in bad.content.decode()
    change = admin_client.get(reverse("admin:audio_vcs_commit_change", args=[commit.pk]))
    assert change.status_code == 200 and "blobs" in change.content.decode()


def test_export_job_change_page_links_the_download(admin_client):
    job = ExportJobFactory()
    assert admin_client.get(reverse("admin:audio_vcs_exportjob_change", args=[job.pk])).status_code == 200
    assert ExportJob.objects.count() == 1


def test_staff_who_do_not_collaborate_see_no_private_project(client):
    staff = UserFactory(staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="audio_vcs"))
    client.force_login(staff)
    hidden = ProjectFactory(name="Hidden")
    mine = ProjectFactory(name="Mine")
    CollaboratorFactory(project=mine, user=staff, role=CollaboratorRole.VIEWER)
    CompositionFactory(project=hidden)
    listing = client.get(reverse("admin:audio_vcs_project_changelist")).content.decode()
    assert "Mine" in listing and "Hidden" not in listing
    assert client.get(reverse("admin:audio_vcs_project_change", args=[hidden.pk])).status_code in (302, 404)
    comps = client.get(reverse("admin:audio_vcs_composition_changelist")).context["cl"].result_list
    assert list(comps) == []


def test_branch_moved_in_admin_is_compare_and_swap(admin_client):
    first = CommitFactory()
    second = CommitFactory(project=first.project)
    branch = Branch.objects.get(project=first.project)
    response = admin_client.post(
        reverse("admin:audio_vcs_branch_change", args=[branch.pk]),
        {"project": str(first.project.pk), "name": "main", "head": str(first.pk)},
    )
    assert response.status_code == 302
    assert Branch.objects.get(pk=branch.pk).head == first != second


def test_staff_adding_a_project_in_another_users_name_get_a_form_error_on_the_owner(client):
    """The service refuses (only superusers create projects for someone else): the admin shows that on the owner
    field of the page, as the API's 403 does, not as a bare 403 page; nothing is saved."""
    from django.contrib.auth.models import Permission

    from core.field_rules import NOT_YOU  # core's acting-person rule answers before the service's

    staff = UserFactory(staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="audio_vcs"))
    client.force_login(staff)
    url = reverse("admin:audio_vcs_project_add")
    data = admin_form_data(client.get(url))
    data.update({"name": "Not mine", "owner": str(UserFactory().pk), "genre": "ambient"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"owner": [NOT_YOU]}
    assert not Project.objects.filter(name="Not mine").exists()
    data["owner"] = str(staff.pk)
    assert client.post(url, data).status_code == 302
    assert Project.objects.get(name="Not mine").owner == staff


def staff_in_project(client, role, **project):
    """A staff user with every audio_vcs model permission, collaborating in a new project with ``role``."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="audio_vcs"))
    client.force_login(staff)
    project = ProjectFactory(**project)
    CollaboratorFactory(project=project, user=staff, role=role)
    return staff, project


def test_maintainer_deleting_a_project_in_admin_is_refused_as_in_the_api(client):
    """Maintainers change a project's settings, only its owner deletes it (``project_delete``, as in the API): the
    admin's delete page let a maintainer soft-delete it; now the refusal is a message and the project stays."""
    _, project = staff_in_project(client, CollaboratorRole.MAINTAINER)
    response = client.post(reverse("admin:audio_vcs_project_delete", args=[project.pk]), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert any("delete project needs owner" in str(m) for m in response.context["messages"])
    project.refresh_from_db()
    assert project.deleted_at is None
    response = client.post(
        reverse("admin:audio_vcs_project_changelist"),
        {"action": "delete_selected", "_selected_action": [str(project.pk)], "post": "yes"},
        follow=True,
    )
    assert any("delete project needs owner" in str(m) for m in response.context["messages"])
    project.refresh_from_db()
    assert project.deleted_at is None


def test_bulk_delete_goes_through_the_delete_pages_service(client):
    """The changelist's delete action removes collaborators and branches through the services: the owner stays an
    owner collaborator and the default branch stays, with the reason in a message; nothing of the batch is deleted."""
    staff, project = staff_in_project(client, CollaboratorRole.OWNER)
    other = CollaboratorFactory(project=project, role=CollaboratorRole.VIEWER)
    owner = Collaborator.objects.get(project=project, user=project.owner)
    changelist = reverse("admin:audio_vcs_collaborator_changelist")
    selected = [str(other.pk), str(owner.pk)]
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}, follow=True
    )
    assert any("owner stays an owner collaborator" in str(m) for m in response.context["messages"])
    assert Collaborator.objects.filter(pk__in=selected).count() == 2
    CommitFactory(project=project)
    branch = Branch.objects.get(project=project, name=project.default_branch)
    response = client.post(
        reverse("admin:audio_vcs_branch_changelist"),
        {"action": "delete_selected", "_selected_action": [str(branch.pk)], "post": "yes"},
        follow=True,
    )
    assert any("default branch cannot be deleted" in str(m) for m in response.context["messages"])
    assert Branch.objects.filter(pk=branch.pk).exists()


def test_contributor_cannot_delete_another_members_comment_in_admin(client):
    """Authors remove their own comments, maintainers any (``comment_delete``, as in the API)."""
    from audio_vcs.models import Comment

    _, project = staff_in_project(client, CollaboratorRole.CONTRIBUTOR)
    author = CollaboratorFactory(project=project, role=CollaboratorRole.CONTRIBUTOR).user
    comment = Comment.objects.create(project=project, author=author, body="Nice bass")
    response = client.post(reverse("admin:audio_vcs_comment_delete", args=[comment.pk]), {"post": "yes"}, follow=True)
    assert any("moderate needs maintainer" in str(m) for m in response.context["messages"])
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_star_added_in_admin_is_in_the_adders_own_name(client):
    """As in the API, one stars a project for oneself (``star_add``): the admin refuses another user's name on the
    user field, where it used to store any collaborator's star for anyone."""
    from audio_vcs.models import Star
    from core.field_rules import NOT_YOU  # core's acting-person rule answers before the service's

    staff, project = staff_in_project(client, CollaboratorRole.CONTRIBUTOR)
    url = reverse("admin:audio_vcs_star_add")
    response = client.post(url, {"project": str(project.pk), "user": str(UserFactory().pk)})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"user": [NOT_YOU]}
    assert not Star.objects.exists()
    assert client.post(url, {"project": str(project.pk), "user": str(staff.pk)}).status_code == 302
    assert Star.objects.get().user == staff
