"""Viewsets of the AMCS API; writes with more than one row go through ``amcs.services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from amcs import services
from amcs.api.serializers import (
    BlueprintSerializer,
    LyricsSerializer,
    PersonaSerializer,
    ProducerNotesSerializer,
    SdsResultSerializer,
    SongSerializer,
    SourceSerializer,
    StyleSerializer,
    WorkflowEventAppendSerializer,
    WorkflowEventSerializer,
    WorkflowRunSerializer,
)
from amcs.filtersets import (
    BlueprintFilterSet,
    LyricsFilterSet,
    PersonaFilterSet,
    ProducerNotesFilterSet,
    SongFilterSet,
    SourceFilterSet,
    StyleFilterSet,
    WorkflowRunFilterSet,
)
from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Source, Style, WorkflowRun
from core.api.views import TenantOwnedViewSet
from core.models import Tenant

TENANT_PARAMETER = OpenApiParameter(
    "tenant", OpenApiTypes.UUID, description="Tenant to check against or import into (default: your only one)."
)
CHOOSE_TENANT = "Choose a tenant with ?tenant=<id>: you belong to several, or to none you may write."


class BlueprintViewSet(TenantOwnedViewSet):
    queryset = Blueprint.objects.select_related("owner").order_by("genre", "-version")
    serializer_class = BlueprintSerializer
    filterset_class = BlueprintFilterSet
    search_fields = ["genre", "version"]
    ordering_fields = ["genre", "version", "created_at"]


class PersonaViewSet(TenantOwnedViewSet):
    queryset = Persona.objects.select_related("owner").order_by("name")
    serializer_class = PersonaSerializer
    filterset_class = PersonaFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]


class SourceViewSet(TenantOwnedViewSet):
    queryset = Source.objects.select_related("owner").order_by("name")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    search_fields = ["name", "mcp_server_id"]
    ordering_fields = ["name", "weight", "created_at"]


class StyleViewSet(TenantOwnedViewSet):
    queryset = Style.objects.select_related("owner", "blueprint").order_by("name")
    serializer_class = StyleSerializer
    filterset_class = StyleFilterSet
    search_fields = ["name", "genre"]
    ordering_fields = ["name", "genre", "bpm_min", "energy_level", "created_at"]


class SongViewSet(TenantOwnedViewSet):
    queryset = (
        Song.objects.select_related("owner", "blueprint", "style", "persona")
        .prefetch_related("sources")
        .order_by("-created_at")
    )
    serializer_class = SongSerializer
    filterset_class = SongFilterSet
    search_fields = ["title"]
    ordering_fields = ["title", "status", "created_at"]

    def perform_destroy(self, instance):
        services.song_delete(song=instance)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="sds")
    def sds(self, request, pk=None):
        """The song's Song Design Spec (SDS 1.0), valid against ``sds.schema.json``."""
        song = get_object_or_404(Song.objects.with_sds_parts().visible_to(request.user), pk=pk)
        return Response(services.song_sds(song=song))


class LyricsViewSet(TenantOwnedViewSet):
    queryset = Lyrics.objects.select_related("owner", "song").order_by("-created_at")
    serializer_class = LyricsSerializer
    filterset_class = LyricsFilterSet
    search_fields = ["song__title"]
    ordering_fields = ["created_at"]


class ProducerNotesViewSet(TenantOwnedViewSet):
    queryset = ProducerNotes.objects.select_related("owner", "song").order_by("-created_at")
    serializer_class = ProducerNotesSerializer
    filterset_class = ProducerNotesFilterSet
    search_fields = ["song__title"]
    ordering_fields = ["created_at", "hook_count"]


class WorkflowRunViewSet(TenantOwnedViewSet):
    queryset = WorkflowRun.objects.select_related("owner", "song").order_by("-created_at")
    serializer_class = WorkflowRunSerializer
    filterset_class = WorkflowRunFilterSet
    search_fields = ["song__title"]
    ordering_fields = ["created_at", "status"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.workflow_run_start(
            song=data["song"],
            owner=self.request.user,
            tenant=data["tenant"],
            node_outputs=data.get("node_outputs"),
            validation_scores=data.get("validation_scores"),
        )

    @extend_schema(request=WorkflowEventAppendSerializer, responses={200: WorkflowEventSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], url_path="events")
    def events(self, request, pk=None):
        """GET: the run's events in order. POST: append one (ts, node, phase, metrics, issues)."""
        run = self.get_object()
        if request.method == "GET":
            return Response(WorkflowEventSerializer(run.events.order_by("sequence"), many=True).data)
        payload = WorkflowEventAppendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = services.workflow_event_append(run=run, owner=request.user, **payload.validated_data)
        return Response(WorkflowEventSerializer(event).data, status=status.HTTP_201_CREATED)


class SdsViewSet(viewsets.ViewSet):
    """Validate and import Song Design Specs (the request body is the SDS document itself)."""

    permission_classes = [permissions.IsAuthenticated]

    def tenant_for(self, request, *, write: bool, required: bool) -> Tenant | None:
        tenant_id = request.query_params.get("tenant")
        visible = Tenant.objects.visible_to(request.user)
        if tenant_id:
            try:
                tenant = visible.get(pk=tenant_id)
            except (Tenant.DoesNotExist, DjangoValidationError) as error:
                raise exceptions.NotFound("No such tenant.") from error
            if write and not Tenant.objects.writable_by(request.user).filter(pk=tenant.pk).exists():
                raise exceptions.PermissionDenied("Your role in this tenant does not allow changes.")
            return tenant
        mine = Tenant.objects.writable_by(request.user) if write else visible
        if request.user.is_superuser:  # superusers see every tenant: only their own memberships name a default
            mine = mine.filter(memberships__user=request.user).distinct()
        candidates = list(mine[:2])
        if len(candidates) == 1:
            return candidates[0]
        if required:
            raise exceptions.ValidationError({"tenant": [CHOOSE_TENANT]})
        return None

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: SdsResultSerializer}, parameters=[TENANT_PARAMETER])
    @action(detail=False, methods=["post"], url_path="validate")
    def validate(self, request):
        """Schema and rule errors of an SDS as JSON pointers with messages; ``valid: true`` when clean."""
        tenant = self.tenant_for(request, write=False, required=False)
        errors = services.sds_validate(document=request.data, tenant=tenant)
        return Response({"valid": not errors, "errors": errors})

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT}, parameters=[TENANT_PARAMETER])
    @action(detail=False, methods=["post"], url_path="import")
    def import_sds(self, request):
        """Create the song and everything its SDS references, in one transaction; answers with the new song's SDS."""
        tenant = self.tenant_for(request, write=True, required=True)
        song = services.sds_import(document=request.data, tenant=tenant, owner=request.user)
        song = Song.objects.with_sds_parts().get(pk=song.pk)
        return Response({"id": str(song.pk), "sds": services.song_sds(song=song)}, status=status.HTTP_201_CREATED)
