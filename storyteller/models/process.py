"""Process management: versions of the Everbound process, their phases (nodes), flow, sections and prompts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import choice_check, range_check
from storyteller.choices import (
    ProcessFlowEdgeConditionType,
    ProcessNodeTypeTypeName,
    ProcessPromptConditionType,
    ProcessPromptPromptType,
    ProcessPromptResponseFormat,
    ProcessSectionRequiresScope,
)
from storyteller.models.base import ProcessDefinitionModel


class ProcessVersion(ProcessDefinitionModel):
    """A version of the Everbound capture process; exactly one version is active at a time."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    version_name = models.CharField(
        max_length=100,
        verbose_name=_("version name"),
        help_text=_('e.g., "v1.0", "experimental-2024-12"'),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
    )
    is_active = models.BooleanField(
        default=False,
        verbose_name=_("is active"),
        help_text=_("Only one active version at a time"),
    )

    class Meta:
        ordering = ["version_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="storyteller_processversion_one_active",
                violation_error_message=_("Another process version is active; deactivate it first."),
            ),
            models.UniqueConstraint(
                fields=["version_name"],
                name="storyteller_processversion_version_name_unique",
                violation_error_message=_("This version name is already taken."),
            ),
        ]
        verbose_name = _("process version")
        verbose_name_plural = _("process versions")

    def __str__(self) -> str:
        return self.version_name or f"Process version {self.pk}"


class ProcessCommitment(ProcessDefinitionModel):
    """One of a process version's stated commitments to the storyteller ("Context before meaning")."""

    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.CASCADE,
        related_name="commitments",
        db_index=False,
        verbose_name=_("process version"),
    )
    order_index = models.IntegerField(verbose_name=_("order index"))
    title = models.CharField(
        max_length=200,
        verbose_name=_("title"),
        help_text=_('e.g., "Context before meaning"'),
    )
    description = models.TextField(verbose_name=_("description"), help_text=_("Full explanation"))

    class Meta:
        ordering = ["process_version_id", "order_index"]
        indexes = [
            models.Index(fields=["process_version", "order_index"], name="st_procom_67c19_idx"),
        ]
        verbose_name = _("process commitment")
        verbose_name_plural = _("process commitments")

    def __str__(self) -> str:
        return self.title or f"Process commitment {self.pk}"


class ProcessNodeType(ProcessDefinitionModel):
    """A kind of process node (informational, fork, data collection, iterative, synthesis)."""

    type_name = models.CharField(
        max_length=50,
        choices=ProcessNodeTypeTypeName.choices,
        verbose_name=_("type name"),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
    )
    requires_user_input = models.BooleanField(default=True, verbose_name=_("requires user input"))
    can_skip = models.BooleanField(default=False, verbose_name=_("can skip"))
    is_repeatable = models.BooleanField(default=False, verbose_name=_("is repeatable"))

    class Meta:
        ordering = ["type_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["type_name"],
                name="storyteller_processnodetype_type_name_unique",
                violation_error_message=_("This node type already exists."),
            ),
            choice_check("type_name", ProcessNodeTypeTypeName),
        ]
        verbose_name = _("process node type")
        verbose_name_plural = _("process node types")

    def __str__(self) -> str:
        return self.type_name or f"Process node type {self.pk}"


