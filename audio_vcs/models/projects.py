"""Projects and their history: BeatFlow's repositories and commits, AriaForge's projects and versions.

A commit is immutable: once written the database refuses any change of its content (triggers), and its
stems and parent links are append-only. Blobs hold audio once per SHA-256, whatever project commits it.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audio_vcs import access
from audio_vcs.choices import CollaboratorRole, StemType
from audio_vcs.constants import COMMIT_MESSAGE_MAX, MAX_PARENTS, SHORT_HASH_LENGTH
from audio_vcs.validators import validate_branch_name, validate_key_signature
from core.constraints import choice_check
from core.models import (
    BaseModel,
    GroupModel,
    GroupQuerySet,
    ScopedQuerySet,
    SoftDeleteManager,
    trigram_index,
)

USER = settings.AUTH_USER_MODEL


def _collaborations(user, roles=None):
    from audio_vcs.models import Collaborator

    rows = Collaborator.objects.filter(user=user)
    if roles is not None:
        rows = rows.filter(role__in=roles)
    return rows.values("project_id")


class ProjectQuerySet(GroupQuerySet):
    """Projects as core groups (their collaborators are the memberships), plus public projects readable by
    every signed-in user. ``with_action`` gives the projects where the user's role allows an action."""

    def visible_to(self, user) -> ProjectQuerySet:
        if not access.active(user):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(is_public=True) | Q(pk__in=_collaborations(user)))

    def with_action(self, user, action: str) -> ProjectQuerySet:
        role = access.ACTION_ROLES[action]
        if role == CollaboratorRole.VIEWER:
            return self.visible_to(user)
        if not access.active(user):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(pk__in=_collaborations(user, access.roles_at_least(role)))

    def writable_by(self, user) -> ProjectQuerySet:
        """Projects whose rows the user may write (contributors and up)."""
        return self.with_action(user, "commit")

    def managed_by(self, user) -> ProjectQuerySet:
        """Projects whose collaborators the user manages (owners)."""
        return self.with_action(user, "manage_collaborators")

    def editable_by(self, user) -> ProjectQuerySet:
        """Projects whose settings the user may change (maintainers and owners)."""
        return self.with_action(user, "edit_project")

    def with_counts(self) -> ProjectQuerySet:
        return self.annotate(
            star_count=models.Count("stars", distinct=True),
            commit_count=models.Count("commits", distinct=True),
        )


class ProjectScopedQuerySet(ScopedQuerySet):
    """Rows that belong to a project (``Model.access_path``): core's ``visible_to``/``editable_by``, and
    ``with_action`` for the rows of projects where the user's role allows an action."""

    def with_action(self, user, action: str) -> ProjectScopedQuerySet:
        projects = Project.objects.with_action(user, action)
        return self.filter(**{f"{self.model.access_path}__in": projects.values("pk")})


