"""Serializers of the audio version control API: relations written as ids, read as ids or brief objects.

Model rules run through ``full_clean()`` (``ValidatedModelSerializer``); related rows are limited to those the
requesting user may see, so another user's private project is an unknown id (400), never a leak.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from audio_vcs import services
from audio_vcs.choices import ExportFormat, MergeChoice, StemType
from audio_vcs.constants import SHORT_HASH_LENGTH
from audio_vcs.models import (
    Approval,
    Arrangement,
    Blob,
    Branch,
    Collaborator,
    Comment,
    Commit,
    Composition,
    CompositionLyrics,
    CompositionSession,
    ExportJob,
    Project,
    RefLogEntry,
    Star,
    Stem,
    Tag,
    Track,
)
from core.api.serializers import UserBriefSerializer, ValidatedModelSerializer

TIMES = ["created_at", "updated_at"]


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row the requesting user may see (``visible_to``); any other id is an invalid choice (400)."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class ProjectBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "is_public"]
        read_only_fields = fields


@extend_schema_serializer(component_name="AudioVcsProject")
class ProjectSerializer(ValidatedModelSerializer):
    owner = UserBriefSerializer(read_only=True)
    forked_from = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "is_public",
            "genre",
            "tempo",
            "key_signature",
            "meter_numerator",
            "meter_denominator",
            "default_branch",
            "owner",
            "forked_from",
            *TIMES,
        ]

    def prepare_instance(self, instance) -> None:
        if instance.owner_id is None:
            instance.owner = self.context["request"].user


class ProjectForkSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_serializer(component_name="AudioVcsCollaborator")
class CollaboratorSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    user = UserBriefSerializer(read_only=True)
    user_id = serializers.PrimaryKeyRelatedField(
        source="user", queryset=get_user_model().objects.filter(is_active=True), write_only=True
    )

    class Meta:
        model = Collaborator
        fields = ["id", "role", "project", "user", "user_id", *TIMES]


@extend_schema_serializer(component_name="AudioVcsStar")
class StarSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = Star
        fields = ["id", "project", "user", "created_at"]
        validators = []  # one star per user: the database key decides (services.star_add)

    def prepare_instance(self, instance) -> None:
        if instance.user_id is None:
            instance.user = self.context["request"].user


@extend_schema_serializer(component_name="AudioVcsBlob")
class BlobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Blob
        fields = [
            "id",
            "sha256",
            "size",
            "media_type",
            "audio_format",
            "duration",
            "sample_rate",
            "channels",
            "frames",
            "warning",
            "url",
            "download_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, blob) -> str:
        return _absolute(self.context.get("request"), reverse("audio_vcs-api:blob-download", args=[blob.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, blob) -> str:
        """The blob by its hash (``GET``/``HEAD``/``PUT blobs/{sha256}/``)."""
        return _absolute(self.context.get("request"), reverse("audio_vcs-api:blob-hash-detail", args=[blob.sha256]))


@extend_schema_serializer(component_name="AudioVcsStem")
class StemSerializer(serializers.ModelSerializer):
    blob = BlobSerializer(read_only=True)

    class Meta:
        model = Stem
        fields = ["id", "stem_type", "name", "commit", "blob", "generation_params", "created_at"]
        read_only_fields = fields


class CommitBriefSerializer(serializers.ModelSerializer):
    short_hash = serializers.CharField(read_only=True)

    class Meta:
        model = Commit
        fields = ["id", "short_hash", "message"]
        read_only_fields = fields


@extend_schema_serializer(component_name="AudioVcsCommit")
class CommitSerializer(serializers.ModelSerializer):
    short_hash = serializers.CharField(read_only=True)
    author = UserBriefSerializer(read_only=True)
    parents = serializers.SerializerMethodField()
    stems = StemSerializer(many=True, read_only=True)

    class Meta:
        model = Commit
        fields = [
            "id",
            "short_hash",
            "content_hash",
            "message",
            "project",
            "author",
            "parents",
            "bpm",
            "key_signature",
            "generation_params",
            "render",
            "stems",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_parents(self, commit) -> list[str]:
        if hasattr(commit, "parent_id_list"):
            return [str(pk) for pk in commit.parent_id_list or []]
        return [str(link.parent_id) for link in sorted(commit.parent_links.all(), key=lambda link: link.position)]


class CommitLogSerializer(serializers.Serializer):
    """A log entry, shaped from the log's single query (``services.commit_log`` rows)."""

    id = serializers.UUIDField()
    short_hash = serializers.SerializerMethodField()
    content_hash = serializers.CharField()
    message = serializers.CharField()
    author = serializers.SerializerMethodField()
    parents = serializers.SerializerMethodField()
    bpm = serializers.FloatField(allow_null=True)
    key_signature = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_short_hash(self, row) -> str:
        return row["content_hash"][:SHORT_HASH_LENGTH]

    @extend_schema_field(UserBriefSerializer(allow_null=True))
    def get_author(self, row) -> dict | None:
        if row["author_id"] is None:
            return None
        return {
            "id": str(row["author_id"]),
            "username": row["author__username"],
            "display_name": row["author__display_name"],
            "handle": row["author__handle"],
        }

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_parents(self, row) -> list[str]:
        return [str(pk) for pk in row["parent_id_list"] or []]


