"""Composed prompts: the text a music engine takes, composed from a song's SDS (``amcs.compose``)."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from amcs.choices import SongRenderEngine
from amcs.models.base import AllAmcsManager, AmcsManager, AmcsModel
from amcs.models.songs import Song
from amcs.models.workflow import WorkflowRun

PROMPT_MAX_CHARS = 10000


@pghistory.track()
class ComposedPrompt(AmcsModel):
    """A song's prompt for a music engine: the style string, the structure with section tags and the lyrics,
    within the engine's limits, with the metadata of the ``composed_prompt`` schema and a content hash.

    Composing the same SDS again gives the same text and hash; each composition is kept (newest first).
    """

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="composed_prompts", verbose_name=_("song"))
    run = models.ForeignKey(
        WorkflowRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="composed_prompts",
        verbose_name=_("workflow run"),
        help_text=_("The run whose COMPOSE node made this prompt, if any."),
    )
    text = models.TextField(
        validators=[MaxLengthValidator(PROMPT_MAX_CHARS)],
        verbose_name=_("text"),
        help_text=_("The full prompt the engine takes."),
    )
    style = models.TextField(blank=True, default="", verbose_name=_("style"), help_text=_("The style string."))
    meta = models.JSONField(default=dict, blank=True, verbose_name=_("meta"))
    target_engine = models.CharField(max_length=20, choices=SongRenderEngine.choices, verbose_name=_("target engine"))
    target_model = models.CharField(max_length=100, blank=True, default="", verbose_name=_("target model"))
    style_char_count = models.PositiveIntegerField(verbose_name=_("style characters"))
    total_char_count = models.PositiveIntegerField(verbose_name=_("total characters"))
    content_hash = models.CharField(
        max_length=64,
        db_index=True,
        verbose_name=_("content hash"),
        help_text=_("SHA-256 of the text and meta: the same SDS composes to the same hash."),
    )
    seed = models.BigIntegerField(default=0, verbose_name=_("seed"), help_text=_("The COMPOSE node's seed."))

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), PROMPT_MAX_CHARS),
                name="amcs_composedprompt_text_length",
                violation_error_message=_("A prompt has at most 10000 characters."),
            ),
            models.CheckConstraint(
                condition=Q(target_engine__in=SongRenderEngine.values),
                name="amcs_composedprompt_engine_valid",
                violation_error_message=_("Unknown render engine."),
            ),
        ]
        verbose_name = _("composed prompt")
        verbose_name_plural = _("composed prompts")

    def __str__(self) -> str:
        return f"Prompt of {self.song} ({self.content_hash[:12]})" if self.song_id else "Prompt"

    def clean(self):
        errors = {}
        if self.song_id and self.tenant_id and self.song.tenant_id != self.tenant_id:
            errors["song"] = _("This song belongs to another tenant.")
        if self.run_id and self.song_id and self.run.song_id != self.song_id:
            errors["run"] = _("This run is another song's.")
        if not isinstance(self.meta, dict):
            errors["meta"] = _("Enter a JSON object.")
        if errors:
            raise ValidationError(errors)

    def to_document(self) -> dict:
        """The prompt as ``composed_prompt.schema.json`` describes it."""
        return {"text": self.text, "meta": self.meta}
