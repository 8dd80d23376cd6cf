"""Songs and the parts each song owns: lyrics and producer notes."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amcs import documents, rules
from amcs.choices import (
    LyricsHookStrategy,
    LyricsPov,
    LyricsRepetitionPolicy,
    LyricsTense,
    SongRenderEngine,
    SongStatus,
)
from amcs.constants import SDS_VERSION, SYLLABLES_MAX, SYLLABLES_MIN
from amcs.models.base import (
    ALIVE,
    AllAmcsManager,
    AmcsManager,
    AmcsModel,
    DocumentModel,
    check_same_tenant,
    text_array,
)
from amcs.models.blueprints import Blueprint
from amcs.models.library import Persona, Source
from amcs.models.styles import Style, StyleQuerySet
from amcs.validators import validate_language, validate_semver
from core.constraints import choice_check
from core.models import SoftDeleteManager, trigram_index


class SongQuerySet(StyleQuerySet):
    """Songs; the style filters apply through the song's style (``prefix="style__"``).

    Deleting and restoring are core's (``SoftDeleteQuerySet``): the lyrics, producer notes, runs and composed prompts
    a song owns (``CASCADE``) go and come back with it, and what PROTECTs a song, or what it PROTECTs, is checked.
    """

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
    external_ref = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("external reference"),
        help_text=_("The id of the SDS this song was imported from (its root 'id'); exported again."),
    )
    document_form = models.JSONField(default=dict, blank=True, editable=False, verbose_name=_("document form"))
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
            choice_check("render_engine", SongRenderEngine),
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
        indexes = [
            trigram_index("amcs_song_title_trgm", "title"),
        ]
        verbose_name = _("song")
        verbose_name_plural = _("songs")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors: dict[str, list[str]] = {
            field: [message] for field, message in documents.json_shape_errors(self, feature_flags=dict).items()
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


class SongPart(DocumentModel, AmcsModel):
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

    DOCUMENT_KIND = "lyrics"

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
        verbose_name = _("lyrics")
        verbose_name_plural = _("lyrics")

    def __str__(self) -> str:
        return f"Lyrics of {self.song}" if self.song_id else "Lyrics"

    def clean(self):
        tenant_errors = self.clean_song()
        if tenant_errors:
            raise ValidationError(tenant_errors)
        shape_errors = documents.json_shape_errors(
            self,
            sections=list,
            repetition_rules=dict,
            section_requirements=dict,
            source_citations=list,
            extra_metadata=dict,
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
        self.check_document(**self.document_context())

    def document_context(self) -> dict:
        return {
            "blueprint": self.song.blueprint.to_document() if self.song_id else None,
            "sections": self.sections if isinstance(self.sections, list) else [],
        }

    def to_document(self) -> dict:
        """The lyrics as its document (``amcs.documents``)."""
        return documents.lyrics_to_document(self)

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        return documents.lyrics_fields(document)


@pghistory.track()
class ProducerNotes(SongPart):
    """A producer's guidance for a song: structure, hooks, per-section tags and durations, instruments, mix."""

    DOCUMENT_KIND = "producer_notes"

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
        indexes = [
            trigram_index("amcs_notes_structure_trgm", "structure_string"),
            trigram_index("amcs_notes_arrangement_trgm", "arrangement_notes"),
        ]
        verbose_name = _("producer notes")
        verbose_name_plural = _("producer notes")

    def __str__(self) -> str:
        return f"Producer notes of {self.song}" if self.song_id else "Producer notes"

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
        shape_errors = documents.json_shape_errors(
            self, section_tags=dict, section_durations=dict, mix_targets=dict, extra_metadata=dict
        )
        if shape_errors:
            raise ValidationError(shape_errors)
        if self.structure and self.structure_string:
            written = [rules.section_key(name) for name in rules.split_structure(self.structure_string)]
            if written != [rules.section_key(name) for name in self.structure]:
                errors.append(("/structure", "The written structure lists other sections than the structure."))
        self.check_document(extra_errors=errors, **self.document_context())

    def document_context(self) -> dict:
        """The song's target duration and its lyrics' section order (one query for the lyrics)."""
        if not self.song_id:
            return {}
        lyrics = self.song.lyrics.order_by("created_at").values_list("section_order", flat=True).first()
        return {"target_duration_sec": self.song.target_duration_sec, "section_order": lyrics}

    def to_document(self) -> dict:
        """The producer notes as its document (``amcs.documents``)."""
        return documents.producer_notes_to_document(self)

    @classmethod
    def fields_from_document(cls, document: dict) -> dict:
        return documents.producer_notes_fields(document)
