"""Numbers of the club rules, in one place."""

from decimal import Decimal

#: Points a vote of each rank earns its nomination.
VOTE_POINTS = {1: 2, 2: 1}

#: Allowed rating values: 1.0 to 5.0 in half steps.
RATING_VALUES = [Decimal(n) / 2 for n in range(2, 11)]

#: ListenBrainz ``LISTEN_MINIMUM_TS``: 2002-10-01 UTC. Earlier listens are rejected.
LISTEN_MINIMUM_TS = 1033430400

#: Listens may lie at most this many seconds in the future (a scrobbler's clock running fast); later ones
#: are rejected, as they cannot be real (and far-off years do not fit a timestamp).
LISTEN_FUTURE_TOLERANCE_S = 24 * 60 * 60

#: A second listen of the same track by the same member within this many seconds is a duplicate (scrobblers
#: double-submit); ``settings.CLUB_DUPLICATE_TOLERANCE_S`` overrides it, 0 keeps only exact repeats out.
DUPLICATE_TOLERANCE_S = 30

#: Spotify plays shorter than this and skipped are dropped, as ListenBrainz does.
SPOTIFY_MIN_MS_PLAYED = 30_000

#: ``reason_end`` values that mark an interrupted Spotify play (ListenBrainz's list).
SPOTIFY_SKIP_REASONS = {
    None,
    "fwdbtn",
    "backbtn",
    "clickrow",
    "clickside",
    "endplay",
    "playbtn",
    "remote",
    "logout",
    "popup",
    "trackerror",
    "unexpected-exit",
    "unexpected-exit-while-paused",
    "unknown",
}

#: Feature names averaged into a taste profile (catalog.TrackFeatures columns).
TASTE_FEATURES = ["energy", "valence", "danceability", "tempo", "acousticness", "instrumentalness"]

#: How many compatible users and recommendations are kept per user.
RECOMMENDATION_NEIGHBOURS = 20
RECOMMENDATIONS_PER_USER = 20
