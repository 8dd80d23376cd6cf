"""The API of book exports, nested under their story.

    POST /api/storyteller/stories/{story}/exports/                      queue a book -> 202
    GET  /api/storyteller/stories/{story}/exports/                      the story's exports
    GET  /api/storyteller/stories/{story}/exports/{id}/                 status and progress
    GET  /api/storyteller/stories/{story}/exports/{id}/download/        the file (owner, superusers, or ?token=)
    POST /api/storyteller/stories/{story}/exports/{id}/deliveries/      a signed link, or that link by e-mail
    GET  /api/storyteller/stories/{story}/preview/?chapter={chapter}    the book (or one chapter) as HTML, now

Only the story's owner and superusers see a story's exports (others, staff included, get 404; core's
rule), and only they queue or deliver one. A download link carrying a valid signed token
works without signing in: it is what an e-mail delivery sends.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.exceptions import Conflict
from core.api.renderers import JSONRenderer
from storyteller import books
from storyteller.choices import BookExportDeliveryDeliveryMethod, BookExportExportFormat
from storyteller.models import BookExport, BookExportDelivery, Story
from storyteller.services import books as book_services


class StoryBookExportSerializer(serializers.ModelSerializer):
    """A book export as its story's owner sees it: status, progress, the file's facts and its download path."""

    download_url = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = BookExport
        fields = [
            "id",
            "export_format",
            "export_version",
            "export_scope",
            "format_options",
            "export_status",
            "progress_percent",
            "generation_started_at",
            "generation_completed_at",
            "generation_duration_seconds",
            "file_size_bytes",
            "file_checksum",
            "page_count",
            "word_count",
            "expires_at",
            "failed_at",
            "failure_reason",
            "warnings",
            "generated_by",
            "download_url",
            "story",
            "storyteller",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_download_url(self, export: BookExport) -> str | None:
        if export.export_status != book_services.Status.READY:
            return None
        return book_services.book_export_download_path(export=export)

    def get_warnings(self, export: BookExport) -> list[str]:
        return [line for line in export.generation_notes.splitlines() if line.strip()]


class StoryBookExportCreateSerializer(serializers.Serializer):
    """What a book is asked for with: a format of the enumeration and its options."""

    export_format = serializers.ChoiceField(choices=BookExportExportFormat.choices)
    format_options = serializers.JSONField(required=False, default=dict)


class BookExportDeliveryCreateSerializer(serializers.Serializer):
    delivery_method = serializers.ChoiceField(choices=BookExportDeliveryDeliveryMethod.choices)
    delivered_to = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)

    def validate(self, attrs):
        if attrs["delivery_method"] == BookExportDeliveryDeliveryMethod.EMAIL:
            serializers.EmailField().run_validation(attrs.get("delivered_to", ""))
        return attrs


class BookExportDeliverySerializer(serializers.ModelSerializer):
    link = serializers.SerializerMethodField()

    class Meta:
        model = BookExportDelivery
        fields = [
            "id",
            "delivery_method",
            "delivered_to",
            "delivery_status",
            "delivered_at",
            "failure_reason",
            "link",
            "book_export",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_link(self, delivery) -> str | None:
        return self.context.get("link")


@extend_schema_view(
    list=extend_schema(summary="The story's book exports"),
    retrieve=extend_schema(summary="One export: status, progress, file size and checksum"),
)
class StoryBookExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Book exports of one story (``/api/storyteller/stories/{story_pk}/exports/``)."""

    queryset = BookExport.objects.select_related("story")
    serializer_class = StoryBookExportSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = None
    ordering_fields = ["created_at", "export_version"]

    def get_permissions(self):
        if self.action == "download":  # a signed token stands in for signing in; without one, see download()
            return [AllowAny()]
        return super().get_permissions()

    def get_story(self) -> Story:
        return get_object_or_404(Story.objects.visible_to(self.request.user), pk=self.kwargs["story_pk"])

    def get_queryset(self):
        story = self.get_story()
        return super().get_queryset().visible_to(self.request.user).filter(story=story)

    @extend_schema(
        request=StoryBookExportCreateSerializer,
        responses={202: StoryBookExportSerializer, 400: OpenApiResponse(description="Unsupported format or story")},
        summary="Queue a book of the story (built in the background)",
    )
    def create(self, request, *args, **kwargs):
        story = self.get_story()
        if not Story.objects.editable_by(request.user).filter(pk=story.pk).exists():
            raise PermissionDenied()
        data = StoryBookExportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = book_services.book_export_create(story=story, **data.validated_data)
        body = StoryBookExportSerializer(export, context=self.get_serializer_context()).data
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{export.pk}/")
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        parameters=[OpenApiParameter("token", str, description="A signed download token from a delivery.")],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The book file")},
        summary="Download the book file",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        token = request.query_params.get("token")
        if token:
            try:
                export, _delivery = book_services.book_export_from_token(token=token, export_id=kwargs["pk"])
            except ValidationError as exc:
                raise NotFound(exc.messages[0]) from exc
            if str(export.story_id) != str(kwargs["story_pk"]):
                raise NotFound()
        else:
            if not request.user.is_authenticated:
                self.permission_denied(request)
            export = self.get_object()
        try:
            path = book_services.book_export_ensure_ready(export=export)
        except ValidationError as exc:
            raise Conflict(exc.messages[0]) from exc
        extension = path.suffix.lstrip(".")
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=path.name,
            content_type=books.CONTENT_TYPES.get(extension, "application/octet-stream"),
        )

    @extend_schema(
        request=BookExportDeliveryCreateSerializer,
        responses={201: BookExportDeliverySerializer},
        summary="Deliver a ready book: a signed download link, or that link by e-mail",
    )
    @action(detail=True, methods=["post"])
    def deliveries(self, request, *args, **kwargs):
        export = self.get_object()
        if not Story.objects.editable_by(request.user).filter(pk=export.story_id).exists():
            raise PermissionDenied()
        data = BookExportDeliveryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            book_services.book_export_ensure_ready(export=export)
        except ValidationError as exc:
            raise Conflict(exc.messages[0]) from exc
        delivery, link = book_services.book_export_deliver(
            export=export, base_url=request.build_absolute_uri("/").rstrip("/"), **data.validated_data
        )
        body = BookExportDeliverySerializer(delivery, context={"link": link}).data
        return Response(body, status=status.HTTP_201_CREATED)


class BookHTMLRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``text/html``: the preview answers with the page itself (errors stay JSON)."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode() if isinstance(data, str) else data


class StoryPreviewView(APIView):
    """``GET /api/storyteller/stories/{story_pk}/preview/``: the book as its HTML export would read, built now.

    The same builder, publishing rule and HTML renderer as an export, without the export gate (an editor
    reads the book before it is approved) and without writing anything. Only the story's owner (and
    superusers) see it; others get 404.
    """

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, BookHTMLRenderer]

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()  # errors are JSON in the one shape, whatever was asked
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="storyteller_stories_preview",
        summary="Preview the book (or one chapter) as HTML, under the publishing rule",
        parameters=[
            OpenApiParameter(
                "chapter", OpenApiTypes.UUID, description="Only this chapter of the story (its id).", required=False
            )
        ],
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The book as one HTML page")},
    )
    def get(self, request, story_pk):
        story = get_object_or_404(Story.objects.visible_to(request.user).select_related("storyteller"), pk=story_pk)
        chapter = request.query_params.get("chapter") or None
        if chapter is not None:
            try:
                chapter = uuid.UUID(chapter)
            except ValueError as exc:
                raise serializers.ValidationError(
                    {"chapter": ["Give the id (a UUID) of a chapter of this story."]}
                ) from exc
        html = book_services.story_preview_html(story=story, chapter_id=chapter)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
