from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from catalog.importers import ImportFileError, parse_file, release_upsert


class Command(BaseCommand):
    help = (
        "Import albums and tracks from MusicBrainz release JSON (one release, or {'releases': [...]}) or a CSV with "
        "columns artist,album,year,track,position,duration. A file is validated whole first: one bad row and "
        "nothing of it is written. Re-importing a file changes nothing (upsert by MusicBrainz id)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        parsed = []
        for path in files:
            if not path.exists():
                raise CommandError(f"{path}: no such file")
            try:
                parsed.append((path, parse_file(path)))
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
        for path, releases in parsed:
            created = updated = tracks = 0
            with transaction.atomic():
                for release in tqdm(releases, desc=path.name, unit="album", disable=options["verbosity"] < 1):
                    _, was_created = release_upsert(release=release)
                    created += was_created
                    updated += not was_created
                    tracks += len(release.tracks)
            self.stdout.write(f"{path}: {created} album(s) created, {updated} updated, {tracks} track(s)")
