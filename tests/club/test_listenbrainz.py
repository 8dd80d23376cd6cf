"""The ListenBrainz-compatible API, driven by the official client library ``liblistenbrainz``."""

import time

import liblistenbrainz
import pytest
import requests
from django.db import connection
from knox.models import AuthToken
from liblistenbrainz.errors import InvalidAuthTokenException, ListenBrainzAPIException

from club.models import ListenEvent
from tests.core.factories import UserFactory

T0 = 1_735_689_600  # 2025-01-01 UTC


@pytest.fixture
def member(transactional_db):
    yield UserFactory(username="mira")
    # The live server's threads keep their own connections open past the test: close them.
    with connection.cursor() as cursor:
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        )


@pytest.fixture
def client(live_server, member):
    _, key = AuthToken.objects.create(user=member)
    client = liblistenbrainz.ListenBrainz()
    client.api_base_url = live_server.url
    client.set_auth_token(key)
    return client


def test_liblistenbrainz_submits_and_reads_back_listens(client, member):
    single = liblistenbrainz.Listen(
        track_name="Alison",
        artist_name="Slowdive",
        release_name="Souvlaki",
        listened_at=T0,
        recording_mbid="5b11f4ce-a62d-471e-81fc-a69a8278c7da",
        additional_info={"submission_client": "test-suite", "duration_ms": 230_000},
    )
    assert client.submit_single_listen(single) == {"status": "ok"}
    batch = [
        liblistenbrainz.Listen(
            track_name=f"Song {n}", artist_name="Duster", release_name="Stratosphere", listened_at=T0 + 600 * (n + 1)
        )
        for n in range(3)
    ]
    assert client.submit_multiple_listens(batch)["status"] == "ok"
    assert client.submit_multiple_listens(batch)["status"] == "ok"  # the same listens again: stored once
    assert ListenEvent.objects.filter(user=member).count() == 4

    listens = client.get_listens("mira", count=10)
    assert [listen.track_name for listen in listens] == ["Song 2", "Song 1", "Song 0", "Alison"]
    assert listens[-1].listened_at == T0
    assert listens[-1].recording_mbid == "5b11f4ce-a62d-471e-81fc-a69a8278c7da"
    assert listens[-1].release_name == "Souvlaki"
    assert [listen.track_name for listen in client.get_listens("mira", max_ts=T0 + 1200)] == ["Song 0", "Alison"]
    assert [listen.track_name for listen in client.get_listens("mira", min_ts=T0 + 600, count=1)] == ["Song 1"]


def test_liblistenbrainz_playing_now(client):
    assert client.get_playing_now("mira") is None
    now = liblistenbrainz.Listen(track_name="Heaven or Las Vegas", artist_name="Cocteau Twins")
    assert client.submit_playing_now(now)["status"] == "ok"
    playing = client.get_playing_now("mira")
    assert (playing.artist_name, playing.track_name) == ("Cocteau Twins", "Heaven or Las Vegas")
    assert not ListenEvent.objects.exists()


def test_invalid_token_is_refused(live_server, member):
    client = liblistenbrainz.ListenBrainz()
    client.api_base_url = live_server.url
    with pytest.raises(InvalidAuthTokenException):
        client.set_auth_token("not-a-token")
    client.set_auth_token("not-a-token", check_validity=False)
    with pytest.raises(ListenBrainzAPIException) as error:
        client.submit_single_listen(liblistenbrainz.Listen(track_name="x", artist_name="y", listened_at=T0))
    assert error.value.status_code == 401


