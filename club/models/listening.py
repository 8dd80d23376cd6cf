"""Listening history: listens and what a scrobbler says is playing now."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from club.choices import ListenEventSource
from club.models.querysets import MemberRowQuerySet
from core.models import BaseModel

USER = settings.AUTH_USER_MODEL


# Listening -------------------------------------------------------------------------------------


class ListenEventQuerySet(MemberRowQuerySet):
    def between(self, start=None, end=None) -> ListenEventQuerySet:
        queryset = self
        if start is not None:
            queryset = queryset.filter(played_at__gte=start)
        if end is not None:
            queryset = queryset.filter(played_at__lt=end)
        return queryset


# Rollups ---------------------------------------------------------------------------------------
# Statistics read these instead of the listens. Database triggers on club_listenevent keep them (see
# ROLLUP_TRIGGERS): every insert (COPY batches, submissions, the admin), delete (a member's own, a cascade)
# and change of a listen's member, track or time updates them in the same transaction, whichever path
# wrote. ``manage.py rebuild_listen_stats`` recomputes them from the listens. They are derived data, so no
# audit history is kept of them.

#: Width of a ``ListenSlot``: every time zone in use is offset from UTC by a multiple of 15 minutes, so a
#: slot lies within one local hour in every zone, DST included.
SLOT_MINUTES = 15

_ROLLUP_ADD = """
    INSERT INTO club_listenday (id, created_at, updated_at, user_id, track_id, day, listen_count)
    SELECT gen_random_uuid(), now(), now(), user_id, track_id, (played_at AT TIME ZONE 'UTC')::date, count(*)
    FROM {rows} GROUP BY 4, 5, 6 ORDER BY 4, 6, 5
    ON CONFLICT (user_id, day, track_id) DO UPDATE
    SET listen_count = club_listenday.listen_count + EXCLUDED.listen_count, updated_at = EXCLUDED.updated_at;
    INSERT INTO club_listenslot (id, created_at, updated_at, user_id, slot_start, listen_count)
    SELECT gen_random_uuid(), now(), now(), user_id,
           date_bin('{minutes} minutes', played_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*)
    FROM {rows} GROUP BY 4, 5 ORDER BY 4, 5
    ON CONFLICT (user_id, slot_start) DO UPDATE
    SET listen_count = club_listenslot.listen_count + EXCLUDED.listen_count, updated_at = EXCLUDED.updated_at;
