"""Re-encrypt every stored provider token with the newest key of ``CLUB_TOKEN_KEYS``."""

from django.core.management.base import BaseCommand
from django.db import transaction

from club.models import LinkedAccount


class Command(BaseCommand):
    help = (
        "Re-encrypt provider tokens with the first key of CLUB_TOKEN_KEYS. Rotation: prepend a new key, "
        "deploy, run this command, then remove the old key."
    )

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for account in LinkedAccount.objects.select_for_update().exclude(access_token=None, refresh_token=None):
                # Reading decrypts with any key; saving encrypts with the first one.
                account.save(update_fields=["access_token", "refresh_token", "updated_at"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the tokens of {count} linked account(s)."))
