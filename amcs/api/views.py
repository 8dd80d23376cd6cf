"""Viewsets of the AMCS API; writes with more than one row go through ``amcs.services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from amcs import services
from amcs.api.serializers import (
    BlueprintSerializer,
    ComposedPromptSerializer,
    DocumentImportSerializer,
    DocumentReportSerializer,
    LyricsSerializer,
    PersonaSerializer,
    ProducerNotesSerializer,
    ReplaySerializer,
    SongComposeSerializer,
    SongSerializer,
    SourceSerializer,
    StyleSerializer,
    WorkflowEventSerializer,
    WorkflowRunDocumentSerializer,
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
from amcs.validation import openapi_schema
from core.api.pagination import CursorPagination
from core.api.permissions import TenantRolePermission
from core.api.schema import paginated
from core.api.views import BaseReadOnlyModelViewSet, ProtectedConflictMixin, TenantOwnedViewSet
from core.models import Tenant

TENANT_PARAMETER = OpenApiParameter(
    "tenant", OpenApiTypes.UUID, description="Tenant to check against or import into (default: your only one)."
)
CHOOSE_TENANT = "Choose a tenant with ?tenant=<id>: you belong to several, or to none you may write."
MAP_PERSONA_PARAMETER = OpenApiParameter(
    "map_persona",
    OpenApiTypes.STR,
    many=True,
    description="REFERENCE_ID=NAME: a persona_id of another system means this tenant's persona of that name.",
)
SONG_PARAMETER = OpenApiParameter("song", OpenApiTypes.UUID, description="The song lyrics or producer notes go to.")
BLUEPRINT_PARAMETER = OpenApiParameter("blueprint", OpenApiTypes.UUID, description="The blueprint a style follows.")
NO_SUCH_ROW = "No such {name} in your tenants."


def tenant_for(request, *, write: bool, required: bool) -> Tenant | None:
    """The tenant a document request means: ``?tenant=<id>``, or the user's only one (write access for imports)."""
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


def persona_names(request) -> dict[str, str]:
    """``?map_persona=REF=NAME`` (repeatable) as {reference id: persona name}."""
    names = {}
    for value in request.query_params.getlist("map_persona"):
        ref, sep, name = value.partition("=")
        if not sep or not ref.strip() or not name.strip():
            raise exceptions.ValidationError({"map_persona": ["Write each mapping as REFERENCE_ID=NAME."]})
        names[ref.strip()] = name.strip()
    return names


def _related(request, model, param: str, tenant: Tenant | None):
    value = request.query_params.get(param)
    if not value:
        return None
    rows = model.objects.visible_to(request.user)
    if tenant is not None:
        rows = rows.filter(tenant=tenant)
    try:
        return rows.get(pk=value)
    except (model.DoesNotExist, DjangoValidationError) as error:
        raise exceptions.ValidationError({param: [NO_SUCH_ROW.format(name=param)]}) from error


def document_body(kind: str) -> dict:
    return {"application/json": openapi_schema(kind)}


class DocumentActions:
    """``GET {id}/document/``, ``POST documents/validate/`` and ``POST documents/import/`` of an entity: its document
    as ``amcs/schemas/<kind>.schema.json`` describes it, checked in one pass (errors and warnings), or imported."""

    document_kind = ""

    def document(self, request, pk=None):
        """The row's document, valid against its schema in ``amcs/schemas``."""
        return Response(services.entity_document(instance=self.get_object()))

    def documents_validate(self, request):
        """Schema errors, rule errors and warnings of a document, as JSON pointers with messages, in one pass."""
        tenant = tenant_for(request, write=False, required=False)
        song = _related(request, Song, "song", tenant)
        blueprint = _related(request, Blueprint, "blueprint", tenant)
        report = services.document_check(
            kind=self.document_kind, document=request.data, tenant=tenant, song=song, blueprint=blueprint
        )
        return Response(report.as_json())

    def documents_import(self, request):
        """Create the row of a document (an identical existing blueprint, persona or source is reused)."""
        tenant = tenant_for(request, write=True, required=True)
        song = _related(request, Song, "song", tenant)
        blueprint = _related(request, Blueprint, "blueprint", tenant)
        instance = services.document_import(
            kind=self.document_kind,
            document=request.data,
            tenant=tenant,
            owner=request.user,
            song=song,
            blueprint=blueprint,
        )
        return Response(
            {
                "id": str(instance.pk),
                "document": instance.to_document(),
                "warnings": instance.warnings,
            },
            status=status.HTTP_201_CREATED,
        )


