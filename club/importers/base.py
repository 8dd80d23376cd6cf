"""The listen importer every format shares: resolve tracks, then COPY rows in and keep the new ones.

Parsers (``club.importers.listenbrainz``, ``lastfm``, ``spotify``) turn a file into ``ListenRow`` objects,
or into a skip reason (a string) for rows the format's rules drop. ``ListenImporter`` takes them in
batches: each batch resolves its tracks against the catalog (MusicBrainz recording id, then Spotify id,
then normalised artist/album/title; tracks are created when missing), is written with PostgreSQL
``COPY`` into a temporary staging table, and moves into ``club_listenevent`` with
``INSERT ... ON CONFLICT DO NOTHING``, leaving out duplicates: a listen of the same track by the same member
within ``CLUB_DUPLICATE_TOLERANCE_S`` seconds (30 by default) of one stored or one earlier in the batch, as
scrobblers double-submit. Each batch commits on its own, so an interrupted import is
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

from catalog.models import Album, Artist, Track, name_key
from club.constants import DUPLICATE_TOLERANCE_S, LISTEN_FUTURE_TOLERANCE_S, LISTEN_MINIMUM_TS
from core.services import insert_ignoring_conflicts

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
BATCH_SIZE = 20_000

STAGING_SQL = """
CREATE TEMP TABLE IF NOT EXISTS club_listen_staging (
    user_id uuid, track_id uuid, listened_at double precision, source text, metadata jsonb
) ON COMMIT DELETE ROWS
"""
MOVE_SQL = """
INSERT INTO club_listenevent (id, created_at, updated_at, user_id, track_id, played_at, source, metadata)
SELECT gen_random_uuid(), now(), now(), s.user_id, s.track_id, to_timestamp(s.listened_at), s.source, s.metadata
FROM (
    SELECT *, lag(listened_at) OVER (PARTITION BY user_id, track_id ORDER BY listened_at) AS previous
    FROM club_listen_staging
) s
WHERE (s.previous IS NULL OR s.listened_at - s.previous > %(tolerance)s)
  AND NOT EXISTS (
    SELECT 1 FROM club_listenevent l
    WHERE l.user_id = s.user_id AND l.track_id = s.track_id
      AND l.played_at BETWEEN to_timestamp(s.listened_at - %(tolerance)s)
                          AND to_timestamp(s.listened_at + %(tolerance)s)
  )
