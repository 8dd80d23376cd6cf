"""Book services: who may have a book, how it is built, where its file lives, how it reaches a reader.

The status of a ``BookExport`` moves only along :data:`BOOK_EXPORT_TRANSITIONS` (the one table of
the machine, enforced by :func:`book_export_transition` with a conditional UPDATE, so two workers
can never both move the same export)::

    queued -> generating -> ready -> expired
       \\           \\
        -> failed    -> failed

A story may become a book when it passes the export gate (``storyteller.rules.export_gate_problems``,
the same gate the story's status machine asks before ``complete``: the composition gate passed and no
blocking edit requirement open) and has text. What goes into the book is decided by the publishing
rule (``storyteller.rules.story_publication``), asked by :func:`story_book_build`, which every output
(the exports, the preview, the ``export_book`` command) calls. The file is rendered by
:mod:`storyteller.books` into ``MEDIA_ROOT/storyteller/exports/<export id>/``, one folder per export.
"""

from __future__ import annotations

import logging
import posixpath
import shutil
import traceback
from collections import defaultdict
from datetime import timedelta
from html import escape
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from storyteller import books, rules
from storyteller.books.common import RenderContext
from storyteller.books.html import html_document
from storyteller.choices import (
    BookExportDeliveryDeliveryMethod,
    BookExportDeliveryDeliveryStatus,
    BookExportExportFormat,
    BookExportExportStatus,
    BookExportGeneratedBy,
)
from storyteller.models import (
    BookExport,
    BookExportDelivery,
    ChapterSection,
    LifeEventMedia,
    Story,
    StoryChapter,
    StoryDraft,
    StoryScene,
)
from storyteller.rules import MACHINES

logger = logging.getLogger(__name__)

Status = BookExportExportStatus

#: the status machine of a book export: status -> the statuses it may move to (the table is
#: ``storyteller.rules.MACHINES``, where every status machine of the app is listed)
BOOK_EXPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(moves) for status, moves in MACHINES["storyteller.BookExport"].moves.items()
}

#: how long a ready file is kept (``BOOK_EXPORT_TTL`` setting, a timedelta)
DEFAULT_EXPORT_TTL = timedelta(days=7)
EXPORTS_DIR = "storyteller/exports"
TOKEN_SALT = "storyteller.book-export-download"

ERR_UNSUPPORTED_FORMAT = "Books are built as {supported}; {format} is not available yet."
ERR_UNKNOWN_FORMAT = "Unknown export format {format!r}; choose one of {supported}."
ERR_EMPTY_STORY = "The story has no chapter with text; there is nothing to put in a book."
ERR_TRANSITION = "A book export cannot go from {source} to {target}."
ERR_NOT_READY = "The book is not ready to download (status: {status})."
ERR_FILE_MISSING = "The book's file is gone; build it again."
ERR_BAD_TOKEN = "The download link is invalid or has expired."
ERR_EMAIL_REQUIRED = "An e-mail delivery needs an address in delivered_to."
ERR_DELIVERY_METHOD = "Books are delivered by download link or e-mail; {method} is not available."
ERR_UNKNOWN_CHAPTER = "This story has no chapter {chapter}."


class BookExportTransitionError(ValidationError):
    """A status change the machine does not allow (or that another worker made first)."""


def export_ttl() -> timedelta:
    return getattr(settings, "BOOK_EXPORT_TTL", DEFAULT_EXPORT_TTL)


# -- the export gate and the in-memory book


def story_book_validate(*, story: Story) -> None:
    """Raise ``ValidationError`` unless ``story`` may become a book (the export gate passed, and not empty)."""
    errors = rules.export_gate_problems(story)
    if not _story_has_text(story):
        errors.append(ValidationError(ERR_EMPTY_STORY, code="empty"))
    if errors:
        raise ValidationError({"story": errors})


