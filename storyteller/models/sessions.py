"""Capture sessions and what they produce (interactions, artifacts, syntheses, archetypes).

The document defines ``session`` twice; ``StorytellerSession`` keeps the storyteller-based definition
(session_schema.md) and folds in what the process-based one adds: ``last_activity_at``, ``completed_at``,
``metadata`` and the statuses ``abandoned`` (``active`` is ``in_progress``). Its ``user_id`` is the
storyteller's user and is not repeated; ``current_node_id`` is ``current_process_node``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import choice_check, range_check
from core.models import trigram_index
from storyteller.choices import (
    SessionArtifactArtifactType,
    SessionInteractionInteractionType,
    SessionInteractionPromptCategory,
    SessionInteractionResponseMethod,
    SessionInteractionSentiment,
    SessionLifeEventCoverageLevel,
    SessionNoteNotedBy,
    SessionNoteNoteType,
    SessionProgressStatus,
    SessionScopeScopeType,
    SessionSectionStatusStatus,
    SessionSynthesisSynthesisType,
    StorytellerSessionStatus,
)
from storyteller.models.base import ProcessDefinitionModel, StorytellerOwnedModel, fraction_field


class StorytellerSession(StorytellerOwnedModel):
    """A capture session with a storyteller (the storyteller-based definition, with the process-based one folded in)."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="sessions",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("process version"),
    )
    current_process_node = models.ForeignKey(
        "ProcessNode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="current_sessions",
        verbose_name=_("current process node"),
    )
    session_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("session name"),
        help_text=_('"Childhood memories capture", "Military service deep dive"'),
    )
    intention = models.TextField(verbose_name=_("intention"), help_text=_("What we're trying to accomplish"))
    success_indicators = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("success indicators"),
        help_text=_("Array of success criteria"),
    )
    completion_indicators = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("completion indicators"),
        help_text=_("Array of completion criteria"),
    )
    constraints = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("constraints"),
        help_text=_("Guardrails, boundaries, things to avoid"),
    )
    procedure_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("procedure notes"),
        help_text=_("Optional guidance on how to conduct session"),
    )
    scheduled_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("scheduled at"),
        help_text=_("When session is planned"),
    )
    scheduled_duration_minutes = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("scheduled duration minutes"),
        help_text=_("Expected length"),
    )
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("started at"),
    )
    ended_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("ended at"),
    )
    actual_duration_minutes = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("actual duration minutes"),
    )
    status = models.CharField(
        max_length=50,
        choices=StorytellerSessionStatus.choices,
        default=StorytellerSessionStatus.SCHEDULED,
        verbose_name=_("status"),
    )
    summary = models.TextField(
        blank=True,
        default="",
        verbose_name=_("summary"),
        help_text=_("Post-session summary of what was accomplished"),
    )
    success_rating = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        verbose_name=_("success rating"),
        help_text=_("1-5 scale, how well did it go"),
    )
    completion_percentage = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        verbose_name=_("completion percentage"),
        help_text=_("0-100, how complete is the goal"),
    )
    needs_followup = models.BooleanField(default=False, verbose_name=_("needs followup"))
    followup_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("followup notes"),
    )
    next_session_suggestion = models.TextField(
        blank=True,
        default="",
        verbose_name=_("next session suggestion"),
    )
    last_activity_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("last activity at"),
    )
    completed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("completed at"),
    )
    metadata = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("metadata"),
        help_text=_("Flexible storage for session-specific data"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_check("status", StorytellerSessionStatus),
            range_check("success_rating", 1, 5),
            range_check("completion_percentage", 0, 100),
        ]
        indexes = [
            models.Index(fields=["storyteller", "status"], name="st_ses_99b54_idx"),
            trigram_index("st_storytellersessi_958e0_q", "session_name", "intention", "procedure_notes", "summary"),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.session_name or f"Session {self.pk}"


class SessionScope(StorytellerOwnedModel):
    """The scope chosen in a session (whole life, major chapter, single event, unsure)."""

    session = models.OneToOneField(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="scope",
        verbose_name=_("session"),
    )
    scope_type = models.CharField(
        max_length=50,
        choices=SessionScopeScopeType.choices,
        verbose_name=_("scope type"),
    )
    scope_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("scope description"),
        help_text=_("If they chose major_chapter or single_event, what is it?"),
    )
    time_period_start = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("time period start"),
    )
    time_period_end = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("time period end"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("scope_type", SessionScopeScopeType),
        ]
        indexes = [
            trigram_index("st_sessionscope_f138b_q", "scope_description"),
        ]
        verbose_name = _("session scope")
        verbose_name_plural = _("session scopes")

    def __str__(self) -> str:
        return f"Session scope {self.pk}"


