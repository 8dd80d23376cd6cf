"""Books from stories: who may have one, how it is built, where its file lives, how it reaches a reader.

The status of a ``BookExport`` moves only along :data:`BOOK_EXPORT_TRANSITIONS` (the one table of
the machine, enforced by :func:`book_export_transition` with a conditional UPDATE, so two workers
can never both move the same export)::

    queued -> generating -> ready -> expired
       \\           \\
        -> failed    -> failed

A story may become a book when it is *approved*: no blocking edit requirement is still open
(pending or in review) and its composition gate has passed (its latest archetype analysis has a
dominant confidence of at least 0.85). A story with no text is refused as well. The file is
rendered by :mod:`storyteller.books` into ``MEDIA_ROOT/storyteller/exports/<export id>/``, one
folder per export, so two exports of one story never share a file.
"""

from __future__ import annotations

import logging
import shutil
import traceback
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from storyteller import books
from storyteller.choices import (
    BookExportDeliveryDeliveryMethod,
    BookExportDeliveryDeliveryStatus,
    BookExportExportFormat,
    BookExportExportStatus,
    BookExportGeneratedBy,
    EditRequirementSeverity,
    EditRequirementStatus,
)
from storyteller.models import (
    ArchetypeAnalysis,
    BookExport,
    BookExportDelivery,
    EditRequirement,
    LifeEventMedia,
    Story,
    StoryChapter,
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

#: the composition gate: the dominant archetype's confidence a story needs before it is composed
COMPOSITION_GATE_CONFIDENCE = Decimal("0.85")
#: how long a ready file is kept (``BOOK_EXPORT_TTL`` setting, a timedelta)
DEFAULT_EXPORT_TTL = timedelta(days=7)
EXPORTS_DIR = "storyteller/exports"
TOKEN_SALT = "storyteller.book-export-download"
OPEN_EDIT_STATUSES = (EditRequirementStatus.PENDING, EditRequirementStatus.IN_REVIEW)

ERR_UNSUPPORTED_FORMAT = "Books are built as {supported}; {format} is not available yet."
ERR_UNKNOWN_FORMAT = "Unknown export format {format!r}; choose one of {supported}."
ERR_BLOCKING_EDITS = "The story has {count} unresolved blocking edit requirement(s); resolve them before making a book."
ERR_GATE_NOT_PASSED = (
    "The story has not passed the composition gate: its latest archetype analysis needs a dominant "
    "confidence of at least 0.85."
)
ERR_EMPTY_STORY = "The story has no chapter with text; there is nothing to put in a book."
ERR_TRANSITION = "A book export cannot go from {source} to {target}."
ERR_NOT_READY = "The book is not ready to download (status: {status})."
ERR_FILE_MISSING = "The book's file is gone; build it again."
ERR_BAD_TOKEN = "The download link is invalid or has expired."
ERR_EMAIL_REQUIRED = "An e-mail delivery needs an address in delivered_to."
ERR_DELIVERY_METHOD = "Books are delivered by download link or e-mail; {method} is not available."


class BookExportTransitionError(ValidationError):
    """A status change the machine does not allow (or that another worker made first)."""


def export_ttl() -> timedelta:
    return getattr(settings, "BOOK_EXPORT_TTL", DEFAULT_EXPORT_TTL)


# -- approval and the in-memory book


def story_book_validate(*, story: Story) -> None:
    """Raise ``ValidationError`` unless ``story`` may become a book (approved and not empty)."""
    errors = []
    blocking = EditRequirement.objects.filter(
        story=story, severity=EditRequirementSeverity.BLOCKING, status__in=OPEN_EDIT_STATUSES
    ).count()
    if blocking:
        errors.append(ERR_BLOCKING_EDITS.format(count=blocking))
    if not story_composition_gate_passed(story=story):
        errors.append(ERR_GATE_NOT_PASSED)
    if not _story_has_text(story):
        errors.append(ERR_EMPTY_STORY)
    if errors:
        raise ValidationError({"story": errors})


def story_composition_gate_passed(*, story: Story) -> bool:
    """Whether the story's latest archetype analysis has a dominant confidence of at least 0.85."""
    latest = (
        ArchetypeAnalysis.objects.filter(story=story)
        .order_by("-analysis_number", "-created_at")
        .values_list("dominant_confidence", flat=True)
        .first()
    )
    return latest is not None and latest >= COMPOSITION_GATE_CONFIDENCE


def _story_has_text(story: Story) -> bool:
    return (
        StoryChapter.objects.filter(story=story, sections__content__regex=r"\S").exists()
        or StoryScene.objects.filter(story=story, chapter__isnull=False, scene_description__regex=r"\S").exists()
    )


def _author_name(storyteller) -> str:
    first = storyteller.preferred_name or storyteller.first_name
    name = " ".join(part for part in (first, storyteller.last_name) if part)
    return name or str(storyteller)


def _media_path(media: LifeEventMedia) -> Path | None:
    """The local file of a life event's media, or ``None`` for a remote URL."""
    url = media.file_url.strip()
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    if "://" in url:
        return None
    if url.startswith(settings.MEDIA_URL) and not Path(url).is_absolute():
        url = url.removeprefix(settings.MEDIA_URL)
    path = Path(url)
    return path if path.is_absolute() else Path(settings.MEDIA_ROOT) / path


def story_book_build(*, story: Story) -> tuple[books.Book, list[str]]:
    """The story as an in-memory book, and warnings about pictures left out (missing files).

    Chapters in ``display_order`` (then ``chapter_number``), each chapter's sections in
    ``sequence_order`` (then ``section_number``), each section followed by its scenes; scenes of a
    chapter without a section close the chapter. A scene's text is its description and reflection;
    its life event's publishable photos come with it when their files exist.
    """
    warnings: list[str] = []
    storyteller = story.storyteller
    chapters = list(
        StoryChapter.objects.filter(story=story)
        .order_by(F("display_order").asc(nulls_last=True), "chapter_number", "created_at")
        .prefetch_related("sections")
    )
    scenes = list(
        StoryScene.objects.filter(story=story, chapter__isnull=False)
        .order_by("created_at")
        .select_related("life_event")
    )
    media_by_event: dict = {}
    for media in LifeEventMedia.objects.filter(
        life_event__in={scene.life_event_id for scene in scenes if scene.life_event_id},
        media_type="photo",
        can_publish=True,
        has_usage_rights=True,
    ).order_by("created_at"):
        media_by_event.setdefault(media.life_event_id, []).append(media)

    def scene_images(scene) -> list[books.BookImage]:
        images = []
        for media in media_by_event.get(scene.life_event_id, []):
            path = _media_path(media)
            label = media.title or media.file_url
            if path is None:
                warnings.append(f"Photo {label!r} left out: only local files can be placed in a book.")
            elif not path.is_file():
                warnings.append(f"Photo {label!r} left out: its file {media.file_url} does not exist.")
            else:
                images.append(books.BookImage(path=path, caption=media.caption, alt=media.title or media.caption))
        return images

    def scene_of(scene) -> books.Scene:
        text = "\n\n".join(part for part in (scene.scene_description, scene.reflection) if part and part.strip())
        return books.Scene(title=scene.scene_name, text=text, images=scene_images(scene))

    book_chapters = []
    for chapter in chapters:
        sections = sorted(
            chapter.sections.all(),
            key=lambda s: (s.sequence_order is None, s.sequence_order or 0, s.section_number, s.created_at),
        )
        chapter_scenes = [scene for scene in scenes if scene.chapter_id == chapter.pk]
        book_sections = []
        for section in sections:
            book_sections.append(
                books.Section(
                    title=section.section_title,
                    text=section.content,
                    scenes=[scene_of(s) for s in chapter_scenes if s.section_id == section.pk],
                )
            )
        loose = [scene_of(s) for s in chapter_scenes if s.section_id is None]
        if loose:
            book_sections.append(books.Section(scenes=loose))
        book_chapters.append(
            books.Chapter(
                title=chapter.chapter_title or f"Chapter {chapter.chapter_number}",
                subtitle=chapter.chapter_subtitle,
                epigraph=chapter.epigraph,
                epigraph_attribution=chapter.epigraph_attribution,
                sections=book_sections,
            )
        )
    front = []
    about = "\n\n".join(part for part in (story.primary_purpose, story.central_question) if part and part.strip())
    if about:
        front.append(books.FrontMatter(title="About this story", text=about))
    book = books.Book(
        title=story.title,
        subtitle=story.subtitle,
        author=_author_name(storyteller),
        language=getattr(settings, "BOOK_LANGUAGE", "en"),
        identifier=f"urn:uuid:{story.pk}",
        description=story.central_question or story.primary_purpose,
        front_matter=front,
        chapters=book_chapters,
    )
    return book, warnings


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
