"""The composition studio (AriaForge): compositions with MIDI and theory data, arrangements, tracks with
clips, lyrics with phoneme alignment, AI composition sessions and export jobs."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audio_vcs.choices import ExportFormat, ExportStatus, SessionStatus, TrackType
from audio_vcs.constants import EXPORT_TRANSITIONS, SESSION_TRANSITIONS
from audio_vcs.models.projects import Commit, Project, ProjectScopedQuerySet, lineage_ids
from audio_vcs.models.states import StatusMachineMixin, transition_trigger
from audio_vcs.schemas import schema_errors, timeline_problems
from audio_vcs.validators import validate_colour
from core.models import BaseModel, SoftDeleteManager, SoftDeleteModel, SoftDeleteQuerySet, trigram_index

USER = settings.AUTH_USER_MODEL


def _schema_check(errors: dict, field: str, schema: str, value) -> None:
    problems = schema_errors(schema, value)
    if problems:
        errors[field] = problems


def _commit_check(errors: dict, instance, field: str = "commit") -> None:
    commit = getattr(instance, field, None) if getattr(instance, f"{field}_id", None) else None
    if commit is not None and instance.project_id and commit.project_id != instance.project_id:
        if commit.project_id not in lineage_ids(instance.project):
            errors[field] = _("This commit belongs to another project.")


class CompositionQuerySet(SoftDeleteQuerySet, ProjectScopedQuerySet):
    pass


@pghistory.track()
class Composition(SoftDeleteModel, BaseModel):
    """An AI-assisted composition in a project: MIDI note data, audio analysis, music theory and the prompt."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="compositions", verbose_name=_("project"), db_index=False
    )
    commit = models.ForeignKey(
        Commit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compositions",
        verbose_name=_("commit"),
        help_text=_("The commit (version) this composition belongs to, if any."),
    )
    name = models.CharField(max_length=255, verbose_name=_("name"))
    midi_data = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("MIDI data"),
        help_text=_("{ticks_per_beat, tempo_map: [{beat, bpm}], time_signatures, key_signature, tracks: [{notes}]}"),
    )
    audio_metadata = models.JSONField(default=dict, blank=True, verbose_name=_("audio metadata"))
    theory_data = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("theory data"),
        help_text=_("{key, mode, tempo, meter: {numerator, denominator}, chords: [...]}"),
    )
    ai_prompt = models.TextField(blank=True, default="", verbose_name=_("AI prompt"))
    confidence_score = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        verbose_name=_("confidence"),
    )
    length_seconds = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(86_400)],
        verbose_name=_("length (s)"),
        help_text=_("Lyrics alignments must end inside it."),
    )

    access_path = "project"
    objects = SoftDeleteManager.from_queryset(CompositionQuerySet)()
    all_objects = models.Manager.from_queryset(CompositionQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence_score__isnull=True) | Q(confidence_score__gte=0, confidence_score__lte=1),
                name="audio_vcs_composition_confidence_range",
                violation_error_message=_("Confidence is between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(length_seconds__isnull=True) | Q(length_seconds__gte=0, length_seconds__lte=86_400),
                name="audio_vcs_composition_length_range",
                violation_error_message=_("A length is between 0 s and a day."),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "name"], name="audio_vcs_comp_proj_idx"),
            trigram_index("audio_vcs_comp_name_trgm", "name"),
            trigram_index("audio_vcs_comp_prompt_trgm", "ai_prompt"),
        ]
        verbose_name = _("composition")
        verbose_name_plural = _("compositions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        _schema_check(errors, "midi_data", "midi_data", self.midi_data)
        _schema_check(errors, "theory_data", "theory_data", self.theory_data)
        if not isinstance(self.audio_metadata, dict):
            errors["audio_metadata"] = _("Audio metadata is a JSON object.")
        _commit_check(errors, self)
        if errors:
            raise ValidationError(errors)


@pghistory.track()
class Arrangement(BaseModel):
    """A song structure for a composition: ordered, non-overlapping sections with a start bar and a length."""

    composition = models.ForeignKey(
        Composition,
        on_delete=models.CASCADE,
        related_name="arrangements",
        verbose_name=_("composition"),
        db_index=False,
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    sections = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("sections"),
        help_text=_('[{"name": "Verse", "start_bar": 1, "length_bars": 8}, ...] in order.'),
    )

    access_path = "composition__project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["composition", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["composition", "name"],
                name="audio_vcs_arrangement_unique",
                violation_error_message=_("This composition already has an arrangement with this name."),
            ),
        ]
        indexes = [
            trigram_index("audio_vcs_arr_name_trgm", "name"),
        ]
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = schema_errors("sections", self.sections)
        if not problems:
            next_free = 1
            for index, section in enumerate(self.sections):
                if section["start_bar"] < next_free:
                    problems.append(f"/{index}: starts at bar {section['start_bar']}, inside the previous section")
                next_free = section["start_bar"] + section["length_bars"]
        if problems:
            raise ValidationError({"sections": problems})

    @property
    def length_bars(self) -> int:
        return max((s["start_bar"] + s["length_bars"] - 1 for s in self.sections or []), default=0)


