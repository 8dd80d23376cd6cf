"""Admin pages of the catalog: the primary editing UI for albums, tracks, samples and presets."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog import services
from catalog.models import Album, Artist, Genre, Preset, Sample, Track, TrackFeatures
from core.admin import BaseAdmin, SoftDeleteAdmin
from core.formsets import StackedInline, TabularInline


@admin.register(Genre)
class GenreAdmin(BaseAdmin):
    list_display = ["name", "slug", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Artist)
class ArtistAdmin(BaseAdmin):
    list_display = ["name", "sort_name", "mbid", "spotify_id"]
    list_filter = ["created_at"]
    search_fields = ["name", "sort_name", "mbid", "spotify_id"]


class TrackInline(TabularInline):
    model = Track
    extra = 0
    fields = ["disc_number", "track_number", "title", "artist_credit", "duration_ms", "isrc", "mbid", "spotify_id"]
    ordering = ["disc_number", "track_number"]
    show_change_link = True


@admin.register(Album)
class AlbumAdmin(BaseAdmin):
    list_display = ["title", "artist", "release_year", "mbid", "track_count"]
    list_filter = ["release_year", "genres"]
    search_fields = ["title", "artist__name", "mbid", "spotify_id"]
    list_select_related = ["artist"]
    autocomplete_fields = ["artist", "genres"]
    fieldsets = [
        (None, {"fields": ["id", "title", "artist", "release_year", "genres", "cover_url"]}),
        (_("Identifiers"), {"fields": ["mbid", "spotify_id"]}),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [TrackInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_track_count()

    @admin.display(description=_("tracks"), ordering="track_count")
    def track_count(self, obj):
        return obj.track_count


class TrackFeaturesInline(StackedInline):
    model = TrackFeatures
    extra = 0
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Track)
class TrackAdmin(BaseAdmin):
    list_display = ["title", "album", "artist_credit", "disc_number", "track_number", "duration_ms"]
    list_filter = ["album__release_year", "features__source"]
    search_fields = ["title", "artist_credit", "album__title", "isrc", "mbid", "spotify_id"]
    list_select_related = ["album"]
    autocomplete_fields = ["album", "artists"]
    inlines = [TrackFeaturesInline]


@admin.register(TrackFeatures)
class TrackFeaturesAdmin(BaseAdmin):
    list_display = ["track", "energy", "valence", "danceability", "tempo", "source"]
    list_filter = ["source"]
    search_fields = ["track__title", "track__album__title"]
    list_select_related = ["track"]
    autocomplete_fields = ["track"]


class SampleAdminForm(forms.ModelForm):
    """Decodes an uploaded file while the form validates, so a non-audio file is an error on the field."""

    class Meta:
        model = Sample
        fields = ["name", "category", "audio_file", "bpm", "key", "tags"]

    def clean_audio_file(self):
        audio_file = self.cleaned_data["audio_file"]
        if audio_file and "audio_file" in self.changed_data:
            try:
                services.sample_validate_audio(audio_file=audio_file)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["audio_file"]) from exc
        return audio_file


@admin.register(Sample)
class SampleAdmin(SoftDeleteAdmin):
    form = SampleAdminForm
    list_display = ["name", "category", "bpm", "key", "duration_seconds", "embedded_at"]
    list_filter = ["category", "key", "embedded_at"]
    search_fields = ["name", "tags"]
    readonly_fields = [
        *SoftDeleteAdmin.readonly_fields,
        "player",
        "duration_seconds",
        "sample_rate",
        "channels",
        "embedded_at",
        "audio_neighbours",
        "style_neighbours",
    ]
    fieldsets = [
        (None, {"fields": ["id", "name", "category", "audio_file", "player", "bpm", "key", "tags"]}),
        (_("Read from the audio"), {"fields": ["duration_seconds", "sample_rate", "channels", "embedded_at"]}),
        (_("Nearest samples"), {"fields": ["audio_neighbours", "style_neighbours"]}),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("listen"))
    def player(self, obj):
        if not obj.pk or not obj.audio_file:
            return "-"
        return format_html('<audio controls preload="none" src="{}"></audio>', obj.audio_file.url)

    def _neighbours(self, obj, by):
        if not obj.pk:
            return "-"
        try:
            neighbours = services.sample_similar(sample=obj, by=by, k=10)
        except ValidationError:
            return _("Not embedded yet.")
        if not neighbours:
            return "-"
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> <small>(distance {})</small></li>',
            (
                (reverse("admin:catalog_sample_change", args=[sample.pk]), sample.name, f"{sample.distance:.3f}")
                for sample in neighbours
            ),
        )
        return format_html("<ol>{}</ol>", rows)

    @admin.display(description=_("by audio"))
    def audio_neighbours(self, obj):
        return self._neighbours(obj, "audio")

    @admin.display(description=_("by style"))
    def style_neighbours(self, obj):
        return self._neighbours(obj, "style")

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.changed_data}
        if change:
            services.sample_update(sample=obj, data=data)
        else:
            saved = services.sample_create(**{field: form.cleaned_data[field] for field in SampleAdminForm.Meta.fields})
            obj.pk = saved.pk
            obj._state.adding = False


@admin.register(Preset)
class PresetAdmin(BaseAdmin):
    list_display = ["name", "kind", "target_plugin", "created_at"]
    list_filter = ["kind", "target_plugin"]
    search_fields = ["name", "target_plugin", "tags"]
