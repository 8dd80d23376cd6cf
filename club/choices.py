"""Enumerations of the club app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkedAccountProvider(models.TextChoices):
    DISCORD = "discord", _("Discord")
    SPOTIFY = "spotify", _("Spotify")
    LASTFM = "lastfm", _("Last.fm")
    LISTENBRAINZ = "listenbrainz", _("ListenBrainz")


class ListenEventSource(models.TextChoices):
    SPOTIFY = "spotify", _("Spotify")
    LASTFM = "lastfm", _("Last.fm")
    LISTENBRAINZ = "listenbrainz", _("ListenBrainz")
    MANUAL = "manual", _("Manual")


class VoteRank(models.IntegerChoices):
    FIRST = 1, _("1st choice")
    SECOND = 2, _("2nd choice")


class WeekPhase(models.TextChoices):
    """Where a week stands, derived from its dates (see ``Week.phase_at``)."""

    NOMINATIONS = "nominations", _("Nominations open")
    POLL = "poll", _("Poll open")
    WINNER = "winner", _("Winner announced")
    RATINGS = "ratings", _("Ratings open")
