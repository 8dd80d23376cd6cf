"""Clubs and their weeks: memberships, nominations, ranked votes and ratings."""

from __future__ import annotations

import datetime

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from club.choices import VoteRank, WeekPhase
from club.constants import RATING_VALUES
from club.models.querysets import ClubRowQuerySet
from club.validators import validate_rating_value
from core.choices import MembershipRole
from core.constraints import choice_check
from core.models import BaseModel, GroupModel, MembershipQuerySet, ScopedQuerySet, trigram_index

USER = settings.AUTH_USER_MODEL


# Club ------------------------------------------------------------------------------------------


@pghistory.track()
class Club(GroupModel):
    """A private album club: its members see its weeks, nominations, votes and ratings, and each other's
    listening (``shares_member_data``). Built like core's tenants: roles owner, admin, member, viewer."""

    shares_member_data = True

    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))

    class Meta:
        ordering = ["name"]
        indexes = [trigram_index("club_club_name_trgm", "name"), trigram_index("club_club_slug_trgm", "slug")]
        verbose_name = _("club")
        verbose_name_plural = _("clubs")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class ClubMembership(BaseModel):
    """A user's role in a club: owners manage members, admins and members take part, viewers only read."""

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="club_memberships", verbose_name=_("user"), db_index=False
    )
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("club"))
    role = models.CharField(
        max_length=16,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
        verbose_name=_("role"),
    )

    access_path = "club"

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["club__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "club"],
                name="club_clubmembership_user_club_unique",
                violation_error_message=_("This user is already a member of this club."),
            ),
            choice_check("role", MembershipRole),
        ]
        verbose_name = _("club membership")
        verbose_name_plural = _("club memberships")

    def __str__(self) -> str:
        return f"{self.user_id and self.user} in {self.club_id and self.club} ({self.role})"


class WeekQuerySet(ScopedQuerySet):
    def with_counts(self) -> WeekQuerySet:
        return self.annotate(
            nomination_count=models.Count("nominations", distinct=True),
            rating_count=models.Count("ratings", distinct=True),
        )


@pghistory.track()
class Week(BaseModel):
    """One club session, e.g. "WEEK 003 [2025-11-24]": its deadlines, its winner and its Discord threads.

    The phase follows the dates: nominations until ``nominations_close_at``, the poll until
    ``poll_close_at``, then the winner is announced, and ratings open at ``discussion_at``.
    """

    club = models.ForeignKey(  # NULL only in the column: the constraint below requires it (old audit rows lack it)
        Club, on_delete=models.CASCADE, null=True, related_name="weeks", verbose_name=_("club"), db_index=False
    )
    label = models.CharField(max_length=255, verbose_name=_("label"), help_text=_('e.g. "WEEK 003 [2025-11-24]".'))
    week_number = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        verbose_name=_("week number"),
        help_text=_("Unique within the club."),
    )
    nominations_close_at = models.DateTimeField(verbose_name=_("nominations close at"))
    poll_close_at = models.DateTimeField(verbose_name=_("poll closes at"))
    discussion_at = models.DateTimeField(
        verbose_name=_("discussion at"),
        help_text=_("When the album is discussed; ratings open then."),
    )
    winner_album = models.ForeignKey(
        "catalog.Album",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="won_weeks",
        verbose_name=_("winner album"),
        help_text=_("Set when the poll is closed (from the tally), or by hand as an override."),
    )
    is_self_vote_allowed = models.BooleanField(
        default=False,
        verbose_name=_("self votes allowed"),
        help_text=_("Whether members may vote for their own nomination."),
    )
    nominations_thread_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("nominations thread id"))
    poll_thread_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("poll thread id"))
    winner_thread_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("winner thread id"))
    ratings_thread_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("ratings thread id"))

    access_path = "club"

    objects = WeekQuerySet.as_manager()

    class Meta:
        ordering = ["-week_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(club__isnull=False),
                name="club_week_has_club",
                violation_error_message=_("A week belongs to a club."),
            ),
            models.UniqueConstraint(
                fields=["club", "week_number"],
                name="club_week_number_unique_per_club",
                violation_error_message=_("This club already has a week with this number."),
            ),
            models.CheckConstraint(
                condition=Q(poll_close_at__gte=F("nominations_close_at")) & Q(discussion_at__gte=F("poll_close_at")),
                name="club_week_dates_in_order",
                violation_error_message=_(
                    "Dates must be in order: nominations close, then the poll closes, then the discussion."
                ),
            ),
            models.CheckConstraint(
                condition=Q(week_number__gte=1),
                name="club_week_number_positive",
                violation_error_message=_("Week numbers start at 1."),
            ),
        ]
        indexes = [
            models.Index(fields=["-week_number"], name="club_week_number_idx"),
            trigram_index("club_week_label_trgm", "label"),
        ]
        verbose_name = _("week")
        verbose_name_plural = _("weeks")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors = {}
        if self.nominations_close_at and self.poll_close_at and self.poll_close_at < self.nominations_close_at:
            errors["poll_close_at"] = _("The poll cannot close before nominations close.")
        if self.poll_close_at and self.discussion_at and self.discussion_at < self.poll_close_at:
            errors["discussion_at"] = _("The discussion cannot be before the poll closes.")
        if errors:
            raise ValidationError(errors)

    def phase_at(self, moment: datetime.datetime | None = None) -> WeekPhase:
        """The phase of the week at ``moment`` (now by default)."""
        moment = moment or timezone.now()
        if moment < self.nominations_close_at:
            return WeekPhase.NOMINATIONS
        if moment < self.poll_close_at:
            return WeekPhase.POLL
        if moment < self.discussion_at:
            return WeekPhase.WINNER
        return WeekPhase.RATINGS

    @property
    def phase(self) -> WeekPhase:
        return self.phase_at()


