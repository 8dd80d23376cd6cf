"""The weeks of a club, in one place: the API, the admin, commands and tasks all call these services.

Row invariants (one vote per rank, one nomination per member, rating half steps, ...) are database
constraints; these services add what needs the clock or other rows (phases, own nominations, the
winner) and do the multi-row writes (replacing a vote, closing a poll). A concurrent request that
slips past the checks here is stopped by the constraints and answered with a 409.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from club.choices import WeekPhase
from club.constants import VOTE_POINTS
from club.models import Club, Nomination, Rating, Vote, Week
from core.services import full_clean_except_unique, model_update, retry_after_conflict

PHASE_MESSAGES = {
    "nominate": "Nominations are only open before the nominations deadline; this week is in its {phase} phase.",
    "vote": "Voting is only open while the poll runs; this week is in its {phase} phase.",
    "rate": "Ratings are only open from the discussion on; this week is in its {phase} phase.",
    "close_poll": "The poll can only be closed after its deadline; this week is in its {phase} phase.",
}
VOTE_WRONG_WEEK = "This nomination belongs to another week."
VOTE_OWN_NOMINATION = "You cannot vote for your own nomination this week."
POLL_WITHOUT_VOTES = "Nobody has voted in this poll, so there is no winner."
RATING_WITHOUT_WINNER = "This week has no winner to rate yet."
RATING_NOT_WINNER = "Only the week's winning album can be rated."
RATING_TRACK_NOT_ON_WINNER = "The favourite track must be a track of the week's winning album."
NOMINATION_WEEK_FIXED = "A nomination cannot move to another week."
ROW_FIXED_ON_CHANGE = "The {field} cannot be changed; withdraw this one and add a new one instead."
NOT_A_MEMBER = "Only members of this week's club take part in it."


def club_require_member(*, user, week: Week, field: str = "week") -> None:
    """Raise unless ``user`` takes part in ``week``'s club (core's ``writable_by``: owners, admins, members)."""
    if not Club.objects.writable_by(user).filter(pk=week.club_id).exists():
        raise ValidationError({field: NOT_A_MEMBER}, code="not_a_member")


def week_require_phase(*, week: Week, phases: set[WeekPhase], action: str, field: str = "week", now=None) -> None:
    """Raise a 400-style ``ValidationError`` naming the week's phase unless it is one of ``phases``."""
    phase = week.phase_at(now)
    if phase not in phases:
        raise ValidationError({field: PHASE_MESSAGES[action].format(phase=phase.label.lower())}, code="phase")


# Nominations -----------------------------------------------------------------------------------


@transaction.atomic
def nomination_create(*, week: Week, user, album, now: datetime.datetime | None = None, **fields) -> Nomination:
    """Nominate ``album`` for ``week`` on behalf of ``user`` (a member of its club) while nominations are open."""
    club_require_member(user=user, week=week)
    week_require_phase(week=week, phases={WeekPhase.NOMINATIONS}, action="nominate", now=now)
    nomination = Nomination(week=week, user=user, album=album, **fields)
    full_clean_except_unique(nomination)  # a duplicate is the unique index's to find: one 409 alone or in a race
    nomination.save()
    return nomination


@transaction.atomic
def nomination_update(*, nomination: Nomination, data: dict, now: datetime.datetime | None = None) -> Nomination:
    """Change a nomination's album, pitch or tags while nominations are open."""
    if "week" in data and data["week"].pk != nomination.week_id:
        raise ValidationError({"week": NOMINATION_WEEK_FIXED})
    week_require_phase(week=nomination.week, phases={WeekPhase.NOMINATIONS}, action="nominate", now=now)
    fields = ["album", "pitch", "pitch_track_url", "genre", "decade", "country"]
    return model_update(instance=nomination, data=data, fields=fields)