def _story_has_text(story: Story) -> bool:
    return (
        ChapterSection.objects.filter(chapter__story=story, content__regex=r"\S").exists()
        or StoryScene.objects.filter(story=story, chapter__isnull=False, scene_description__regex=r"\S").exists()
        or StoryDraft.objects.filter(story=story, is_current=True, content__regex=r"\S").exists()
    )


def _author_name(storyteller) -> str:
    first = storyteller.preferred_name or storyteller.first_name
    name = " ".join(part for part in (first, storyteller.last_name) if part)
    return name or str(storyteller)


def media_storage_name(media: LifeEventMedia) -> str | None:
    """The stored name of a media file in the default storage, or ``None`` when ``file_url`` names none.

    A book opens pictures only through Django's storage API by their stored name (relative, inside
    the storage): never a URL, an absolute path or a name that climbs out of the storage.
    """
    name = media.file_url.strip()
    if name.startswith(settings.MEDIA_URL) and settings.MEDIA_URL not in ("", "/"):
        name = name.removeprefix(settings.MEDIA_URL)
    if not name or "://" in name or name.startswith(("/", "\\")) or "\\" in name:
        return None
    normal = posixpath.normpath(name)
    if normal.startswith("..") or normal != name.rstrip("/"):
        return None
    return normal


def _storage_reader(name: str):
    def read() -> bytes:
        try:
            with default_storage.open(name, "rb") as handle:
                return handle.read()
        except (SuspiciousFileOperation, FileNotFoundError) as exc:
            raise OSError(str(exc)) from exc

    return read


def _withheld_warnings(counts: dict[str, int]) -> list[str]:
    return [
        f"{count} scene(s) left out: {rules.WITHHELD_REASONS.get(reason, reason)}."
        for reason, count in sorted(counts.items())
    ]


