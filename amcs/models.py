"""AMCS song design: blueprints, personas, sources, styles, songs with lyrics and producer notes, workflow runs.

Every row belongs to a tenant (``core.TenantOwnedModel``) and is soft-deleted. Each entity knows
its SDS 1.0 document (``to_document()``, the shapes of ``amcs/schemas``); ``clean()`` checks that
document against its JSON schema and the rules of ``amcs.rules``, so the admin, the API, the
services and the commands all meet the same rules.
"""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amcs import rules
from amcs.choices import (
    LyricsHookStrategy,
    LyricsPov,
    LyricsRepetitionPolicy,
    LyricsTense,
    PersonaKind,
    SongRenderEngine,
    SongStatus,
    SourceKind,
    StyleEnergy,
    WorkflowEventPhase,
    WorkflowNode,
    WorkflowRunStatus,
)
from amcs.constants import (
    BPM_MAX,
    BPM_MIN,
    DEFAULT_RUBRIC_WEIGHTS,
    ENERGY_LEVEL_MAX,
    ENERGY_LEVEL_MIN,
    MAX_FIX_ITERATIONS,
    SDS_VERSION,
    SYLLABLES_MAX,
    SYLLABLES_MIN,
)
from amcs.validation import schema_errors
from amcs.validators import (
    validate_blueprint_version,
    validate_language,
    validate_musical_key,
    validate_semver,
    validate_time_signature,
)
from core.models import BaseModel, SoftDeleteManager, SoftDeleteModel, SoftDeleteQuerySet, TenantOwnedModel
from core.models import TenantOwnedQuerySet as CoreTenantOwnedQuerySet

ALIVE = Q(deleted_at__isnull=True)
TAG_FIELD = models.CharField(max_length=100)


def text_array(verbose_name: str, help_text: str = "", max_length: int = 100) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=max_length),
        blank=True,
        default=list,
        verbose_name=verbose_name,
        help_text=help_text,
    )


def raise_document_errors(errors: list[tuple[str, str]], fields: dict[str, str]) -> None:
    """Raise the (pointer, message) pairs as a ValidationError keyed by the model fields the pointers point into."""
    if not errors:
        return
    by_field: dict[str, list[str]] = {}
    for pointer, message in errors:
        parts = pointer.strip("/").split("/")
        field = fields.get("/".join(parts[:2])) or fields.get(parts[0]) or "__all__"
        text = message if pointer.count("/") <= 1 or field == "__all__" and not pointer else f"{pointer}: {message}"
        by_field.setdefault(field, [])
        if text not in by_field[field]:
            by_field[field].append(text)
    raise ValidationError(by_field)


def json_shape_errors(instance, **shapes: type) -> dict[str, str]:
    """Errors for JSON fields whose value is not the expected JSON type (object or list)."""
    names = {dict: _("Enter a JSON object."), list: _("Enter a JSON list.")}
    return {name: names[shape] for name, shape in shapes.items() if not isinstance(getattr(instance, name), shape)}


def document_errors(name: str, document: dict, rule, **context) -> list[tuple[str, str]]:
    """Schema errors of an entity document; the rules run once the document has the schema's shape."""
    errors = schema_errors(name, document)
    return errors or rule(document, **context)


def check_same_tenant(instance, **related) -> dict[str, str]:
    """Errors for related rows that belong to another tenant than ``instance``."""
    errors = {}
    for name, obj in related.items():
        if obj is not None and instance.tenant_id and obj.tenant_id != instance.tenant_id:
            errors[name] = _("This %(name)s belongs to another tenant.") % {"name": name.replace("_", " ")}
    return errors


def default_rubric_weights() -> dict:
    return dict(DEFAULT_RUBRIC_WEIGHTS)


class AmcsQuerySet(SoftDeleteQuerySet, CoreTenantOwnedQuerySet):
    """Soft delete plus tenant scoping (``visible_to``/``editable_by``) for every AMCS model."""


AmcsManager = SoftDeleteManager.from_queryset(AmcsQuerySet)
AllAmcsManager = models.Manager.from_queryset(AmcsQuerySet)


class AmcsModel(TenantOwnedModel, SoftDeleteModel, BaseModel):
    """Abstract base of the AMCS entities: tenant and owner, soft delete, UUID key and timestamps."""

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        abstract = True


