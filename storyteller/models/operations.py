"""Operations: progress, section selection and unlocking, scope types, archetype analysis, feedback,
agents, the requirement loops, book exports, and the append-only event log."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.constraints import choice_check, range_check
from core.models import trigram_index
from storyteller.choices import (
    AgentAgentType,
    AgentDefaultTone,
    AgentInstanceStatus,
    ArchetypeAnalysisAnalysisMethod,
    ArchetypeAnalysisAnalysisScope,
    ArchetypeAnalysisDominantArchetype,
    ArchetypeAnalysisIdentityShiftType,
    ArchetypeAnalysisRefinementStatus,
    BookExportDeliveryDeliveryMethod,
    BookExportDeliveryDeliveryStatus,
    BookExportExportFormat,
    BookExportExportScope,
    BookExportExportStatus,
    BookExportGeneratedBy,
    EditRequirementIssueType,
    EditRequirementSeverity,
    EditRequirementStatus,
    EventType,
    RequirementArchetypeLane,
    RequirementArchetypeRefinementPurpose,
    RequirementPriority,
    RequirementRequirementType,
    RequirementResolvedBy,
    RequirementStatus,
    ScopeTypeScopeKey,
    StorytellerProgressCurrentPhase,
    StorytellerProgressPhaseStatus,
    StorytellerSectionSelectionPriorityLevel,
    StorytellerSectionSelectionSelectedDuringPhase,
    StorytellerSectionSelectionSelectionReason,
    StorytellerSectionStatusStatus,
    StorytellerSectionStatusUnlockedBy,
    UserFeedbackFeedbackCategory,
    UserFeedbackFeedbackOnType,
    UserFeedbackFeedbackType,
    UserFeedbackPriority,
    UserFeedbackResolutionStatus,
    UserFeedbackSentiment,
)
from storyteller.models.base import ProcessDefinitionModel, StorytellerOwnedModel, fraction_field


class StorytellerProgress(StorytellerOwnedModel):
    """Where a storyteller stands in the process (phase, counts, milestones)."""

    storyteller = models.OneToOneField(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("storyteller"),
    )
    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="storyteller_progress",
        verbose_name=_("process version"),
    )
    current_phase = models.CharField(
        max_length=100,
        choices=StorytellerProgressCurrentPhase.choices,
        blank=True,
        default="",
        verbose_name=_("current phase"),
    )
    phase_status = models.CharField(
        max_length=50,
        choices=StorytellerProgressPhaseStatus.choices,
        blank=True,
        default="",
        verbose_name=_("phase status"),
    )
    overall_completion_percentage = models.IntegerField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        verbose_name=_("overall completion percentage"),
        help_text=_("0-100"),
    )
    phases_completed = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("phases completed"),
        help_text=_("Array of completed phase keys"),
    )
    phases_skipped = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("phases skipped"),
        help_text=_("Phases deliberately skipped"),
    )
    first_session_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("first session at"),
    )
    first_capture_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("first capture at"),
    )
    first_synthesis_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("first synthesis at"),
    )
    book_started_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("book started at"),
    )
    book_completed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("book completed at"),
    )
    last_active_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("last active at"),
    )
    total_sessions_count = models.IntegerField(default=0, verbose_name=_("total sessions count"))
    total_interactions_count = models.IntegerField(default=0, verbose_name=_("total interactions count"))
    total_artifacts_count = models.IntegerField(default=0, verbose_name=_("total artifacts count"))
    suggested_next_phase = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("suggested next phase"),
    )
    suggested_next_action = models.TextField(
        blank=True,
        default="",
        verbose_name=_("suggested next action"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choice_check("current_phase", StorytellerProgressCurrentPhase, blank=True),
            choice_check("phase_status", StorytellerProgressPhaseStatus, blank=True),
            range_check("overall_completion_percentage", 0, 100, name="completion"),
        ]
        indexes = [
            trigram_index("st_storytellerprogr_c889a_q", "suggested_next_phase", "suggested_next_action"),
        ]
        verbose_name = _("storyteller progress")
        verbose_name_plural = _("storyteller progress")

    def __str__(self) -> str:
        return f"Storyteller progress {self.pk}"


class StorytellerSectionSelection(StorytellerOwnedModel):
    """A process section the storyteller chose (or was given) to work on."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="section_selections",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    process_section = models.ForeignKey(
        "ProcessSection",
        on_delete=models.PROTECT,
        related_name="storyteller_selections",
        verbose_name=_("process section"),
    )
    selected_during_phase = models.CharField(
        max_length=50,
        choices=StorytellerSectionSelectionSelectedDuringPhase.choices,
        blank=True,
        default="",
        verbose_name=_("selected during phase"),
    )
    selection_reason = models.CharField(
        max_length=100,
        choices=StorytellerSectionSelectionSelectionReason.choices,
        blank=True,
        default="",
        verbose_name=_("selection reason"),
    )
    priority_level = models.CharField(
        max_length=50,
        choices=StorytellerSectionSelectionPriorityLevel.choices,
        blank=True,
        default="",
        verbose_name=_("priority level"),
    )
    is_required = models.BooleanField(
        default=False,
        verbose_name=_("is required"),
        help_text=_("Required by scope"),
    )
    selected_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("selected at"),
    )
    user_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user notes"),
        help_text=_("Why storyteller wants to work on this"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["storyteller", "process_section"],
                name="storyteller_storytellersectionselection_unique",
                violation_error_message=_("This storyteller / process section combination already exists."),
            ),
            models.CheckConstraint(
                condition=Q(selected_during_phase__in=[*StorytellerSectionSelectionSelectedDuringPhase.values, ""]),
                name="storyteller_storytellersectionselection_phase_valid",
                violation_error_message=_("Unknown selected during phase."),
            ),
            choice_check("selection_reason", StorytellerSectionSelectionSelectionReason, blank=True),
            choice_check("priority_level", StorytellerSectionSelectionPriorityLevel, blank=True),
        ]
        indexes = [
            trigram_index("st_storytellersecti_7d639_q", "user_notes"),
        ]
        verbose_name = _("storyteller section selection")
        verbose_name_plural = _("storyteller section selections")

    def __str__(self) -> str:
        return f"Storyteller section selection {self.pk}"


