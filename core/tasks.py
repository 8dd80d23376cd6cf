"""Background tasks of the core app (procrastinate, on the project database)."""

from django.utils import timezone
from knox.models import get_token_model
from procrastinate.contrib.django import app


@app.periodic(cron="17 3 * * *", periodic_id="daily")
@app.task(name="core.purge_expired_tokens", queueing_lock="core.purge_expired_tokens")
def purge_expired_tokens(timestamp: int | None = None) -> int:
    """Delete API tokens past their expiry. Idempotent: a second run finds nothing to delete."""
    deleted, _ = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
