"""``manage.py export_book``: a book written synchronously, with the API's approval rules."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.storyteller.factories import EditRequirementFactory
from tests.storyteller.test_books_services import make_story, media_root  # noqa: F401

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_book", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_book_writes_a_pdf_with_every_chapter(tmp_path):
    story = make_story()
    output = tmp_path / "book.pdf"

    out, err = run(str(story.pk), "--format", "pdf", "--output", str(output), "--page-size", "6x9")

    text = "\n".join(page.extract_text() for page in PdfReader(output).pages)
    assert all(f"Winter {n}" in text for n in (1, 2, 3))
    assert out.startswith(f"Wrote {output} (") and "pages" in out
    assert "chapter" in err  # the progress bar


@pytest.mark.parametrize(("export_format", "name"), [("epub", "b.epub"), ("markdown", "b.md"), ("html", "b.html")])
def test_export_book_writes_the_other_formats(tmp_path, export_format, name):
    story = make_story(chapters=1)

    run(str(story.pk), "--format", export_format, "--output", str(tmp_path / name), "--no-progress")

    data = (tmp_path / name).read_bytes()
    if export_format == "epub":
        assert zipfile.ZipFile(io.BytesIO(data)).read("mimetype") == b"application/epub+zip"
    else:
        assert "Winter 1" in data.decode()


def test_export_book_refuses_a_story_that_is_not_approved(tmp_path):
    story = make_story()
    EditRequirementFactory(story=story, severity="blocking")

    with pytest.raises(CommandError, match="blocking edit requirement"):
        run(str(story.pk), "--format", "epub", "--output", str(tmp_path / "b.epub"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("story_id", "export_format", "message"),
    [
        ("00000000-0000-0000-0000-000000000000", "epub", "No story with id"),
        ("not-a-uuid", "epub", "No story with id"),
        (None, "mobi", "mobi is not available"),
    ],
)
def test_export_book_refuses_unknown_stories_and_unsupported_formats(tmp_path, story_id, export_format, message):
    story_id = story_id or str(make_story().pk)

    with pytest.raises(CommandError, match=message):
        run(story_id, "--format", export_format, "--output", str(tmp_path / "b"))