class StorytellerSectionStatus(StorytellerOwnedModel):
    """A process section's state for a storyteller: locked, unlocked, in progress, completed or skipped."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="section_statuses",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    process_section = models.ForeignKey(
        "ProcessSection",
        on_delete=models.PROTECT,
        related_name="storyteller_statuses",
        verbose_name=_("process section"),
    )
    status = models.CharField(
        max_length=50,
        choices=StorytellerSectionStatusStatus.choices,
        default=StorytellerSectionStatusStatus.LOCKED,
        verbose_name=_("status"),
    )
    unlocked_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("unlocked at"),
    )
    unlocked_by = models.CharField(
        max_length=100,
        choices=StorytellerSectionStatusUnlockedBy.choices,
        blank=True,
        default="",
        verbose_name=_("unlocked by"),
    )
    unlock_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("unlock reason"),
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
    skipped_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("skipped at"),
    )
    skip_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("skip reason"),
    )
    prompts_answered = models.IntegerField(default=0, verbose_name=_("prompts answered"))
    prompts_total = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("prompts total"),
    )
    scenes_captured = models.IntegerField(default=0, verbose_name=_("scenes captured"))
    life_events_created = models.IntegerField(default=0, verbose_name=_("life events created"))
    completion_percentage = models.IntegerField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        verbose_name=_("completion percentage"),
        help_text=_("0-100"),
    )
    prerequisite_sections_met = models.BooleanField(default=False, verbose_name=_("prerequisite sections met"))
    prerequisite_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("prerequisite notes"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["storyteller", "process_section"],
                name="storyteller_storytellersectionstatus_unique",
                violation_error_message=_("This storyteller / process section combination already exists."),
            ),
            choice_check("status", StorytellerSectionStatusStatus),
            choice_check("unlocked_by", StorytellerSectionStatusUnlockedBy, blank=True),
            range_check("completion_percentage", 0, 100, name="completion"),
        ]
        indexes = [
            models.Index(fields=["status"], name="st_stosecsta_059f3_idx"),
            trigram_index("st_storytellersecti_7ef41_q", "unlock_reason", "skip_reason", "prerequisite_notes"),
        ]
        verbose_name = _("storyteller section status")
        verbose_name_plural = _("storyteller section statuses")

    def __str__(self) -> str:
        return f"Storyteller section status {self.pk}"


class ScopeType(ProcessDefinitionModel):
    """A scope a storyteller may choose (whole life, major chapter, single event, unsure) and what it enables."""

    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.CASCADE,
        related_name="scope_types",
        verbose_name=_("process version"),
    )
    scope_key = models.CharField(
        max_length=50,
        choices=ScopeTypeScopeKey.choices,
        verbose_name=_("scope key"),
    )
    scope_name = models.CharField(
        max_length=200,
        verbose_name=_("scope name"),
        help_text=_('"My whole life story"'),
    )
    scope_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("scope description"),
    )
    user_facing_label = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("user facing label"),
    )
    user_facing_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user facing description"),
    )
    example_use_cases = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("example use cases"),
    )
    required_context_fields = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("required context fields"),
        help_text=_("What context must be gathered"),
    )
    enabled_sections = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("enabled sections"),
        help_text=_("Which process sections are enabled"),
    )
    suggested_sections = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("suggested sections"),
        help_text=_("Which sections are suggested"),
    )
    minimum_life_events = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("minimum life events"),
        help_text=_("Minimum events to consider complete"),
    )
    estimated_sessions = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("estimated sessions"),
        help_text=_("Rough estimate of sessions needed"),
    )
    completion_criteria = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("completion criteria"),
        help_text=_('What defines "complete" for this scope'),
    )
    default_narrative_structure = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("default narrative structure"),
        help_text=_("'linear', 'thematic', etc."),
    )
    display_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("display order"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    class Meta:
        ordering = ["display_order", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key"],
                name="storyteller_scopetype_scope_key_unique",
                violation_error_message=_("This scope key is already taken."),
            ),
            choice_check("scope_key", ScopeTypeScopeKey),
        ]
        indexes = [
            models.Index(fields=["display_order", "scope_key"], name="st_scotyp_c6e20_idx"),
        ]
        verbose_name = _("scope type")
        verbose_name_plural = _("scope types")

    def __str__(self) -> str:
        return self.scope_name or f"Scope type {self.pk}"


class ArchetypeAnalysis(StorytellerOwnedModel):
    """One round of archetype inference; the chain of analyses records how understanding was refined."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="archetype_analyses",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    collection = models.ForeignKey(
        "Collection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="archetype_analyses",
        verbose_name=_("collection"),
    )
    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="archetype_analyses",
        verbose_name=_("story"),
    )
    previous_analysis = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_analyses",
        verbose_name=_("previous analysis"),
        help_text=_("Link to previous analysis"),
    )
    analysis_scope = models.CharField(
        max_length=50,
        choices=ArchetypeAnalysisAnalysisScope.choices,
        blank=True,
        default="",
        verbose_name=_("analysis scope"),
    )
    analysis_number = models.IntegerField(verbose_name=_("analysis number"), help_text=_("1st, 2nd, 3rd analysis..."))
    analyzed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("analyzed at"),
    )
    candidate_archetypes = models.JSONField(
        default=list,
        verbose_name=_("candidate archetypes"),
        help_text=_("Array of archetypes with evidence"),
    )
    refinement_status = models.CharField(
        max_length=20,
        choices=ArchetypeAnalysisRefinementStatus.choices,
        verbose_name=_("refinement status"),
    )
    dominant_archetype = models.CharField(
        max_length=100,
        choices=ArchetypeAnalysisDominantArchetype.choices,
        blank=True,
        default="",
        verbose_name=_("dominant archetype"),
    )
    dominant_confidence = fraction_field(_("dominant confidence"), help_text=_("Must be >= 0.85 for composition gate"))
    refinement_progress = models.TextField(
        blank=True,
        default="",
        verbose_name=_("refinement progress"),
        help_text=_("Description of how understanding evolved"),
    )
    discriminating_requirements_lodged = models.IntegerField(
        default=0,
        verbose_name=_("discriminating requirements lodged"),
        help_text=_("Count of requirements to clarify archetype"),
    )
    narrative_patterns = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("narrative patterns"),
        help_text=_("Detected patterns across all candidates"),
    )
    thematic_indicators = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("thematic indicators"),
        help_text=_("Themes supporting archetypes"),
    )
    emotional_arc_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("emotional arc description"),
        help_text=_("Overall emotional journey"),
    )
    character_development_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("character development notes"),
        help_text=_("Protagonist changes"),
    )
    identity_before = models.TextField(
        blank=True,
        default="",
        verbose_name=_("identity before"),
        help_text=_("Who storyteller was at beginning"),
    )
    identity_after = models.TextField(
        blank=True,
        default="",
        verbose_name=_("identity after"),
        help_text=_("Who storyteller is at end"),
    )
    identity_shift_type = models.CharField(
        max_length=100,
        choices=ArchetypeAnalysisIdentityShiftType.choices,
        blank=True,
        default="",
        verbose_name=_("identity shift type"),
    )
    relationship_to_loss_strength = fraction_field(_("relationship to loss strength"), help_text=_("0.00-1.00"))
    relationship_to_loss_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relationship to loss notes"),
    )
    relationship_to_agency_strength = fraction_field(_("relationship to agency strength"), help_text=_("0.00-1.00"))
    relationship_to_agency_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relationship to agency notes"),
    )
    relationship_to_meaning_strength = fraction_field(_("relationship to meaning strength"), help_text=_("0.00-1.00"))
    relationship_to_meaning_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("relationship to meaning notes"),
    )
    revealed_to_user = models.BooleanField(
        default=False,
        verbose_name=_("revealed to user"),
        help_text=_("Hidden by default"),
    )
    revealed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("revealed at"),
    )
    user_feedback_received = models.BooleanField(default=False, verbose_name=_("user feedback received"))
    user_confirmed = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("user confirmed"),
        help_text=_("User agreed with archetype"),
    )
    user_reframed_as = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("user reframed as"),
        help_text=_("User's preferred framing"),
    )
    user_reframe_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user reframe notes"),
    )
    analysis_method = models.CharField(
        max_length=100,
        choices=ArchetypeAnalysisAnalysisMethod.choices,
        default=ArchetypeAnalysisAnalysisMethod.AI_INFERENCE,
        verbose_name=_("analysis method"),
    )
    analysis_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("analysis notes"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["storyteller_id", "analysis_number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(refinement_status="resolved")
                | (
                    Q(dominant_confidence__isnull=False, dominant_confidence__gte=Decimal("0.85"))
                    & ~Q(dominant_archetype="")
                ),
                name="storyteller_archetypeanalysis_resolved_dominant",
                violation_error_message=_(
                    "A resolved analysis names its dominant archetype with confidence 0.85 or more."
                ),
            ),
            models.UniqueConstraint(
                fields=["storyteller", "analysis_number"],
                name="storyteller_archetypeanalysis_number_unique",
                violation_error_message=_("This storyteller / analysis number combination already exists."),
            ),
            choice_check("analysis_scope", ArchetypeAnalysisAnalysisScope, blank=True),
            choice_check("refinement_status", ArchetypeAnalysisRefinementStatus),
            choice_check("dominant_archetype", ArchetypeAnalysisDominantArchetype, blank=True),
            range_check("dominant_confidence", Decimal("0"), Decimal("1")),
            choice_check("identity_shift_type", ArchetypeAnalysisIdentityShiftType, blank=True),
            range_check("relationship_to_loss_strength", Decimal("0"), Decimal("1"), name="loss_strength"),
            range_check("relationship_to_agency_strength", Decimal("0"), Decimal("1"), name="agency_strength"),
            range_check("relationship_to_meaning_strength", Decimal("0"), Decimal("1"), name="meaning_strength"),
            choice_check("analysis_method", ArchetypeAnalysisAnalysisMethod),
        ]
        indexes = [
            trigram_index(
                "st_archetypeanalysi_a4e6f_q",
                "refinement_progress",
                "emotional_arc_description",
                "character_development_notes",
                "identity_before",
            ),
        ]
        verbose_name = _("archetype analysis")
        verbose_name_plural = _("archetype analyses")

    def __str__(self) -> str:
        return f"Archetype analysis {self.pk}"


