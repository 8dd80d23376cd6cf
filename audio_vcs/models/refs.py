"""Named references besides branches: tags (immutable names of commits) and the ref log of every branch head move."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audio_vcs.choices import RefMove
from audio_vcs.models.projects import Branch, Commit, Project, ProjectScopedQuerySet
from audio_vcs.validators import validate_branch_name
from core.constraints import choice_check
from core.models import BaseModel

USER = settings.AUTH_USER_MODEL


@pghistory.track()
class Tag(BaseModel):
    """A git-style tag: a name (git's ref rules) fixed to one commit, with a message and its tagger. Immutable: the
    database refuses to change a tag (it is deleted, by a maintainer, never moved), and a name is unique per
    project, so it cannot point elsewhere while it exists."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tags", verbose_name=_("project"), db_index=False
    )
    name = models.CharField(max_length=255, validators=[validate_branch_name], verbose_name=_("name"))
    commit = models.ForeignKey(Commit, on_delete=models.PROTECT, related_name="tags", verbose_name=_("commit"))
    message = models.TextField(blank=True, default="", max_length=2000, verbose_name=_("message"))
    tagger = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audio_tags",
        verbose_name=_("tagger"),
    )

    access_path = "project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="audio_vcs_tag_unique",
                violation_error_message=_("This project already has a tag with this name; tags never move."),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audio_vcs_tag_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__name__df=pgtrigger.F("new__name"))
                | pgtrigger.Q(old__commit_id__df=pgtrigger.F("new__commit_id"))
                | pgtrigger.Q(old__project_id__df=pgtrigger.F("new__project_id"))
                | pgtrigger.Q(old__message__df=pgtrigger.F("new__message")),
            ),
        ]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return str(self.name)


class RefLogEntry(BaseModel):
    """One move of a branch head (git's reflog): from which commit to which, why, and who moved it. Written by the
    service that moves the head, in the same transaction; append-only."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="reflog", verbose_name=_("branch"), db_index=False
    )
    old_head = models.ForeignKey(
        Commit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("old head"),
    )
    new_head = models.ForeignKey(Commit, on_delete=models.PROTECT, related_name="+", verbose_name=_("new head"))
    action = models.CharField(max_length=16, choices=RefMove.choices, verbose_name=_("action"))
    actor = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )

    access_path = "branch__project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [choice_check("action", RefMove)]
        indexes = [models.Index(fields=["branch", "-created_at"], name="audio_vcs_reflog_branch_idx")]
        triggers = [pgtrigger.Protect(name="audio_vcs_reflog_append_only", operation=pgtrigger.Update)]
        verbose_name = _("ref log entry")
        verbose_name_plural = _("ref log entries")

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.old_head_id} -> {self.new_head_id} ({self.action})"
