"""The library songs draw on: personas (who sings) and sources (what lyrics may cite)."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from amcs import documents
from amcs.choices import PersonaKind, SourceKind
from amcs.models.base import ALIVE, AllAmcsManager, AmcsManager, AmcsModel, DocumentModel, text_array
from core.models import trigram_index


@pghistory.track()
class Persona(DocumentModel, AmcsModel):
    """An artist or band persona a song is sung as: voice, delivery, influences, defaults and release policy."""

    DOCUMENT_KIND = "persona"

    name = models.CharField(max_length=255, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20,
        choices=PersonaKind.choices,
        default=PersonaKind.ARTIST,
        verbose_name=_("kind"),
    )
    bio = models.TextField(blank=True, default="", verbose_name=_("bio"))
    voice = models.CharField(max_length=500, blank=True, default="", verbose_name=_("voice"))
    vocal_range = models.CharField(max_length=100, blank=True, default="", verbose_name=_("vocal range"))
    delivery = text_array(_("delivery"), _("Delivery styles, e.g. 'crooning', 'belting'."))
    influences = text_array(_("influences"), max_length=255)
    style_defaults = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("style defaults"),
        help_text=_("A style document (style.schema.json) new songs of this persona start from."),
    )
    lyrics_defaults = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("lyrics defaults"),
        help_text=_("A lyrics document (lyrics.schema.json) new songs of this persona start from."),
    )
    is_public_release = models.BooleanField(
        default=False,
        verbose_name=_("public release"),
        help_text=_("Songs are released publicly: influences may not name living artists."),
    )
    is_style_of_disallowed = models.BooleanField(
        default=True,
        verbose_name=_("disallow 'style of <artist>'"),
        help_text=_("Refuse influences written as 'style of' a living artist."),
    )

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("name"),
                condition=ALIVE,
                name="amcs_persona_name_unique",
                violation_error_message=_("This tenant already has a persona of this name."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PersonaKind.values),
                name="amcs_persona_kind_valid",
                violation_error_message=_("Unknown persona kind."),
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="amcs_persona_name_idx"),
            trigram_index("amcs_persona_name_trgm", "name"),
            trigram_index("amcs_persona_bio_trgm", "bio"),
        ]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        shape_errors = documents.json_shape_errors(self, style_defaults=dict, lyrics_defaults=dict, extra_metadata=dict)
        if shape_errors:
            raise ValidationError(shape_errors)
        self.check_document()

    def to_document(self) -> dict:
        """The persona as its document (``amcs.documents``)."""
        return documents.persona_to_document(self)


@pghistory.track()
class Source(DocumentModel, AmcsModel):
    """A retrieval source (file, web page or API behind an MCP server) that lyrics may cite."""

    DOCUMENT_KIND = "source"

    name = models.CharField(max_length=255, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=SourceKind.choices, verbose_name=_("kind"))
    config = models.JSONField(default=dict, blank=True, verbose_name=_("config"))
    scopes = text_array(_("scopes"))
    allow = text_array(_("allow"), _("Terms to retrieve."))
    deny = text_array(_("deny"), _("Terms to avoid; a term may not be both allowed and denied."))
    weight = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        verbose_name=_("weight"),
        help_text=_("Relative importance, 0 to 1."),
    )
    has_provenance = models.BooleanField(
        default=True,
        verbose_name=_("provenance"),
        help_text=_("Cite chunk hashes of this source in outputs."),
    )
    mcp_server_id = models.CharField(max_length=255, verbose_name=_("MCP server id"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    last_validated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last validated at"))

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("name"),
                condition=ALIVE,
                name="amcs_source_name_unique",
                violation_error_message=_("This tenant already has a source of this name."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=1),
                name="amcs_source_weight_range",
                violation_error_message=_("A source weight lies between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values),
                name="amcs_source_kind_valid",
                violation_error_message=_("Unknown source kind."),
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="amcs_source_name_idx"),
            trigram_index("amcs_source_name_trgm", "name"),
            trigram_index("amcs_source_mcp_server_trgm", "mcp_server_id"),
        ]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        shape_errors = documents.json_shape_errors(self, config=dict, extra_metadata=dict)
        if shape_errors:
            raise ValidationError(shape_errors)
        self.check_document()

    def to_document(self) -> dict:
        """The source as its document (``amcs.documents``)."""
        return documents.source_to_document(self)

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        return documents.source_fields(document)