ORDER BY s.user_id, s.track_id, s.listened_at
ON CONFLICT (user_id, track_id, played_at) DO NOTHING
"""
#: one member's listens are written by one transaction at a time, so two submissions racing with the same
#: listen a few seconds apart cannot both find the other absent (the lock ends with the transaction)
LOCK_MEMBERS_SQL = """
SELECT pg_advisory_xact_lock(%(namespace)s, hashtext(user_id::text))
FROM (SELECT DISTINCT user_id FROM club_listen_staging ORDER BY user_id) members
"""
LOCK_NAMESPACE = 25_001


def duplicate_tolerance_s() -> float:
    """Seconds within which a second listen of the same track by the same member is a duplicate
    (``settings.CLUB_DUPLICATE_TOLERANCE_S``, 30 by default: scrobblers double-submit)."""
    from django.conf import settings

    return float(getattr(settings, "CLUB_DUPLICATE_TOLERANCE_S", DUPLICATE_TOLERANCE_S))


@functools.lru_cache(maxsize=65536)
def normalise(text: str | None) -> str:
    """Case- and whitespace-insensitive form of a name, for matching (``catalog.models.name_key``)."""
    return name_key(text)


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
            absent = {key: row for key, row in missing.items() if key not in found}
            unmatched.update(absent)
            cache.update(found)
            cache.update(self._create(absent) if self.create else dict.fromkeys(absent))
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
            Track.objects.filter(title_key__in=titles)
            .values_list("id", "title_key", "artist_credit", "album__title_key", "album__artist__name_key")
            .order_by("created_at", "id")
        )
        for pk, title, credit, album_title, album_artist in candidates:
            for artist in {normalise(credit), album_artist} - {""}:
                by_name.setdefault((artist, album_title, title), pk)
                by_artist_title.setdefault((artist, title), pk)
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

    def _create(self, rows: dict[tuple, ListenRow]) -> dict[tuple, uuid.UUID | None]:
        """Create the tracks (with their artists and albums) that ``rows`` name and the catalog lacks.

        Race-safe and idempotent: each level (artists, albums, tracks) is one ``INSERT ... ON CONFLICT DO NOTHING``
        on its unique key (MusicBrainz id, else the normalised name within its parent), in a fixed order, followed
        by a re-read; rows that another transaction stored first (or that this batch names twice, such as one
        recording under two album spellings) resolve to the stored row. External ids are matched before names.
        """
        resolved: dict[tuple, uuid.UUID | None] = {}
        valid = {}
        for key, row in rows.items():
            if row.artist.strip() and row.title.strip():
                valid[key] = row
            else:
                resolved[key] = None
        if not valid:
            return resolved
        artist_specs = {key: _artist_spec(row) for key, row in valid.items()}
        artists = _resolve(Artist, set(artist_specs.values()), _find_artists, _new_artist)
        album_specs = {key: _album_spec(row, artists[artist_specs[key]]) for key, row in valid.items()}
        albums = _resolve(Album, set(album_specs.values()), _find_albums, _new_album)
        track_specs = {key: _track_spec(row, albums[album_specs[key]]) for key, row in valid.items()}
        tracks, inserted = _resolve(Track, set(track_specs.values()), _find_tracks, _new_track, inserted=True)
        links = {(tracks[spec], artists[artist_specs[key]]) for key, spec in track_specs.items()}
        Track.artists.through.objects.bulk_create(
            [
                Track.artists.through(track_id=track_id, artist_id=artist_id)
                for track_id, artist_id in sorted(links, key=str)
                if track_id in inserted
            ],
            ignore_conflicts=True,
        )
        self.created += len(inserted)
        resolved.update({key: tracks[spec] for key, spec in track_specs.items()})
        return resolved


# Specs say what identifies a row to create: ("mbid", id, fields...) or ("name", parent, key, fields...).
def _artist_spec(row: ListenRow) -> tuple:
    name = row.artist.strip()[:255]
    if row.artist_mbid:
        return ("mbid", row.artist_mbid, name)
    return ("name", None, name_key(name), name)


def _album_spec(row: ListenRow, artist_id) -> tuple:
    title = row.album.strip()[:255] or "[unknown album]"
    if row.release_mbid:
        return ("mbid", row.release_mbid, artist_id, title)
    return ("name", artist_id, name_key(title), title)


def _track_spec(row: ListenRow, album_id) -> tuple:
    title = row.title.strip()[:255]
    fields = (
        title,
        row.artist.strip()[:500],
        row.duration_ms if row.duration_ms and row.duration_ms > 0 else None,
        row.spotify_id if SPOTIFY_ID.match(row.spotify_id or "") else "",
    )
    if row.recording_mbid:
        return ("mbid", row.recording_mbid, album_id, *fields)
    return ("name", album_id, name_key(title), *fields)


def _resolve(model, specs: set[tuple], find, new, *, inserted: bool = False):
    """Map every spec to a row id: look up, insert what is missing (ON CONFLICT DO NOTHING), look up again."""
    found = find(specs)
    missing = sorted((spec for spec in specs if spec not in found), key=lambda spec: tuple(map(str, spec[:3])))
    rows, seen = [], set()
    for spec in missing:
        row = new(spec)
        identity = spec[:2] if spec[0] == "mbid" else spec[:3]
        if identity not in seen:  # one batch may name a row twice (a recording under two album spellings)
            seen.add(identity)
            rows.append(row)
    created = insert_ignoring_conflicts(model=model, rows=rows)
    if missing:
        found.update(find(set(missing)))
    unresolved = [spec for spec in specs if spec not in found]
    if unresolved:
        raise RuntimeError(f"{model.__name__} rows could not be resolved after insert: {unresolved[:3]}")
    return (found, created) if inserted else found


def _find_artists(specs: set[tuple]) -> dict[tuple, uuid.UUID]:
    """By MusicBrainz id; else (and for an unknown id) by normalised name, the oldest artist of that name."""
    mbids = {spec[1] for spec in specs if spec[0] == "mbid"}
    keys = {spec[2] if spec[0] == "name" else name_key(spec[2]) for spec in specs}
    by_mbid = dict(Artist.objects.filter(mbid__in=mbids).values_list("mbid", "id")) if mbids else {}
    by_name: dict = {}
    for key, pk in Artist.objects.filter(name_key__in=keys).order_by("created_at", "id").values_list("name_key", "id"):
        by_name.setdefault(key, pk)
    found = {}
    for spec in specs:
        pk = by_mbid.get(spec[1]) if spec[0] == "mbid" else None
        pk = pk or by_name.get(spec[2] if spec[0] == "name" else name_key(spec[2]))
        if pk is not None:
            found[spec] = pk
    return found


def _new_artist(spec: tuple) -> Artist:
    name = spec[-1]
    return Artist(name=name, sort_name=name, name_key=name_key(name), mbid=spec[1] if spec[0] == "mbid" else None)


def _find_albums(specs: set[tuple]) -> dict[tuple, uuid.UUID]:
    """By MusicBrainz release id; else (and for an unknown id) the artist's oldest album of that title."""
    mbids = {spec[1] for spec in specs if spec[0] == "mbid"}
    pairs = {(spec[1], spec[2]) if spec[0] == "name" else (spec[2], name_key(spec[3])) for spec in specs}
    by_mbid = dict(Album.objects.filter(mbid__in=mbids).values_list("mbid", "id")) if mbids else {}
    by_name: dict = {}
    rows = (
        Album.objects.filter(artist_id__in={artist for artist, _ in pairs}, title_key__in={key for _, key in pairs})
        .order_by("created_at", "id")
        .values_list("artist_id", "title_key", "id")
    )
    for artist_id, key, pk in rows:
        by_name.setdefault((artist_id, key), pk)
    found = {}
    for spec in specs:
        pk = by_mbid.get(spec[1]) if spec[0] == "mbid" else None
        pk = pk or by_name.get((spec[1], spec[2]) if spec[0] == "name" else (spec[2], name_key(spec[3])))
        if pk is not None:
            found[spec] = pk
    return found


