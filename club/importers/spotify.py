"""Spotify Extended Streaming History: ``Streaming_History_Audio_*.json`` (or older ``endsong_*.json``) arrays.

``ts`` is when playback *ended*; a listen's time is its start, ``ts - ms_played``. Skipped like
ListenBrainz does: incognito plays, and plays under 30 s that were skipped or interrupted; podcast,
audiobook and video rows have no track and are skipped too.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

from club.constants import SPOTIFY_MIN_MS_PLAYED, SPOTIFY_SKIP_REASONS
from club.importers.base import ListenRow
from club.importers.files import open_members


def _wanted(name: str) -> bool:
    base = Path(name).name.lower()
    return base.endswith(".json") and ("audio" in base or "endsong" in base)


def stream_row(item: dict) -> ListenRow | str:
    if not isinstance(item, dict):
        return "malformed"
    if item.get("incognito_mode"):
        return "incognito"
    title, artist = item.get("master_metadata_track_name"), item.get("master_metadata_album_artist_name")
    if not title or not artist:
        return "not a music track"
    ms_played = item.get("ms_played") or 0
    if not isinstance(title, str) or not isinstance(artist, str) or not isinstance(ms_played, int):
        return "malformed"
    if ms_played < SPOTIFY_MIN_MS_PLAYED and (item.get("skipped") or item.get("reason_end") in SPOTIFY_SKIP_REASONS):
        return "skipped or interrupted"
    try:
        ended = datetime.datetime.strptime(item["ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except (KeyError, TypeError, ValueError):
        return "bad date"
    uri = item.get("spotify_track_uri")
    uri = uri if isinstance(uri, str) else ""
    track_id = uri.split(":")[2] if uri.count(":") == 2 else ""
    metadata = {"ms_played": ms_played, "music_service": "spotify.com"}
    if track_id:
        metadata["origin_url"] = f"https://open.spotify.com/track/{track_id}"
    return ListenRow(
        listened_at=int(ended.timestamp() - ms_played / 1000),
        artist=artist,
        title=title,
        album=album if isinstance(album := item.get("master_metadata_album_album_name"), str) else "",
        spotify_id=track_id,
        metadata=metadata,
    )


def parse(path) -> Iterator[ListenRow | str]:
    """Every play in a Spotify extended streaming history (ZIP, directory or one JSON file)."""
    for _, handle in open_members(path, _wanted):
        try:
            items = json.load(handle)
        except json.JSONDecodeError:
            yield "malformed"
            continue
        for item in items if isinstance(items, list) else []:
            yield stream_row(item)
