import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from catalog.models import Album, Artist, Genre, Preset, Sample, Track, TrackFeatures
from core.testing import CrudAPITests
from tests.catalog.audio import noise_wav, tone_wav
from tests.catalog.factories import (
    AlbumFactory,
    ArtistFactory,
    GenreFactory,
    PresetFactory,
    SampleFactory,
    TrackFactory,
    TrackFeaturesFactory,
)


class TestGenreAPI(CrudAPITests):
    model, factory, url_base = Genre, GenreFactory, "catalog-api:genre"

    def create_data(self):
        return {"name": "Trip Hop", "slug": "trip-hop"}

    def update_data(self):
        return {"name": "Trip-Hop"}


class TestArtistAPI(CrudAPITests):
    model, factory, url_base = Artist, ArtistFactory, "catalog-api:artist"

    def create_data(self):
        return {"name": "Static Parade", "mbid": "5b11f4ce-a62d-471e-81fc-a69a8278c7da"}

    def update_data(self):
        return {"sort_name": "Parade, Static"}


class TestAlbumAPI(CrudAPITests):
    model, factory, url_base = Album, AlbumFactory, "catalog-api:album"
    brief_fields = ["artist", "tracks", "genres"]

    def make(self, **kwargs):
        album = AlbumFactory(genres=[GenreFactory()], **kwargs)
        TrackFactory.create_batch(2, album=album)
        return album

    def create_data(self):
        return {"title": "Brass Weather", "artist_id": str(ArtistFactory().pk), "release_year": 2015, "genres": []}

    def update_data(self):
        return {"release_year": 2016}


class TestTrackAPI(CrudAPITests):
    model, factory, url_base = Track, TrackFactory, "catalog-api:track"
    brief_fields = ["album", "artists", "features"]

    def create_data(self):
        album = AlbumFactory()
        return {"title": "Opening", "album_id": str(album.pk), "artist_ids": [str(album.artist_id)], "track_number": 1}

    def update_data(self):
        return {"duration_ms": 200000}


class TestTrackFeaturesAPI(CrudAPITests):
    model, factory, url_base = TrackFeatures, TrackFeaturesFactory, "catalog-api:trackfeatures"

    def create_data(self):
        return {"track_id": str(TrackFactory().pk), "energy": 0.5, "valence": 0.4, "tempo": 120, "source": "manual"}

    def update_data(self):
        return {"energy": 0.9}


class TestPresetAPI(CrudAPITests):
    model, factory, url_base = Preset, PresetFactory, "catalog-api:preset"

    def create_data(self):
        return {
            "name": "Plate",
            "kind": "effect",
            "target_plugin": "reverb",
            "parameters": {"decay_s": 2.4, "mix": 0.3},
        }

    def update_data(self):
        return {"parameters": {"decay_s": 3.1}}


class TestSampleAPI(CrudAPITests):
    model, factory, url_base = Sample, SampleFactory, "catalog-api:sample"

    def create_data(self):
        return {"name": "A4", "category": "synth", "audio_file": SimpleUploadedFile("a4.wav", tone_wav(440))}

    def update_data(self):
        return {"bpm": 120.0}

    def test_create_makes_object(self, admin_api_client):
        response = admin_api_client.post(self.list_url(), self.create_data(), format="multipart")
        assert response.status_code == 201, response.data
        assert response.data["sample_rate"] == 22050 and response.data["embedded_at"]

    def test_write_without_permission_is_403(self, user_client):
        sample = self.make()
        assert user_client.post(self.list_url(), self.create_data(), format="multipart").status_code == 403
        assert user_client.delete(self.detail_url(sample)).status_code == 403

    def test_delete_removes_object(self, admin_api_client):
        sample = self.make()
        assert admin_api_client.delete(self.detail_url(sample)).status_code == 204
        assert Sample.all_objects.get(pk=sample.pk).is_deleted


