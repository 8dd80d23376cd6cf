"""Track resolution is idempotent under concurrency: however many clients send a listen at once, it is stored once."""

import json
import uuid

import pytest
from django.test import Client
from knox.models import AuthToken

from catalog.models import Album, Artist, Track
from club.choices import ListenEventSource
from club.importers.base import ListenImporter, ListenRow
from club.models import ListenEvent
from core.testing import run_concurrently
from tests.core.factories import UserFactory

T0 = 1_735_689_600  # 2025-01-01 UTC


@pytest.fixture(autouse=True)
def no_jobs_left_behind():
    """Committed submissions queue analysis jobs; the job table is not flushed between tests, so clear it."""
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'club.refresh_listening_analysis'")


def payload(*, mbids: bool) -> dict:
    listens = []
    for index in range(5):
        info = {}
        if mbids:
            info = {
                "recording_mbid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"recording-{index}")),
                "release_mbid": str(uuid.uuid5(uuid.NAMESPACE_URL, "release")),
                "artist_mbids": [str(uuid.uuid5(uuid.NAMESPACE_URL, "artist"))],
            }
        listens.append(
            {
                "listened_at": T0 + index * 300,
                "track_metadata": {
                    "artist_name": "Unheard Of",
                    "track_name": f"Never Catalogued {index}",
                    "release_name": "First Light",
                    "additional_info": info,
                },
            }
        )
    return {"listen_type": "import", "payload": listens}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mbids", [False, True], ids=["names", "musicbrainz-ids"])
def test_concurrent_identical_submissions_store_each_listen_and_track_once(mbids):
    user = UserFactory()
    _, key = AuthToken.objects.create(user=user)
    body = json.dumps(payload(mbids=mbids))

    def submit():
        return Client().post(
            "/1/submit-listens", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
        )

    responses = run_concurrently(*[submit for _ in range(8)])
    assert [getattr(response, "status_code", response) for response in responses] == [200] * 8
    assert ListenEvent.objects.filter(user=user).count() == 5
    assert Track.objects.count() == 5
    assert Album.objects.count() == 1
    assert Artist.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_imports_of_the_same_new_listens_store_them_once():
    user = UserFactory()
    rows = [
        ListenRow(listened_at=T0 + index * 60, artist=f"Artist {index % 7}", title=f"Song {index}", album="Demo")
        for index in range(60)
    ]

    def run():
        return ListenImporter(user=user, source=ListenEventSource.LISTENBRAINZ, batch_size=25).run(list(rows))

    summaries = run_concurrently(run, run, run)
    assert all(not isinstance(summary, Exception) for summary in summaries), summaries
    assert ListenEvent.objects.filter(user=user).count() == 60
    assert Track.objects.count() == 60
    assert Artist.objects.count() == 7
    assert sum(summary.imported for summary in summaries) == 60


@pytest.mark.django_db
def test_one_batch_naming_a_recording_under_two_album_spellings_stores_one_track():
    user = UserFactory()
    recording = uuid.uuid4()
    rows = [
        ListenRow(listened_at=T0, artist="Band", title="Song", album="The Album", recording_mbid=recording),
        ListenRow(
            listened_at=T0 + 60, artist="Band", title="Song", album="The Album (Deluxe)", recording_mbid=recording
        ),
    ]
    summary = ListenImporter(user=user, source=ListenEventSource.LISTENBRAINZ).run(rows)
    assert summary.imported == 2
    assert Track.objects.filter(mbid=recording).count() == 1
    assert ListenEvent.objects.filter(user=user, track__mbid=recording).count() == 2


@pytest.mark.django_db
def test_names_resolve_through_the_key_columns_whatever_the_case_and_spacing():
    user = UserFactory()
    ListenImporter(user=user, source=ListenEventSource.LISTENBRAINZ).run(
        [ListenRow(listened_at=T0, artist="The  Band", title="Song  One", album="Album")]
    )
    ListenImporter(user=user, source=ListenEventSource.LISTENBRAINZ).run(
        [ListenRow(listened_at=T0 + 60, artist="the band", title="SONG ONE", album=" album ")]
    )
    assert Track.objects.count() == 1
    assert Track.objects.get().title_key == "song one"


@pytest.mark.django_db
def test_deleting_an_album_with_listens_is_refused_and_keeps_the_history(client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    from tests.club.factories import ListenEventFactory

    listen = ListenEventFactory()
    album = listen.track.album
    api = APIClient()
    api.force_authenticate(UserFactory(superuser=True))
    response = api.delete(reverse("catalog-api:album-detail", args=[album.pk]))
    assert response.status_code == 409, response.data
    assert "listen" in response.data["message"]
    assert ListenEvent.objects.filter(pk=listen.pk).exists()
    client.force_login(UserFactory(superuser=True))
    page = client.get(reverse("admin:catalog_album_delete", args=[album.pk]))
    assert "would require deleting the following protected related objects" in page.text


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_playing_now_of_a_member_is_stored_once():
    from club.models import NowPlaying

    user = UserFactory()
    _, key = AuthToken.objects.create(user=user)

    def submit(track: str):
        body = {
            "listen_type": "playing_now",
            "payload": [{"track_metadata": {"artist_name": "A", "track_name": track}}],
        }
        return lambda: Client().post(
            "/1/submit-listens", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
        )

    responses = run_concurrently(*[submit(f"Song {n}") for n in range(8)])
    assert [getattr(response, "status_code", response) for response in responses] == [200] * 8
    assert NowPlaying.objects.filter(user=user).count() == 1