@pghistory.track()
class Blueprint(AmcsModel):
    """A genre's rules for songs (tempo, required sections, line limits, banned terms, lexicons, conflicting tags)
    and the rubric that scores them, versioned ``YYYY.N``."""

    genre = models.CharField(max_length=100, db_index=True, verbose_name=_("genre"))
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
        help_text=_("Weights of hook_density, singability, rhyme_tightness, section_completeness, profanity_score."),
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
        indexes = [models.Index(fields=["genre", "version"], name="amcs_blueprint_genre_idx")]
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")

    def __str__(self) -> str:
        return f"{self.genre} {self.version}"

    DOCUMENT_FIELDS = {
        "genre": "genre",
        "version": "version",
        "rules/tempo_bpm": "tempo_bpm_min",
        "rules/required_sections": "required_sections",
        "rules/banned_terms": "banned_terms",
        "rules/lexicon_positive": "lexicon_positive",
        "rules/lexicon_negative": "lexicon_negative",
        "rules/section_lines": "section_lines",
        "rules/conflicting_tags": "conflicting_tags",
        "eval_rubric/weights": "rubric_weights",
        "eval_rubric/thresholds": "min_total",
    }

    def clean(self):
        document = self.to_document()
        raise_document_errors(document_errors("blueprint", document, rules.blueprint_errors), self.DOCUMENT_FIELDS)
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
        """The blueprint as ``blueprint.schema.json`` describes it."""
        return {
            "genre": self.genre,
            "version": self.version,
            "rules": {
                "tempo_bpm": [self.tempo_bpm_min, self.tempo_bpm_max],
                "required_sections": list(self.required_sections or []),
                "banned_terms": list(self.banned_terms or []),
                "lexicon_positive": list(self.lexicon_positive or []),
                "lexicon_negative": list(self.lexicon_negative or []),
                "section_lines": self.section_lines if self.section_lines is not None else {},
                "conflicting_tags": self.conflicting_tags if self.conflicting_tags is not None else [],
            },
            "eval_rubric": {
                "weights": self.rubric_weights if self.rubric_weights is not None else {},
                "thresholds": {"min_total": self.min_total, "max_profanity": self.max_profanity},
            },
        }


@pghistory.track()
class Persona(AmcsModel):
    """An artist or band persona a song is sung as: voice, delivery, influences, defaults and release policy."""

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
        indexes = [models.Index(fields=["name"], name="amcs_persona_name_idx")]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")

    def __str__(self) -> str:
        return self.name

    DOCUMENT_FIELDS = {
        "name": "name",
        "kind": "kind",
        "bio": "bio",
        "voice": "voice",
        "vocal_range": "vocal_range",
        "delivery": "delivery",
        "influences": "influences",
        "style_defaults": "style_defaults",
        "lyrics_defaults": "lyrics_defaults",
        "policy": "is_public_release",
    }

    def clean(self):
        shape_errors = json_shape_errors(self, style_defaults=dict, lyrics_defaults=dict)
        if shape_errors:
            raise ValidationError(shape_errors)
        document = self.to_document()
        raise_document_errors(document_errors("persona", document, rules.persona_errors), self.DOCUMENT_FIELDS)

    def to_document(self) -> dict:
        """The persona as ``persona.schema.json`` describes it (empty defaults left out)."""
        document = {
            "name": self.name,
            "kind": self.kind,
            "bio": self.bio,
            "voice": self.voice,
            "vocal_range": self.vocal_range,
            "delivery": list(self.delivery or []),
            "influences": list(self.influences or []),
            "policy": {
                "public_release": self.is_public_release,
                "disallow_named_style_of": self.is_style_of_disallowed,
            },
        }
        if self.style_defaults:
            document["style_defaults"] = self.style_defaults
        if self.lyrics_defaults:
            document["lyrics_defaults"] = self.lyrics_defaults
        return document