@pytest.mark.django_db
class TestCatalogAPI:
    def test_upload_of_non_audio_is_400_naming_the_field(self, admin_api_client):
        response = admin_api_client.post(
            "/api/catalog/samples/",
            {"name": "Bad", "audio_file": SimpleUploadedFile("bad.wav", b"not audio")},
            format="multipart",
        )
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "audio_file"
        assert "not decodable audio" in response.data["message"]
        assert not Sample.all_objects.exists()

    def test_album_filters(self, user_client):
        genre = GenreFactory(slug="jazz")
        old = AlbumFactory(release_year=1965, genres=[genre])
        new = AlbumFactory(release_year=2020)
        TrackFeaturesFactory(track=TrackFactory(album=new))

        def ids(params):
            response = user_client.get("/api/catalog/albums/", params)
            assert response.status_code == 200, response.data
            return {row["id"] for row in response.data["results"]}

        assert ids({"year_min": 1960, "year_max": 1970}) == {str(old.pk)}
        assert ids({"genre": "jazz"}) == {str(old.pk)}
        assert ids({"has_features": "true"}) == {str(new.pk)}
        assert ids({"artist_id": str(new.artist_id)}) == {str(new.pk)}
        assert ids({"mbid": str(old.mbid)}) == {str(old.pk)}
        assert ids({"q": old.artist.name}) >= {str(old.pk)}

    def test_track_filters(self, user_client):
        with_features = TrackFeaturesFactory().track
        plain = TrackFactory(spotify_id="6rqhFgbbKwnb9MLmUQDhG6")
        rows = user_client.get("/api/catalog/tracks/", {"has_features": "true"}).data["results"]
        assert [row["id"] for row in rows] == [str(with_features.pk)]
        rows = user_client.get("/api/catalog/tracks/", {"spotify_id": plain.spotify_id}).data["results"]
        assert [row["id"] for row in rows] == [str(plain.pk)]
        assert rows[0]["features"] is None

    def test_album_exposes_its_tracks_in_order(self, user_client):
        album = AlbumFactory()
        TrackFactory(album=album, track_number=2, title="Second")
        TrackFactory(album=album, track_number=1, title="First")
        data = user_client.get(f"/api/catalog/albums/{album.pk}/").data
        assert [track["title"] for track in data["tracks"]] == ["First", "Second"]

    def test_similar_returns_neighbours_with_distances(self, user_client):
        base = services.sample_create(name="A4", audio_file=SimpleUploadedFile("a.wav", tone_wav(440)))
        services.sample_create(name="A#4", audio_file=SimpleUploadedFile("b.wav", tone_wav(466.16)))
        services.sample_create(name="Noise", audio_file=SimpleUploadedFile("n.wav", noise_wav()))
        response = user_client.get(f"/api/catalog/samples/{base.pk}/similar/", {"by": "audio", "k": 2})
        assert response.status_code == 200, response.data
        assert [row["sample"]["name"] for row in response.data] == ["A#4", "Noise"]
        assert 0 <= response.data[0]["distance"] < response.data[1]["distance"]
        style = user_client.get(f"/api/catalog/samples/{base.pk}/similar/", {"by": "style", "k": 10})
        assert style.status_code == 200 and len(style.data) == 2

    def test_similar_rejects_bad_parameters(self, user_client):
        sample = SampleFactory()
        response = user_client.get(f"/api/catalog/samples/{sample.pk}/similar/", {"by": "smell", "k": 0})
        assert response.status_code == 400
        assert {error["field"] for error in response.data["errors"]} == {"by", "k"}
        response = user_client.get(f"/api/catalog/samples/{sample.pk}/similar/")
        assert response.status_code == 400 and "no audio vector" in response.data["message"]

    def test_search_by_vector_and_by_audio_clip(self, user_client):
        services.sample_create(name="A4", audio_file=SimpleUploadedFile("a.wav", tone_wav(440)))
        services.sample_create(name="Noise", audio_file=SimpleUploadedFile("n.wav", noise_wav()))
        vector = list(Sample.objects.get(name="Noise").audio_features)
        response = user_client.post("/api/catalog/samples/search/", {"vector": vector, "k": 1}, format="json")
        assert response.status_code == 200, response.data
        assert response.data[0]["sample"]["name"] == "Noise"
        assert response.data[0]["distance"] == pytest.approx(0, abs=1e-5)
        clip = SimpleUploadedFile("q.wav", tone_wav(445))
        response = user_client.post("/api/catalog/samples/search/", {"audio_file": clip, "k": 1}, format="multipart")
        assert response.status_code == 200, response.data
        assert response.data[0]["sample"]["name"] == "A4"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"vector": [0.1] * 10}, "vector"),
            ({"vector": ["a"] * 128}, "vector"),
            ({"vector": [0.1] * 128, "by": "style"}, "vector"),
            ({}, None),
        ],
    )
    def test_search_rejects_bad_vectors(self, user_client, payload, field):
        response = user_client.post("/api/catalog/samples/search/", payload, format="json")
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] in (field, "vector.0")

    def test_search_with_non_audio_clip_is_400(self, user_client):
        clip = SimpleUploadedFile("q.wav", io.BytesIO(b"nope").read())
        response = user_client.post("/api/catalog/samples/search/", {"audio_file": clip}, format="multipart")
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "audio_file"

    def test_invalid_preset_parameters_are_400_with_json_path(self, admin_api_client):
        response = admin_api_client.post(
            "/api/catalog/presets/",
            {"name": "Bad", "kind": "effect", "target_plugin": "eq", "parameters": {"bands": [{"type": "x"}]}},
            format="json",
        )
        assert response.status_code == 400
        assert all(error["field"] == "parameters" for error in response.data["errors"])
        assert "$.bands[0]" in response.data["message"] or "$.bands[0]" in str(response.data["errors"])


