"""Compute pairwise compatibility for one member or everyone with listens."""

from tqdm import tqdm

from club.services.taste import compatibility_compute

from ._analysis import AnalysisCommand


class Command(AnalysisCommand):
    help = "Compute the compatibility of one member (--user) or of every member with listens with the others."

    def handle(self, *args, **options):
        members = self.members(options)
        pairs = 0
        for member in tqdm(members, desc="compatibility", disable=options["verbosity"] == 0):
            pairs += len(compatibility_compute(user=member))
        self.stdout.write(self.style.SUCCESS(f"Computed {pairs} pair(s) for {len(members)} member(s)."))