@pghistory.track()
class Project(GroupModel):
    """A music project under version control: BeatFlow's repository and AriaForge's project in one model.

    Its commits form a history (a DAG through ordered parent links); branches name heads of it. A fork is a
    project whose branches start at another project's commits, recorded in ``forked_from``.
    """

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="audio_projects", verbose_name=_("owner"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    description = models.TextField(blank=True, default="", verbose_name=_("description"))
    is_public = models.BooleanField(
        default=False,
        verbose_name=_("public"),
        help_text=_("Public projects are readable by every signed-in user; private ones by collaborators only."),
    )
    genre = models.CharField(max_length=100, blank=True, default="", db_index=True, verbose_name=_("genre"))
    tempo = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(400)],
        verbose_name=_("tempo (BPM)"),
    )
    key_signature = models.CharField(
        max_length=10,
        blank=True,
        default="",
        validators=[validate_key_signature],
        verbose_name=_("key"),
    )
    meter_numerator = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(64)],
        verbose_name=_("beats per bar"),
    )
    meter_denominator = models.PositiveSmallIntegerField(
        default=4,
        choices=[(n, str(n)) for n in (1, 2, 4, 8, 16, 32, 64)],
        verbose_name=_("beat unit"),
    )
    default_branch = models.CharField(
        max_length=255,
        default="main",
        validators=[validate_branch_name],
        verbose_name=_("default branch"),
    )
    forked_from = models.ForeignKey(
        "audio_vcs.Commit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forks",
        verbose_name=_("forked from"),
        help_text=_("The commit this project was forked at; kept while the fork exists."),
    )

    objects = SoftDeleteManager.from_queryset(ProjectQuerySet)()
    all_objects = models.Manager.from_queryset(ProjectQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                F("owner"),
                Lower("name"),
                condition=Q(deleted_at__isnull=True),
                name="audio_vcs_project_owner_name_unique",
                violation_error_message=_("You already have a project with this name."),
            ),
            models.CheckConstraint(
                condition=Q(tempo__isnull=True) | Q(tempo__gte=20, tempo__lte=400),
                name="audio_vcs_project_tempo_range",
                violation_error_message=_("Tempo is between 20 and 400 BPM."),
            ),
            models.CheckConstraint(
                condition=Q(meter_numerator__gte=1, meter_numerator__lte=64)
                & Q(meter_denominator__in=[1, 2, 4, 8, 16, 32, 64]),
                name="audio_vcs_project_meter_valid",
                violation_error_message=_("A meter is 1-64 beats of a power-of-two note value."),
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="audio_vcs_project_name_idx"),
            trigram_index("audio_vcs_project_name_trgm", "name"),
            trigram_index("audio_vcs_project_desc_trgm", "description"),
            trigram_index("audio_vcs_project_genre_trgm", "genre"),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = (self.name or "").strip()
        super().save(*args, **kwargs)


class CollaboratorQuerySet(ProjectScopedQuerySet):
    def editable_by(self, user) -> CollaboratorQuerySet:
        """Collaborators the user may add, change or remove: those of the projects they own."""
        return self.with_action(user, "manage_collaborators")


@pghistory.track()
class Collaborator(BaseModel):
    """A user's role in a project: owners manage collaborators and delete, maintainers move branches, merge
    and approve, contributors commit and comment, viewers read."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project"), db_index=False
    )
    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="audio_collaborations", verbose_name=_("user"), db_index=False
    )
    role = models.CharField(
        max_length=12,
        choices=CollaboratorRole.choices,
        default=CollaboratorRole.CONTRIBUTOR,
        verbose_name=_("role"),
    )

    access_path = "project"
    objects = CollaboratorQuerySet.as_manager()

    class Meta:
        ordering = ["project", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                name="audio_vcs_collaborator_unique",
                violation_error_message=_("This user already collaborates on this project."),
            ),
            choice_check("role", CollaboratorRole),
        ]
        indexes = [models.Index(fields=["user", "project"], name="audio_vcs_collab_user_idx")]
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")

    def __str__(self) -> str:
        return f"{self.user} on {self.project} ({self.role})"


class StarQuerySet(ProjectScopedQuerySet):
    def scope_filter(self, user, *, write: bool) -> Q:
        """A star is its user's own; besides them, only the project's collaborators see who starred it (a public
        project shows everyone its star count, not its stargazers)."""
        if write:
            return Q(user=user)
        return Q(user=user) | Q(project__in=_collaborations(user))


@pghistory.track()
class Star(BaseModel):
    """A user's star on a project (one per user and project)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stars", verbose_name=_("project"))
    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="audio_stars", verbose_name=_("user"), db_index=False
    )

    access_path = "project"
    objects = StarQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"],
                name="audio_vcs_star_unique",
                violation_error_message=_("You already starred this project."),
            ),
        ]
        verbose_name = _("star")
        verbose_name_plural = _("stars")

    def __str__(self) -> str:
        return f"{self.user} ★ {self.project}"


def blob_upload_to(instance: Blob, filename: str) -> str:
    return f"audio_vcs/blobs/{instance.sha256[:2]}/{instance.sha256}"


