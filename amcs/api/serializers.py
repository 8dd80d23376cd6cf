"""Serializers of the AMCS API: relations are written as ids (``<relation>_id``) and read as brief objects."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from amcs.choices import WorkflowEventPhase, WorkflowNode
from amcs.models import (
    Blueprint,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowEvent,
    WorkflowRun,
)
from amcs.services import song_validate_sources
from core.api.serializers import TenantOwnedSerializer

COMMON = ["tenant", "owner", "created_at", "updated_at"]


class TenantScopedField(serializers.PrimaryKeyRelatedField):
    """A related row of a tenant the requesting user belongs to; any other id is an invalid choice (400)."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class BlueprintBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Blueprint
        fields = ["id", "genre", "version"]
        read_only_fields = fields


class PersonaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Persona
        fields = ["id", "name"]
        read_only_fields = fields


class StyleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Style
        fields = ["id", "name", "genre"]
        read_only_fields = fields


class SongBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Song
        fields = ["id", "title"]
        read_only_fields = fields


class BlueprintSerializer(TenantOwnedSerializer):
    class Meta:
        model = Blueprint
        fields = [
            "id",
            "genre",
            "version",
            "tempo_bpm_min",
            "tempo_bpm_max",
            "required_sections",
            "section_lines",
            "banned_terms",
            "lexicon_positive",
            "lexicon_negative",
            "conflicting_tags",
            "rubric_weights",
            "min_total",
            "max_profanity",
            *COMMON,
        ]


class PersonaSerializer(TenantOwnedSerializer):
    class Meta:
        model = Persona
        fields = [
            "id",
            "name",
            "kind",
            "bio",
            "voice",
            "vocal_range",
            "delivery",
            "influences",
            "style_defaults",
            "lyrics_defaults",
            "is_public_release",
            "is_style_of_disallowed",
            *COMMON,
        ]


class SourceSerializer(TenantOwnedSerializer):
    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "config",
            "scopes",
            "allow",
            "deny",
            "weight",
            "has_provenance",
            "mcp_server_id",
            "is_active",
            "last_validated_at",
            *COMMON,
        ]


class StyleSerializer(TenantOwnedSerializer):
    blueprint = BlueprintBriefSerializer(read_only=True)
    blueprint_id = TenantScopedField(
        source="blueprint", queryset=Blueprint.objects.all(), write_only=True, required=False, allow_null=True
    )

    class Meta:
        model = Style
        fields = [
            "id",
            "name",
            "genre",
            "sub_genres",
            "fusions",
            "bpm_min",
            "bpm_max",
            "time_signature",
            "key",
            "modulations",
            "mood",
            "energy_level",
            "energy",
            "instrumentation",
            "vocal_profile",
            "tags_positive",
            "tags_negative",
            "blueprint",
            "blueprint_id",
            *COMMON,
        ]


class SongSerializer(TenantOwnedSerializer):
    blueprint = BlueprintBriefSerializer(read_only=True)
    blueprint_id = TenantScopedField(source="blueprint", queryset=Blueprint.objects.all(), write_only=True)
    style = StyleBriefSerializer(read_only=True)
    style_id = TenantScopedField(source="style", queryset=Style.objects.all(), write_only=True)
    persona = PersonaBriefSerializer(read_only=True)
    persona_id = TenantScopedField(
        source="persona", queryset=Persona.objects.all(), write_only=True, required=False, allow_null=True
    )
    sources = TenantScopedField(many=True, queryset=Source.objects.all(), required=False)

    class Meta:
        model = Song
        fields = [
            "id",
            "title",
            "sds_version",
            "global_seed",
            "status",
            "feature_flags",
            "positive_tags",
            "negative_tags",
            "max_style_chars",
            "max_prompt_chars",
            "render_engine",
            "render_model",
            "render_num_variations",
            "target_duration_sec",
            "blueprint",
            "blueprint_id",
            "style",
            "style_id",
            "persona",
            "persona_id",
            "sources",
            *COMMON,
        ]

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if "sources" in attrs:
            tenant = attrs.get("tenant") or self.instance.tenant
            song_validate_sources(tenant=tenant, sources=attrs["sources"])
        return attrs


