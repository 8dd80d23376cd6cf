"""``club.import.*`` and ``club.taste.*``: a million listens through the importer, against a bare COPY.

- ``club.import.listens_per_s``: 1,000,000 listens of 1,000 members, one ListenBrainz export (JSONL) each,
  through one importer run (``feed`` per member, as ``import_listenbrainz`` does for several exports):
  parse, resolve tracks against a 2,000-track catalog (recording MBIDs), COPY into staging in batches of
  20,000, ``INSERT ... ON CONFLICT DO NOTHING`` into ``club_listenevent``.
- ``club.import.ratio_to_copy``: the importer's rate over the rate of one bare ``COPY`` of the same rows
  (already resolved, already formatted, one transaction) into a table of the same shape: same columns,
  indexes, checks and foreign keys (``LIKE club_listenevent INCLUDING ALL`` plus the two foreign keys,
  deferred as Django declares them). The bare COPY is the physical limit; 1.0 would be free parsing.
- ``club.import.ratio_to_copy_without_fks``: the same against a table without the foreign keys; the gap
  between the two ratios is what checking 2,000,000 references costs.
- ``club.taste.all_users_s``: seconds to compute the taste profiles of those 1,000 members in SQL.
- ``club.stats.*``: one member with 1,000,000 listens (built in SQL with ``generate_series``, the rollups kept by
  the same triggers as every insert) over ten years, about 274 a day between 08:00 and 24:00 UTC, through a few
  albums a day (five albums of ten tracks, the day's picks out of the catalog's 200). ``top_artists_ms``: all-time
  top artists from the daily rollups; ``activity_ms``: all-time listens per month from the 15-minute rollups;
  ``rollup_speedup`` and ``activity_speedup``: the same figures computed from the raw listens, divided by these.
- ``club.stats.rollup_write_cost``: the importer's rate with the rollup triggers over its rate without them
  (200,000 listens of 200 members; 1.0 would be free).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from pathlib import Path

from django.db import connection

MEMBERS = 1_000
LISTENS_PER_MEMBER = 1_000
TRACKS = 2_000
ALBUMS = 200
T0 = 1_600_000_000
NAMESPACE = uuid.UUID("0b6a86f3-8c4e-4d7e-9b1a-3c1c0d3f2e55")


def _mbid(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def ensure_catalog() -> list[tuple]:
    """A catalog of 2,000 tracks on 200 albums with genres and features (created once, kept)."""
    from catalog.models import Album, Artist, Genre, Track, TrackFeatures

    if Track.objects.filter(mbid=_mbid("track", TRACKS - 1)).exists():
        return list(
            Track.objects.filter(mbid__in=[_mbid("track", n) for n in range(TRACKS)]).values_list(
                "id", "mbid", "title", "artist_credit", "album__title"
            )
        )
    genres = [
        Genre.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench genre {n}"})[0] for n in range(20)
    ]
    artists = Artist.objects.bulk_create([Artist(name=f"Bench Artist {n}", mbid=_mbid("artist", n)) for n in range(50)])
    albums = Album.objects.bulk_create(
        [Album(title=f"Bench Album {n}", artist=artists[n % 50], mbid=_mbid("album", n)) for n in range(ALBUMS)]
    )
    for n, album in enumerate(albums):
        album.genres.set([genres[n % 20], genres[(n * 7) % 20]])
    tracks = Track.objects.bulk_create(
        [
            Track(
                album=albums[n % ALBUMS],
                title=f"Bench Track {n}",
                artist_credit=artists[(n % ALBUMS) % 50].name,
                track_number=n // ALBUMS + 1,
                mbid=_mbid("track", n),
            )
            for n in range(TRACKS)
        ]
    )
    rng = random.Random(1)
    TrackFeatures.objects.bulk_create(
        [
            TrackFeatures(track=t, energy=rng.random(), valence=rng.random(), danceability=rng.random(), tempo=120.0)
            for t in tracks
        ]
    )
    return [(t.id, t.mbid, t.title, t.artist_credit, albums[n % ALBUMS].title) for n, t in enumerate(tracks)]


def ensure_members():
    from tests.core.factories import UserFactory

    return [UserFactory(username=f"bench-listener-{n:04d}", password=None) for n in range(MEMBERS)]


def _bare_copy(lines: list[str], *, with_foreign_keys: bool) -> float:
    """Seconds to COPY ``lines`` into a fresh table shaped like ``club_listenevent``, commit included."""
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_listen_copy")
        cursor.execute("CREATE TABLE bench_listen_copy (LIKE club_listenevent INCLUDING ALL)")
        if with_foreign_keys:
            for column, target in (("user_id", "core_user"), ("track_id", "catalog_track")):
                cursor.execute(
                    f"ALTER TABLE bench_listen_copy ADD FOREIGN KEY ({column}) REFERENCES {target} (id)"
                    " DEFERRABLE INITIALLY DEFERRED"
                )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY bench_listen_copy (id, created_at, updated_at, user_id, track_id, played_at, source, metadata)"
            " FROM STDIN"
        ) as copy:
            for offset in range(0, len(lines), 10_000):
                copy.write("".join(lines[offset : offset + 10_000]))
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_listen_copy")
    return seconds


STATS_LISTENS = 1_000_000
STATS_DAYS = 3_650

STATS_LISTENS_SQL = """
INSERT INTO club_listenevent (id, created_at, updated_at, user_id, track_id, played_at, source, metadata)
SELECT gen_random_uuid(), now(), now(), %(user)s, tracks.ids[1 + (day * 13 + (i %% 5) * 41) %% 200 * 10 + i %% 10],
       TIMESTAMPTZ '2016-01-01 08:00:00+00' + day * interval '1 day' + (i %% 274) * interval '210 seconds',
       'listenbrainz', '{}'
