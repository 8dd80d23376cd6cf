from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog import services
from catalog.api import serializers
from catalog.filtersets import (
    AlbumFilterSet,
    ArtistFilterSet,
    GenreFilterSet,
    PresetFilterSet,
    SampleFilterSet,
    TrackFeaturesFilterSet,
    TrackFilterSet,
)
from catalog.models import Album, Artist, Genre, Preset, Sample, Track, TrackFeatures
from core.api.parsers import FormParser, JSONParser, MultiPartParser
from core.api.views import BaseModelViewSet


class GenreViewSet(BaseModelViewSet):
    queryset = Genre.objects.all()
    serializer_class = serializers.GenreSerializer
    filterset_class = GenreFilterSet
    ordering_fields = ["name", "created_at"]


class ArtistViewSet(BaseModelViewSet):
    queryset = Artist.objects.all()
    serializer_class = serializers.ArtistSerializer
    filterset_class = ArtistFilterSet
    ordering_fields = ["name", "sort_name", "created_at"]


class AlbumViewSet(BaseModelViewSet):
    """Albums with their primary artist, genres and tracks."""

    queryset = Album.objects.select_related("artist").prefetch_related(
        "genres", Prefetch("tracks", queryset=Track.objects.order_by("disc_number", "track_number", "title"))
    )
    serializer_class = serializers.AlbumSerializer
    filterset_class = AlbumFilterSet
    ordering_fields = ["title", "release_year", "created_at"]


class TrackViewSet(BaseModelViewSet):
    queryset = Track.objects.select_related("album__artist", "features").prefetch_related("artists")
    serializer_class = serializers.TrackSerializer
    filterset_class = TrackFilterSet
    ordering_fields = ["title", "duration_ms", "created_at", "disc_number", "track_number"]


class TrackFeaturesViewSet(BaseModelViewSet):
    queryset = TrackFeatures.objects.select_related("track")
    serializer_class = serializers.TrackFeaturesSerializer
    filterset_class = TrackFeaturesFilterSet
    ordering_fields = ["energy", "valence", "danceability", "tempo", "created_at"]


@extend_schema_view(  # a sample is its audio: written as multipart form data only
    create=extend_schema(request={"multipart/form-data": serializers.SampleSerializer}),
    update=extend_schema(request={"multipart/form-data": serializers.SampleSerializer}),
    partial_update=extend_schema(request={"multipart/form-data": serializers.SampleSerializer}),
)
class SampleViewSet(BaseModelViewSet):
    """Library samples. Uploads are decoded and embedded by ``catalog.services``; deleting is soft."""

    queryset = Sample.objects.all()
    serializer_class = serializers.SampleSerializer
    filterset_class = SampleFilterSet
    ordering_fields = ["name", "bpm", "duration_seconds", "created_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def perform_create(self, serializer):
        serializer.instance = services.sample_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.sample_update(sample=serializer.instance, data=dict(serializer.validated_data))

    @extend_schema(
        parameters=[serializers.SimilarQuerySerializer], responses=serializers.SampleNeighbourSerializer(many=True)
    )
    @action(detail=True, methods=["get"])
    def similar(self, request, pk=None):
        """The ``k`` nearest samples by cosine distance of their audio features or style embeddings."""
        query = serializers.SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        neighbours = services.sample_similar(sample=self.get_object(), **query.validated_data)
        return Response(serializers.SampleNeighbourSerializer(neighbours, many=True).data)

    @extend_schema(
        request={
            "application/json": serializers.SampleSearchSerializer,
            "multipart/form-data": serializers.SampleSearchSerializer,
        },
        responses=serializers.SampleNeighbourSerializer(many=True),
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        """Nearest samples to a given vector, or to an uploaded audio clip."""
        query = serializers.SampleSearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        by, k = query.validated_data["by"], query.validated_data["k"]
        if "audio_file" in query.validated_data:
            vector = services.audio_query_vector(audio_file=query.validated_data["audio_file"])
        else:
            vector = services.parse_vector(value=request.data.get("vector"), by=by)
        neighbours = services.sample_nearest(vector=vector, by=by, k=k)
        return Response(serializers.SampleNeighbourSerializer(neighbours, many=True).data)

    def get_permissions(self):
        if self.action == "search":  # a read, even though it is a POST
            return [IsAuthenticated()]
        return super().get_permissions()


class PresetViewSet(BaseModelViewSet):
    queryset = Preset.objects.all()
    serializer_class = serializers.PresetSerializer
    filterset_class = PresetFilterSet
    ordering_fields = ["name", "target_plugin", "created_at"]