@pghistory.track()
class Source(AmcsModel):
    """A retrieval source (file, web page or API behind an MCP server) that lyrics may cite."""

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
        indexes = [models.Index(fields=["name"], name="amcs_source_name_idx")]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    DOCUMENT_FIELDS = {
        "name": "name",
        "kind": "kind",
        "config": "config",
        "scopes": "scopes",
        "weight": "weight",
        "allow": "allow",
        "deny": "deny",
        "provenance": "has_provenance",
        "mcp_server_id": "mcp_server_id",
    }

    def clean(self):
        document = self.to_document()
        raise_document_errors(document_errors("source", document, rules.source_errors), self.DOCUMENT_FIELDS)

    def to_document(self) -> dict:
        """The source as ``source.schema.json`` (and the SDS's ``sources`` items) describe it."""
        return {
            "name": self.name,
            "kind": self.kind,
            "config": self.config if self.config is not None else {},
            "scopes": list(self.scopes or []),
            "weight": self.weight,
            "allow": list(self.allow or []),
            "deny": list(self.deny or []),
            "provenance": self.has_provenance,
            "mcp_server_id": self.mcp_server_id,
        }

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        return {
            "name": document["name"],
            "kind": document["kind"],
            "config": document.get("config", {}),
            "scopes": document.get("scopes", []),
            "weight": document.get("weight", 0.5),
            "allow": document.get("allow", []),
            "deny": document.get("deny", []),
            "has_provenance": document.get("provenance", True),
            "mcp_server_id": document["mcp_server_id"],
        }


class StyleQuerySet(AmcsQuerySet):
    def tempo_includes(self, bpm: int, prefix: str = "") -> StyleQuerySet:
        """Styles (or, with ``prefix="style__"``, songs) whose BPM range includes ``bpm``."""
        return self.filter(**{f"{prefix}bpm_min__lte": bpm, f"{prefix}bpm_max__gte": bpm})

    def mood_contains(self, moods: list[str], prefix: str = "") -> StyleQuerySet:
        return self.filter(**{f"{prefix}mood__contains": moods})

    def tags_contain(self, tags: list[str], prefix: str = "") -> StyleQuerySet:
        return self.filter(**{f"{prefix}tags_positive__contains": tags})


@pghistory.track()
class Style(AmcsModel):
    """A song's sound: genre, tempo, key, mood, energy, instrumentation and prompt tags, under a blueprint."""

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
    instrumentation = text_array(_("instrumentation"), _("At most three instruments."))
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
                condition=Q(instrumentation__len__lte=3),
                name="amcs_style_instrumentation_max3",
                violation_error_message=_("A style lists at most three instruments."),
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
        ]
        verbose_name = _("style")
        verbose_name_plural = _("styles")

    def __str__(self) -> str:
        return self.name

    DOCUMENT_FIELDS = {
        "genre_detail/primary": "genre",
        "genre_detail/subgenres": "sub_genres",
        "genre_detail/fusions": "fusions",
        "genre_detail": "genre",
        "tempo_bpm": "bpm_min",
        "time_signature": "time_signature",
        "key/primary": "key",
        "key/modulations": "modulations",
        "key": "key",
        "mood": "mood",
        "energy": "energy",
        "instrumentation": "instrumentation",
        "vocal_profile": "vocal_profile",
        "tags": "tags_positive",
        "negative_tags": "tags_negative",
    }

    def clean(self):
        document = self.to_document()
        blueprint = self.blueprint.to_document() if self.blueprint_id else None
        errors = document_errors("style", document, rules.style_errors, blueprint=blueprint)
        tenant_errors = check_same_tenant(self, blueprint=self.blueprint if self.blueprint_id else None)
        if tenant_errors:
            raise ValidationError(tenant_errors)
        raise_document_errors(errors, self.DOCUMENT_FIELDS)

    def to_document(self) -> dict:
        """The style as ``style.schema.json`` describes it; the tempo is always a [min, max] pair."""
        document = {
            "genre_detail": {
                "primary": self.genre,
                "subgenres": list(self.sub_genres or []),
                "fusions": list(self.fusions or []),
            },
            "tempo_bpm": [self.bpm_min, self.bpm_max],
            "time_signature": self.time_signature,
            "key": {"primary": self.key, "modulations": list(self.modulations or [])},
            "mood": list(self.mood or []),
            "instrumentation": list(self.instrumentation or []),
            "tags": list(self.tags_positive or []),
            "negative_tags": list(self.tags_negative or []),
        }
        if None in document["tempo_bpm"]:
            del document["tempo_bpm"]
        if self.energy:
            document["energy"] = self.energy
        if self.vocal_profile:
            document["vocal_profile"] = self.vocal_profile
        return document

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        tempo = rules.tempo_range(document["tempo_bpm"])
        return {
            "genre": document["genre_detail"]["primary"],
            "sub_genres": document["genre_detail"].get("subgenres", []),
            "fusions": document["genre_detail"].get("fusions", []),
            "bpm_min": tempo[0],
            "bpm_max": tempo[1],
            "time_signature": document.get("time_signature", "4/4"),
            "key": document["key"]["primary"],
            "modulations": document["key"].get("modulations", []),
            "mood": document["mood"],
            "energy": document.get("energy", ""),
            "instrumentation": document.get("instrumentation", []),
            "vocal_profile": document.get("vocal_profile", ""),
            "tags_positive": document["tags"],
            "tags_negative": document.get("negative_tags", []),
        }