class BlobQuerySet(models.QuerySet):
    def visible_to(self, user) -> BlobQuerySet:
        """Blobs used by a stem or render of a project the user may see, and those the user uploaded."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        stems = Stem.objects.visible_to(user).values("blob_id")
        renders = Commit.objects.visible_to(user).filter(render__isnull=False).values("render_id")
        uploads = BlobUpload.objects.filter(user=user).values("blob_id")
        return self.filter(Q(id__in=stems) | Q(id__in=renders) | Q(id__in=uploads))

    def editable_by(self, user) -> BlobQuerySet:
        """Blobs are written by commits only; nobody changes one."""
        return self if access.active(user) and user.is_superuser else self.none()


@pghistory.track()
class Blob(BaseModel):
    """Audio stored once by the SHA-256 of its bytes, with what the file itself says about it.

    Committing the same file twice, in any project, stores it once; blobs are never changed.
    """

    sha256 = models.CharField(max_length=64, unique=True, verbose_name=_("SHA-256"))
    file = models.FileField(upload_to=blob_upload_to, max_length=255, verbose_name=_("file"))
    size = models.BigIntegerField(validators=[MinValueValidator(0)], verbose_name=_("size (bytes)"))
    media_type = models.CharField(max_length=100, verbose_name=_("media type"))
    audio_format = models.CharField(max_length=20, verbose_name=_("format"), help_text=_("e.g. WAV, FLAC, OGG."))
    duration = models.FloatField(validators=[MinValueValidator(0)], verbose_name=_("duration (s)"))
    sample_rate = models.PositiveIntegerField(verbose_name=_("sample rate (Hz)"))
    channels = models.PositiveSmallIntegerField(verbose_name=_("channels"))
    frames = models.BigIntegerField(validators=[MinValueValidator(0)], verbose_name=_("frames"))
    warning = models.CharField(
        max_length=500,
        blank=True,
        default="",
        verbose_name=_("warning"),
        help_text=_("What is wrong with the file though it decodes (e.g. a WAV header promising more frames)."),
    )

    objects = BlobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="audio_vcs_blob_sha256_hex",
                violation_error_message=_("A SHA-256 is 64 lowercase hex digits."),
            ),
            models.CheckConstraint(
                condition=Q(size__gte=0, duration__gte=0, frames__gte=0, sample_rate__gt=0, channels__gt=0),
                name="audio_vcs_blob_sizes_valid",
                violation_error_message=_("Sizes, durations and rates are positive."),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audio_vcs_blob_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__sha256__df=pgtrigger.F("new__sha256"))
                | pgtrigger.Q(old__size__df=pgtrigger.F("new__size"))
                | pgtrigger.Q(old__file__df=pgtrigger.F("new__file")),
            ),
        ]
        indexes = [
            trigram_index("audio_vcs_blob_sha256_trgm", "sha256"),
        ]
        verbose_name = _("blob")
        verbose_name_plural = _("blobs")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.audio_format}, {self.duration:.1f}s)"


class BlobUploadQuerySet(models.QuerySet):
    def visible_to(self, user) -> BlobUploadQuerySet:
        """A user sees their own uploads (superusers all)."""
        if not access.active(user):
            return self.none()
        return self if user.is_superuser else self.filter(user=user)

    def editable_by(self, user) -> BlobUploadQuerySet:
        return self.none()


@pghistory.track()
class BlobUpload(BaseModel):
    """That a user sent a blob's bytes to the server (``PUT blobs/{sha256}/``, or a commit's upload): they hold
    the content, so they may read the blob and commit it by hash before any commit of theirs uses it. One row
    per user and blob, written with ``ON CONFLICT DO NOTHING``."""

    blob = models.ForeignKey(Blob, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("blob"))
    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="audio_blob_uploads", verbose_name=_("user"), db_index=False
    )

    objects = BlobUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "blob"],
                name="audio_vcs_blobupload_unique",
                violation_error_message=_("This user already uploaded this blob."),
            ),
        ]
        verbose_name = _("blob upload")
        verbose_name_plural = _("blob uploads")

    def __str__(self) -> str:
        return f"{self.user} sent {(self.blob.sha256 or '')[:12]}"


class CommitQuerySet(ProjectScopedQuerySet):
    def with_parent_ids(self) -> CommitQuerySet:
        """Annotate ``parent_id_list``: the parents' ids in order, in the same query."""
        from django.contrib.postgres.expressions import ArraySubquery

        parents = CommitParent.objects.filter(commit=models.OuterRef("pk")).order_by("position").values("parent_id")
        return self.annotate(parent_id_list=ArraySubquery(parents))