def story_book_build(*, story: Story, chapter_id=None) -> tuple[books.Book, list[str]]:
    """The story as an in-memory book (or only chapter ``chapter_id``), and warnings about what was left out.

    Chapters in ``display_order`` (then ``chapter_number``). A chapter's current draft
    (``story_draft.is_current``) is its text when every scene of the chapter may be published in full;
    otherwise, and for chapters without one, its sections in ``sequence_order`` (then ``section_number``),
    each followed by its scenes, and scenes without a section close the chapter. A story-level current
    draft is the book's text when the story has no chapter. Every scene meets the publishing rule
    (:func:`storyteller.rules.story_publication`): left out, cut to its description or to its title, with
    its life event's publishable photos only in full. Names are shown as the characters' privacy allows.
    Warnings say what was left out and why, never what it says. The queries are the same few whatever
    the size of the story.
    """
    warnings: list[str] = []
    storyteller = story.storyteller
    publication = rules.story_publication(story)
    chapters_query = StoryChapter.objects.filter(story=story).order_by(
        F("display_order").asc(nulls_last=True), "chapter_number", "created_at"
    )
    if chapter_id is not None:
        chapters_query = chapters_query.filter(pk=chapter_id)
    chapters = list(chapters_query)
    wanted = {chapter.pk for chapter in chapters}
    sections_of = defaultdict(list)
    for section in ChapterSection.objects.filter(chapter_id__in=wanted).order_by(
        F("sequence_order").asc(nulls_last=True), "section_number", "created_at"
    ):
        sections_of[section.chapter_id].append(section)
    scenes_of = defaultdict(list)  # (chapter id, section id or None) -> scenes, grouped in one pass
    chapter_levels = defaultdict(set)
    event_ids = set()
    for scene in StoryScene.objects.filter(story=story, chapter_id__in=wanted).order_by("created_at"):
        scenes_of[(scene.chapter_id, scene.section_id)].append(scene)
        chapter_levels[scene.chapter_id].add(publication.scene_level(scene.life_event_id)[0])
        if scene.life_event_id:
            event_ids.add(scene.life_event_id)
    drafts = {}
    story_draft = None
    for draft in (
        StoryDraft.objects.filter(story=story, is_current=True)
        .exclude(content="")
        .order_by("-draft_version", "-created_at")
    ):
        if draft.chapter_id is None:
            story_draft = story_draft or draft
        else:
            drafts.setdefault(draft.chapter_id, draft)
    media_by_event = defaultdict(list)
    for media in LifeEventMedia.objects.filter(
        life_event_id__in=event_ids, media_type="photo", can_publish=True, has_usage_rights=True
    ).order_by("created_at"):
        if rules.media_publishable(media):
            media_by_event[media.life_event_id].append(media)

    withheld: dict[str, int] = defaultdict(int)
    text = publication.text

    def scene_images(scene) -> list[books.BookImage]:
        images = []
        for media in media_by_event.get(scene.life_event_id, []):
            label = media.title or "untitled"
            name = media_storage_name(media)
            if name is None:
                warnings.append(f"Photo {label!r} left out: only files kept in the site's storage can be placed.")
                continue
            images.append(
                books.BookImage(
                    name=name,
                    read=_storage_reader(name),
                    caption=text(media.caption),
                    alt=text(media.title or media.caption),
                )
            )
        return images

    def scene_of(scene) -> books.Scene | None:
        level, reason = publication.scene_level(scene.life_event_id)
        if level == rules.PUBLISH_WITHHELD:
            withheld[reason] += 1
            return None
        parts = [scene.scene_description]
        if level == rules.PUBLISH_FULL:
            parts.append(scene.reflection)
        body = "" if level == rules.PUBLISH_MENTION else "\n\n".join(p for p in parts if p and p.strip())
        images = scene_images(scene) if level == rules.PUBLISH_FULL else []
        return books.Scene(title=text(scene.scene_name), text=text(body), images=images)

    def scenes(key) -> list[books.Scene]:
        return [made for made in (scene_of(scene) for scene in scenes_of.get(key, ())) if made is not None]

    book_chapters = []
    for chapter in chapters:
        draft = drafts.get(chapter.pk)
        levels = chapter_levels.get(chapter.pk, set())
        if draft is not None and (levels - {rules.PUBLISH_FULL} or chapter.pk in publication.withheld_chapters):
            warnings.append(
                f"The current draft of chapter {chapter.chapter_number} was not used: some of its material may "
                "not be published; its sections and scenes were used instead."
            )
            draft = None
        if draft is not None:
            book_sections = [books.Section(text=text(draft.content))]
        else:
            book_sections = [
                books.Section(
                    title=text(section.section_title),
                    text=text(section.content),
                    scenes=scenes((chapter.pk, section.pk)),
                )
                for section in sections_of.get(chapter.pk, ())
            ]
            loose = scenes((chapter.pk, None))
            if loose:
                book_sections.append(books.Section(scenes=loose))
        book_chapters.append(
            books.Chapter(
                title=text(chapter.chapter_title or f"Chapter {chapter.chapter_number}"),
                subtitle=text(chapter.chapter_subtitle),
                epigraph=text(chapter.epigraph),
                epigraph_attribution=text(chapter.epigraph_attribution),
                sections=book_sections,
            )
        )
    if not book_chapters and story_draft is not None and chapter_id is None:
        if publication.levels and any(level != rules.PUBLISH_FULL for level, _ in publication.levels.values()):
            warnings.append("The story's current draft was not used: some of its material may not be published.")
        else:
            book_chapters.append(
                books.Chapter(title=text(story.title), sections=[books.Section(text=text(story_draft.content))])
            )
    warnings[:0] = _withheld_warnings(withheld)
    front = []
    about = "\n\n".join(part for part in (story.primary_purpose, story.central_question) if part and part.strip())
    if about and chapter_id is None:
        front.append(books.FrontMatter(title="About this story", text=text(about)))
    book = books.Book(
        title=text(story.title),
        subtitle=text(story.subtitle),
        author=_author_name(storyteller),
        language=getattr(settings, "BOOK_LANGUAGE", "en"),
        identifier=f"urn:uuid:{story.pk}",
        description=text(story.central_question or story.primary_purpose),
        front_matter=front,
        chapters=book_chapters,
    )
    return book, warnings