class SongQuerySet(StyleQuerySet):
    """Songs; the style filters apply through the song's style (``prefix="style__"``)."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Mark the songs deleted with their lyrics, producer notes and runs, all at the same instant (so a restore
        brings back exactly those); a few statements whatever the number of songs."""
        now = timezone.now()
        with transaction.atomic():
            ids = list(self.alive().values_list("pk", flat=True))
            for model in (Lyrics, ProducerNotes, WorkflowRun):
                model.objects.filter(song__in=ids).update(deleted_at=now, updated_at=now)
            count = self.model.all_objects.filter(pk__in=ids).update(deleted_at=now, updated_at=now)
        return count, {self.model._meta.label: count}

    delete.queryset_only = True

    def restore(self) -> int:
        """Bring back deleted songs and the children that were deleted with them (not those deleted earlier)."""
        dead = self.dead()
        with transaction.atomic():
            for model in (Lyrics, ProducerNotes, WorkflowRun):
                model.all_objects.filter(song__in=dead, deleted_at=F("song__deleted_at")).update(deleted_at=None)
            return dead.update(deleted_at=None, updated_at=timezone.now())

    def with_sds_parts(self) -> SongQuerySet:
        """Everything an SDS is assembled from, in a constant number of queries (song, lyrics, notes, sources)."""
        return self.select_related("blueprint", "style", "persona").prefetch_related(
            models.Prefetch("lyrics", queryset=Lyrics.objects.order_by("created_at")),
            models.Prefetch("producer_notes", queryset=ProducerNotes.objects.order_by("created_at")),
            models.Prefetch("sources", queryset=Source.objects.order_by("name", "id")),
        )


