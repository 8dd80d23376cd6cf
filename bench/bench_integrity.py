"""Data integrity at scale: deep listen pages, duplicate-free concurrent submissions, indexed search.

- ``club.listens.page_deep.ratio_to_keyset_sql``: ``GET /api/club/listens/`` 10,000 rows deep into 1,000,000
  listens (the cursor that following ``next`` from the first page reaches), over the bare keyset SQL that
  returns the same page with the same columns (``WHERE played_at < $last ORDER BY played_at DESC, id DESC
  LIMIT 50`` joined to the user and the track). 1.0 would be a free API; what is left is auth, filtering and
  JSON. The depth costs nothing: the same ratio holds on page 1.
- ``club.listens.page_number_deep.ratio_to_keyset_sql``: for comparison, the same depth through ``OFFSET``
  (page-number pagination, which also counted the table) in SQL alone, over the keyset SQL.
- ``club.submit.concurrent_duplicates``: 20 clients submit the same 5 listens of a track the catalog does not
  have, at once, through ``POST /1/submit-listens``; listens, tracks, albums and artists stored beyond the
  expected 5, 5, 1 and 1. Must be 0.
- ``catalog.search.trgm_speedup``: a ``q`` search (``/api/catalog/tracks/?q=...``'s queryset) over 100,000
  tracks with the pg_trgm indexes, against the same query with index scans disabled (a sequential scan).
"""

from __future__ import annotations

import json
import threading
import uuid

from django.db import close_old_connections, connection

LISTENS = 1_000_000
DEPTH = 10_000
PAGE = 50
TRACKS = 100_000
T0 = 1_600_000_000


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def ensure_listens():
    """1,000,000 listens of one member over 1,000 tracks, distinct times (created once, kept)."""
    from catalog.models import Album, Artist, Track
    from core.models import User

    user, _ = User.objects.get_or_create(username="bench-deep-pages", defaults={"is_superuser": True, "is_staff": True})
    if _count(f"SELECT count(*) FROM club_listenevent WHERE user_id = '{user.pk}'") >= LISTENS:
        return user
    artist, _ = Artist.objects.get_or_create(
        mbid=uuid.uuid5(uuid.NAMESPACE_URL, "bench-deep"), defaults={"name": "Deep"}
    )
    album, _ = Album.objects.get_or_create(
        mbid=uuid.uuid5(uuid.NAMESPACE_URL, "bench-deep-album"), defaults={"title": "Deep", "artist": artist}
    )
    if album.tracks.count() < 1000:
        Track.objects.bulk_create(
            [Track(album=album, title=f"Deep {n}", title_key=f"deep {n}", track_number=n + 1) for n in range(1000)],
            ignore_conflicts=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            """
            INSERT INTO club_listenevent (id, created_at, updated_at, user_id, track_id, played_at, source, metadata)
            SELECT gen_random_uuid(), now(), now(), %s, t.ids[1 + n %% 1000], to_timestamp(%s + n * 7),
                   'listenbrainz', '{}'
            FROM generate_series(0, %s - 1) AS n,
                 (SELECT array_agg(id ORDER BY track_number) AS ids FROM catalog_track WHERE album_id = %s) AS t
            ON CONFLICT DO NOTHING
            """,
            [user.pk, T0, LISTENS, album.pk],
        )
        cursor.execute("ANALYZE club_listenevent")
    return user


