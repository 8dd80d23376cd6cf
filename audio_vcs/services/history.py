"""Projects and their history: create, collaborators, stars, commit, log, diff, merge base, merge, fork and
branch moves. Callers pass the acting user as ``actor`` (commands may pass None to act as the system)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from audio_vcs import access
from audio_vcs.choices import CollaboratorRole, MergeChoice, RefMove, StemType
from audio_vcs.constants import (
    COMMIT_MESSAGE_MAX,
    LOG_DEFAULT_LIMIT,
    LOG_MAX_LIMIT,
    MAX_STEMS_PER_COMMIT,
    MIN_HASH_PREFIX,
)
from audio_vcs.hashing import commit_digest
from audio_vcs.models import (
    Blob,
    Branch,
    Collaborator,
    Commit,
    CommitParent,
    Project,
    RefLogEntry,
    Star,
    Stem,
    Tag,
    lineage_ids,
)
from audio_vcs.services.audio import blob_store, staging, upload_name
from audio_vcs.validators import ref_name_problem
from core.services import ConflictError, Refused

STALE_HEAD = "Branch '{branch}' is at {actual}, not at the expected {expected}: fetch and retry (non-fast-forward)."
BRANCH_EXISTS = "Branch '{branch}' already exists."
NO_SUCH_BRANCH = "This project has no branch '{branch}'."
NO_SUCH_COMMIT = "No commit '{ref}' in this project."
AMBIGUOUS_COMMIT = "'{ref}' matches several commits; give more of the hash."
NO_STEMS = "A commit needs at least one stem."
TOO_MANY_STEMS = "A commit holds at most {limit} stems."
DUPLICATE_STEM = "Two stems of type {stem_type} need different names (got '{name}' twice)."
UNKNOWN_STEM_TYPE = "'{value}' is not a stem type (drums, bass, vocals, melody, other)."
FOREIGN_PARENT = "Commit {ref} belongs to another project."
UNRELATED_HISTORIES = "Branches '{ours}' and '{theirs}' have no common ancestor: refusing to merge unrelated histories."
MERGE_CONFLICTS = "Both branches changed these stems; choose ours or theirs for each stem type."
SAME_BRANCH = "A branch cannot be merged into itself."
OWNER_STAYS = "The project's owner stays an owner collaborator."
BAD_RESOLUTION = "Resolutions map a stem type (or type:name) to 'ours' or 'theirs'."
NOT_YOUR_PROJECT = "You create projects in your own name; only superusers create one for someone else."
NOT_YOUR_STAR = "You star projects in your own name; only superusers star one for someone else."


class MergeConflict(ConflictError):
    """Both sides changed the same stems and no resolution was given; ``conflicts`` lists them (the API's 409
    carries them as ``conflicts`` and one error per stem, ``resolutions.<key>``)."""

    def __init__(self, conflicts: list[dict], message: str = MERGE_CONFLICTS):
        errors = [
            {"field": f"resolutions.{c['key']}", "message": "Changed on both sides.", "code": "merge_conflict"}
            for c in conflicts
        ]
        super().__init__(message, code="merge_conflict", errors=errors, extra={"conflicts": conflicts})
        self.conflicts = conflicts


def require(actor, project: Project, action: str) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` in ``project`` (None acts as the system)."""
    if actor is not None and not access.may(actor, project, action):
        raise PermissionDenied(access.not_allowed_message(action))


# Projects and collaborators


@transaction.atomic
def project_create(*, owner, name: str, actor=None, **fields) -> Project:
    """A new project owned by ``owner``, who becomes its owner collaborator. An ``actor`` other than a superuser
    creates projects for themselves only."""
    if actor is not None and not actor.is_superuser and actor.pk != owner.pk:
        raise Refused(NOT_YOUR_PROJECT, field="owner")
    project = Project(owner=owner, name=name, **fields)
    project.full_clean()
    project.save()
    Collaborator.objects.create(project=project, user=owner, role=CollaboratorRole.OWNER)
    return project


