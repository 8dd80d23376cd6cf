"""Enumerations of the audio version control app (BeatFlow's stem types, AriaForge's statuses and roles)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CollaboratorRole(models.TextChoices):
    """What a collaborator may do in a project; each role includes the ones below it."""

    OWNER = "owner", _("Owner")
    MAINTAINER = "maintainer", _("Maintainer")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class StemType(models.TextChoices):
    DRUMS = "drums", _("Drums")
    BASS = "bass", _("Bass")
    VOCALS = "vocals", _("Vocals")
    MELODY = "melody", _("Melody")
    OTHER = "other", _("Other")


class TrackType(models.TextChoices):
    DRUMS = "drums", _("Drums")
    BASS = "bass", _("Bass")
    KEYS = "keys", _("Keys")
    LEAD = "lead", _("Lead")
    PAD = "pad", _("Pad")
    VOCALS = "vocals", _("Vocals")
    FX = "fx", _("FX")
    OTHER = "other", _("Other")


class SessionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class ExportFormat(models.TextChoices):
    WAV = "wav", _("WAV mixdown")
    FLAC = "flac", _("FLAC mixdown")
    MP3 = "mp3", _("MP3 mixdown")
    MIDI = "midi", _("MIDI file")
    STEMS_ZIP = "stems_zip", _("ZIP of stems")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class MergeChoice(models.TextChoices):
    OURS = "ours", _("Ours (the target branch)")
    THEIRS = "theirs", _("Theirs (the merged branch)")


class RefMove(models.TextChoices):
    """Why a branch head moved (a ref log entry)."""

    CREATE = "create", _("Created")
    COMMIT = "commit", _("Commit")
    MERGE = "merge", _("Merge")
    FAST_FORWARD = "fast_forward", _("Fast-forward")
    REVERT = "revert", _("Revert")
    CHERRY_PICK = "cherry_pick", _("Cherry-pick")
    MOVE = "move", _("Moved")
    FORCE = "force", _("Forced move")
