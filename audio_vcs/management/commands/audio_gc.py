"""``manage.py audio_gc [--dry-run] [--grace-hours N]``: remove stray blob files and unreferenced blobs."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from audio_vcs.constants import GC_GRACE_HOURS
from audio_vcs.services.integrity import garbage_collect


class Command(BaseCommand):
    help = (
        "Remove files no committed blob owns (staged uploads whose commit never came, files without a row) and "
        "blobs no stem or render references, once older than the grace period. --dry-run prints what it would remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, remove nothing.")
        parser.add_argument("--grace-hours", type=float, default=GC_GRACE_HOURS, help="Leave younger files alone.")

    def handle(self, *args, dry_run, grace_hours, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours is 0 or more.")
        report = garbage_collect(
            dry_run=dry_run, grace=timedelta(hours=grace_hours), progress=lambda line: self.stderr.write(line)
        )
        verb = "would remove" if dry_run else "removed"
        for name in report.stray_files:
            self.stdout.write(f"{verb} file {name}")
        for sha in report.blobs:
            self.stdout.write(f"{verb} blob {sha}")
        self.stdout.write(f"audio_gc: {verb} {len(report.stray_files)} file(s) and {len(report.blobs)} blob(s).")