@transaction.atomic
def project_update(*, project: Project, actor, data: dict) -> Project:
    require(actor, project, "edit_project")
    for key, value in data.items():
        setattr(project, key, value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_delete(*, project: Project, actor) -> None:
    """Soft-delete the project (owners only); its history stays for the forks that point at it."""
    require(actor, project, "delete_project")
    project.delete()


@transaction.atomic
def collaborator_set(*, project: Project, actor, user, role: str) -> Collaborator:
    """Add ``user`` with ``role`` or change their role (owners only). Race-safe on the (project, user) key."""
    require(actor, project, "manage_collaborators")
    if user.pk == project.owner_id and role != CollaboratorRole.OWNER:
        raise ValidationError({"role": [OWNER_STAYS]})
    collaborator = Collaborator(project=project, user=user, role=role)
    collaborator.full_clean(validate_unique=False, validate_constraints=False)
    Collaborator.objects.bulk_create(
        [collaborator],
        update_conflicts=True,
        unique_fields=["project", "user"],
        update_fields=["role", "updated_at"],
    )
    return Collaborator.objects.get(project=project, user=user)


@transaction.atomic
def collaborator_remove(*, collaborator: Collaborator, actor) -> None:
    require(actor, collaborator.project, "manage_collaborators")
    if collaborator.user_id == collaborator.project.owner_id:
        raise ValidationError({"user": [OWNER_STAYS]})
    collaborator.delete()


def star_add(*, project: Project, user, actor=None) -> Star:
    """Star a project the user may see; starring twice keeps one star (race-safe). An ``actor`` other than a
    superuser stars in their own name only."""
    if actor is not None and not actor.is_superuser and actor.pk != user.pk:
        raise Refused(NOT_YOUR_STAR, field="user")
    require(user, project, "read")
    Star.objects.bulk_create([Star(project=project, user=user)], ignore_conflicts=True)
    return Star.objects.get(project=project, user=user)


# Resolving references


def commit_resolve(*, project: Project, ref, field_name: str = "commit") -> Commit:
    """A commit of the project's lineage by id or by (a prefix of at least 4 hex digits of) its hash."""
    text = str(ref or "").strip().lower()
    lineage = lineage_ids(project)
    commits = Commit.objects.filter(project_id__in=lineage)
    try:
        matches = list(commits.filter(pk=uuid.UUID(text))[:2])
    except ValueError:
        if len(text) < MIN_HASH_PREFIX or any(c not in "0123456789abcdef" for c in text) or len(text) > 64:
            matches = []
        else:
            matches = list(commits.filter(content_hash__startswith=text)[:2])
    if not matches:
        raise ValidationError({field_name: [NO_SUCH_COMMIT.format(ref=text[:70])]})
    if len(matches) > 1:
        raise ValidationError({field_name: [AMBIGUOUS_COMMIT.format(ref=text)]})
    return matches[0]


def branch_get(*, project: Project, name: str, field_name: str = "branch") -> Branch:
    branch = Branch.objects.filter(project=project, name=name).select_related("head").first()
    if branch is None:
        raise ValidationError({field_name: [NO_SUCH_BRANCH.format(branch=str(name)[:100])]})
    return branch


def _check_branch_name(name: str, field_name: str = "branch") -> None:
    problem = ref_name_problem(name)
    if problem is not None:
        raise ValidationError({field_name: [f"'{name[:100]}' is not a branch name git would accept: {problem}."]})


# Commits


@dataclass
class StemUpload:
    """One change of a commit's stems, by ``type`` and optional ``name``: a file uploaded with the commit
    (``file``), a blob the server already holds named by its hash (``sha256``), or the stem's removal
    (``remove``). Stems the change list does not name are inherited from the parent."""

    stem_type: str
    file: object = None
    name: str = ""
    generation_params: dict = field(default_factory=dict)
    sha256: str = ""
    remove: bool = False

    @property
    def key(self) -> str:
        return _stem_key(self.stem_type, self.name)


def stem_changes(*, files=(), references: dict | None = None) -> list[StemUpload]:
    """The change list of a commit from what a client sends: uploaded files by field name ``<type>`` or
    ``<type>:<name>`` (``files``: ``(field, file)`` pairs) and ``references``, a map of the same keys to a blob
    hash, or to null/empty to remove that stem."""
    changes = []
    for key, upload in files:
        stem_type, _, name = str(key).partition(":")
        changes.append(StemUpload(stem_type=stem_type, name=name, file=upload))
    for key, sha in (references or {}).items():
        stem_type, _, name = str(key).partition(":")
        if sha in (None, ""):
            changes.append(StemUpload(stem_type=stem_type, name=name, remove=True))
        else:
            changes.append(StemUpload(stem_type=stem_type, name=name, sha256=str(sha).strip().lower()))
    return changes


def commit_content_hash(commit: Commit, *, parent_hashes: list[str], stems: list[tuple[str, str, str]]) -> str:
    """The content hash of ``commit`` (its own columns) with these parents' hashes and (type, name, blob sha256)
    stems: ``audio_vcs.hashing.commit_digest``, which ``audio_fsck`` recomputes from the stored rows."""
    return commit_digest(
        parents=parent_hashes,
        stems=stems,
        message=commit.message,
        bpm=commit.bpm,
        key_signature=commit.key_signature,
        generation_params=commit.generation_params,
        author=commit.author_key,
        render=commit.render.sha256 if commit.render_id else None,
        committed_at=commit.created_at,
    )


def _stem_key(stem_type: str, name: str) -> str:
    return f"{stem_type}:{name}" if name else str(stem_type)


def _write_commit(
    *,
    project: Project,
    author,
    parents: list[Commit],
    stems: list[tuple[str, str, Blob, dict]],
    message: str,
    bpm=None,
    key_signature: str = "",
    generation_params: dict | None = None,
    render: Blob | None = None,
) -> Commit:
    """Insert a commit with its parent links and stems (``stems``: type, name, blob, params)."""
    commit = Commit(
        project=project,
        author=author,
        author_key=str(author.pk) if author is not None else "",
        message=message,
        bpm=bpm,
        key_signature=key_signature,
        generation_params=generation_params or {},
        render=render,
        created_at=timezone.now(),
    )
    commit.content_hash = commit_content_hash(
        commit,
        parent_hashes=[p.content_hash for p in parents],
        stems=[(t, n, b.sha256) for t, n, b, _ in stems],
    )
    commit.full_clean(exclude=["parents"])
    commit.save()
    CommitParent.objects.bulk_create(
        [CommitParent(commit=commit, parent=parent, position=index) for index, parent in enumerate(parents)]
    )
    Stem.objects.bulk_create(
        [
            Stem(commit=commit, stem_type=stem_type, name=name, blob=blob, generation_params=params)
            for stem_type, name, blob, params in stems
        ]
    )
    return commit


PROTECTED_NEEDS_MAINTAINER = "Branch '{branch}' is protected: only a maintainer moves its head."
PROTECTED_NOT_FAST_FORWARD = (
    "Branch '{branch}' is protected: its head only moves forward (to a descendant of {old}); the owner may force it."
)
FORCE_NEEDS_OWNER = "Only the project's owner forces a protected branch."
PROTECTED_NOT_DELETED = "Branch '{branch}' is protected: unprotect it before deleting it."


def is_ancestor(*, ancestor_id, descendant_id) -> bool:
    """Whether ``ancestor_id`` is ``descendant_id`` or one of its ancestors (one recursive query)."""
    if ancestor_id is None or ancestor_id == descendant_id:
        return True
    return Commit.objects.filter(id__in=RawSQL(_ANCESTRY, [str(descendant_id)]), pk=ancestor_id).exists()


def _check_protected(*, branch: Branch, actor, old_head_id, new_head: Commit, force: bool) -> bool:
    """The rule of a protected branch: a maintainer moves it, forward only, unless the owner forces it. Returns
    whether the move is a forced (non-fast-forward) one."""
    if not branch.is_protected:
        return False
    if actor is not None and not access.may(actor, branch.project, "branch"):
        raise PermissionDenied(PROTECTED_NEEDS_MAINTAINER.format(branch=branch.name))
    if is_ancestor(ancestor_id=old_head_id, descendant_id=new_head.pk):
        return False
    if not force:
        old = Commit.objects.filter(pk=old_head_id).values_list("content_hash", flat=True).first() or "?"
        raise ConflictError(PROTECTED_NOT_FAST_FORWARD.format(branch=branch.name, old=old[:8]), code="non_fast_forward")
    if actor is not None and access.role_of(actor, branch.project) != CollaboratorRole.OWNER:
        raise PermissionDenied(FORCE_NEEDS_OWNER)
    return True


def _advance(
    *,
    project: Project,
    branch_name: str,
    branch: Branch | None,
    old_head_id,
    new_head: Commit,
    actor=None,
    by=None,
    action: str = RefMove.COMMIT,
    force: bool = False,
) -> Branch:
    """Compare-and-swap the branch head from ``old_head_id`` to ``new_head`` (a concurrent move is a 409), after
    the protected-branch rule (``actor`` None acts as the system), and log the move (``by``: who, default actor)."""
    by = by if by is not None else actor
    if branch is None:
        try:
            with transaction.atomic():
                branch = Branch.objects.create(project=project, name=branch_name, head=new_head)
        except IntegrityError as error:
            raise ConflictError(BRANCH_EXISTS.format(branch=branch_name), code="branch_exists") from error
        RefLogEntry.objects.create(branch=branch, old_head=None, new_head=new_head, action=RefMove.CREATE, actor=by)
        return branch
    if _check_protected(branch=branch, actor=actor, old_head_id=old_head_id, new_head=new_head, force=force):
        action = RefMove.FORCE
    moved = Branch.objects.filter(pk=branch.pk, head_id=old_head_id).update(head=new_head, updated_at=timezone.now())
    if moved != 1:
        actual = Branch.objects.filter(pk=branch.pk).values_list("head__content_hash", flat=True).first() or "?"
        expected = Commit.objects.filter(pk=old_head_id).values_list("content_hash", flat=True).first() or "?"
        raise ConflictError(
            STALE_HEAD.format(branch=branch_name, actual=actual[:8], expected=expected[:8]), code="non_fast_forward"
        )
    RefLogEntry.objects.create(branch=branch, old_head_id=old_head_id, new_head=new_head, action=action, actor=by)
    branch.head = new_head
    return branch


def _expected_id(project: Project, expected_head):
    if expected_head in (None, ""):
        return None
    if isinstance(expected_head, Commit):
        return expected_head.pk
    return commit_resolve(project=project, ref=expected_head, field_name="expected_head").pk


NO_SUCH_BLOB = "No blob {sha} on this server: upload it first (PUT /api/audio-vcs/blobs/{sha}/)."
NOT_A_HASH = "'{value}' is not a SHA-256 (64 hex digits)."
NOTHING_TO_REMOVE = "The parent has no stem '{key}' to remove."


def _check_changes(stems: list[StemUpload]) -> None:
    if not stems:
        raise ValidationError({"stems": [NO_STEMS]})
    if len(stems) > MAX_STEMS_PER_COMMIT:
        raise ValidationError({"stems": [TOO_MANY_STEMS.format(limit=MAX_STEMS_PER_COMMIT)]})
    seen = set()
    for stem in stems:
        if stem.stem_type not in StemType.values:
            raise ValidationError({"stems": [UNKNOWN_STEM_TYPE.format(value=str(stem.stem_type)[:50])]})
        key = (stem.stem_type, stem.name)
        if key in seen:
            raise ValidationError({"stems": [DUPLICATE_STEM.format(stem_type=stem.stem_type, name=stem.name)]})
        seen.add(key)
        if stem.sha256 and (len(stem.sha256) != 64 or any(c not in "0123456789abcdef" for c in stem.sha256)):
            raise ValidationError({f"stems.{stem.key}": [NOT_A_HASH.format(value=stem.sha256[:70])]})


def _referenced_blobs(stems: list[StemUpload], reader) -> dict[str, Blob]:
    """The blobs named by hash, each one the reader may read (``Blob.visible_to``: used in a project they see,
    or uploaded by them); any other hash is refused exactly as one the server does not hold."""
    wanted = {stem.sha256 for stem in stems if stem.sha256}
    if not wanted:
        return {}
    blobs = Blob.objects.filter(sha256__in=wanted)
    if reader is not None:
        blobs = blobs.visible_to(reader)
    found = {blob.sha256: blob for blob in blobs}
    for stem in stems:
        if stem.sha256 and stem.sha256 not in found:
            raise ValidationError({f"stems.{stem.key}": [NO_SUCH_BLOB.format(sha=stem.sha256)]})
    return found


@transaction.atomic
def commit_create(
    *,
    project: Project,
    author,
    branch: str,
    stems: list[StemUpload],
    message: str = "",
    bpm: float | None = None,
    key_signature: str = "",
    generation_params: dict | None = None,
    render=None,
    expected_head=None,
    start_point=None,
    inherit: bool = True,
    actor=None,
) -> Commit:
    """Commit a change of stems to ``branch`` (default: the project's default branch) in one transaction.

    Like a git tree built from its parent, the commit holds the parent's stems (``inherit``, the default) with
    the listed changes applied: a stem added or replaced by an uploaded file or by the hash of a blob the
    server already holds (one the caller may not read is refused as if absent), or removed. Uploaded files are
    streamed to storage while hashed, decoded (a 400 names a file that is not audio) and stored once; their
    files move into place when the transaction commits and are deleted if it fails. The head moves by
    compare-and-swap (``expected_head``, when given, must be the head; a head moved meanwhile is a 409).

    A branch that does not exist yet starts at ``start_point`` (default: the default branch's head)."""
    require(actor, project, "commit")
    branch = branch or project.default_branch
    _check_branch_name(branch)
    _check_changes(stems)
    current = Branch.objects.filter(project=project, name=branch).select_related("head").first()
    expected_id = _expected_id(project, expected_head)
    if current is not None:
        if expected_id is not None and expected_id != current.head_id:
            raise ConflictError(
                STALE_HEAD.format(branch=branch, actual=current.head.short_hash, expected=str(expected_head)[:8]),
                code="non_fast_forward",
            )
        parents = [current.head]
    else:
        if expected_id is not None:
            raise ConflictError(
                STALE_HEAD.format(branch=branch, actual="(no branch)", expected=str(expected_head)[:8]),
                code="non_fast_forward",
            )
        if start_point not in (None, ""):
            start = start_point if isinstance(start_point, Commit) else None
            start = start or commit_resolve(project=project, ref=start_point, field_name="start_point")
            if start.project_id not in lineage_ids(project):
                raise ValidationError({"start_point": [FOREIGN_PARENT.format(ref=start.short_hash)]})
            parents = [start]
        else:
            default = Branch.objects.filter(project=project, name=project.default_branch).select_related("head")
            default = default.first()
            parents = [default.head] if default else []
    tree = {}
    if inherit and parents:
        tree = {
            stem.key: (stem.stem_type, stem.name, stem.blob, stem.generation_params)
            for stem in parents[0].stems.select_related("blob")
        }
    referenced = _referenced_blobs(stems, actor if actor is not None else author)
    uploader = actor if actor is not None else author
    with staging() as staged:
        for stem in stems:
            if stem.remove:
                if stem.key not in tree:
                    raise ValidationError({f"stems.{stem.key}": [NOTHING_TO_REMOVE.format(key=stem.key)]})
                del tree[stem.key]
                continue
            if stem.sha256:
                blob = referenced[stem.sha256]
            elif stem.file is not None:
                blob, _ = blob_store(source=stem.file, name=upload_name(stem.file), uploader=uploader, staged=staged)
            else:
                raise ValidationError({f"stems.{stem.key}": [NO_STEMS]})
            tree[stem.key] = (stem.stem_type, stem.name, blob, stem.generation_params or {})
        if not tree:
            raise ValidationError({"stems": [NO_STEMS]})
        if len(tree) > MAX_STEMS_PER_COMMIT:
            raise ValidationError({"stems": [TOO_MANY_STEMS.format(limit=MAX_STEMS_PER_COMMIT)]})
        render_blob = None
        if render is not None:
            render_blob, _ = blob_store(
                source=render, name=upload_name(render), field="render", uploader=uploader, staged=staged
            )
        commit = _write_commit(
            project=project,
            author=author,
            parents=parents,
            stems=[tree[key] for key in sorted(tree)],
            message=message,
            bpm=bpm,
            key_signature=key_signature,
            generation_params=generation_params,
            render=render_blob,
        )
        _advance(
            project=project,
            branch_name=branch,
            branch=current,
            old_head_id=current.head_id if current else None,
            new_head=commit,
            actor=actor,
            by=actor if actor is not None else author,
        )
    return commit


# Reading history

_ANCESTRY = """
WITH RECURSIVE ancestry(id) AS (
    SELECT %s::uuid
  UNION
    SELECT link.parent_id FROM ancestry JOIN audio_vcs_commitparent link ON link.commit_id = ancestry.id
) SELECT id FROM ancestry
"""
_FIRST_PARENT = """
WITH RECURSIVE ancestry(id, depth) AS (
    SELECT %s::uuid, 1
  UNION ALL
    SELECT link.parent_id, ancestry.depth + 1 FROM ancestry
    JOIN audio_vcs_commitparent link ON link.commit_id = ancestry.id AND link.position = 0
    WHERE ancestry.depth < %s
) SELECT id FROM ancestry
"""


#: What a log entry holds: the commit's own columns and the author's brief fields (no JSON, no render).
LOG_FIELDS = (
    "id",
    "content_hash",
    "message",
    "bpm",
    "key_signature",
    "created_at",
    "author_id",
    "author__username",
    "author__display_name",
    "author__handle",
)


def commit_log(*, head: Commit, limit: int | None = LOG_DEFAULT_LIMIT, first_parent: bool = False):
    """The ancestry of ``head``, newest first, in ONE query (a recursive CTE inside the WHERE clause): one dict
    per commit (``LOG_FIELDS`` and its ordered ``parent_id_list``). ``first_parent`` follows first parents only.
    Rows are read as values, not model instances: a 10,000-commit log is one query and no per-row objects."""
    limit = LOG_MAX_LIMIT if limit is None else max(1, min(int(limit), LOG_MAX_LIMIT))
    if first_parent:
        ids = RawSQL(_FIRST_PARENT, [str(head.pk), limit])
    else:
        ids = RawSQL(_ANCESTRY, [str(head.pk)])
    return (
        Commit.objects.filter(id__in=ids)
        .with_parent_ids()
        .order_by("-created_at", "-id")
        .values(*LOG_FIELDS, "parent_id_list")[:limit]
    )


def commit_log_walk(*, head: Commit, limit: int = LOG_MAX_LIMIT) -> list[dict]:
    """The same log walked one commit (one query) at a time: the baseline the bench compares with."""
    seen, queue, out = set(), [head.pk], []
    while queue and len(seen) < limit:
        pk = queue.pop()
        if pk in seen:
            continue
        row = Commit.objects.filter(pk=pk).with_parent_ids().values(*LOG_FIELDS, "parent_id_list").get()
        seen.add(pk)
        out.append(row)
        queue.extend(row["parent_id_list"])
    return sorted(out, key=lambda c: (c["created_at"], c["id"]), reverse=True)[:limit]


_MERGE_BASE = """
WITH RECURSIVE left_side(id) AS (
    SELECT %s::uuid
  UNION
    SELECT link.parent_id FROM left_side JOIN audio_vcs_commitparent link ON link.commit_id = left_side.id
), right_side(id) AS (
    SELECT %s::uuid
  UNION
    SELECT link.parent_id FROM right_side JOIN audio_vcs_commitparent link ON link.commit_id = right_side.id
), common(id) AS (
    SELECT id FROM left_side INTERSECT SELECT id FROM right_side
), below(id) AS (
    SELECT link.parent_id FROM audio_vcs_commitparent link WHERE link.commit_id IN (SELECT id FROM common)
  UNION
    SELECT link.parent_id FROM below JOIN audio_vcs_commitparent link ON link.commit_id = below.id
) SELECT id FROM common EXCEPT SELECT id FROM below
"""


def merge_base(*, a: Commit, b: Commit) -> Commit | None:
    """The best common ancestor of two commits (one not reachable from another common ancestor; the newest
    if there are several), or None for unrelated histories. One query."""
    ids = RawSQL(_MERGE_BASE, [str(a.pk), str(b.pk)])
    return Commit.objects.filter(id__in=ids).order_by("-created_at", "-id").first()


def _stem_map(commit: Commit) -> dict[str, Stem]:
    return {stem.key: stem for stem in commit.stems.select_related("blob")}


def commit_diff(*, old: Commit, new: Commit) -> dict:
    """Stems added, removed and changed (by blob hash) from ``old`` to ``new``, and metadata changes."""
    before, after = _stem_map(old), _stem_map(new)

    def describe(stem: Stem) -> dict:
        return {"key": stem.key, "stem_type": stem.stem_type, "name": stem.name, "sha256": stem.blob.sha256}

    changed = [
        {**describe(after[key]), "old_sha256": before[key].blob.sha256}
        for key in sorted(before.keys() & after.keys())
        if before[key].blob_id != after[key].blob_id
    ]
    metadata = {
        name: {"old": getattr(old, name), "new": getattr(new, name)}
        for name in ("bpm", "key_signature", "message")
        if getattr(old, name) != getattr(new, name)
    }
    return {
        "from": old.content_hash,
        "to": new.content_hash,
        "added": [describe(after[key]) for key in sorted(after.keys() - before.keys())],
        "removed": [describe(before[key]) for key in sorted(before.keys() - after.keys())],
        "changed": changed,
        "unchanged": sorted(key for key in before.keys() & after.keys() if before[key].blob_id == after[key].blob_id),
        "metadata": metadata,
    }


@dataclass
class MergeResult:
    commit: Commit
    fast_forward: bool = False
    up_to_date: bool = False


def _resolution(resolutions: dict, key: str, stem_type: str) -> str | None:
    choice = resolutions.get(key) or resolutions.get(stem_type)
    return str(choice) if choice else None


@transaction.atomic
def merge(
    *,
    project: Project,
    source: str,
    target: str,
    actor,
    resolutions: dict | None = None,
    message: str = "",
    expected_head=None,
    fast_forward: bool = True,
) -> MergeResult:
    """Merge branch ``source`` into ``target``: fast-forward when the target is an ancestor of the source,
    otherwise a commit with two parents whose stems are merged three ways against the merge base. A stem both
    sides changed needs a resolution (``{"drums": "ours"}``, or ``"type:name"``); without one the conflicts
    are listed (409). Unrelated histories are refused (400). The target moves by compare-and-swap."""
    require(actor, project, "merge")
    resolutions = resolutions or {}
    if not isinstance(resolutions, dict) or any(v not in MergeChoice.values for v in resolutions.values()):
        raise ValidationError({"resolutions": [BAD_RESOLUTION]})
    if source == target:
        raise ValidationError({"source": [SAME_BRANCH]})
    theirs_branch = branch_get(project=project, name=source, field_name="source")
    ours_branch = branch_get(project=project, name=target, field_name="target")
    ours, theirs = ours_branch.head, theirs_branch.head
    expected_id = _expected_id(project, expected_head)
    if expected_id is not None and expected_id != ours.pk:
        raise ConflictError(
            STALE_HEAD.format(branch=target, actual=ours.short_hash, expected=str(expected_head)[:8]),
            code="non_fast_forward",
        )
    base = merge_base(a=ours, b=theirs)
    if base is None:
        raise ValidationError({"source": [UNRELATED_HISTORIES.format(ours=target, theirs=source)]})
    if base.pk == theirs.pk:
        return MergeResult(commit=ours, up_to_date=True)
    if base.pk == ours.pk and fast_forward:
        _advance(
            project=project,
            branch_name=target,
            branch=ours_branch,
            old_head_id=ours.pk,
            new_head=theirs,
            actor=actor,
            action=RefMove.FAST_FORWARD,
        )
        return MergeResult(commit=theirs, fast_forward=True)
    base_stems, our_stems, their_stems = _stem_map(base), _stem_map(ours), _stem_map(theirs)
    merged, conflicts = {}, []
    for key in sorted(base_stems.keys() | our_stems.keys() | their_stems.keys()):
        b, o, t = (side.get(key) for side in (base_stems, our_stems, their_stems))
        b_id, o_id, t_id = (s.blob_id if s else None for s in (b, o, t))
        stem_type = (o or t or b).stem_type
        if o_id == t_id or t_id == b_id:
            chosen = o
        elif o_id == b_id:
            chosen = t
        else:
            choice = _resolution(resolutions, key, stem_type)
            if choice is None:
                conflicts.append(
                    {
                        "key": key,
                        "stem_type": stem_type,
                        "base": b.blob.sha256 if b else None,
                        "ours": o.blob.sha256 if o else None,
                        "theirs": t.blob.sha256 if t else None,
                    }
                )
                continue
            chosen = o if choice == MergeChoice.OURS else t
        if chosen is not None:
            merged[key] = chosen
    if conflicts:
        raise MergeConflict(conflicts)
    if not merged:
        raise ValidationError({"resolutions": [NO_STEMS]})

    def pick(name):
        o_value, t_value, b_value = getattr(ours, name), getattr(theirs, name), getattr(base, name)
        return t_value if o_value == b_value else o_value

    commit = _write_commit(
        project=project,
        author=actor,
        parents=[ours, theirs],
        stems=[(s.stem_type, s.name, s.blob, s.generation_params) for s in merged.values()],
        message=message or f"Merge branch '{source}' into {target}",
        bpm=pick("bpm"),
        key_signature=pick("key_signature"),
    )
    _advance(
        project=project,
        branch_name=target,
        branch=ours_branch,
        old_head_id=ours.pk,
        new_head=commit,
        actor=actor,
        action=RefMove.MERGE,
    )
    return MergeResult(commit=commit)


# Branches


@transaction.atomic
def branch_create(*, project: Project, actor, name: str, head: Commit) -> Branch:
    """A new branch at ``head`` (maintainers); a name taken meanwhile is a 409."""
    require(actor, project, "branch")
    _check_branch_name(name, "name")
    branch = Branch(project=project, name=name, head=head)
    branch.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            branch.save()
    except IntegrityError as error:
        raise ConflictError(BRANCH_EXISTS.format(branch=name), code="branch_exists") from error
    RefLogEntry.objects.create(branch=branch, old_head=None, new_head=head, action=RefMove.CREATE, actor=actor)
    return branch


@transaction.atomic
def branch_move(*, branch: Branch, actor, head: Commit, expected_head=None, force: bool = False) -> Branch:
    """Move a branch head (maintainers) by compare-and-swap: ``expected_head`` (default: the head as read now)
    must still be the head when the database writes, else a 409. A protected branch moves forward only, unless
    its owner passes ``force``. The move is logged (``branches/{id}/reflog/``)."""
    require(actor, branch.project, "branch")
    check = Branch(project=branch.project, name=branch.name, head=head)
    check.clean()
    expected_id = _expected_id(branch.project, expected_head) or branch.head_id
    forward = is_ancestor(ancestor_id=expected_id, descendant_id=head.pk)
    return _advance(
        project=branch.project,
        branch_name=branch.name,
        branch=branch,
        old_head_id=expected_id,
        new_head=head,
        actor=actor,
        action=RefMove.FAST_FORWARD if forward else RefMove.MOVE,
        force=force,
    )


@transaction.atomic
def branch_protect(*, branch: Branch, actor, is_protected: bool) -> Branch:
    """Mark a branch protected or not (maintainers)."""
    require(actor, branch.project, "edit_project")
    Branch.objects.filter(pk=branch.pk).update(is_protected=is_protected, updated_at=timezone.now())
    branch.is_protected = is_protected
    return branch


@transaction.atomic
def branch_delete(*, branch: Branch, actor) -> None:
    require(actor, branch.project, "branch")
    if branch.name == branch.project.default_branch:
        raise ValidationError({"name": ["The default branch cannot be deleted."]})
    if branch.is_protected:
        raise ValidationError({"name": [PROTECTED_NOT_DELETED.format(branch=branch.name)]})
    branch.delete()


# Tags

TAG_EXISTS = "Tag '{name}' already exists in this project; a tag never moves (delete it first, as a maintainer)."


def _check_ref_name(name: str, field_name: str, kind: str) -> None:
    problem = ref_name_problem(name)
    if problem is not None:
        raise ValidationError({field_name: [f"'{name[:100]}' is not a {kind} name git would accept: {problem}."]})


@transaction.atomic
def tag_create(*, project: Project, actor, name: str, commit, message: str = "") -> Tag:
    """Tag a commit of the project's lineage (contributors): ``commit`` is a Commit, a branch name, an id or a
    hash prefix; the tagger is the actor. A name taken (even meanwhile) is a 409; tags never move."""
    require(actor, project, "commit")
    _check_ref_name(name, "name", "tag")
    if not isinstance(commit, Commit):
        branch = Branch.objects.filter(project=project, name=str(commit or "")).select_related("head").first()
        commit = branch.head if branch else commit_resolve(project=project, ref=commit)
    elif commit.project_id not in lineage_ids(project):
        raise ValidationError({"commit": [FOREIGN_PARENT.format(ref=commit.short_hash)]})
    tag = Tag(project=project, name=name, commit=commit, message=message, tagger=actor)
    tag.full_clean(validate_constraints=False, validate_unique=False)
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError as error:
        raise ConflictError(TAG_EXISTS.format(name=name), code="tag_exists", field="name") from error
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag, actor) -> None:
    """Delete a tag (maintainers); nothing else ever changes one."""
    require(actor, tag.project, "branch")
    tag.delete()


