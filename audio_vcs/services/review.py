"""Approvals and comments: who may ask, decide, write and remove them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audio_vcs import access
from audio_vcs.choices import ApprovalStatus
from audio_vcs.models import Approval, Comment
from audio_vcs.services.history import require

REVIEWER_CANNOT_APPROVE = "The reviewer must be a maintainer or owner of this project."
ONLY_REVIEWER = "Only the reviewer decides on this request."
ONLY_AUTHOR = "Only its author changes a comment."
OWN_WORK = "Nobody reviews their own work: the reviewer is neither the requester nor the commit's author."


def _own_work(approval: Approval, user) -> bool:
    """Whether ``user`` put this item up for review or wrote the commit under review."""
    if user is None:
        return False
    if approval.requested_by_id == user.pk:
        return True
    return bool(approval.commit_id and approval.commit.author_id == user.pk)


@transaction.atomic
def approval_request(*, approval: Approval, actor) -> Approval:
    """Put a commit or composition up for review by a reviewer who may approve (maintainers and owners).
    A second open request for the same item and reviewer is refused (a 409 when two race)."""
    require(actor, approval.project, "request_review")
    if not access.may(approval.reviewer, approval.project, "approve"):
        raise ValidationError({"reviewer": [REVIEWER_CANNOT_APPROVE]})
    approval.requested_by = approval.requested_by or actor
    if _own_work(approval, approval.reviewer):
        raise ValidationError({"reviewer": [OWN_WORK]})
    approval.full_clean()
    approval.save()
    return approval


@transaction.atomic
def approval_decide(*, approval: Approval, actor, status: str, comment: str = "") -> Approval:
    """The reviewer approves, rejects or asks for changes (``constants.APPROVAL_TRANSITIONS``)."""
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if actor is not None and actor.pk != approval.reviewer_id and not actor.is_superuser:
        raise PermissionDenied(ONLY_REVIEWER)
    require(actor, approval.project, "approve")
    if status == ApprovalStatus.APPROVED and _own_work(approval, actor):
        raise PermissionDenied(OWN_WORK)
    approval.status = status
    if comment:
        approval.comment = comment
    approval.decided_at = timezone.now() if status != ApprovalStatus.PENDING else None
    approval.full_clean()
    approval.save()
    return approval


@transaction.atomic
def comment_create(*, comment: Comment, actor) -> Comment:
    require(actor, comment.project, "comment")
    comment.author = comment.author or actor
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, actor, data: dict) -> Comment:
    if actor is not None and actor.pk != comment.author_id and not actor.is_superuser:
        raise PermissionDenied(ONLY_AUTHOR)
    require(actor, comment.project, "comment")
    for key, value in data.items():
        setattr(comment, key, value)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor) -> None:
    """Authors remove their own comments; maintainers remove any (moderation)."""
    if actor is None or actor.pk != comment.author_id:
        require(actor, comment.project, "moderate")
    comment.delete()
