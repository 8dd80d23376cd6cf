"""Filters of the AMCS API: genre, BPM range, mood, tags contain, status, song and active runs, plus ``q``."""

import django_filters

from amcs.choices import (
    LyricsHookStrategy,
    PersonaKind,
    SongRenderEngine,
    SongStatus,
    SourceKind,
    StyleEnergy,
    WorkflowNode,
    WorkflowRunStatus,
)
from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Source, Style, WorkflowRun
from core.filtersets import CharInFilter, FilterSet, IdInFilter, SearchFilterSet


class TenantOwnedFilterSet(SearchFilterSet):
    tenant_id = IdInFilter(field_name="tenant_id", label="Tenant ids (comma-separated)")
    tenant = CharInFilter(field_name="tenant__slug", label="Tenant slugs (comma-separated)")


class DocumentFiltersMixin(FilterSet):
    """Rows with a document: find an imported row by the id its document had in the system it came from."""

    external_ref = django_filters.CharFilter(field_name="external_ref", label="External reference (the document's id)")


class StyleFiltersMixin(FilterSet):
    """BPM, mood and tag filters; ``style_prefix`` reaches the style from the filtered model."""

    style_prefix = ""
    bpm = django_filters.NumberFilter(method="filter_bpm", label="BPM inside the style's range")
    bpm_min = django_filters.NumberFilter(method="filter_bpm_min", label="Range starts at or above")
    bpm_max = django_filters.NumberFilter(method="filter_bpm_max", label="Range ends at or below")
    mood = CharInFilter(method="filter_mood", label="Moods, all present (comma-separated)")
    tags = CharInFilter(method="filter_tags", label="Tags, all present (comma-separated)")

    def filter_bpm(self, queryset, name, value):
        return queryset.tempo_includes(int(value), prefix=self.style_prefix)

    def filter_bpm_min(self, queryset, name, value):
        return queryset.filter(**{f"{self.style_prefix}bpm_min__gte": value})

    def filter_bpm_max(self, queryset, name, value):
        return queryset.filter(**{f"{self.style_prefix}bpm_max__lte": value})

    def filter_mood(self, queryset, name, value):
        return queryset.mood_contains(list(value), prefix=self.style_prefix)

    def filter_tags(self, queryset, name, value):
        return queryset.tags_contain(list(value), prefix=self.style_prefix)


class BlueprintFilterSet(DocumentFiltersMixin, TenantOwnedFilterSet):
    genre = django_filters.CharFilter(field_name="genre", lookup_expr="iexact")
    search_fields = ("genre", "version")

    class Meta:
        model = Blueprint
        fields = {"version": ["exact"]}


class PersonaFilterSet(DocumentFiltersMixin, TenantOwnedFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=PersonaKind.choices)
    search_fields = ("name", "bio")

    class Meta:
        model = Persona
        fields = {"is_public_release": ["exact"]}


class SourceFilterSet(DocumentFiltersMixin, TenantOwnedFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=SourceKind.choices)
    search_fields = ("name", "mcp_server_id")

    class Meta:
        model = Source
        fields = {"is_active": ["exact"]}


class StyleFilterSet(DocumentFiltersMixin, StyleFiltersMixin, TenantOwnedFilterSet):
    genre = django_filters.CharFilter(field_name="genre", lookup_expr="iexact")
    energy = django_filters.MultipleChoiceFilter(choices=StyleEnergy.choices)
    blueprint_id = IdInFilter(field_name="blueprint_id")
    search_fields = ("name", "genre")

    class Meta:
        model = Style
        fields = {"energy_level": ["exact", "gte", "lte"], "key": ["exact"]}


class SongFilterSet(DocumentFiltersMixin, StyleFiltersMixin, TenantOwnedFilterSet):
    style_prefix = "style__"
    genre = django_filters.CharFilter(field_name="style__genre", lookup_expr="iexact")
    status = django_filters.MultipleChoiceFilter(choices=SongStatus.choices)
    render_engine = django_filters.MultipleChoiceFilter(choices=SongRenderEngine.choices)
    blueprint_id = IdInFilter(field_name="blueprint_id")
    style_id = IdInFilter(field_name="style_id")
    persona_id = IdInFilter(field_name="persona_id")
    source_id = IdInFilter(field_name="sources__id", distinct=True)
    search_fields = ("title",)

    class Meta:
        model = Song
        fields = {"global_seed": ["exact"]}


class LyricsFilterSet(DocumentFiltersMixin, TenantOwnedFilterSet):
    song_id = IdInFilter(field_name="song_id")
    hook_strategy = django_filters.MultipleChoiceFilter(choices=LyricsHookStrategy.choices)
    search_fields = ("song__title",)

    class Meta:
        model = Lyrics
        fields = {"language": ["exact"]}


class ProducerNotesFilterSet(DocumentFiltersMixin, TenantOwnedFilterSet):
    song_id = IdInFilter(field_name="song_id")
    search_fields = ("song__title", "structure_string", "arrangement_notes")

    class Meta:
        model = ProducerNotes
        fields = {"hook_count": ["exact", "gte"]}


class WorkflowRunFilterSet(TenantOwnedFilterSet):
    song_id = IdInFilter(field_name="song_id")
    status = django_filters.MultipleChoiceFilter(choices=WorkflowRunStatus.choices)
    current_node = django_filters.MultipleChoiceFilter(choices=WorkflowNode.choices)
    active = django_filters.BooleanFilter(method="filter_active", label="Only running runs (true) or finished (false)")
    search_fields = ("song__title",)

    class Meta:
        model = WorkflowRun
        fields = {"run_id": ["exact"]}

    def filter_active(self, queryset, name, value):
        active = queryset.active()
        return active if value else queryset.exclude(pk__in=active.values("pk"))