# Revert and cherry-pick

NOTHING_TO_APPLY = "Nothing to {what}: branch '{branch}' already holds the result."
REVERT_CONFLICTS = "Later commits changed these stems too; choose ours (keep the branch's) or theirs for each."
PICK_CONFLICTS = "The branch changed these stems differently; choose ours (keep the branch's) or theirs for each."


def _apply_change(*, head: dict, before: dict, after: dict, resolutions: dict) -> tuple[dict, list[dict]]:
    """Apply the change ``before`` -> ``after`` (stem maps) to ``head``: a stem the change touched takes its
    ``after`` value where the head still has the ``before`` one; a head that already has the ``after`` value is
    left; any other head value is a conflict (unless ``resolutions`` says ours/theirs), as merge reports them."""
    tree = {key: (s.stem_type, s.name, s.blob, s.generation_params) for key, s in head.items()}
    conflicts = []

    def blob_of(stem):
        return stem.blob_id if stem is not None else None

    for key in sorted(before.keys() | after.keys()):
        b, a, h = before.get(key), after.get(key), head.get(key)
        if blob_of(b) == blob_of(a) or blob_of(h) == blob_of(a):
            continue
        if blob_of(h) != blob_of(b):
            choice = _resolution(resolutions, key, (a or b).stem_type)
            if choice is None:
                conflicts.append(
                    {
                        "key": key,
                        "stem_type": (a or b).stem_type,
                        "base": b.blob.sha256 if b else None,
                        "ours": h.blob.sha256 if h else None,
                        "theirs": a.blob.sha256 if a else None,
                    }
                )
                continue
            if choice == MergeChoice.OURS:
                continue
        if a is None:
            tree.pop(key, None)
        else:
            tree[key] = (a.stem_type, a.name, a.blob, a.generation_params)
    return tree, conflicts