"""
_ROLLUP_SUBTRACT = """
    WITH gone AS (
        SELECT user_id, track_id, (played_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
        FROM {rows} GROUP BY 1, 2, 3
    ), emptied AS (
        DELETE FROM club_listenday d USING gone g
        WHERE d.user_id = g.user_id AND d.day = g.day AND d.track_id = g.track_id AND d.listen_count <= g.n
    )
    UPDATE club_listenday d SET listen_count = d.listen_count - g.n, updated_at = now() FROM gone g
    WHERE d.user_id = g.user_id AND d.day = g.day AND d.track_id = g.track_id AND d.listen_count > g.n;
    WITH gone AS (
        SELECT user_id, date_bin('{minutes} minutes', played_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS slot,
               count(*) AS n
        FROM {rows} GROUP BY 1, 2
    ), emptied AS (
        DELETE FROM club_listenslot s USING gone g
        WHERE s.user_id = g.user_id AND s.slot_start = g.slot AND s.listen_count <= g.n
    )
    UPDATE club_listenslot s SET listen_count = s.listen_count - g.n, updated_at = now() FROM gone g
    WHERE s.user_id = g.user_id AND s.slot_start = g.slot AND s.listen_count > g.n;
"""


def _rollup_sql(*parts: tuple[str, str]) -> str:
    body = "".join(template.format(rows=rows, minutes=SLOT_MINUTES) for template, rows in parts)
    return body + "RETURN NULL;"


ROLLUP_TRIGGERS = [
    pgtrigger.Trigger(
        name="club_listen_rollup_insert",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_rows"),
        func=_rollup_sql((_ROLLUP_ADD, "new_rows")),
    ),
    pgtrigger.Trigger(
        name="club_listen_rollup_delete",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Delete,
        referencing=pgtrigger.Referencing(old="old_rows"),
        func=_rollup_sql((_ROLLUP_SUBTRACT, "old_rows")),
    ),
    # PostgreSQL allows no column list beside transition tables: the rows whose member, track or time did not
    # change are left out by the join below, so a metadata edit costs one comparison.
    pgtrigger.Trigger(
        name="club_listen_rollup_update",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Update,
        referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
        func=_rollup_sql(
            (
                _ROLLUP_SUBTRACT,
                "(SELECT o.* FROM old_rows o JOIN new_rows n USING (id) WHERE (o.user_id, o.track_id, o.played_at)"
                " IS DISTINCT FROM (n.user_id, n.track_id, n.played_at)) AS moved_old",
            ),
            (
                _ROLLUP_ADD,
                "(SELECT n.* FROM new_rows n JOIN old_rows o USING (id) WHERE (o.user_id, o.track_id, o.played_at)"
                " IS DISTINCT FROM (n.user_id, n.track_id, n.played_at)) AS moved_new",
            ),
        ),
    ),
    pgtrigger.Trigger(
        name="club_listen_rollup_truncate",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Truncate,
        # DELETE, not TRUNCATE: a TRUNCATE of several tables at once (a test flush) may list these as well
        func="DELETE FROM club_listenday; DELETE FROM club_listenslot; RETURN NULL;",
    ),
]


# Listens are append-only facts arriving by the million through COPY: an insert trigger would write
# every listen twice. The row itself (with created_at) is the record of its insert; changes and
# deletions are audited as for every other model.
@pghistory.track(pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ListenEvent(BaseModel):
    """One play of a track by a member at a moment (ListenBrainz's ``listened_at``: the start of playback)."""

    user = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        db_index=False,  # club_listen_user_page_idx and the unique play lead with the user
        related_name="listens",
        verbose_name=_("user"),
    )
    track = models.ForeignKey(
        "catalog.Track",
        on_delete=models.PROTECT,  # listening history is never lost to a catalog edit (docs/domain-map.md)
        related_name="listens",
        verbose_name=_("track"),
    )
    played_at = models.DateTimeField(verbose_name=_("played at"))
    source = models.CharField(max_length=20, choices=ListenEventSource.choices, verbose_name=_("source"))
    metadata = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("metadata"),
        help_text=_("What the source said beyond the track: client, MBIDs, ms played, origin URL."),
    )

    access_path = "user"

    objects = ListenEventQuerySet.as_manager()

    class Meta:
        ordering = ["-played_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "track", "played_at"],
                name="club_listenevent_unique_play",
                violation_error_message=_("This listen is already stored."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=ListenEventSource.values),
                name="club_listenevent_source_valid",
                violation_error_message=_("Unknown listen source."),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-played_at", "-id"], name="club_listen_user_page_idx"),
            # the order of the listens list and the key its cursor pages by (core.api.pagination.CursorPagination)
            models.Index(fields=["-played_at", "-id"], name="club_listen_played_id_idx"),
        ]
        triggers = ROLLUP_TRIGGERS
        verbose_name = _("listen")
        verbose_name_plural = _("listens")

    def __str__(self) -> str:
        return f"{self.track_id} at {self.played_at:%Y-%m-%d %H:%M}"


# A scrobbler's "playing now" is replaced at every submission: only its removal is worth an audit row.
@pghistory.track(pghistory.DeleteEvent())
class NowPlaying(BaseModel):
    """What a member's scrobbler last said is playing (ListenBrainz ``playing_now``), until ``expires_at``."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="now_playing", verbose_name=_("user"))
    track_metadata = models.JSONField(default=dict, blank=True, verbose_name=_("track metadata"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("now playing")
        verbose_name_plural = _("now playing")

    def __str__(self) -> str:
        metadata = self.track_metadata if isinstance(self.track_metadata, dict) else {}
        artist, track = metadata.get("artist_name"), metadata.get("track_name")
        return f"{artist if isinstance(artist, str) else '?'} - {track if isinstance(track, str) else '?'}"


class ListenDay(BaseModel):
    """How many times a member played a track on one UTC day: what top lists and activity charts read.

    Kept by the triggers of ``ListenEvent`` (see above); never written by the application itself.
    """

    user = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        db_index=False,  # the unique key leads with the user
        related_name="listen_days",
        verbose_name=_("user"),
    )
    track = models.ForeignKey(
        "catalog.Track",
        on_delete=models.PROTECT,  # as the listens it counts
        related_name="listen_days",
        verbose_name=_("track"),
    )
    day = models.DateField(verbose_name=_("day"), help_text=_("The UTC day of the listens."))
    listen_count = models.PositiveIntegerField(verbose_name=_("listen count"))

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "day", "track_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "track"],
                name="club_listenday_unique",
                violation_error_message=_("This member already has a count for this track on this day."),
            ),
            models.CheckConstraint(
                condition=Q(listen_count__gte=1),
                name="club_listenday_count_positive",
                violation_error_message=_("A day's count is at least 1."),
            ),
        ]
        verbose_name = _("listens of a day")
        verbose_name_plural = _("listens per day")

    def __str__(self) -> str:
        return f"{self.listen_count} x {self.track_id} on {self.day}"


class ListenSlot(BaseModel):
    """How many listens a member started in one 15-minute slot (UTC): what the weekday x hour heatmap reads, in
    the member's time zone. A daily rollup cannot say at which local hour a listen was, nor on which local day."""

    user = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        db_index=False,  # the unique key leads with the user
        related_name="listen_slots",
        verbose_name=_("user"),
    )
    slot_start = models.DateTimeField(verbose_name=_("slot start"))
    listen_count = models.PositiveIntegerField(verbose_name=_("listen count"))

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "slot_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "slot_start"],
                name="club_listenslot_unique",
                violation_error_message=_("This member already has a count for this slot."),
            ),
            models.CheckConstraint(
                condition=Q(listen_count__gte=1),
                name="club_listenslot_count_positive",
                violation_error_message=_("A slot's count is at least 1."),
            ),
        ]
        verbose_name = _("listens of a slot")
        verbose_name_plural = _("listens per slot")

    def __str__(self) -> str:
        return f"{self.listen_count} from {self.slot_start:%Y-%m-%d %H:%M}" if self.slot_start else "?"
