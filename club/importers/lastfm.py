"""Last.fm scrobble CSVs in the two common shapes.

1. lastfm.ghan.nl "Recent Tracks" export, with a header: ``uts,utc_time,artist,artist_mbid,album,album_mbid,
   track,track_mbid``. ``uts`` (Unix seconds) is trusted; ``utc_time`` is display text.
2. benjaminbenben lastfm-to-csv, no header, 4 columns: ``artist,album,track,date`` with dates like
   ``22 Mar 2022 17:55`` (UTC).

Last.fm's MBIDs are kept in the metadata but not trusted as recording ids (as ListenBrainz does).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator

from club.importers.base import ListenRow
from club.importers.files import open_members


def _benben_time(text: str) -> int | None:
    for pattern in ("%d %b %Y %H:%M", "%d %b %Y, %H:%M"):
        try:
            return int(datetime.datetime.strptime(text.strip(), pattern).replace(tzinfo=datetime.UTC).timestamp())
        except ValueError:
            continue
    return None


def _row(artist, album, title, listened_at, metadata) -> ListenRow | str:
    if listened_at is None:
        return "bad date"
    if not (artist or "").strip() or not (title or "").strip():
        return "no artist or title"
    return ListenRow(listened_at=listened_at, artist=artist, title=title, album=album or "", metadata=metadata)


def parse(path) -> Iterator[ListenRow | str]:
    """Every scrobble of a Last.fm CSV (or of every ``.csv`` in a directory or ZIP)."""
    for _, handle in open_members(path, lambda name: name.lower().endswith(".csv")):
        reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
        header = None
        for record in reader:
            if not record or not any(cell.strip() for cell in record):
                continue
            if header is None and record[0].strip().lower() == "uts":
                header = [cell.strip().lower() for cell in record]
                continue
            if header is not None:
                data = dict(zip(header, record, strict=False))
                try:
                    listened_at = int(float(data.get("uts", "")))
                except ValueError:
                    listened_at = None
                metadata = {
                    f"lastfm_{kind}_mbid": data[f"{kind}_mbid"]
                    for kind in ("artist", "album", "track")
                    if data.get(f"{kind}_mbid")
                }
                yield _row(data.get("artist"), data.get("album"), data.get("track"), listened_at, metadata)
            elif len(record) >= 4:
                yield _row(record[0], record[1], record[2], _benben_time(record[3]), {})
            else:
                yield "malformed"
