"""Taste profiles, follows, pairwise compatibility and album recommendations."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from club.models.querysets import CompatibilityQuerySet, MemberRowQuerySet
from core.models import BaseModel

USER = settings.AUTH_USER_MODEL


# Taste and social ------------------------------------------------------------------------------


@pghistory.track()
class TasteProfile(BaseModel):
    """A member's taste over a scope of time, computed in SQL from their listens (see ``club.taste``)."""

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="taste_profiles", verbose_name=_("user"), db_index=False
    )
    scope = models.CharField(max_length=64, default="all_time", verbose_name=_("scope"))
    listen_count = models.PositiveIntegerField(default=0, verbose_name=_("listen count"))
    genre_histogram = models.JSONField(default=dict, blank=True, verbose_name=_("genre histogram"))
    feature_means = models.JSONField(default=dict, blank=True, verbose_name=_("feature means"))
    time_of_day_histogram = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("time-of-day histogram"),
        help_text=_("24 counts, one per UTC hour."),
    )
    top_artists = models.JSONField(default=list, blank=True, verbose_name=_("top artists"))
    last_computed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last computed at"))

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope"],
                name="club_tasteprofile_user_scope_unique",
                violation_error_message=_("This user already has a taste profile for this scope."),
            ),
        ]
        verbose_name = _("taste profile")
        verbose_name_plural = _("taste profiles")

    def __str__(self) -> str:
        return f"Taste of {self.user_id and self.user} ({self.scope})"


@pghistory.track()
class Follow(BaseModel):
    """A member following another member."""

    follower = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="following", verbose_name=_("follower"), db_index=False
    )
    followee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="followers", verbose_name=_("followee"))

    access_path = "follower"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "followee"],
                name="club_follow_pair_unique",
                violation_error_message=_("You already follow this member."),
            ),
            models.CheckConstraint(
                condition=~Q(follower=F("followee")),
                name="club_follow_not_self",
                violation_error_message=_("Members cannot follow themselves."),
            ),
        ]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self) -> str:
        return f"{self.follower_id and self.follower} follows {self.followee_id and self.followee}"


@pghistory.track()
class Compatibility(BaseModel):
    """How well two members' tastes match (0-100), stored once per unordered pair (``user_a`` < ``user_b``)."""

    user_a = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("user A"), db_index=False
    )
    user_b = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("user B"))
    score = models.FloatField(verbose_name=_("score"), help_text=_("0 (nothing in common) to 100."))
    details = models.JSONField(default=dict, blank=True, verbose_name=_("details"))
    computed_at = models.DateTimeField(default=timezone.now, verbose_name=_("computed at"))

    access_path = "user_a"

    objects = CompatibilityQuerySet.as_manager()

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_a", "user_b"],
                name="club_compatibility_pair_unique",
                violation_error_message=_("This pair already has a compatibility."),
            ),
            models.CheckConstraint(
                condition=Q(user_a__lt=F("user_b")),
                name="club_compatibility_pair_ordered",
                violation_error_message=_("A pair is stored once, with user A's id below user B's."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="club_compatibility_score_range",
                violation_error_message=_("A compatibility score is between 0 and 100."),
            ),
        ]
        verbose_name = _("compatibility")
        verbose_name_plural = _("compatibilities")

    def __str__(self) -> str:
        return f"{self.user_a_id} ~ {self.user_b_id}: {self.score:.0f}"


@pghistory.track()
class UserRecommendation(BaseModel):
    """An album recommended to a member, with a score and the reason in words."""

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("user"), db_index=False
    )
    album = models.ForeignKey(
        "catalog.Album",
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("album"),
    )
    score = models.FloatField(verbose_name=_("score"))
    reason = models.TextField(blank=True, default="", verbose_name=_("reason"))

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "album"],
                name="club_userrecommendation_unique",
                violation_error_message=_("This album is already recommended to this user."),
            ),
        ]
        indexes = [models.Index(fields=["user", "-score"], name="club_reco_user_score_idx")]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.album_id and self.album} for {self.user_id and self.user}"
