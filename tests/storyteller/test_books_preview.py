"""GET /api/storyteller/stories/{id}/preview/: the book as HTML, now, under the same rule as the exports."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from storyteller import rules
from tests.core.factories import UserFactory
from tests.storyteller.factories import LifeEventFactory, StoryChapterFactory, StorySceneFactory
from tests.storyteller.test_books_services import make_story, media_root  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def preview_url(story, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/storyteller/stories/{story.pk}/preview/" + (f"?{query}" if query else "")


@pytest.fixture
def story():
    story = make_story(chapters=2, approved=False)  # a preview needs no export gate
    chapter = story.chapters.order_by("chapter_number").first()
    kept = LifeEventFactory(storyteller=story.storyteller)
    hidden = LifeEventFactory(storyteller=story.storyteller, include_in_story=False)
    StorySceneFactory(story=story, chapter=chapter, life_event=kept, scene_description="Sunlit orchard scene.")
    StorySceneFactory(story=story, chapter=chapter, life_event=hidden, scene_description="Secret cellar scene.")
    return story


def test_the_owner_reads_the_book_as_html_under_the_publishing_rule(story):
    for accept in ("*/*", "text/html"):
        response = client_for(story.storyteller.user).get(preview_url(story), HTTP_ACCEPT=accept)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        html = response.content.decode()
        assert html.startswith("<!DOCTYPE html>")
        assert "Winter 1" in html and "Winter 2" in html and "Sunlit orchard" in html
        assert "Secret cellar" not in html
        assert f"1 scene(s) left out: {rules.WITHHELD_REASONS['include_in_story']}." in html


def test_one_chapter_is_previewed_alone(story):
    second = story.chapters.get(chapter_number=2)

    html = client_for(story.storyteller.user).get(preview_url(story, chapter=second.pk)).content.decode()

    assert "Winter 2" in html and "Winter 1" not in html and "About this story" not in html


@pytest.mark.parametrize("chapter", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_a_chapter_that_is_not_the_storys_is_a_400_naming_it(story, chapter):
    other = StoryChapterFactory()  # a chapter of another story is not this story's either
    for value in (chapter, other.pk):
        response = client_for(story.storyteller.user).get(preview_url(story, chapter=value), HTTP_ACCEPT="text/html")

        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert [error["field"] for error in response.json()["errors"]] == ["chapter"]


def test_only_the_owner_previews_others_get_the_json_404(story):
    assert client_for(None).get(preview_url(story)).status_code == 401
    for stranger in (UserFactory(), UserFactory(is_staff=True)):
        response = client_for(stranger).get(preview_url(story), HTTP_ACCEPT="text/html")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json" and "message" in response.json()
    assert client_for(UserFactory(superuser=True)).get(preview_url(story)).status_code == 200


def test_the_preview_costs_the_same_queries_whatever_the_size_of_the_book():
    def queries(chapters: int) -> int:
        story = make_story(chapters=chapters, approved=False)
        for chapter in story.chapters.all():
            StorySceneFactory(story=story, chapter=chapter, life_event=LifeEventFactory(storyteller=story.storyteller))
        client = client_for(story.storyteller.user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(preview_url(story)).status_code == 200
        return len(captured)

    assert queries(1) == queries(6)


def test_the_preview_is_in_the_openapi_schema_as_html():
    schema = client_for(UserFactory()).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/storyteller/stories/{story_pk}/preview/"]["get"]

    assert "text/html" in operation["responses"]["200"]["content"]
    assert {"400", "401", "404"} <= set(operation["responses"])
    assert "chapter" in [parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"]
