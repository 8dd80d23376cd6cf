"""Book exports: approval, the in-memory book, the status machine, files, expiry and deliveries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from ebooklib import epub
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob
from pypdf import PdfReader

from core.testing import run_concurrently
from storyteller import books, rules
from storyteller.books import render as render_module
from storyteller.models import BookExport
from storyteller.services import books as services
from storyteller.tasks import build_book_export, expire_book_exports
from tests.storyteller.factories import (
    ArchetypeAnalysisFactory,
    BookExportFactory,
    ChapterSectionFactory,
    EditRequirementFactory,
    LifeEventFactory,
    LifeEventMediaFactory,
    StoryChapterFactory,
    StoryFactory,
    StorySceneFactory,
)

pytestmark = pytest.mark.django_db

WORDS = "The kitchen smelled of bread and coal smoke when Zofia came home from the market in Kraków."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_story(*, chapters: int = 3, approved: bool = True, **story_fields):
    """A story of ``chapters`` chapters, two sections each, with its composition gate passed."""
    story = StoryFactory(
        title="The Bread and the River",
        subtitle="A memoir",
        primary_purpose="For my grandchildren.",
        storyteller__first_name="Zofia",
        storyteller__last_name="Łukasiewicz",
        **story_fields,
    )
    for number in range(1, chapters + 1):
        chapter = StoryChapterFactory(story=story, chapter_number=number, chapter_title=f"Winter {number}")
        for section in (1, 2):
            ChapterSectionFactory(
                chapter=chapter,
                section_number=section,
                section_title=f"Part {number}.{section}",
                content=f"{WORDS}\n\n{WORDS} ({number}.{section})",
            )
    if approved:
        pass_composition_gate(story.storyteller)
    return story


def pass_composition_gate(storyteller, confidence="0.90"):
    """The storyteller's latest archetype analysis, resolved at ``confidence`` (the one composition gate)."""
    return ArchetypeAnalysisFactory(
        storyteller=storyteller,
        refinement_status="resolved",
        dominant_archetype="relationship_to_loss",
        dominant_confidence=Decimal(confidence),
    )


def queued_export(story, export_format="epub", **kwargs):
    return services.book_export_create(story=story, export_format=export_format, defer=False, **kwargs)


# -- approval


def test_story_book_validate_accepts_an_approved_story():
    services.story_book_validate(story=make_story())


@pytest.mark.parametrize("status", ["pending", "in_review"])
def test_story_book_validate_refuses_an_open_blocking_edit_requirement(status):
    story = make_story()
    EditRequirementFactory(story=story, severity="blocking", status=status)

    with pytest.raises(ValidationError) as error:
        services.story_book_validate(story=story)

    assert error.value.message_dict["story"] == [rules.BLOCKING_EDITS % {"count": 1}]


@pytest.mark.parametrize(
    ("severity", "status"), [("blocking", "resolved"), ("blocking", "wont_fix"), ("polish", "pending")]
)
def test_story_book_validate_ignores_settled_or_minor_edit_requirements(severity, status):
    story = make_story()
    EditRequirementFactory(story=story, severity=severity, status=status)

    services.story_book_validate(story=story)


def test_story_book_validate_refuses_a_story_whose_latest_analysis_is_below_the_gate():
    story = make_story()
    ArchetypeAnalysisFactory(storyteller=story.storyteller, dominant_confidence=Decimal("0.84"))  # newer, open

    with pytest.raises(ValidationError, match="composition gate"):
        services.story_book_validate(story=story)


def test_story_book_validate_refuses_a_story_without_analysis():
    with pytest.raises(ValidationError, match="composition gate"):
        services.story_book_validate(story=make_story(approved=False))


def test_story_book_validate_refuses_an_empty_story():
    story = make_story(chapters=0)
    StoryChapterFactory(story=story)  # a chapter without any text

    with pytest.raises(ValidationError) as error:
        services.story_book_validate(story=story)

    assert error.value.message_dict["story"] == [services.ERR_EMPTY_STORY]


