"""Compute album recommendations for one member or everyone with listens."""

from tqdm import tqdm

from club.services.taste import recommendations_compute

from ._analysis import AnalysisCommand


class Command(AnalysisCommand):
    help = "Recompute the recommendations of one member (--user) or of every member with listens."

    def handle(self, *args, **options):
        members = self.members(options)
        total = 0
        for member in tqdm(members, desc="recommendations", disable=options["verbosity"] == 0):
            total += len(recommendations_compute(user=member))
        self.stdout.write(self.style.SUCCESS(f"Stored {total} recommendation(s) for {len(members)} member(s)."))
