import django_filters
from django.db.models import Exists, OuterRef, Q

from catalog.choices import FeatureSource, PresetKind, SampleCategory
from catalog.models import Album, Artist, Genre, Preset, Sample, Track, TrackFeatures
from core.filtersets import CharInFilter, FilterSet, ModelMultipleChoiceFilter, SearchFilterSet
from core.search import contains_any


class GenreFilterSet(SearchFilterSet):
    search_fields = ("name", "slug")

    class Meta:
        model = Genre
        fields = {"slug": ["exact", "in"], "name": ["exact", "icontains"]}


class ArtistFilterSet(SearchFilterSet):
    search_fields = ("name", "sort_name")

    class Meta:
        model = Artist
        fields = {"mbid": ["exact"], "spotify_id": ["exact"], "name": ["exact", "icontains"]}


class AlbumFilterSet(SearchFilterSet):
    q = django_filters.CharFilter(method="search", label="Search title or artist")
    artist_id = ModelMultipleChoiceFilter(field_name="artist", queryset=Artist.objects.all())
    genre = CharInFilter(field_name="genres__slug", label="Genre slugs (comma-separated)", distinct=True)
    year_min = django_filters.NumberFilter(field_name="release_year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="release_year", lookup_expr="lte")
    has_features = django_filters.BooleanFilter(method="filter_has_features", label="Has tracks with features")

    search_fields = ("title", "artist__name")

    class Meta:
        model = Album
        fields = {"mbid": ["exact"], "spotify_id": ["exact"], "release_year": ["exact"], "title": ["icontains"]}

    def filter_has_features(self, queryset, name, value):
        with_features = Exists(TrackFeatures.objects.filter(track__album=OuterRef("pk")))
        return queryset.filter(with_features if value else ~with_features)


class TrackFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label="Search title or artist")
    album_id = ModelMultipleChoiceFilter(field_name="album", queryset=Album.objects.all())
    artist_id = ModelMultipleChoiceFilter(field_name="artists", queryset=Artist.objects.all())
    genre = CharInFilter(field_name="album__genres__slug", label="Genre slugs (comma-separated)", distinct=True)
    year_min = django_filters.NumberFilter(field_name="album__release_year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="album__release_year", lookup_expr="lte")
    has_features = django_filters.BooleanFilter(field_name="features", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Track
        fields = {"mbid": ["exact"], "spotify_id": ["exact"], "isrc": ["exact"], "title": ["icontains"]}

    def search(self, queryset, name, value):
        return queryset.search(value)


class TrackFeaturesFilterSet(FilterSet):
    track_id = ModelMultipleChoiceFilter(field_name="track", queryset=Track.objects.all())
    source = django_filters.MultipleChoiceFilter(choices=FeatureSource.choices)

    class Meta:
        model = TrackFeatures
        fields = {
            "energy": ["gte", "lte"],
            "valence": ["gte", "lte"],
            "danceability": ["gte", "lte"],
            "tempo": ["gte", "lte"],
        }


class SampleFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label="Search name or tags")
    category = django_filters.MultipleChoiceFilter(choices=SampleCategory.choices)
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    bpm_min = django_filters.NumberFilter(field_name="bpm", lookup_expr="gte")
    bpm_max = django_filters.NumberFilter(field_name="bpm", lookup_expr="lte")
    has_embeddings = django_filters.BooleanFilter(method="filter_has_embeddings")

    class Meta:
        model = Sample
        fields = {"key": ["exact"], "name": ["icontains"]}

    def search(self, queryset, name, value):
        return queryset.filter(contains_any(Sample, ["name"], value) | Q(tags__contains=[value.lower()]))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.lower()])

    def filter_has_embeddings(self, queryset, name, value):
        missing = queryset.missing_embeddings()
        return queryset.exclude(pk__in=missing.values("pk")) if value else missing


class PresetFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label="Search name, plugin or tags")
    kind = django_filters.ChoiceFilter(choices=PresetKind.choices)
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")

    class Meta:
        model = Preset
        fields = {"target_plugin": ["exact", "icontains"], "name": ["icontains"]}

    def search(self, queryset, name, value):
        return queryset.filter(
            contains_any(Preset, ["name", "target_plugin"], value) | Q(tags__contains=[value.lower()])
        )

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.lower()])