def story_preview_html(*, story: Story, chapter_id=None) -> str:
    """The book of ``story`` (or of one chapter) as the HTML export renders it, under the same publishing rule.

    Nothing is written. The warnings an export would record (what was left out and why, pictures that
    could not be placed) head the page, so the editor reads them before exporting. ``ValidationError``
    on ``chapter`` when the story has no such chapter.
    """
    if chapter_id is not None and not StoryChapter.objects.filter(story=story, pk=chapter_id).exists():
        raise ValidationError({"chapter": ERR_UNKNOWN_CHAPTER.format(chapter=chapter_id)}, code="invalid")
    book, warnings = story_book_build(story=story, chapter_id=chapter_id)
    context = RenderContext(options=books.RenderOptions())
    document = html_document(book, context)
    notes = warnings + context.warnings
    if notes:
        items = "".join(f"<li>{escape(note)}</li>" for note in notes)
        document = document.replace(
            "<body>\n",
            f'<body>\n<aside class="preview-warnings"><h2>Before exporting</h2><ul>{items}</ul></aside>\n',
            1,
        )
    return document


# -- exports and their status


def _supported_label() -> str:
    return ", ".join(books.SUPPORTED_FORMATS)


def book_export_validate_format(*, export_format: str, format_options: dict | None) -> books.RenderOptions:
    """Raise ``ValidationError`` for a format no renderer builds or options it cannot use."""
    if export_format not in BookExportExportFormat.values:
        raise ValidationError(
            {"export_format": ERR_UNKNOWN_FORMAT.format(format=export_format, supported=_supported_label())}
        )
    if export_format not in books.SUPPORTED_FORMATS:
        raise ValidationError(
            {"export_format": ERR_UNSUPPORTED_FORMAT.format(format=export_format, supported=_supported_label())}
        )
    if format_options is not None and not isinstance(format_options, dict):
        raise ValidationError({"format_options": "format_options must be an object."})
    try:
        return books.RenderOptions.from_dict(format_options)
    except ValueError as exc:
        raise ValidationError({"format_options": str(exc)}) from exc


@transaction.atomic
def book_export_create(
    *,
    story: Story,
    export_format: str,
    format_options: dict | None = None,
    generated_by: str = BookExportGeneratedBy.USER_REQUEST,
    defer: bool = True,
) -> BookExport:
    """Queue a book of ``story`` in ``export_format``; the background task builds it after the commit."""
    book_export_validate_format(export_format=export_format, format_options=format_options)
    story_book_validate(story=story)
    Story.objects.select_for_update().filter(pk=story.pk).first()  # export versions of a story count up in turn
    version = (BookExport.objects.filter(story=story).aggregate(v=Max("export_version"))["v"] or 0) + 1
    export = BookExport(
        story=story,
        storyteller_id=story.storyteller_id,
        export_format=export_format,
        export_scope="full_book",
        export_version=version,
        format_options=format_options or {},
        export_status=Status.QUEUED,
        generated_by=generated_by,
    )
    export.full_clean()
    export.save()
    if defer:
        transaction.on_commit(lambda: _defer_generation(export.pk))
    return export


def _defer_generation(export_id) -> None:
    from storyteller.tasks import build_book_export

    build_book_export.defer(export_id=str(export_id))


def book_export_rebuild(*, export: BookExport) -> BookExport:
    """Queue a new export of the same story, format and options ("build again")."""
    return book_export_create(
        story=export.story,
        export_format=export.export_format,
        format_options=export.format_options,
        generated_by=export.generated_by or BookExportGeneratedBy.USER_REQUEST,
    )