class SessionProfile(StorytellerOwnedModel):
    """Profile flags gathered in a session; they enable conditional sections."""

    session = models.OneToOneField(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("session"),
    )
    has_relationships = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("has relationships"),
    )
    has_children = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("has children"),
    )
    has_multiple_careers = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("has multiple careers"),
    )
    has_lived_multiple_places = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("has lived multiple places"),
    )
    has_military_service = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("has military service"),
    )
    faith_important = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("faith important"),
    )
    comfortable_discussing_romance = models.BooleanField(default=True, verbose_name=_("comfortable discussing romance"))
    comfortable_discussing_trauma = models.BooleanField(default=True, verbose_name=_("comfortable discussing trauma"))
    prefers_some_private = models.BooleanField(default=False, verbose_name=_("prefers some private"))
    additional_flags = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("additional flags"),
        help_text=_("Extensible for new profile fields"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("session profile")
        verbose_name_plural = _("session profiles")

    def __str__(self) -> str:
        return f"Session profile {self.pk}"


class SessionProgress(StorytellerOwnedModel):
    """A session's progress through one process node."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("session"),
    )
    process_node = models.ForeignKey(
        "ProcessNode",
        on_delete=models.PROTECT,
        related_name="session_progress",
        verbose_name=_("process node"),
    )
    status = models.CharField(
        max_length=50,
        choices=SessionProgressStatus.choices,
        default=SessionProgressStatus.PENDING,
        verbose_name=_("status"),
    )
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("started at"),
    )
    completed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("completed at"),
    )
    prompts_completed = models.IntegerField(default=0, verbose_name=_("prompts completed"))
    prompts_total = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("prompts total"),
    )
    node_data = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("node data"),
        help_text=_("Responses, decisions, artifacts"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("status", SessionProgressStatus),
        ]
        verbose_name = _("session progress")
        verbose_name_plural = _("session progress")

    def __str__(self) -> str:
        return f"Session progress {self.pk}"


class SessionSectionStatus(StorytellerOwnedModel):
    """A section's state within one session."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="section_statuses",
        db_index=False,
        verbose_name=_("session"),
    )
    section = models.ForeignKey(
        "ProcessSection",
        on_delete=models.PROTECT,
        related_name="session_statuses",
        verbose_name=_("section"),
    )
    status = models.CharField(
        max_length=50,
        choices=SessionSectionStatusStatus.choices,
        default=SessionSectionStatusStatus.LOCKED,
        verbose_name=_("status"),
    )
    is_selected = models.BooleanField(
        default=False,
        verbose_name=_("is selected"),
        help_text=_("User chose to work on this"),
    )
    prompts_answered = models.IntegerField(default=0, verbose_name=_("prompts answered"))
    unlocked_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("unlocked at"),
    )
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("started at"),
    )
    completed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("completed at"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "section"],
                name="storyteller_sessionsectionstatus_session_section_unique",
                violation_error_message=_("This session / section combination already exists."),
            ),
            choice_check("status", SessionSectionStatusStatus),
        ]
        verbose_name = _("session section status")
        verbose_name_plural = _("session section statuses")

    def __str__(self) -> str:
        return f"Session section status {self.pk}"


class SessionSynthesis(StorytellerOwnedModel):
    """A provisional synthesis (draft, chapter, checkpoint) produced in a session."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="syntheses",
        verbose_name=_("session"),
    )
    section = models.ForeignKey(
        "ProcessSection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_syntheses",
        verbose_name=_("section"),
    )
    synthesis_type = models.CharField(
        max_length=50,
        choices=SessionSynthesisSynthesisType.choices,
        blank=True,
        default="",
        verbose_name=_("synthesis type"),
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("title"),
    )
    content = models.TextField(verbose_name=_("content"))
    is_provisional = models.BooleanField(default=True, verbose_name=_("is provisional"))
    version = models.IntegerField(default=1, verbose_name=_("version"))
    user_approved = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("user approved"),
    )
    user_feedback = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user feedback"),
    )
    generated_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("generated at"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(user_approved=True) | Q(is_provisional=False),
                name="storyteller_sessionsynthesis_approved_not_provisional",
                violation_error_message=_("An approved synthesis is no longer provisional."),
            ),
            choice_check("synthesis_type", SessionSynthesisSynthesisType, blank=True),
        ]
        indexes = [
            trigram_index("st_sessionsynthesis_72296_q", "title", "content", "user_feedback"),
        ]
        verbose_name = _("session synthesis")
        verbose_name_plural = _("session syntheses")

    def __str__(self) -> str:
        return self.title or f"Session synthesis {self.pk}"


class SessionArchetype(StorytellerOwnedModel):
    """An archetype inferred during a session; hidden from the storyteller unless asked."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="archetypes",
        verbose_name=_("session"),
    )
    archetype_type = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("archetype type"),
        help_text=_('e.g., "loss_to_connection", "transformation", "endurance"'),
    )
    confidence_score = fraction_field(_("confidence score"), help_text=_("0.00 to 1.00"))
    themes = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("themes"),
        help_text=_("Detected themes"),
    )
    narrative_shape = models.TextField(
        blank=True,
        default="",
        verbose_name=_("narrative shape"),
    )
    revealed_to_user = models.BooleanField(default=False, verbose_name=_("revealed to user"))
    user_confirmed = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("user confirmed"),
    )
    user_reframed = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user reframed"),
    )
    inferred_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("inferred at"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            range_check("confidence_score", Decimal("0"), Decimal("1")),
        ]
        indexes = [
            trigram_index("st_sessionarchetype_dcac3_q", "archetype_type", "narrative_shape", "user_reframed"),
        ]
        verbose_name = _("session archetype")
        verbose_name_plural = _("session archetypes")

    def __str__(self) -> str:
        return self.archetype_type or f"Session archetype {self.pk}"


