"""Re-encrypt every stored provider token with the newest key of ``CLUB_TOKEN_KEYS``."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from club.models import LinkedAccount

TOKEN_FIELDS = ["access_token", "refresh_token"]


class Command(BaseCommand):
    help = (
        "Re-encrypt provider tokens with the first key of CLUB_TOKEN_KEYS. Rotation: prepend a new key, "
        "deploy, run this command, then remove the old key."
    )

    def handle(self, *args, **options):
        count, unreadable = 0, []
        # The stored ciphertext, next to the decrypted value: a token no configured key opens reads as None,
        # and saving it would overwrite the ciphertext with NULL. Such accounts are left as they are.
        raw = {f"raw_{name}": Cast(name, output_field=TextField()) for name in TOKEN_FIELDS}
        with transaction.atomic():
            accounts = LinkedAccount.objects.select_for_update().exclude(access_token=None, refresh_token=None)
            for account in accounts.annotate(**raw):
                if any(getattr(account, name) is None and getattr(account, f"raw_{name}") for name in TOKEN_FIELDS):
                    unreadable.append(str(account.pk))
                    continue
                # Reading decrypts with any key; saving encrypts with the first one.
                account.save(update_fields=[*TOKEN_FIELDS, "updated_at"])
                count += 1
        if unreadable:
            self.stderr.write(
                f"Left {len(unreadable)} linked account(s) unchanged: no configured key decrypts their tokens "
                f"(keep the old key in CLUB_TOKEN_KEYS until they are re-encrypted): {', '.join(unreadable)}"
            )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the tokens of {count} linked account(s)."))