# -- the in-memory book


def test_story_book_build_orders_chapters_sections_and_scenes(tmp_path):
    story = make_story(chapters=0)
    late = StoryChapterFactory(story=story, chapter_number=1, chapter_title="Late", display_order=2)
    early = StoryChapterFactory(story=story, chapter_number=2, chapter_title="Early", display_order=1, epigraph="E")
    untitled = StoryChapterFactory(story=story, chapter_number=3, chapter_title="")
    second = ChapterSectionFactory(chapter=early, section_number=2, section_title="B", content="b")
    ChapterSectionFactory(chapter=early, section_number=1, section_title="A", content="a")
    ChapterSectionFactory(chapter=late, section_number=1, content="late text")
    ChapterSectionFactory(chapter=untitled, section_number=1, content="more")
    StorySceneFactory(story=story, chapter=early, section=second, scene_name="Kitchen", scene_description="Warm.")
    StorySceneFactory(story=story, chapter=late, scene_name="Loose", reflection="Looking back.")

    book, warnings = services.story_book_build(story=story)

    assert [chapter.title for chapter in book.chapters] == ["Early", "Late", "Chapter 3"]
    assert [section.title for section in book.chapters[0].sections] == ["A", "B"]
    assert [(scene.title, scene.text) for scene in book.chapters[0].sections[1].scenes] == [("Kitchen", "Warm.")]
    assert book.chapters[1].sections[-1].scenes[0].text == "Looking back."
    assert book.chapters[0].epigraph == "E"
    assert book.title == "The Bread and the River" and book.subtitle == "A memoir"
    assert book.author == "Zofia Łukasiewicz"
    assert book.identifier == f"urn:uuid:{story.pk}"
    assert [item.title for item in book.front_matter] == ["About this story"]
    assert warnings == []


def test_story_book_build_places_life_event_photos_and_warns_about_missing_files(media_root):
    story = make_story(chapters=1)
    chapter = story.chapters.get()
    event = LifeEventFactory(storyteller=story.storyteller)
    photo = Path(media_root) / "photos" / "kitchen.png"
    photo.parent.mkdir(parents=True)
    Image.new("RGB", (40, 30), "white").save(photo)
    LifeEventMediaFactory(life_event=event, media_type="photo", file_url="photos/kitchen.png", caption="Kitchen")
    LifeEventMediaFactory(life_event=event, media_type="photo", file_url="photos/gone.jpg", title="Gone")
    LifeEventMediaFactory(life_event=event, media_type="photo", file_url="https://example.org/x.jpg", title="Far")
    LifeEventMediaFactory(life_event=event, media_type="photo", file_url="photos/kitchen.png", can_publish=False)
    LifeEventMediaFactory(life_event=event, media_type="audio", file_url="photos/kitchen.png")
    StorySceneFactory(story=story, chapter=chapter, life_event=event, scene_name="At home", scene_description="Home.")

    book, warnings = services.story_book_build(story=story)

    images = list(book.images())
    assert [(image.name, image.caption) for image in images] == [
        ("photos/kitchen.png", "Kitchen"),
        ("photos/gone.jpg", ""),
    ]
    assert images[0].read() == photo.read_bytes()
    with pytest.raises(OSError):
        images[1].read()  # missing: the renderers leave it out with a warning
    assert warnings == ["Photo 'Far' left out: only files kept in the site's storage can be placed."]


@pytest.mark.parametrize(
    "file_url", ["/etc/passwd", "../secret.png", "photos/../../secret.png", "file:///etc/hosts", "C:\\x.png"]
)
def test_story_book_build_opens_pictures_only_by_stored_name(media_root, file_url):
    story = make_story(chapters=1)
    event = LifeEventFactory(storyteller=story.storyteller)
    LifeEventMediaFactory(life_event=event, media_type="photo", file_url=file_url, title="Outside")
    StorySceneFactory(story=story, chapter=story.chapters.get(), life_event=event, scene_description="Home.")

    book, warnings = services.story_book_build(story=story)

    assert list(book.images()) == []
    assert warnings == ["Photo 'Outside' left out: only files kept in the site's storage can be placed."]