class CommitCreateSerializer(serializers.Serializer):
    """A commit's change list. JSON: ``stems`` maps ``<type>`` or ``<type>:<name>`` to the SHA-256 of a blob
    already uploaded (``PUT blobs/{sha256}/``), or to null to remove that stem; every other stem is inherited
    from the parent (``inherit``, default true). Multipart (small uploads): one file per stem, its field named
    ``<type>`` or ``<type>:<name>`` (e.g. ``drums``, ``vocals:lead``), optionally ``stems.<key>`` fields naming
    hashes (empty removes); ``render`` is an optional mixed-down file. ``validated_data`` holds the keyword
    arguments of ``services.commit_create``."""

    branch = serializers.CharField(max_length=255, required=False, default="")
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    bpm = serializers.FloatField(required=False, allow_null=True, default=None, min_value=20, max_value=400)
    key_signature = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    generation_params = serializers.JSONField(required=False, default=dict)
    expected_head = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    start_point = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    inherit = serializers.BooleanField(
        required=False, default=True, help_text="Keep the parent's stems that the change list does not name."
    )
    stems = serializers.DictField(
        child=serializers.CharField(max_length=64, allow_null=True, allow_blank=True),
        required=False,
        default=dict,
        help_text='Stem key to blob SHA-256, or null to remove: {"drums": "<sha256>", "vocals:lead": null}.',
    )
    render = serializers.FileField(required=False, allow_null=True, default=None)
    drums = serializers.FileField(required=False, help_text="A stem file; any <type>:<name> field works too.")
    bass = serializers.FileField(required=False)
    vocals = serializers.FileField(required=False)
    melody = serializers.FileField(required=False)
    other = serializers.FileField(required=False)

    def validate_generation_params(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Generation parameters are a JSON object.")
        return value

    def validate(self, attrs):
        """Repackage the uploaded files and the hash references into the service's change list."""
        attrs = {key: value for key, value in attrs.items() if key not in StemType.values}
        request = self.context.get("request")
        files = getattr(request, "FILES", None) or {}
        uploads = [(key, upload) for key in files if key != "render" for upload in files.getlist(key)]
        attrs["stems"] = services.stem_changes(files=uploads, references=attrs.pop("stems", None))
        return attrs


@extend_schema_serializer(component_name="AudioVcsBranch")
class BranchSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    head = VisibleRelatedField(queryset=Commit.objects.all())
    head_hash = serializers.CharField(source="head.content_hash", read_only=True)
    expected_head = serializers.CharField(
        max_length=64,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="On update: the head you expect; another head is a 409 (non-fast-forward).",
    )
    force = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="On update of a protected branch: the owner moves its head to a commit that is not a descendant.",
    )

    class Meta:
        model = Branch
        fields = ["id", "name", "project", "head", "head_hash", "is_protected", "expected_head", "force", *TIMES]

    def validate(self, attrs):
        attrs = dict(attrs)
        expected = attrs.pop("expected_head", None)
        force = attrs.pop("force", False)
        attrs = super().validate(attrs)
        if expected is not None:
            attrs["expected_head"] = expected
        attrs["force"] = force
        return attrs


@extend_schema_serializer(component_name="AudioVcsTag")
class TagSerializer(serializers.ModelSerializer):
    commit_hash = serializers.CharField(source="commit.content_hash", read_only=True)
    tagger = UserBriefSerializer(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "project", "commit", "commit_hash", "message", "tagger", *TIMES]
        read_only_fields = fields


class TagCreateSerializer(serializers.Serializer):
    """A new tag: the tagger is the signed-in user."""

    name = serializers.CharField(max_length=255)
    commit = serializers.CharField(max_length=255, help_text="A branch name, commit id or hash prefix.")
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RefLogEntrySerializer(serializers.ModelSerializer):
    old_head = serializers.SlugRelatedField(slug_field="content_hash", read_only=True)
    new_head = serializers.SlugRelatedField(slug_field="content_hash", read_only=True)
    actor = UserBriefSerializer(read_only=True)

    class Meta:
        model = RefLogEntry
        fields = ["id", "branch", "old_head", "new_head", "action", "actor", "created_at"]
        read_only_fields = fields


class ReplaySerializer(serializers.Serializer):
    """Revert or cherry-pick one commit onto a branch."""

    commit = serializers.CharField(max_length=255, help_text="The commit: id or hash prefix.")
    branch = serializers.CharField(max_length=255, required=False, default="", help_text="Default: default branch.")
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    resolutions = serializers.DictField(
        child=serializers.ChoiceField(choices=MergeChoice.choices),
        required=False,
        default=dict,
        help_text='Per stem type (or "type:name"): "ours" (keep the branch\'s) or "theirs".',
    )
    expected_head = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class MergeSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=255, help_text="The branch merged in (theirs).")
    target = serializers.CharField(max_length=255, help_text="The branch that moves (ours).")
    resolutions = serializers.DictField(
        child=serializers.ChoiceField(choices=MergeChoice.choices),
        required=False,
        default=dict,
        help_text='Per stem type (or "type:name"): "ours" or "theirs".',
    )
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    expected_head = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    fast_forward = serializers.BooleanField(required=False, default=True)


