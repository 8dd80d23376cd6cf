"""The listen importer every format shares: resolve tracks, then COPY rows in and keep the new ones.

Parsers (``club.importers.listenbrainz``, ``lastfm``, ``spotify``) turn a file into ``ListenRow`` objects,
or into a skip reason (a string) for rows the format's rules drop. ``ListenImporter`` takes them in
batches: each batch resolves its tracks against the catalog (MusicBrainz recording id, then Spotify id,
then normalised artist/album/title; tracks are created when missing), is written with PostgreSQL
``COPY`` into a temporary staging table, and moves into ``club_listenevent`` with
``INSERT ... ON CONFLICT DO NOTHING``. Each batch commits on its own, so an interrupted import is
resumed by running it again: what was stored comes back as duplicates and only the rest is added.
"""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Func, Value
from django.db.models.functions import Lower, Trim

from catalog.models import Album, Artist, Track
from club.constants import LISTEN_FUTURE_TOLERANCE_S, LISTEN_MINIMUM_TS

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
BATCH_SIZE = 20_000

STAGING_SQL = """
CREATE TEMP TABLE IF NOT EXISTS club_listen_staging (
    user_id uuid, track_id uuid, listened_at double precision, source text, metadata jsonb
) ON COMMIT DELETE ROWS
"""
MOVE_SQL = """
INSERT INTO club_listenevent (id, created_at, updated_at, user_id, track_id, played_at, source, metadata)
SELECT gen_random_uuid(), now(), now(), user_id, track_id, to_timestamp(listened_at), source, metadata
FROM club_listen_staging
ON CONFLICT (user_id, track_id, played_at) DO NOTHING
"""


@functools.lru_cache(maxsize=65536)
def normalise(text: str | None) -> str:
    """Case- and whitespace-insensitive form of a name, for matching."""
    return " ".join((text or "").casefold().split())


@functools.lru_cache(maxsize=65536)
def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def parse_uuid(value) -> uuid.UUID | None:
    """A UUID from text (exports repeat the same MBIDs, so parses are cached), or None."""
    return _uuid(str(value)) if value else None


def latest_listen_ts() -> float:
    """The latest acceptable ``listened_at``: now, plus the tolerance for a clock running fast."""
    return time.time() + LISTEN_FUTURE_TOLERANCE_S


