"""Background tasks of the club (procrastinate): listening analysis after imports, closing due polls."""

from django.contrib.auth import get_user_model
from procrastinate.contrib.django import app

from club import services
from club.services import taste


@app.task(name="club.refresh_listening_analysis")
def refresh_listening_analysis(user_id: str) -> int:
    """Recompute a member's taste profile, compatibilities and recommendations. Idempotent.

    Returns the number of recommendations stored.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    taste.taste_compute(user_ids=[user.pk])
    taste.compatibility_compute(user=user)
    return len(taste.recommendations_compute(user=user))


@app.periodic(cron="*/5 * * * *", periodic_id="club-close-due-polls")
@app.task(name="club.close_due_polls", queueing_lock="club.close_due_polls")
def close_due_polls(timestamp: int | None = None) -> int:
    """Close every poll past its deadline (its tally's leader becomes the winner). Idempotent."""
    return len(services.weeks_close_due_polls())


def queue_listening_analysis(user_id) -> None:
    """Queue ``refresh_listening_analysis`` for a member unless a run for them is already waiting."""
    from procrastinate.exceptions import AlreadyEnqueued

    try:
        refresh_listening_analysis.configure(queueing_lock=f"club.refresh_listening_analysis:{user_id}").defer(
            user_id=str(user_id)
        )
    except AlreadyEnqueued:
        pass
