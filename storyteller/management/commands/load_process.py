from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from storyteller.process_loader import DEFAULT_PROCESS, process_load_file


class Command(BaseCommand):
    help = (
        "Load an Everbound process definition (versions, node types, nodes, edges, sections, prompts, prompt packs, "
        "scope types) from a JSON file checked against storyteller/schemas/process.schema.json. Idempotent. "
        "Without FILE, loads the canonical 11-phase Everbound process."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_PROCESS))

    def handle(self, *args, file, **options):
        try:
            counts = process_load_file(file)
        except (ValidationError, OSError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        summary = (
            ", ".join(f"{kind} {number}" for kind, number in sorted(counts.items()) if number) or "nothing changed"
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {file}: {summary}."))