def book_export_transition(*, export: BookExport, to: str, **fields) -> BookExport:
    """Move ``export`` to status ``to`` (and set ``fields``) if the machine allows it from its stored status.

    The change is one conditional UPDATE on the stored status, so of two concurrent callers only
    one wins; the other gets ``BookExportTransitionError``.
    """
    source = export.export_status
    if to not in BOOK_EXPORT_TRANSITIONS[source]:
        raise BookExportTransitionError(ERR_TRANSITION.format(source=source, target=to))
    fields = {"export_status": to, **fields}
    updated = BookExport.objects.filter(pk=export.pk, export_status=source).update(**fields)
    if not updated:
        raise BookExportTransitionError(ERR_TRANSITION.format(source="a changed status", target=to))
    for name, value in fields.items():
        setattr(export, name, value)
    return export


def book_export_folder(export: BookExport) -> Path:
    """The folder that holds this export's file (and nothing else)."""
    return Path(default_storage.path(f"{EXPORTS_DIR}/{export.pk}"))


def book_export_file_path(export: BookExport) -> Path | None:
    """The export's file on disk, or ``None`` when it has none (not built yet, failed, expired, deleted)."""
    if not export.file_url:
        return None
    path = Path(default_storage.path(export.file_url))
    return path if path.is_file() else None


def book_export_generate(*, export: BookExport, progress=None) -> BookExport:
    """Build the export's file: queued -> generating -> ready, or failed with the error and no file.

    ``progress(done, total)`` is called as the renderer goes; the stored ``progress_percent``
    follows it (at most one UPDATE per percent).
    """
    started = timezone.now()
    book_export_transition(export=export, to=Status.GENERATING, generation_started_at=started, progress_percent=0)
    folder = book_export_folder(export)
    try:
        story = Story.objects.select_related("storyteller").get(pk=export.story_id)
        story_book_validate(story=story)
        book, warnings = story_book_build(story=story)
        options = books.RenderOptions.from_dict(export.format_options)
        extension = books.file_extension(book, export.export_format, options)
        name = f"{slugify(story.title)[:80] or 'book'}-v{export.export_version}.{extension}"
        last = {"percent": 0}

        def on_progress(done: int, total: int) -> None:
            percent = min(99, int(100 * done / max(total, 1)))
            if percent > last["percent"]:
                last["percent"] = percent
                BookExport.objects.filter(pk=export.pk).update(progress_percent=percent)
            if progress:
                progress(done, total)

        result = books.render_book(book, export.export_format, folder / name, options=options, progress=on_progress)
    except Exception as exc:
        shutil.rmtree(folder, ignore_errors=True)
        logger.warning("book export %s failed: %s", export.pk, exc)
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
        return book_export_transition(
            export=export,
            to=Status.FAILED,
            failed_at=timezone.now(),
            failure_reason=reason,
            error_log=traceback.format_exc(),
            file_url="",
        )
    completed = timezone.now()
    return book_export_transition(
        export=export,
        to=Status.READY,
        progress_percent=100,
        generation_completed_at=completed,
        generation_duration_seconds=int((completed - started).total_seconds()),
        file_url=f"{EXPORTS_DIR}/{export.pk}/{name}",
        file_size_bytes=result.size,
        file_checksum=result.checksum,
        page_count=result.page_count,
        word_count=result.word_count,
        expires_at=completed + export_ttl(),
        generation_notes="\n".join(warnings + result.warnings),
    )


def book_exports_expire(*, now=None) -> int:
    """Delete the files of ready exports past ``expires_at`` and mark them expired; returns how many."""
    now = now or timezone.now()
    expired = 0
    for export in BookExport.objects.filter(export_status=Status.READY, expires_at__lte=now):
        try:
            book_export_transition(export=export, to=Status.EXPIRED, file_url="")
        except BookExportTransitionError:
            continue
        shutil.rmtree(book_export_folder(export), ignore_errors=True)
        expired += 1
    return expired


# -- getting the file to the reader


def book_export_ensure_ready(*, export: BookExport) -> Path:
    """The file of a ready export, or ``ValidationError`` saying why there is none."""
    if export.export_status != Status.READY:
        raise ValidationError(ERR_NOT_READY.format(status=export.export_status))
    path = book_export_file_path(export)
    if path is None:
        raise ValidationError(ERR_FILE_MISSING)
    return path


