"""Serializers of the AMCS API: relations are written as ids (``<relation>_id``) and read as brief objects."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from amcs.models import (
    Blueprint,
    ComposedPrompt,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowEvent,
    WorkflowRun,
    WorkflowStep,
)
from amcs.services import song_validate_sources
from core.api.serializers import TenantOwnedSerializer

COMMON = ["tenant", "owner", "created_at", "updated_at"]
DOCUMENT = ["external_ref", "extra_metadata", "warnings"]
UNKNOWN_FIELD = "Unknown field '{name}': this endpoint does not store it{hint}."
#: Document (reference) names sent to the row endpoints, and what to send instead.
DOCUMENT_NAMES = {
    "policy": "is_public_release and is_style_of_disallowed",
    "public_release": "is_public_release",
    "disallow_named_style_of": "is_style_of_disallowed",
    "provenance": "has_provenance",
    "extra": "extra_metadata",
    "id": "external_ref",
    "tags": "tags_positive",
    "negative_tags": "tags_negative",
    "genre_detail": "genre, sub_genres and fusions",
    "tempo_bpm": "bpm_min and bpm_max (a blueprint: tempo_bpm_min and tempo_bpm_max)",
    "hooks": "hook_count",
    "section_meta": "section_tags and section_durations",
    "mix": "mix_targets",
    "rules": "the rule fields (tempo_bpm_min, required_sections, ...)",
    "eval_rubric": "rubric_weights, min_total and max_profanity",
}


class AmcsSerializer(TenantOwnedSerializer):
    """Refuses fields it does not know, with their name (a client never loses a field without a word); a document
    field name gets the row field to use, or the document import endpoint."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            UNKNOWN_FIELD.format(
                                name=name,
                                hint=f"; send {DOCUMENT_NAMES[name]}, or post the document to documents/import/"
                                if name in DOCUMENT_NAMES
                                else "",
                            )
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


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


class BlueprintSerializer(AmcsSerializer):
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
            "rules_extra",
            "conflict_matrix",
            "tag_categories",
            *DOCUMENT,
            *COMMON,
        ]


class PersonaSerializer(AmcsSerializer):
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
            *DOCUMENT,
            *COMMON,
        ]


class SourceSerializer(AmcsSerializer):
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
            *DOCUMENT,
            *COMMON,
        ]


class StyleSerializer(AmcsSerializer):
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
            *DOCUMENT,
            *COMMON,
        ]


class SongSerializer(AmcsSerializer):
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
            "external_ref",
            "blueprint",
            "blueprint_id",
            "style",
            "style_id",
            "persona",
            "persona_id",
            "sources",
            *COMMON,
        ]
        read_only_fields = ["status"]  # the workflow computes it

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if "sources" in attrs:
            tenant = attrs.get("tenant") or self.instance.tenant
            song_validate_sources(tenant=tenant, sources=attrs["sources"])
        return attrs


class SongPartSerializer(AmcsSerializer):
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
            *DOCUMENT,
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
            *DOCUMENT,
            *COMMON,
        ]


class WorkflowRunSerializer(serializers.ModelSerializer):
    """A run as the server computed it: read-only (runs start with ``POST /api/amcs/songs/{id}/runs/``)."""

    song = SongBriefSerializer(read_only=True)

    class Meta:
        model = WorkflowRun
        fields = [
            "id",
            "run_id",
            "status",
            "current_node",
            "seed",
            "input_hash",
            "node_outputs",
            "validation_scores",
            "fix_iterations",
            "error",
            "song",
            *COMMON,
        ]
        read_only_fields = fields


class WorkflowStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowStep
        fields = ["sequence", "node", "round", "seed", "input_hash", "output_hash", "duration_ms", "output"]
        read_only_fields = fields


class WorkflowRunDocumentSerializer(WorkflowRunSerializer):
    """The run's document: every node execution in order with its hashes, duration and output (scores and issues
    in VALIDATE's), and the frozen input's hash."""

    steps = WorkflowStepSerializer(many=True, read_only=True)

    class Meta(WorkflowRunSerializer.Meta):
        fields = [*WorkflowRunSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class WorkflowEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowEvent
        fields = ["id", "sequence", "ts", "node", "phase", "seed", "metrics", "issues", "created_at"]
        read_only_fields = fields


class ReplayStepSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    node = serializers.CharField(allow_null=True)
    stored = serializers.CharField(allow_null=True)
    replayed = serializers.CharField(allow_null=True)
    identical = serializers.BooleanField(required=False)


class ReplaySerializer(serializers.Serializer):
    """A replay's report: identical, or the first step whose output hash differs."""

    run = serializers.UUIDField()
    input_hash = serializers.CharField()
    identical = serializers.BooleanField()
    compared = serializers.IntegerField()
    first_difference = ReplayStepSerializer(allow_null=True)
    steps = ReplayStepSerializer(many=True)


class ComposedPromptSerializer(serializers.ModelSerializer):
    """A composed prompt as stored: the text, the style string, the meta of ``composed_prompt.schema.json``, the
    character counts and the content hash."""

    #: plain text, so the OpenAPI schema names the engine choices once (``RenderEngineEnum``, from songs)
    target_engine = serializers.CharField(read_only=True)
    song = SongBriefSerializer(read_only=True)

    class Meta:
        model = ComposedPrompt
        fields = [
            "id",
            "text",
            "style",
            "meta",
            "target_engine",
            "target_model",
            "style_char_count",
            "total_char_count",
            "content_hash",
            "seed",
            "run",
            "song",
            "created_at",
        ]
        read_only_fields = fields


class SongComposeSerializer(serializers.Serializer):
    """What a client may send to compose: the workflow run the prompt belongs to."""

    run_id = serializers.UUIDField(required=False, allow_null=True, help_text="The run (its id) to link the prompt to.")


class DocumentProblemSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="A JSON pointer (RFC 6901) into the document; '/' is its root.")
    message = serializers.CharField()


class DocumentReportSerializer(serializers.Serializer):
    """The answer of a document validation: errors block an import, warnings are stored with the row."""

    valid = serializers.BooleanField()
    errors = DocumentProblemSerializer(many=True)
    warnings = DocumentProblemSerializer(many=True)


class DocumentImportSerializer(serializers.Serializer):
    """The answer of a document import: the row's id, its document and the warnings stored with it."""

    id = serializers.UUIDField()
    document = serializers.DictField()
    warnings = DocumentProblemSerializer(many=True)


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
        WorkflowStepSerializer,
        WorkflowRunDocumentSerializer,
        ReplayStepSerializer,
        ReplaySerializer,
        ComposedPromptSerializer,
        SongComposeSerializer,
        DocumentProblemSerializer,
        DocumentReportSerializer,
        DocumentImportSerializer,
    ]:
        extend_schema_serializer(component_name="Amcs" + serializer.__name__.removesuffix("Serializer"))(serializer)


_namespace_components()
