"""The admin page of book exports: columns, download link, "build again" and adding through the service."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from storyteller.books.admin import BUILD_AGAIN_QUEUED, BookExportAdmin, build_again, download_link
from storyteller.models import BookExport
from storyteller.services import books as services
from tests.core.factories import UserFactory
from tests.storyteller.factories import EditRequirementFactory
from tests.storyteller.test_books_services import make_story, media_root, queued_export  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready():
    return services.book_export_generate(export=queued_export(make_story(chapters=1), "markdown"))


def request_for(user):
    request = RequestFactory().post("/admin/storyteller/bookexport/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_changelist_shows_status_progress_and_a_download_link(client, ready):
    client.force_login(UserFactory(superuser=True))

    response = client.get("/admin/storyteller/bookexport/")

    assert response.status_code == 200
    page = response.content.decode()
    assert services.book_export_download_path(export=ready) in page and "Download" in page
    assert client.get(f"/admin/storyteller/bookexport/{ready.pk}/change/").status_code == 200
    assert client.get(services.book_export_download_path(export=ready)).status_code == 200


def test_download_link_is_a_dash_until_the_export_is_ready():
    export = queued_export(make_story(chapters=1))

    assert download_link(None, export) == "—"


def test_adding_an_export_in_the_admin_queues_it_through_the_service(client, django_capture_on_commit_callbacks):
    story = make_story(chapters=1)
    client.force_login(UserFactory(superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/storyteller/bookexport/add/",
            {
                "story": str(story.pk),
                "export_format": "epub",
                "export_scope": "",
                "format_options": "{}",
                "chapter_ids": "",
                "collection_ids": "",
                "generated_by": "",
                "export_version": "1",
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    export = BookExport.objects.get()
    assert export.export_status == "queued" and export.storyteller_id == story.storyteller_id
    assert export.generated_by == "user_request"


def test_build_again_queues_new_exports_and_reports_refused_stories(ready):
    blocked = services.book_export_generate(export=queued_export(make_story(chapters=1), "pdf"))
    EditRequirementFactory(story=blocked.story, severity="blocking")
    model_admin = BookExportAdmin(BookExport, admin.site)
    request = request_for(UserFactory(superuser=True))

    build_again(model_admin, request, BookExport.objects.filter(pk__in=[ready.pk, blocked.pk]))

    assert BookExport.objects.filter(story=ready.story, export_status="queued").count() == 1
    assert not BookExport.objects.filter(story=blocked.story, export_status="queued").exists()
    texts = [str(message) for message in request._messages]
    assert BUILD_AGAIN_QUEUED % {"count": 1} in texts
    assert any("blocking edit requirement" in text for text in texts)


def test_build_again_needs_the_add_permission(ready):
    model_admin = BookExportAdmin(BookExport, admin.site)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_bookexport", "change_bookexport"]))

    assert "build_again" not in model_admin.get_actions(request_for(staff))
    staff.user_permissions.add(Permission.objects.get(codename="add_bookexport"))
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    assert "build_again" in model_admin.get_actions(request_for(staff))