def test_unknown_user_is_404(client):
    with pytest.raises(ListenBrainzAPIException) as error:
        client.get_listens("nobody-here")
    assert error.value.status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "Cannot parse JSON"),
        ({"listen_type": "weird", "payload": []}, "listen_type"),
        ({"listen_type": "single", "payload": []}, "does not contain any listens"),
        ({"listen_type": "single", "payload": [{"listened_at": T0}, {"listened_at": T0}]}, "more than one listen"),
        (
            {"listen_type": "single", "payload": [{"listened_at": T0, "track_metadata": {"artist_name": "a"}}]},
            "track_name",
        ),
        (
            {"listen_type": "single", "payload": [{"track_metadata": {"artist_name": "a", "track_name": "b"}}]},
            "listened_at",
        ),
        (
            {
                "listen_type": "import",
                "payload": [{"listened_at": 1000, "track_metadata": {"artist_name": "a", "track_name": "b"}}],
            },
            "too low",
        ),
        (
            {
                "listen_type": "playing_now",
                "payload": [{"listened_at": T0, "track_metadata": {"artist_name": "a", "track_name": "b"}}],
            },
            "must not contain listened_at",
        ),
        (
            {
                "listen_type": "single",
                "payload": [
                    {
                        "listened_at": T0,
                        "track_metadata": {
                            "artist_name": "a",
                            "track_name": "b",
                            "additional_info": {"duration_ms": -5},
                        },
                    }
                ],
            },
            "duration_ms",
        ),
        (
            {
                "listen_type": "single",
                "payload": [{"listened_at": T0, "track_metadata": {"artist_name": "a\x00", "track_name": "b"}}],
            },
            "null character",
        ),
        (
            {
                "listen_type": "single",
                "payload": [
                    {
                        "listened_at": T0,
                        "track_metadata": {"artist_name": "a", "track_name": "b", "additional_info": {"x": ["\x00"]}},
                    }
                ],
            },
            "null character",
        ),
        (
            {
                "listen_type": "single",
                "payload": [
                    {"listened_at": T0, "track_metadata": {"artist_name": "a", "track_name": "b", "release_name": 5}}
                ],
            },
            "release_name",
        ),
        (
            {
                "listen_type": "import",
                "payload": [{"listened_at": 10**12, "track_metadata": {"artist_name": "a", "track_name": "b"}}],
            },
            "too high",
        ),
    ],
)
def test_bad_submissions_get_listenbrainz_400s(live_server, member, body, message):
    import json

    _, key = AuthToken.objects.create(user=member)
    response = requests.post(
        f"{live_server.url}/1/submit-listens",
        data=body if isinstance(body, str) else json.dumps(body),
        headers={"Authorization": f"Token {key}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["code"] == 400 and message in response.json()["error"]
    assert not ListenEvent.objects.exists()


def test_reads_need_a_token_and_bad_query_parameters_are_400(client, live_server):
    url = f"{live_server.url}/1/user/mira/listens"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(f"{live_server.url}/1/user/mira/playing-now", timeout=10).status_code == 401
    auth = {"Authorization": f"Token {client._auth_token}"}
    response = requests.get(url, params={"count": "lots"}, headers=auth, timeout=10)
    assert response.status_code == 400 and "count" in response.json()["error"]
    response = requests.get(url, params={"min_ts": 1, "max_ts": 2}, headers=auth, timeout=10)
    assert response.status_code == 400
    response = requests.get(url, params={"count": -1}, headers=auth, timeout=10)
    assert response.status_code == 400
    for name in ("max_ts", "min_ts"):
        response = requests.get(url, params={name: 10**15}, headers=auth, timeout=10)
        assert response.status_code == 400 and name in response.json()["error"]
    assert requests.get(f"{live_server.url}/1/validate-token", timeout=10).status_code == 400
    assert time.time() > T0


def test_liblistenbrainz_listen_count(client, member):
    assert client.get_user_listen_count("mira") == 0
    batch = [
        liblistenbrainz.Listen(track_name=f"Song {n}", artist_name="Duster", listened_at=T0 + 60 * n) for n in range(3)
    ]
    client.submit_multiple_listens(batch)
    assert client.get_user_listen_count("mira") == 3
    with pytest.raises(ListenBrainzAPIException) as raised:
        client.get_user_listen_count("nobody")
    assert raised.value.status_code == 404


def test_liblistenbrainz_artist_stats(client, member):
    assert client.get_user_artists("mira") is None  # no listens yet: 204, as from ListenBrainz
    now = int(time.time()) - 60
    listens = [liblistenbrainz.Listen(track_name=f"S{n}", artist_name="Duster", listened_at=now - n) for n in range(3)]
    listens.append(liblistenbrainz.Listen(track_name="Alison", artist_name="Slowdive", listened_at=now - 100))
    listens.append(liblistenbrainz.Listen(track_name="Old", artist_name="Slowdive", listened_at=T0))
    client.submit_multiple_listens(listens)
    payload = client.get_user_artists("mira")["payload"]
    assert [(a["artist_name"], a["listen_count"]) for a in payload["artists"]] == [("Duster", 3), ("Slowdive", 2)]
    assert payload["total_artist_count"] == 2 and payload["range"] == "all_time"
    # ListenBrainz's "week" is last calendar week; "this_week" runs from Monday to now
    week = client.get_user_artists("mira", time_range="this_week")["payload"]
    assert [(a["artist_name"], a["listen_count"]) for a in week["artists"]] == [("Duster", 3), ("Slowdive", 1)]
    second = client.get_user_artists("mira", count=1, offset=1)["payload"]
    assert [a["artist_name"] for a in second["artists"]] == ["Slowdive"]
    auth = {"Authorization": f"Token {client._auth_token}"}
    response = requests.get(
        f"{client.api_base_url}/1/stats/user/mira/artists", params={"range": "forever"}, headers=auth, timeout=10
    )
    assert response.status_code == 400 and response.json()["error"] == "Invalid range: forever"


def test_additional_info_is_kept_whole_and_msid_is_stable(client, member):
    info = {"submission_client": "test-suite", "custom_key": {"nested": [1, 2]}, "listening_from": "kitchen"}
    first = liblistenbrainz.Listen(
        track_name="Alison", artist_name="Slowdive", release_name="Souvlaki", listened_at=T0, additional_info=info
    )
    again = liblistenbrainz.Listen(
        track_name="alison ", artist_name="Slowdive", release_name="Souvlaki", listened_at=T0 + 600
    )
    other = liblistenbrainz.Listen(track_name="Machine Gun", artist_name="Slowdive", listened_at=T0 + 1200)
    client.submit_multiple_listens([first, again, other])
    listens = {listen.listened_at: listen for listen in client.get_listens("mira", count=10)}
    assert listens[T0].additional_info["custom_key"] == {"nested": [1, 2]}
    assert listens[T0].additional_info["listening_from"] == "kitchen"
    assert listens[T0].recording_msid and listens[T0].recording_msid == listens[T0 + 600].recording_msid
    assert listens[T0 + 1200].recording_msid not in (None, listens[T0].recording_msid)


def test_over_long_fields_are_refused_not_cut(client, member):
    long_artist = liblistenbrainz.Listen(track_name="Song", artist_name="A" * 5000, listened_at=T0)
    with pytest.raises(ListenBrainzAPIException) as raised:
        client.submit_single_listen(long_artist)
    assert raised.value.status_code == 400 and "artist_name is too long" in raised.value.message
    assert not ListenEvent.objects.exists()


def test_listen_count_and_artist_stats_are_private_to_club_mates(live_server, member):
    stranger = UserFactory(username="stranger")
    _, key = AuthToken.objects.create(user=stranger)
    auth = {"Authorization": f"Token {key}"}
    for path in ("/1/user/mira/listen-count", "/1/stats/user/mira/artists"):
        response = requests.get(f"{live_server.url}{path}", headers=auth, timeout=10)
        assert response.status_code == 404 and response.json()["code"] == 404
        assert requests.get(f"{live_server.url}{path}", timeout=10).status_code == 401


# Found by the fuzz test (tests/club/test_listenbrainz_fuzz.py) or against ListenBrainz's documentation -------------


@pytest.fixture
def member_client(db):
    from django.test import Client

    _, key = AuthToken.objects.create(user=UserFactory(username="mira"))
    return Client(headers={"Authorization": f"Token {key}"}), key


@pytest.mark.parametrize("listen_type", [["single"], {"single": 1}, 5, None, True])
def test_listen_type_of_another_json_type_is_listenbrainz_400(member_client, listen_type):
    import json

    from catalog.models import Track
    from club.models import NowPlaying

    client, _ = member_client
    listen = {"listened_at": T0, "track_metadata": {"artist_name": "Duster", "track_name": "Echo"}}
    response = client.post(
        "/1/submit-listens",
        json.dumps({"listen_type": listen_type, "payload": [listen]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"code": 400, "error": "JSON document requires a valid listen_type key."}
    assert not ListenEvent.objects.exists() and not NowPlaying.objects.exists() and not Track.objects.exists()


@pytest.mark.parametrize("path", ["user/mira/listens", "user/mira/playing-now", "user/mira/listen-count"])
def test_reads_answer_head_as_get_without_a_body(member_client, path):
    client, _ = member_client
    response = client.head(f"/1/{path}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content == b""
    assert client.head("/1/user/nobody/listens").status_code == 404


def test_validate_token_takes_the_token_as_a_query_parameter_as_listenbrainz_documents(member_client):
    from django.test import Client

    _, key = member_client
    assert Client().get("/1/validate-token", {"token": key}).json() == {
        "code": 200,
        "message": "Token valid.",
        "valid": True,
        "user_name": "mira",
    }
    assert Client().get("/1/validate-token", {"token": "nope"}).json()["valid"] is False
    response = Client().get("/1/validate-token", {"token": " "})
    assert response.status_code == 400 and response.json()["code"] == 400


@pytest.mark.parametrize("offset", [1, 2**63 - 1, 2**63, 10**30])
def test_artist_stats_offset_past_the_end_is_an_empty_page(member_client, offset):
    from django.contrib.auth import get_user_model

    from tests.club.factories import ListenEventFactory

    client, _ = member_client
    ListenEventFactory(user=get_user_model().objects.get(username="mira"))
    response = client.get("/1/stats/user/mira/artists", {"offset": offset})
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert (payload["artists"], payload["count"], payload["total_artist_count"], payload["offset"]) == (
        [],
        0,
        1,
        offset,
    )
