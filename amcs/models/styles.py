"""Styles: a song's sound (genre, tempo, key, mood, energy, instrumentation, tags) under a blueprint."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from amcs import documents
from amcs.choices import StyleEnergy
from amcs.constants import BPM_MAX, BPM_MIN, ENERGY_LEVEL_MAX, ENERGY_LEVEL_MIN
from amcs.models.base import AmcsModel, AmcsQuerySet, DocumentModel, check_same_tenant, text_array
from amcs.models.blueprints import Blueprint
from amcs.validators import validate_musical_key, validate_time_signature
from core.models import SoftDeleteManager, trigram_index


class StyleQuerySet(AmcsQuerySet):
    def tempo_includes(self, bpm: int, prefix: str = "") -> StyleQuerySet:
        """Styles (or, with ``prefix="style__"``, songs) whose BPM range includes ``bpm``."""
        return self.filter(**{f"{prefix}bpm_min__lte": bpm, f"{prefix}bpm_max__gte": bpm})

    def mood_contains(self, moods: list[str], prefix: str = "") -> StyleQuerySet:
        return self.filter(**{f"{prefix}mood__contains": moods})

    def tags_contain(self, tags: list[str], prefix: str = "") -> StyleQuerySet:
        return self.filter(**{f"{prefix}tags_positive__contains": tags})


@pghistory.track()
class Style(DocumentModel, AmcsModel):
    """A song's sound: genre, tempo, key, mood, energy, instrumentation and prompt tags, under a blueprint."""

    DOCUMENT_KIND = "style"

    name = models.CharField(max_length=255, verbose_name=_("name"))
    genre = models.CharField(max_length=100, db_index=True, verbose_name=_("genre"))
    sub_genres = text_array(_("sub-genres"))
    fusions = text_array(_("fusions"))
    bpm_min = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(BPM_MIN), MaxValueValidator(BPM_MAX)], verbose_name=_("BPM minimum")
    )
    bpm_max = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(BPM_MIN), MaxValueValidator(BPM_MAX)], verbose_name=_("BPM maximum")
    )
    time_signature = models.CharField(
        max_length=10,
        default="4/4",
        validators=[validate_time_signature],
        verbose_name=_("time signature"),
    )
    key = models.CharField(
        max_length=20,
        validators=[validate_musical_key],
        verbose_name=_("key"),
        help_text=_("A note and a mode, e.g. 'C major' or 'F# minor'."),
    )
    modulations = text_array(_("modulations"), _("Keys the song moves to, e.g. 'E major'."), 20)
    mood = text_array(_("mood"), _("At least one mood."))
    energy_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(ENERGY_LEVEL_MIN), MaxValueValidator(ENERGY_LEVEL_MAX)],
        verbose_name=_("energy level"),
        help_text=_("1 (calm) to 10 (maximal)."),
    )
    energy = models.CharField(
        max_length=20,
        choices=StyleEnergy.choices,
        blank=True,
        default="",
        verbose_name=_("energy"),
        help_text=_("The SDS's energy word."),
    )
    instrumentation = text_array(_("instrumentation"), _("More than three instruments draw a warning."))
    vocal_profile = models.TextField(blank=True, default="", verbose_name=_("vocal profile"))
    tags_positive = text_array(_("tags"), _("Style tags, e.g. 'Era:2010s'."))
    tags_negative = text_array(_("negative tags"), _("Tags to avoid; never also a positive tag."))
    blueprint = models.ForeignKey(
        Blueprint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="styles",
        verbose_name=_("blueprint"),
    )

    objects = SoftDeleteManager.from_queryset(StyleQuerySet)()
    all_objects = models.Manager.from_queryset(StyleQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bpm_min__gte=BPM_MIN, bpm_min__lte=BPM_MAX, bpm_max__gte=BPM_MIN, bpm_max__lte=BPM_MAX),
                name="amcs_style_bpm_range",
                violation_error_message=_("BPM must lie between 60 and 200."),
            ),
            models.CheckConstraint(
                condition=Q(bpm_max__gte=F("bpm_min")),
                name="amcs_style_bpm_order",
                violation_error_message=_("The BPM maximum must be at least the minimum."),
            ),
            models.CheckConstraint(
                condition=Q(energy_level__isnull=True)
                | Q(energy_level__gte=ENERGY_LEVEL_MIN, energy_level__lte=ENERGY_LEVEL_MAX),
                name="amcs_style_energy_level_range",
                violation_error_message=_("The energy level lies between 1 and 10."),
            ),
            models.CheckConstraint(
                condition=Q(energy="") | Q(energy__in=StyleEnergy.values),
                name="amcs_style_energy_valid",
                violation_error_message=_("Unknown energy."),
            ),
            models.CheckConstraint(
                condition=Q(mood__len__gte=1),
                name="amcs_style_mood_nonempty",
                violation_error_message=_("A style needs at least one mood."),
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="amcs_style_name_idx"),
            models.Index(fields=["bpm_min", "bpm_max"], name="amcs_style_bpm_idx"),
            trigram_index("amcs_style_name_trgm", "name"),
            trigram_index("amcs_style_genre_trgm", "genre"),
        ]
        verbose_name = _("style")
        verbose_name_plural = _("styles")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        tenant_errors = check_same_tenant(self, blueprint=self.blueprint if self.blueprint_id else None)
        tenant_errors.update(documents.json_shape_errors(self, extra_metadata=dict))
        if tenant_errors:
            raise ValidationError(tenant_errors)
        self.check_document(**self.document_context())

    def document_context(self) -> dict:
        return {"blueprint": self.blueprint.to_document() if self.blueprint_id else None}

    def to_document(self) -> dict:
        """The style as its document (``amcs.documents``)."""
        return documents.style_to_document(self)

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        return documents.style_fields(document)