# -- creating exports


@pytest.mark.parametrize("export_format", ["mobi", "docx", "print_ready"])
def test_book_export_create_refuses_formats_that_are_not_built(export_format):
    with pytest.raises(ValidationError) as error:
        queued_export(make_story(), export_format)

    assert error.value.message_dict["export_format"] == [
        services.ERR_UNSUPPORTED_FORMAT.format(format=export_format, supported="epub, pdf, markdown, html")
    ]
    assert not BookExport.objects.exists()


def test_book_export_create_refuses_unknown_formats_and_bad_options():
    story = make_story()
    with pytest.raises(ValidationError, match="Unknown export format"):
        queued_export(story, "rtf")
    with pytest.raises(ValidationError, match="page_size"):
        queued_export(story, "pdf", format_options={"page_size": "letter"})
    with pytest.raises(ValidationError, match="must be an object"):
        queued_export(story, "pdf", format_options=["a5"])


def test_book_export_create_refuses_a_story_that_is_not_approved():
    story = make_story()
    EditRequirementFactory(story=story, severity="blocking")

    with pytest.raises(ValidationError, match="blocking edit requirement"):
        queued_export(story)


def test_book_export_create_queues_the_task_after_commit_and_counts_versions(django_capture_on_commit_callbacks):
    story = make_story()

    with django_capture_on_commit_callbacks(execute=True):
        first = services.book_export_create(story=story, export_format="pdf", format_options={"page_size": "6x9"})
    second = queued_export(story, "epub")

    assert first.export_status == "queued" and first.generated_by == "user_request"
    assert (first.export_version, second.export_version) == (1, 2)
    assert first.storyteller_id == story.storyteller_id
    assert ProcrastinateJob.objects.filter(
        task_name="storyteller.build_book_export", args={"export_id": str(first.pk)}
    ).exists()


# -- generating


@pytest.mark.parametrize("export_format", books.SUPPORTED_FORMATS)
def test_book_export_generate_makes_a_ready_file_with_size_and_checksum(export_format, media_root):
    story = make_story()
    export = queued_export(story, export_format)
    seen = []

    services.book_export_generate(export=export, progress=lambda done, total: seen.append(done))

    export.refresh_from_db()
    path = services.book_export_file_path(export)
    assert export.export_status == "ready" and export.progress_percent == 100
    assert path.is_relative_to(Path(media_root)) and path.stat().st_size == export.file_size_bytes
    assert export.file_checksum == books.sha256_file(path)
    assert export.word_count == 6 * (2 * len(WORDS.split()) + 1) + 3  # two paragraphs a section, the front matter
    assert export.generation_started_at <= export.generation_completed_at
    assert export.expires_at == export.generation_completed_at + timedelta(days=7)
    assert seen
    if export_format == "pdf":
        assert export.page_count == len(PdfReader(path).pages)
    if export_format == "epub":
        assert [link.title for link in epub.read_epub(str(path)).toc] == [
            "About this story",
            "Winter 1",
            "Winter 2",
            "Winter 3",
        ]


def test_book_export_generate_records_missing_photos_as_warnings():
    story = make_story(chapters=1)
    event = LifeEventFactory(storyteller=story.storyteller)
    LifeEventMediaFactory(life_event=event, media_type="photo", file_url="photos/gone.jpg", title="Gone")
    StorySceneFactory(
        story=story,
        chapter=story.chapters.get(),
        life_event=event,
        scene_description="Home.",
    )
    export = queued_export(story, "pdf")

    services.book_export_generate(export=export)

    export.refresh_from_db()
    assert export.export_status == "ready"
    assert export.generation_notes == "Image gone.jpg left out: the file is missing or unreadable."


