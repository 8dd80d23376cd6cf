"""Compute taste profiles (in SQL, in one statement) for one member or everyone with listens."""

from tqdm import tqdm

from club.services.taste import taste_compute

from ._analysis import AnalysisCommand


class Command(AnalysisCommand):
    help = "Compute the all-time taste profile of one member (--user) or of every member with listens."

    def handle(self, *args, **options):
        members = self.members(options)
        with tqdm(total=len(members), desc="taste profiles", disable=options["verbosity"] == 0) as progress:
            count = taste_compute(user_ids=[m.pk for m in members] if options.get("user") else None)
            progress.update(len(members))
        self.stdout.write(self.style.SUCCESS(f"Computed {count} taste profile(s)."))
