"""``manage.py export_book STORY_ID --format epub|pdf|markdown|html --output PATH``: a book, synchronously."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from storyteller import books
from storyteller.services import books as book_services
from storyteller.models import Story


class Command(BaseCommand):
    help = (
        "Render a story as a book file now (no queue, no export row): the same approval rules as the API "
        "(no open blocking edit requirement, composition gate passed, some text)."
    )

    def add_arguments(self, parser):
        parser.add_argument("story_id", help="The story's id (UUID).")
        parser.add_argument("--format", dest="export_format", required=True, help="epub, pdf, markdown or html.")
        parser.add_argument("--output", required=True, help="The file to write (replaced only once complete).")
        parser.add_argument("--page-size", choices=("a5", "6x9"), default="a5", help="PDF page size.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, story_id, export_format, output, page_size, no_progress, **options):
        try:
            story = Story.objects.select_related("storyteller").get(pk=story_id)
        except (Story.DoesNotExist, ValidationError, ValueError) as exc:
            raise CommandError(f"No story with id {story_id}.") from exc
        try:
            render_options = book_services.book_export_validate_format(
                export_format=export_format, format_options={"page_size": page_size}
            )
            book_services.story_book_validate(story=story)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        book, warnings = book_services.story_book_build(story=story)
        bar = tqdm(total=len(book.chapters), unit="chapter", disable=no_progress, file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            result = books.render_book(book, export_format, Path(output), options=render_options, progress=progress)
        finally:
            bar.close()
        for warning in warnings + result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        pages = f", {result.page_count} pages" if result.page_count else ""
        facts = f"{result.size} bytes, {result.word_count} words{pages}, sha256 {result.checksum}"
        self.stdout.write(self.style.SUCCESS(f"Wrote {result.path} ({facts})."))
