import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Make sure a local superuser exists and print how to log in (DJANGO_SUPERUSER_USERNAME/PASSWORD)."

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if password is None:
            if not settings.DEBUG:
                raise CommandError("Set DJANGO_SUPERUSER_PASSWORD: no default password outside DEBUG.")
            password = "admin"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
            self.stdout.write(self.style.SUCCESS(f"Created superuser '{username}'."))
            shown = password
        else:
            shown = "(unchanged; the one you set)" if not user.check_password(password) else password
        self.stdout.write(f"Log in at http://127.0.0.1:8000/admin/ as '{username}' with password {shown}")
