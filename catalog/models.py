"""The shared music catalog: artists, albums, tracks and their audio features, samples and presets.

Albums and tracks are what the album club nominates, rates and listens to; samples and
presets are the sound library of the composition studio. Samples carry two vectors that
``catalog.embeddings`` computes: ``audio_features`` from the audio itself and
``style_embedding`` from its descriptive text, both searched through HNSW indexes.
"""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from pgvector.django import CosineDistance, HnswIndex, VectorField

from catalog.choices import FeatureSource, PresetKind, SampleCategory
from catalog.validators import validate_isrc, validate_musical_key, validate_spotify_id, validate_tag
from core.models import BaseModel, SoftDeleteManager, SoftDeleteModel, SoftDeleteQuerySet, trigram_index
from core.search import contains_any

AUDIO_FEATURES_DIMENSIONS = 128
STYLE_EMBEDDING_DIMENSIONS = 512


def name_key(text: str | None) -> str:
    """The form of a name that identifies it when no external id does: case-folded, whitespace collapsed.

    Artists, albums and tracks store it (``name_key`` / ``title_key``) under a unique index, so that
    resolving a name to a row is one index lookup and two clients creating the same row at once
    end up with one row (``INSERT ... ON CONFLICT DO NOTHING`` and a re-read, see ``catalog.services``).
    """
    return " ".join((text or "").casefold().split())[:255]


class KeyedModel(models.Model):
    """A model with a computed key column (``key_fields``) under a unique constraint: forms never show the key,
    so ``full_clean()`` checks the constraints on it even when a form's exclusions name it."""

    key_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        self.clean()
        super().validate_constraints(exclude=set(exclude or ()) - set(self.key_fields))


def _unique_when_set(field: str, model: str, message: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[field],
        condition=~Q(**{field: ""}),
        name=f"catalog_{model}_{field}_unique",
        violation_error_message=message,
    )