def test_book_export_generate_fails_cleanly_when_rendering_breaks(monkeypatch):
    export = queued_export(make_story(), "pdf")

    def broken(book, path, context, progress):
        path.write_bytes(b"%PDF half")
        progress(1, 3)
        raise RuntimeError("renderer crashed")

    monkeypatch.setitem(render_module.RENDERERS, "pdf", broken)

    services.book_export_generate(export=export)

    export.refresh_from_db()
    assert export.export_status == "failed"
    assert export.failure_reason == "RuntimeError: renderer crashed"
    assert "renderer crashed" in export.error_log and export.failed_at is not None
    assert export.file_url == "" and services.book_export_file_path(export) is None
    assert not services.book_export_folder(export).exists()


def test_book_export_generate_fails_when_the_story_lost_its_approval():
    story = make_story()
    export = queued_export(story)
    EditRequirementFactory(story=story, severity="blocking")

    services.book_export_generate(export=export)

    export.refresh_from_db()
    assert export.export_status == "failed"
    assert export.failure_reason == rules.BLOCKING_EDITS % {"count": 1}


def test_book_export_transition_follows_the_table():
    export = BookExportFactory(export_status="ready")

    with pytest.raises(services.BookExportTransitionError):
        services.book_export_transition(export=export, to="generating")
    stale = BookExport.objects.get(pk=export.pk)
    services.book_export_transition(export=export, to="expired")
    with pytest.raises(services.BookExportTransitionError):  # someone else moved it first
        services.book_export_transition(export=stale, to="expired")
    assert set(services.BOOK_EXPORT_TRANSITIONS) == {"queued", "generating", "ready", "failed", "expired"}


def test_build_book_export_task_builds_once():
    export = queued_export(make_story(), "markdown")

    assert build_book_export(export_id=str(export.pk)) == "ready"
    assert build_book_export(export_id=str(export.pk)) == "ready"  # idempotent: a ready export is left alone
    assert build_book_export(export_id="00000000-0000-0000-0000-000000000000") == "missing"


@pytest.mark.django_db(transaction=True)
def test_two_exports_of_one_story_at_once_both_complete_with_their_own_files():
    story = make_story(chapters=4)
    first, second = queued_export(story, "pdf"), queued_export(story, "pdf")

    results = run_concurrently(
        lambda: build_book_export(export_id=str(first.pk)), lambda: build_book_export(export_id=str(second.pk))
    )

    assert results == ["ready", "ready"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert services.book_export_file_path(first) != services.book_export_file_path(second)
    assert first.file_checksum and second.file_checksum
    assert first.export_version != second.export_version


@pytest.mark.django_db(transaction=True)
def test_one_export_taken_by_two_workers_is_built_once():
    export = queued_export(make_story(), "epub")

    results = run_concurrently(*[lambda: build_book_export(export_id=str(export.pk))] * 2)

    assert sorted(results) == ["ready", "ready"] or "generating" in results
    export.refresh_from_db()
    assert export.export_status == "ready"


# -- expiry


def test_expire_deletes_files_past_their_date_and_marks_the_exports():
    story = make_story()
    old, fresh = queued_export(story, "markdown"), queued_export(story, "markdown")
    for export in (old, fresh):
        services.book_export_generate(export=export)
    BookExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    old_path = services.book_export_file_path(BookExport.objects.get(pk=old.pk))

    assert expire_book_exports() == 1
    assert expire_book_exports(timestamp=0) == 0

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.export_status == "expired" and old.file_url == "" and not old_path.exists()
    assert fresh.export_status == "ready" and services.book_export_file_path(fresh) is not None


# -- deliveries


@pytest.fixture
def ready_export():
    export = queued_export(make_story(), "epub")
    return services.book_export_generate(export=export)


def test_download_delivery_gives_a_signed_link_to_this_export(ready_export):
    delivery, link = services.book_export_deliver(
        export=ready_export, delivery_method="download", base_url="https://books.example/"
    )

    assert delivery.delivery_status == "sent" and delivery.delivered_at is not None
    assert link.startswith(f"https://books.example/api/storyteller/stories/{ready_export.story_id}/exports/")
    token = link.split("?token=")[1]
    assert services.book_export_from_token(token=token, export_id=ready_export.pk) == (ready_export, delivery)


def test_download_tokens_refuse_tampering_other_exports_and_expiry(ready_export):
    delivery, link = services.book_export_deliver(export=ready_export, delivery_method="download")
    token = link.split("?token=")[1]

    for bad in (token[:-2] + "xx", signing.dumps({"export": str(ready_export.pk)}, salt="other")):
        with pytest.raises(ValidationError, match="invalid or has expired"):
            services.book_export_from_token(token=bad)
    with pytest.raises(ValidationError):
        services.book_export_from_token(token=token, export_id=delivery.pk)
    BookExport.objects.filter(pk=ready_export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError):
        services.book_export_from_token(token=token)


def test_email_delivery_sends_the_link_through_the_mail_backend(ready_export):
    delivery, link = services.book_export_deliver(
        export=ready_export, delivery_method="email", delivered_to=" reader@example.org "
    )

    assert delivery.delivery_status == "sent" and delivery.delivered_to == "reader@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"] and link in message.body
    assert "The Bread and the River" in message.subject


