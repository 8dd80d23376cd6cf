"""Recompute the listening rollups (listens per day and track, per 15-minute slot) from the listens."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from club.services.listens import listen_stats_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the rollups statistics read (club_listenday, club_listenslot) from the listens, one member per "
        "transaction (interrupt and run again at will). The database keeps them as listens change; this repairs "
        "them after a restore or a bulk edit that bypassed the triggers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", action="append", help="Username of a member to rebuild (repeatable).")

    def handle(self, *args, **options):
        user_ids = None
        if options["user"]:
            users = dict(get_user_model().objects.filter(username__in=options["user"]).values_list("username", "pk"))
            unknown = sorted(set(options["user"]) - set(users))
            if unknown:
                raise CommandError(f"No user named {', '.join(map(repr, unknown))}.")
            user_ids = list(users.values())
        with tqdm(desc="members", unit=" members", file=self.stderr, disable=options["verbosity"] == 0) as progress:
            done = listen_stats_rebuild(user_ids=user_ids, progress=progress.update)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the listening rollups of {done} member(s)."))