class SessionLifeEvent(StorytellerOwnedModel):
    """A life event a session covers, and how deeply."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="life_events",
        db_index=False,
        verbose_name=_("session"),
    )
    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.CASCADE,
        related_name="session_links",
        verbose_name=_("life event"),
    )
    is_primary_focus = models.BooleanField(
        default=False,
        verbose_name=_("is primary focus"),
        help_text=_("Main event for this session"),
    )
    coverage_level = models.CharField(
        max_length=50,
        choices=SessionLifeEventCoverageLevel.choices,
        blank=True,
        default="",
        verbose_name=_("coverage level"),
    )
    prompts_completed = models.IntegerField(default=0, verbose_name=_("prompts completed"))
    notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("notes"),
        help_text=_("Session-specific notes about this event"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "life_event"],
                name="storyteller_sessionlifeevent_session_life_event_unique",
                violation_error_message=_("This session / life event combination already exists."),
            ),
            choice_check("coverage_level", SessionLifeEventCoverageLevel, blank=True),
        ]
        indexes = [
            trigram_index("st_sessionlifeevent_667c0_q", "notes"),
        ]
        verbose_name = _("session life event")
        verbose_name_plural = _("session life events")

    def __str__(self) -> str:
        return f"Session life event {self.pk}"


class SessionInteraction(StorytellerOwnedModel):
    """One exchange in a session (prompt, response, clarification, reflection), in sequence."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
        verbose_name=_("session"),
    )
    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_interactions",
        verbose_name=_("life event"),
    )
    interaction_sequence = models.IntegerField(
        verbose_name=_("interaction sequence"),
        help_text=_("Order within session"),
    )
    interaction_type = models.CharField(
        max_length=50,
        choices=SessionInteractionInteractionType.choices,
        blank=True,
        default="",
        verbose_name=_("interaction type"),
    )
    agent_prompt = models.TextField(
        blank=True,
        default="",
        verbose_name=_("agent prompt"),
        help_text=_("What the agent asked/said"),
    )
    prompt_category = models.CharField(
        max_length=100,
        choices=SessionInteractionPromptCategory.choices,
        blank=True,
        default="",
        verbose_name=_("prompt category"),
    )
    storyteller_response = models.TextField(
        blank=True,
        default="",
        verbose_name=_("storyteller response"),
        help_text=_("What the storyteller said/wrote"),
    )
    response_method = models.CharField(
        max_length=50,
        choices=SessionInteractionResponseMethod.choices,
        blank=True,
        default="",
        verbose_name=_("response method"),
    )
    sentiment = models.CharField(
        max_length=50,
        choices=SessionInteractionSentiment.choices,
        blank=True,
        default="",
        verbose_name=_("sentiment"),
    )
    key_themes = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("key themes"),
        help_text=_("Extracted themes"),
    )
    mentions_people = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("mentions people"),
        help_text=_("People mentioned in this interaction"),
    )
    mentions_places = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("mentions places"),
        help_text=_("Places mentioned"),
    )
    duration_seconds = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("duration seconds"),
        help_text=_("How long this interaction took"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["session_id", "interaction_sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "interaction_sequence"],
                name="storyteller_sessioninteraction_sequence_unique",
                violation_error_message=_("This session / interaction sequence combination already exists."),
            ),
            choice_check("interaction_type", SessionInteractionInteractionType, blank=True),
            choice_check("prompt_category", SessionInteractionPromptCategory, blank=True),
            choice_check("response_method", SessionInteractionResponseMethod, blank=True),
            choice_check("sentiment", SessionInteractionSentiment, blank=True),
        ]
        indexes = [
            trigram_index("st_sessioninteracti_63373_q", "agent_prompt", "storyteller_response"),
        ]
        verbose_name = _("session interaction")
        verbose_name_plural = _("session interactions")

    def __str__(self) -> str:
        return f"Session interaction {self.pk}"


