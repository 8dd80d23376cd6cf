import factory
from factory.django import DjangoModelFactory

from catalog.choices import FeatureSource, PresetKind, SampleCategory
from catalog.models import Album, Artist, Genre, Preset, Sample, Track, TrackFeatures


class GenreFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Genre {n}")
    slug = factory.Sequence(lambda n: f"genre-{n}")

    class Meta:
        model = Genre
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True


class ArtistFactory(DjangoModelFactory):
    name = factory.Faker("name")
    # an artist without a MusicBrainz id is unique by name: random names collide now and then, ids never
    mbid = factory.Faker("uuid4", cast_to=None)

    class Meta:
        model = Artist
        skip_postgeneration_save = True


class AlbumFactory(DjangoModelFactory):
    title = factory.Faker("catch_phrase")
    artist = factory.SubFactory(ArtistFactory)
    release_year = factory.Faker("random_int", min=1960, max=2025)
    mbid = factory.Faker("uuid4", cast_to=None)

    class Meta:
        model = Album
        skip_postgeneration_save = True

    @factory.post_generation
    def genres(self, create, extracted, **kwargs):
        if create and extracted:
            self.genres.set(extracted)


class TrackFactory(DjangoModelFactory):
    album = factory.SubFactory(AlbumFactory)
    title = factory.Faker("sentence", nb_words=3)
    artist_credit = factory.LazyAttribute(lambda o: o.album.artist.name)
    duration_ms = factory.Faker("random_int", min=90_000, max=420_000)
    disc_number = 1
    track_number = factory.Sequence(lambda n: n + 1)
    mbid = factory.Faker("uuid4", cast_to=None)

    class Meta:
        model = Track
        skip_postgeneration_save = True

    @factory.post_generation
    def artists(self, create, extracted, **kwargs):
        if create:
            self.artists.set(extracted if extracted is not None else [self.album.artist])


class TrackFeaturesFactory(DjangoModelFactory):
    track = factory.SubFactory(TrackFactory)
    energy = factory.Faker("pyfloat", min_value=0, max_value=1)
    valence = factory.Faker("pyfloat", min_value=0, max_value=1)
    danceability = factory.Faker("pyfloat", min_value=0, max_value=1)
    tempo = factory.Faker("pyfloat", min_value=60, max_value=180)
    acousticness = factory.Faker("pyfloat", min_value=0, max_value=1)
    instrumentalness = factory.Faker("pyfloat", min_value=0, max_value=1)
    source = FeatureSource.SPOTIFY

    class Meta:
        model = TrackFeatures
        skip_postgeneration_save = True


class SampleFactory(DjangoModelFactory):
    """A sample with real audio: a short sine tone written as WAV (see tests.catalog.audio)."""

    name = factory.Sequence(lambda n: f"Sample {n}")
    category = SampleCategory.SYNTH
    tags = factory.LazyFunction(lambda: ["tone"])
    audio_file = factory.LazyAttribute(lambda o: _tone_file(o.name))

    class Meta:
        model = Sample
        skip_postgeneration_save = True


def _tone_file(name: str, frequency: float = 440.0):
    from django.core.files.base import ContentFile

    from tests.catalog.audio import tone_wav

    return ContentFile(tone_wav(frequency), name=f"{name.lower().replace(' ', '-')}.wav")


class PresetFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Preset {n}")
    kind = PresetKind.EFFECT
    target_plugin = "compressor"
    parameters = factory.LazyFunction(lambda: {"threshold_db": -18, "ratio": 4, "attack_ms": 10, "release_ms": 120})
    tags = factory.LazyFunction(lambda: ["glue"])

    class Meta:
        model = Preset
        skip_postgeneration_save = True