@pghistory.track()
class Track(BaseModel):
    """A track of a composition (AriaForge's API shape): instrument, mixer settings and clips of notes."""

    composition = models.ForeignKey(
        Composition, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("composition"), db_index=False
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    track_type = models.CharField(
        max_length=10,
        choices=TrackType.choices,
        default=TrackType.OTHER,
        verbose_name=_("type"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    program = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(127)],
        verbose_name=_("GM program"),
    )
    channel = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(15)],
        verbose_name=_("MIDI channel"),
        help_text=_("0-15; channel 9 is General MIDI percussion."),
    )
    colour = models.CharField(
        max_length=7,
        default="#4f46e5",
        validators=[validate_colour],
        verbose_name=_("colour"),
    )
    is_muted = models.BooleanField(default=False, verbose_name=_("muted"))
    is_solo = models.BooleanField(default=False, verbose_name=_("solo"))
    volume = models.FloatField(
        default=0.8,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        verbose_name=_("volume"),
    )
    pan = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
        verbose_name=_("pan"),
    )
    clips = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("clips"),
        help_text=_('[{"name", "type": "midi", "start_time", "end_time", "notes": [{pitch, start, duration}]}]'),
    )

    access_path = "composition__project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["composition", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(volume__gte=0, volume__lte=1),
                name="audio_vcs_track_volume_range",
                violation_error_message=_("Volume is between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(pan__gte=-1, pan__lte=1),
                name="audio_vcs_track_pan_range",
                violation_error_message=_("Pan is between -1 (left) and 1 (right)."),
            ),
            models.CheckConstraint(
                condition=Q(program__lte=127, channel__lte=15),
                name="audio_vcs_track_midi_range",
                violation_error_message=_("A GM program is 0-127 and a MIDI channel 0-15."),
            ),
            models.CheckConstraint(
                condition=Q(track_type__in=TrackType.values),
                name="audio_vcs_track_type_valid",
                violation_error_message=_("Unknown track type."),
            ),
        ]
        indexes = [
            models.Index(fields=["composition", "position"], name="audio_vcs_track_pos_idx"),
            trigram_index("audio_vcs_track_name_trgm", "name"),
        ]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = schema_errors("clips", self.clips)
        if not problems:
            for index, clip in enumerate(self.clips):
                if clip["end_time"] <= clip["start_time"]:
                    problems.append(f"/{index}: ends ({clip['end_time']}) before it starts ({clip['start_time']})")
        if problems:
            raise ValidationError({"clips": problems})


@pghistory.track()
class CompositionLyrics(BaseModel):
    """Lyrics of a composition with phoneme alignment (lines -> words -> phonemes, in seconds).

    Not AMCS lyrics, which are a song's lyric constraints and text: these are sung lyrics timed to audio.
    """

    composition = models.ForeignKey(
        Composition, on_delete=models.CASCADE, related_name="lyrics", verbose_name=_("composition"), db_index=False
    )
    language = models.CharField(max_length=35, default="en", verbose_name=_("language"))
    text = models.TextField(blank=True, default="", verbose_name=_("text"))
    alignment = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("phoneme alignment"),
        help_text=_('{"lines": [{text, start, end, words: [{text, start, end, phonemes: [{symbol, start, end}]}]}]}'),
    )

    access_path = "composition__project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["composition", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["composition", "language"],
                name="audio_vcs_compositionlyrics_unique",
                violation_error_message=_("This composition already has lyrics in this language."),
            ),
        ]
        indexes = [
            trigram_index("audio_vcs_lyrics_text_trgm", "text"),
        ]
        verbose_name = _("composition lyrics")
        verbose_name_plural = _("composition lyrics")

    def __str__(self) -> str:
        return f"{self.composition} ({self.language})"

    def clean(self) -> None:
        alignment = self.alignment if self.alignment != {} else {"lines": []}
        problems = schema_errors("alignment", alignment)
        if not problems:
            length = self.composition.length_seconds if self.composition_id else None
            problems = timeline_problems(alignment, length=length)
        if problems:
            raise ValidationError({"alignment": problems})