class UserFeedback(StorytellerOwnedModel):
    """Feedback from a user on something the system produced."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("storyteller"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="storyteller_feedback",
        verbose_name=_("user"),
    )
    feedback_on_type = models.CharField(
        max_length=50,
        choices=UserFeedbackFeedbackOnType.choices,
        blank=True,
        default="",
        verbose_name=_("feedback on type"),
    )
    feedback_on_id = models.UUIDField(
        null=True,
        blank=True,
        verbose_name=_("feedback on id"),
        help_text=_("ID of the thing (polymorphic)"),
    )
    feedback_on_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("feedback on name"),
        help_text=_("Human-readable name"),
    )
    feedback_type = models.CharField(
        max_length=50,
        choices=UserFeedbackFeedbackType.choices,
        blank=True,
        default="",
        verbose_name=_("feedback type"),
    )
    feedback_category = models.CharField(
        max_length=100,
        choices=UserFeedbackFeedbackCategory.choices,
        blank=True,
        default="",
        verbose_name=_("feedback category"),
    )
    feedback_text = models.TextField(verbose_name=_("feedback text"))
    specific_issue = models.TextField(
        blank=True,
        default="",
        verbose_name=_("specific issue"),
        help_text=_("What specifically is the problem"),
    )
    suggested_change = models.TextField(
        blank=True,
        default="",
        verbose_name=_("suggested change"),
        help_text=_("What should be different"),
    )
    sentiment = models.CharField(
        max_length=50,
        choices=UserFeedbackSentiment.choices,
        blank=True,
        default="",
        verbose_name=_("sentiment"),
    )
    priority = models.CharField(
        max_length=50,
        choices=UserFeedbackPriority.choices,
        blank=True,
        default="",
        verbose_name=_("priority"),
    )
    requires_immediate_action = models.BooleanField(default=False, verbose_name=_("requires immediate action"))
    agent_response = models.TextField(
        blank=True,
        default="",
        verbose_name=_("agent response"),
    )
    resolution_status = models.CharField(
        max_length=50,
        choices=UserFeedbackResolutionStatus.choices,
        blank=True,
        default="",
        verbose_name=_("resolution status"),
    )
    resolved_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("resolved at"),
    )
    resolution_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("resolution notes"),
    )
    used_for_improvement = models.BooleanField(default=False, verbose_name=_("used for improvement"))
    improvement_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("improvement notes"),
    )
    feedback_given_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("feedback given at"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_check("feedback_on_type", UserFeedbackFeedbackOnType, blank=True),
            choice_check("feedback_type", UserFeedbackFeedbackType, blank=True),
            choice_check("feedback_category", UserFeedbackFeedbackCategory, blank=True),
            choice_check("sentiment", UserFeedbackSentiment, blank=True),
            choice_check("priority", UserFeedbackPriority, blank=True),
            choice_check("resolution_status", UserFeedbackResolutionStatus, blank=True),
        ]
        indexes = [
            trigram_index(
                "st_userfeedback_f049b_q", "feedback_on_name", "feedback_text", "specific_issue", "suggested_change"
            ),
        ]
        verbose_name = _("user feedback")
        verbose_name_plural = _("user feedback")

    def __str__(self) -> str:
        return f"User feedback {self.pk}"


class Agent(ProcessDefinitionModel):
    """A kind of AI agent (capture, synthesis, editor, ...) and its configuration."""

    agent_key = models.CharField(
        max_length=100,
        verbose_name=_("agent key"),
        help_text=_("'capture_agent', 'synthesis_agent', 'reflection_agent'"),
    )
    agent_name = models.CharField(
        max_length=200,
        verbose_name=_("agent name"),
        help_text=_('"Story Capture Agent"'),
    )
    agent_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("agent description"),
    )
    agent_type = models.CharField(
        max_length=50,
        choices=AgentAgentType.choices,
        blank=True,
        default="",
        verbose_name=_("agent type"),
    )
    primary_objective = models.TextField(
        blank=True,
        default="",
        verbose_name=_("primary objective"),
        help_text=_("Core goal of this agent"),
    )
    secondary_objectives = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("secondary objectives"),
        help_text=_("Additional goals"),
    )
    base_constraints = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("base constraints"),
        help_text=_("Universal constraints for this agent type"),
    )
    default_tone = models.CharField(
        max_length=50,
        choices=AgentDefaultTone.choices,
        blank=True,
        default="",
        verbose_name=_("default tone"),
    )
    persona_description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("persona description"),
        help_text=_("How agent presents itself"),
    )
    communication_style = models.TextField(
        blank=True,
        default="",
        verbose_name=_("communication style"),
        help_text=_("How agent communicates"),
    )
    can_create_artifacts = models.BooleanField(default=True, verbose_name=_("can create artifacts"))
    can_analyze_content = models.BooleanField(default=True, verbose_name=_("can analyze content"))
    can_generate_prompts = models.BooleanField(default=True, verbose_name=_("can generate prompts"))
    can_provide_feedback = models.BooleanField(default=True, verbose_name=_("can provide feedback"))
    used_in_process_phases = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("used in process phases"),
        help_text=_("Which phases this agent is used in"),
    )
    suggested_for_node_types = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("suggested for node types"),
        help_text=_("Which process node types"),
    )
    system_prompt_template = models.TextField(
        blank=True,
        default="",
        verbose_name=_("system prompt template"),
        help_text=_("Base system prompt"),
    )
    greeting_template = models.TextField(
        blank=True,
        default="",
        verbose_name=_("greeting template"),
        help_text=_("How agent introduces itself"),
    )
    closing_template = models.TextField(
        blank=True,
        default="",
        verbose_name=_("closing template"),
        help_text=_("How agent concludes"),
    )
    default_model = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("default model"),
        help_text=_("'gpt-4', 'claude-3', etc."),
    )
    temperature = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
        verbose_name=_("temperature"),
    )
    max_tokens = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("max tokens"),
    )
    configuration = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("configuration"),
        help_text=_("Additional configuration"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    version = models.IntegerField(default=1, verbose_name=_("version"))

    class Meta:
        ordering = ["agent_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent_key"],
                name="storyteller_agent_agent_key_unique",
                violation_error_message=_("This agent key is already taken."),
            ),
            choice_check("agent_type", AgentAgentType, blank=True),
            choice_check("default_tone", AgentDefaultTone, blank=True),
            range_check("temperature", Decimal("0"), Decimal("2")),
        ]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.agent_name or f"Agent {self.pk}"


class AgentInstance(StorytellerOwnedModel):
    """An agent at work for a storyteller, usually within a session."""

    agent = models.ForeignKey(
        "Agent",
        on_delete=models.PROTECT,
        related_name="instances",
        verbose_name=_("agent"),
    )
    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agent_instances",
        verbose_name=_("session"),
    )
    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="agent_instances",
        verbose_name=_("storyteller"),
    )
    instance_objective = models.TextField(
        blank=True,
        default="",
        verbose_name=_("instance objective"),
        help_text=_("Specific objective for this instance"),
    )
    instance_constraints = ArrayField(
        models.TextField(),
        blank=True,
        default=list,
        verbose_name=_("instance constraints"),
        help_text=_("Additional constraints for this instance"),
    )
    agent_context = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("agent context"),
        help_text=_("{"),
    )
    tone_override = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("tone override"),
        help_text=_("Override default tone"),
    )
    model_override = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("model override"),
        help_text=_("Override default model"),
    )
    temperature_override = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
        verbose_name=_("temperature override"),
    )
    status = models.CharField(
        max_length=50,
        choices=AgentInstanceStatus.choices,
        default=AgentInstanceStatus.ACTIVE,
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
    paused_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("paused at"),
    )
    failed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("failed at"),
    )
    failure_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("failure reason"),
    )
    total_interactions = models.IntegerField(default=0, verbose_name=_("total interactions"))
    total_artifacts_created = models.IntegerField(default=0, verbose_name=_("total artifacts created"))
    average_response_time_ms = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("average response time ms"),
    )
    user_satisfaction_rating = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        verbose_name=_("user satisfaction rating"),
        help_text=_("1-5 if provided"),
    )
    flagged_for_review = models.BooleanField(default=False, verbose_name=_("flagged for review"))
    review_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("review notes"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            range_check("temperature_override", Decimal("0"), Decimal("2")),
            choice_check("status", AgentInstanceStatus),
            range_check("user_satisfaction_rating", 1, 5),
        ]
        indexes = [
            trigram_index(
                "st_agentinstance_b5c73_q", "instance_objective", "tone_override", "model_override", "failure_reason"
            ),
        ]
        verbose_name = _("agent instance")
        verbose_name_plural = _("agent instances")

    def __str__(self) -> str:
        return f"Agent instance {self.pk}"


class Requirement(StorytellerOwnedModel):
    """A gap the Analyst lodged in a storyteller's material, to address in a later session."""

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="requirements",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    section = models.ForeignKey(
        "ProcessSection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("section"),
        help_text=_("Which narrative lane (can be null if whole-story)"),
    )
    life_event = models.ForeignKey(
        "LifeEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("life event"),
        help_text=_("Specific event (optional)"),
    )
    collection = models.ForeignKey(
        "Collection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("collection"),
        help_text=_("Related collection (optional)"),
    )
    addressed_in_session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="addressed_requirements",
        verbose_name=_("addressed in session"),
    )
    requirement_type = models.CharField(
        max_length=50,
        choices=RequirementRequirementType.choices,
        verbose_name=_("requirement type"),
    )
    priority = models.CharField(
        max_length=20,
        choices=RequirementPriority.choices,
        verbose_name=_("priority"),
    )
    archetype_lane = models.CharField(
        max_length=50,
        choices=RequirementArchetypeLane.choices,
        blank=True,
        default="",
        verbose_name=_("archetype lane"),
    )
    archetype_refinement_purpose = models.CharField(
        max_length=20,
        choices=RequirementArchetypeRefinementPurpose.choices,
        blank=True,
        default="",
        verbose_name=_("archetype refinement purpose"),
    )
    discriminates_between = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("discriminates between"),
        help_text=_("Array of archetypes this requirement helps choose between"),
    )
    expected_archetype_outcomes = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("expected archetype outcomes"),
        help_text=_("What answering this reveals about competing archetypes"),
    )
    requirement_description = models.TextField(verbose_name=_("requirement description"))
    specific_gap = models.TextField(
        blank=True,
        default="",
        verbose_name=_("specific gap"),
        help_text=_("What specifically is missing"),
    )
    why_important = models.TextField(
        blank=True,
        default="",
        verbose_name=_("why important"),
        help_text=_("Why this requirement matters for the story"),
    )
    suggested_prompts = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("suggested prompts"),
        help_text=_("Array of suggested follow-up prompts"),
    )
    suggested_session_focus = models.TextField(
        blank=True,
        default="",
        verbose_name=_("suggested session focus"),
        help_text=_("Suggested focus for next session"),
    )
    status = models.CharField(
        max_length=20,
        choices=RequirementStatus.choices,
        default=RequirementStatus.PENDING,
        verbose_name=_("status"),
    )
    created_by = models.CharField(
        max_length=50,
        default="analyst_flow",
        verbose_name=_("created by"),
    )
    addressed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("addressed at"),
        help_text=_("When Session Flow started addressing this"),
    )
    resolved_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("resolved at"),
        help_text=_("When Analyst Flow confirmed resolved"),
    )
    resolved_by = models.CharField(
        max_length=50,
        choices=RequirementResolvedBy.choices,
        blank=True,
        default="",
        verbose_name=_("resolved by"),
    )
    resolution_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("resolution notes"),
    )
    deferred_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("deferred at"),
    )
    deferred_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("deferred reason"),
        help_text=_("Why this requirement was deferred"),
    )
    obsolete_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("obsolete at"),
    )
    obsolete_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("obsolete reason"),
        help_text=_("Why this requirement is no longer relevant"),
    )
    user_notified = models.BooleanField(
        default=False,
        verbose_name=_("user notified"),
        help_text=_("Was user told about this requirement"),
    )
    user_priority_override = models.CharField(
        max_length=20,
        blank=True,
        default="",
        verbose_name=_("user priority override"),
        help_text=_("User can change priority"),
    )
    metadata = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("metadata"),
        help_text=_("Additional context"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_check("requirement_type", RequirementRequirementType),
            choice_check("priority", RequirementPriority),
            choice_check("archetype_lane", RequirementArchetypeLane, blank=True),
            choice_check("archetype_refinement_purpose", RequirementArchetypeRefinementPurpose, blank=True),
            choice_check("status", RequirementStatus),
            choice_check("resolved_by", RequirementResolvedBy, blank=True),
        ]
        indexes = [
            models.Index(fields=["storyteller", "status"], name="st_req_2bd55_idx"),
            models.Index(fields=["status", "priority"], name="st_req_a9e00_idx"),
            trigram_index(
                "st_requirement_ba12f_q",
                "requirement_description",
                "specific_gap",
                "why_important",
                "suggested_session_focus",
            ),
        ]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return f"Requirement {self.pk}"