class ProcessNode(ProcessDefinitionModel):
    """A phase of a process version (e.g. "Phase 1: Introduction & Trust Setup"), in flow order."""

    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.CASCADE,
        related_name="nodes",
        db_index=False,
        verbose_name=_("process version"),
    )
    node_type = models.ForeignKey(
        "ProcessNodeType",
        on_delete=models.PROTECT,
        related_name="nodes",
        verbose_name=_("node type"),
    )
    node_key = models.CharField(
        max_length=100,
        verbose_name=_("node key"),
        help_text=_('e.g., "trust_setup", "scope_selection" (code-friendly)'),
    )
    node_name = models.CharField(
        max_length=200,
        verbose_name=_("node name"),
        help_text=_('e.g., "Phase 1: Introduction & Trust Setup"'),
    )
    order_index = models.IntegerField(verbose_name=_("order index"), help_text=_("Position in flow"))
    purpose = models.TextField(verbose_name=_("purpose"), help_text=_("Why this phase exists"))
    outcome = models.TextField(
        blank=True,
        default="",
        verbose_name=_("outcome"),
        help_text=_("What should be achieved"),
    )
    user_facing_text = models.TextField(
        blank=True,
        default="",
        verbose_name=_("user facing text"),
        help_text=_("What the user is told"),
    )
    is_optional = models.BooleanField(default=False, verbose_name=_("is optional"))
    requires_completion = models.BooleanField(default=True, verbose_name=_("requires completion"))
    agent_objective = models.TextField(
        blank=True,
        default="",
        verbose_name=_("agent objective"),
        help_text=_("What the agent should accomplish"),
    )
    agent_constraints = models.TextField(
        blank=True,
        default="",
        verbose_name=_("agent constraints"),
        help_text=_("Guardrails for the agent"),
    )

    class Meta:
        ordering = ["process_version_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["process_version", "node_key"],
                name="storyteller_processnode_process_version_node_key_unique",
                violation_error_message=_("This process version / node key combination already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["process_version", "order_index"], name="st_pronod_d0686_idx"),
        ]
        verbose_name = _("process node")
        verbose_name_plural = _("process nodes")

    def __str__(self) -> str:
        return self.node_name or f"Process node {self.pk}"


class ProcessFlowEdge(ProcessDefinitionModel):
    """A transition between two nodes of a process version, taken when its condition holds."""

    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.CASCADE,
        related_name="flow_edges",
        db_index=False,
        verbose_name=_("process version"),
    )
    from_node = models.ForeignKey(
        "ProcessNode",
        on_delete=models.CASCADE,
        related_name="outgoing_edges",
        db_index=False,
        verbose_name=_("from node"),
    )
    to_node = models.ForeignKey(
        "ProcessNode",
        on_delete=models.CASCADE,
        related_name="incoming_edges",
        verbose_name=_("to node"),
    )
    condition_type = models.CharField(
        max_length=50,
        choices=ProcessFlowEdgeConditionType.choices,
        blank=True,
        default="",
        verbose_name=_("condition type"),
    )
    condition_value = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("condition value"),
        help_text=_("Flexible condition data"),
    )
    order_index = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("order index"),
        help_text=_("For multiple edges from same node"),
    )
    edge_label = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("edge label"),
        help_text=_('e.g., "whole_life_path", "single_event_path"'),
    )

    class Meta:
        ordering = ["process_version_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_node", "to_node", "edge_label"],
                name="storyteller_processflowedge_from_node_to_node_edge_label_unique",
                violation_error_message=_("This from node / to node / edge label combination already exists."),
            ),
            choice_check("condition_type", ProcessFlowEdgeConditionType, blank=True),
        ]
        indexes = [
            models.Index(fields=["process_version", "order_index"], name="st_profloedg_b3aac_idx"),
        ]
        verbose_name = _("process flow edge")
        verbose_name_plural = _("process flow edges")

    def __str__(self) -> str:
        return self.edge_label or f"Process flow edge {self.pk}"


class ProcessPrompt(ProcessDefinitionModel):
    """A question a node asks; sensitive prompts carry a tier checked against the storyteller's boundaries."""

    process_node = models.ForeignKey(
        "ProcessNode",
        on_delete=models.CASCADE,
        related_name="prompts",
        db_index=False,
        verbose_name=_("process node"),
    )
    prompt_key = models.CharField(
        max_length=100,
        verbose_name=_("prompt key"),
        help_text=_('e.g., "scene", "people", "tension"'),
    )
    prompt_text = models.TextField(verbose_name=_("prompt text"), help_text=_("The actual question"))
    prompt_type = models.CharField(
        max_length=50,
        choices=ProcessPromptPromptType.choices,
        blank=True,
        default="",
        verbose_name=_("prompt type"),
    )
    order_index = models.IntegerField(verbose_name=_("order index"))
    is_required = models.BooleanField(default=False, verbose_name=_("is required"))
    is_sensitive = models.BooleanField(
        default=False,
        verbose_name=_("is sensitive"),
        help_text=_("Triggers tier check"),
    )
    sensitivity_tier = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        verbose_name=_("sensitivity tier"),
        help_text=_("1=safe, 2=optional, 3=private"),
    )
    response_format = models.CharField(
        max_length=50,
        choices=ProcessPromptResponseFormat.choices,
        blank=True,
        default="",
        verbose_name=_("response format"),
    )
    max_length = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("max length"),
    )
    example_response = models.TextField(
        blank=True,
        default="",
        verbose_name=_("example response"),
    )
    condition_type = models.CharField(
        max_length=50,
        choices=ProcessPromptConditionType.choices,
        blank=True,
        default="",
        verbose_name=_("condition type"),
    )
    condition_value = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("condition value"),
    )

    class Meta:
        ordering = ["process_node_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["process_node", "prompt_key"],
                name="storyteller_processprompt_process_node_prompt_key_unique",
                violation_error_message=_("This process node / prompt key combination already exists."),
            ),
            choice_check("prompt_type", ProcessPromptPromptType, blank=True),
            range_check("sensitivity_tier", 1, 3),
            choice_check("response_format", ProcessPromptResponseFormat, blank=True),
            choice_check("condition_type", ProcessPromptConditionType, blank=True),
        ]
        indexes = [
            models.Index(fields=["process_node", "order_index"], name="st_propro_6b1e5_idx"),
        ]
        verbose_name = _("process prompt")
        verbose_name_plural = _("process prompts")

    def __str__(self) -> str:
        return self.prompt_key or f"Process prompt {self.pk}"