@pghistory.track()
class CompositionSession(StatusMachineMixin, BaseModel):
    """An AI composition request (prompt, style, mood, instruments) and its progress to a composition."""

    transitions = SESSION_TRANSITIONS
    initial_status = SessionStatus.QUEUED

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("project"),
    )
    requested_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audio_sessions",
        verbose_name=_("requested by"),
    )
    prompt = models.TextField(verbose_name=_("prompt"))
    style = models.CharField(max_length=100, blank=True, default="", verbose_name=_("style"))
    mood = models.CharField(max_length=100, blank=True, default="", verbose_name=_("mood"))
    instruments = models.JSONField(default=list, blank=True, verbose_name=_("instruments"))
    status = models.CharField(
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.QUEUED,
        db_index=True,
        verbose_name=_("status"),
    )
    progress = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        verbose_name=_("progress"),
    )
    composition = models.ForeignKey(
        Composition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("resulting composition"),
    )
    error = models.TextField(blank=True, default="", verbose_name=_("error"))

    access_path = "project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values),
                name="audio_vcs_session_status_valid",
                violation_error_message=_("Unknown session status."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=1),
                name="audio_vcs_session_progress_range",
                violation_error_message=_("Progress is between 0 and 1."),
            ),
        ]
        triggers = [transition_trigger("audio_vcs_session_status_moves", SESSION_TRANSITIONS)]
        indexes = [
            trigram_index("audio_vcs_session_prompt_trgm", "prompt"),
            trigram_index("audio_vcs_session_style_trgm", "style"),
            trigram_index("audio_vcs_session_mood_trgm", "mood"),
        ]
        verbose_name = _("composition session")
        verbose_name_plural = _("composition sessions")

    def __str__(self) -> str:
        return f"{self.prompt[:40]} ({self.status})"

    def clean(self) -> None:
        errors = self.status_errors()
        if not isinstance(self.instruments, list) or not all(
            isinstance(item, str) and 0 < len(item) <= 50 for item in self.instruments
        ):
            errors["instruments"] = _("Instruments are a list of names (1-50 characters).")
        if self.composition_id and self.project_id and self.composition.project_id != self.project_id:
            errors["composition"] = _("This composition belongs to another project.")
        if errors:
            raise ValidationError(errors)


def export_upload_to(instance: ExportJob, filename: str) -> str:
    return f"audio_vcs/exports/{instance.pk}/{filename}"


@pghistory.track()
class ExportJob(StatusMachineMixin, BaseModel):
    """A background export of a commit (audio mixdown, stems ZIP) or a composition (MIDI) to a file."""

    transitions = EXPORT_TRANSITIONS
    initial_status = ExportStatus.QUEUED

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exports", verbose_name=_("project"))
    commit = models.ForeignKey(
        Commit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("commit"),
    )
    composition = models.ForeignKey(
        Composition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("composition"),
    )
    branch_name = models.CharField(
        max_length=255,
        blank=True,
        default="",
        verbose_name=_("branch"),
        help_text=_("When the export was asked for a branch: its name (the head at that moment is the commit)."),
    )
    export_format = models.CharField(max_length=10, choices=ExportFormat.choices, verbose_name=_("format"))
    requested_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audio_exports",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        max_length=10,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
        db_index=True,
        verbose_name=_("status"),
    )
    progress = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        verbose_name=_("progress"),
    )
    file = models.FileField(upload_to=export_upload_to, max_length=255, blank=True, verbose_name=_("file"))
    file_size = models.BigIntegerField(null=True, blank=True, verbose_name=_("file size (bytes)"))
    checksum = models.CharField(max_length=64, blank=True, default="", verbose_name=_("SHA-256"))
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("expires at"))
    error = models.TextField(blank=True, default="", verbose_name=_("error"))
    attempts = models.PositiveSmallIntegerField(
        default=0,
        verbose_name=_("attempts"),
        help_text=_("How many times a worker started this job (a stopped worker's job is queued again)."),
    )

    access_path = "project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commit__isnull=False, composition__isnull=True)
                | Q(commit__isnull=True, composition__isnull=False),
                name="audio_vcs_exportjob_one_target",
                violation_error_message=_("An export is of a commit or of a composition."),
            ),
            models.CheckConstraint(
                condition=Q(export_format__in=ExportFormat.values),
                name="audio_vcs_exportjob_format_valid",
                violation_error_message=_("Unknown export format."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values),
                name="audio_vcs_exportjob_status_valid",
                violation_error_message=_("Unknown export status."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=1),
                name="audio_vcs_exportjob_progress_range",
                violation_error_message=_("Progress is between 0 and 1."),
            ),
        ]
        triggers = [transition_trigger("audio_vcs_exportjob_status_moves", EXPORT_TRANSITIONS)]
        indexes = [
            trigram_index("audio_vcs_export_branch_trgm", "branch_name"),
            trigram_index("audio_vcs_export_sum_trgm", "checksum"),
        ]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.get_export_format_display()} ({self.status})"

    def clean(self) -> None:
        errors = self.status_errors()
        if self.commit_id and self.composition_id:
            errors["composition"] = _("Export a commit or a composition, not both.")
        elif not self.commit_id and not self.composition_id:
            errors["commit"] = _("Name a commit, a branch or a composition to export.")
        if self.export_format == ExportFormat.MIDI and not self.composition_id:
            errors["export_format"] = _("A MIDI export is of a composition.")
        elif self.export_format and self.export_format != ExportFormat.MIDI and not self.commit_id:
            errors["export_format"] = _("Audio and stem exports are of a commit (or a branch's head).")
        _commit_check(errors, self)
        if self.composition_id and self.project_id and self.composition.project_id != self.project_id:
            errors["composition"] = _("This composition belongs to another project.")
        if errors:
            raise ValidationError(errors)