@pghistory.track()
class Nomination(BaseModel):
    """An album a member puts forward for a week, with a pitch and tags."""

    week = models.ForeignKey(
        Week, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("week"), db_index=False
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("nominated by"))
    album = models.ForeignKey(
        "catalog.Album",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("album"),
    )
    pitch = models.TextField(blank=True, default="", verbose_name=_("pitch"))
    pitch_track_url = models.URLField(max_length=500, blank=True, default="", verbose_name=_("pitch track URL"))
    genre = models.CharField(max_length=64, blank=True, default="", verbose_name=_("genre"))
    decade = models.CharField(max_length=16, blank=True, default="", verbose_name=_("decade"))
    country = models.CharField(max_length=64, blank=True, default="", verbose_name=_("country"))

    access_path = "week__club"

    objects = ClubRowQuerySet.as_manager()

    class Meta:
        ordering = ["week_id", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "user"],
                name="club_nomination_one_per_user_week",
                violation_error_message=_("You have already nominated an album this week."),
            ),
            models.UniqueConstraint(
                fields=["week", "album"],
                name="club_nomination_album_once_per_week",
                violation_error_message=_("This album is already nominated this week."),
            ),
        ]
        indexes = [
            models.Index(fields=["week", "created_at"], name="club_nomination_order_idx"),
            trigram_index("club_nomination_pitch_trgm", "pitch"),
        ]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self) -> str:
        return f"{self.album_id and self.album} ({self.week_id and self.week})"


@pghistory.track()
class Vote(BaseModel):
    """A member's ranked choice in a week's poll: a 1st choice earns 2 points, a 2nd choice 1 point."""

    week = models.ForeignKey(
        Week, on_delete=models.CASCADE, related_name="votes", verbose_name=_("week"), db_index=False
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="club_votes", verbose_name=_("voter"))
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="votes", verbose_name=_("nomination"), db_index=False
    )
    rank = models.PositiveSmallIntegerField(choices=VoteRank.choices, verbose_name=_("rank"))

    access_path = "week__club"

    objects = ClubRowQuerySet.as_manager()

    class Meta:
        ordering = ["week_id", "user_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "user", "rank"],
                name="club_vote_one_per_rank",
                violation_error_message=_("You already have a vote of this rank this week."),
            ),
            models.UniqueConstraint(
                fields=["nomination", "user"],
                name="club_vote_one_per_nomination",
                violation_error_message=_("You already voted for this nomination."),
            ),
            models.CheckConstraint(
                condition=Q(rank__in=VoteRank.values),
                name="club_vote_rank_valid",
                violation_error_message=_("A vote's rank is 1 or 2."),
            ),
        ]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"#{self.rank} by {self.user_id and self.user}"

    def clean(self) -> None:
        if self.nomination_id and self.week_id and self.nomination.week_id != self.week_id:
            raise ValidationError({"nomination": _("This nomination belongs to another week.")})


class RatingQuerySet(ClubRowQuerySet):
    def summary(self) -> dict:
        """Mean, median, distribution (value -> count) and count of these ratings, computed in SQL."""
        from django.db.models.aggregates import Aggregate

        class Median(Aggregate):
            function = "PERCENTILE_CONT"
            template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
            output_field = models.FloatField()

        totals = self.aggregate(mean=models.Avg("value"), median=Median("value"), count=models.Count("id"))
        distribution = {f"{value:.1f}": 0 for value in RATING_VALUES}
        for row in self.order_by().values("value").annotate(n=models.Count("id")):
            distribution[f"{row['value']:.1f}"] = row["n"]
        return {
            "count": totals["count"],
            "mean": round(float(totals["mean"]), 2) if totals["mean"] is not None else None,
            "median": totals["median"],
            "distribution": distribution,
        }


@pghistory.track()
class Rating(BaseModel):
    """A member's 1.0-5.0 rating (half steps) of a week's winning album, with an optional favourite and review."""

    week = models.ForeignKey(
        Week, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("week"), db_index=False
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="club_ratings", verbose_name=_("user"))
    album = models.ForeignKey(
        "catalog.Album",
        on_delete=models.PROTECT,
        related_name="club_ratings",
        verbose_name=_("album"),
        help_text=_("The week's winner; set by the service."),
        db_index=False,
    )
    value = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        validators=[validate_rating_value],
        verbose_name=_("rating"),
        help_text=_("1.0 to 5.0 in half steps."),
    )
    favorite_track = models.ForeignKey(
        "catalog.Track",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="favourite_in_ratings",
        verbose_name=_("favourite track"),
    )
    review = models.TextField(blank=True, default="", verbose_name=_("review"))

    access_path = "week__club"

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["week_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "user"],
                name="club_rating_one_per_user_week",
                violation_error_message=_("You have already rated this week's album."),
            ),
            models.CheckConstraint(
                condition=Q(value__in=RATING_VALUES),
                name="club_rating_value_half_steps",
                violation_error_message=_("A rating is between 1.0 and 5.0 in half steps."),
            ),
        ]
        indexes = [
            models.Index(fields=["album", "value"], name="club_rating_album_idx"),
            trigram_index("club_rating_review_trgm", "review"),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.value} by {self.user_id and self.user}"

    def clean(self) -> None:
        if self.favorite_track_id and self.album_id and self.favorite_track.album_id != self.album_id:
            raise ValidationError({"favorite_track": _("The favourite track must be a track of the rated album.")})
