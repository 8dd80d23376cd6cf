"""The admin page of book exports: status and progress, a download link, "build again", and new
exports queued through :func:`storyteller.services.books.book_export_create` (so the rules run and
the background task is deferred).

``storyteller.admin`` registers :class:`BookExportAdmin`. Its options are also kept in
:data:`BOOK_EXPORT_ADMIN`, for an admin module that builds its pages from option dicts.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ScopedAdmin
from storyteller.models import BookExport
from storyteller.services import books as exports

BUILD_AGAIN_QUEUED = "%(count)d export(s) queued again."


@admin.display(description=_("file"))
def download_link(modeladmin, export: BookExport) -> str:
    """A link to the file through the API's download view (the admin's session signs in there too)."""
    if export.pk is None or export.export_status != exports.Status.READY:
        return "—"
    return format_html(
        '<a href="{}">{}</a> ({} KB)',
        exports.book_export_download_path(export=export),
        _("Download"),
        max(1, round((export.file_size_bytes or 0) / 1024)),
    )


@admin.action(description=_("Build again (a new export of the same story, format and options)"), permissions=["add"])
def build_again(modeladmin, request, queryset) -> None:
    """Queue a new export for each selected one; a story that is no longer approved is reported, not built."""
    queued, refused = 0, []
    for export in queryset.select_related("story"):
        try:
            exports.book_export_rebuild(export=export)
        except ValidationError as error:
            refused.append(f"{export.story.title}: {' '.join(error.messages)}")
        else:
            queued += 1
    if queued:
        modeladmin.message_user(request, BUILD_AGAIN_QUEUED % {"count": queued}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)


BOOK_EXPORT_ADMIN = {
    "list_display": [
        "story__title",
        "export_format",
        "export_version",
        "export_status",
        "progress_percent",
        "file_size_bytes",
        "expires_at",
        "download_link",
        "created_at",
    ],
    "list_filter": ["export_status", "export_format", "generated_by", "created_at"],
    "search_fields": ["story__title", "=id"],
    "list_select_related": ["story"],
    "raw_id_fields": ["story"],
    "exclude": ["storyteller"],  # always the story's storyteller (set by the service), shown read-only
    "readonly_fields": [
        "storyteller",
        "export_status",
        "progress_percent",
        "export_version",
        "generation_started_at",
        "generation_completed_at",
        "generation_duration_seconds",
        "file_url",
        "file_size_bytes",
        "file_checksum",
        "page_count",
        "word_count",
        "expires_at",
        "downloaded_count",
        "last_downloaded_at",
        "failed_at",
        "failure_reason",
        "error_log",
        "generation_notes",
        "download_link",
    ],
    "actions": [build_again],
}


class BookExportAdmin(ScopedAdmin):
    """Book exports: the owner's rows (superusers: all; other staff are scoped like everyone else)."""

    list_display = BOOK_EXPORT_ADMIN["list_display"]
    list_filter = BOOK_EXPORT_ADMIN["list_filter"]
    search_fields = BOOK_EXPORT_ADMIN["search_fields"]
    ordering = ["-created_at"]
    list_select_related = BOOK_EXPORT_ADMIN["list_select_related"]
    raw_id_fields = BOOK_EXPORT_ADMIN["raw_id_fields"]
    exclude = BOOK_EXPORT_ADMIN["exclude"]
    readonly_fields = BOOK_EXPORT_ADMIN["readonly_fields"]
    actions = BOOK_EXPORT_ADMIN["actions"]

    download_link = download_link

    def save_model(self, request, obj, form, change):
        """A new export goes through the service (approval, version, the task); changes are plain saves."""
        if change:
            obj.full_clean()
            return super().save_model(request, obj, form, change)
        created = exports.book_export_create(
            story=obj.story, export_format=obj.export_format, format_options=obj.format_options or {}
        )
        obj.pk = created.pk
        obj.refresh_from_db()