def _replay(
    *, project: Project, actor, commit, branch: str, message: str, resolutions, expected_head, revert: bool
) -> Commit:
    require(actor, project, "commit")
    resolutions = resolutions or {}
    if not isinstance(resolutions, dict) or any(v not in MergeChoice.values for v in resolutions.values()):
        raise ValidationError({"resolutions": [BAD_RESOLUTION]})
    picked = commit if isinstance(commit, Commit) else commit_resolve(project=project, ref=commit)
    target = branch_get(project=project, name=branch or project.default_branch)
    expected_id = _expected_id(project, expected_head)
    if expected_id is not None and expected_id != target.head_id:
        raise ConflictError(
            STALE_HEAD.format(branch=target.name, actual=target.head.short_hash, expected=str(expected_head)[:8]),
            code="non_fast_forward",
        )
    parent = picked.parents.order_by("child_links__position").first()
    parent_stems = _stem_map(parent) if parent else {}
    picked_stems = _stem_map(picked)
    before, after = (picked_stems, parent_stems) if revert else (parent_stems, picked_stems)
    head_stems = _stem_map(target.head)
    tree, conflicts = _apply_change(head=head_stems, before=before, after=after, resolutions=resolutions)
    if conflicts:
        raise MergeConflict(conflicts, REVERT_CONFLICTS if revert else PICK_CONFLICTS)
    what = "revert" if revert else "cherry-pick"
    if {k: v[2].pk for k, v in tree.items()} == {k: s.blob_id for k, s in head_stems.items()}:
        raise ValidationError({"commit": [NOTHING_TO_APPLY.format(what=what, branch=target.name)]})
    if not tree:
        raise ValidationError({"commit": [NO_STEMS]})
    first_line = (picked.message or "").splitlines()[0] if picked.message else picked.short_hash
    if not message:
        message = (
            f'Revert "{first_line}"\n\nThis reverts commit {picked.content_hash}.'
            if revert
            else f"{picked.message}\n\n(cherry picked from commit {picked.content_hash})"
        )
    new = _write_commit(
        project=project,
        author=actor,
        parents=[target.head],
        stems=[tree[key] for key in sorted(tree)],
        message=message[:COMMIT_MESSAGE_MAX],
        bpm=target.head.bpm,
        key_signature=target.head.key_signature,
    )
    _advance(
        project=project,
        branch_name=target.name,
        branch=target,
        old_head_id=target.head_id,
        new_head=new,
        actor=actor,
        action=RefMove.REVERT if revert else RefMove.CHERRY_PICK,
    )
    return new


