"""Background tasks of the storyteller (procrastinate): building book exports and expiring their files."""

from procrastinate.contrib.django import app

from storyteller.services import books as book_services
from storyteller.models import BookExport


@app.task(name="storyteller.build_book_export")
def build_book_export(export_id: str) -> str:
    """Build one queued export's file; returns the export's final status. Idempotent: a non-queued export is left."""
    export = BookExport.objects.filter(pk=export_id).first()
    if export is None or export.export_status != book_services.Status.QUEUED:
        return export.export_status if export else "missing"
    try:
        return book_services.book_export_generate(export=export).export_status
    except book_services.BookExportTransitionError:  # another worker took it first
        return BookExport.objects.values_list("export_status", flat=True).get(pk=export_id)


@app.periodic(cron="*/15 * * * *", periodic_id="storyteller-expire-book-exports")
@app.task(name="storyteller.expire_book_exports", queueing_lock="storyteller.expire_book_exports")
def expire_book_exports(timestamp: int | None = None) -> int:
    """Delete the files of exports past ``expires_at`` and mark them expired. Idempotent."""
    return book_services.book_exports_expire()
