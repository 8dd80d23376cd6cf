"""import_catalog on MusicBrainz release JSON and CSV: upserts, idempotent, all-or-nothing per file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Album, Artist, Genre, Track

pytestmark = pytest.mark.django_db

RELEASE = {
    "id": "b84ee12a-09ef-421b-82de-0441a926375b",
    "title": "Low Tide Signals",
    "date": "2019-03-08",
    "status": "Official",
    "artist-credit": [
        {
            "name": "The Harbour Lights",
            "joinphrase": "",
            "artist": {
                "id": "0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
                "name": "The Harbour Lights",
                "sort-name": "Harbour Lights, The",
            },
        }
    ],
    "genres": [{"name": "dream pop", "count": 3}],
    "media": [
        {
            "position": 1,
            "format": "CD",
            "tracks": [
                {
                    "id": "6b8c8a4d-3e1a-4c55-9b0d-1f0f5d3a7c01",
                    "number": "1",
                    "position": 1,
                    "title": "Breakwater",
                    "length": 215000,
                    "recording": {
                        "id": "e0b6a6d0-5b5b-4f36-8f3f-8c3f1b7b2a11",
                        "title": "Breakwater",
                        "length": 215000,
                        "isrcs": ["GBAYE1900001"],
                    },
                },
                {
                    "id": "6b8c8a4d-3e1a-4c55-9b0d-1f0f5d3a7c02",
                    "number": "2",
                    "position": 2,
                    "title": "Salt Lines",
                    "length": 187000,
                    "recording": {"id": "e0b6a6d0-5b5b-4f36-8f3f-8c3f1b7b2a12", "title": "Salt Lines"},
                    "artist-credit": [
                        {
                            "name": "The Harbour Lights",
                            "joinphrase": " feat. ",
                            "artist": {"id": "0383dadf-2a4e-4d10-a46a-e9e041da8eb3", "name": "The Harbour Lights"},
                        },
                        {
                            "name": "Mara Ellison",
                            "joinphrase": "",
                            "artist": {"id": "7d0e2c4a-1b7f-4a51-9d0a-3b9d8f6a2c33", "name": "Mara Ellison"},
                        },
                    ],
                },
            ],
        }
    ],
}


def run(*paths):
    out = io.StringIO()
    call_command("import_catalog", *map(str, paths), stdout=out, verbosity=0)
    return out.getvalue()


def test_musicbrainz_release_is_imported_with_tracks_artists_and_genres(tmp_path):
    path = tmp_path / "release.json"
    path.write_text(json.dumps(RELEASE))
    assert "1 album(s) created" in run(path)
    album = Album.objects.get(mbid=RELEASE["id"])
    assert (album.title, album.release_year, album.artist.sort_name) == (
        "Low Tide Signals",
        2019,
        "Harbour Lights, The",
    )
    assert list(album.genres.values_list("slug", flat=True)) == ["dream-pop"]
    tracks = list(album.tracks.order_by("track_number"))
    assert [(t.title, t.duration_ms, t.isrc) for t in tracks] == [
        ("Breakwater", 215000, "GBAYE1900001"),
        ("Salt Lines", 187000, ""),
    ]
    assert tracks[1].artist_credit == "The Harbour Lights feat. Mara Ellison"
    assert sorted(tracks[1].artists.values_list("name", flat=True)) == ["Mara Ellison", "The Harbour Lights"]


def test_second_import_changes_nothing_and_updates_by_mbid(tmp_path):
    path = tmp_path / "release.json"
    path.write_text(json.dumps(RELEASE))
    run(path)
    counts = (Album.objects.count(), Track.objects.count(), Artist.objects.count(), Genre.objects.count())
    assert "0 album(s) created, 1 updated" in run(path)
    assert (Album.objects.count(), Track.objects.count(), Artist.objects.count(), Genre.objects.count()) == counts
    renamed = {**RELEASE, "title": "Low Tide Signals (Remaster)"}
    path.write_text(json.dumps({"releases": [renamed]}))
    run(path)
    assert Album.objects.get(mbid=RELEASE["id"]).title == "Low Tide Signals (Remaster)"


def test_bad_json_release_reports_paths_and_writes_nothing(tmp_path):
    broken = json.loads(json.dumps(RELEASE))
    broken["id"] = "not-a-uuid"
    broken["media"][0]["tracks"][1]["length"] = -5
    path = tmp_path / "release.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(CommandError) as error:
        run(path)
    assert "$.id: 'not-a-uuid' is not a MusicBrainz id" in str(error.value)
    assert "$.media[0].tracks[1].length" in str(error.value)
    assert not Album.objects.exists() and not Artist.objects.exists()


def test_csv_is_imported_and_idempotent(tmp_path):
    path = tmp_path / "albums.csv"
    path.write_text(
        "artist,album,year,track,position,duration\n"
        "Juno Park,Paper Satellites,2020,Orbit,1,3:35\n"
        "Juno Park,Paper Satellites,2020,Relay,2,241\n"
        "Static Parade,Night Bus Geometry,2017,Last Stop,1,1:02:03\n"
    )
    assert "2 album(s) created" in run(path)
    assert "0 album(s) created, 2 updated" in run(path)
    album = Album.objects.get(title="Paper Satellites")
    assert [(t.title, t.duration_ms) for t in album.tracks.order_by("track_number")] == [
        ("Orbit", 215000),
        ("Relay", 241000),
    ]
    assert Track.objects.get(title="Last Stop").duration_ms == 3723000
    assert Track.objects.count() == 3


def test_csv_with_bad_rows_names_line_and_field_and_writes_nothing(tmp_path):
    path = tmp_path / "albums.csv"
    path.write_text(
        "artist,album,year,track,position,duration\n"
        "Juno Park,Paper Satellites,2020,Orbit,1,3:35\n"
        "Juno Park,Paper Satellites,20x0,Relay,two,soon\n"
        ",Paper Satellites,2020,Orbit,3,\n"
    )
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "line 3, year" in message and "line 3, position" in message and "line 3, duration" in message
    assert "line 4, artist: required" in message
    assert not Album.objects.exists()


def test_csv_with_missing_columns_is_refused(tmp_path):
    path = tmp_path / "albums.csv"
    path.write_text("artist,title\nA,B\n")
    with pytest.raises(CommandError, match="missing column"):
        run(path)


def test_missing_file_and_non_json_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.json")
    path = tmp_path / "junk.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="not JSON"):
        run(path)


@pytest.mark.django_db(transaction=True)
def test_parallel_imports_of_one_release_without_ids_store_it_once():
    from catalog.importers import ArtistRecord, ReleaseRecord, TrackRecord, release_upsert
    from core.testing import run_concurrently

    def release():
        artist = ArtistRecord(name="Night  Drive")
        return ReleaseRecord(
            title="Neon",
            artist=artist,
            year=2020,
            genres=["Synth-pop", "synth-pop", "Darkwave"],
            tracks=[TrackRecord(title=f"Track {n}", position=n, artists=[artist]) for n in range(1, 4)],
        )

    results = run_concurrently(*[lambda: release_upsert(release=release()) for _ in range(4)])
    assert all(not isinstance(result, Exception) for result in results), results
    assert Artist.objects.count() == 1
    assert Album.objects.count() == 1
    assert Track.objects.count() == 3
    assert Genre.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_genre_creation_makes_one_genre():
    from catalog.importers import genre_get_or_create
    from core.testing import run_concurrently

    results = run_concurrently(*[lambda: genre_get_or_create(name="Shoegaze") for _ in range(6)])
    assert len({getattr(result, "pk", result) for result in results}) == 1, results
    assert Genre.objects.count() == 1