@transaction.atomic
def nomination_delete(*, nomination: Nomination, now: datetime.datetime | None = None) -> None:
    """Withdraw a nomination (and the votes it received) while nominations are open."""
    week_require_phase(week=nomination.week, phases={WeekPhase.NOMINATIONS}, action="nominate", now=now)
    nomination.delete()


# Votes -----------------------------------------------------------------------------------------


def vote_validate_cast(*, user, nomination: Nomination, now: datetime.datetime | None = None) -> None:
    """The rules a vote must meet beyond its row constraints: the poll is open, and not one's own nomination."""
    week = nomination.week
    club_require_member(user=user, week=week, field="nomination")
    week_require_phase(week=week, phases={WeekPhase.POLL}, action="vote", field="nomination", now=now)
    if not week.is_self_vote_allowed and nomination.user_id == user.pk:
        raise ValidationError({"nomination": VOTE_OWN_NOMINATION}, code="own_nomination")


@transaction.atomic
def vote_cast(*, user, nomination: Nomination, rank: int, now: datetime.datetime | None = None) -> Vote:
    """Cast ``user``'s vote of ``rank`` for ``nomination``; a vote changed this way replaces the old one.

    The user's earlier vote of the same rank that week now points at ``nomination``; a vote of the other
    rank on ``nomination`` is removed (one nomination cannot get both of a member's ranks). A concurrent request's
    vote that the constraints find at the insert is replaced the same way (``retry_after_conflict``), so a burst
    of votes gets what each gets alone.
    """
    vote_validate_cast(user=user, nomination=nomination, now=now)
    week = nomination.week

    def cast() -> Vote:
        mine = Vote.objects.select_for_update().filter(week=week, user=user)
        mine.filter(nomination=nomination).exclude(rank=rank).delete()
        vote = mine.filter(rank=rank).first() or Vote(week=week, user=user, rank=rank)
        vote.nomination = nomination
        vote.full_clean(validate_constraints=False)  # the votes it collides with are gone, or a race's: see above
        vote.save()
        return vote

    return retry_after_conflict(cast)


@transaction.atomic
def vote_update(*, vote: Vote, data: dict, now: datetime.datetime | None = None) -> Vote:
    """Change a vote's nomination or rank; whatever vote of the user it would now collide with is replaced."""
    nomination = data.get("nomination", vote.nomination)
    rank = data.get("rank", vote.rank)
    if nomination.week_id != vote.week_id:
        raise ValidationError({"nomination": VOTE_WRONG_WEEK})
    vote_validate_cast(user=vote.user, nomination=nomination, now=now)
    others = Vote.objects.select_for_update().filter(week_id=vote.week_id, user_id=vote.user_id).exclude(pk=vote.pk)
    others.filter(Q(rank=rank) | Q(nomination=nomination)).delete()
    return model_update(instance=vote, data={"nomination": nomination, "rank": rank})


@transaction.atomic
def vote_retract(*, vote: Vote, now: datetime.datetime | None = None) -> None:
    """Take a vote back while the poll is open."""
    week_require_phase(week=vote.week, phases={WeekPhase.POLL}, action="vote", now=now)
    vote.delete()


# Tally and winner ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TallyRow:
    """A nomination's standing in its week's poll."""

    position: int
    nomination_id: str
    album_id: str
    album_title: str
    nominated_by: str
    points: int
    first_place_votes: int
    second_place_votes: int


