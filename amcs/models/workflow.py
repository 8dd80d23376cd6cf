"""Workflow runs of the song graph (PLAN -> ... -> REVIEW) and their append-only event streams."""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amcs import documents
from amcs.choices import WorkflowEventPhase, WorkflowNode, WorkflowRunStatus
from amcs.constants import MAX_FIX_ITERATIONS
from amcs.models.base import AmcsModel, AmcsQuerySet
from amcs.models.songs import Song
from core.models import BaseModel, SoftDeleteManager, TenantOwnedModel

NODE_ORDER = list(WorkflowNode.values)


def node_index(node: str) -> int:
    """A node's position in the workflow graph (PLAN is 0, REVIEW is 8)."""
    return NODE_ORDER.index(node)


class WorkflowRunQuerySet(AmcsQuerySet):
    def active(self) -> WorkflowRunQuerySet:
        return self.filter(status=WorkflowRunStatus.RUNNING)


@pghistory.track()
class WorkflowRun(AmcsModel):
    """One execution of the workflow graph (PLAN → … → REVIEW) for a song, replayable from its seed.

    Status moves running → completed | failed only; the FIX loop runs at most three times.
    """

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="runs", verbose_name=_("song"))
    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("run id"))
    status = models.CharField(
        max_length=20,
        choices=WorkflowRunStatus.choices,
        default=WorkflowRunStatus.RUNNING,
        db_index=True,
        verbose_name=_("status"),
    )
    current_node = models.CharField(
        max_length=20, choices=WorkflowNode.choices, blank=True, default="", verbose_name=_("current node")
    )
    seed = models.BigIntegerField(
        default=0,
        validators=[MinValueValidator(0)],
        verbose_name=_("seed"),
        help_text=_("The song's seed when the run started; node N runs with seed + N."),
    )
    node_outputs = models.JSONField(
        default=dict, blank=True, verbose_name=_("node outputs"), help_text=_("{node: {artifacts, scores, citations}}")
    )
    validation_scores = models.JSONField(default=dict, blank=True, verbose_name=_("validation scores"))
    fix_iterations = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_FIX_ITERATIONS)],
        verbose_name=_("fix iterations"),
    )
    input_document = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        verbose_name=_("input document"),
        help_text=_("The song's SDS as the run froze it when it started."),
    )
    input_hash = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        verbose_name=_("input SHA-256"),
        help_text=_("SHA-256 of the frozen SDS's canonical JSON."),
    )
    input_context = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        verbose_name=_("input context"),
        help_text=_("What the nodes read beside the SDS, frozen too: the blueprint and persona documents, the target."),
    )
    error = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        verbose_name=_("error"),
        help_text=_('Why a failed run failed: {"node", "message", "report"}.'),
    )
    node_started_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("node started at"),
        help_text=_("When the current node started; a sweep fails runs whose worker died mid-node."),
    )

    objects = SoftDeleteManager.from_queryset(WorkflowRunQuerySet)()
    all_objects = models.Manager.from_queryset(WorkflowRunQuerySet)()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkflowRunStatus.values),
                name="amcs_workflowrun_status_valid",
                violation_error_message=_("A run is running, completed or failed."),
            ),
            models.CheckConstraint(
                condition=Q(fix_iterations__gte=0, fix_iterations__lte=MAX_FIX_ITERATIONS),
                name="amcs_workflowrun_fix_iterations_range",
                violation_error_message=_("The fix loop stops at 3 iterations."),
            ),
            models.CheckConstraint(
                condition=Q(current_node="") | Q(current_node__in=WorkflowNode.values),
                name="amcs_workflowrun_current_node_valid",
                violation_error_message=_("Unknown workflow node."),
            ),
            models.CheckConstraint(
                condition=Q(seed__gte=0),
                name="amcs_workflowrun_seed_nonnegative",
                violation_error_message=_("The seed is a non-negative integer."),
            ),
            models.UniqueConstraint(
                fields=["song"],
                condition=Q(status=WorkflowRunStatus.RUNNING, deleted_at__isnull=True),
                name="amcs_workflowrun_one_running_per_song",
                violation_error_message=_("This song already has a run in progress; wait for it to end."),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="amcs_workflowrun_status_moves",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__df=pgtrigger.F("new__status")) & ~pgtrigger.Q(old__status="running"),
            ),
        ]
        verbose_name = _("workflow run")
        verbose_name_plural = _("workflow runs")

    def __str__(self) -> str:
        return f"Run {self.run_id} ({self.status})"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def clean(self):
        errors = documents.json_shape_errors(
            self, node_outputs=dict, validation_scores=dict, input_document=dict, input_context=dict, error=dict
        )
        loaded = getattr(self, "_loaded_status", None)
        if self._state.adding and self.status != WorkflowRunStatus.RUNNING:
            errors["status"] = _("A run starts running.")
        elif loaded and loaded != WorkflowRunStatus.RUNNING and self.status != loaded:
            errors["status"] = _("A %(status)s run cannot change status: runs move running → completed | failed.") % {
                "status": loaded
            }
        if self.song_id and self.tenant_id and self.song.tenant_id != self.tenant_id:
            errors["song"] = _("This song belongs to another tenant.")
        if errors:
            raise ValidationError(errors)

    def node_seed(self, node: str) -> int:
        """The seed a node runs with: the run's seed plus the node's index."""
        return self.seed + node_index(node)


