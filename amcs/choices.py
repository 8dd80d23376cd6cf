"""Enumerations of the AMCS app (values as the SDS 1.0 JSON schemas spell them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonaKind(models.TextChoices):
    ARTIST = "artist", _("Artist")
    BAND = "band", _("Band")


class SourceKind(models.TextChoices):
    FILE = "file", _("File")
    WEB = "web", _("Web")
    API = "api", _("API")


class StyleEnergy(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    ANTHEMIC = "anthemic", _("Anthemic")


class LyricsPov(models.TextChoices):
    FIRST = "1st", _("First person")
    SECOND = "2nd", _("Second person")
    THIRD = "3rd", _("Third person")


class LyricsTense(models.TextChoices):
    PAST = "past", _("Past")
    PRESENT = "present", _("Present")
    FUTURE = "future", _("Future")
    MIXED = "mixed", _("Mixed")


class LyricsHookStrategy(models.TextChoices):
    MELODIC = "melodic", _("Melodic")
    LYRICAL = "lyrical", _("Lyrical")
    CALL_RESPONSE = "call-response", _("Call and response")
    CHANT = "chant", _("Chant")


class LyricsRepetitionPolicy(models.TextChoices):
    SPARSE = "sparse", _("Sparse")
    MODERATE = "moderate", _("Moderate")
    HOOK_HEAVY = "hook-heavy", _("Hook-heavy")


class SongStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATED = "validated", _("Validated")
    RENDERING = "rendering", _("Rendering")
    RENDERED = "rendered", _("Rendered")
    FAILED = "failed", _("Failed")


class SongRenderEngine(models.TextChoices):
    SUNO = "suno", _("Suno")
    UDIO = "udio", _("Udio")
    NONE = "none", _("None")
    EXTERNAL = "external", _("External")


class WorkflowRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class WorkflowNode(models.TextChoices):
    """The nodes of the workflow graph, in order: a node's index is its position here."""

    PLAN = "PLAN", _("Plan")
    STYLE = "STYLE", _("Style")
    LYRICS = "LYRICS", _("Lyrics")
    PRODUCER = "PRODUCER", _("Producer")
    COMPOSE = "COMPOSE", _("Compose")
    VALIDATE = "VALIDATE", _("Validate")
    FIX = "FIX", _("Fix")
    RENDER = "RENDER", _("Render")
    REVIEW = "REVIEW", _("Review")


class WorkflowEventPhase(models.TextChoices):
    START = "start", _("Start")
    END = "end", _("End")
    FAIL = "fail", _("Fail")
    INFO = "info", _("Info")
