"""The demo story (``seed_demo``) passes the export gate and becomes a book in every format."""

from __future__ import annotations

import io

import pytest

from storyteller import demo, rules
from storyteller.models import Story
from storyteller.services import books as services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_story_exports_in_every_format():
    demo.seed(io.StringIO())
    story = Story.objects.select_related("storyteller").get(storyteller__user__username=demo.DEMO_USER)

    assert rules.export_gate_problems(story) == []
    for export_format in ("epub", "pdf", "markdown", "html"):
        queued = services.book_export_create(story=story, export_format=export_format, defer=False)
        export = services.book_export_generate(export=queued)
        assert export.export_status == "ready", export.failure_reason
        assert export.word_count > 10
    html = services.book_export_file_path(export).read_text(encoding="utf-8")
    assert "The church hall smelled of lilies" in html
