"""A member's accounts at outside services."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from club.choices import LinkedAccountProvider
from club.fields import EncryptedTokenField
from club.models.querysets import MemberRowQuerySet, PersonalRowQuerySet
from club.validators import validate_time_zone
from core.constraints import choice_check
from core.models import BaseModel, trigram_index

USER = settings.AUTH_USER_MODEL


# Accounts --------------------------------------------------------------------------------------


@pghistory.track(exclude=["access_token", "refresh_token"])
class LinkedAccount(BaseModel):
    """A member's account at an outside service (Discord, Spotify, Last.fm, ListenBrainz).

    Provider tokens are encrypted at rest (Fernet, keys from ``CLUB_TOKEN_KEYS``), kept out of the
    audit history, and never shown by the API or the admin.
    """

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="linked_accounts", verbose_name=_("user"))
    provider = models.CharField(max_length=20, choices=LinkedAccountProvider.choices, verbose_name=_("provider"))
    provider_user_id = models.CharField(
        max_length=255,
        verbose_name=_("provider user id"),
        help_text=_("The account's id or user name at the provider."),
    )
    display_name = models.CharField(max_length=255, blank=True, default="", verbose_name=_("display name"))
    access_token = EncryptedTokenField(  # noqa: DJ001 - the encrypted field stores an empty value as NULL
        null=True,
        blank=True,
        verbose_name=_("access token"),
    )
    refresh_token = EncryptedTokenField(  # noqa: DJ001 - the encrypted field stores an empty value as NULL
        null=True,
        blank=True,
        verbose_name=_("refresh token"),
    )
    token_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("token expires at"))

    access_path = "user"

    objects = PersonalRowQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "provider_user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_user_id"],
                name="club_linkedaccount_provider_user_unique",
                violation_error_message=_("This provider account is already linked."),
            ),
            choice_check("provider", LinkedAccountProvider),
        ]
        indexes = [
            trigram_index("club_linkedaccount_uid_trgm", "provider_user_id"),
            trigram_index("club_linkedaccount_name_trgm", "display_name"),
        ]
        verbose_name = _("linked account")
        verbose_name_plural = _("linked accounts")

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.display_name or self.provider_user_id}"

    @property
    def has_access_token(self) -> bool:
        return bool(self.access_token)


@pghistory.track()
class MemberSettings(BaseModel):
    """A member's own settings: the time zone their statistics are shown in (listening activity, the heatmap)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="club_settings", verbose_name=_("user"))
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        verbose_name=_("time zone"),
        help_text=_("An IANA time zone name, such as Europe/Paris."),
    )

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("member settings")
        verbose_name_plural = _("member settings")

    def __str__(self) -> str:
        return f"Settings of {self.user_id and self.user} ({self.time_zone})"
