"""``manage.py audio_fsck``: re-hash every commit and every blob file and report any mismatch."""

from django.core.management.base import BaseCommand, CommandError

from audio_vcs.services.integrity import fsck


class Command(BaseCommand):
    help = (
        "Re-hash every commit from its stored content (parents' hashes, stems' blob hashes and types, message, "
        "author id, metadata, time) and every blob's file from storage against its SHA-256; list each mismatch "
        "and fail when there is one."
    )

    def handle(self, *args, **options):
        problems = fsck(progress=lambda line: self.stderr.write(line))
        for problem in problems:
            self.stdout.write(
                f"{problem['kind']} {problem['id']}: stored {problem['expected']}, computed {problem['actual']}"
            )
        if problems:
            raise CommandError(f"{len(problems)} mismatch(es).")
        self.stdout.write("audio_fsck: every commit and blob matches its hash.")
