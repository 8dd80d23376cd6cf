"""Viewsets of the audio version control API. Reads are scoped by ``visible_to`` (another user's private
project is a 404); every write goes through ``audio_vcs.services``, which checks the caller's role."""

from __future__ import annotations

import io

from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from audio_vcs import services
from audio_vcs.api import serializers as s
from audio_vcs.constants import LOG_DEFAULT_LIMIT, LOG_MAX_LIMIT
from audio_vcs.filtersets import (
    ApprovalFilterSet,
    ArrangementFilterSet,
    BlobFilterSet,
    BranchFilterSet,
    CollaboratorFilterSet,
    CommentFilterSet,
    CommitFilterSet,
    CompositionFilterSet,
    CompositionLyricsFilterSet,
    CompositionSessionFilterSet,
    ExportJobFilterSet,
    ProjectFilterSet,
    StarFilterSet,
    StemFilterSet,
    TagFilterSet,
    TrackFilterSet,
)
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
from audio_vcs.services.audio import EXTENSIONS
from core.api.exceptions import Conflict
from core.api.pagination import CursorPagination
from core.api.parsers import FormParser, JSONParser, MultiPartParser, RawBodyParser
from core.api.schema import paginated
from core.api.views import UUID_PATTERN, BaseModelViewSet, BaseReadOnlyModelViewSet

NO_FILE = "This export has no file (not finished, failed, or expired and purged)."


class ScopedMixin:
    """Rows of projects the user may see; the service named by the view writes them."""

    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


def _commit_ref(project: Project, value: str, field_name: str) -> Commit:
    """A branch name (its head), a commit id or a hash prefix."""
    branch = Branch.objects.filter(project=project, name=value).select_related("head").first() if value else None
    if branch is not None:
        return branch.head
    return services.commit_resolve(project=project, ref=value, field_name=field_name)


REF = OpenApiParameter("ref", OpenApiTypes.STR, description="Branch name, commit id or hash prefix (default branch).")