def test_email_delivery_records_a_failed_send(ready_export, monkeypatch):
    def refuse(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", refuse)

    delivery, _ = services.book_export_deliver(export=ready_export, delivery_method="email", delivered_to="a@b.org")

    assert delivery.delivery_status == "failed" and delivery.failure_reason == "OSError: mail server down"


def test_deliveries_need_a_ready_export_an_address_and_a_known_method(ready_export):
    with pytest.raises(ValidationError, match="needs an address"):
        services.book_export_deliver(export=ready_export, delivery_method="email")
    with pytest.raises(ValidationError, match="print_service is not available"):
        services.book_export_deliver(export=ready_export, delivery_method="print_service")
    queued = queued_export(ready_export.story, "pdf")
    with pytest.raises(ValidationError, match="not ready"):
        services.book_export_deliver(export=queued, delivery_method="download")


def test_rebuild_queues_a_new_version_with_the_same_format_and_options(ready_export):
    again = services.book_export_rebuild(export=ready_export)

    assert again.pk != ready_export.pk and again.export_status == "queued"
    assert (again.export_format, again.format_options) == (ready_export.export_format, ready_export.format_options)
    assert again.export_version == ready_export.export_version + 1


def test_book_export_generate_stores_progress_as_it_goes():
    export = queued_export(make_story(chapters=6), "epub")
    stored = []

    def watch(done, total):
        stored.append(BookExport.objects.values_list("progress_percent", "export_status").get(pk=export.pk))

    services.book_export_generate(export=export, progress=watch)

    assert [status for _, status in stored] == ["generating"] * len(stored)
    percents = [percent for percent, _ in stored]
    assert percents == sorted(percents) and 0 < percents[0] < 99 and percents[-1] == 99
    assert BookExport.objects.get(pk=export.pk).progress_percent == 100


@pytest.mark.django_db(transaction=True)
def test_a_queued_book_is_built_by_the_procrastinate_worker(django_capture_on_commit_callbacks):
    from procrastinate.contrib.django import app

    story = make_story(chapters=2)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.book_export_create(story=story, export_format="markdown")
    job = ProcrastinateJob.objects.get(task_name="storyteller.build_book_export", args={"export_id": str(export.pk)})

    with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    assert ProcrastinateJob.objects.get(pk=job.pk).status == "succeeded"
    export.refresh_from_db()
    assert export.export_status == "ready" and services.book_export_file_path(export) is not None
    with connection.cursor() as cursor:  # the worker thread's Django connection outlives the test
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        )