#: The content columns of a commit; the database refuses to change any of them once written.
COMMIT_CONTENT_FIELDS = (
    "project",
    "message",
    "bpm",
    "key_signature",
    "generation_params",
    "render",
    "author_key",
    "content_hash",
)


def _changed(fields):
    condition = None
    for name in fields:
        column = name + "_id" if name in ("project", "render") else name
        clause = pgtrigger.Q(**{f"old__{column}__df": pgtrigger.F(f"new__{column}")})
        condition = clause if condition is None else condition | clause
    return condition


@pghistory.track()
class Commit(BaseModel):
    """A saved state of a project: BeatFlow's commit and AriaForge's version.

    Ordered parents (none for a root, one normally, two for a merge), the stems it holds, an optional
    mixed-down render and a content hash over stems, parents and metadata, shown as a short id like git's.
    Immutable once written (a trigger refuses changes); the author is kept as null when the user goes away.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="commits", verbose_name=_("project"), db_index=False
    )
    parents = models.ManyToManyField(
        "self",
        through="audio_vcs.CommitParent",
        through_fields=("commit", "parent"),
        symmetrical=False,
        related_name="children",
        blank=True,
        verbose_name=_("parents"),
    )
    author = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audio_commits",
        verbose_name=_("author"),
    )
    message = models.CharField(max_length=COMMIT_MESSAGE_MAX, blank=True, default="", verbose_name=_("message"))
    bpm = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(400)],
        verbose_name=_("BPM"),
    )
    key_signature = models.CharField(
        max_length=10,
        blank=True,
        default="",
        validators=[validate_key_signature],
        verbose_name=_("key signature"),
    )
    generation_params = models.JSONField(default=dict, blank=True, verbose_name=_("generation parameters"))
    render = models.ForeignKey(
        Blob,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rendered_commits",
        verbose_name=_("render"),
        help_text=_("The mixed-down audio of the commit, if one was uploaded."),
    )
    author_key = models.CharField(
        max_length=36,
        blank=True,
        default="",
        editable=False,
        verbose_name=_("author id"),
        help_text=_("The author's id as the content hash covers it; kept when the author's account goes away."),
    )
    content_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        verbose_name=_("content hash"),
        help_text=_(
            "SHA-256 over the content only: parents' hashes, stems' blob hashes and types, message, author id, "
            "metadata and commit time (audio_vcs.hashing)."
        ),
    )
    created_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        editable=False,
        verbose_name=_("created at"),
        help_text=_("The commit time; the content hash covers it."),
    )

    access_path = "project"
    objects = CommitQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bpm__isnull=True) | Q(bpm__gte=20, bpm__lte=400),
                name="audio_vcs_commit_bpm_range",
                violation_error_message=_("BPM is between 20 and 400."),
            ),
            models.CheckConstraint(
                condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"),
                name="audio_vcs_commit_hash_hex",
                violation_error_message=_("A content hash is 64 lowercase hex digits."),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="audio_vcs_commit_proj_idx"),
            trigram_index("audio_vcs_commit_message_trgm", "message"),
            trigram_index("audio_vcs_commit_hash_trgm", "content_hash"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audio_vcs_commit_immutable",
                operation=pgtrigger.Update,
                condition=_changed(COMMIT_CONTENT_FIELDS) | _changed(["created_at"]),
            ),
        ]
        verbose_name = _("commit")
        verbose_name_plural = _("commits")

    def __str__(self) -> str:
        first_line = (self.message or "").splitlines()[0] if self.message else ""
        return f"{self.short_hash} {first_line}".strip()

    @property
    def short_hash(self) -> str:
        return (self.content_hash or "")[:SHORT_HASH_LENGTH]


@pghistory.track()
class CommitParent(BaseModel):
    """One ordered parent link of a commit (position 0 is the first parent). Append-only."""

    commit = models.ForeignKey(
        Commit, on_delete=models.CASCADE, related_name="parent_links", verbose_name=_("commit"), db_index=False
    )
    parent = models.ForeignKey(
        Commit,
        on_delete=models.RESTRICT,
        related_name="child_links",
        verbose_name=_("parent"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    access_path = "commit__project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["commit", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["commit", "position"],
                name="audio_vcs_commitparent_position_unique",
                violation_error_message=_("This commit already has a parent at this position."),
            ),
            models.UniqueConstraint(
                fields=["commit", "parent"],
                name="audio_vcs_commitparent_unique",
                violation_error_message=_("A commit names each parent once."),
            ),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PARENTS),
                name="audio_vcs_commitparent_at_most_two",
                violation_error_message=_("A commit has at most two parents."),
            ),
            models.CheckConstraint(
                condition=~Q(commit=F("parent")),
                name="audio_vcs_commitparent_not_self",
                violation_error_message=_("A commit cannot be its own parent."),
            ),
        ]
        triggers = [pgtrigger.Protect(name="audio_vcs_commitparent_append_only", operation=pgtrigger.Update)]
        verbose_name = _("commit parent")
        verbose_name_plural = _("commit parents")

    def __str__(self) -> str:
        return f"{self.commit_id} -> {self.parent_id} (#{self.position})"


@pghistory.track()
class Stem(BaseModel):
    """A typed part of a commit (drums, bass, vocals, melody, other) pointing at its audio blob.

    A commit holds one stem per type and name; the name tells two stems of a type apart. Append-only.
    """

    commit = models.ForeignKey(
        Commit, on_delete=models.CASCADE, related_name="stems", verbose_name=_("commit"), db_index=False
    )
    stem_type = models.CharField(max_length=10, choices=StemType.choices, db_index=True, verbose_name=_("type"))
    name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        verbose_name=_("name"),
        help_text=_("Tells two stems of the same type apart (e.g. lead, harmony)."),
    )
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="stems", verbose_name=_("blob"))
    generation_params = models.JSONField(default=dict, blank=True, verbose_name=_("generation parameters"))

    access_path = "commit__project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["commit", "stem_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commit", "stem_type", "name"],
                name="audio_vcs_stem_unique",
                violation_error_message=_("This commit already has a stem of this type and name."),
            ),
            models.CheckConstraint(
                condition=Q(stem_type__in=StemType.values),
                name="audio_vcs_stem_type_valid",
                violation_error_message=_("A stem is drums, bass, vocals, melody or other."),
            ),
        ]
        triggers = [pgtrigger.Protect(name="audio_vcs_stem_append_only", operation=pgtrigger.Update)]
        indexes = [
            trigram_index("audio_vcs_stem_name_trgm", "name"),
        ]
        verbose_name = _("stem")
        verbose_name_plural = _("stems")

    def __str__(self) -> str:
        return f"{self.stem_type}{':' + self.name if self.name else ''} @ {self.commit_id}"

    @property
    def key(self) -> str:
        """How diff and merge match stems across commits: the type, and the name when there is one."""
        return f"{self.stem_type}:{self.name}" if self.name else str(self.stem_type)


@pghistory.track()
class Branch(BaseModel):
    """A named head of a project's history. Heads move by compare-and-swap (``services.branch_move``)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="branches", verbose_name=_("project"), db_index=False
    )
    name = models.CharField(max_length=255, validators=[validate_branch_name], verbose_name=_("name"))
    head = models.ForeignKey(Commit, on_delete=models.PROTECT, related_name="branch_heads", verbose_name=_("head"))
    is_protected = models.BooleanField(
        default=False,
        verbose_name=_("protected"),
        help_text=_(
            "A protected head moves only by a maintainer and only forward (fast-forward), unless the owner forces it."
        ),
    )

    access_path = "project"
    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="audio_vcs_branch_unique",
                violation_error_message=_("This project already has a branch with this name."),
            ),
        ]
        indexes = [
            trigram_index("audio_vcs_branch_name_trgm", "name"),
        ]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.project_id and self.head_id and self.head.project_id != self.project_id:
            if self.head.project_id not in lineage_ids(self.project):
                raise ValidationError({"head": _("This commit belongs to another project.")})


def lineage_ids(project: Project) -> list:
    """The project's id and those of the projects it was forked from, nearest first (commits may be shared)."""
    ids = [project.pk]
    source = project.forked_from
    while source is not None and source.project_id not in ids:
        ids.append(source.project_id)
        source = Project.all_objects.filter(pk=source.project_id).values_list("forked_from", flat=True).first()
        source = Commit.objects.filter(pk=source).only("project_id").first() if source else None
    return ids
