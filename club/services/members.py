"""Members' own settings and links: follows and linked accounts."""

from __future__ import annotations

from django.db import transaction

from club.models import Follow, LinkedAccount


@transaction.atomic
def follow_create(*, follower, followee) -> Follow:
    """``follower`` follows ``followee`` (once; never oneself)."""
    follow = Follow(follower=follower, followee=followee)
    follow.full_clean()
    follow.save()
    return follow


@transaction.atomic
def linked_account_save(*, account: LinkedAccount) -> LinkedAccount:
    """Validate and store a linked account (tokens are encrypted by the field)."""
    account.full_clean()
    account.save()
    return account