def _own(function):
    """A fresh function calling ``function``, so each viewset's action carries its own route and schema."""

    def method(self, request, *args, **kwargs):
        return function(self, request, *args, **kwargs)

    method.__name__, method.__doc__ = function.__name__, function.__doc__
    return method


def document_actions(kind: str):
    """The three document actions of ``kind``, with their OpenAPI description (the request body is the schema)."""

    def decorate(viewset):
        viewset.document_kind = kind
        viewset.document = extend_schema(responses={200: openapi_schema(kind)})(
            action(detail=True, methods=["get"], url_path="document")(_own(DocumentActions.document))
        )
        viewset.documents_validate = extend_schema(
            request=document_body(kind),
            responses={200: DocumentReportSerializer},
            parameters=[TENANT_PARAMETER, SONG_PARAMETER, BLUEPRINT_PARAMETER],
        )(
            action(detail=False, methods=["post"], url_path="documents/validate")(
                _own(DocumentActions.documents_validate)
            )
        )
        viewset.documents_import = extend_schema(
            request=document_body(kind),
            responses={201: DocumentImportSerializer},
            parameters=[TENANT_PARAMETER, SONG_PARAMETER, BLUEPRINT_PARAMETER],
        )(action(detail=False, methods=["post"], url_path="documents/import")(_own(DocumentActions.documents_import)))
        return viewset

    return decorate


@document_actions("blueprint")
class BlueprintViewSet(DocumentActions, TenantOwnedViewSet):
    queryset = Blueprint.objects.select_related("owner").order_by("genre", "-version")
    serializer_class = BlueprintSerializer
    filterset_class = BlueprintFilterSet
    ordering_fields = ["genre", "version", "created_at"]


@document_actions("persona")
class PersonaViewSet(DocumentActions, TenantOwnedViewSet):
    queryset = Persona.objects.select_related("owner").order_by("name")
    serializer_class = PersonaSerializer
    filterset_class = PersonaFilterSet
    ordering_fields = ["name", "created_at"]


@document_actions("source")
class SourceViewSet(DocumentActions, TenantOwnedViewSet):
    queryset = Source.objects.select_related("owner").order_by("name")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["name", "weight", "created_at"]


@document_actions("style")
class StyleViewSet(DocumentActions, TenantOwnedViewSet):
    queryset = Style.objects.select_related("owner", "blueprint").order_by("name")
    serializer_class = StyleSerializer
    filterset_class = StyleFilterSet
    ordering_fields = ["name", "genre", "bpm_min", "energy_level", "created_at"]


class SongViewSet(TenantOwnedViewSet):
    queryset = (
        Song.objects.select_related("owner", "blueprint", "style", "persona")
        .prefetch_related("sources")
        .order_by("-created_at")
    )
    serializer_class = SongSerializer
    filterset_class = SongFilterSet
    ordering_fields = ["title", "status", "created_at"]

    def perform_destroy(self, instance):
        services.song_delete(song=instance)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="sds")
    def sds(self, request, pk=None):
        """The song's Song Design Spec (SDS 1.0), valid against ``sds.schema.json``."""
        song = get_object_or_404(Song.objects.with_sds_parts().visible_to(request.user), pk=pk)
        return Response(services.song_sds(song=song))

    @extend_schema(request=SongComposeSerializer, responses={201: ComposedPromptSerializer})
    @action(detail=True, methods=["post"], url_path="compose")
    def compose(self, request, pk=None):
        """Compose the song's prompt for its render engine (deterministic), store it and return it."""
        song = self.get_object()
        payload = SongComposeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = None
        if payload.validated_data.get("run_id"):
            run = WorkflowRun.objects.filter(song=song, pk=payload.validated_data["run_id"]).first()
            if run is None:
                raise exceptions.ValidationError({"run_id": ["No such run of this song."]})
        prompt = services.song_compose(song=song, owner=request.user, run=run)
        return Response(ComposedPromptSerializer(prompt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: WorkflowRunSerializer})
    @action(detail=True, methods=["post"], url_path="runs")
    def runs(self, request, pk=None):
        """Start a workflow run: the SDS is validated (400 with the report when invalid), frozen with its SHA-256
        and queued; a worker executes the nodes. 409 while the song has a run in progress."""
        song = self.get_object()
        run = services.workflow_run_start(song=song, actor=request.user)
        return Response(WorkflowRunSerializer(run).data, status=status.HTTP_201_CREATED)


