"""Members' own settings and links: follows and linked accounts."""

from __future__ import annotations

from django.db import transaction

from club.models import Follow, LinkedAccount, MemberSettings


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


@transaction.atomic
def member_settings_save(*, user, time_zone: str) -> MemberSettings:
    """Set ``user``'s own settings (created on first use; one row per member, race-safe on its unique user)."""
    settings, _created = MemberSettings.objects.select_for_update().get_or_create(user=user)
    settings.time_zone = time_zone
    settings.full_clean()
    settings.save()
    return settings
