"""What club's fields may hold (see ``core.field_rules``): JSON schemas, whom the user fields name, links.

``NowPlaying.track_metadata`` is served as is by ``/1/user/<name>/playing-now``: it has the shape ListenBrainz
clients read (``artist_name`` and ``track_name`` strings, an ``additional_info`` object), whoever wrote it.
"""

from club.models import (
    ClubMembership,
    Compatibility,
    Follow,
    ListenEvent,
    Nomination,
    NowPlaying,
    Rating,
    TasteProfile,
    Vote,
)
from core.field_rules import (
    ANY_OBJECT,
    NUMBER,
    STRING,
    external_link,
    json_schema,
    list_of,
    object_of,
    on_behalf,
    subject_user,
)

NON_EMPTY_STRING = {"type": "string", "minLength": 1}

TRACK_METADATA = {
    "type": "object",
    "properties": {
        "artist_name": NON_EMPTY_STRING,
        "track_name": NON_EMPTY_STRING,
        "release_name": {"type": ["string", "null"]},
        "additional_info": ANY_OBJECT,
    },
    # empty (nothing playing yet) or a track ListenBrainz clients can show
    "if": {"minProperties": 1},
    "then": {"required": ["artist_name", "track_name"]},
}

json_schema(NowPlaying, "track_metadata", TRACK_METADATA, "a ListenBrainz track_metadata object")
json_schema(ListenEvent, "metadata", ANY_OBJECT, "the listen's additional_info as the client sent it")
json_schema(TasteProfile, "genre_histogram", object_of(NUMBER), "share of listens by genre")
json_schema(TasteProfile, "feature_means", object_of(NUMBER), "mean of each audio feature")
json_schema(TasteProfile, "time_of_day_histogram", list_of(NUMBER), "listens by hour of the day")
json_schema(
    TasteProfile,
    "top_artists",
    list_of({"type": "object", "required": ["id", "name"], "properties": {"name": STRING}}),
    "the member's top artists, id and name",
)
json_schema(Compatibility, "details", ANY_OBJECT, "the parts of the score")

subject_user(ClubMembership, "user", "the member a club's owner adds")
subject_user(Follow, "followee", "the member followed (the follower is the acting person)")
subject_user(Compatibility, "user_b", "the other member of the pair (computed by the server)")

for model in (Nomination, Vote, Rating):
    on_behalf(model, "user", "club staff enter nominations, votes and ratings for members who gave them in person")

external_link(Nomination, "pitch_track_url", "a link shown to club members; the server never fetches it")