class PromptPackTemplate(ProcessDefinitionModel):
    """A reusable pack of prompts (e.g. the standard scene pack) that several nodes may use."""

    template_name = models.CharField(
        max_length=100,
        verbose_name=_("template name"),
        help_text=_('e.g., "standard_scene_pack"'),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
    )
    is_global = models.BooleanField(
        default=True,
        verbose_name=_("is global"),
        help_text=_("Can be used across multiple nodes"),
    )

    class Meta:
        ordering = ["template_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["template_name"],
                name="storyteller_promptpacktemplate_template_name_unique",
                violation_error_message=_("This template name is already taken."),
            ),
        ]
        verbose_name = _("prompt pack template")
        verbose_name_plural = _("prompt pack templates")

    def __str__(self) -> str:
        return self.template_name or f"Prompt pack template {self.pk}"


class PromptPackPrompt(ProcessDefinitionModel):
    """One prompt of a prompt pack."""

    prompt_pack = models.ForeignKey(
        "PromptPackTemplate",
        on_delete=models.CASCADE,
        related_name="prompts",
        db_index=False,
        verbose_name=_("prompt pack"),
    )
    prompt_key = models.CharField(max_length=100, verbose_name=_("prompt key"))
    prompt_text = models.TextField(verbose_name=_("prompt text"))
    prompt_type = models.CharField(
        max_length=50,
        blank=True,
        default="",
        verbose_name=_("prompt type"),
    )
    order_index = models.IntegerField(verbose_name=_("order index"))
    is_required = models.BooleanField(default=False, verbose_name=_("is required"))

    class Meta:
        ordering = ["prompt_pack_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["prompt_pack", "prompt_key"],
                name="storyteller_promptpackprompt_prompt_pack_prompt_key_unique",
                violation_error_message=_("This prompt pack / prompt key combination already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["prompt_pack", "order_index"], name="st_propacpro_f86df_idx"),
        ]
        verbose_name = _("prompt pack prompt")
        verbose_name_plural = _("prompt pack prompts")

    def __str__(self) -> str:
        return self.prompt_key or f"Prompt pack prompt {self.pk}"


class ProcessSection(ProcessDefinitionModel):
    """A narrative lane of a process version (origins, childhood, love & partnership, ...), unlocked progressively."""

    process_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.CASCADE,
        related_name="sections",
        db_index=False,
        verbose_name=_("process version"),
    )
    unlock_after_section = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unlocks",
        verbose_name=_("unlock after section"),
    )
    section_key = models.CharField(
        max_length=100,
        verbose_name=_("section key"),
        help_text=_('e.g., "origins", "childhood", "love_partnership"'),
    )
    section_name = models.CharField(
        max_length=200,
        verbose_name=_("section name"),
        help_text=_('e.g., "Love & Partnership"'),
    )
    description = models.TextField(
        blank=True,
        default="",
        verbose_name=_("description"),
    )
    order_index = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("order index"),
    )
    is_core = models.BooleanField(
        default=True,
        verbose_name=_("is core"),
        help_text=_("Core vs conditional sections"),
    )
    requires_scope = models.CharField(
        max_length=50,
        choices=ProcessSectionRequiresScope.choices,
        blank=True,
        default="",
        verbose_name=_("requires scope"),
    )
    requires_profile_flags = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("requires profile flags"),
        help_text=_('e.g., {"has_children": true}'),
    )
    minimum_prompts_required = models.IntegerField(
        default=0,
        verbose_name=_("minimum prompts required"),
        help_text=_("Progressive unlocking"),
    )

    class Meta:
        ordering = ["process_version_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["process_version", "section_key"],
                name="storyteller_processsection_process_version_section_key_unique",
                violation_error_message=_("This process version / section key combination already exists."),
            ),
            choice_check("requires_scope", ProcessSectionRequiresScope, blank=True),
        ]
        indexes = [
            models.Index(fields=["process_version", "order_index"], name="st_prosec_26c34_idx"),
        ]
        verbose_name = _("process section")
        verbose_name_plural = _("process sections")

    def __str__(self) -> str:
        return self.section_name or f"Process section {self.pk}"


class SectionPrompt(ProcessDefinitionModel):
    """A prompt asked within a process section, in order."""

    section = models.ForeignKey(
        "ProcessSection",
        on_delete=models.CASCADE,
        related_name="section_prompts",
        db_index=False,
        verbose_name=_("section"),
    )
    process_prompt = models.ForeignKey(
        "ProcessPrompt",
        on_delete=models.CASCADE,
        related_name="section_prompts",
        verbose_name=_("process prompt"),
    )
    order_index = models.IntegerField(
        null=True,
        blank=True,
        verbose_name=_("order index"),
    )

    class Meta:
        ordering = ["section_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "process_prompt"],
                name="storyteller_sectionprompt_section_process_prompt_unique",
                violation_error_message=_("This section / process prompt combination already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["section", "order_index"], name="st_secpro_802c3_idx"),
        ]
        verbose_name = _("section prompt")
        verbose_name_plural = _("section prompts")

    def __str__(self) -> str:
        return f"Section prompt {self.pk}"
