import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

#: Passwords the README or the demo data publish; anyone could log in with them.
PUBLISHED_PASSWORDS = {"admin", "demo-password"}
KNOWN_PASSWORD = (
    "Refusing to create a superuser with a known password outside DEBUG; set DJANGO_SUPERUSER_PASSWORD to a "
    "strong one (or pass --allow-known-passwords on a machine nobody else reaches)."
)


def is_known_password(password: str) -> bool:
    """Whether ``password`` is published (README, demo data) or on Django's list of common passwords."""
    if password.lower() in PUBLISHED_PASSWORDS:
        return True
    try:
        CommonPasswordValidator().validate(password)
    except ValidationError:
        return True
    return False


def known_passwords_allowed(options) -> bool:
    """Known passwords are for development: DEBUG, ``DJANGO_ALLOW_KNOWN_PASSWORDS`` or the command's flag."""
    return bool(settings.DEBUG or getattr(settings, "ALLOW_KNOWN_PASSWORDS", False) or options.get("allow_known"))


class Command(BaseCommand):
    help = "Make sure a local superuser exists and print how to log in (DJANGO_SUPERUSER_USERNAME/PASSWORD)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-known-passwords",
            action="store_true",
            dest="allow_known",
            help="Create the user even with a known password (admin, demo-password, a common one) outside DEBUG.",
        )

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        allowed = known_passwords_allowed(options)
        if password is None:
            if not allowed:
                raise CommandError("Set DJANGO_SUPERUSER_PASSWORD: no default password outside DEBUG.")
            password = "admin"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not allowed and is_known_password(password):
                raise CommandError(KNOWN_PASSWORD)
            User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
            self.stdout.write(self.style.SUCCESS(f"Created superuser '{username}'."))
            shown = password
        else:
            shown = "(unchanged; the one you set)" if not user.check_password(password) else password
        self.stdout.write(f"Log in at http://127.0.0.1:8000/admin/ as '{username}' with password {shown}")
