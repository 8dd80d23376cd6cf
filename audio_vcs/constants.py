"""Limits and the allowed status transitions of the audio version control app (the one list of each)."""

from audio_vcs.choices import ApprovalStatus, CollaboratorRole, ExportFormat, ExportStatus, SessionStatus

#: Roles from the least to the most powerful; a role may do what every role before it may.
ROLE_ORDER = (
    CollaboratorRole.VIEWER,
    CollaboratorRole.CONTRIBUTOR,
    CollaboratorRole.MAINTAINER,
    CollaboratorRole.OWNER,
)

#: The allowed status moves of every status machine of the app. Model ``clean()``, the services and the
#: database triggers (generated from these tables) all read them from here.
SESSION_TRANSITIONS = {
    SessionStatus.QUEUED: {SessionStatus.RUNNING, SessionStatus.CANCELLED, SessionStatus.FAILED},
    SessionStatus.RUNNING: {SessionStatus.COMPLETED, SessionStatus.FAILED, SessionStatus.CANCELLED},
    SessionStatus.COMPLETED: set(),
    SessionStatus.FAILED: set(),
    SessionStatus.CANCELLED: set(),
}
EXPORT_TRANSITIONS = {
    ExportStatus.QUEUED: {ExportStatus.RUNNING, ExportStatus.FAILED},
    ExportStatus.RUNNING: {ExportStatus.COMPLETED, ExportStatus.FAILED, ExportStatus.QUEUED},  # queued: retried
    ExportStatus.COMPLETED: set(),
    ExportStatus.FAILED: set(),
}
APPROVAL_TRANSITIONS = {
    ApprovalStatus.PENDING: {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.CHANGES_REQUESTED},
    ApprovalStatus.APPROVED: set(),
    ApprovalStatus.REJECTED: set(),
    ApprovalStatus.CHANGES_REQUESTED: set(),
}

MAX_PARENTS = 2
COMMIT_MESSAGE_MAX = 500
SHORT_HASH_LENGTH = 8
MIN_HASH_PREFIX = 4
LOG_DEFAULT_LIMIT = 100
LOG_MAX_LIMIT = 10_000
MAX_STEMS_PER_COMMIT = 32
MAX_STEM_BYTES = 200 * 1024 * 1024
MAX_MIDI_BYTES = 5 * 1024 * 1024
EXPORT_TTL_HOURS = 72
AUDIO_EXPORT_FORMATS = (ExportFormat.WAV, ExportFormat.FLAC, ExportFormat.MP3, ExportFormat.STEMS_ZIP)
MIX_SAMPLE_RATE = 44_100
#: Files and unreferenced blobs younger than this are left alone by the garbage collection (an upload waiting
#: for its commit, a staged file whose transaction is still open).
GC_GRACE_HOURS = 24
#: An export job whose worker wrote no progress for this long is taken as stopped: queued again, at most
#: ``EXPORT_MAX_ATTEMPTS`` runs in all, then failed with the reason (``services.exports_sweep_stalled``).
EXPORT_HEARTBEAT_TIMEOUT_MINUTES = 15
EXPORT_MAX_ATTEMPTS = 3
