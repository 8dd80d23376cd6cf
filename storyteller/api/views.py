"""Viewsets of every storyteller model under ``/api/storyteller/``, built by one factory.

* Process definitions (versions, nodes, sections, prompts, packs, templates, scope types, agents):
  any signed-in user reads; writes need the model permissions (staff, through admin groups).
* Storyteller data: a user sees and changes only the rows of their own storytellers (superusers see
  all); another user's row is a 404 and never appears in a list. Sensitive rows (trauma, boundaries,
  preferences) follow the same rule and nothing widens it.

Writes go through ``storyteller.services.row_save`` (rules, status machines, the event log).
``events`` is append-only: list, read and add, with cursor pagination.
"""

from __future__ import annotations

from django.db import models
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.pagination import CursorPagination, PageNumberPagination
from core.api.permissions import ScopedRolePermission
from core.api.schema import paginated
from core.api.views import UUID_PATTERN, BaseModelViewSet, ValuesListMixin
from storyteller import models as m
from storyteller import rules, services
from storyteller.api.serializers import SERIALIZERS, LifeEventSerializer
from storyteller.filtersets import FILTERSETS
from storyteller.services import interview


class StorytellerViewSetMixin:
    """Writes build the row and hand it to ``services.row_save`` (full_clean, rules, event log)."""

    def perform_create(self, serializer):
        obj = self.queryset.model(**self.creation_values(serializer.validated_data))
        serializer.instance = services.row_save(obj=obj, actor=self.request.user)

    def perform_update(self, serializer):
        obj = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(obj, key, value)
        serializer.instance = services.row_save(obj=obj, actor=self.request.user)

    def creation_values(self, data: dict) -> dict:
        return dict(data)


class ProcessViewSet(StorytellerViewSetMixin, BaseModelViewSet):
    """Shared process definition: read by any signed-in user, written with the model permissions."""


