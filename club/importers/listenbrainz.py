"""ListenBrainz exports: the ZIP of monthly ``listens/<YYYY>/<M>.jsonl`` files, and the older single JSON array.

Listens are also what the ListenBrainz-compatible API (``club.listenbrainz``) receives, so the mapping of
one listen's ``track_metadata`` lives here for both.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from pathlib import Path

from club.importers.base import ListenRow, parse_uuid
from club.importers.files import open_members

#: what is kept of an ``additional_info`` too large to keep whole
KEPT_INFO = ["recording_msid", "submission_client", "submission_client_version", "music_service", "origin_url", "isrc"]
#: ``additional_info`` is kept whole, as submitted, up to this many bytes of JSON (ListenBrainz's listen size)
MAX_ADDITIONAL_INFO_BYTES = 10240
#: namespace of the recording_msid this server derives for listens that come without one
MSID_NAMESPACE = uuid.UUID("0a4bd0e2-0c4e-4bd1-9d6e-7c3e0b4a1f52")


def recording_msid(artist: str, title: str, release: str = "") -> str:
    """A stable id for one distinct listen metadata (artist, track, release; case and outer spaces ignored).

    ListenBrainz's MessyBrainz gives every distinct submitted metadata such an id; listens that carry one
    keep it, the others get this one, so the same metadata always reads back with the same msid.
    """
    key = json.dumps([part.strip().casefold() for part in (artist, title, release or "")], ensure_ascii=False)
    return str(uuid.uuid5(MSID_NAMESPACE, key))


def _spotify_id(info: dict) -> str:
    value = info.get("spotify_id")
    return value.rstrip("/").rsplit("/", 1)[-1].split(":")[-1].split("?")[0] if isinstance(value, str) else ""


def _duration_ms(info: dict) -> int | None:
    """``duration_ms``, else ``duration`` (seconds), when it is a positive whole number."""
    for key, factor in (("duration_ms", 1), ("duration", 1000)):
        value = info.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value * factor
    return None


def parse_uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def listen_row(listen: dict) -> ListenRow | str:
    """One ListenBrainz listen (export or submission shape) as a row, or a skip reason."""
    if not isinstance(listen, dict):
        return "malformed"
    meta = listen.get("track_metadata")
    meta = meta if isinstance(meta, dict) else {}
    info = meta.get("additional_info")
    info = info if isinstance(info, dict) else {}
    mapping = meta.get("mbid_mapping")
    mapping = mapping if isinstance(mapping, dict) else {}
    artist, title = meta.get("artist_name"), meta.get("track_name")
    listened_at = listen.get("listened_at")
    if not isinstance(artist, str) or not isinstance(title, str) or not artist.strip() or not title.strip():
        return "no artist or title"
    if not isinstance(listened_at, int | float) or isinstance(listened_at, bool) or not math.isfinite(listened_at):
        return "no listened_at"
    artist_mbids = info.get("artist_mbids") or mapping.get("artist_mbids") or []
    release_name = meta.get("release_name")
    if len(json.dumps(info, ensure_ascii=False)) <= MAX_ADDITIONAL_INFO_BYTES:
        metadata = dict(info)
    else:
        metadata = {key: info[key] for key in KEPT_INFO if info.get(key)}
    msid = listen.get("recording_msid") or meta.get("recording_msid") or info.get("recording_msid")
    if not isinstance(msid, str) or parse_uuid_or_none(msid) is None:
        msid = recording_msid(artist, title, release_name if isinstance(release_name, str) else "")
    metadata["recording_msid"] = msid
    return ListenRow(
        listened_at=int(listened_at),
        artist=artist,
        title=title,
        album=release_name if isinstance(release_name, str) else "",
        recording_mbid=parse_uuid(info.get("recording_mbid") or mapping.get("recording_mbid")),
        release_mbid=parse_uuid(info.get("release_mbid") or mapping.get("release_mbid")),
        artist_mbid=parse_uuid(artist_mbids[0]) if isinstance(artist_mbids, list) and artist_mbids else None,
        spotify_id=_spotify_id(info),
        duration_ms=_duration_ms(info),
        metadata=metadata,
    )


def _wanted(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(".jsonl") or (lowered.endswith(".json") and Path(lowered).name not in {"user.json"})


def parse(path) -> Iterator[ListenRow | str]:
    """Every listen of a ListenBrainz export (ZIP, directory, ``.jsonl`` or legacy ``.json`` array)."""
    for name, handle in open_members(path, _wanted):
        if name.lower().endswith(".jsonl"):
            if Path(name).name in {"feedback.jsonl", "pinned_recording.jsonl"}:
                continue
            for line in handle:
                if not line.strip():
                    continue
                try:
                    yield listen_row(json.loads(line))
                except json.JSONDecodeError:
                    yield "malformed"
        else:
            try:
                listens = json.load(handle)
            except json.JSONDecodeError:
                yield "malformed"
                continue
            if isinstance(listens, dict):
                listens = (listens.get("payload") or {}).get("listens") or []
            for listen in listens if isinstance(listens, list) else []:
                yield listen_row(listen)


def export_username(path) -> str | None:
    """The ListenBrainz user name an export's ``user.json`` names, if it has one."""
    for _, handle in open_members(path, lambda name: Path(name).name == "user.json"):
        try:
            data = json.load(handle)
        except json.JSONDecodeError:
            return None
        return data.get("username") if isinstance(data, dict) else None
    return None
