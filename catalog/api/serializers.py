from rest_framework import serializers

from catalog.choices import SimilarityBy
from catalog.models import Album, Artist, Genre, Preset, Sample, Track, TrackFeatures
from catalog.services import DIMENSIONS
from core.api.serializers import ValidatedModelSerializer


class GenreSerializer(ValidatedModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug", "created_at", "updated_at"]


class ArtistBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Artist
        fields = ["id", "name", "mbid"]
        read_only_fields = fields


class ArtistSerializer(ValidatedModelSerializer):
    class Meta:
        model = Artist
        fields = ["id", "name", "sort_name", "mbid", "spotify_id", "created_at", "updated_at"]


class AlbumBriefSerializer(serializers.ModelSerializer):
    artist = ArtistBriefSerializer(read_only=True)

    class Meta:
        model = Album
        fields = ["id", "title", "release_year", "artist"]
        read_only_fields = fields


class TrackBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "title", "disc_number", "track_number", "duration_ms", "artist_credit"]
        read_only_fields = fields


class TrackFeaturesBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackFeatures
        fields = ["energy", "valence", "danceability", "tempo", "acousticness", "instrumentalness", "source"]
        read_only_fields = fields


class AlbumSerializer(ValidatedModelSerializer):
    artist = ArtistBriefSerializer(read_only=True)
    artist_id = serializers.PrimaryKeyRelatedField(source="artist", queryset=Artist.objects.all(), write_only=True)
    genres = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=Genre.objects.all(), required=False)
    tracks = TrackBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Album
        fields = [
            "id",
            "title",
            "release_year",
            "mbid",
            "spotify_id",
            "cover_url",
            "artist",
            "artist_id",
            "genres",
            "tracks",
            "created_at",
            "updated_at",
        ]


class TrackSerializer(ValidatedModelSerializer):
    album = AlbumBriefSerializer(read_only=True)
    album_id = serializers.PrimaryKeyRelatedField(source="album", queryset=Album.objects.all(), write_only=True)
    artists = ArtistBriefSerializer(many=True, read_only=True)
    artist_ids = serializers.PrimaryKeyRelatedField(
        source="artists", queryset=Artist.objects.all(), many=True, write_only=True, required=False
    )
    features = TrackFeaturesBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Track
        fields = [
            "id",
            "title",
            "artist_credit",
            "disc_number",
            "track_number",
            "duration_ms",
            "isrc",
            "mbid",
            "spotify_id",
            "album",
            "album_id",
            "artists",
            "artist_ids",
            "features",
            "created_at",
            "updated_at",
        ]


class TrackFeaturesSerializer(ValidatedModelSerializer):
    track = TrackBriefSerializer(read_only=True)
    track_id = serializers.PrimaryKeyRelatedField(source="track", queryset=Track.objects.all(), write_only=True)

    class Meta:
        model = TrackFeatures
        fields = [
            "id",
            "energy",
            "valence",
            "danceability",
            "tempo",
            "acousticness",
            "instrumentalness",
            "source",
            "track",
            "track_id",
            "created_at",
            "updated_at",
        ]


class SampleSerializer(ValidatedModelSerializer):
    """A sample; ``audio_file`` is uploaded as multipart form data and read back as a URL."""

    class Meta:
        model = Sample
        fields = [
            "id",
            "name",
            "category",
            "audio_file",
            "duration_seconds",
            "sample_rate",
            "channels",
            "bpm",
            "key",
            "tags",
            "embedded_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["duration_seconds", "sample_rate", "channels", "embedded_at"]


class SampleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sample
        fields = ["id", "name", "category", "bpm", "key", "tags"]
        read_only_fields = fields


class SampleNeighbourSerializer(serializers.Serializer):
    sample = SampleBriefSerializer(source="*")
    distance = serializers.FloatField(help_text="Cosine distance: 0 is the same direction, 2 the opposite.")


class SimilarQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=SimilarityBy.choices, default=SimilarityBy.AUDIO)
    k = serializers.IntegerField(min_value=1, max_value=100, default=10)


class SampleSearchSerializer(SimilarQuerySerializer):
    """Search by a vector (JSON) or by an example audio clip (multipart, ``by`` is then audio)."""

    vector = serializers.ListField(
        child=serializers.FloatField(),
        required=False,
        help_text=f"{DIMENSIONS['audio']} or {DIMENSIONS['style']} numbers",
    )
    audio_file = serializers.FileField(required=False)

    def validate(self, attrs):
        if ("vector" in attrs) == ("audio_file" in attrs):
            raise serializers.ValidationError("Give either 'vector' or 'audio_file'.")
        if "audio_file" in attrs and attrs["by"] != SimilarityBy.AUDIO:
            raise serializers.ValidationError({"by": "An audio clip searches by 'audio'."})
        return attrs


class PresetSerializer(ValidatedModelSerializer):
    class Meta:
        model = Preset
        fields = ["id", "name", "kind", "target_plugin", "parameters", "tags", "created_at", "updated_at"]
