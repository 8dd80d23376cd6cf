"""The API requests the benchmarks measure, on rows seeded once into the bench database.

One user (``bench-pages``, not a superuser: every page goes through the visibility rule) owns a tenant and
100 rows in one list endpoint of every app, 100 listens and a 48-track album (two artists and features per
track). ``bench_api`` measures these pages in-process (and profiles them with ``bench/run.py --profile``);
``bench_http`` serves them over HTTP and runs their captured SQL through pgbench.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

USERNAME = "bench-pages"
ROWS = 100
TRACKS = 48


def _seed_user():
    from core.choices import MembershipRole
    from core.models import Tenant, User
    from tests.core.factories import MembershipFactory, TenantFactory, UserFactory

    user = User.objects.filter(username=USERNAME).first() or UserFactory(username=USERNAME, password=None)
    tenant = Tenant.objects.filter(slug=USERNAME).first()
    if tenant is None:
        tenant = TenantFactory(slug=USERNAME, name="Bench pages")
        MembershipFactory(tenant=tenant, user=user, role=MembershipRole.OWNER)
    for index in range(tenant.memberships.count(), ROWS):
        MembershipFactory(tenant=tenant, user=UserFactory(username=f"bench-pages-{index:03d}", password=None))
    return user, tenant


def _seed_catalog():
    from catalog.models import Album
    from tests.catalog.factories import AlbumFactory, ArtistFactory, TrackFactory, TrackFeaturesFactory

    album = Album.objects.filter(title="Bench pages").first()
    if album is None:
        album = AlbumFactory(title="Bench pages", genres=[])
    for number in range(album.tracks.count(), TRACKS):
        track = TrackFactory(album=album, track_number=number + 1, title=f"Bench page track {number:02d}")
        track.artists.set([ArtistFactory(), ArtistFactory()])
        TrackFeaturesFactory(track=track)
    return album


def _seed_rows(user, tenant, album):
    from amcs.models import Persona
    from audio_vcs.models import Project
    from club.models import ListenEvent
    from storyteller.models import Storyteller
    from tests.amcs.factories import PersonaFactory
    from tests.audio_vcs.factories import ProjectFactory
    from tests.storyteller.factories import StorytellerFactory

    tracks = list(album.tracks.order_by("track_number"))
    have = ListenEvent.objects.filter(user=user).count()
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    ListenEvent.objects.bulk_create(
        ListenEvent(
            user=user,
            track=tracks[index % len(tracks)],
            played_at=start + datetime.timedelta(minutes=4 * index),
            source="listenbrainz",
            metadata={"submission_client": "bench"},
        )
        for index in range(have, ROWS)
    )
    for _ in range(Persona.objects.filter(tenant=tenant).count(), ROWS):
        PersonaFactory(tenant=tenant, owner=user)
    for _ in range(Project.objects.filter(owner=user).count(), ROWS):
        ProjectFactory(owner=user)
    for _ in range(Storyteller.objects.filter(user=user).count(), ROWS):
        StorytellerFactory(user=user)


#: one list endpoint of every app (``tests/core/test_bench_pages.py`` checks that every app of the API is here)
APP_LISTS = {
    "core": "/api/core/memberships/?tenant_id={tenant}&page_size=100",
    "catalog": "/api/catalog/tracks/?album_id={album}&page_size=100",
    "amcs": "/api/amcs/personas/?tenant_id={tenant}&page_size=100",
    "audio_vcs": "/api/audio-vcs/projects/?page_size=100",
    # the bench database holds a million listens of another user (bench_integrity): this user's own
    "club": "/api/club/listens/?user_id={user}&page_size=100",
    "storyteller": "/api/storyteller/storytellers/?page_size=100",
}


def seed():
    """The bench user, and the requests (name -> path) measured for them; rows are created once and kept.

    ``listens100`` (the listens page), ``listens1`` (a one-row page), ``listen_detail`` and ``tracks100`` (the
    track page), then ``list.<app>`` for each app's list endpoint."""
    from club.models import ListenEvent

    user, tenant = _seed_user()
    album = _seed_catalog()
    _seed_rows(user, tenant, album)
    listen = ListenEvent.objects.filter(user=user).order_by("-played_at").first()
    ids = {"user": user.pk, "tenant": tenant.pk, "album": album.pk}
    requests = {
        "listens100": APP_LISTS["club"].format(**ids),
        "listens1": APP_LISTS["club"].format(**ids).replace("page_size=100", "page_size=1"),
        "listen_detail": f"/api/club/listens/{listen.pk}/",
        "tracks100": APP_LISTS["catalog"].format(**ids),
    }
    requests.update({f"list.{app}": path.format(**ids) for app, path in APP_LISTS.items()})
    return user, requests


def token_for(user) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user=user)[1]


def captured_sql(client, path: str) -> tuple[list[str], object]:
    """The SQL statements a request sends (parameters in place, as PostgreSQL received them) and its response."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return [query["sql"] for query in queries.captured_queries], response


def rows_of(response) -> int:
    body = response.json()
    return len(body["results"]) if isinstance(body, dict) and "results" in body else 1