class MergeResultSerializer(serializers.Serializer):
    fast_forward = serializers.BooleanField()
    up_to_date = serializers.BooleanField()
    commit = CommitSerializer()


class DiffSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
    unchanged = serializers.ListField(child=serializers.CharField())
    metadata = serializers.DictField()


class CompositionSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    commit = VisibleRelatedField(queryset=Commit.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Composition
        fields = [
            "id",
            "name",
            "project",
            "commit",
            "midi_data",
            "audio_metadata",
            "theory_data",
            "ai_prompt",
            "confidence_score",
            "length_seconds",
            *TIMES,
        ]


class CompositionImportSerializer(serializers.Serializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    file = serializers.FileField(help_text="A Standard MIDI File.")
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    commit = VisibleRelatedField(queryset=Commit.objects.all(), required=False, allow_null=True, default=None)


class CompositionPartSerializer(ValidatedModelSerializer):
    composition = VisibleRelatedField(queryset=Composition.objects.all())


class ArrangementSerializer(CompositionPartSerializer):
    length_bars = serializers.SerializerMethodField()

    class Meta:
        model = Arrangement
        fields = ["id", "name", "composition", "sections", "length_bars", *TIMES]

    def get_length_bars(self, arrangement) -> int:
        return arrangement.length_bars


class CompositionTrackSerializer(CompositionPartSerializer):
    class Meta:
        model = Track
        fields = [
            "id",
            "name",
            "composition",
            "track_type",
            "position",
            "program",
            "channel",
            "colour",
            "is_muted",
            "is_solo",
            "volume",
            "pan",
            "clips",
            *TIMES,
        ]


class CompositionLyricsSerializer(CompositionPartSerializer):
    class Meta:
        model = CompositionLyrics
        fields = ["id", "language", "composition", "text", "alignment", *TIMES]


class CompositionSessionSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    composition = VisibleRelatedField(queryset=Composition.objects.all(), required=False, allow_null=True)
    requested_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = CompositionSession
        fields = [
            "id",
            "prompt",
            "project",
            "style",
            "mood",
            "instruments",
            "status",
            "progress",
            "composition",
            "error",
            "requested_by",
            *TIMES,
        ]


class ExportJobSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    commit = VisibleRelatedField(queryset=Commit.objects.all(), required=False, allow_null=True)
    composition = VisibleRelatedField(queryset=Composition.objects.all(), required=False, allow_null=True)
    export_format = serializers.ChoiceField(choices=ExportFormat.choices)
    requested_by = UserBriefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "export_format",
            "project",
            "commit",
            "composition",
            "branch_name",
            "status",
            "progress",
            "file_size",
            "checksum",
            "expires_at",
            "error",
            "attempts",
            "download_url",
            "requested_by",
            *TIMES,
        ]
        read_only_fields = ["status", "progress", "file_size", "checksum", "expires_at", "error", "attempts"]

    def validate(self, attrs):
        return attrs  # the service checks the whole job (target, format, role) before it is written

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, job) -> str | None:
        if not job.file:
            return None
        return _absolute(self.context.get("request"), reverse("audio_vcs-api:exportjob-download", args=[job.pk]))


@extend_schema_serializer(component_name="AudioVcsApproval")
class ApprovalSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    commit = VisibleRelatedField(queryset=Commit.objects.all(), required=False, allow_null=True)
    composition = VisibleRelatedField(queryset=Composition.objects.all(), required=False, allow_null=True)
    reviewer = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
    requested_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Approval
        fields = [
            "id",
            "status",
            "project",
            "commit",
            "composition",
            "reviewer",
            "requested_by",
            "comment",
            "decided_at",
            *TIMES,
        ]
        read_only_fields = ["decided_at"]
        validators = []  # one open request per item and reviewer: full_clean() and the database decide


@extend_schema_serializer(component_name="AudioVcsComment")
class CommentSerializer(ValidatedModelSerializer):
    project = VisibleRelatedField(queryset=Project.objects.all())
    commit = VisibleRelatedField(queryset=Commit.objects.all(), required=False, allow_null=True)
    stem = VisibleRelatedField(queryset=Stem.objects.all(), required=False, allow_null=True)
    composition = VisibleRelatedField(queryset=Composition.objects.all(), required=False, allow_null=True)
    parent = VisibleRelatedField(queryset=Comment.objects.all(), required=False, allow_null=True)
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "body",
            "project",
            "commit",
            "stem",
            "composition",
            "parent",
            "author",
            "start_seconds",
            "end_seconds",
            *TIMES,
        ]


STEM_TYPES = StemType.values
