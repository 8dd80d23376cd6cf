from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

PROJECT_APPS = ["core", "catalog", "amcs", "audio_vcs", "club", "storyteller"]


class Command(BaseCommand):
    help = "Load demo data (idempotent): each app's demo.seed(), core first."

    def handle(self, *args, **options):
        for label in PROJECT_APPS:
            if not apps.is_installed(label) or find_spec(f"{label}.demo") is None:
                continue
            with transaction.atomic():
                import_module(f"{label}.demo").seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