class EditRequirement(StorytellerOwnedModel):
    """An issue the Editor lodged on a story; blocking ones stop approval and export."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="edit_requirements",
        db_index=False,
        verbose_name=_("story"),
    )
    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="edit_requirements",
        verbose_name=_("storyteller"),
    )
    chapter = models.ForeignKey(
        "StoryChapter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edit_requirements",
        verbose_name=_("chapter"),
        help_text=_("Specific chapter (null if whole-story issue)"),
    )
    section = models.ForeignKey(
        "ChapterSection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edit_requirements",
        verbose_name=_("section"),
        help_text=_("Specific section within chapter (optional)"),
    )
    character = models.ForeignKey(
        "StoryCharacter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edit_requirements",
        verbose_name=_("character"),
        help_text=_("Character consistency issue (optional)"),
    )
    theme = models.ForeignKey(
        "StoryTheme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edit_requirements",
        verbose_name=_("theme"),
        help_text=_("Theme issue (optional)"),
    )
    issue_type = models.CharField(
        max_length=50,
        choices=EditRequirementIssueType.choices,
        verbose_name=_("issue type"),
    )
    severity = models.CharField(
        max_length=20,
        choices=EditRequirementSeverity.choices,
        verbose_name=_("severity"),
    )
    specific_concern = models.TextField(
        verbose_name=_("specific concern"),
        help_text=_("What specifically is the problem"),
    )
    why_problematic = models.TextField(
        blank=True,
        default="",
        verbose_name=_("why problematic"),
        help_text=_("Why this is an issue (impact on reader)"),
    )
    suggested_approach = models.TextField(
        blank=True,
        default="",
        verbose_name=_("suggested approach"),
        help_text=_("How to address this"),
    )
    example_text = models.TextField(
        blank=True,
        default="",
        verbose_name=_("example text"),
        help_text=_("Excerpt showing the issue"),
    )
    line_numbers = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("line numbers"),
        help_text=_('Where in the chapter (e.g., "45-52")'),
    )
    craft_standard_violated = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("craft standard violated"),
        help_text=_('e.g., "scene_to_summary_ratio", "sensory_immersion"'),
    )
    target_metric = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("target metric"),
        help_text=_('e.g., "70% scene", "all 5 senses present"'),
    )
    current_metric = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("current metric"),
        help_text=_('e.g., "40% scene", "only visual and auditory"'),
    )
    priority_order = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("priority order"),
        help_text=_("Order in which to address (1 = first)"),
    )
    status = models.CharField(
        max_length=20,
        choices=EditRequirementStatus.choices,
        default=EditRequirementStatus.PENDING,
        verbose_name=_("status"),
    )
    created_by = models.CharField(
        max_length=50,
        default="editor_flow",
        verbose_name=_("created by"),
    )
    in_review_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("in review at"),
        help_text=_("When Composition Subflow started addressing"),
    )
    in_review_by = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("in review by"),
        help_text=_("Which flow/agent is working on it"),
    )
    resolved_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("resolved at"),
    )
    resolved_by = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("resolved by"),
    )
    resolution_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("resolution notes"),
        help_text=_("How it was fixed"),
    )
    wont_fix_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("wont fix at"),
    )
    wont_fix_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("wont fix reason"),
        help_text=_("Why we're not fixing this"),
    )
    obsolete_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("obsolete at"),
    )
    obsolete_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("obsolete reason"),
        help_text=_("Why this is no longer relevant"),
    )
    user_notified = models.BooleanField(
        default=False,
        verbose_name=_("user notified"),
        help_text=_("Was storyteller told about this issue"),
    )
    user_priority_override = models.CharField(
        max_length=20,
        blank=True,
        default="",
        verbose_name=_("user priority override"),
        help_text=_("User can override priority"),
    )
    user_agrees_with_edit = models.BooleanField(
        null=True,
        blank=True,
        verbose_name=_("user agrees with edit"),
        help_text=_("User's perspective on the edit"),
    )
    original_draft_version = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("original draft version"),
        help_text=_("Which draft version had this issue"),
    )
    resolved_in_draft_version = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("resolved in draft version"),
        help_text=_("Which draft version resolved it"),
    )
    metadata = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("metadata"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_check("issue_type", EditRequirementIssueType),
            choice_check("severity", EditRequirementSeverity),
            choice_check("status", EditRequirementStatus),
        ]
        indexes = [
            models.Index(fields=["story", "status"], name="st_edireq_4c727_idx"),
            models.Index(fields=["severity", "status"], name="st_edireq_b4ea2_idx"),
            trigram_index(
                "st_editrequirement_09389_q",
                "specific_concern",
                "why_problematic",
                "suggested_approach",
                "example_text",
            ),
        ]
        verbose_name = _("edit requirement")
        verbose_name_plural = _("edit requirements")

    def __str__(self) -> str:
        return f"Edit requirement {self.pk}"


class BookExport(StorytellerOwnedModel):
    """A generated file of a story (PDF, EPUB, ...), which expires."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="book_exports",
        db_index=False,
        verbose_name=_("story"),
    )
    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="book_exports",
        verbose_name=_("storyteller"),
    )
    export_format = models.CharField(
        max_length=50,
        choices=BookExportExportFormat.choices,
        blank=True,
        default="",
        verbose_name=_("export format"),
    )
    export_version = models.IntegerField(
        default=1,
        verbose_name=_("export version"),
        help_text=_("Version number of this export"),
    )
    export_scope = models.CharField(
        max_length=50,
        choices=BookExportExportScope.choices,
        blank=True,
        default="",
        verbose_name=_("export scope"),
    )
    chapter_ids = ArrayField(
        models.UUIDField(),
        blank=True,
        default=list,
        verbose_name=_("chapter ids"),
        help_text=_("If exporting specific chapters"),
    )
    collection_ids = ArrayField(
        models.UUIDField(),
        blank=True,
        default=list,
        verbose_name=_("collection ids"),
        help_text=_("If exporting specific collections"),
    )
    format_options = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("format options"),
        help_text=_("{"),
    )
    export_status = models.CharField(
        max_length=50,
        choices=BookExportExportStatus.choices,
        default=BookExportExportStatus.QUEUED,
        verbose_name=_("export status"),
    )
    progress_percent = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        verbose_name=_("progress percent"),
        help_text=_("How much of the book the background task has laid out (0-100); 100 once ready."),
    )
    generation_started_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("generation started at"),
    )
    generation_completed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("generation completed at"),
    )
    generation_duration_seconds = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("generation duration seconds"),
    )
    file_url = models.TextField(
        blank=True,
        default="",
        verbose_name=_("file url"),
        help_text=_("URL to download file"),
    )
    file_size_bytes = models.BigIntegerField(
        null=True,
        blank=True,
        verbose_name=_("file size bytes"),
    )
    file_checksum = models.CharField(
        max_length=64,
        blank=True,
        default="",
        verbose_name=_("file checksum"),
    )
    page_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("page count"),
    )
    word_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("word count"),
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("expires at"),
        help_text=_("Export files auto-expire"),
    )
    downloaded_count = models.IntegerField(default=0, verbose_name=_("downloaded count"))
    last_downloaded_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("last downloaded at"),
    )
    failed_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("failed at"),
    )
    failure_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("failure reason"),
    )
    error_log = models.TextField(
        blank=True,
        default="",
        verbose_name=_("error log"),
    )
    generated_by = models.CharField(
        max_length=100,
        choices=BookExportGeneratedBy.choices,
        blank=True,
        default="",
        verbose_name=_("generated by"),
    )
    generation_notes = models.TextField(
        blank=True,
        default="",
        verbose_name=_("generation notes"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_check("export_format", BookExportExportFormat, blank=True),
            choice_check("export_scope", BookExportExportScope, blank=True),
            choice_check("export_status", BookExportExportStatus),
            choice_check("generated_by", BookExportGeneratedBy, blank=True),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100),
                name="storyteller_bookexport_progress_percent_range",
                violation_error_message=_("Progress is a percentage from 0 to 100."),
            ),
        ]
        indexes = [
            models.Index(fields=["story", "export_status"], name="st_booexp_3c42b_idx"),
            trigram_index("st_bookexport_84da8_q", "file_url", "file_checksum", "failure_reason", "error_log"),
        ]
        verbose_name = _("book export")
        verbose_name_plural = _("book exports")

    def __str__(self) -> str:
        return f"Book export {self.pk}"