def book_export_download_token(*, export: BookExport, delivery: BookExportDelivery) -> str:
    """A signed token for the export's download link; it dies with the export's ``expires_at``."""
    return signing.dumps({"export": str(export.pk), "delivery": str(delivery.pk)}, salt=TOKEN_SALT, compress=True)


def book_export_from_token(*, token: str, export_id=None) -> tuple[BookExport, BookExportDelivery | None]:
    """The export (and delivery) a download token names; ``ValidationError`` if forged, stale or expired."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=export_ttl())
    except signing.BadSignature as exc:
        raise ValidationError(ERR_BAD_TOKEN) from exc
    if export_id is not None and str(export_id) != data.get("export"):
        raise ValidationError(ERR_BAD_TOKEN)
    export = BookExport.objects.filter(pk=data.get("export")).select_related("story").first()
    if export is None or export.expires_at is None or export.expires_at <= timezone.now():
        raise ValidationError(ERR_BAD_TOKEN)
    delivery = BookExportDelivery.objects.filter(pk=data.get("delivery"), book_export=export).first()
    return export, delivery


def book_export_download_path(*, export: BookExport, token: str | None = None) -> str:
    """The site path of the export's download (with ``?token=`` for a signed link)."""
    path = reverse("storyteller-api:story-export-download", kwargs={"story_pk": export.story_id, "pk": export.pk})
    return f"{path}?token={token}" if token else path


def book_export_deliver(
    *, export: BookExport, delivery_method: str, delivered_to: str = "", base_url: str = ""
) -> tuple[BookExportDelivery, str]:
    """Deliver a ready export: a signed download link, or that link sent by e-mail.

    Returns the delivery row and the link (``base_url`` + path). An e-mail goes through Django's
    e-mail backend (the console backend unless ``EMAIL_BACKEND`` says otherwise); a failed send
    is recorded on the delivery with its reason.
    """
    book_export_ensure_ready(export=export)
    if delivery_method not in (BookExportDeliveryDeliveryMethod.DOWNLOAD, BookExportDeliveryDeliveryMethod.EMAIL):
        raise ValidationError({"delivery_method": ERR_DELIVERY_METHOD.format(method=delivery_method)})
    if delivery_method == BookExportDeliveryDeliveryMethod.EMAIL and not delivered_to.strip():
        raise ValidationError({"delivered_to": ERR_EMAIL_REQUIRED})
    delivery = BookExportDelivery(
        book_export=export,
        storyteller_id=export.storyteller_id,
        delivery_method=delivery_method,
        delivered_to=delivered_to.strip(),
        delivery_status=BookExportDeliveryDeliveryStatus.PENDING,
    )
    delivery.full_clean()
    delivery.save()
    link = base_url.rstrip("/") + book_export_download_path(
        export=export, token=book_export_download_token(export=export, delivery=delivery)
    )
    if delivery_method == BookExportDeliveryDeliveryMethod.DOWNLOAD:
        delivery.delivery_status = BookExportDeliveryDeliveryStatus.SENT
        delivery.delivered_at = timezone.now()
    else:
        title = export.story.title
        try:
            send_mail(
                subject=f"Your book: {title}",
                message=(
                    f'Your book "{title}" ({export.export_format}) is ready.\n\n'
                    f"Download it here until {export.expires_at:%Y-%m-%d %H:%M} UTC:\n{link}\n"
                ),
                from_email=None,
                recipient_list=[delivery.delivered_to],
            )
        except Exception as exc:  # noqa: BLE001 - any backend failure is recorded on the delivery
            delivery.delivery_status = BookExportDeliveryDeliveryStatus.FAILED
            delivery.failure_reason = f"{type(exc).__name__}: {exc}"
        else:
            delivery.delivery_status = BookExportDeliveryDeliveryStatus.SENT
            delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["delivery_status", "delivered_at", "failure_reason", "updated_at"])
    return delivery, link
