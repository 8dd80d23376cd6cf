"""Reading catalog files: MusicBrainz release JSON and a simple CSV, validated whole before anything is written.

``parse_file`` turns a file into :class:`ReleaseRecord` objects or raises :class:`ImportFileError`
listing every bad row or field (CSV line numbers, JSON paths). ``release_upsert`` then
creates or updates each release by its MusicBrainz id (CSV rows, which have none, by
artist and album title), so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from catalog.models import Album, Artist, Genre, Track, name_key
from core.services import get_or_create_by_key, insert_ignoring_conflicts

CSV_COLUMNS = ["artist", "album", "year", "track", "position", "duration"]


class ImportFileError(ValueError):
    def __init__(self, path: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{path}: {len(errors)} error(s):\n" + "\n".join(f"  {error}" for error in errors))


@dataclass
class ArtistRecord:
    name: str
    mbid: uuid.UUID | None = None
    sort_name: str = ""


@dataclass
class TrackRecord:
    title: str
    position: int
    disc: int = 1
    duration_ms: int | None = None
    mbid: uuid.UUID | None = None
    isrc: str = ""
    artist_credit: str = ""
    artists: list[ArtistRecord] = field(default_factory=list)


@dataclass
class ReleaseRecord:
    title: str
    artist: ArtistRecord
    year: int | None = None
    mbid: uuid.UUID | None = None
    genres: list[str] = field(default_factory=list)
    tracks: list[TrackRecord] = field(default_factory=list)


def _uuid(value, where: str, errors: list[str]) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        errors.append(f"{where}: '{value}' is not a MusicBrainz id (a UUID)")
        return None


def _credit(credits, where: str, errors: list[str]) -> tuple[str, list[ArtistRecord]]:
    if not isinstance(credits, list) or not credits:
        errors.append(f"{where}: an artist credit is required")
        return "", []
    text, artists = "", []
    for index, credit in enumerate(credits):
        artist = credit.get("artist") or {}
        name = credit.get("name") or artist.get("name")
        if not name:
            errors.append(f"{where}[{index}]: the artist has no name")
            continue
        text += name + (credit.get("joinphrase") or "")
        artists.append(
            ArtistRecord(
                name=artist.get("name") or name,
                mbid=_uuid(artist.get("id"), f"{where}[{index}].artist.id", errors),
                sort_name=artist.get("sort-name") or "",
            )
        )
    return text.strip(), artists


def parse_musicbrainz_release(data: dict, where: str, errors: list[str]) -> ReleaseRecord | None:
    """One release as the MusicBrainz web service returns it (``/ws/2/release/<id>?inc=recordings+artist-credits``)."""
    if not isinstance(data, dict) or not data.get("title"):
        errors.append(f"{where}.title: a release needs a title")
        return None
    credit_text, artists = _credit(data.get("artist-credit"), f"{where}.artist-credit", errors)
    year = None
    date = data.get("date") or (data.get("release-group") or {}).get("first-release-date") or ""
    if date:
        match = re.match(r"^(\d{4})", date)
        if match is None:
            errors.append(f"{where}.date: '{date}' is not a date")
        else:
            year = int(match.group(1))
    genre_source = data.get("genres") or (data.get("release-group") or {}).get("genres") or []
    release = ReleaseRecord(
        title=data["title"],
        artist=artists[0] if artists else ArtistRecord(name=credit_text),
        year=year,
        mbid=_uuid(data.get("id"), f"{where}.id", errors),
        genres=[genre["name"] for genre in genre_source if isinstance(genre, dict) and genre.get("name")],
    )
    for medium_index, medium in enumerate(data.get("media") or []):
        disc = medium.get("position") or medium_index + 1
        for track_index, track in enumerate(medium.get("tracks") or []):
            track_where = f"{where}.media[{medium_index}].tracks[{track_index}]"
            recording = track.get("recording") or {}
            title = track.get("title") or recording.get("title")
            if not title:
                errors.append(f"{track_where}.title: a track needs a title")
                continue
            length = track.get("length") or recording.get("length")
            if length is not None and (not isinstance(length, int) or length <= 0):
                errors.append(f"{track_where}.length: '{length}' is not a length in milliseconds")
                length = None
            position = track.get("position") or track_index + 1
            track_credit, track_artists = (
                _credit(track["artist-credit"], f"{track_where}.artist-credit", errors)
                if track.get("artist-credit")
                else (credit_text, artists)
            )
            release.tracks.append(
                TrackRecord(
                    title=title,
                    position=int(position),
                    disc=int(disc),
                    duration_ms=length,
                    mbid=_uuid(recording.get("id"), f"{track_where}.recording.id", errors),
                    isrc=(recording.get("isrcs") or [""])[0],
                    artist_credit=track_credit,
                    artists=track_artists,
                )
            )
    return release


def _duration_ms(text: str) -> int:
    """'215', '3:35' or '1:02:03' (seconds) to milliseconds."""
    parts = text.strip().split(":")
    if not all(re.fullmatch(r"\d+(\.\d+)?", part) for part in parts) or len(parts) > 3:
        raise ValueError(text)
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    if seconds <= 0:
        raise ValueError(text)
    return int(round(seconds * 1000))


def parse_csv(path: Path) -> tuple[list[ReleaseRecord], list[str]]:
    errors: list[str] = []
    releases: dict[tuple[str, str], ReleaseRecord] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [column for column in CSV_COLUMNS if column not in header]
        if missing:
            return [], [f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}"]
        reader.fieldnames = header
        for row in reader:
            line = reader.line_num
            values = {key: (row.get(key) or "").strip() for key in CSV_COLUMNS}
            row_errors = [f"line {line}, {key}: required" for key in ("artist", "album", "track") if not values[key]]
            year = position = duration = None
            if values["year"]:
                if not re.fullmatch(r"\d{4}", values["year"]):
                    row_errors.append(f"line {line}, year: '{values['year']}' is not a year")
                else:
                    year = int(values["year"])
            if not re.fullmatch(r"[1-9]\d*", values["position"]):
                row_errors.append(f"line {line}, position: '{values['position']}' is not a track number (1, 2, …)")
            else:
                position = int(values["position"])
            if values["duration"]:
                try:
                    duration = _duration_ms(values["duration"])
                except ValueError:
                    row_errors.append(f"line {line}, duration: '{values['duration']}' is not seconds or m:ss")
            if row_errors:
                errors.extend(row_errors)
                continue
            key = (values["artist"].casefold(), values["album"].casefold())
            release = releases.setdefault(
                key, ReleaseRecord(title=values["album"], artist=ArtistRecord(name=values["artist"]), year=year)
            )
            if any(track.position == position for track in release.tracks):
                errors.append(f"line {line}, position: {position} appears twice for this album")
                continue
            release.tracks.append(
                TrackRecord(
                    title=values["track"],
                    position=position,
                    duration_ms=duration,
                    artist_credit=values["artist"],
                    artists=[release.artist],
                )
            )
    return list(releases.values()), errors


def parse_file(path: Path) -> list[ReleaseRecord]:
    """Parse and validate a whole file; ImportFileError lists everything wrong with it."""
    errors: list[str] = []
    if path.suffix.lower() == ".csv":
        releases, errors = parse_csv(path)
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFileError(str(path), [f"not JSON: {exc}"]) from exc
        items = data.get("releases") if isinstance(data, dict) and "releases" in data else [data]
        releases = []
        for index, item in enumerate(items if isinstance(items, list) else [items]):
            release = parse_musicbrainz_release(item, f"releases[{index}]" if len(items) > 1 else "$", errors)
            if release is not None:
                releases.append(release)
    if errors:
        raise ImportFileError(str(path), errors)
    return releases


def _artist(record: ArtistRecord) -> Artist:
    """By MusicBrainz id (created or renamed), else the oldest artist of that name, else a new one; race-safe."""
    name = record.name.strip()[:255]
    if record.mbid is not None:
        defaults = {"name": name, **({"sort_name": record.sort_name} if record.sort_name else {})}
        artist, _ = Artist.objects.update_or_create(mbid=record.mbid, defaults=defaults)
        return artist
    artist = Artist.objects.filter(name_key=name_key(name)).order_by("created_at", "id").first()
    if artist is not None:
        return artist
    sort_name = record.sort_name.strip()[:255] or name
    artist, _ = get_or_create_by_key(
        model=Artist, lookup={"name_key": name_key(name), "mbid": None}, defaults={"name": name, "sort_name": sort_name}
    )
    return artist


def genre_get_or_create(*, name: str) -> Genre:
    """The genre of this name (by slug or, case-insensitively, by name), created when missing; race-safe."""
    name = name.strip()[:100]
    slug = slugify(name)[:100] or "genre"
    genre = Genre.objects.filter(slug=slug).first() or Genre.objects.filter(name__iexact=name).first()
    if genre is not None:
        return genre
    insert_ignoring_conflicts(model=Genre, rows=[Genre(name=name, slug=slug)])
    return Genre.objects.filter(slug=slug).first() or Genre.objects.get(name__iexact=name)


@transaction.atomic
def release_upsert(*, release: ReleaseRecord) -> tuple[Album, bool]:
    """Create or update one album with its tracks; returns (album, created). Safe to run concurrently with itself:
    every row is found by a unique key (MusicBrainz id, else the normalised name within its parent, else the
    track position) and created with ``ON CONFLICT`` semantics, so parallel imports of one file store it once."""
    artist = _artist(release.artist)
    if release.mbid is not None:
        album, created = Album.objects.update_or_create(
            mbid=release.mbid, defaults={"title": release.title, "artist": artist, "release_year": release.year}
        )
    else:
        album, created = get_or_create_by_key(
            model=Album,
            lookup={"artist": artist, "title_key": name_key(release.title), "mbid": None},
            defaults={"title": release.title},
        )
        if album.release_year != release.year:
            album.release_year = release.year
            album.full_clean()
            album.save()
    if release.genres:
        album.genres.add(*[genre_get_or_create(name=name) for name in release.genres])
    for record in release.tracks:
        defaults = {
            "title": record.title,
            "duration_ms": record.duration_ms,
            "isrc": record.isrc,
            "artist_credit": record.artist_credit,
        }
        if record.mbid is not None:
            track, _ = Track.objects.update_or_create(
                mbid=record.mbid,
                defaults={**defaults, "album": album, "disc_number": record.disc, "track_number": record.position},
            )
        else:
            track, _ = Track.objects.update_or_create(
                album=album, disc_number=record.disc, track_number=record.position, defaults=defaults
            )
        track.artists.set([_artist(artist) for artist in record.artists] or [artist])
    return album, created
