"""The shared body of the ``import_*`` management commands."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from club.importers.base import BATCH_SIZE, ListenImporter


class ImportCommand(BaseCommand):
    """Import one member's listens from an export file; idempotent and resumable (run it again)."""

    source = ""
    parser = None

    def add_arguments(self, parser):
        parser.add_argument("path", help="The export: a file, a directory or a ZIP archive.")
        parser.add_argument("--user", required=True, help="Username of the member whose listens these are.")
        parser.add_argument(
            "--no-create-tracks",
            action="store_true",
            help="Skip listens of tracks the catalog does not have instead of creating them.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--no-analysis", action="store_true", help="Do not queue taste, compatibility and recommendations."
        )

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {options['user']!r}.") from error
        with tqdm(desc=f"{self.source} listens", unit=" rows", disable=options["verbosity"] == 0) as progress:
            try:
                summary = ListenImporter(
                    user=user,
                    source=self.source,
                    create_tracks=not options["no_create_tracks"],
                    batch_size=options["batch_size"],
                    progress=progress,
                ).run(type(self).parser(options["path"]))
            except FileNotFoundError as error:
                raise CommandError(str(error)) from error
        if summary.imported and not options["no_analysis"]:
            from club.tasks import queue_listening_analysis

            queue_listening_analysis(user.pk)
        self.stdout.write(self.style.SUCCESS(f"{self.source}: {summary.as_text()}"))
        return None