@transaction.atomic
def commit_revert(
    *, project: Project, actor, commit, branch: str = "", message: str = "", resolutions=None, expected_head=None
) -> Commit:
    """A new commit on ``branch`` whose stems, for the stems ``commit`` changed, are those of its (first) parent;
    a stem a later commit changed too is a conflict (409, listed as merge lists them) unless resolved."""
    return _replay(
        project=project,
        actor=actor,
        commit=commit,
        branch=branch,
        message=message,
        resolutions=resolutions,
        expected_head=expected_head,
        revert=True,
    )


@transaction.atomic
def commit_cherry_pick(
    *, project: Project, actor, commit, branch: str = "", message: str = "", resolutions=None, expected_head=None
) -> Commit:
    """A new commit on ``branch`` applying the change ``commit`` made to its (first) parent; a stem the branch
    changed differently is a conflict (409, listed as merge lists them) unless resolved."""
    return _replay(
        project=project,
        actor=actor,
        commit=commit,
        branch=branch,
        message=message,
        resolutions=resolutions,
        expected_head=expected_head,
        revert=False,
    )


# Forks


@transaction.atomic
def project_fork(*, project: Project, owner, name: str = "", is_public: bool | None = None) -> Project:
    """A new project of ``owner`` whose branches point at the same commits (no blob is copied), recording the
    source's default-branch head in ``forked_from``."""
    require(owner, project, "read")
    branches = list(Branch.objects.filter(project=project).select_related("head"))
    default = next((b for b in branches if b.name == project.default_branch), branches[0] if branches else None)
    fork = project_create(
        owner=owner,
        name=name or project.name,
        description=project.description,
        is_public=project.is_public if is_public is None else is_public,
        genre=project.genre,
        tempo=project.tempo,
        key_signature=project.key_signature,
        meter_numerator=project.meter_numerator,
        meter_denominator=project.meter_denominator,
        default_branch=project.default_branch,
        forked_from=default.head if default else None,
    )
    Branch.objects.bulk_create([Branch(project=fork, name=b.name, head_id=b.head_id) for b in branches])
    return fork


def projects_with_commit(commit: Commit):
    return Project.objects.filter(Q(pk=commit.project_id) | Q(branches__head=commit)).distinct()
