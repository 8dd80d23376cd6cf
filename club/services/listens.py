"""Writes of listening history: submissions from scrobblers (``/1/submit-listens``), what is playing now, and
rebuilding the rollups statistics read.

Listens arrive through ``club.importers.base.ListenImporter`` (COPY batches, deduplicated on member, track and
time); the database triggers of ``ListenEvent`` keep the daily and 15-minute rollups (``ListenDay``,
``ListenSlot``) in the same transaction as every insert, delete or correction, whichever path made it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from club.choices import ListenEventSource
from club.models import ListenEvent, NowPlaying

PLAYING_NOW_DEFAULT_SECONDS = 10 * 60
LISTEN_NOT_YOURS = "Only the member whose listen this is may delete or correct it."
LISTEN_SAME_TRACK = "This listen already has this track."
LISTEN_ALREADY_STORED = "You already have a listen of this track at this time."

REBUILD_SQL = """
DELETE FROM club_listenday WHERE user_id = %(user)s;
DELETE FROM club_listenslot WHERE user_id = %(user)s;
INSERT INTO club_listenday (id, created_at, updated_at, user_id, track_id, day, listen_count)
SELECT gen_random_uuid(), now(), now(), user_id, track_id, (played_at AT TIME ZONE 'UTC')::date, count(*)
FROM club_listenevent WHERE user_id = %(user)s GROUP BY 4, 5, 6;
INSERT INTO club_listenslot (id, created_at, updated_at, user_id, slot_start, listen_count)
SELECT gen_random_uuid(), now(), now(), user_id,
       date_bin('15 minutes', played_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*)
FROM club_listenevent WHERE user_id = %(user)s GROUP BY 4, 5;
"""


@transaction.atomic
def listens_submit(*, user, listens: list[dict]):
    """Store ``user``'s submitted listens (ListenBrainz's ``single`` or ``import``, already checked by the caller's
    request rules) and queue their listening analysis after the commit. Returns the import summary."""
    from club.importers.base import ListenImporter
    from club.importers.listenbrainz import listen_row
    from club.tasks import queue_listening_analysis

    summary = ListenImporter(user=user, source=ListenEventSource.LISTENBRAINZ).run(listen_row(item) for item in listens)
    transaction.on_commit(lambda: queue_listening_analysis(user.pk))
    return summary


@transaction.atomic
def now_playing_set(*, user, track_metadata: dict) -> NowPlaying:
    """What ``user``'s scrobbler says is playing, until its duration (or ten minutes) has passed."""
    info = track_metadata.get("additional_info") or {}
    seconds = (info.get("duration_ms") or 0) // 1000 or info.get("duration") or PLAYING_NOW_DEFAULT_SECONDS
    playing, _created = NowPlaying.objects.update_or_create(
        user=user,
        defaults={
            "track_metadata": track_metadata,
            "expires_at": timezone.now() + datetime.timedelta(seconds=seconds),
        },
    )
    return playing


def listen_stats_rebuild(*, user_ids=None, progress: Callable[[int], None] | None = None) -> int:
    """Recompute the rollups of the given members (everyone with listens or rollups by default) from their listens.

    One transaction per member, so a rebuild can be interrupted and run again; ``progress(1)`` is called after
    each member. Returns the number of members rebuilt.
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef, Q

    from club.models import ListenDay

    users = get_user_model().objects.order_by("pk")
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    else:
        users = users.filter(
            Q(Exists(ListenEvent.objects.filter(user=OuterRef("pk"))))
            | Q(Exists(ListenDay.objects.filter(user=OuterRef("pk"))))
        )
    done = 0
    for user_id in users.values_list("pk", flat=True).iterator():
        with transaction.atomic(), connection.cursor() as cursor:
            # the member's listens are locked against writes while their rollups are recomputed
            cursor.execute("SELECT 1 FROM core_user WHERE id = %s FOR UPDATE", [user_id])
            cursor.execute(REBUILD_SQL, {"user": user_id})
        done += 1
        if progress is not None:
            progress(1)
    return done


def _require_own(*, listen: ListenEvent, actor) -> None:
    if actor is None or not (actor.pk == listen.user_id or actor.is_superuser):
        raise PermissionDenied(LISTEN_NOT_YOURS)


@transaction.atomic
def listen_delete(*, listen: ListenEvent, actor) -> None:
    """Delete one of ``actor``'s own listens; the rollups follow in this transaction (database triggers) and the
    audit history keeps the deleted row."""
    _require_own(listen=listen, actor=actor)
    listen.delete()


@transaction.atomic
def listen_correct(*, listen: ListenEvent, actor, track) -> ListenEvent:
    """Point one of ``actor``'s own listens at another track (a correction); the audit history records the old and
    new track, and the rollups move the listen from one track to the other in this transaction."""
    _require_own(listen=listen, actor=actor)
    listen = ListenEvent.objects.select_for_update().get(pk=listen.pk)
    if track.pk == listen.track_id:
        raise ValidationError({"track": LISTEN_SAME_TRACK}, code="unchanged")
    if ListenEvent.objects.filter(user_id=listen.user_id, track=track, played_at=listen.played_at).exists():
        raise ValidationError({"track": LISTEN_ALREADY_STORED}, code="unique")
    listen.track = track
    listen.full_clean(validate_constraints=False)  # a concurrent twin is stopped by the unique constraint (409)
    listen.save(update_fields=["track", "updated_at"])
    return listen