@pytest.mark.django_db
def test_search_by_all_zero_vector_is_400_not_nan(user_client):
    response = user_client.post("/api/catalog/samples/search/", {"vector": [0.0] * 128}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "vector" and "zeros" in response.json()["message"]


@pytest.mark.django_db
def test_stored_zero_vectors_are_nobodys_neighbours(user_client):
    base = services.sample_create(name="A4", audio_file=SimpleUploadedFile("a.wav", tone_wav(440)))
    other = services.sample_create(name="A#4", audio_file=SimpleUploadedFile("b.wav", tone_wav(466.16)))
    silent = services.sample_create(name="Silence", audio_file=SimpleUploadedFile("s.wav", tone_wav(440)))
    Sample.objects.filter(pk=silent.pk).update(audio_features=[0.0] * 128)
    response = user_client.get(f"/api/catalog/samples/{base.pk}/similar/", {"by": "audio", "k": 10})
    assert response.status_code == 200, response.content[:300]
    assert [row["sample"]["id"] for row in response.json()] == [str(other.pk)]
    response = user_client.get(f"/api/catalog/samples/{silent.pk}/similar/", {"by": "audio"})
    assert response.status_code == 400 and "zeros" in response.json()["message"]


@pytest.mark.django_db
def test_id_filters_make_rows_distinct_only_across_to_many_relations():
    """``album_id`` (a foreign key) cannot repeat a track and needs no DISTINCT; ``artist_id`` (many-to-many) does."""
    from catalog.filtersets import TrackFilterSet

    track = TrackFactory()
    artists = [ArtistFactory(), ArtistFactory()]
    track.artists.set(artists)
    by_album = TrackFilterSet({"album_id": str(track.album_id)}, queryset=Track.objects.all()).qs
    by_artists = TrackFilterSet({"artist_id": ",".join(str(a.pk) for a in artists)}, queryset=Track.objects.all()).qs
    assert "DISTINCT" not in str(by_album.query)
    assert list(by_album) == [track]
    assert list(by_artists) == [track]