@document_actions("lyrics")
class LyricsViewSet(DocumentActions, TenantOwnedViewSet):
    queryset = Lyrics.objects.select_related("owner", "song").order_by("-created_at")
    serializer_class = LyricsSerializer
    filterset_class = LyricsFilterSet
    ordering_fields = ["created_at"]


@document_actions("producer_notes")
class ProducerNotesViewSet(DocumentActions, TenantOwnedViewSet):
    queryset = ProducerNotes.objects.select_related("owner", "song").order_by("-created_at")
    serializer_class = ProducerNotesSerializer
    filterset_class = ProducerNotesFilterSet
    ordering_fields = ["created_at", "hook_count"]


class WorkflowEventPagination(CursorPagination):
    """A run's events are append-only and unbounded: pages by cursor over ``(run, sequence)``'s unique index."""

    ordering = ("sequence",)


class WorkflowRunViewSet(ProtectedConflictMixin, mixins.DestroyModelMixin, BaseReadOnlyModelViewSet):
    """Runs, read-only: the server computes their status, outputs and scores (start one with
    ``POST /api/amcs/songs/{id}/runs/``). The detail is the run's document: every node's hashes, duration, output."""

    queryset = WorkflowRun.objects.select_related("owner", "song").order_by("-created_at")
    serializer_class = WorkflowRunSerializer
    filterset_class = WorkflowRunFilterSet
    ordering_fields = ["created_at", "status"]
    permission_classes = [permissions.IsAuthenticated, TenantRolePermission]

    def get_queryset(self):
        queryset = super().get_queryset().visible_to(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("steps")
        return queryset

    def get_serializer_class(self):
        return WorkflowRunDocumentSerializer if self.action == "retrieve" else WorkflowRunSerializer

    @extend_schema(request=None, responses={200: ReplaySerializer})
    @action(detail=True, methods=["post"], url_path="replay")
    def replay(self, request, pk=None):
        """Run the frozen input again and compare every node's output hash with the stored one: ``identical``, or
        the first step that differs. Stores nothing."""
        run = self.get_object()
        return Response(services.workflow_run_replay(run=run, actor=request.user))

    @extend_schema(responses={200: WorkflowEventSerializer(many=True)})
    @paginated(WorkflowEventPagination)
    @action(detail=True, methods=["get"], url_path="events")
    def events(self, request, pk=None):
        """The run's events (start, end, fail of each node, written by the runner) in order, a page at a time
        (``?page_size=``, follow ``next``)."""
        run = self.get_object()
        paginator = WorkflowEventPagination()
        page = paginator.paginate_queryset(run.events.all(), request)
        return paginator.get_paginated_response(WorkflowEventSerializer(page, many=True).data)


class SdsViewSet(viewsets.ViewSet):
    """Validate and import Song Design Specs (the request body is the SDS document itself)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=document_body("sds"),
        responses={200: DocumentReportSerializer},
        parameters=[TENANT_PARAMETER, MAP_PERSONA_PARAMETER],
    )
    @action(detail=False, methods=["post"], url_path="validate")
    def validate(self, request):
        """Schema errors, rule errors and warnings of an SDS as JSON pointers with messages, in one pass;
        ``valid: true`` when there is no error."""
        tenant = tenant_for(request, write=False, required=False)
        report = services.sds_check(document=request.data, tenant=tenant, persona_names=persona_names(request))
        return Response(report.as_json())

    @extend_schema(
        request=document_body("sds"),
        responses={201: OpenApiTypes.OBJECT},
        parameters=[TENANT_PARAMETER, MAP_PERSONA_PARAMETER],
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_sds(self, request):
        """Create the song and everything its SDS references, in one transaction; answers with the new song's SDS."""
        tenant = tenant_for(request, write=True, required=True)
        song = services.sds_import(
            document=request.data, tenant=tenant, owner=request.user, persona_names=persona_names(request)
        )
        song = Song.objects.with_sds_parts().get(pk=song.pk)
        return Response({"id": str(song.pk), "sds": services.song_sds(song=song)}, status=status.HTTP_201_CREATED)
