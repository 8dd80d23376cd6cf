"""The book export API under a story: 202 on create, status, streamed download, deliveries, visibility."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from ebooklib import epub
from procrastinate.contrib.django.models import ProcrastinateJob
from rest_framework.test import APIClient

from storyteller.models import BookExport
from storyteller.services import books as services
from tests.core.factories import UserFactory
from tests.storyteller.test_books_services import make_story, media_root, queued_export  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def exports_url(story) -> str:
    return f"/api/storyteller/stories/{story.pk}/exports/"


@pytest.fixture
def story():
    return make_story()


@pytest.fixture
def owner(story):
    return story.storyteller.user


@pytest.fixture
def ready(story):
    return services.book_export_generate(export=queued_export(story, "epub"))


def test_owner_queues_a_book_and_gets_202(story, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(exports_url(story), {"export_format": "pdf", "format_options": {}})

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["export_status"] == "queued" and body["export_format"] == "pdf" and body["download_url"] is None
    assert response["Location"].endswith(f"{exports_url(story)}{body['id']}/")
    assert ProcrastinateJob.objects.filter(
        task_name="storyteller.build_book_export", args={"export_id": body["id"]}
    ).exists()


@pytest.mark.parametrize("export_format", ["mobi", "docx", "print_ready"])
def test_unsupported_formats_are_a_clear_400(story, owner, export_format):
    response = client_for(owner).post(exports_url(story), {"export_format": export_format})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "export_format"
    assert error["message"] == services.ERR_UNSUPPORTED_FORMAT.format(
        format=export_format, supported="epub, pdf, markdown, html"
    )


def test_unknown_formats_and_bad_options_are_400(story, owner):
    client = client_for(owner)
    assert client.post(exports_url(story), {"export_format": "rtf"}).status_code == 400
    response = client.post(exports_url(story), {"export_format": "pdf", "format_options": {"page_size": "letter"}})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "format_options"


def test_a_story_that_is_not_approved_is_a_400():
    story = make_story(approved=False)

    response = client_for(story.storyteller.user).post(exports_url(story), {"export_format": "epub"})

    assert response.status_code == 400
    assert "composition gate" in response.json()["errors"][0]["message"]


def test_status_list_and_download_for_the_owner(story, owner, ready):
    client = client_for(owner)

    detail = client.get(f"{exports_url(story)}{ready.pk}/").json()
    assert detail["export_status"] == "ready" and detail["progress_percent"] == 100
    assert detail["file_size_bytes"] == ready.file_size_bytes and detail["file_checksum"] == ready.file_checksum
    assert [item["id"] for item in client.get(exports_url(story)).json()["results"]] == [str(ready.pk)]

    response = client.get(detail["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/epub+zip"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content)
    assert len(content) == ready.file_size_bytes
    assert BookExport.objects.get(pk=ready.pk).downloaded_count == 0  # a GET never writes


def test_other_users_get_404_and_anonymous_401(story, ready):
    stranger = client_for(UserFactory())
    for url in (exports_url(story), f"{exports_url(story)}{ready.pk}/", f"{exports_url(story)}{ready.pk}/download/"):
        assert stranger.get(url).status_code == 404, url
        assert APIClient().get(url).status_code == 401, url
    assert stranger.post(exports_url(story), {"export_format": "epub"}).status_code == 404


def test_staff_see_no_other_users_books_whatever_their_permissions(story, ready):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="storyteller"))
    client = client_for(staff)

    assert client.get(f"{exports_url(story)}{ready.pk}/download/").status_code == 404
    assert client.post(exports_url(story), {"export_format": "epub"}).status_code == 404
    assert client_for(UserFactory(superuser=True)).get(f"{exports_url(story)}{ready.pk}/download/").status_code == 200


def test_a_signed_link_downloads_without_signing_in(story, owner, ready):
    response = client_for(owner).post(f"{exports_url(story)}{ready.pk}/deliveries/", {"delivery_method": "download"})
    assert response.status_code == 201
    link = response.json()["link"]

    download = APIClient().get(link)
    assert download.status_code == 200
    assert epub.read_epub  # the bytes are the book
    assert len(b"".join(download.streaming_content)) == ready.file_size_bytes
    assert APIClient().get(link[:-3] + "abc").status_code == 404


def test_email_delivery_through_the_api(story, owner, ready):
    response = client_for(owner).post(
        f"{exports_url(story)}{ready.pk}/deliveries/", {"delivery_method": "email", "delivered_to": "me@example.org"}
    )

    assert response.status_code == 201 and response.json()["delivery_status"] == "sent"
    assert mail.outbox[0].to == ["me@example.org"] and response.json()["link"] in mail.outbox[0].body
    bad = client_for(owner).post(
        f"{exports_url(story)}{ready.pk}/deliveries/", {"delivery_method": "email", "delivered_to": "nope"}
    )
    assert bad.status_code == 400


def test_download_of_an_export_that_is_not_ready_is_a_409(story, owner):
    export = queued_export(story, "pdf")

    response = client_for(owner).get(f"{exports_url(story)}{export.pk}/download/")

    assert response.status_code == 409
    assert (
        client_for(owner)
        .post(f"{exports_url(story)}{export.pk}/deliveries/", {"delivery_method": "download"})
        .status_code
        == 409
    )


def test_exports_of_another_story_are_not_reachable_through_this_one(story, owner, ready):
    other = make_story()
    other.storyteller.user = owner
    other.storyteller.save()

    assert client_for(owner).get(f"{exports_url(other)}{ready.pk}/").status_code == 404