FROM generate_series(0, %(n)s - 1) AS i, LATERAL (SELECT i / 274 AS day) d,
     (SELECT array_agg(id ORDER BY album_id, track_number, id) AS ids FROM catalog_track
      WHERE mbid = ANY(%(mbids)s)) tracks
"""
RAW_TOP_ARTISTS_SQL = """
SELECT ar.id, ar.name, count(*) AS n FROM club_listenevent l
JOIN catalog_track t ON t.id = l.track_id JOIN catalog_album al ON al.id = t.album_id
JOIN catalog_artist ar ON ar.id = al.artist_id
WHERE l.user_id = %s GROUP BY ar.id, ar.name ORDER BY n DESC, ar.name, ar.id LIMIT 25
"""
RAW_ACTIVITY_SQL = """
SELECT date_trunc('month', played_at AT TIME ZONE 'UTC'), count(*) FROM club_listenevent WHERE user_id = %s GROUP BY 1
"""


def run_stats(report, timed, members):
    """``club.stats.*``: statistics of a member with a million listens, from the rollups and from the listens."""
    from club.services import stats
    from tests.core.factories import UserFactory

    heavy = UserFactory(username="bench-heavy-listener", password=None)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE club_listenevent")
        cursor.execute(
            STATS_LISTENS_SQL,
            {"user": heavy.pk, "n": STATS_LISTENS, "mbids": [_mbid("track", n) for n in range(TRACKS)]},
        )
        cursor.execute("ANALYZE club_listenevent")
        cursor.execute("ANALYZE club_listenday")
        cursor.execute("ANALYZE club_listenslot")
        cursor.execute("SELECT count(*) FROM club_listenday WHERE user_id = %s", [heavy.pk])
        day_rows = cursor.fetchone()[0]
    window = stats.stats_window()

    def raw(sql):
        def query():
            with connection.cursor() as cursor:
                cursor.execute(sql, [heavy.pk])
                return cursor.fetchall()

        return query

    top = timed(lambda: stats.top_entities(user_ids=[heavy.pk], window=window, entity="artists"), repeat=10)
    top_raw = timed(raw(RAW_TOP_ARTISTS_SQL), repeat=5, warmup=1)
    activity = timed(lambda: stats.listening_activity(user_ids=[heavy.pk], window=window, step="month"), repeat=10)
    activity_raw = timed(raw(RAW_ACTIVITY_SQL), repeat=5, warmup=1)
    report("club.stats.listenday_rows", day_rows, "rows")
    report("club.stats.top_artists_ms", top * 1000, "ms")
    report("club.stats.top_artists_raw_ms", top_raw * 1000, "ms")
    report("club.stats.rollup_speedup", top_raw / top)
    report("club.stats.activity_ms", activity * 1000, "ms")
    report("club.stats.activity_raw_ms", activity_raw * 1000, "ms")
    report("club.stats.activity_speedup", activity_raw / activity)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE club_listenevent")


def run_write_cost(report, catalog, members):
    """``club.stats.rollup_write_cost``: the importer with and without the rollup triggers."""
    from club.importers.base import ListenImporter, ListenRow

    rows = [
        ListenRow(
            listened_at=T0 + n * 300 + index,
            artist=catalog[(n * 7 + index) % len(catalog)][3],
            title=catalog[(n * 7 + index) % len(catalog)][2],
            album=catalog[(n * 7 + index) % len(catalog)][4],
            recording_mbid=catalog[(n * 7 + index) % len(catalog)][1],
        )
        for index in range(200)
        for n in range(1_000)
    ]

    def once(*, rollups: bool) -> float:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE club_listenevent")
        importer = ListenImporter(source="listenbrainz")
        start = time.perf_counter()
        for index, member in enumerate(members[:200]):
            importer.feed(rows[index * 1_000 : (index + 1) * 1_000], user=member)
        importer.finish()
        return time.perf_counter() - start

    with_rollups = once(rollups=True)
    # the scratch database's own trigger, switched off for the baseline (pgtrigger.ignore cannot wrap the
    # importer's statements, which take named parameters)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'club_listenevent'::regclass"
            " AND tgname LIKE 'pgtrigger_club_listen_rollup_insert%%'"
        )
        (trigger,) = cursor.fetchone()
        cursor.execute(f'ALTER TABLE club_listenevent DISABLE TRIGGER "{trigger}"')
    try:
        without = once(rollups=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE club_listenevent ENABLE TRIGGER "{trigger}"')
            cursor.execute("TRUNCATE club_listenevent")
    report("club.stats.rollup_write_cost", without / with_rollups)


def run(report, timed):
    from club.importers import listenbrainz
    from club.importers.base import ListenImporter
    from club.services.taste import taste_compute

    catalog = ensure_catalog()
    members = ensure_members()
    member_ids = [m.pk for m in members]
    rng = random.Random(7)

    with tempfile.TemporaryDirectory() as tmp:
        # The exports, one JSONL file per member, and the same rows already resolved for the bare COPY.
        copy_lines = []
        files = []
        for index, member in enumerate(members):
            path = Path(tmp) / f"{index}.jsonl"
            with path.open("w") as out:
                for n in range(LISTENS_PER_MEMBER):
                    track_id, mbid, title, artist, album = catalog[rng.randrange(len(catalog))]
                    listened_at = T0 + n * 300 + index
                    out.write(
                        json.dumps(
                            {
                                "listened_at": listened_at,
                                "track_metadata": {
                                    "artist_name": artist,
                                    "track_name": title,
                                    "release_name": album,
                                    "additional_info": {"recording_mbid": str(mbid), "submission_client": "bench"},
                                },
                            }
                        )
                        + "\n"
                    )
                    copy_lines.append(
                        f"{uuid.uuid4()}\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\t{member.pk}\t{track_id}\t"
                        f"{time.strftime('%Y-%m-%d %H:%M:%S+00', time.gmtime(listened_at))}\tlistenbrainz\t"
                        '{"submission_client":"bench"}\n'
                    )
            files.append(path)

        # Bare COPY into a table of the same shape: once with the same foreign keys (deferred, as Django makes
        # them; checked at commit), once without any (LIKE ... INCLUDING ALL copies indexes and checks only).
        copy_seconds = {fks: _bare_copy(copy_lines, with_foreign_keys=fks) for fks in (True, False)}
        del copy_lines

        # The importer, from the files.
        with connection.cursor() as cursor:  # the scratch database's listens are all the bench's own
            cursor.execute("TRUNCATE club_listenevent")
        start = time.perf_counter()
        importer = ListenImporter(source="listenbrainz")
        for member, path in zip(members, files, strict=True):
            importer.feed(listenbrainz.parse(path), user=member)
        imported = importer.finish().imported
        import_seconds = time.perf_counter() - start
    assert imported == MEMBERS * LISTENS_PER_MEMBER, imported

    total = MEMBERS * LISTENS_PER_MEMBER
    report("club.import.listens_per_s", total / import_seconds, "listens/s")
    report("club.import.copy_listens_per_s", total / copy_seconds[True], "listens/s")
    report("club.import.ratio_to_copy", copy_seconds[True] / import_seconds)
    report("club.import.copy_without_fks_listens_per_s", total / copy_seconds[False], "listens/s")
    report("club.import.ratio_to_copy_without_fks", copy_seconds[False] / import_seconds)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE club_listenevent")
    start = time.perf_counter()
    profiles = taste_compute(user_ids=member_ids)
    report("club.taste.all_users_s", time.perf_counter() - start, "s")
    assert profiles == MEMBERS, profiles

    run_write_cost(report, catalog, members)
    run_stats(report, timed, members)
