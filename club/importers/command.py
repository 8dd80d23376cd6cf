"""The shared body of the ``import_*`` management commands."""

from __future__ import annotations

import zipfile

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from club.importers.base import BATCH_SIZE, ListenImporter


class ImportCommand(BaseCommand):
    """Import members' listens from export files; idempotent and resumable (run it again).

    Several exports may be given at once: they go through one importer, so batches fill up across files.
    """

    source = ""
    parser = None

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Exports: files, directories or ZIP archives.")
        parser.add_argument("--user", help="Username of the member whose listens these are.")
        parser.add_argument(
            "--no-create-tracks",
            action="store_true",
            help="Skip listens of tracks the catalog does not have instead of creating them.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--no-analysis", action="store_true", help="Do not queue taste, compatibility and recommendations."
        )

    def member_for(self, path: str, options):
        """The member an export belongs to: ``--user`` (formats that name their user may override this)."""
        if not options.get("user"):
            raise CommandError("--user is required for this format.")
        return self.member_named(options["user"])

    def member_named(self, username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error

    def handle(self, *args, **options):
        exports = [(path, self.member_for(path, options)) for path in options["paths"]]
        with tqdm(desc=f"{self.source} listens", unit=" rows", disable=options["verbosity"] == 0) as progress:
            importer = ListenImporter(
                source=self.source,
                create_tracks=not options["no_create_tracks"],
                batch_size=options["batch_size"],
                progress=progress,
            )
            for path, member in exports:
                try:
                    importer.feed(type(self).parser(path), user=member)
                except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as error:
                    # What was stored before stays (re-running resumes); say which file could not be read.
                    raise CommandError(f"{path}: cannot be read as a {self.source} export ({error}).") from error
            summary = importer.finish()
        if summary.imported and not options["no_analysis"]:
            from club.tasks import queue_listening_analysis

            for member_id in {member.pk for _, member in exports}:
                queue_listening_analysis(member_id)
        self.stdout.write(self.style.SUCCESS(f"{self.source}: {summary.as_text()}"))
