"""The book keeps every boundary: each publishing flag set on its own keeps a scene's text (or a photo, or a
real name) out of the EPUB, PDF, Markdown and HTML, and the text is back once the flag allows it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from storyteller import books, rules
from storyteller.services import books as services
from tests.storyteller.factories import (
    ChapterSectionFactory,
    CollectionFactory,
    CollectionLifeEventFactory,
    LifeEventBoundaryFactory,
    LifeEventFactory,
    LifeEventMediaFactory,
    LifeEventTraumaFactory,
    StoryChapterFactory,
    StoryCharacterFactory,
    StoryCollectionFactory,
    StoryFactory,
    StorySceneFactory,
    StorytellerBoundaryFactory,
)

pytestmark = pytest.mark.django_db

DESCRIPTION = "Quillfeather rain fell on the roof of the boathouse."
REFLECTION = "Marrowlight is what I call that summer now."
SECTION = "Plainwater was the name of the street we lived on."
REAL_NAME = "Thaddeus Quorn"
FORMATS = ("epub", "pdf", "markdown", "html")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def read_back(path: Path, fmt: str) -> tuple[str, int]:
    """The text a reader of the file sees, and how many pictures it holds."""
    if fmt == "pdf":
        reader = PdfReader(path)
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        return " ".join(text.split()), sum(len(page.images) for page in reader.pages)
    if fmt == "epub" or path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            text = "\n".join(archive.read(name).decode() for name in names if name.endswith((".xhtml", ".md", ".html")))
            return text, sum(1 for name in names if "images/" in name)
    text = path.read_text(encoding="utf-8")
    return text, text.count("data:image/")


def rendered(story, tmp_path: Path) -> dict[str, tuple[str, int, list[str]]]:
    """The story built and rendered in every format: format -> (text, pictures, warnings)."""
    book, warnings = services.story_book_build(story=story)
    out = {}
    for fmt in FORMATS:
        result = books.render_book(book, fmt, tmp_path / f"book-{fmt}.{books.file_extension(book, fmt)}")
        text, pictures = read_back(result.path, fmt)
        out[fmt] = (text, pictures, warnings + result.warnings)
    return out


def scene_story(*, description=DESCRIPTION, reflection=REFLECTION, category=""):
    story = StoryFactory(title="The Boathouse")
    chapter = StoryChapterFactory(story=story, chapter_number=1, chapter_title="Summer")
    section = ChapterSectionFactory(chapter=chapter, section_number=1, content=SECTION)
    event = LifeEventFactory(storyteller=story.storyteller, event_name="The boathouse summer", category=category)
    StorySceneFactory(
        story=story,
        chapter=chapter,
        section=section,
        life_event=event,
        scene_name="On the water",
        scene_description=description,
        reflection=reflection,
    )
    return story, chapter, event


def photo(event, **fields):
    """A publishable photo of ``event``, kept in the storage as ``photos/boathouse.png``."""
    file = Path(settings.MEDIA_ROOT) / "photos" / "boathouse.png"
    file.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (60, 40), "navy").save(file)
    return LifeEventMediaFactory(
        life_event=event, media_type="photo", file_url="photos/boathouse.png", caption="The boathouse", **fields
    )


def flip(row, **fields):
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


# each case: (forbid the scene) -> the text is gone; (allow it) -> the text is back
def case_include_in_story(story, chapter, event):
    flip(event, include_in_story=False)
    yield "include_in_story"
    flip(event, include_in_story=True)


def case_include_level_omit(story, chapter, event):
    flip(event, include_level="omit")
    yield "omit"
    flip(event, include_level="full_detail")


def case_never_publish(story, chapter, event):
    boundary = LifeEventBoundaryFactory(life_event=event, privacy_level="never_publish")
    yield "never_publish"
    flip(boundary, privacy_level="public")


def case_private(story, chapter, event):
    boundary = LifeEventBoundaryFactory(life_event=event, privacy_level="private")
    yield "private"
    flip(boundary, privacy_level="public")


def case_not_comfortable(story, chapter, event):
    boundary = LifeEventBoundaryFactory(life_event=event, comfortable_discussing=False)
    yield "not_comfortable"
    flip(boundary, comfortable_discussing=None)


def case_tier(story, chapter, event):
    LifeEventBoundaryFactory(life_event=event, privacy_level="limited")
    defaults = StorytellerBoundaryFactory(storyteller=story.storyteller, maximum_tier_comfortable=1)
    yield "tier"
    flip(defaults, maximum_tier_comfortable=2)


def case_topic(story, chapter, event):
    flip(event, category="loss")
    defaults = StorytellerBoundaryFactory(storyteller=story.storyteller, comfortable_discussing_loss=False)
    yield "topic"
    flip(defaults, comfortable_discussing_loss=True)


def case_trauma_consent(story, chapter, event):
    trauma = LifeEventTraumaFactory(life_event=event, trauma_status="ongoing", default_privacy_level="full")
    yield "trauma_consent"
    flip(trauma, consent_given=True)


def case_trauma_private(story, chapter, event):
    trauma = LifeEventTraumaFactory(life_event=event, trauma_status="resolved", default_privacy_level="private")
    yield "trauma_private"
    flip(trauma, default_privacy_level="full")


def case_collection_unapproved(story, chapter, event):
    collection = CollectionFactory(storyteller=story.storyteller, is_approved=False)
    CollectionLifeEventFactory(collection=collection, life_event=event)
    StoryCollectionFactory(story=story, chapter=chapter, collection=collection)
    yield "collection_unapproved"
    flip(collection, is_approved=True)


def case_collection_excluded(story, chapter, event):
    collection = CollectionFactory(storyteller=story.storyteller, is_approved=True, include_in_book=False)
    CollectionLifeEventFactory(collection=collection, life_event=event)
    StoryCollectionFactory(story=story, chapter=chapter, collection=collection)
    yield "collection_excluded"
    flip(collection, include_in_book=True)


CASES = [
    case_include_in_story,
    case_include_level_omit,
    case_never_publish,
    case_private,
    case_not_comfortable,
    case_tier,
    case_topic,
    case_trauma_consent,
    case_trauma_private,
    case_collection_unapproved,
    case_collection_excluded,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__.removeprefix("case_") for case in CASES])
def test_each_flag_keeps_the_scene_out_of_every_format_until_it_allows_it(case, tmp_path):
    story, chapter, event = scene_story()
    steps = case(story, chapter, event)
    reason = next(steps)

    for fmt, (text, _, warnings) in rendered(story, tmp_path).items():
        assert DESCRIPTION.split()[0] not in text, fmt
        assert REFLECTION.split()[0] not in text, fmt
        assert "On the water" not in text, fmt
        assert SECTION.split()[0] in text, fmt  # the rest of the book is there
        assert f"1 scene(s) left out: {rules.WITHHELD_REASONS[reason]}." in warnings
        assert not any(word in " ".join(warnings) for word in ("Quillfeather", "Marrowlight", "boathouse"))

    next(steps, None)
    for fmt, (text, _, warnings) in rendered(story, tmp_path).items():
        assert DESCRIPTION.split()[0] in text, fmt
        assert "On the water" in text, fmt
        assert not any("left out" in warning for warning in warnings), fmt


@pytest.mark.parametrize(
    ("include_level", "boundary", "shows"),
    [
        ("summary", {}, {"title", "description"}),
        ("mention", {}, {"title"}),
        ("", {"privacy_level": "limited"}, {"title", "description"}),
        ("", {"can_mention_but_not_detail": True}, {"title"}),
        ("full_detail", {"privacy_level": "public"}, {"title", "description", "reflection", "photo"}),
    ],
)
def test_include_levels_and_limited_boundaries_cut_the_scene(include_level, boundary, shows, tmp_path):
    story, chapter, event = scene_story()
    flip(event, include_level=include_level)
    if boundary:
        LifeEventBoundaryFactory(life_event=event, **boundary)
    photo(event)

    for fmt, (text, pictures, _) in rendered(story, tmp_path).items():
        assert ("On the water" in text) == ("title" in shows), fmt
        assert ("Quillfeather" in text) == ("description" in shows), fmt
        assert ("Marrowlight" in text) == ("reflection" in shows), fmt
        assert (pictures > 0) == ("photo" in shows), fmt


@pytest.mark.parametrize("flag", ["can_publish", "has_usage_rights"])
def test_photos_need_publishing_and_usage_rights(flag, tmp_path):
    story, chapter, event = scene_story()
    media = photo(event, **{flag: False})

    for fmt, (text, pictures, _) in rendered(story, tmp_path).items():
        assert pictures == 0, fmt
        assert "Quillfeather" in text, fmt

    flip(media, **{flag: True})
    for fmt, (_, pictures, _) in rendered(story, tmp_path).items():
        assert pictures == 1, fmt


@pytest.mark.parametrize(
    ("privacy_level", "shown", "hidden"),
    [
        ("pseudonym", "Tom Reed", [REAL_NAME]),
        ("composite_character", "Tom Reed", [REAL_NAME]),
        ("first_name_only", "Tom", [REAL_NAME, "Tom Reed"]),
        ("anonymous", rules.ANONYMOUS_NAME, [REAL_NAME, "Tom Reed"]),
        ("", "Tom Reed", [REAL_NAME]),
    ],
)
def test_character_names_follow_their_privacy_level(privacy_level, shown, hidden, tmp_path):
    text = f"{REAL_NAME} rowed. Later Tom Reed laughed."
    story, chapter, event = scene_story(description=text)
    character = StoryCharacterFactory(
        story=story, character_name="Tom Reed", real_name=REAL_NAME, privacy_level=privacy_level
    )

    for fmt, (out, _, _) in rendered(story, tmp_path).items():
        for name in hidden:
            assert name not in out, (fmt, name)
        assert shown in out, fmt

    flip(character, privacy_level="full_name")
    for fmt, (out, _, _) in rendered(story, tmp_path).items():
        assert REAL_NAME in out and "Tom Reed" in out, fmt


def test_trauma_without_consent_is_left_out_of_an_export_whose_warnings_do_not_quote_it(tmp_path):
    from tests.storyteller.test_books_services import pass_composition_gate, queued_export

    story, chapter, event = scene_story()
    LifeEventTraumaFactory(life_event=event, trauma_status="ongoing", default_privacy_level="full")
    pass_composition_gate(story.storyteller)

    export = services.book_export_generate(export=queued_export(story, "html"))

    assert export.export_status == "ready"
    html = Path(services.book_export_file_path(export)).read_text()
    assert "Quillfeather" not in html and "Plainwater" in html
    assert export.generation_notes == f"1 scene(s) left out: {rules.WITHHELD_REASONS['trauma_consent']}."


def test_a_current_chapter_draft_is_the_text_unless_some_material_is_withheld(tmp_path):
    from tests.storyteller.factories import StoryDraftFactory

    story, chapter, event = scene_story()
    StoryDraftFactory(story=story, chapter=chapter, draft_type="chapter", content="Old draft.", is_current=False)
    StoryDraftFactory(story=story, chapter=chapter, draft_type="chapter", content="Driftwood draft.", is_current=True)

    book, warnings = services.story_book_build(story=story)
    assert [section.text for section in book.chapters[0].sections] == ["Driftwood draft."]
    assert warnings == []

    flip(event, include_in_story=False)  # the draft may hold the withheld scene: sections and scenes instead
    book, warnings = services.story_book_build(story=story)
    assert "Driftwood" not in book.plain_text() and "Quillfeather" not in book.plain_text()
    assert SECTION in book.plain_text()
    assert any("current draft of chapter 1 was not used" in warning for warning in warnings)


def test_the_publishing_rule_costs_the_same_queries_whatever_the_size_of_the_story():
    def queries(scenes: int) -> int:
        story = StoryFactory()
        for number in range(1, 4):
            chapter = StoryChapterFactory(story=story, chapter_number=number)
            ChapterSectionFactory(chapter=chapter, section_number=1, content="Text.")
            for _ in range(scenes):
                event = LifeEventFactory(storyteller=story.storyteller)
                LifeEventBoundaryFactory(life_event=event, privacy_level="limited")
                LifeEventTraumaFactory(life_event=event)
                StorySceneFactory(story=story, chapter=chapter, life_event=event, scene_description="A scene.")
                StoryCharacterFactory(story=story, real_name=f"Real {number}", privacy_level="pseudonym")
        collection = CollectionFactory(storyteller=story.storyteller, is_approved=False)
        StoryCollectionFactory(story=story, chapter=story.chapters.first(), collection=collection)
        with CaptureQueriesContext(connection) as publication:
            rules.story_publication(story)
        with CaptureQueriesContext(connection) as build:
            services.story_book_build(story=story)
        return len(publication), len(build)

    assert queries(1) == queries(12)
    assert queries(1)[0] <= 5  # storyteller defaults, bad collections, their events, life events, characters