def bench_deep_pages(report, timed):
    from rest_framework.test import APIClient

    user = ensure_listens()
    client = APIClient()
    client.force_authenticate(user)
    url = "/api/club/listens/"
    response = client.get(url, {"user_id": str(user.pk), "page_size": 500})
    for _ in range(DEPTH // 500 - 1):
        response = client.get(response.data["next"])
    deep_url = response.data["next"].replace("page_size=500", f"page_size={PAGE}")
    last = response.data["results"][-1]["played_at"]
    page = client.get(deep_url)
    assert page.status_code == 200 and len(page.data["results"]) == PAGE, page.data
    keyset_sql = """
        SELECT l.id, l.played_at, l.source, l.metadata, l.created_at, l.updated_at, u.id, u.username,
               u.display_name, t.id, t.title, t.album_id
        FROM club_listenevent l JOIN core_user u ON u.id = l.user_id JOIN catalog_track t ON t.id = l.track_id
        WHERE l.user_id = %s AND l.played_at < %s ORDER BY l.played_at DESC, l.id DESC LIMIT %s
    """
    offset_sql = """
        SELECT l.id, l.played_at, l.source, l.metadata, l.created_at, l.updated_at, u.id, u.username,
               u.display_name, t.id, t.title, t.album_id
        FROM club_listenevent l JOIN core_user u ON u.id = l.user_id JOIN catalog_track t ON t.id = l.track_id
        WHERE l.user_id = %s ORDER BY l.played_at DESC, l.id DESC LIMIT %s OFFSET %s
    """

    def keyset():
        with connection.cursor() as cursor:
            cursor.execute(keyset_sql, [user.pk, last, PAGE])
            rows = cursor.fetchall()
        assert str(rows[0][0]) == page.data["results"][0]["id"]

    def offset():
        with connection.cursor() as cursor:
            cursor.execute(offset_sql, [user.pk, PAGE, DEPTH])
            cursor.fetchall()

    api_s = timed(lambda: client.get(deep_url), repeat=30)
    keyset_s = timed(keyset, repeat=30)
    offset_s = timed(offset, repeat=10)
    report("club.listens.page_deep.api_ms", api_s * 1000, "ms")
    report("club.listens.page_deep.ratio_to_keyset_sql", api_s / keyset_s)
    report("club.listens.page_number_deep.ratio_to_keyset_sql", offset_s / keyset_s)


def bench_concurrent_submissions(report):
    from django.test import Client
    from knox.models import AuthToken

    from catalog.models import Album, Artist, Track
    from club.models import ListenEvent
    from core.models import User

    run = uuid.uuid4().hex[:12]
    user = User.objects.create(username=f"bench-submit-{run}")
    _, key = AuthToken.objects.create(user=user)
    artist = f"Bench Unknown {run}"
    body = json.dumps(
        {
            "listen_type": "import",
            "payload": [
                {
                    "listened_at": T0 + n * 300,
                    "track_metadata": {"artist_name": artist, "track_name": f"Unheard {n}", "release_name": run},
                }
                for n in range(5)
            ],
        }
    )
    barrier = threading.Barrier(20)
    statuses = []

    def submit():
        try:
            barrier.wait()
            response = Client().post(
                "/1/submit-listens", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
            )
            statuses.append(response.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    extra = (
        (ListenEvent.objects.filter(user=user).count() - 5)
        + (Track.objects.filter(album__title=run).count() - 5)
        + (Album.objects.filter(title=run).count() - 1)
        + (Artist.objects.filter(name=artist).count() - 1)
    )
    report("club.submit.concurrent_duplicates", extra)
    report("club.submit.concurrent_errors", sum(1 for status in statuses if status != 200))


def ensure_tracks():
    from catalog.models import Album, Artist, Track

    if Track.objects.filter(title__startswith="Searchable ").count() >= TRACKS:
        return
    artist, _ = Artist.objects.get_or_create(
        mbid=uuid.uuid5(uuid.NAMESPACE_URL, "bench-search"), defaults={"name": "S"}
    )
    words = ["amber", "blue", "crimson", "dawn", "ember", "frost", "gold", "haze", "iris", "jade", "kite", "lunar"]
    albums = Album.objects.bulk_create(
        [
            Album(title=f"Search Album {n} {words[n % 12]}", title_key=f"search album {n}", artist=artist)
            for n in range(1000)
        ]
    )
    Track.objects.bulk_create(
        [
            Track(
                album=albums[n % 1000],
                title=f"Searchable {words[n % 12]} {words[(n * 7) % 12]} {n}",
                title_key=f"searchable {n}",
                artist_credit=f"Credit {n % 977}",
                track_number=n // 1000 + 1,
            )
            for n in range(TRACKS)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_track")
        cursor.execute("ANALYZE catalog_album")


def bench_trigram_search(report, timed):
    from django.db import transaction

    from catalog.models import Track

    ensure_tracks()

    def search():
        return list(Track.objects.search("ember frost 4").values_list("pk", flat=True)[:50])

    def sequential():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            return search()

    assert sorted(search()) == sorted(sequential())
    indexed_s = timed(search, repeat=20)
    sequential_s = timed(sequential, repeat=10)
    report("catalog.search.trgm_ms", indexed_s * 1000, "ms")
    report("catalog.search.trgm_speedup", sequential_s / indexed_s)


def run(report, timed):
    bench_concurrent_submissions(report)
    bench_trigram_search(report, timed)
    bench_deep_pages(report, timed)