def has_nul(value) -> bool:
    """Whether a text, or any text inside a JSON-like value, holds a NUL character (PostgreSQL stores none)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


@dataclass(slots=True)
class ListenRow:
    """One listen as a file states it (``listened_at`` in Unix seconds, the start of playback)."""

    listened_at: float
    artist: str
    title: str
    album: str = ""
    recording_mbid: uuid.UUID | None = None
    release_mbid: uuid.UUID | None = None
    artist_mbid: uuid.UUID | None = None
    spotify_id: str = ""
    duration_ms: int | None = None
    metadata: dict = field(default_factory=dict)

    def key(self) -> tuple:
        return (
            self.recording_mbid,
            self.spotify_id,
            normalise(self.artist),
            normalise(self.album),
            normalise(self.title),
        )


@dataclass
class ImportSummary:
    """What an import did. ``unmatched`` listens named a track the catalog did not have (it was created,
    or, with ``create_tracks=False``, the listen was skipped)."""

    read: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    unmatched: int = 0
    created_tracks: int = 0
    skip_reasons: dict = field(default_factory=dict)

    def as_text(self) -> str:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skip_reasons.items()))
        return (
            f"read {self.read}, imported {self.imported}, duplicates {self.duplicates}, skipped {self.skipped}"
            f"{f' ({reasons})' if reasons else ''}, unmatched {self.unmatched} (tracks created: {self.created_tracks})"
        )


class TrackResolver:
    """Finds catalog tracks for listen rows, in bulk, and creates the missing ones."""

    def __init__(self, *, create: bool = True):
        self.create = create
        self.cache: dict[tuple, uuid.UUID | None] = {}
        self.unmatched: set[tuple] = set()
        self.created = 0

    def resolve(self, rows: list[ListenRow], keys: list[tuple] | None = None) -> dict[tuple, uuid.UUID | None]:
        """Map every row's key to a track id (None when unmatched and not created). Keys that matched
        nothing in the catalog are remembered in ``unmatched``."""
        keys = keys if keys is not None else [row.key() for row in rows]
        cache = self.cache
        missing = {key: row for key, row in zip(keys, rows, strict=True) if key not in cache}
        unmatched = self.unmatched
        if missing:
            found = self._lookup(list(missing.values()))
            for key, row in missing.items():
                if key in found:
                    self.cache[key] = found[key]
                else:
                    unmatched.add(key)
                    self.cache[key] = self._create(row) if self.create else None
        return self.cache

    def _lookup(self, rows: list[ListenRow]) -> dict[tuple, uuid.UUID]:
        found: dict[tuple, uuid.UUID] = {}
        mbids = {row.recording_mbid for row in rows if row.recording_mbid}
        by_mbid = dict(Track.objects.filter(mbid__in=mbids).values_list("mbid", "id")) if mbids else {}
        spotify_ids = {row.spotify_id for row in rows if row.spotify_id}
        by_spotify = (
            dict(Track.objects.filter(spotify_id__in=spotify_ids).values_list("spotify_id", "id"))
            if spotify_ids
            else {}
        )
        titles = {normalise(row.title) for row in rows}
        by_name: dict[tuple, uuid.UUID] = {}
        by_artist_title: dict[tuple, uuid.UUID] = {}
        candidates = (
            Track.objects.annotate(
                normal_title=Func(
                    Lower(Trim("title")), Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace"
                )
            )
            .filter(normal_title__in=titles)
            .values_list("id", "title", "artist_credit", "album__title", "album__artist__name")
            .order_by("created_at", "id")
        )
        for pk, title, credit, album_title, album_artist in candidates:
            for artist in {normalise(credit), normalise(album_artist)} - {""}:
                by_name.setdefault((artist, normalise(album_title), normalise(title)), pk)
                by_artist_title.setdefault((artist, normalise(title)), pk)
        for row in rows:
            key = row.key()
            _, _, artist, album, title = key
            pk = (
                by_mbid.get(row.recording_mbid)
                or by_spotify.get(row.spotify_id)
                or by_name.get((artist, album, title))
                or (by_artist_title.get((artist, title)) if not album else None)
            )
            if pk:
                found[key] = pk
        return found

    def _create(self, row: ListenRow) -> uuid.UUID | None:
        if not row.artist.strip() or not row.title.strip():
            return None
        artist = Artist.objects.filter(mbid=row.artist_mbid).first() if row.artist_mbid else None
        artist = artist or Artist.objects.filter(name__iexact=row.artist.strip()[:255]).order_by("created_at").first()
        if artist is None:
            artist = Artist.objects.create(
                name=row.artist.strip()[:255],
                mbid=row.artist_mbid
                if row.artist_mbid and not Artist.objects.filter(mbid=row.artist_mbid).exists()
                else None,
            )
        album_title = row.album.strip()[:255] or "[unknown album]"
        album = Album.objects.filter(mbid=row.release_mbid).first() if row.release_mbid else None
        album = album or Album.objects.filter(artist=artist, title__iexact=album_title).order_by("created_at").first()
        if album is None:
            album = Album.objects.create(artist=artist, title=album_title, mbid=row.release_mbid)
        track = Track.objects.create(
            album=album,
            title=row.title.strip()[:255],
            artist_credit=row.artist.strip()[:500],
            duration_ms=row.duration_ms if row.duration_ms and row.duration_ms > 0 else None,
            mbid=row.recording_mbid,
            spotify_id=row.spotify_id if SPOTIFY_ID.match(row.spotify_id or "") else "",
        )
        track.artists.set([artist])
        self.created += 1
        return track.pk


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class ListenImporter:
    """Stores listens from any parser in COPY batches; see the module docstring.

    ``run(items)`` imports one member's export (``user``). To import several members' exports in one go
    (a club's worth of files), call ``feed(items, user=...)`` per export and ``finish()`` at the end:
    batches then fill up across members instead of ending with each file.
    """

    def __init__(
        self,
        *,
        user=None,
        source: str,
        create_tracks: bool = True,
        batch_size: int = BATCH_SIZE,
        progress=None,
        resolver: TrackResolver | None = None,
    ):
        self.user = user
        self.source = source
        self.batch_size = batch_size
        self.resolver = resolver or TrackResolver(create=create_tracks)
        self.summary = ImportSummary()
        self.progress = progress
        self._batch: list[tuple[str, ListenRow]] = []

    def run(self, items: Iterable[ListenRow | str]) -> ImportSummary:
        """Import every item for ``self.user`` and return the summary."""
        self.feed(items, user=self.user)
        return self.finish()

    def feed(self, items: Iterable[ListenRow | str], *, user) -> None:
        """Queue ``user``'s items; full batches are stored as they fill."""
        user_id = str(user.pk)
        batch, summary, progress = self._batch, self.summary, self.progress
        latest = latest_listen_ts()
        for item in items:
            summary.read += 1
            if progress is not None:
                progress.update(1)
            if isinstance(item, str):
                self._skip(item)
                continue
            if item.listened_at < LISTEN_MINIMUM_TS:
                self._skip("before 2002-10-01")
                continue
            if item.listened_at > latest:
                self._skip("in the future")
                continue
            if "\x00" in item.artist or "\x00" in item.title or "\x00" in item.album:
                self._skip("malformed")
                continue
            batch.append((user_id, item))
            if len(batch) >= self.batch_size:
                self._store(batch)
                batch.clear()

    def finish(self) -> ImportSummary:
        """Store what is left and return the summary."""
        if self._batch:
            self._store(self._batch)
            self._batch.clear()
        self.summary.created_tracks = self.resolver.created
        return self.summary

    def _skip(self, reason: str) -> None:
        self.summary.skipped += 1
        self.summary.skip_reasons[reason] = self.summary.skip_reasons.get(reason, 0) + 1

    @transaction.atomic
    def _store(self, batch: list[tuple[str, ListenRow]]) -> None:
        rows = [row for _, row in batch]
        keys = [row.key() for row in rows]
        tracks = self.resolver.resolve(rows, keys)
        unmatched = self.resolver.unmatched
        source = self.source
        lines = []
        for (user_id, row), key in zip(batch, keys, strict=True):
            metadata = json.dumps(row.metadata, separators=(",", ":")) if row.metadata else "{}"
            if "\\u0000" in metadata and has_nul(row.metadata):
                self._skip("malformed")
                continue
            if key in unmatched:
                self.summary.unmatched += 1
            track_id = tracks.get(key)
            if track_id is None:
                self._skip("not in the catalog" if not self.resolver.create else "no artist or title")
                continue
            metadata = _copy_text(metadata)
            lines.append(f"{user_id}\t{track_id}\t{row.listened_at!r}\t{source}\t{metadata}\n")
        with connection.cursor() as cursor:
            # A batch lost to a crash right after its commit is simply imported again on the next run
            # (imports are idempotent), so the batch need not wait for its WAL flush.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(STAGING_SQL)
            with cursor.copy(
                "COPY club_listen_staging (user_id, track_id, listened_at, source, metadata) FROM STDIN"
            ) as copy:
                for start in range(0, len(lines), 5000):
                    copy.write("".join(lines[start : start + 5000]))
            cursor.execute(MOVE_SQL)
            imported = cursor.rowcount
            cursor.execute("TRUNCATE club_listen_staging")  # also when an outer transaction spans batches
        self.summary.imported += imported
        self.summary.duplicates += len(lines) - imported
