"""A ListenBrainz-compatible API (``/1/...``) so scrobblers and ``liblistenbrainz`` can use this server.

Authentication is ``Authorization: Token <token>`` with the member's API token (``POST /api/auth/token/``).
Payloads, limits and error bodies (``{"code": <status>, "error": "<message>"}``) follow ListenBrainz's API.
Submitted listens go through the same importer as export files (``club.importers``), so they are resolved
against the catalog, stored with COPY and deduplicated on (member, track, time).
"""

from __future__ import annotations

import datetime
import functools
import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from rest_framework.exceptions import AuthenticationFailed

from catalog.models import Album, Artist, Track
from club.constants import LISTEN_MINIMUM_TS
from club.importers.base import has_nul, latest_listen_ts
from club.importers.listenbrainz import recording_msid
from club.models import ListenEvent, NowPlaying
from club.services import stats
from club.services.listens import listens_submit, now_playing_set
from core.api import parsers
from core.api.authentication import TokenAuthentication

MAX_LISTENS_PER_REQUEST = 1000
MAX_LISTEN_SIZE = 10240
MAX_ITEMS_PER_GET = 1000
DEFAULT_ITEMS_PER_GET = 25
MAX_TAGS_PER_LISTEN = 50
MAX_TAG_SIZE = 64
MAX_DURATION_LIMIT = 24 * 24 * 60 * 60
LISTEN_TYPES = {"single", "playing_now", "import"}


@functools.cache
def field_limits() -> dict[str, int]:
    """The longest artist, track and release names the catalog stores; longer ones are refused, never cut."""
    return {
        "artist_name": Artist._meta.get_field("name").max_length,
        "track_name": Track._meta.get_field("title").max_length,
        "release_name": Album._meta.get_field("title").max_length,
    }


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": status, "error": message}, status=status)


def _key_user(key: str):
    """The active member whose API token ``key`` is, or None."""
    try:
        user, _token = TokenAuthentication().authenticate_credentials(key.strip().encode())
    except AuthenticationFailed:
        return None
    return user