class OwnedViewSet(StorytellerViewSetMixin, BaseModelViewSet):
    """Storyteller data: the owner's rows only (superusers: all)."""

    permission_classes = [permissions.IsAuthenticated, ScopedRolePermission]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class StorytellerViewSet(OwnedViewSet):
    def creation_values(self, data: dict) -> dict:
        return {**data, "user": self.request.user}

    @extend_schema(responses={200: LifeEventSerializer(many=True)})
    @paginated(PageNumberPagination)
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """The storyteller's life events in time order: by their earliest timespan (year, month, day), those
        without a timespan last, then by ``display_order``; a page of them, each with its timespans."""
        storyteller = self.get_object()
        events = (
            m.LifeEvent.objects.visible_to(request.user)
            .filter(storyteller=storyteller)
            .prefetch_related("timespans", "locations")
            .annotate(
                start_year=models.Min("timespans__start_year"),
                start_month=models.Min("timespans__start_month"),
                start_day=models.Min("timespans__start_day"),
            )
            .order_by(
                models.F("start_year").asc(nulls_last=True),
                models.F("start_month").asc(nulls_first=True),
                models.F("start_day").asc(nulls_first=True),
                models.F("display_order").asc(nulls_last=True),
                "id",
            )
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(LifeEventSerializer(page, many=True).data)

    @extend_schema(responses={200: SERIALIZERS[m.StorytellerProgress]})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Where the storyteller stands, computed from their sessions, sections and books."""
        progress = interview.progress_compute(self.get_object())
        return Response(SERIALIZERS[m.StorytellerProgress](progress).data)


class LifeEventViewSet(OwnedViewSet):
    """Life events, with their timespans and locations read and written in the same request."""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        children = {key: data.pop(key) for key in ("timespans", "locations") if key in data}
        serializer.instance = services.life_event_save(
            life_event=m.LifeEvent(**data), actor=self.request.user, **children
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        children = {key: data.pop(key) for key in ("timespans", "locations") if key in data}
        life_event = serializer.instance
        for key, value in data.items():
            setattr(life_event, key, value)
        serializer.instance = services.life_event_save(life_event=life_event, actor=self.request.user, **children)


class AskPromptSerializer(serializers.Serializer):
    prompt = serializers.PrimaryKeyRelatedField(queryset=m.ProcessPrompt.objects.all())
    life_event = serializers.UUIDField(required=False, allow_null=True)


class AnswerSerializer(serializers.Serializer):
    prompt = serializers.PrimaryKeyRelatedField(queryset=m.ProcessPrompt.objects.all())
    section = serializers.CharField(required=False, allow_blank=False, max_length=100)
    response = serializers.CharField(allow_blank=False, trim_whitespace=False)
    response_method = serializers.ChoiceField(choices=["text", "voice"], default="text")
    sentiment = serializers.ChoiceField(
        choices=m.SessionInteraction._meta.get_field("sentiment").choices, required=False
    )
    life_event = serializers.UUIDField(required=False, allow_null=True)
    scope = serializers.ChoiceField(choices=m.SessionScope._meta.get_field("scope_type").choices, required=False)
    profile = serializers.DictField(child=serializers.JSONField(), required=False)
    sections = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=50)

    def validate_profile(self, value):
        from storyteller.services.interview import PROFILE_FLAGS

        wrong = [key for key, flag in value.items() if key in PROFILE_FLAGS and not isinstance(flag, bool)]
        if wrong:
            raise serializers.ValidationError(f"Profile flags are true or false: {', '.join(sorted(wrong))}.")
        return value


class NextPromptSerializer(serializers.Serializer):
    """What to ask next: the node, the prompt (null when nothing is left) and what was skipped, and why."""

    session = serializers.UUIDField()
    process_version = serializers.UUIDField()
    node = serializers.DictField(allow_null=True)
    prompt = serializers.DictField(allow_null=True)
    skipped = serializers.ListField(child=serializers.DictField())
    done = serializers.BooleanField()


class AnswerResultSerializer(serializers.Serializer):
    interaction = SERIALIZERS[m.SessionInteraction]()
    next = NextPromptSerializer()


def _own_life_event(request, storyteller, life_event_id):
    if not life_event_id:
        return None
    return get_object_or_404(
        m.LifeEvent.objects.visible_to(request.user).filter(storyteller=storyteller), pk=life_event_id
    )


class StorytellerSessionViewSet(OwnedViewSet):
    @extend_schema(request=None, responses={200: SERIALIZERS[m.StorytellerSession]})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start (or resume) the session: pinned to the active process version, placed at its first node.
        Refused (400) before the storyteller's consent to capture."""
        session = interview.session_start(session=self.get_object(), actor=request.user)
        return Response(self.get_serializer(session).data)

    @extend_schema(responses={200: NextPromptSerializer})
    @action(detail=True, methods=["get"], url_path="next-prompt")
    def next_prompt(self, request, pk=None):
        """The next prompt by the process's flow, the storyteller's scope, unlocked sections and boundaries
        (``?life_event=`` asks about one life event; by default the session's primary focus)."""
        session = self.get_object()
        life_event = _own_life_event(request, session.storyteller, request.query_params.get("life_event"))
        return Response(interview.next_prompt(session=session, life_event=life_event))

    @extend_schema(request=AnswerSerializer, responses={201: AnswerResultSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Record the storyteller's answer to the prompt served and move along the edge it takes."""
        session = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        interaction, following = interview.session_answer(
            session=session,
            prompt=values["prompt"],
            section_key=values.get("section"),
            response=values["response"],
            response_method=values["response_method"],
            sentiment=values.get("sentiment", ""),
            life_event=_own_life_event(request, session.storyteller, values.get("life_event")),
            scope=values.get("scope"),
            profile=values.get("profile"),
            sections=values.get("sections"),
            actor=request.user,
        )
        body = {"interaction": SERIALIZERS[m.SessionInteraction](interaction).data, "next": following}
        return Response(body, status=201)

    @extend_schema(request=AskPromptSerializer, responses={201: SERIALIZERS[m.SessionInteraction]})
    @action(detail=True, methods=["post"], url_path="ask-prompt")
    def ask_prompt(self, request, pk=None):
        """Put a process prompt to the storyteller; refused (400) above their comfortable tier or about an
        unresolved traumatic life event without consent."""
        session = self.get_object()
        data = AskPromptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        life_event = None
        if data.validated_data.get("life_event"):
            life_event = get_object_or_404(
                m.LifeEvent.objects.visible_to(request.user).filter(storyteller=session.storyteller),
                pk=data.validated_data["life_event"],
            )
        interaction = services.session_prompt_ask(
            session=session, prompt=data.validated_data["prompt"], life_event=life_event, actor=request.user
        )
        return Response(SERIALIZERS[m.SessionInteraction](interaction).data, status=201)


class PromoteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["life_event", "detail", "participant", "location"])
    life_event = serializers.UUIDField(required=False, allow_null=True)
    values = serializers.DictField(required=False, default=dict)

    #: the columns a promotion may set on the row it makes (the answer's text fills the rest)
    FIELDS = {
        "life_event": ("event_name", "event_type", "category", "significance_level", "emotional_tone"),
        "detail": ("detail_key", "display_label", "is_private"),
        "participant": ("first_name", "last_name", "nickname", "relationship_type", "role_in_event", "significance"),
        "location": ("location_name", "location_type", "is_primary_location"),
    }

    def validate(self, attrs):
        unknown = sorted(set(attrs.get("values", {})) - set(self.FIELDS[attrs["kind"]]))
        if unknown:
            raise serializers.ValidationError(
                {"values": [f"Not a column a {attrs['kind']} takes here: {', '.join(unknown)}."]}
            )
        return attrs


class PromotedSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What the answer became (the request's kind).")
    row = serializers.DictField(help_text="The row made, as its own endpoint shows it.")


class SessionInteractionViewSet(OwnedViewSet):
    @extend_schema(request=PromoteSerializer, responses={201: PromotedSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        """Make a life event (or a detail, participant or location of one) from this answer, linked back to it."""
        interaction = self.get_object()
        data = PromoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        storyteller = interaction.session.storyteller
        made = interview.interaction_promote(
            interaction=interaction,
            kind=values["kind"],
            values=values["values"],
            life_event=_own_life_event(request, storyteller, values.get("life_event")),
            actor=request.user,
        )
        serializer = LifeEventSerializer if isinstance(made, m.LifeEvent) else SERIALIZERS[type(made)]
        return Response({"kind": values["kind"], "row": serializer(made).data}, status=201)


class ExportRecordViewSet(ValuesListMixin, viewsets.ReadOnlyModelViewSet):
    """Book exports and deliveries are made through ``/stories/{id}/exports/`` (storyteller.api.books);
    here they are read, with the same filters as every other storyteller table."""

    lookup_value_regex = UUID_PATTERN
    permission_classes = [permissions.IsAuthenticated, ScopedRolePermission]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ProcessVersionViewSet(ProcessViewSet):
    @extend_schema(request=None, responses={200: SERIALIZERS[m.ProcessVersion]})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated, permissions.DjangoModelPermissions],
    )
    def activate(self, request, pk=None):
        """Make this the one active process version."""
        version = services.process_version_activate(version=self.get_object())
        return Response(self.get_serializer(version).data)


class EventViewSet(
    ValuesListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The event log of the user's storytellers, written by the services and the database (status moves,
    approvals, consent, reveals): read only, never added, changed or removed by a client."""

    lookup_value_regex = UUID_PATTERN
    permission_classes = [permissions.IsAuthenticated, ScopedRolePermission]
    pagination_class = CursorPagination
    cursor_ordering = ("-occurred_at", "-id")

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class TransitionsSerializer(serializers.Serializer):
    field = serializers.CharField()
    current = serializers.CharField()
    allowed = serializers.ListField(child=serializers.CharField())
    blocked = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    reasons = serializers.DictField(child=serializers.CharField())


class TransitionsMixin:
    """``GET .../{id}/transitions/``: the statuses the row's machine (``rules.MACHINES``) allows next."""

    @extend_schema(responses={200: TransitionsSerializer})
    @action(detail=True, methods=["get"])
    def transitions(self, request, pk=None):
        """The statuses this row may move to next; ``blocked`` lists the moves a gate refuses now, and why."""
        return Response(rules.next_statuses(self.get_object()))


class ApproveMixin:
    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve this provisional row (it stops being provisional); the approval is logged."""
        obj = services.approve(obj=self.get_object(), actor=request.user)
        return Response(self.get_serializer(obj).data)


class ArchetypeAnalysisViewSet(OwnedViewSet):
    """Archetype analyses stay hidden from their storyteller until revealed (``POST .../reveal/``)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "reveal" or self.request.user.is_superuser:
            return queryset
        return queryset.filter(revealed_to_user=True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """Show this analysis to the storyteller: stamps ``revealed_at`` and logs it."""
        analysis = services.archetype_reveal(analysis=self.get_object(), actor=request.user)
        return Response(self.get_serializer(analysis).data)


class LifeEventTraumaViewSet(OwnedViewSet):
    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record the storyteller's explicit consent to explore this traumatic life event; logged."""
        trauma = self.get_object()
        trauma = services.trauma_consent_record(life_event=trauma.life_event, actor=request.user)
        return Response(self.get_serializer(trauma).data)


BASES = {
    m.Storyteller: StorytellerViewSet,
    m.LifeEvent: LifeEventViewSet,
    m.StorytellerSession: StorytellerSessionViewSet,
    m.SessionInteraction: SessionInteractionViewSet,
    m.ArchetypeAnalysis: ArchetypeAnalysisViewSet,
    m.LifeEventTrauma: LifeEventTraumaViewSet,
    m.ProcessVersion: ProcessVersionViewSet,
    m.Event: EventViewSet,
    m.BookExport: ExportRecordViewSet,
    m.BookExportDelivery: ExportRecordViewSet,
}


def viewset_for(model) -> type[viewsets.GenericViewSet]:
    base = BASES.get(model) or (ProcessViewSet if model in m.PROCESS_MODELS else OwnedViewSet)
    ordering = [name.lstrip("-") for name in model._meta.ordering if "__" not in name]
    attrs = {
        "queryset": model._default_manager.all(),
        "serializer_class": LifeEventSerializer if model is m.LifeEvent else SERIALIZERS[model],
        "filterset_class": FILTERSETS[model],
        "ordering_fields": [*dict.fromkeys([*ordering, "created_at", "updated_at"])],
        "__module__": __name__,
        "__doc__": f"{model._meta.verbose_name_plural.capitalize()}: {model.__doc__.strip().splitlines()[0]}",
    }
    if model is m.LifeEvent:
        attrs["queryset"] = model._default_manager.prefetch_related("timespans", "locations")
    extra = []
    if model._meta.label in rules.MACHINES:
        extra.append(TransitionsMixin)
    if model._meta.label in rules.APPROVALS:
        extra.append(ApproveMixin)
    return type(f"{model.__name__}ViewSet", (*extra, base), attrs)


def url_prefix(model) -> str:
    if model is m.StorytellerSession:
        return "sessions"
    return str(model._meta.verbose_name_plural).replace(" ", "-")


VIEWSETS = {model: viewset_for(model) for model in [*m.PROCESS_MODELS, *m.STORYTELLER_MODELS]}
