"""Blueprints: a genre's rules for songs and the rubric that scores them."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from amcs import documents, rules
from amcs.constants import BPM_MAX, BPM_MIN
from amcs.models.base import (
    ALIVE,
    AllAmcsManager,
    AmcsManager,
    AmcsModel,
    DocumentModel,
    default_rubric_weights,
    text_array,
)
from amcs.validators import validate_blueprint_version
from core.models import trigram_index


@pghistory.track()
class Blueprint(DocumentModel, AmcsModel):
    """A genre's rules for songs (tempo, required sections, line limits, banned terms, lexicons, conflicting tags)
    and the rubric that scores them, versioned ``YYYY.N``."""

    DOCUMENT_KIND = "blueprint"

    genre = models.CharField(max_length=100, verbose_name=_("genre"))  # amcs_blueprint_genre_idx leads with it
    version = models.CharField(
        max_length=20,
        validators=[validate_blueprint_version],
        verbose_name=_("version"),
        help_text=_("Year and number, for example 2025.11."),
    )
    tempo_bpm_min = models.PositiveSmallIntegerField(verbose_name=_("tempo minimum (BPM)"))
    tempo_bpm_max = models.PositiveSmallIntegerField(verbose_name=_("tempo maximum (BPM)"))
    required_sections = text_array(_("required sections"), _("Sections every song of this genre must have."), 50)
    section_lines = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("section line limits"),
        help_text=_('Per section, {"min": n, "max": n} lines, e.g. {"Chorus": {"min": 4, "max": 8}}.'),
    )
    banned_terms = text_array(_("banned terms"))
    lexicon_positive = text_array(_("positive lexicon"))
    lexicon_negative = text_array(_("negative lexicon"))
    conflicting_tags = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("conflicting tags"),
        help_text=_('Pairs of tags a style may not combine, e.g. [["Era:1970s", "Era:2020s"]].'),
    )
    rubric_weights = models.JSONField(
        default=default_rubric_weights,
        verbose_name=_("rubric weights"),
        help_text=_(
            "Weight per metric (hook_density, singability, rhyme_tightness, section_completeness, profanity_score, "
            "or others); they sum to 1.0."
        ),
    )
    rules_extra = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("other rules"),
        help_text=_(
            "Rules of the document this system keeps but does not check (length_minutes, time_signature, "
            "key_signatures)."
        ),
    )
    conflict_matrix = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("conflict matrix"),
        help_text=_('Per tag, the tags it conflicts with, e.g. {"Era:1970s": ["Era:2020s"]} (with conflicting tags).'),
    )
    tag_categories = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("tag categories"),
        help_text=_(
            'Per category, its tags, e.g. {"era": ["Era:1970s"], "vocal": ["Vocal:airy"]}; the composed '
            "prompt orders tags by category."
        ),
    )
    min_total = models.FloatField(default=0.75, verbose_name=_("minimum total score"))
    max_profanity = models.FloatField(default=0.1, verbose_name=_("maximum profanity"))

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        ordering = ["genre", "-version"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("genre"),
                "version",
                condition=ALIVE,
                name="amcs_blueprint_genre_version_unique",
                violation_error_message=_("This tenant already has a blueprint of this genre and version."),
            ),
            models.CheckConstraint(
                condition=Q(tempo_bpm_min__gte=BPM_MIN, tempo_bpm_max__lte=BPM_MAX)
                & Q(tempo_bpm_max__gte=F("tempo_bpm_min")),
                name="amcs_blueprint_tempo_range",
                violation_error_message=_("The tempo range must lie within 60-200 BPM, minimum first."),
            ),
            models.CheckConstraint(
                condition=Q(required_sections__len__gte=1),
                name="amcs_blueprint_required_sections_nonempty",
                violation_error_message=_("A blueprint requires at least one section."),
            ),
            models.CheckConstraint(
                condition=Q(min_total__gte=0, min_total__lte=1, max_profanity__gte=0, max_profanity__lte=1),
                name="amcs_blueprint_thresholds_range",
                violation_error_message=_("Rubric thresholds lie between 0 and 1."),
            ),
        ]
        indexes = [
            models.Index(fields=["genre", "version"], name="amcs_blueprint_genre_idx"),
            trigram_index("amcs_blueprint_genre_trgm", "genre"),
            trigram_index("amcs_blueprint_version_trgm", "version"),
        ]
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")

    def __str__(self) -> str:
        return f"{self.genre} {self.version}"

    def clean(self):
        shape_errors = documents.json_shape_errors(
            self, rules_extra=dict, conflict_matrix=dict, tag_categories=dict, extra_metadata=dict
        )
        if shape_errors:
            raise ValidationError(shape_errors)
        self.check_document()
        if not self._state.adding and self.tempo_bpm_min is not None and self.tempo_bpm_max is not None:
            outside = self.styles.filter(Q(bpm_min__lt=self.tempo_bpm_min) | Q(bpm_max__gt=self.tempo_bpm_max))
            names = sorted(outside.values_list("name", flat=True)[:5])
            if names:
                raise ValidationError(
                    {
                        "tempo_bpm_min": _("Styles of this blueprint fall outside the new tempo range: %(names)s.")
                        % {"names": ", ".join(names)}
                    }
                )
        if not self._state.adding and self.required_sections:
            self.clean_songs_sections()

    def clean_songs_sections(self) -> None:
        """Songs that follow this blueprint keep every section it requires (the song and the section named)."""
        required = list(self.required_sections)
        messages = []
        from amcs.models.songs import Lyrics

        lyrics = Lyrics.objects.filter(song__blueprint=self, song__deleted_at__isnull=True).select_related("song")
        for row in lyrics.order_by("song__title").iterator(chunk_size=500):
            present = {rules.section_key(name) for name in row.section_order or []}
            missing = [name for name in required if rules.section_key(name) not in present]
            if missing:
                messages.append(f"“{row.song.title}” lacks {', '.join(missing)}")
            if len(messages) == 5:  # enough to name; every song is still checked until one fails
                break
        if messages:
            raise ValidationError(
                {
                    "required_sections": _("Songs of this blueprint miss required sections: %(songs)s.")
                    % {"songs": "; ".join(messages)}
                }
            )

    def to_document(self) -> dict:
        """The blueprint as its document (``amcs.documents``)."""
        return documents.blueprint_to_document(self)