def _token_user(request):
    """The member of the request's ``Authorization: Token <key>`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "token" or not key.strip():
        return None
    return _key_user(key)


@require_safe  # GET and HEAD, as ListenBrainz (Flask) answers both
def validate_token(request):
    """``GET /1/validate-token``: whether the token is valid and whose it is.

    The token comes in the ``Authorization`` header or, as ListenBrainz documents it, as ``?token=<key>``.
    """
    if request.headers.get("Authorization"):
        user = _token_user(request)
    elif request.GET.get("token", "").strip():
        user = _key_user(request.GET["token"])
    else:
        return error(400, "You need to provide an Authorization token.")
    if user is None:
        return JsonResponse({"code": 200, "message": "Token invalid.", "valid": False})
    return JsonResponse({"code": 200, "message": "Token valid.", "valid": True, "user_name": user.username})


def _check_listen(listen, listen_type: str) -> str | None:
    """ListenBrainz's validation of one submitted listen; the error message, or None."""
    if not isinstance(listen, dict):
        return "Listen must be a JSON object."
    if len(json.dumps(listen)) > MAX_LISTEN_SIZE:
        return f"Listen is too large: at most {MAX_LISTEN_SIZE} bytes."
    if has_nul(listen):
        return "Listen contains an unsupported null character (\\u0000)."
    meta = listen.get("track_metadata")
    if not isinstance(meta, dict):
        return "JSON document does not contain a valid track_metadata object."
    for key in ("artist_name", "track_name"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            return f"{key} must be a non-empty string in track_metadata."
    if meta.get("release_name") is not None and not isinstance(meta["release_name"], str):
        return "release_name must be a string in track_metadata."
    for key, limit in field_limits().items():
        if isinstance(meta.get(key), str) and len(meta[key].strip()) > limit:
            return f"{key} is too long: at most {limit} characters."
    info = meta.get("additional_info") or {}
    if not isinstance(info, dict):
        return "additional_info must be a JSON object."
    tags = info.get("tags") or []
    if not isinstance(tags, list) or len(tags) > MAX_TAGS_PER_LISTEN or any(len(str(t)) > MAX_TAG_SIZE for t in tags):
        return f"At most {MAX_TAGS_PER_LISTEN} tags of at most {MAX_TAG_SIZE} characters."
    for key in ("duration_ms", "duration"):
        if key in info:
            value = info[key]
            limit = MAX_DURATION_LIMIT * (1000 if key == "duration_ms" else 1)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= limit:
                return f"{key} must be a positive integer of at most 24 days."
    listened_at = listen.get("listened_at")
    if listen_type == "playing_now":
        if listened_at is not None:
            return "JSON document must not contain listened_at while submitting playing_now."
        return None
    if listened_at is None:
        return "JSON document must contain the key listened_at at the top level."
    if not isinstance(listened_at, int) or isinstance(listened_at, bool):
        return "JSON document must contain an int value for listened_at."
    if listened_at < LISTEN_MINIMUM_TS:
        return (
            "Value for key listened_at is too low. listened_at timestamp should be greater than "
            f"{LISTEN_MINIMUM_TS} (2002-10-01)."
        )
    if listened_at > latest_listen_ts():
        return "Value for key listened_at is too high: a listen cannot be more than a day in the future."
    return None


@csrf_exempt
@require_POST
def submit_listens(request):
    """``POST /1/submit-listens``: ``{"listen_type": "single"|"playing_now"|"import", "payload": [...]}``."""
    user = _token_user(request)
    if user is None:
        return error(401, "Invalid authorization token.")
    try:
        data = parsers.loads(request.body)  # at most settings.API_MAX_JSON_BYTES, as every API body
    except parsers.BodyTooLarge:
        return error(413, "Payload too large.")
    except parsers.UnsafeInput as problem:
        prefix = "Cannot parse JSON document" if problem.code == "parse_error" else "Invalid JSON document"
        return error(400, f"{prefix}: {problem}")
    if not isinstance(data, dict):
        return error(400, "Invalid JSON document submitted.")
    listen_type, payload = data.get("listen_type"), data.get("payload")
    if not isinstance(listen_type, str) or listen_type not in LISTEN_TYPES:  # a list or an object is no type either
        return error(400, "JSON document requires a valid listen_type key.")
    if not isinstance(payload, list) or not payload:
        return error(400, "JSON document does not contain any listens.")
    if listen_type != "import" and len(payload) != 1:
        return error(400, f"JSON document contains more than one listen for listen_type {listen_type}.")
    if len(payload) > MAX_LISTENS_PER_REQUEST:
        return error(400, f"Too many listens. You may not submit more than {MAX_LISTENS_PER_REQUEST} listens at once.")
    for listen in payload:
        problem = _check_listen(listen, listen_type)
        if problem:
            return error(400, problem)
    if listen_type == "playing_now":
        now_playing_set(user=user, track_metadata=payload[0]["track_metadata"])
    else:
        listens_submit(user=user, listens=payload)
    return JsonResponse({"status": "ok"})


def _member(name: str, viewer):
    """The active member called ``name`` if ``viewer`` may see their listening (core's ``visible_to``: themselves,
    a member of a club they share, a superuser); anyone else is "not found", as if they did not exist."""
    return get_user_model().objects.visible_to(viewer).filter(username=name, is_active=True).first()


def member_read(view):
    """A GET of one member's listening (``/1/user/<name>/...``): the caller's token (401 without one) and a member
    the caller may read (404 for anyone else); the view gets the member."""

    @require_safe
    @functools.wraps(view)
    def read(request, user_name: str):
        viewer = _token_user(request)
        if viewer is None:
            return error(401, "You need to provide a valid Authorization token.")
        user = _member(user_name, viewer)
        if user is None:
            return error(404, f"Cannot find user: {user_name}")
        return view(request, user)

    return read


def _int_param(request, name: str):
    value = request.GET.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"'{name}' should be a positive integer.") from None


def listen_payload(listen: ListenEvent, username: str) -> dict:
    """A stored listen in ListenBrainz's read-back shape."""
    track, album = listen.track, listen.track.album
    info = {key: value for key, value in listen.metadata.items() if key != "recording_msid"}
    if track.mbid:
        info["recording_mbid"] = str(track.mbid)
    if album.mbid:
        info["release_mbid"] = str(album.mbid)
    if track.spotify_id:
        info["spotify_id"] = f"https://open.spotify.com/track/{track.spotify_id}"
    if track.duration_ms:
        info["duration_ms"] = track.duration_ms
    mapping = None
    if track.mbid:
        mapping = {"recording_mbid": str(track.mbid), "recording_name": track.title}
        if album.mbid:
            mapping["release_mbid"] = str(album.mbid)
    return {
        "listened_at": int(listen.played_at.timestamp()),
        "inserted_at": int(listen.created_at.timestamp()),
        "recording_msid": listen.metadata.get("recording_msid")
        or recording_msid(track.artist_credit or album.artist.name, track.title, album.title),
        "user_name": username,
        "track_metadata": {
            "artist_name": track.artist_credit or album.artist.name,
            "track_name": track.title,
            "release_name": album.title,
            "additional_info": info,
            "mbid_mapping": mapping,
        },
    }