class BookExportDelivery(StorytellerOwnedModel):
    """A delivery of a book export (download, e-mail, cloud storage, print service)."""

    book_export = models.ForeignKey(
        "BookExport",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("book export"),
    )
    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="book_export_deliveries",
        verbose_name=_("storyteller"),
    )
    delivery_method = models.CharField(
        max_length=50,
        choices=BookExportDeliveryDeliveryMethod.choices,
        blank=True,
        default="",
        verbose_name=_("delivery method"),
    )
    delivered_to = models.CharField(
        max_length=300,
        blank=True,
        default="",
        verbose_name=_("delivered to"),
        help_text=_("Email address, storage path, etc."),
    )
    delivery_status = models.CharField(
        max_length=50,
        choices=BookExportDeliveryDeliveryStatus.choices,
        blank=True,
        default="",
        verbose_name=_("delivery status"),
    )
    delivered_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("delivered at"),
    )
    opened_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("opened at"),
        help_text=_("If email, when opened"),
    )
    downloaded_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("downloaded at"),
    )
    failure_reason = models.TextField(
        blank=True,
        default="",
        verbose_name=_("failure reason"),
    )

    access_path = "storyteller__user"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choice_check("delivery_method", BookExportDeliveryDeliveryMethod, blank=True),
            choice_check("delivery_status", BookExportDeliveryDeliveryStatus, blank=True),
        ]
        indexes = [
            trigram_index("st_bookexportdelive_2e080_q", "delivered_to", "failure_reason"),
        ]
        verbose_name = _("book export delivery")
        verbose_name_plural = _("book export deliveries")

    def __str__(self) -> str:
        return f"Book export delivery {self.pk}"