@pghistory.track()
class Song(AmcsModel):
    """A song being designed: its blueprint, style, persona, sources, prompt controls, render target and seed.

    Its lyrics and producer notes are children; deleting a song deletes them and its runs.
    """

    title = models.CharField(max_length=500, verbose_name=_("title"))
    sds_version = models.CharField(
        max_length=20,
        default=SDS_VERSION,
        validators=[validate_semver],
        verbose_name=_("SDS version"),
    )
    global_seed = models.BigIntegerField(
        default=0,
        validators=[MinValueValidator(0)],
        verbose_name=_("global seed"),
        help_text=_("Seed of deterministic generation; node N of a run uses seed + N."),
    )
    blueprint = models.ForeignKey(
        Blueprint, on_delete=models.PROTECT, related_name="songs", verbose_name=_("blueprint")
    )
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="songs", verbose_name=_("style"))
    persona = models.ForeignKey(
        Persona,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="songs",
        verbose_name=_("persona"),
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="songs", verbose_name=_("sources"))
    status = models.CharField(
        max_length=20,
        choices=SongStatus.choices,
        default=SongStatus.DRAFT,
        db_index=True,
        verbose_name=_("status"),
    )
    feature_flags = models.JSONField(default=dict, blank=True, verbose_name=_("feature flags"))
    positive_tags = text_array(_("prompt positive tags"))
    negative_tags = text_array(_("prompt negative tags"))
    max_style_chars = models.PositiveIntegerField(
        default=1000, validators=[MinValueValidator(1), MaxValueValidator(5000)], verbose_name=_("max style chars")
    )
    max_prompt_chars = models.PositiveIntegerField(
        default=5000, validators=[MinValueValidator(1), MaxValueValidator(10000)], verbose_name=_("max prompt chars")
    )
    render_engine = models.CharField(
        max_length=20,
        choices=SongRenderEngine.choices,
        default=SongRenderEngine.NONE,
        verbose_name=_("render engine"),
    )
    render_model = models.CharField(max_length=100, blank=True, default="", verbose_name=_("render model"))
    render_num_variations = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(8)], verbose_name=_("render variations")
    )
    target_duration_sec = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        verbose_name=_("target duration (s)"),
        help_text=_("Producer notes' section durations must add up to this within 30 s."),
    )

    objects = SoftDeleteManager.from_queryset(SongQuerySet)()
    all_objects = models.Manager.from_queryset(SongQuerySet)()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(global_seed__gte=0),
                name="amcs_song_seed_nonnegative",
                violation_error_message=_("The seed is a non-negative integer."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SongStatus.values),
                name="amcs_song_status_valid",
                violation_error_message=_("Unknown song status."),
            ),
            models.CheckConstraint(
                condition=Q(render_engine__in=SongRenderEngine.values),
                name="amcs_song_render_engine_valid",
                violation_error_message=_("Unknown render engine."),
            ),
            models.CheckConstraint(
                condition=Q(render_num_variations__gte=1, render_num_variations__lte=8),
                name="amcs_song_num_variations_range",
                violation_error_message=_("A render makes 1 to 8 variations."),
            ),
            models.CheckConstraint(
                condition=Q(max_style_chars__gte=1, max_style_chars__lte=5000)
                & Q(max_prompt_chars__gte=1, max_prompt_chars__lte=10000),
                name="amcs_song_prompt_limits_range",
                violation_error_message=_("Style limits are 1-5000 characters, prompt limits 1-10000."),
            ),
            models.CheckConstraint(
                condition=Q(target_duration_sec__isnull=True) | Q(target_duration_sec__gt=0),
                name="amcs_song_target_duration_positive",
                violation_error_message=_("A target duration is positive."),
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="amcs_song_created_idx")]
        verbose_name = _("song")
        verbose_name_plural = _("songs")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors: dict[str, list[str]] = {
            field: [message] for field, message in json_shape_errors(self, feature_flags=dict).items()
        }
        for _pointer, message in rules.tag_overlap_errors(self.positive_tags or [], self.negative_tags or [], "/"):
            errors.setdefault("negative_tags", []).append(message)
        related = {
            "blueprint": self.blueprint if self.blueprint_id else None,
            "style": self.style if self.style_id else None,
            "persona": self.persona if self.persona_id else None,
        }
        for field, message in check_same_tenant(self, **related).items():
            errors.setdefault(field, []).append(message)
        if self.style_id and self.blueprint_id and self.style.blueprint_id not in (None, self.blueprint_id):
            errors.setdefault("style", []).append(_("The style follows another blueprint than the song."))
        if self.style_id and self.blueprint_id and not check_same_tenant(self, **related):
            errors = self.clean_style_and_lyrics_against_blueprint(errors)
        if self.target_duration_sec and not self._state.adding:
            for notes in self.producer_notes.all():
                for _pointer, message in rules.producer_notes_errors(
                    notes.to_document(), target_duration_sec=self.target_duration_sec
                ):
                    if _pointer == "/section_meta":
                        errors.setdefault("target_duration_sec", []).append(message)
        if errors:
            raise ValidationError(errors)

    def clean_style_and_lyrics_against_blueprint(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """The song's blueprint rules its style (tempo range, conflicting tags) and its lyrics' required sections,
        also when the style follows no blueprint or the song moves to another blueprint."""
        blueprint = self.blueprint.to_document()
        style = self.style.to_document()
        own = rules.style_errors(style)
        for pointer, message in rules.style_errors(style, blueprint=blueprint):
            if (pointer, message) not in own:
                errors.setdefault("style", []).append(message)
        if not self._state.adding:
            for lyrics in self.lyrics.all():
                document = lyrics.to_document()
                own = rules.lyrics_errors(document, sections=lyrics.sections)
                for pointer, message in rules.lyrics_errors(document, blueprint=blueprint, sections=lyrics.sections):
                    if pointer == "/section_order" and (pointer, message) not in own:
                        errors.setdefault("blueprint", []).append(message)
        return errors

    def delete(self, using=None, keep_parents=False):
        """Mark the song deleted with its lyrics, producer notes and runs (``SongQuerySet.delete``)."""
        type(self).all_objects.filter(pk=self.pk).delete()
        self.refresh_from_db(fields=["deleted_at", "updated_at"])
        return 1, {self._meta.label: 1}

    def restore(self) -> None:
        """Bring back the song and the children that were deleted with it (``SongQuerySet.restore``)."""
        type(self).all_objects.filter(pk=self.pk).restore()
        self.refresh_from_db(fields=["deleted_at", "updated_at"])


class SongPart(AmcsModel):
    """Abstract base of a song's one-per-song children (lyrics, producer notes)."""

    class Meta:
        abstract = True

    def clean_song(self) -> dict:
        if not self.song_id:
            return {}
        if self.tenant_id and self.song.tenant_id != self.tenant_id:
            return {"song": [_("This song belongs to another tenant.")]}
        return {}


@pghistory.track()
class Lyrics(SongPart):
    """A song's lyric constraints (language, point of view, rhyme, meter, hooks, section order) and its text."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="lyrics", verbose_name=_("song"))
    language = models.CharField(max_length=2, default="en", validators=[validate_language], verbose_name=_("language"))
    pov = models.CharField(max_length=10, choices=LyricsPov.choices, blank=True, default="", verbose_name=_("POV"))
    tense = models.CharField(
        max_length=10, choices=LyricsTense.choices, blank=True, default="", verbose_name=_("tense")
    )
    themes = text_array(_("themes"), max_length=200)
    rhyme_scheme = models.CharField(max_length=50, blank=True, default="", verbose_name=_("rhyme scheme"))
    meter = models.CharField(max_length=50, blank=True, default="", verbose_name=_("meter"))
    syllables_per_line = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(SYLLABLES_MIN), MaxValueValidator(SYLLABLES_MAX)],
        verbose_name=_("syllables per line"),
    )
    hook_strategy = models.CharField(
        max_length=20,
        choices=LyricsHookStrategy.choices,
        blank=True,
        default="",
        verbose_name=_("hook strategy"),
    )
    repetition_policy = models.CharField(
        max_length=20,
        choices=LyricsRepetitionPolicy.choices,
        blank=True,
        default="",
        verbose_name=_("repetition policy"),
    )
    repetition_rules = models.JSONField(default=dict, blank=True, verbose_name=_("repetition rules"))
    imagery_density = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        verbose_name=_("imagery density"),
        help_text=_("0 (plain) to 1 (dense), as in the SDS."),
    )
    reading_level = models.CharField(max_length=50, blank=True, default="", verbose_name=_("reading level"))
    section_order = text_array(_("section order"), _("The song's sections in order; at least one chorus."), 50)
    sections = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("sections"),
        help_text=_('The written lyrics: [{"type": "Verse", "lines": ["..."], "rhyme_scheme": "AABB"}].'),
    )
    is_explicit_allowed = models.BooleanField(default=False, verbose_name=_("explicit allowed"))
    max_lines = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("max lines"))
    section_requirements = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("section requirements"),
        help_text=_('Per section: {"min_lines", "max_lines", "must_end_with_hook"}.'),
    )
    source_citations = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("source citations"),
        help_text=_('[{"source_id", "chunk_hash", "weight"}]; weights sum to at most 1.'),
    )

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["song"],
                condition=ALIVE,
                name="amcs_lyrics_song_unique",
                violation_error_message=_("This song already has lyrics."),
            ),
            models.CheckConstraint(
                condition=Q(syllables_per_line__isnull=True)
                | Q(syllables_per_line__gte=SYLLABLES_MIN, syllables_per_line__lte=SYLLABLES_MAX),
                name="amcs_lyrics_syllables_range",
                violation_error_message=_("Syllables per line lie between 4 and 16."),
            ),
            models.CheckConstraint(
                condition=Q(imagery_density__isnull=True) | Q(imagery_density__gte=0, imagery_density__lte=1),
                name="amcs_lyrics_imagery_density_range",
                violation_error_message=_("Imagery density lies between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(section_order__len__gte=1),
                name="amcs_lyrics_section_order_nonempty",
                violation_error_message=_("The section order needs at least one section."),
            ),
            models.CheckConstraint(
                condition=Q(max_lines__isnull=True) | Q(max_lines__gte=1),
                name="amcs_lyrics_max_lines_positive",
                violation_error_message=_("Max lines is at least 1."),
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="amcs_lyrics_created_idx")]
        verbose_name = _("lyrics")
        verbose_name_plural = _("lyrics")

    def __str__(self) -> str:
        return f"Lyrics of {self.song}" if self.song_id else "Lyrics"

    DOCUMENT_FIELDS = {
        "language": "language",
        "pov": "pov",
        "tense": "tense",
        "themes": "themes",
        "rhyme_scheme": "rhyme_scheme",
        "meter": "meter",
        "syllables_per_line": "syllables_per_line",
        "hook_strategy": "hook_strategy",
        "repetition_policy": "repetition_policy",
        "imagery_density": "imagery_density",
        "reading_level": "reading_level",
        "section_order": "section_order",
        "constraints/explicit": "is_explicit_allowed",
        "constraints/max_lines": "max_lines",
        "constraints/section_requirements": "section_requirements",
        "constraints": "section_requirements",
        "source_citations": "source_citations",
        "sections": "sections",
    }

    def clean(self):
        tenant_errors = self.clean_song()
        if tenant_errors:
            raise ValidationError(tenant_errors)
        shape_errors = json_shape_errors(
            self, sections=list, repetition_rules=dict, section_requirements=dict, source_citations=list
        )
        if not shape_errors and not all(
            isinstance(section, dict)
            and isinstance(section.get("type"), str)
            and isinstance(section.get("lines", []), list)
            and all(isinstance(line, str) for line in section.get("lines", []))
            for section in self.sections
        ):
            shape_errors["sections"] = _('Each section is {"type": "<name>", "lines": ["<text>", ...]}.')
        if shape_errors:
            raise ValidationError(shape_errors)
        document = self.to_document()
        blueprint = self.song.blueprint.to_document() if self.song_id else None
        raise_document_errors(
            document_errors("lyrics", document, rules.lyrics_errors, blueprint=blueprint, sections=self.sections),
            self.DOCUMENT_FIELDS,
        )

    def to_document(self) -> dict:
        """The lyrics as ``lyrics.schema.json`` describes them (unset optional values left out)."""
        constraints: dict = {"explicit": self.is_explicit_allowed}
        if self.max_lines is not None:
            constraints["max_lines"] = self.max_lines
        if self.section_requirements:
            constraints["section_requirements"] = self.section_requirements
        document = {
            "language": self.language,
            "themes": list(self.themes or []),
            "section_order": list(self.section_order or []),
            "constraints": constraints,
            "source_citations": self.source_citations if self.source_citations is not None else [],
        }
        for key in ("pov", "tense", "rhyme_scheme", "meter", "hook_strategy", "repetition_policy", "reading_level"):
            if getattr(self, key):
                document[key] = getattr(self, key)
        for key in ("syllables_per_line", "imagery_density"):
            if getattr(self, key) is not None:
                document[key] = getattr(self, key)
        return document

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        constraints = document.get("constraints", {})
        return {
            "language": document.get("language", "en"),
            "pov": document.get("pov", ""),
            "tense": document.get("tense", ""),
            "themes": document.get("themes", []),
            "rhyme_scheme": document.get("rhyme_scheme", ""),
            "meter": document.get("meter", ""),
            "syllables_per_line": document.get("syllables_per_line"),
            "hook_strategy": document.get("hook_strategy", ""),
            "repetition_policy": document.get("repetition_policy", ""),
            "imagery_density": document.get("imagery_density"),
            "reading_level": document.get("reading_level", ""),
            "section_order": document["section_order"],
            "is_explicit_allowed": constraints.get("explicit", False),
            "max_lines": constraints.get("max_lines"),
            "section_requirements": constraints.get("section_requirements", {}),
            "source_citations": document.get("source_citations", []),
        }


@pghistory.track()
class ProducerNotes(SongPart):
    """A producer's guidance for a song: structure, hooks, per-section tags and durations, instruments, mix."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="producer_notes", verbose_name=_("song"))
    structure = text_array(_("structure"), _("The sections in order; filled from the written structure if empty."), 50)
    structure_string = models.CharField(
        max_length=500,
        blank=True,
        default="",
        verbose_name=_("written structure"),
        help_text=_("As the SDS writes it, e.g. 'Intro–Verse–Chorus'; filled from the structure if empty."),
    )
    hook_count = models.PositiveSmallIntegerField(default=1, verbose_name=_("hooks"))
    section_tags = models.JSONField(
        default=dict, blank=True, verbose_name=_("section tags"), help_text=_('{"Chorus": ["anthemic"]}')
    )
    section_durations = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("section durations"),
        help_text=_('Seconds per section, e.g. {"Chorus": 25}; counted once per appearance in the structure.'),
    )
    instrumentation_hints = text_array(_("instrumentation hints"))
    mix_targets = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("mix targets"),
        help_text=_('{"lufs": -12.0, "space": "lush", "stereo_width": "narrow|normal|wide"}'),
    )
    arrangement_notes = models.TextField(blank=True, default="", verbose_name=_("arrangement notes"))

    objects = AmcsManager()
    all_objects = AllAmcsManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["song"],
                condition=ALIVE,
                name="amcs_producernotes_song_unique",
                violation_error_message=_("This song already has producer notes."),
            ),
            models.CheckConstraint(
                condition=Q(hook_count__gte=0),
                name="amcs_producernotes_hooks_nonnegative",
                violation_error_message=_("Hooks cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="amcs_producernotes_created_idx")]
        verbose_name = _("producer notes")
        verbose_name_plural = _("producer notes")

    def __str__(self) -> str:
        return f"Producer notes of {self.song}" if self.song_id else "Producer notes"

    DOCUMENT_FIELDS = {
        "structure": "structure_string",
        "hooks": "hook_count",
        "instrumentation": "instrumentation_hints",
        "section_meta": "section_durations",
        "mix": "mix_targets",
    }

    def save(self, *args, **kwargs):
        if not self.structure_string and self.structure:
            self.structure_string = "–".join(self.structure)
        if not self.structure and self.structure_string:
            self.structure = rules.split_structure(self.structure_string)
        super().save(*args, **kwargs)

    def clean(self):
        tenant_errors = self.clean_song()
        if tenant_errors:
            raise ValidationError(tenant_errors)
        errors = []
        shape_errors = json_shape_errors(self, section_tags=dict, section_durations=dict, mix_targets=dict)
        if shape_errors:
            raise ValidationError(shape_errors)
        if self.structure and self.structure_string:
            written = [rules.section_key(name) for name in rules.split_structure(self.structure_string)]
            if written != [rules.section_key(name) for name in self.structure]:
                errors.append(("/structure", "The written structure lists other sections than the structure."))
        document = self.to_document()
        target = self.song.target_duration_sec if self.song_id else None
        errors += document_errors("producer_notes", document, rules.producer_notes_errors, target_duration_sec=target)
        raise_document_errors(errors, self.DOCUMENT_FIELDS)

    def to_document(self) -> dict:
        """The notes as ``producer_notes.schema.json`` describes them: tags and durations merge into section_meta."""
        structure = self.structure_string or "–".join(self.structure or [])
        document: dict = {
            "structure": structure,
            "hooks": self.hook_count,
            "instrumentation": list(self.instrumentation_hints or []),
        }
        meta: dict = {}
        for section, tags in (self.section_tags or {}).items():
            meta.setdefault(section, {})["tags"] = tags
        for section, seconds in (self.section_durations or {}).items():
            meta.setdefault(section, {})["target_duration_sec"] = seconds
        if meta:
            document["section_meta"] = meta
        if self.mix_targets:
            document["mix"] = self.mix_targets
        return document

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        meta = document.get("section_meta", {})
        return {
            "structure_string": document["structure"],
            "structure": rules.split_structure(document["structure"]),
            "hook_count": document["hooks"],
            "instrumentation_hints": document.get("instrumentation", []),
            "section_tags": {name: value["tags"] for name, value in meta.items() if "tags" in value},
            "section_durations": {
                name: value["target_duration_sec"] for name, value in meta.items() if "target_duration_sec" in value
            },
            "mix_targets": document.get("mix", {}),
        }


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
        ]
        indexes = [models.Index(fields=["-created_at"], name="amcs_workflowrun_created_idx")]
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
        errors = json_shape_errors(self, node_outputs=dict, validation_scores=dict)
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

    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("run"))
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
        indexes = [models.Index(fields=["run", "sequence"], name="amcs_workflowevent_seq_idx")]
        triggers = [
            pgtrigger.Protect(name="amcs_workflowevent_append_only", operation=pgtrigger.Update),
        ]
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")

    def __str__(self) -> str:
        return f"{self.node} {self.phase} #{self.sequence}"

    def clean(self):
        errors = json_shape_errors(self, metrics=dict, issues=list)
        if self.run_id and self.tenant_id and self.run.tenant_id != self.tenant_id:
            errors["run"] = _("This run belongs to another tenant.")
        if errors:
            raise ValidationError(errors)
