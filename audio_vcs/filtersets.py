"""Filters of the audio version control API: owner, visibility, genre, branch, author, date range, stem type,
status, and the ``<fk>_id`` filters (comma-separated ids; an unknown id filters to nothing)."""

import django_filters
from django.db.models.expressions import RawSQL

from audio_vcs.choices import ApprovalStatus, ExportFormat, ExportStatus, SessionStatus, StemType, TrackType
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
    Star,
    Stem,
    Tag,
    Track,
)
from core.filtersets import CharInFilter, IdInFilter, SearchFilterSet


class AudioFilterSet(SearchFilterSet):
    """``q`` over the model's ``search_fields`` (core's search) and a creation date range."""

    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")


class ProjectFilterSet(AudioFilterSet):
    owner_id = IdInFilter(field_name="owner_id", label="Owner ids (comma-separated)")
    owner = CharInFilter(field_name="owner__username", label="Owner user names (comma-separated)")
    visibility = django_filters.ChoiceFilter(
        choices=[("public", "public"), ("private", "private")], method="filter_visibility"
    )
    genre = CharInFilter(field_name="genre", lookup_expr="in", label="Genres (comma-separated)")
    forked_from_id = IdInFilter(field_name="forked_from_id", label="Forked from commit ids")
    is_fork = django_filters.BooleanFilter(field_name="forked_from", lookup_expr="isnull", exclude=True)

    search_fields = ("name", "description", "genre")

    class Meta:
        model = Project
        fields = {"is_public": ["exact"], "key_signature": ["exact"], "default_branch": ["exact"]}

    def filter_visibility(self, queryset, name, value):
        return queryset.filter(is_public=value == "public")


class ProjectChildFilterSet(AudioFilterSet):
    project_id = IdInFilter(field_name="project_id", label="Project ids (comma-separated)")


class CollaboratorFilterSet(ProjectChildFilterSet):
    user_id = IdInFilter(field_name="user_id")
    role = CharInFilter(field_name="role", lookup_expr="in")

    search_fields = ("user__username",)

    class Meta:
        model = Collaborator
        fields = ["project_id", "user_id", "role"]


class StarFilterSet(ProjectChildFilterSet):
    user_id = IdInFilter(field_name="user_id")

    class Meta:
        model = Star
        fields = ["project_id", "user_id"]


_BRANCH_ANCESTRY = """
WITH RECURSIVE ancestry(id) AS (
    SELECT head_id FROM audio_vcs_branch WHERE name = %s
  UNION
    SELECT link.parent_id FROM ancestry JOIN audio_vcs_commitparent link ON link.commit_id = ancestry.id
) SELECT id FROM ancestry
"""


class CommitFilterSet(ProjectChildFilterSet):
    author_id = IdInFilter(field_name="author_id")
    author = CharInFilter(field_name="author__username", label="Author user names (comma-separated)")
    branch = django_filters.CharFilter(method="filter_branch", label="Commits reachable from branches of this name")
    stem_type = CharInFilter(method="filter_stem_type", label="Holding a stem of these types")
    hash = django_filters.CharFilter(field_name="content_hash", lookup_expr="startswith", label="Hash prefix")

    search_fields = ("message",)

    class Meta:
        model = Commit
        fields = ["project_id", "author_id", "bpm", "key_signature"]

    def filter_branch(self, queryset, name, value):
        return queryset.filter(id__in=RawSQL(_BRANCH_ANCESTRY, [value]))

    def filter_stem_type(self, queryset, name, value):
        return queryset.filter(id__in=Stem.objects.filter(stem_type__in=value).values("commit_id"))


class StemFilterSet(AudioFilterSet):
    commit_id = IdInFilter(field_name="commit_id")
    project_id = IdInFilter(field_name="commit__project_id")
    blob_id = IdInFilter(field_name="blob_id")
    stem_type = django_filters.MultipleChoiceFilter(choices=StemType.choices)

    search_fields = ("name",)

    class Meta:
        model = Stem
        fields = ["commit_id", "blob_id", "stem_type", "name"]


class BlobFilterSet(AudioFilterSet):
    sha256 = django_filters.CharFilter(field_name="sha256", lookup_expr="startswith")

    search_fields = ("sha256",)

    class Meta:
        model = Blob
        fields = {"media_type": ["exact"], "audio_format": ["exact"], "sample_rate": ["exact"], "channels": ["exact"]}


class BranchFilterSet(ProjectChildFilterSet):
    head_id = IdInFilter(field_name="head_id")

    search_fields = ("name",)

    class Meta:
        model = Branch
        fields = ["project_id", "name", "head_id"]


class TagFilterSet(ProjectChildFilterSet):
    commit_id = IdInFilter(field_name="commit_id")

    search_fields = ("name", "message")

    class Meta:
        model = Tag
        fields = ["project_id", "name", "commit_id"]


class CompositionFilterSet(ProjectChildFilterSet):
    commit_id = IdInFilter(field_name="commit_id")
    confidence_min = django_filters.NumberFilter(field_name="confidence_score", lookup_expr="gte")

    search_fields = ("name", "ai_prompt")

    class Meta:
        model = Composition
        fields = ["project_id", "commit_id"]


class CompositionPartFilterSet(AudioFilterSet):
    composition_id = IdInFilter(field_name="composition_id")
    project_id = IdInFilter(field_name="composition__project_id")


class ArrangementFilterSet(CompositionPartFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Arrangement
        fields = ["composition_id"]


class TrackFilterSet(CompositionPartFilterSet):
    track_type = django_filters.MultipleChoiceFilter(choices=TrackType.choices)

    search_fields = ("name",)

    class Meta:
        model = Track
        fields = ["composition_id", "track_type", "is_muted", "is_solo", "channel"]


class CompositionLyricsFilterSet(CompositionPartFilterSet):
    search_fields = ("text",)

    class Meta:
        model = CompositionLyrics
        fields = ["composition_id", "language"]


class CompositionSessionFilterSet(ProjectChildFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SessionStatus.choices)
    requested_by_id = IdInFilter(field_name="requested_by_id")

    search_fields = ("prompt", "style", "mood")

    class Meta:
        model = CompositionSession
        fields = ["project_id", "status"]


class ExportJobFilterSet(ProjectChildFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ExportStatus.choices)
    export_format = django_filters.MultipleChoiceFilter(choices=ExportFormat.choices)
    commit_id = IdInFilter(field_name="commit_id")
    composition_id = IdInFilter(field_name="composition_id")

    search_fields = ("branch_name",)

    class Meta:
        model = ExportJob
        fields = ["project_id", "status", "export_format"]


class ApprovalFilterSet(ProjectChildFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApprovalStatus.choices)
    reviewer_id = IdInFilter(field_name="reviewer_id")
    commit_id = IdInFilter(field_name="commit_id")
    composition_id = IdInFilter(field_name="composition_id")

    search_fields = ("comment",)

    class Meta:
        model = Approval
        fields = ["project_id", "status", "reviewer_id"]


class CommentFilterSet(ProjectChildFilterSet):
    commit_id = IdInFilter(field_name="commit_id")
    stem_id = IdInFilter(field_name="stem_id")
    composition_id = IdInFilter(field_name="composition_id")
    parent_id = IdInFilter(field_name="parent_id")
    author_id = IdInFilter(field_name="author_id")
    is_timestamped = django_filters.BooleanFilter(field_name="start_seconds", lookup_expr="isnull", exclude=True)

    search_fields = ("body",)

    class Meta:
        model = Comment
        fields = ["project_id", "commit_id", "stem_id", "composition_id"]
