from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.management.commands.ensure_superuser import known_passwords_allowed

PROJECT_APPS = ["core", "catalog", "amcs", "audio_vcs", "club", "storyteller"]


class Command(BaseCommand):
    help = "Load demo data (idempotent): each app's demo.seed(), core first. Development only (known passwords)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-known-passwords",
            action="store_true",
            dest="allow_known",
            help="Load the demo users (password 'demo-password') even outside DEBUG.",
        )

    def handle(self, *args, **options):
        if not known_passwords_allowed(options):
            raise CommandError(
                "The demo users have known passwords: seed_demo runs only with DEBUG on "
                "(or DJANGO_ALLOW_KNOWN_PASSWORDS=1, or --allow-known-passwords)."
            )
        for label in PROJECT_APPS:
            if not apps.is_installed(label) or find_spec(f"{label}.demo") is None:
                continue
            with transaction.atomic():
                import_module(f"{label}.demo").seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
