"""The admin as a client of the services: projects with collaborators, commits uploaded from a form, branch
moves, exports with download links; private projects stay hidden from staff who do not collaborate."""

import pytest
from django.urls import reverse

from audio_vcs.choices import CollaboratorRole
from audio_vcs.models import Branch, Collaborator, Commit, ExportJob, Project
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