@pghistory.track()
class Genre(BaseModel):
    """A genre or style tag (MusicBrainz's genres, Spotify's artist genres), normalised to one row per name."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="catalog_genre_name_unique", violation_error_message=_("This genre exists.")
            ),
        ]
        verbose_name = _("genre")
        verbose_name_plural = _("genres")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Artist(KeyedModel, BaseModel):
    """A performer or group, identified by MusicBrainz and Spotify ids where known."""

    name = models.CharField(max_length=255, db_index=True, verbose_name=_("name"))
    sort_name = models.CharField(
        max_length=255,
        blank=True,
        default="",
        verbose_name=_("sort name"),
        help_text=_("Name as sorted in lists, e.g. 'Beatles, The'. Defaults to the name."),
    )
    mbid = models.UUIDField(null=True, blank=True, unique=True, verbose_name=_("MusicBrainz id"))
    spotify_id = models.CharField(
        max_length=22,
        blank=True,
        default="",
        validators=[validate_spotify_id],
        verbose_name=_("Spotify id"),
    )
    name_key = models.CharField(
        max_length=255,
        editable=False,
        default="",
        verbose_name=_("name key"),
        help_text=_("The name case-folded with whitespace collapsed; unique among artists without a MusicBrainz id."),
    )

    key_fields = ("name_key",)

    class Meta:
        ordering = ["sort_name", "name"]
        constraints = [
            _unique_when_set("spotify_id", "artist", _("An artist with this Spotify id exists.")),
            models.UniqueConstraint(
                fields=["name_key"],
                condition=Q(mbid__isnull=True),
                name="catalog_artist_name_key_unique",
                violation_error_message=_(
                    "An artist with this name exists; give a MusicBrainz id to tell two artists of one name apart."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["sort_name", "name"], name="catalog_artist_sort_idx"),
            trigram_index("catalog_artist_name_trgm", "name"),
            trigram_index("catalog_artist_sort_name_trgm", "sort_name"),
        ]
        verbose_name = _("artist")
        verbose_name_plural = _("artists")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.sort_name = self.sort_name.strip() or self.name
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name_key = name_key(self.name)


class AlbumQuerySet(models.QuerySet):
    def with_track_count(self) -> AlbumQuerySet:
        return self.annotate(track_count=models.Count("tracks", distinct=True))


@pghistory.track()
class Album(KeyedModel, BaseModel):
    """A release: the unit the club nominates and rates."""

    title = models.CharField(max_length=255, verbose_name=_("title"))
    artist = models.ForeignKey(
        Artist,
        on_delete=models.PROTECT,
        related_name="albums",
        verbose_name=_("primary artist"),
    )
    release_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        db_index=True,
        validators=[MinValueValidator(1860), MaxValueValidator(2100)],
        verbose_name=_("release year"),
    )
    mbid = models.UUIDField(null=True, blank=True, unique=True, verbose_name=_("MusicBrainz release id"))
    spotify_id = models.CharField(
        max_length=22,
        blank=True,
        default="",
        validators=[validate_spotify_id],
        verbose_name=_("Spotify id"),
    )
    cover_url = models.URLField(max_length=500, blank=True, default="", verbose_name=_("cover URL"))
    genres = models.ManyToManyField(Genre, blank=True, related_name="albums", verbose_name=_("genres"))
    title_key = models.CharField(
        max_length=255,
        editable=False,
        default="",
        verbose_name=_("title key"),
        help_text=_("The title case-folded with whitespace collapsed; unique per artist without a MusicBrainz id."),
    )

    objects = AlbumQuerySet.as_manager()
    key_fields = ("title_key",)

    class Meta:
        ordering = ["title"]
        constraints = [
            _unique_when_set("spotify_id", "album", _("An album with this Spotify id exists.")),
            models.UniqueConstraint(
                fields=["artist", "title_key"],
                condition=Q(mbid__isnull=True),
                name="catalog_album_artist_title_key_unique",
                violation_error_message=_("This artist already has an album with this title."),
            ),
            models.CheckConstraint(
                condition=Q(release_year__isnull=True) | Q(release_year__gte=1860, release_year__lte=2100),
                name="catalog_album_release_year_range",
                violation_error_message=_("The release year must be between 1860 and 2100."),
            ),
        ]
        indexes = [
            models.Index(fields=["title"], name="catalog_album_title_idx"),
            trigram_index("catalog_album_title_trgm", "title"),
        ]
        verbose_name = _("album")
        verbose_name_plural = _("albums")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_key = name_key(self.title)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.title_key = name_key(self.title)


class TrackQuerySet(models.QuerySet):
    def search(self, value: str) -> TrackQuerySet:
        """Tracks whose title, artist credit or album title contains ``value`` (any case).

        The album titles are matched first (trigram index) and their ids put in the track condition
        (``core.search``), so every arm of the OR is served by an index (trigram on title and credit, the
        position index on the album) instead of a join that forces a scan of every track.
        """
        return self.filter(contains_any(self.model, ["title", "artist_credit", "album__title"], value))


@pghistory.track()
class Track(KeyedModel, BaseModel):
    """A recording on an album, credited to one or more artists."""

    album = models.ForeignKey(
        Album,
        on_delete=models.CASCADE,
        db_index=False,  # catalog_track_position_idx leads with the album
        related_name="tracks",
        verbose_name=_("album"),
    )
    title = models.CharField(max_length=255, verbose_name=_("title"))
    artists = models.ManyToManyField(Artist, blank=True, related_name="tracks", verbose_name=_("artists"))
    artist_credit = models.CharField(
        max_length=500,
        blank=True,
        default="",
        verbose_name=_("artist credit"),
        help_text=_("The credit as printed, e.g. 'Artist A feat. Artist B'. Defaults to the album artist."),
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("duration (ms)"))
    disc_number = models.PositiveSmallIntegerField(default=1, verbose_name=_("disc number"))
    track_number = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("track number"))
    isrc = models.CharField(max_length=12, blank=True, default="", validators=[validate_isrc], verbose_name=_("ISRC"))
    mbid = models.UUIDField(null=True, blank=True, unique=True, verbose_name=_("MusicBrainz recording id"))
    spotify_id = models.CharField(
        max_length=22,
        blank=True,
        default="",
        validators=[validate_spotify_id],
        verbose_name=_("Spotify id"),
    )
    title_key = models.CharField(
        max_length=255,
        editable=False,
        default="",
        verbose_name=_("title key"),
        help_text=_("The title case-folded with whitespace collapsed: how listens find tracks by name."),
    )

    objects = TrackQuerySet.as_manager()
    key_fields = ("title_key",)

    class Meta:
        ordering = ["album_id", "disc_number", "track_number", "title"]
        constraints = [
            _unique_when_set("spotify_id", "track", _("A track with this Spotify id exists.")),
            models.UniqueConstraint(
                fields=["album", "title_key"],
                condition=Q(mbid__isnull=True, track_number__isnull=True),
                name="catalog_track_album_title_key_unique",
                violation_error_message=_("This album already has a track of this title without a position."),
            ),
            models.UniqueConstraint(
                fields=["album", "disc_number", "track_number"],
                condition=Q(track_number__isnull=False),
                name="catalog_track_position_unique",
                violation_error_message=_("This album already has a track at this disc and position."),
            ),
            models.CheckConstraint(
                condition=Q(disc_number__gte=1) & (Q(track_number__isnull=True) | Q(track_number__gte=1)),
                name="catalog_track_position_positive",
                violation_error_message=_("Disc and track numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(duration_ms__isnull=True) | Q(duration_ms__gt=0),
                name="catalog_track_duration_positive",
                violation_error_message=_("A duration must be positive."),
            ),
        ]
        indexes = [
            models.Index(fields=["album", "disc_number", "track_number"], name="catalog_track_position_idx"),
            models.Index(fields=["isrc"], name="catalog_track_isrc_idx"),
            models.Index(fields=["title_key"], name="catalog_track_title_key_idx"),
            trigram_index("catalog_track_title_trgm", "title"),
            trigram_index("catalog_track_credit_trgm", "artist_credit"),
        ]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_key = name_key(self.title)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.title_key = name_key(self.title)


def _unit_interval(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0.0, f"{field}__lte": 1.0}),
        name=f"catalog_trackfeatures_{field}_range",
        violation_error_message=_("%(field)s must be between 0 and 1.") % {"field": field},
    )


UNIT_FEATURES = ["energy", "valence", "danceability", "acousticness", "instrumentalness"]


@pghistory.track()
class TrackFeatures(BaseModel):
    """Audio features of one track (Spotify's audio-features scale: 0-1, tempo in BPM) and where they came from."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="features", verbose_name=_("track"))
    energy = models.FloatField(null=True, blank=True, verbose_name=_("energy"))
    valence = models.FloatField(null=True, blank=True, verbose_name=_("valence"))
    danceability = models.FloatField(null=True, blank=True, verbose_name=_("danceability"))
    tempo = models.FloatField(null=True, blank=True, verbose_name=_("tempo (BPM)"))
    acousticness = models.FloatField(null=True, blank=True, verbose_name=_("acousticness"))
    instrumentalness = models.FloatField(null=True, blank=True, verbose_name=_("instrumentalness"))
    source = models.CharField(
        max_length=20,
        choices=FeatureSource.choices,
        default=FeatureSource.MANUAL,
        verbose_name=_("source"),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            *[_unit_interval(field) for field in UNIT_FEATURES],
            models.CheckConstraint(
                condition=Q(tempo__isnull=True) | Q(tempo__gt=0, tempo__lte=300),
                name="catalog_trackfeatures_tempo_range",
                violation_error_message=_("tempo must be between 0 and 300 BPM."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=FeatureSource.values),
                name="catalog_trackfeatures_source_valid",
                violation_error_message=_("Unknown feature source."),
            ),
        ]
        verbose_name = _("track features")
        verbose_name_plural = _("track features")

    def __str__(self) -> str:
        return f"Features of track {self.track_id}"


class SampleQuerySet(SoftDeleteQuerySet):
    def nearest(self, vector, *, field: str) -> SampleQuerySet:
        """Ordered by cosine distance to ``vector`` (annotated as ``distance``); slice it to use the HNSW index."""
        return (
            self.filter(**{f"{field}__isnull": False})
            .defer("audio_features", "style_embedding")
            .annotate(distance=CosineDistance(field, vector))
            .order_by("distance")
        )

    def missing_embeddings(self) -> SampleQuerySet:
        """Samples whose vectors are absent or were computed from other audio or text than they have now."""
        return self.filter(
            Q(audio_features__isnull=True)
            | Q(style_embedding__isnull=True)
            | ~Q(embedded_audio_sha256=models.F("audio_sha256"))
            | ~Q(embedded_text_sha256=models.F("text_sha256"))
        )


@pghistory.track(exclude=["audio_features", "style_embedding"])
class Sample(SoftDeleteModel, BaseModel):
    """A library sound (loop or one-shot) with metadata read from its audio and two similarity vectors."""

    name = models.CharField(max_length=255, verbose_name=_("name"))
    category = models.CharField(
        max_length=20,
        choices=SampleCategory.choices,
        default=SampleCategory.OTHER,
        db_index=True,
        verbose_name=_("category"),
    )
    audio_file = models.FileField(upload_to="samples/%Y/%m/", verbose_name=_("audio file"))
    audio_sha256 = models.CharField(
        max_length=64, blank=True, default="", editable=False, verbose_name=_("audio SHA-256")
    )
    duration_seconds = models.FloatField(null=True, blank=True, editable=False, verbose_name=_("duration (s)"))
    sample_rate = models.PositiveIntegerField(null=True, blank=True, editable=False, verbose_name=_("sample rate (Hz)"))
    channels = models.PositiveSmallIntegerField(null=True, blank=True, editable=False, verbose_name=_("channels"))
    bpm = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(400)],
        verbose_name=_("BPM"),
    )
    key = models.CharField(
        max_length=5,
        blank=True,
        default="",
        validators=[validate_musical_key],
        verbose_name=_("key"),
    )
    tags = ArrayField(
        models.CharField(max_length=50, validators=[validate_tag]),
        blank=True,
        default=list,
        verbose_name=_("tags"),
    )
    audio_features = VectorField(
        dimensions=AUDIO_FEATURES_DIMENSIONS,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("audio features"),
        help_text=_("64 log-mel band means and standard deviations, L2-normalised (catalog.embeddings)."),
    )
    style_embedding = VectorField(
        dimensions=STYLE_EMBEDDING_DIMENSIONS,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("style embedding"),
        help_text=_("Embedding of name, category and tags (catalog.embeddings.StyleEmbedder)."),
    )
    text_sha256 = models.CharField(
        max_length=64, blank=True, default="", editable=False, verbose_name=_("text SHA-256")
    )
    embedded_audio_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    embedded_text_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    embedded_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("embedded at"))

    objects = SoftDeleteManager.from_queryset(SampleQuerySet)()
    all_objects = models.Manager.from_queryset(SampleQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bpm__isnull=True) | Q(bpm__gte=20, bpm__lte=400),
                name="catalog_sample_bpm_range",
                violation_error_message=_("BPM must be between 20 and 400."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=SampleCategory.values),
                name="catalog_sample_category_valid",
                violation_error_message=_("Unknown sample category."),
            ),
        ]
        indexes = [
            HnswIndex(
                name="catalog_sample_audio_hnsw",
                fields=["audio_features"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            HnswIndex(
                name="catalog_sample_style_hnsw",
                fields=["style_embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            models.Index(fields=["name"], name="catalog_sample_name_idx"),
        ]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.tags = sorted({tag.strip().lower() for tag in self.tags if tag.strip()})
        super().save(*args, **kwargs)

    @property
    def style_text(self) -> str:
        """The text the style embedding is computed from."""
        return " ".join([self.name, self.category, *self.tags]).strip()


@pghistory.track()
class Preset(BaseModel):
    """Settings for an effect or instrument plugin; ``parameters`` is checked against the preset JSON schema."""

    name = models.CharField(max_length=255, db_index=True, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=PresetKind.choices, verbose_name=_("kind"))
    target_plugin = models.CharField(
        max_length=200,
        verbose_name=_("target plugin"),
        help_text=_("The plugin these settings are for, e.g. 'eq', 'compressor', 'reverb' or a synth's name."),
    )
    parameters = models.JSONField(default=dict, blank=True, verbose_name=_("parameters"))
    tags = ArrayField(
        models.CharField(max_length=50, validators=[validate_tag]),
        blank=True,
        default=list,
        verbose_name=_("tags"),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PresetKind.values),
                name="catalog_preset_kind_valid",
                violation_error_message=_("Unknown preset kind."),
            ),
            models.UniqueConstraint(
                fields=["target_plugin", "name"],
                name="catalog_preset_plugin_name_unique",
                violation_error_message=_("This plugin already has a preset with this name."),
            ),
        ]
        verbose_name = _("preset")
        verbose_name_plural = _("presets")

    def __str__(self) -> str:
        return f"{self.name} ({self.target_plugin})"

    def clean(self) -> None:
        from catalog.schemas import validate_preset_parameters

        validate_preset_parameters(self.parameters)