class SessionArtifact(StorytellerOwnedModel):
    """Something a session produced (scene capture, timeline entry, ...); provisional until approved."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="artifacts",
        verbose_name=_("session"),
    )
    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_artifacts",
        verbose_name=_("life event"),
    )
    artifact_type = models.CharField(
        max_length=50,
        choices=SessionArtifactArtifactType.choices,
        blank=True,
        default="",
        verbose_name=_("artifact type"),
    )
    artifact_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("artifact name"),
    )
    content = models.TextField(
        blank=True,
        default="",
        verbose_name=_("content"),
        help_text=_("The actual artifact content"),
    )
    structured_data = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("structured data"),
        help_text=_("If artifact has structured components"),
    )
    is_provisional = models.BooleanField(
        default=True,
        verbose_name=_("is provisional"),
        help_text=_("Not yet confirmed by storyteller"),
    )
    is_approved = models.BooleanField(default=False, verbose_name=_("is approved"))
    approved_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("approved at"),
    )
    included_in_synthesis = models.BooleanField(default=False, verbose_name=_("included in synthesis"))

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_approved=False) | Q(is_provisional=False, approved_at__isnull=False),
                name="storyteller_sessionartifact_approved_not_provisional",
                violation_error_message=_("An approved row is no longer provisional and carries its approval time."),
            ),
            choice_check("artifact_type", SessionArtifactArtifactType, blank=True),
        ]
        indexes = [
            trigram_index("st_sessionartifact_bc239_q", "artifact_name", "content"),
        ]
        verbose_name = _("session artifact")
        verbose_name_plural = _("session artifacts")

    def __str__(self) -> str:
        return self.artifact_name or f"Session artifact {self.pk}"


class SessionTemplate(ProcessDefinitionModel):
    """A reusable session plan for a process version."""

    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.CASCADE,
        related_name="session_templates",
        db_index=False,
        verbose_name=_("process version"),
    )
    template_name = models.CharField(
        max_length=200,
        verbose_name=_("template name"),
        help_text=_('"Childhood exploration", "Trauma gentle approach"'),
    )
    template_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("template description"),
    )
    suggested_for_event_types = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("suggested for event types"),
        help_text=_("Which life event types this works well for"),
    )
    suggested_for_process_nodes = ArrayField(
        models.UUIDField(),
        blank=True,
        default=list,
        verbose_name=_("suggested for process nodes"),
        help_text=_("Which process nodes this aligns with"),
    )
    default_intention = models.TextField(
        blank=True,
        default="",
        verbose_name=_("default intention"),
    )
    default_success_indicators = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("default success indicators"),
    )
    default_completion_indicators = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("default completion indicators"),
    )
    default_constraints = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("default constraints"),
    )
    default_procedure_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("default procedure notes"),
    )
    default_duration_minutes = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("default duration minutes"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    class Meta:
        ordering = ["template_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["process_version", "template_name"],
                name="storyteller_sessiontemplate_name_unique",
                violation_error_message=_("This process version / template name combination already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["template_name"], name="st_sestem_f720d_idx"),
        ]
        verbose_name = _("session template")
        verbose_name_plural = _("session templates")

    def __str__(self) -> str:
        return self.template_name or f"Session template {self.pk}"


class SessionNote(StorytellerOwnedModel):
    """A note the agent, system or user made during a session."""

    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=_("session"),
    )
    note_type = models.CharField(
        max_length=50,
        choices=SessionNoteNoteType.choices,
        blank=True,
        default="",
        verbose_name=_("note type"),
    )
    note_content = models.TextField(verbose_name=_("note content"))
    noted_at_interaction_sequence = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("noted at interaction sequence"),
        help_text=_("Which interaction prompted this note"),
    )
    is_important = models.BooleanField(default=False, verbose_name=_("is important"))
    requires_followup = models.BooleanField(default=False, verbose_name=_("requires followup"))
    noted_by = models.CharField(
        max_length=100,
        choices=SessionNoteNotedBy.choices,
        blank=True,
        default="",
        verbose_name=_("noted by"),
    )

    access_path = "session__storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("note_type", SessionNoteNoteType, blank=True),
            choice_check("noted_by", SessionNoteNotedBy, blank=True),
        ]
        indexes = [
            trigram_index("st_sessionnote_285c4_q", "note_content"),
        ]
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")

    def __str__(self) -> str:
        return f"Session note {self.pk}"
