"""``import_amcs``: AMCS documents of any kind (SDS, blueprint, persona, source, style, lyrics, producer notes)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from amcs.documents import KINDS
from amcs.management.commands._sds import get_tenant, read_document, report
from amcs.models import Song
from amcs.services import detect_kind, document_import, sds_import


def json_files(paths: list[str]) -> list[str]:
    """The files named and the ``*.json`` files under the folders named, each once, folders' files sorted."""
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(str(item) for item in path.rglob("*.json") if item.is_file())
        else:
            found.append(name)
    return list(dict.fromkeys(found))


class Command(BaseCommand):
    help = (
        "Import AMCS documents written for the reference system or exported here: a folder or files of any kind "
        "(SDS, blueprint, persona, source, style, lyrics, producer notes; the kind is found by its schema). "
        "Blueprints, sources and personas go first, then styles, then songs, then lyrics and producer notes; each "
        "file in its own transaction. A blueprint, persona or source the tenant already has with the same values "
        "is reused. Errors are printed with file and JSON pointer; exit status 1 when any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders (their *.json files).")
        parser.add_argument("--tenant", required=True, help="Slug of the tenant to import into.")
        parser.add_argument("--owner", required=True, help="Username of the owner of the new rows.")
        parser.add_argument("--song", help="Id of the song lyrics and producer notes documents go to.")
        parser.add_argument(
            "--map-persona",
            action="append",
            default=[],
            metavar="REFERENCE_ID=NAME",
            help="An SDS persona_id of another system means this tenant's persona of that name (repeatable).",
        )

    def handle(self, *args, paths, tenant, owner, song=None, map_persona=(), **options):
        tenant = get_tenant(tenant)
        try:
            owner = get_user_model().objects.get(username=owner)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user '{owner}'.") from error
        persona_names = {}
        for mapping in map_persona:
            ref, sep, name = mapping.partition("=")
            if not sep or not ref.strip() or not name.strip():
                raise CommandError(f"Write --map-persona as REFERENCE_ID=NAME, not '{mapping}'.")
            persona_names[ref.strip()] = name.strip()
        target = None
        if song:
            try:
                target = Song.objects.get(pk=song, tenant=tenant)
            except (Song.DoesNotExist, ValidationError) as error:
                raise CommandError(f"This tenant has no song {song}.") from error
        files = json_files(paths)
        queue, failed = self.read(files)
        queue.sort(key=lambda item: KINDS.index(item[1]))
        counts: Counter = Counter()
        warnings = 0
        with tqdm(total=len(queue), desc="AMCS documents", unit="doc", disable=options["verbosity"] == 0) as bar:
            for path, kind, document in queue:
                try:
                    if kind == "sds":
                        row = sds_import(document=document, tenant=tenant, owner=owner, persona_names=persona_names)
                        counts["sds created"] += 1
                    else:
                        row = document_import(kind=kind, document=document, tenant=tenant, owner=owner, song=target)
                        counts[f"{kind} {'created' if row.was_created else 'unchanged'}"] += 1
                        warnings += self.warn(path, row.warnings)
                except ValidationError as error:
                    failed += 1
                    report(self, path, _problems(error))
                bar.update(1)
        summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "nothing imported"
        self.stdout.write(
            f"{len(files)} file(s): {summary}; {warnings} warning(s); {failed} failed.",
        )
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) not imported.", returncode=1)

    def read(self, files: list[str]) -> tuple[list[tuple[str, str, dict]], int]:
        """The documents with their kinds; files that are not JSON or fit no schema are reported."""
        queue, failed = [], 0
        for path in files:
            document, errors = read_document(path)
            kind = None
            if not errors:
                kind, errors = detect_kind(document)
                if errors:
                    errors = [{"pointer": p or "/", "message": m} for p, m in errors]
                    errors.insert(0, {"pointer": "/", "message": f"fits no AMCS schema; closest is {kind}:"})
            if errors:
                failed += 1
                report(self, path, errors)
                continue
            queue.append((path, kind, document))
        return queue, failed

    def warn(self, path: str, warnings: list[dict]) -> int:
        for warning in warnings or []:
            self.stdout.write(f"{path}: warning: {warning['pointer']}: {warning['message']}")
        return len(warnings or [])


def _problems(error: ValidationError) -> list[dict]:
    return [
        {"pointer": pointer, "message": message}
        for pointer, messages in error.message_dict.items()
        for message in messages
    ]
