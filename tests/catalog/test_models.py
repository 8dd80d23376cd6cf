import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Album, Preset, TrackFeatures
from core.testing import assert_stored_and_valid, assert_valid
from tests.catalog.factories import (
    AlbumFactory,
    ArtistFactory,
    GenreFactory,
    PresetFactory,
    SampleFactory,
    TrackFactory,
    TrackFeaturesFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [GenreFactory, ArtistFactory, AlbumFactory, TrackFactory, TrackFeaturesFactory, SampleFactory, PresetFactory],
)
def test_factory_defaults_pass_full_clean(factory):
    assert_stored_and_valid(factory())


@pytest.mark.parametrize("field", ["energy", "valence", "danceability", "acousticness", "instrumentalness"])
@pytest.mark.parametrize("value", [-0.01, 1.01])
def test_track_features_out_of_range_are_refused_by_model_and_database(field, value):
    features = TrackFeaturesFactory.build(track=TrackFactory(), **{field: value})
    with pytest.raises(ValidationError) as error:
        features.full_clean()
    assert field in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        features.save()


def test_track_features_tempo_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackFeaturesFactory(tempo=0)


def test_one_feature_row_per_track():
    features = TrackFeaturesFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackFeatures.objects.create(track=features.track)


def test_spotify_ids_are_unique_only_when_set():
    AlbumFactory(spotify_id="")
    AlbumFactory(spotify_id="")
    AlbumFactory(spotify_id="4aawyAB9vmqN3uQ7FjRGTy")
    with pytest.raises(ValidationError, match="Spotify id exists"):
        AlbumFactory.build(artist=ArtistFactory(), spotify_id="4aawyAB9vmqN3uQ7FjRGTy").full_clean()


def test_musicbrainz_ids_are_unique():
    album = AlbumFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Album.objects.create(title="Copy", artist=album.artist, mbid=album.mbid)


def test_track_position_is_unique_per_album_and_disc():
    track = TrackFactory(disc_number=1, track_number=3)
    TrackFactory(album=track.album, disc_number=2, track_number=3)
    with pytest.raises(ValidationError, match="already has a track"):
        TrackFactory.build(album=track.album, disc_number=1, track_number=3).full_clean()


def test_release_year_and_isrc_formats_are_checked():
    with pytest.raises(ValidationError) as error:
        AlbumFactory.build(artist=ArtistFactory(), release_year=1200).full_clean()
    assert "release_year" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        TrackFactory.build(album=AlbumFactory(), isrc="nope").full_clean()
    assert "isrc" in error.value.message_dict


def test_artist_sort_name_defaults_to_name():
    artist = ArtistFactory(name="  Juno Park ", sort_name="")
    assert (artist.name, artist.sort_name) == ("Juno Park", "Juno Park")


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"ratio": 0.5}, "$.ratio"),
        ({"bands": [{"type": "peak", "frequency_hz": 5}]}, "$.bands[0].frequency_hz"),
        ({"bands": [{"type": "wobble", "frequency_hz": 500}]}, "$.bands[0].type"),
        ({"envelope": {"attack_ms": -1}}, "$.envelope.attack_ms"),
        ({"custom": {"nested": True}}, "$.custom"),
        ([1, 2], "is not of type 'object'"),
    ],
)
def test_preset_parameters_are_checked_against_the_schema(parameters, message):
    preset = PresetFactory.build(parameters=parameters)
    with pytest.raises(ValidationError) as error:
        preset.full_clean()
    assert message in str(error.value.message_dict["parameters"])


def test_preset_accepts_known_and_plugin_specific_parameters():
    preset = PresetFactory.build(
        kind="instrument",
        target_plugin="Vital",
        parameters={
            "oscillators": [{"waveform": "sawtooth", "detune_cents": 7, "level": 0.8}],
            "envelope": {"attack_ms": 5, "decay_ms": 200, "sustain": 0.6, "release_ms": 400},
            "filter": {"type": "lowpass", "cutoff_hz": 1800, "resonance": 0.3},
            "macro_1": 0.25,
        },
    )
    assert_valid(preset)
    assert preset.parameters["macro_1"] == 0.25 and preset.parameters["filter"]["cutoff_hz"] == 1800


def test_preset_name_is_unique_per_plugin():
    PresetFactory(name="Glue", target_plugin="compressor")
    with pytest.raises(ValidationError, match="already has a preset"):
        Preset(name="Glue", target_plugin="compressor", kind="effect").full_clean()


def test_sample_tags_are_normalised():
    sample = SampleFactory(tags=["Warm ", "pad", "warm", " "])
    assert sample.tags == ["pad", "warm"]