@member_read
def user_listens(request, user):
    """``GET /1/user/<name>/listens?count=&max_ts=&min_ts=``: the member's listens, newest first.

    Unlike ListenBrainz, where listens are public, the club is private: reads need the token of the member
    or of someone who shares a club with them; anyone else gets a 404.
    """
    try:
        count, max_ts, min_ts = (_int_param(request, name) for name in ("count", "max_ts", "min_ts"))
    except ValueError as problem:
        return error(400, str(problem))
    if max_ts is not None and min_ts is not None:
        return error(400, "You may only specify max_ts or min_ts, not both.")
    if count is not None and count < 0 or any(v is not None and v < 0 for v in (max_ts, min_ts)):
        return error(400, "Arguments must be positive integers.")
    count = min(MAX_ITEMS_PER_GET, DEFAULT_ITEMS_PER_GET if count is None else count)
    try:
        max_at, min_at = (
            None if ts is None else datetime.datetime.fromtimestamp(ts, datetime.UTC) for ts in (max_ts, min_ts)
        )
    except (OverflowError, OSError, ValueError):
        return error(400, "max_ts and min_ts must be Unix timestamps before the year 10000.")
    listens = ListenEvent.objects.filter(user=user).select_related("track__album__artist")
    if max_at is not None:
        listens = listens.filter(played_at__lt=max_at)
    if min_at is not None:
        listens = listens.filter(played_at__gt=min_at)
        rows = list(listens.order_by("played_at")[:count])[::-1]
    else:
        rows = list(listens.order_by("-played_at")[:count])
    latest = ListenEvent.objects.filter(user=user).order_by("-played_at").values_list("played_at", flat=True).first()
    return JsonResponse(
        {
            "payload": {
                "count": len(rows),
                "user_id": user.username,
                "latest_listen_ts": int(latest.timestamp()) if latest else 0,
                "listens": [listen_payload(listen, user.username) for listen in rows],
            }
        }
    )


@member_read
def playing_now(request, user):
    """``GET /1/user/<name>/playing-now``: the member's current track, if their scrobbler said so lately."""
    current = NowPlaying.objects.filter(user=user, expires_at__gt=timezone.now()).first()
    listens = [{"track_metadata": current.track_metadata, "playing_now": True}] if current else []
    return JsonResponse(
        {"payload": {"count": len(listens), "user_id": user.username, "playing_now": True, "listens": listens}}
    )


@member_read
def listen_count(request, user):
    """``GET /1/user/<name>/listen-count``: how many listens the member has (``liblistenbrainz``'s
    ``get_user_listen_count``); readable by whoever may read the member's listens, anyone else gets a 404."""
    return JsonResponse({"payload": {"count": ListenEvent.objects.filter(user=user).count()}})


MAX_STATS_COUNT = 100


def _stats_window(request):
    """The window of ``?range=`` (ListenBrainz's names, ``all_time`` by default) or ``?from=&to=`` (UTC days)."""
    return stats.stats_window(
        range_=request.GET.get("range") or None, from_=request.GET.get("from"), to=request.GET.get("to")
    )


def _refusal(problem: ValidationError, request) -> JsonResponse:
    """A service's refusal in ListenBrainz's error shape, naming the parameter (a range as ListenBrainz says it)."""
    field, messages = next(iter(problem.message_dict.items()))
    if field == "range" and request.GET.get("range") not in stats.RANGES:
        return error(400, f"Invalid range: {request.GET.get('range')}")
    return error(400, f"Invalid {field}: {' '.join(messages)}")