def _new_album(spec: tuple) -> Album:
    if spec[0] == "mbid":
        _, mbid, artist_id, title = spec
    else:
        _, artist_id, _, title = spec
        mbid = None
    return Album(artist_id=artist_id, title=title, title_key=name_key(title), mbid=mbid)


def _find_tracks(specs: set[tuple]) -> dict[tuple, uuid.UUID]:
    """By MusicBrainz recording id, then Spotify id; else the album's oldest track of that title."""
    mbids = {spec[1] for spec in specs if spec[0] == "mbid"}
    spotify_ids = {spec[-1] for spec in specs if spec[-1]}
    pairs = {(spec[1], spec[2]) if spec[0] == "name" else (spec[2], name_key(spec[3])) for spec in specs}
    by_mbid = dict(Track.objects.filter(mbid__in=mbids).values_list("mbid", "id")) if mbids else {}
    by_spotify = (
        dict(Track.objects.filter(spotify_id__in=spotify_ids).values_list("spotify_id", "id")) if spotify_ids else {}
    )
    by_name: dict = {}
    rows = (
        Track.objects.filter(album_id__in={album for album, _ in pairs}, title_key__in={key for _, key in pairs})
        .order_by("created_at", "id")
        .values_list("album_id", "title_key", "id")
    )
    for album_id, key, pk in rows:
        by_name.setdefault((album_id, key), pk)
    found = {}
    for spec in specs:
        pk = by_mbid.get(spec[1]) if spec[0] == "mbid" else None
        pk = pk or by_spotify.get(spec[-1])
        if pk is None and spec[0] == "name":
            pk = by_name.get((spec[1], spec[2]))
        if pk is not None:
            found[spec] = pk
    return found


def _new_track(spec: tuple) -> Track:
    if spec[0] == "mbid":
        _, mbid, album_id, title, credit, duration, spotify_id = spec
    else:
        _, album_id, _, title, credit, duration, spotify_id = spec
        mbid = None
    return Track(
        album_id=album_id,
        title=title,
        title_key=name_key(title),
        artist_credit=credit,
        duration_ms=duration,
        mbid=mbid,
        spotify_id=spotify_id,
    )


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
            cursor.execute(LOCK_MEMBERS_SQL, {"namespace": LOCK_NAMESPACE})
            cursor.execute(MOVE_SQL, {"tolerance": duplicate_tolerance_s()})
            imported = cursor.rowcount
            cursor.execute("TRUNCATE club_listen_staging")  # also when an outer transaction spans batches
        self.summary.imported += imported
        self.summary.duplicates += len(lines) - imported
