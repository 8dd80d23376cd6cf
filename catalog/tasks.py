"""Background jobs of the catalog."""

from procrastinate.contrib.django import app


@app.task(name="catalog.embed_sample", retry=3)
def embed_sample(sample_id: str) -> bool:
    """Compute a sample's vectors if they are missing or stale. Idempotent: a fresh sample is left alone."""
    from catalog.models import Sample
    from catalog.services import sample_embed

    sample = Sample.all_objects.filter(pk=sample_id).first()
    if sample is None:
        return False
    return sample_embed(sample=sample)


def schedule_embedding(sample_id: str) -> None:
    """Queue ``embed_sample`` once per sample: a second request while one is queued is a no-op."""
    from procrastinate.exceptions import AlreadyEnqueued

    try:
        embed_sample.configure(queueing_lock=f"catalog.embed_sample:{sample_id}").defer(sample_id=sample_id)
    except AlreadyEnqueued:
        pass