class ProjectViewSet(ScopedMixin, BaseModelViewSet):
    """Projects (repositories). Anyone signed in creates their own; roles decide the rest."""

    queryset = Project.objects.select_related("owner").order_by("name")
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilterSet
    ordering_fields = ["name", "created_at", "updated_at", "tempo"]

    def perform_create(self, serializer):
        serializer.instance = services.project_create(
            owner=self.request.user, actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.project_update(
            project=serializer.instance, actor=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.project_delete(project=instance, actor=self.request.user)

    @extend_schema(
        parameters=[
            REF,
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{LOG_MAX_LIMIT}, default {LOG_DEFAULT_LIMIT}"),
            OpenApiParameter("first_parent", OpenApiTypes.BOOL),
        ],
        responses={200: s.CommitLogSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def log(self, request, pk=None):
        """The history from a branch or commit, newest first, read with one recursive query."""
        project = self.get_object()
        head = _commit_ref(project, request.query_params.get("ref") or project.default_branch, "ref")
        limit = request.query_params.get("limit") or LOG_DEFAULT_LIMIT
        try:
            limit = int(limit)
        except ValueError:
            limit = -1
        if not 1 <= limit <= LOG_MAX_LIMIT:
            raise ValidationError({"limit": [f"A whole number from 1 to {LOG_MAX_LIMIT}."]})
        first_parent = request.query_params.get("first_parent", "").lower() in ("1", "true", "yes")
        commits = services.commit_log(head=head, limit=limit, first_parent=first_parent)
        return Response(s.CommitLogSerializer(commits, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True, description="Branch, commit id or hash prefix"),
            OpenApiParameter("to", OpenApiTypes.STR, required=True, description="Branch, commit id or hash prefix"),
        ],
        responses={200: s.DiffSerializer},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        """Stems added, removed and changed (by blob hash) between two commits, and metadata changes."""
        project = self.get_object()
        old = _commit_ref(project, request.query_params.get("from", ""), "from")
        new = _commit_ref(project, request.query_params.get("to", ""), "to")
        return Response(services.commit_diff(old=old, new=new))

    @extend_schema(
        parameters=[
            OpenApiParameter("a", OpenApiTypes.STR, required=True),
            OpenApiParameter("b", OpenApiTypes.STR, required=True),
        ],
        responses={200: s.CommitSerializer},
    )
    @action(detail=True, methods=["get"], url_path="merge-base")
    def merge_base(self, request, pk=None):
        """The best common ancestor of two commits; 404 when the histories are unrelated."""
        project = self.get_object()
        a = _commit_ref(project, request.query_params.get("a", ""), "a")
        b = _commit_ref(project, request.query_params.get("b", ""), "b")
        base = services.merge_base(a=a, b=b)
        if base is None:
            raise NotFound("These commits have no common ancestor.")
        return Response(s.CommitSerializer(base, context=self.get_serializer_context()).data)

    @extend_schema(request=s.MergeSerializer, responses={200: s.MergeResultSerializer, 201: s.MergeResultSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge a branch into another (maintainers): fast-forward, or a two-parent commit; conflicts are a 409
        listing each stem changed on both sides."""
        project = self.get_object()
        data = s.MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.merge(project=project, actor=request.user, **data.validated_data)
        created = not (result.fast_forward or result.up_to_date)
        payload = {
            "fast_forward": result.fast_forward,
            "up_to_date": result.up_to_date,
            "commit": s.CommitSerializer(result.commit, context=self.get_serializer_context()).data,
        }
        return Response(payload, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=s.ProjectForkSerializer, responses={201: s.ProjectSerializer})
    @action(detail=True, methods=["post"])
    def fork(self, request, pk=None):
        """A new project of yours whose branches point at this project's commits (no audio is copied)."""
        project = self.get_object()
        data = s.ProjectForkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fork = services.project_fork(project=project, owner=request.user, **data.validated_data)
        return Response(s.ProjectSerializer(fork, context=self.get_serializer_context()).data, status=201)

    def _replay(self, request, service):
        project = self.get_object()
        data = s.ReplaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commit = service(project=project, actor=request.user, **data.validated_data)
        commit = CommitViewSet.queryset.get(pk=commit.pk)
        return Response(s.CommitSerializer(commit, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=s.ReplaySerializer, responses={201: s.CommitSerializer})
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        """A new commit on a branch undoing one commit's stem changes; stems later commits changed too are a 409
        listing them (as merge does) unless ``resolutions`` choose."""
        return self._replay(request, services.commit_revert)

    @extend_schema(request=s.ReplaySerializer, responses={201: s.CommitSerializer})
    @action(detail=True, methods=["post"], url_path="cherry-pick")
    def cherry_pick(self, request, pk=None):
        """A new commit on a branch applying one commit's stem changes; conflicts are a 409 as for merge."""
        return self._replay(request, services.commit_cherry_pick)

    @extend_schema(methods=["get"], responses={200: s.TagSerializer(many=True)})
    @extend_schema(methods=["post"], request=s.TagCreateSerializer, responses={201: s.TagSerializer})
    @action(detail=True, methods=["get", "post"])
    def tags(self, request, pk=None):
        """GET: the project's tags. POST: tag a commit (contributors; you are the tagger). Tags never move."""
        project = self.get_object()
        if request.method == "GET":
            tags = TagViewSet.queryset.filter(project=project)
            return Response(s.TagSerializer(tags, many=True, context=self.get_serializer_context()).data)
        data = s.TagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = services.tag_create(project=project, actor=request.user, **data.validated_data)
        tag = TagViewSet.queryset.get(pk=tag.pk)
        return Response(s.TagSerializer(tag, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        methods=["get"],
        responses={200: s.CommitSerializer(many=True)},
    )
    @extend_schema(
        methods=["post"],
        request={"application/json": s.CommitCreateSerializer, "multipart/form-data": s.CommitCreateSerializer},
        responses={201: s.CommitSerializer},
    )
    @paginated(CursorPagination)
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def commits(self, request, pk=None):
        """GET: a page of the project's commits, newest first. POST: commit a change of stems to a branch, by blob
        hash (JSON) or with the files (multipart); stems it does not name are the parent's."""
        project = self.get_object()
        if request.method == "GET":
            paginator = CursorPagination()
            page = paginator.paginate_queryset(CommitViewSet.queryset.filter(project=project), request)
            return paginator.get_paginated_response(
                s.CommitSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        data = s.CommitCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        commit = services.commit_create(project=project, author=request.user, actor=request.user, **data.validated_data)
        commit = CommitViewSet.queryset.get(pk=commit.pk)
        return Response(s.CommitSerializer(commit, context=self.get_serializer_context()).data, status=201)


class CollaboratorViewSet(ScopedMixin, BaseModelViewSet):
    """Who works on a project, with which role; owners manage them."""

    queryset = Collaborator.objects.select_related("user", "project").order_by("project__name", "created_at")
    serializer_class = s.CollaboratorSerializer
    filterset_class = CollaboratorFilterSet
    ordering_fields = ["created_at", "role"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.collaborator_set(
            project=data["project"], actor=self.request.user, user=data["user"], role=data.get("role", "contributor")
        )

    def perform_update(self, serializer):
        instance, data = serializer.instance, serializer.validated_data
        if (
            data.get("project", instance.project) != instance.project
            or data.get("user", instance.user) != instance.user
        ):
            raise ValidationError({"project": ["A collaborator never moves to another project or user."]})
        serializer.instance = services.collaborator_set(
            project=instance.project, actor=self.request.user, user=instance.user, role=data.get("role", instance.role)
        )

    def perform_destroy(self, instance):
        services.collaborator_remove(collaborator=instance, actor=self.request.user)


class StarViewSet(ScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, BaseReadOnlyModelViewSet):
    """Your stars and those on the projects you collaborate on; you add and remove your own."""

    queryset = Star.objects.select_related("user").order_by("-created_at")
    serializer_class = s.StarSerializer
    filterset_class = StarFilterSet
    ordering_fields = ["created_at"]

    def perform_create(self, serializer):
        serializer.instance = services.star_add(project=serializer.validated_data["project"], user=self.request.user)

    def perform_destroy(self, instance):
        if instance.user_id != self.request.user.pk and not self.request.user.is_superuser:
            raise PermissionDenied("You can only remove your own star.")
        instance.delete()


class CommitViewSet(ScopedMixin, BaseReadOnlyModelViewSet):
    """Commits of the projects you can see (written through ``projects/{id}/commits/``, never changed)."""

    queryset = (
        Commit.objects.select_related("author")
        .prefetch_related(Prefetch("stems", queryset=Stem.objects.select_related("blob")), "parent_links")
        .order_by("-created_at", "-id")
    )
    serializer_class = s.CommitSerializer
    filterset_class = CommitFilterSet
    pagination_class = CursorPagination  # append-only and unbounded: no count, same cost at any depth
    ordering_fields = ["created_at"]


class StemViewSet(ScopedMixin, BaseReadOnlyModelViewSet):
    queryset = Stem.objects.select_related("blob").order_by("commit", "stem_type", "name")
    serializer_class = s.StemSerializer
    filterset_class = StemFilterSet
    ordering_fields = ["created_at", "stem_type"]


class BlobViewSet(ScopedMixin, BaseReadOnlyModelViewSet):
    """Audio blobs used by commits you can see; ``download`` streams the file."""

    queryset = Blob.objects.order_by("-created_at")
    serializer_class = s.BlobSerializer
    filterset_class = BlobFilterSet
    ordering_fields = ["created_at", "size", "duration"]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        blob = self.get_object()
        filename = f"{blob.sha256[:12]}.{EXTENSIONS.get(blob.audio_format, 'bin')}"
        return FileResponse(blob.file.open("rb"), as_attachment=True, filename=filename, content_type=blob.media_type)


@extend_schema_view(retrieve=extend_schema(operation_id="audio_vcs_blobs_by_hash_retrieve"))
class BlobByHashViewSet(ScopedMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Blobs by their SHA-256: ``GET``/``HEAD`` say whether the server holds one you may read (404 otherwise,
    the same for a blob that exists but is not yours to read); ``PUT`` with the file's raw bytes as the body
    uploads it (streamed to storage while hashed; the hash must match; at most ``MAX_STEM_BYTES``, separately from
    the JSON and multipart body limits). Then commit it by hash (``projects/{id}/commits/``)."""

    queryset = Blob.objects.order_by("-created_at")
    serializer_class = s.BlobSerializer
    lookup_field = "sha256"
    lookup_value_regex = "[0-9a-f]{64}"
    parser_classes = [RawBodyParser]

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={200: s.BlobSerializer, 201: s.BlobSerializer},
    )
    def update(self, request, sha256=None):
        blob, created = services.blob_receive(body=request.stream or io.BytesIO(), sha256=sha256, actor=request.user)
        data = s.BlobSerializer(blob, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BranchViewSet(ScopedMixin, BaseModelViewSet):
    """Branches; maintainers create, move (compare-and-swap with ``expected_head``) and delete them."""

    queryset = Branch.objects.select_related("head").order_by("project", "name")
    serializer_class = s.BranchSerializer
    filterset_class = BranchFilterSet
    ordering_fields = ["name", "updated_at"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.branch_create(
            project=data["project"], actor=self.request.user, name=data["name"], head=data["head"]
        )

    def perform_update(self, serializer):
        branch, data = serializer.instance, serializer.validated_data
        if data.get("name", branch.name) != branch.name or data.get("project", branch.project) != branch.project:
            raise ValidationError({"name": ["Branches are not renamed or moved to another project; create one."]})
        services.require(self.request.user, branch.project, "branch")  # any change of a branch: maintainers
        if data.get("head", branch.head) != branch.head or data.get("expected_head"):
            branch = services.branch_move(
                branch=branch,
                actor=self.request.user,
                head=data.get("head", branch.head),
                expected_head=data.get("expected_head") or None,
                force=data.get("force", False),
            )
        if "is_protected" in data and data["is_protected"] != branch.is_protected:
            branch = services.branch_protect(branch=branch, actor=self.request.user, is_protected=data["is_protected"])
        serializer.instance = branch

    def perform_destroy(self, instance):
        services.branch_delete(branch=instance, actor=self.request.user)

    @extend_schema(responses={200: s.RefLogEntrySerializer(many=True)})
    @paginated(CursorPagination)
    @action(detail=True, methods=["get"])
    def reflog(self, request, pk=None):
        """Every move of this branch's head, newest first: from which commit to which, why and by whom."""
        branch = self.get_object()
        paginator = CursorPagination()
        entries = RefLogEntry.objects.filter(branch=branch).select_related("old_head", "new_head", "actor")
        page = paginator.paginate_queryset(entries.order_by("-created_at", "-id"), request)
        return paginator.get_paginated_response(s.RefLogEntrySerializer(page, many=True).data)


class TagViewSet(ScopedMixin, mixins.DestroyModelMixin, BaseReadOnlyModelViewSet):
    """Tags of the projects you can see (created through ``projects/{id}/tags/``); maintainers delete them."""

    queryset = Tag.objects.select_related("commit", "tagger").order_by("project", "name")
    serializer_class = s.TagSerializer
    filterset_class = TagFilterSet
    ordering_fields = ["name", "created_at"]

    def perform_destroy(self, instance):
        services.tag_delete(tag=instance, actor=self.request.user)


class ComposeViewSet(ScopedMixin, BaseModelViewSet):
    """Rows of the studio written by contributors through ``services.composition_save`` / ``_part_save``."""

    def _save(self, instance):
        if isinstance(instance, Composition):
            return services.composition_save(composition=instance, actor=self.request.user)
        return services.composition_part_save(part=instance, actor=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer.Meta.model(**serializer.validated_data))

    def perform_update(self, serializer):
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        serializer.instance = self._save(instance)

    def perform_destroy(self, instance):
        services.composition_delete(row=instance, actor=self.request.user)


class CompositionViewSet(ComposeViewSet):
    """Compositions with MIDI, audio and theory data; ``import-midi`` reads a Standard MIDI File and ``midi``
    writes one."""

    queryset = Composition.objects.order_by("name")
    serializer_class = s.CompositionSerializer
    filterset_class = CompositionFilterSet
    ordering_fields = ["name", "created_at", "confidence_score"]

    @extend_schema(
        request={"multipart/form-data": s.CompositionImportSerializer}, responses={201: s.CompositionSerializer}
    )
    @action(detail=False, methods=["post"], url_path="import-midi", parser_classes=[MultiPartParser, FormParser])
    def import_midi(self, request):
        data = s.CompositionImportSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        composition = services.composition_import_midi(actor=request.user, **data.validated_data)
        return Response(s.CompositionSerializer(composition, context=self.get_serializer_context()).data, status=201)

    @extend_schema(responses={(200, "audio/midi"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def midi(self, request, pk=None):
        """The composition as a Standard MIDI File."""
        composition = self.get_object()
        from django.http import HttpResponse

        response = HttpResponse(services.composition_midi(composition=composition), content_type="audio/midi")
        response["Content-Disposition"] = f'attachment; filename="{composition.pk}.mid"'
        return response


class ArrangementViewSet(ComposeViewSet):
    queryset = Arrangement.objects.order_by("composition", "name")
    serializer_class = s.ArrangementSerializer
    filterset_class = ArrangementFilterSet
    ordering_fields = ["name", "created_at"]


class TrackViewSet(ComposeViewSet):
    queryset = Track.objects.order_by("composition", "position", "name")
    serializer_class = s.CompositionTrackSerializer
    filterset_class = TrackFilterSet
    ordering_fields = ["position", "name", "created_at"]


class CompositionLyricsViewSet(ComposeViewSet):
    queryset = CompositionLyrics.objects.order_by("composition", "language")
    serializer_class = s.CompositionLyricsSerializer
    filterset_class = CompositionLyricsFilterSet
    ordering_fields = ["language", "created_at"]


class CompositionSessionViewSet(ScopedMixin, BaseModelViewSet):
    """AI composition sessions; the status moves only along ``constants.SESSION_TRANSITIONS``."""

    queryset = CompositionSession.objects.select_related("requested_by").order_by("-created_at")
    serializer_class = s.CompositionSessionSerializer
    filterset_class = CompositionSessionFilterSet
    ordering_fields = ["created_at", "status", "progress"]

    def perform_create(self, serializer):
        session = CompositionSession(requested_by=self.request.user, **serializer.validated_data)
        serializer.instance = services.session_create(session=session, actor=self.request.user)

    def perform_update(self, serializer):
        session, data = serializer.instance, dict(serializer.validated_data)
        if set(data) - {"status", "progress", "composition", "error"}:
            services.require(self.request.user, session.project, "compose")
        for key in set(data) - {"status", "progress", "composition", "error"}:
            setattr(session, key, data[key])
        if set(data) - {"status", "progress", "composition", "error"}:
            session.full_clean()
            session.save()
        serializer.instance = services.session_transition(
            session=session,
            actor=self.request.user,
            status=data.get("status", session.status),
            progress=data.get("progress"),
            composition=data.get("composition"),
            error=data.get("error", ""),
        )

    def perform_destroy(self, instance):
        services.require(self.request.user, instance.project, "compose")
        instance.delete()


class ExportJobViewSet(ScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, BaseReadOnlyModelViewSet):
    """Export jobs: POST queues one (a commit, a branch's head or a composition); GET shows its status, progress
    and, when done, a download link."""

    queryset = ExportJob.objects.select_related("requested_by").order_by("-created_at")
    serializer_class = s.ExportJobSerializer
    filterset_class = ExportJobFilterSet
    ordering_fields = ["created_at", "status"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.export_job_create(
            project=data["project"],
            actor=self.request.user,
            export_format=data["export_format"],
            commit=data.get("commit"),
            branch=data.get("branch_name", ""),
            composition=data.get("composition"),
        )

    def perform_destroy(self, instance):
        if instance.requested_by_id != self.request.user.pk:
            services.require(self.request.user, instance.project, "moderate")
        instance.file.delete(save=False)
        instance.delete()

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if not job.file:
            raise NotFound(NO_FILE)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])


class ApprovalViewSet(ScopedMixin, BaseModelViewSet):
    """Review requests: contributors ask a maintainer; the reviewer PATCHes the status to decide."""

    queryset = Approval.objects.select_related("requested_by").order_by("-created_at")
    serializer_class = s.ApprovalSerializer
    filterset_class = ApprovalFilterSet
    ordering_fields = ["created_at", "status"]

    def perform_create(self, serializer):
        approval = Approval(**serializer.validated_data)
        serializer.instance = services.approval_request(approval=approval, actor=self.request.user)

    def perform_update(self, serializer):
        approval, data = serializer.instance, serializer.validated_data
        serializer.instance = services.approval_decide(
            approval=approval,
            actor=self.request.user,
            status=data.get("status", approval.status),
            comment=data.get("comment", ""),
        )

    def perform_destroy(self, instance):
        services.require(self.request.user, instance.project, "moderate")
        instance.delete()


class CommentViewSet(ScopedMixin, BaseModelViewSet):
    """Threaded comments on projects, commits, stems and compositions, optionally on a time range of audio."""

    queryset = Comment.objects.select_related("author").order_by("created_at")
    serializer_class = s.CommentSerializer
    filterset_class = CommentFilterSet
    ordering_fields = ["created_at", "start_seconds"]

    def perform_create(self, serializer):
        comment = Comment(**serializer.validated_data)
        serializer.instance = services.comment_create(comment=comment, actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.comment_update(
            comment=serializer.instance, actor=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.comment_delete(comment=instance, actor=self.request.user)


__all__ = ["UUID_PATTERN", "Conflict"]
