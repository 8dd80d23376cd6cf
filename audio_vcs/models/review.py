"""Collaboration: approval requests on commits and compositions, and threaded, optionally timestamped comments."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Max, Q
from django.utils.translation import gettext_lazy as _

from audio_vcs.choices import ApprovalStatus
from audio_vcs.constants import APPROVAL_TRANSITIONS
from audio_vcs.models.projects import Commit, Project, ProjectScopedQuerySet, Stem, lineage_ids
from audio_vcs.models.states import StatusMachineMixin, transition_trigger
from audio_vcs.models.studio import Composition
from core.models import BaseModel, SoftDeleteManager, SoftDeleteModel, SoftDeleteQuerySet, trigram_index

USER = settings.AUTH_USER_MODEL


@pghistory.track()
class Approval(StatusMachineMixin, BaseModel):
    """A commit or composition put up for review by a reviewer: pending -> approved | rejected | changes
    requested. One open request per item and reviewer."""

    transitions = APPROVAL_TRANSITIONS
    initial_status = ApprovalStatus.PENDING

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("project"))
    commit = models.ForeignKey(
        Commit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("commit"),
    )
    composition = models.ForeignKey(
        Composition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("composition"),
    )
    requested_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audio_approval_requests",
        verbose_name=_("requested by"),
    )
    reviewer = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="audio_reviews", verbose_name=_("reviewer"), db_index=False
    )
    status = models.CharField(
        max_length=20,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PENDING,
        db_index=True,
        verbose_name=_("status"),
    )
    comment = models.TextField(blank=True, default="", verbose_name=_("comment"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    access_path = "project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commit__isnull=False, composition__isnull=True)
                | Q(commit__isnull=True, composition__isnull=False),
                name="audio_vcs_approval_one_item",
                violation_error_message=_("An approval is of a commit or of a composition."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApprovalStatus.values),
                name="audio_vcs_approval_status_valid",
                violation_error_message=_("Unknown approval status."),
            ),
            models.UniqueConstraint(
                fields=["commit", "reviewer"],
                condition=Q(status=ApprovalStatus.PENDING, commit__isnull=False),
                name="audio_vcs_approval_open_commit_unique",
                violation_error_message=_("This reviewer already has an open request for this commit."),
            ),
            models.UniqueConstraint(
                fields=["composition", "reviewer"],
                condition=Q(status=ApprovalStatus.PENDING, composition__isnull=False),
                name="audio_vcs_approval_open_composition_unique",
                violation_error_message=_("This reviewer already has an open request for this composition."),
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="audio_vcs_approval_rev_idx"),
            trigram_index("audio_vcs_approval_note_trgm", "comment"),
        ]
        triggers = [transition_trigger("audio_vcs_approval_status_moves", APPROVAL_TRANSITIONS)]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.commit or self.composition} → {self.reviewer} ({self.status})"

    def clean(self) -> None:
        errors = self.status_errors()
        if bool(self.commit_id) == bool(self.composition_id):
            errors["commit"] = _("Put up either a commit or a composition for review.")
        if self.project_id:
            if self.commit_id and self.commit.project_id not in lineage_ids(self.project):
                errors["commit"] = _("This commit belongs to another project.")
            if self.composition_id and self.composition.project_id != self.project_id:
                errors["composition"] = _("This composition belongs to another project.")
        if errors:
            raise ValidationError(errors)


class CommentQuerySet(SoftDeleteQuerySet, ProjectScopedQuerySet):
    pass


@pghistory.track()
class Comment(SoftDeleteModel, BaseModel):
    """Feedback on a project, a commit, a stem or a composition; replies thread under a parent comment, and a
    time range in seconds marks a moment of the audio."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="comments", verbose_name=_("project"), db_index=False
    )
    commit = models.ForeignKey(
        Commit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("commit"),
    )
    stem = models.ForeignKey(
        Stem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("stem"),
    )
    composition = models.ForeignKey(
        Composition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("composition"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    author = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audio_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("body"))
    start_seconds = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        verbose_name=_("from (s)"),
    )
    end_seconds = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        verbose_name=_("to (s)"),
    )

    access_path = "project"
    objects = SoftDeleteManager.from_queryset(CommentQuerySet)()
    all_objects = models.Manager.from_queryset(CommentQuerySet)()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_seconds__isnull=True) & Q(end_seconds__isnull=True))
                | Q(start_seconds__gte=0, end_seconds__gte=F("start_seconds")),
                name="audio_vcs_comment_time_range",
                violation_error_message=_("A time range has a start and an end at or after it, in seconds."),
            ),
            models.CheckConstraint(
                condition=Q(body__regex=r"\S"),
                name="audio_vcs_comment_body_not_blank",
                violation_error_message=_("A comment says something."),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "created_at"], name="audio_vcs_comment_proj_idx"),
            trigram_index("audio_vcs_comment_body_trgm", "body"),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def target(self):
        return self.stem or self.commit or self.composition or self.project

    def clean(self) -> None:
        errors = {}
        lineage = lineage_ids(self.project) if self.project_id else []
        if self.stem_id:
            if self.commit_id and self.stem.commit_id != self.commit_id:
                errors["stem"] = _("This stem is not part of that commit.")
            elif self.project_id and self.stem.commit.project_id not in lineage:
                errors["stem"] = _("This stem belongs to another project.")
        if self.commit_id and self.project_id and self.commit.project_id not in lineage:
            errors["commit"] = _("This commit belongs to another project.")
        if self.composition_id and self.project_id and self.composition.project_id != self.project_id:
            errors["composition"] = _("This composition belongs to another project.")
        if self.composition_id and (self.commit_id or self.stem_id):
            errors["composition"] = _("A comment is on a commit (or one of its stems) or on a composition.")
        on_audio = bool(self.stem_id or self.commit_id or self.composition_id)
        if (self.start_seconds is not None or self.end_seconds is not None) and not on_audio:
            errors["start_seconds"] = _("A time range needs audio: comment on a commit, stem or composition.")
        if (self.start_seconds is None) != (self.end_seconds is None):
            errors["end_seconds"] = _("Give both ends of the time range, or neither.")
        elif self.end_seconds is not None and "end_seconds" not in errors and not errors.get("stem"):
            length = self._audio_length()
            if length is not None and self.end_seconds > length + 1e-3:
                errors["end_seconds"] = _("The time range ends at %(end)s s, after the audio's end (%(length)s s).") % {
                    "end": f"{self.end_seconds:g}",
                    "length": f"{length:.3f}",
                }
        if self.parent_id:
            parent = self.parent
            if (parent.project_id, parent.commit_id, parent.stem_id, parent.composition_id) != (
                self.project_id,
                self.commit_id,
                self.stem_id,
                self.composition_id,
            ):
                errors["parent"] = _("A reply is on the same thing as the comment it answers.")
        if errors:
            raise ValidationError(errors)

    def _audio_length(self) -> float | None:
        """How long the audio the comment is on lasts: the stem's blob, the longest stem of the commit, or the
        composition's length when it has one (one query at most)."""
        if self.stem_id:
            return self.stem.blob.duration
        if self.commit_id:
            return Stem.objects.filter(commit_id=self.commit_id).aggregate(length=Max("blob__duration"))["length"]
        if self.composition_id:
            return self.composition.length_seconds
        return None