class SongPartSerializer(TenantOwnedSerializer):
    song = SongBriefSerializer(read_only=True)
    song_id = TenantScopedField(source="song", queryset=Song.objects.all(), write_only=True)


class LyricsSerializer(SongPartSerializer):
    class Meta:
        model = Lyrics
        fields = [
            "id",
            "language",
            "pov",
            "tense",
            "themes",
            "rhyme_scheme",
            "meter",
            "syllables_per_line",
            "hook_strategy",
            "repetition_policy",
            "repetition_rules",
            "imagery_density",
            "reading_level",
            "section_order",
            "sections",
            "is_explicit_allowed",
            "max_lines",
            "section_requirements",
            "source_citations",
            "song",
            "song_id",
            *COMMON,
        ]


class ProducerNotesSerializer(SongPartSerializer):
    class Meta:
        model = ProducerNotes
        fields = [
            "id",
            "structure",
            "structure_string",
            "hook_count",
            "section_tags",
            "section_durations",
            "instrumentation_hints",
            "mix_targets",
            "arrangement_notes",
            "song",
            "song_id",
            *COMMON,
        ]


class WorkflowRunSerializer(TenantOwnedSerializer):
    #: read-only plain text, so the OpenAPI schema names the node choices once (``NodeEnum``, from events)
    current_node = serializers.CharField(read_only=True)
    song = SongBriefSerializer(read_only=True)
    song_id = TenantScopedField(source="song", queryset=Song.objects.all(), write_only=True)

    class Meta:
        model = WorkflowRun
        fields = [
            "id",
            "run_id",
            "status",
            "current_node",
            "seed",
            "node_outputs",
            "validation_scores",
            "fix_iterations",
            "song",
            "song_id",
            *COMMON,
        ]
        read_only_fields = ["run_id", "current_node", "seed", "fix_iterations"]

    def update(self, instance, validated_data: dict):
        if "song" in validated_data and validated_data["song"].pk != instance.song_id:
            raise serializers.ValidationError({"song_id": ["A run cannot move to another song."]})
        return super().update(instance, validated_data)


class WorkflowEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowEvent
        fields = ["id", "sequence", "ts", "node", "phase", "seed", "metrics", "issues", "created_at"]
        read_only_fields = fields


class WorkflowEventAppendSerializer(serializers.Serializer):
    """What a client sends to append an event: the node, the phase, and optionally its time, metrics and issues."""

    ts = serializers.DateTimeField(required=False)
    node = serializers.ChoiceField(choices=WorkflowNode.choices)
    phase = serializers.ChoiceField(choices=WorkflowEventPhase.choices)
    metrics = serializers.DictField(required=False)
    issues = serializers.ListField(required=False)


class SdsResultSerializer(serializers.Serializer):
    """The answer of ``sds/validate``: ``valid`` and the errors as JSON pointers with messages."""

    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())


def _namespace_components() -> None:
    """OpenAPI component names carry the app's prefix (``AmcsLyrics``), so other apps' ``Lyrics`` never collide."""
    for serializer in [
        BlueprintBriefSerializer,
        PersonaBriefSerializer,
        StyleBriefSerializer,
        SongBriefSerializer,
        BlueprintSerializer,
        PersonaSerializer,
        SourceSerializer,
        StyleSerializer,
        SongSerializer,
        LyricsSerializer,
        ProducerNotesSerializer,
        WorkflowRunSerializer,
        WorkflowEventSerializer,
        WorkflowEventAppendSerializer,
        SdsResultSerializer,
    ]:
        extend_schema_serializer(component_name="Amcs" + serializer.__name__.removesuffix("Serializer"))(serializer)


_namespace_components()
