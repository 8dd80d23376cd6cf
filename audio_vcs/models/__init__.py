"""Models of the audio version control app: project history (projects, commits, stems, blobs, branches), the
composition studio and collaboration (approvals, comments)."""

from audio_vcs.models.projects import (
    Blob,
    BlobUpload,
    Branch,
    Collaborator,
    Commit,
    CommitParent,
    Project,
    Star,
    Stem,
    lineage_ids,
)
from audio_vcs.models.refs import RefLogEntry, Tag
from audio_vcs.models.review import Approval, Comment
from audio_vcs.models.studio import (
    Arrangement,
    Composition,
    CompositionLyrics,
    CompositionSession,
    ExportJob,
    Track,
)

__all__ = [
    "Approval",
    "Arrangement",
    "Blob",
    "BlobUpload",
    "Branch",
    "Collaborator",
    "Comment",
    "Commit",
    "CommitParent",
    "Composition",
    "CompositionLyrics",
    "CompositionSession",
    "ExportJob",
    "Project",
    "RefLogEntry",
    "Star",
    "Stem",
    "Tag",
    "Track",
    "lineage_ids",
]
