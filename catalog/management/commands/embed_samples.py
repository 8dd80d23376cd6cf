from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalog.models import Sample
from catalog.services import sample_embed


class Command(BaseCommand):
    help = "Compute audio features and style embeddings for samples whose vectors are missing or stale."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Recompute every sample's vectors.")

    def handle(self, *args, all=False, **options):
        queryset = Sample.objects.all() if all else Sample.objects.missing_embeddings()
        ids = list(queryset.order_by("created_at").values_list("pk", flat=True))
        changed = 0
        for pk in tqdm(ids, desc="embedding", unit="sample", disable=options["verbosity"] < 1):
            sample = Sample.objects.filter(pk=pk).first()
            if sample is not None:
                changed += sample_embed(sample=sample, force=all)  # each sample commits on its own: resumable
        self.stdout.write(f"{changed} sample(s) embedded, {len(ids) - changed} already up to date")