@pghistory.track()
class WorkflowEvent(TenantOwnedModel, BaseModel):
    """One event of a run's event stream (ts, node, phase, metrics). Append-only: a trigger refuses updates,
    and events go only with their run."""

    run = models.ForeignKey(
        WorkflowRun,
        on_delete=models.CASCADE,
        db_index=False,  # amcs_workflowevent_sequence_unique leads with the run
        related_name="events",
        verbose_name=_("run"),
    )
    sequence = models.PositiveIntegerField(verbose_name=_("sequence"), help_text=_("1, 2, 3… within the run."))
    ts = models.DateTimeField(verbose_name=_("timestamp"))
    node = models.CharField(max_length=20, choices=WorkflowNode.choices, verbose_name=_("node"))
    phase = models.CharField(max_length=10, choices=WorkflowEventPhase.choices, verbose_name=_("phase"))
    seed = models.BigIntegerField(verbose_name=_("node seed"), help_text=_("The run's seed plus the node's index."))
    metrics = models.JSONField(default=dict, blank=True, verbose_name=_("metrics"))
    issues = models.JSONField(default=list, blank=True, verbose_name=_("issues"))

    class Meta:
        ordering = ["run", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "sequence"],
                name="amcs_workflowevent_sequence_unique",
                violation_error_message=_("This run already has an event at this position."),
            ),
            models.CheckConstraint(
                condition=Q(node__in=WorkflowNode.values),
                name="amcs_workflowevent_node_valid",
                violation_error_message=_("Unknown workflow node."),
            ),
            models.CheckConstraint(
                condition=Q(phase__in=WorkflowEventPhase.values),
                name="amcs_workflowevent_phase_valid",
                violation_error_message=_("Unknown event phase."),
            ),
        ]
        # no separate index: amcs_workflowevent_sequence_unique serves a run's events in order (and their cursor)
        triggers = [
            pgtrigger.Protect(name="amcs_workflowevent_append_only", operation=pgtrigger.Update),
        ]
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")

    def __str__(self) -> str:
        return f"{self.node} {self.phase} #{self.sequence}"

    def clean(self):
        errors = documents.json_shape_errors(self, metrics=dict, issues=list)
        if self.run_id and self.tenant_id and self.run.tenant_id != self.tenant_id:
            errors["run"] = _("This run belongs to another tenant.")
        if errors:
            raise ValidationError(errors)


class WorkflowStep(TenantOwnedModel, BaseModel):
    """One node execution of a run: its seed, the SHA-256 of its input and of its output's canonical JSON, the
    output (valid against ``amcs/schemas/nodes/<node>.schema.json``) and how long it took. Written by the runner
    only, append-only (a trigger refuses updates); VALIDATE and FIX appear once per round."""

    run = models.ForeignKey(
        WorkflowRun,
        on_delete=models.CASCADE,
        db_index=False,  # amcs_workflowstep_sequence_unique leads with the run
        related_name="steps",
        verbose_name=_("run"),
    )
    sequence = models.PositiveIntegerField(verbose_name=_("sequence"), help_text=_("1, 2, 3… within the run."))
    node = models.CharField(max_length=20, choices=WorkflowNode.choices, verbose_name=_("node"))
    round = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("round"), help_text=_("The FIX round a VALIDATE or FIX belongs to (0 before any).")
    )
    seed = models.BigIntegerField(verbose_name=_("node seed"), help_text=_("The run's seed plus the node's index."))
    input_hash = models.CharField(max_length=64, verbose_name=_("input SHA-256"))
    output_hash = models.CharField(max_length=64, verbose_name=_("output SHA-256"))
    output = models.JSONField(default=dict, blank=True, verbose_name=_("output"))
    duration_ms = models.PositiveIntegerField(default=0, verbose_name=_("duration (ms)"))

    class Meta:
        ordering = ["run", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "sequence"],
                name="amcs_workflowstep_sequence_unique",
                violation_error_message=_("This run already has a step at this position."),
            ),
            models.CheckConstraint(
                condition=Q(node__in=WorkflowNode.values),
                name="amcs_workflowstep_node_valid",
                violation_error_message=_("Unknown workflow node."),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="amcs_workflowstep_append_only", operation=pgtrigger.Update),
        ]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")

    def __str__(self) -> str:
        return f"{self.node} #{self.sequence}"

    def clean(self):
        errors = documents.json_shape_errors(self, output=dict)
        if errors:
            raise ValidationError(errors)
