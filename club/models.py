"""The album club: weeks, nominations, ranked votes and ratings; linked accounts and listening history;
taste profiles, follows, pairwise compatibility and album recommendations.

Albums and tracks come from ``catalog``. Row invariants are database constraints (with messages the
API turns into 400s, or 409s when a concurrent request loses the race); rules that need the clock or
other rows live in ``club.services``.
"""

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

from club.choices import LinkedAccountProvider, ListenEventSource, VoteRank, WeekPhase
from club.constants import RATING_VALUES
from club.fields import EncryptedTokenField
from club.validators import validate_rating_value
from core.choices import MembershipRole
from core.constraints import choice_check
from core.models import BaseModel, GroupModel, MembershipQuerySet, ScopedQuerySet, trigram_index

USER = settings.AUTH_USER_MODEL


# Visibility (core's rule, see docs/architecture.md) ---------------------------------------------


class ClubRowQuerySet(ScopedQuerySet):
    """Rows of a club's weeks: visible to the club's members (core's ``visible_to``)."""


class MemberRowQuerySet(ScopedQuerySet):
    """A member's own data: visible to them and to the members of a club they share; changed by them."""


class PersonalRowQuerySet(ScopedQuerySet):
    """A member's private rows (linked accounts): only they (and superusers) see and change them."""

    def visible_to(self, user) -> PersonalRowQuerySet:
        return self.editable_by(user)


class CompatibilityQuerySet(ScopedQuerySet):
    """A pair's compatibility: visible to whoever may see both members' data, when the two share a club."""

    def visible_to(self, user) -> CompatibilityQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        seen = self.model._meta.get_field("user_a").related_model.objects.visible_to(user).values("pk")
        return self.filter(user_a__in=seen, user_b__in=seen)

    def editable_by(self, user) -> CompatibilityQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(user_a=user) | Q(user_b=user))


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


# Listening -------------------------------------------------------------------------------------


class ListenEventQuerySet(MemberRowQuerySet):
    def between(self, start=None, end=None) -> ListenEventQuerySet:
        queryset = self
        if start is not None:
            queryset = queryset.filter(played_at__gte=start)
        if end is not None:
            queryset = queryset.filter(played_at__lt=end)
        return queryset


# Listens are append-only facts arriving by the million through COPY: an insert trigger would write
# every listen twice. The row itself (with created_at) is the record of its insert; changes and
# deletions are audited as for every other model.
@pghistory.track(pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ListenEvent(BaseModel):
    """One play of a track by a member at a moment (ListenBrainz's ``listened_at``: the start of playback)."""

    user = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        db_index=False,  # club_listen_user_page_idx and the unique play lead with the user
        related_name="listens",
        verbose_name=_("user"),
    )
    track = models.ForeignKey(
        "catalog.Track",
        on_delete=models.PROTECT,  # listening history is never lost to a catalog edit (docs/domain-map.md)
        related_name="listens",
        verbose_name=_("track"),
    )
    played_at = models.DateTimeField(verbose_name=_("played at"))
    source = models.CharField(max_length=20, choices=ListenEventSource.choices, verbose_name=_("source"))
    metadata = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("metadata"),
        help_text=_("What the source said beyond the track: client, MBIDs, ms played, origin URL."),
    )

    access_path = "user"

    objects = ListenEventQuerySet.as_manager()

    class Meta:
        ordering = ["-played_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "track", "played_at"],
                name="club_listenevent_unique_play",
                violation_error_message=_("This listen is already stored."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=ListenEventSource.values),
                name="club_listenevent_source_valid",
                violation_error_message=_("Unknown listen source."),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-played_at", "-id"], name="club_listen_user_page_idx"),
            # the order of the listens list and the key its cursor pages by (core.api.pagination.CursorPagination)
            models.Index(fields=["-played_at", "-id"], name="club_listen_played_id_idx"),
        ]
        verbose_name = _("listen")
        verbose_name_plural = _("listens")

    def __str__(self) -> str:
        return f"{self.track_id} at {self.played_at:%Y-%m-%d %H:%M}"


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


# A scrobbler's "playing now" is replaced at every submission: only its removal is worth an audit row.
@pghistory.track(pghistory.DeleteEvent())
class NowPlaying(BaseModel):
    """What a member's scrobbler last said is playing (ListenBrainz ``playing_now``), until ``expires_at``."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="now_playing", verbose_name=_("user"))
    track_metadata = models.JSONField(default=dict, blank=True, verbose_name=_("track metadata"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))

    access_path = "user"

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("now playing")
        verbose_name_plural = _("now playing")

    def __str__(self) -> str:
        metadata = self.track_metadata if isinstance(self.track_metadata, dict) else {}
        artist, track = metadata.get("artist_name"), metadata.get("track_name")
        return f"{artist if isinstance(artist, str) else '?'} - {track if isinstance(track, str) else '?'}"
