"""The three importers on small files in the real export formats, through their management commands."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Track
from club.importers import lastfm, listenbrainz, spotify
from club.importers.base import ListenImporter
from club.models import ListenEvent
from tests.catalog.factories import TrackFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

MBID = "5b11f4ce-a62d-471e-81fc-a69a8278c7da"


def lb_listen(ts, artist="Slowdive", title="Alison", album="Souvlaki", **info):
    return {
        "listened_at": ts,
        "inserted_at": ts + 5,
        "track_metadata": {
            "artist_name": artist,
            "track_name": title,
            "release_name": album,
            "additional_info": info,
            "recording_msid": "0d8d1b0d-5e22-4e0e-9b9d-7a1d5a4b8d11",
            "mbid_mapping": None,
        },
    }


def write_lb_zip(path, listens_by_month, username="mira"):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("user.json", json.dumps({"user_id": 1, "username": username}))
        archive.writestr("feedback.jsonl", json.dumps({"recording_mbid": MBID, "score": 1}) + "\n")
        for month, listens in listens_by_month.items():
            archive.writestr(f"listens/2024/{month}.jsonl", "".join(json.dumps(item) + "\n" for item in listens))


def run(command, path, user, *extra):
    out = io.StringIO()
    call_command(command, str(path), "--user", user.username, "--no-analysis", *extra, stdout=out, verbosity=0)
    return out.getvalue()


class TestListenBrainz:
    def test_zip_export_is_imported_resolving_by_mbid_then_names_and_creating_missing_tracks(self, tmp_path):
        known = TrackFactory(mbid=MBID)
        named = TrackFactory(title="When the Sun Hits", album__title="Souvlaki", artist_credit="Slowdive")
        path = tmp_path / "listenbrainz_mira_1700000000.zip"
        write_lb_zip(
            path,
            {
                2: [lb_listen(1706745600, title="anything", recording_mbid=MBID)],
                10: [
                    lb_listen(1727740800, title="when the sun  HITS", artist="slowdive"),
                    lb_listen(
                        1727744400, artist="Cocteau Twins", title="Heaven or Las Vegas", album="Heaven or Las Vegas"
                    ),
                    {"listened_at": 1727748000, "track_metadata": {"artist_name": "No title"}},
                ],
            },
        )
        user = UserFactory()
        output = run("import_listenbrainz", path, user)
        assert "read 4, imported 3, duplicates 0, skipped 1" in output
        assert "unmatched 1 (tracks created: 1)" in output
        tracks = set(ListenEvent.objects.filter(user=user).values_list("track_id", flat=True))
        assert {known.pk, named.pk} <= tracks
        created = Track.objects.get(title="Heaven or Las Vegas")
        assert created.album.title == "Heaven or Las Vegas" and created.album.artist.name == "Cocteau Twins"
        first = ListenEvent.objects.get(user=user, track=known)
        assert first.played_at == datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC)
        assert first.metadata["recording_msid"]

    def test_reimport_is_idempotent(self, tmp_path):
        path = tmp_path / "export.zip"
        write_lb_zip(path, {1: [lb_listen(1704067200 + n * 600, title=f"Song {n % 3}") for n in range(5)]})
        user = UserFactory()
        run("import_listenbrainz", path, user)
        output = run("import_listenbrainz", path, user)
        assert "imported 0, duplicates 5" in output
        assert ListenEvent.objects.filter(user=user).count() == 5
        assert Track.objects.filter(title__startswith="Song ").count() == 3

    def test_legacy_json_array_and_old_listens_are_handled(self, tmp_path):
        path = tmp_path / "listens.json"
        legacy = [
            {**lb_listen(1500000000), "user_name": "mira"},
            lb_listen(1000000000),  # before 2002-10-01: ListenBrainz refuses it
            "garbage",
        ]
        path.write_text(json.dumps(legacy))
        user = UserFactory()
        summary = ListenImporter(user=user, source="listenbrainz").run(listenbrainz.parse(path))
        assert (summary.read, summary.imported, summary.skipped) == (3, 1, 2)
        assert summary.skip_reasons == {"before 2002-10-01": 1, "malformed": 1}

    def test_no_create_tracks_skips_unknown_tracks(self, tmp_path):
        path = tmp_path / "one.jsonl"
        path.write_text(json.dumps(lb_listen(1704067200, title="Unknown Song")) + "\n")
        output = run("import_listenbrainz", path, UserFactory(), "--no-create-tracks")
        assert "imported 0" in output and "not in the catalog" in output
        assert not Track.objects.filter(title="Unknown Song").exists()

    def test_several_exports_are_imported_for_the_members_their_user_json_names(self, tmp_path):
        from tests.club.factories import LinkedAccountFactory

        mira = UserFactory(username="mira")
        linked = LinkedAccountFactory(provider="listenbrainz", provider_user_id="lb-jo")
        write_lb_zip(tmp_path / "a.zip", {1: [lb_listen(1704067200)]}, username="mira")
        write_lb_zip(tmp_path / "b.zip", {1: [lb_listen(1704067200), lb_listen(1704070800)]}, username="lb-jo")
        out = io.StringIO()
        call_command(
            "import_listenbrainz",
            str(tmp_path / "a.zip"),
            str(tmp_path / "b.zip"),
            "--no-analysis",
            stdout=out,
            verbosity=0,
        )
        assert "read 3, imported 3" in out.getvalue()
        assert ListenEvent.objects.filter(user=mira).count() == 1
        assert ListenEvent.objects.filter(user=linked.user).count() == 2
        plain = tmp_path / "plain.jsonl"
        plain.write_text(json.dumps(lb_listen(1704067200)) + "\n")
        with pytest.raises(CommandError, match="--user is required"):
            call_command("import_listenbrainz", str(plain), verbosity=0)

    def test_unknown_user_is_a_command_error(self, tmp_path):
        with pytest.raises(CommandError, match="No user"):
            call_command("import_listenbrainz", str(tmp_path), "--user", "nobody")

    def test_odd_values_are_skipped_or_ignored_never_fatal(self, tmp_path):
        path = tmp_path / "odd.jsonl"
        odd = [
            lb_listen(1704067200, album=5, spotify_id=7, duration="long", artist_mbids="x"),  # kept, odd parts ignored
            lb_listen(1704067800, submission_client="bad\x00client"),  # PostgreSQL stores no NUL
            lb_listen(1704068400, artist="Slow\x00dive"),
            lb_listen(4102444800),  # 2100: not a real listen (and far years do not fit a timestamp)
        ]
        path.write_text("".join(json.dumps(item) + "\n" for item in odd) + '{"listened_at": Infinity}\n')
        user = UserFactory()
        output = run("import_listenbrainz", path, user)
        assert "read 5, imported 1, duplicates 0, skipped 4" in output
        assert "2 malformed" in output and "1 in the future" in output and "1 no artist or title" in output
        listen = ListenEvent.objects.get(user=user)
        assert listen.track.album.title == "[unknown album]" and listen.track.duration_ms is None

    def test_unreadable_export_is_a_command_error(self, tmp_path):
        path = tmp_path / "broken.zip"
        write_lb_zip(path, {1: [lb_listen(1704067200)]})
        path.write_bytes(path.read_bytes().replace(b"Alison", b"ALISON"))  # its checksum no longer matches
        with pytest.raises(CommandError, match="broken.zip"):
            run("import_listenbrainz", path, UserFactory())


class TestLastfm:
    def test_ghan_export_with_header_uses_uts(self, tmp_path):
        path = tmp_path / "recenttracks.csv"
        path.write_text(
            "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
            '"1767217094","31 Dec 2025, 21:38","Oneohtrix Point Never","9cea062d-4b0e-4f3c-9d8b-2f1c1f1e0a11",'
            '"Tranquilizer","dda7e98b-3c3e-4b5e-8f4e-3a6a9f7c2b22",'
            '"Modern Lust","da5d357e-1a2b-4c3d-9e8f-0a1b2c3d4e5f"\n'
            '1767217394,"31 Dec 2025, 21:43","Oneohtrix Point Never","","Tranquilizer","","Bumpy","",\n'
            '"not-a-time","x","Artist","","Album","","Track",""\n'
        )
        user = UserFactory()
        output = run("import_lastfm", path, user)
        assert "read 3, imported 2, duplicates 0, skipped 1 (1 bad date)" in output
        listen = ListenEvent.objects.get(user=user, track__title="Modern Lust")
        assert listen.played_at == datetime.datetime.fromtimestamp(1767217094, datetime.UTC)
        assert listen.metadata["lastfm_track_mbid"] == "da5d357e-1a2b-4c3d-9e8f-0a1b2c3d4e5f"
        assert listen.source == "lastfm"

    def test_file_that_is_not_utf8_is_a_command_error(self, tmp_path):
        path = tmp_path / "latin1.csv"
        path.write_bytes("Sigur Rós,Ágætis byrjun,Svefn-g-englar,22 Mar 2022 17:55\n".encode("latin-1"))
        with pytest.raises(CommandError, match="latin1.csv"):
            run("import_lastfm", path, UserFactory())

    def test_headerless_four_column_export(self, tmp_path):
        path = tmp_path / "mira.csv"
        path.write_text(
            "Slowdive,Souvlaki,Alison,22 Mar 2022 17:55\n"
            '"Slowdive","Souvlaki","Machine Gun","22 Mar 2022 18:01"\nbroken\n'
        )
        rows = list(lastfm.parse(path))
        assert rows[0].listened_at == int(datetime.datetime(2022, 3, 22, 17, 55, tzinfo=datetime.UTC).timestamp())
        assert rows[1].title == "Machine Gun" and rows[2] == "malformed"


class TestSpotify:
    def test_extended_history_uses_start_time_and_skips_like_listenbrainz(self, tmp_path):
        base = {
            "platform": "linux",
            "conn_country": "NO",
            "master_metadata_track_name": "Alison",
            "master_metadata_album_artist_name": "Slowdive",
            "master_metadata_album_album_name": "Souvlaki",
            "spotify_track_uri": "spotify:track:6rqhFgbbKwnb9MLmUQDhG6",
            "reason_start": "clickrow",
            "reason_end": "trackdone",
            "skipped": False,
            "incognito_mode": False,
        }
        items = [
            {**base, "ts": "2022-06-17T19:53:06Z", "ms_played": 230_000},
            {**base, "ts": "2022-06-17T20:00:00Z", "ms_played": 10_000, "reason_end": "fwdbtn"},
            {**base, "ts": "2022-06-17T21:00:00Z", "ms_played": 200_000, "incognito_mode": True},
            {**base, "ts": "2022-06-17T22:00:00Z", "ms_played": 20_000, "reason_end": "trackdone"},
            {
                **base,
                "ts": "2022-06-17T23:00:00Z",
                "ms_played": 900_000,
                "master_metadata_track_name": None,
                "episode_name": "A podcast",
            },
        ]
        path = tmp_path / "my_spotify_data.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(
                "Spotify Extended Streaming History/Streaming_History_Audio_2022_0.json", json.dumps(items)
            )
            archive.writestr("Spotify Extended Streaming History/Streaming_History_Video_2022.json", json.dumps(items))
        user = UserFactory()
        output = run("import_spotify", path, user)
        assert "read 5, imported 2" in output
        assert "1 incognito" in output and "1 not a music track" in output and "1 skipped or interrupted" in output
        first = ListenEvent.objects.filter(user=user).order_by("played_at").first()
        assert first.played_at == datetime.datetime(2022, 6, 17, 19, 49, 16, tzinfo=datetime.UTC)
        assert first.track.spotify_id == "6rqhFgbbKwnb9MLmUQDhG6"
        assert first.metadata["origin_url"].endswith("6rqhFgbbKwnb9MLmUQDhG6")

    def test_rows_with_values_of_the_wrong_type_are_malformed(self):
        row = {"ts": "2022-06-17T19:53:06Z", "master_metadata_album_artist_name": "Slowdive"}
        assert spotify.stream_row({**row, "master_metadata_track_name": 42, "ms_played": 100_000}) == "malformed"
        assert spotify.stream_row({**row, "master_metadata_track_name": "Alison", "ms_played": "lots"}) == "malformed"
        kept = spotify.stream_row(
            {**row, "master_metadata_track_name": "Alison", "ms_played": 100_000, "spotify_track_uri": 5}
        )
        assert kept.spotify_id == "" and kept.album == ""

    def test_spotify_track_uri_resolves_existing_track(self, tmp_path):
        track = TrackFactory(spotify_id="6rqhFgbbKwnb9MLmUQDhG6", title="Something else")
        row = spotify.stream_row(
            {
                "ts": "2022-06-17T19:53:06Z",
                "ms_played": 100_000,
                "master_metadata_track_name": "Alison",
                "master_metadata_album_artist_name": "Slowdive",
                "spotify_track_uri": "spotify:track:6rqhFgbbKwnb9MLmUQDhG6",
            }
        )
        user = UserFactory()
        ListenImporter(user=user, source="spotify").run([row])
        assert ListenEvent.objects.get(user=user).track_id == track.pk


def test_import_queues_listening_analysis(tmp_path, django_capture_on_commit_callbacks):
    from procrastinate.contrib.django.models import ProcrastinateJob

    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(lb_listen(1704067200)) + "\n")
    user = UserFactory()
    call_command("import_listenbrainz", str(path), "--user", user.username, stdout=io.StringIO(), verbosity=0)
    call_command("import_listenbrainz", str(path), "--user", user.username, stdout=io.StringIO(), verbosity=0)
    jobs = ProcrastinateJob.objects.filter(task_name="club.refresh_listening_analysis")
    assert [job.args for job in jobs] == [{"user_id": str(user.pk)}]
