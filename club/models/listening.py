"""Listening history: listens and what a scrobbler says is playing now."""

from __future__ import annotations

import pghistory
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