def week_tally(*, week: Week) -> list[dict]:
    """Every nomination of ``week`` with its points, best first.

    2 points per 1st-place vote and 1 per 2nd-place vote. Ties are broken by the most 1st-place votes
    (the Sidetrack rule), then by the earlier nomination (first come, first served), then by id, so the
    order is always the same.
    """
    first, second = VOTE_POINTS[1], VOTE_POINTS[2]
    rows = (
        Nomination.objects.filter(week=week)
        .annotate(
            first_place_votes=Count("votes", filter=Q(votes__rank=1)),
            second_place_votes=Count("votes", filter=Q(votes__rank=2)),
        )
        .values(
            "id",
            "album_id",
            "album__title",
            "user__username",
            "created_at",
            "first_place_votes",
            "second_place_votes",
        )
    )
    ranked = sorted(
        rows,
        key=lambda row: (
            -(row["first_place_votes"] * first + row["second_place_votes"] * second),
            -row["first_place_votes"],
            row["created_at"],
            str(row["id"]),
        ),
    )
    return [
        asdict(
            TallyRow(
                position=index,
                nomination_id=str(row["id"]),
                album_id=str(row["album_id"]),
                album_title=row["album__title"],
                nominated_by=row["user__username"],
                points=row["first_place_votes"] * first + row["second_place_votes"] * second,
                first_place_votes=row["first_place_votes"],
                second_place_votes=row["second_place_votes"],
            )
        )
        for index, row in enumerate(ranked, start=1)
    ]


@transaction.atomic
def week_close_poll(*, week: Week, now: datetime.datetime | None = None) -> Week:
    """Close the poll of ``week`` after its deadline: the top of the tally becomes the winner album."""
    week = Week.objects.select_for_update().get(pk=week.pk)
    week_require_phase(week=week, phases={WeekPhase.WINNER, WeekPhase.RATINGS}, action="close_poll", now=now)
    tally = week_tally(week=week)
    if not tally or tally[0]["points"] == 0:
        raise ValidationError({"week": POLL_WITHOUT_VOTES}, code="no_votes")
    return model_update(instance=week, data={"winner_album_id": _uuid(tally[0]["album_id"])})


def weeks_close_due_polls(*, now: datetime.datetime | None = None) -> list[Week]:
    """Close every poll past its deadline that has no winner yet and has votes; returns the weeks closed."""
    now = now or timezone.now()
    due = Week.objects.filter(poll_close_at__lte=now, winner_album__isnull=True).annotate(n=Count("votes"))
    return [week_close_poll(week=week, now=now) for week in due.filter(n__gt=0)]


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)


# Ratings ---------------------------------------------------------------------------------------


def rating_validate(*, week: Week, album=None, favorite_track=None, now: datetime.datetime | None = None) -> None:
    """Ratings are open (from the discussion on), the week has a winner, and only the winner (and one of its
    tracks as the favourite) is rated."""
    week_require_phase(week=week, phases={WeekPhase.RATINGS}, action="rate", now=now)
    if week.winner_album_id is None:
        raise ValidationError({"week": RATING_WITHOUT_WINNER}, code="no_winner")
    if album is not None and album.pk != week.winner_album_id:
        raise ValidationError({"album": RATING_NOT_WINNER}, code="not_winner")
    if favorite_track is not None and favorite_track.album_id != week.winner_album_id:
        raise ValidationError({"favorite_track": RATING_TRACK_NOT_ON_WINNER}, code="not_winner")


@transaction.atomic
def rating_submit(
    *,
    week: Week,
    user,
    value: Decimal,
    favorite_track=None,
    review: str = "",
    now: datetime.datetime | None = None,
) -> Rating:
    """Rate the winner of ``week`` for ``user`` (a member of its club; one rating per member per week)."""
    club_require_member(user=user, week=week)
    rating_validate(week=week, favorite_track=favorite_track, now=now)
    rating = Rating(
        week=week,
        user=user,
        album_id=week.winner_album_id,
        value=value,
        favorite_track=favorite_track,
        review=review,
    )
    rating.full_clean()
    rating.save()
    return rating


@transaction.atomic
def rating_update(*, rating: Rating, data: dict, now: datetime.datetime | None = None) -> Rating:
    """Change a rating's value, favourite track or review while ratings are open."""
    rating_validate(week=rating.week, favorite_track=data.get("favorite_track"), now=now)
    return model_update(instance=rating, data=data, fields=["value", "favorite_track", "review"])


def week_rating_summary(*, week: Week) -> dict:
    """Mean, median, distribution and count of the week's ratings."""
    return Rating.objects.filter(week=week).summary()
