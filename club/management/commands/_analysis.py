"""Shared options of the compute_* commands: one member (--user) or everyone with listens."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from club.models import ListenEvent


class AnalysisCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--user", help="Username of one member (default: every member with listens).")

    def members(self, options):
        users = get_user_model().objects.order_by("username")
        if options.get("user"):
            found = list(users.filter(username=options["user"]))
            if not found:
                raise CommandError(f"No user named {options['user']!r}.")
            return found
        return list(users.filter(Exists(ListenEvent.objects.filter(user=OuterRef("pk")))))