def _window_payload(user, window, now) -> dict:
    start, end = window.bounds()
    return {
        "user_id": user.username,
        "range": window.range,
        "from_ts": int(start.timestamp()) if start else 0,
        "to_ts": int(min(end, now).timestamp()) if end else int(now.timestamp()),
        "last_updated": int(now.timestamp()),
    }


def _mbids(value) -> list[str]:
    return [value] if value else []


def _entity_stats(entity: str):
    """``GET /1/stats/user/<name>/<entity>?count=&offset=&range=`` (or ``from``/``to``): the member's artists,
    releases or recordings by listens, most first (ties by name), read from the daily rollups.

    A member without listens in the range gets a 204, as from ListenBrainz. Readable by whoever may read the
    member's listens (404 otherwise).
    """

    def view(request, user):
        try:
            count, offset = (_int_param(request, name) for name in ("count", "offset"))
        except ValueError as problem:
            return error(400, str(problem))
        if any(value is not None and value < 0 for value in (count, offset)):
            return error(400, "Arguments must be positive integers.")
        count = min(MAX_STATS_COUNT, DEFAULT_ITEMS_PER_GET if count is None else count)
        offset = offset or 0
        try:
            window = _stats_window(request)
        except ValidationError as problem:
            return _refusal(problem, request)
        members = stats.stats_members(viewer=user, user=user)
        # an offset past the last row is an empty page (PostgreSQL's OFFSET would refuse one beyond a bigint)
        rows, total = stats.top_entities(
            user_ids=members, window=window, entity=entity, count=count, offset=min(offset, 2**62)
        )
        if total == 0:
            return HttpResponse(status=204)
        items = []
        for row in rows:
            if entity == "artists":
                item = {"artist_name": row["name"], "artist_mbid": row["mbid"], "artist_mbids": _mbids(row["mbid"])}
            elif entity == "releases":
                item = {
                    "release_name": row["name"],
                    "release_mbid": row["mbid"],
                    "artist_name": row["artist_name"],
                    "artist_mbids": _mbids(row["artist_mbid"]),
                }
            else:
                item = {
                    "track_name": row["name"],
                    "recording_mbid": row["mbid"],
                    "release_name": row["release_name"],
                    "release_mbid": row["release_mbid"],
                    "artist_name": row["artist_name"],
                    "artist_mbids": _mbids(row["artist_mbid"]),
                }
            items.append({**item, "listen_count": row["listen_count"]})
        payload = {
            entity: items,
            "count": len(items),
            f"total_{entity[:-1]}_count": total,
            "offset": offset,
            **_window_payload(user, window, timezone.now()),
        }
        return JsonResponse({"payload": payload})

    view.__name__ = f"user_{entity}"
    view.__doc__ = _entity_stats.__doc__
    return member_read(view)


user_artists = _entity_stats("artists")
user_releases = _entity_stats("releases")
user_recordings = _entity_stats("recordings")


@member_read
def user_listening_activity(request, user):
    """``GET /1/stats/user/<name>/listening-activity?range=``: listens per day, week, month or year of the range
    (ListenBrainz's step for each range), in the member's time zone; 204 without listens in the range."""
    try:
        window = _stats_window(request)
        tz = stats.member_time_zone(user, request.GET.get("tz"))
        members = stats.stats_members(viewer=user, user=user)
        buckets = stats.listening_activity(user_ids=members, window=window, tz=tz)
    except ValidationError as problem:
        return _refusal(problem, request)
    if not any(bucket["listen_count"] for bucket in buckets):
        return HttpResponse(status=204)
    payload = {"listening_activity": buckets, **_window_payload(user, window, timezone.now())}
    return JsonResponse({"payload": payload})


@member_read
def user_daily_activity(request, user):
    """``GET /1/stats/user/<name>/daily-activity?range=``: listens per weekday and hour, in the member's time zone
    (``?tz=`` to choose another); 204 without listens in the range."""
    try:
        window = _stats_window(request)
        tz = stats.member_time_zone(user, request.GET.get("tz"))
        members = stats.stats_members(viewer=user, user=user)
        heatmap = stats.daily_activity(user_ids=members, window=window, tz=tz)
    except ValidationError as problem:
        return _refusal(problem, request)
    if not any(cell["listen_count"] for cells in heatmap.values() for cell in cells):
        return HttpResponse(status=204)
    payload = {"daily_activity": heatmap, **_window_payload(user, window, timezone.now())}
    return JsonResponse({"payload": payload})