@pgtrigger.register(
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update),
)
class Event(StorytellerOwnedModel):
    """What happened to a storyteller, one of their sessions or stories: an append-only log.

    The seed's existing ``events`` table has no documented columns; here it is the log the services
    write when a status machine moves, consent is recorded or something is approved. Rows are never
    changed (a database trigger refuses updates) and go only when their storyteller is removed.
    """

    storyteller = models.ForeignKey(
        "Storyteller",
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        verbose_name=_("storyteller"),
    )
    session = models.ForeignKey(
        "StorytellerSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("session"),
    )
    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("story"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("The user who caused it, if any."),
    )
    event_type = models.CharField(max_length=50, choices=EventType.choices, verbose_name=_("event type"))
    subject = models.CharField(
        max_length=200,
        blank=True,
        default="",
        verbose_name=_("subject"),
        help_text=_('What it happened to, e.g. "requirement 3f2c…".'),
    )
    from_status = models.CharField(max_length=50, blank=True, default="", verbose_name=_("from status"))
    to_status = models.CharField(max_length=50, blank=True, default="", verbose_name=_("to status"))
    payload = models.JSONField(default=dict, blank=True, verbose_name=_("payload"))
    workflow_type = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("workflow type"),
        help_text=_('The workflow that wrote it: a status machine ("storyteller_session"), "approval", "consent".'),
    )
    data = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("data"),
        help_text=_("What changed: the row (model, id), the field and any values of the change."),
    )
    task_context = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("task context"),
        help_text=_("Where the change came from (the service or action), as the service set it."),
    )
    occurred_at = models.DateTimeField(default=timezone.now, verbose_name=_("occurred at"))

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            choice_check("event_type", EventType),
        ]
        indexes = [
            models.Index(fields=["storyteller", "-occurred_at"], name="st_event_storyteller_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="st_event_order_idx"),
            trigram_index("st_event_41196_q", "subject", "from_status", "to_status", "workflow_type"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.subject}".strip()
