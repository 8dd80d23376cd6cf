"""The club rules: phases, one nomination per member, ranked votes, tally and winner, ratings."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from club import services
from club.models import Nomination, Rating, Vote
from core.testing import run_concurrently
from tests.catalog.factories import AlbumFactory, TrackFactory
from tests.club.factories import MemberFactory, NominationFactory, RatingFactory, VoteFactory, WeekFactory

pytestmark = pytest.mark.django_db


def phase_error(excinfo, field="week"):
    return excinfo.value.message_dict[field][0]


class TestNominations:
    def test_nomination_create_stores_nomination_while_nominations_are_open(self):
        week, user, album = WeekFactory(), MemberFactory(), AlbumFactory()
        nomination = services.nomination_create(week=week, user=user, album=album, pitch="Listen loud")
        assert Nomination.objects.get(pk=nomination.pk).pitch == "Listen loud"

    @pytest.mark.parametrize("trait", ["poll", "winner", "ratings"])
    def test_nomination_create_rejects_when_nominations_are_closed_naming_the_phase(self, trait):
        week = WeekFactory(**{trait: True})
        with pytest.raises(ValidationError) as excinfo:
            services.nomination_create(week=week, user=MemberFactory(), album=AlbumFactory())
        assert "Nominations are only open" in phase_error(excinfo)
        assert week.phase.label.lower() in phase_error(excinfo)

    def test_nomination_create_rejects_second_nomination_of_member_in_week(self):
        nomination = NominationFactory()
        # the unique index decides, as it does for a concurrent request (the API's 409, tests/core/test_duplicates.py)
        with pytest.raises(IntegrityError, match="club_nomination_one_per_user_week"), transaction.atomic():
            services.nomination_create(week=nomination.week, user=nomination.user, album=AlbumFactory())
        assert Nomination.objects.filter(week=nomination.week, user=nomination.user).count() == 1

    def test_nomination_create_rejects_album_already_nominated_in_week(self):
        nomination = NominationFactory()
        with pytest.raises(IntegrityError, match="club_nomination_album_once_per_week"), transaction.atomic():
            services.nomination_create(week=nomination.week, user=MemberFactory(), album=nomination.album)
        assert Nomination.objects.filter(week=nomination.week, album=nomination.album).count() == 1

    def test_nomination_update_and_delete_follow_the_phase(self):
        nomination = NominationFactory()
        services.nomination_update(nomination=nomination, data={"pitch": "New pitch"})
        assert Nomination.objects.get(pk=nomination.pk).pitch == "New pitch"
        with pytest.raises(ValidationError, match="another week"):
            services.nomination_update(nomination=nomination, data={"week": WeekFactory()})
        services.nomination_delete(nomination=nomination)
        assert not Nomination.objects.filter(pk=nomination.pk).exists()


class TestVotes:
    def test_vote_cast_stores_ranked_vote_during_poll(self):
        nomination = NominationFactory(week__poll=True)
        vote = services.vote_cast(user=MemberFactory(), nomination=nomination, rank=1)
        assert vote.week_id == nomination.week_id

    def test_vote_cast_rejects_outside_poll_naming_the_phase(self):
        nomination = NominationFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.vote_cast(user=MemberFactory(), nomination=nomination, rank=1)
        assert "nominations open" in phase_error(excinfo, "nomination")

    def test_vote_cast_replaces_the_members_earlier_vote_of_that_rank(self):
        first = NominationFactory(week__poll=True)
        second = NominationFactory(week=first.week)
        voter = MemberFactory()
        services.vote_cast(user=voter, nomination=first, rank=1)
        services.vote_cast(user=voter, nomination=second, rank=1)
        assert list(Vote.objects.filter(user=voter).values_list("nomination_id", "rank")) == [(second.pk, 1)]

    def test_vote_cast_moves_a_nomination_between_ranks_instead_of_giving_it_both(self):
        nomination = NominationFactory(week__poll=True)
        voter = MemberFactory()
        services.vote_cast(user=voter, nomination=nomination, rank=2)
        services.vote_cast(user=voter, nomination=nomination, rank=1)
        assert list(Vote.objects.filter(user=voter).values_list("rank", flat=True)) == [1]

    def test_vote_cast_rejects_own_nomination_unless_the_week_allows_it(self):
        nomination = NominationFactory(week__poll=True)
        with pytest.raises(ValidationError, match="your own nomination"):
            services.vote_cast(user=nomination.user, nomination=nomination, rank=1)
        week = nomination.week
        week.is_self_vote_allowed = True
        week.save()
        assert services.vote_cast(user=nomination.user, nomination=nomination, rank=1).pk

    def test_database_rejects_second_first_place_vote_in_week(self):
        vote = VoteFactory()
        other = NominationFactory(week=vote.week)
        with pytest.raises(IntegrityError):
            Vote.objects.create(week=vote.week, user=vote.user, nomination=other, rank=1)

    def test_vote_update_changes_rank_and_replaces_the_colliding_vote(self):
        first = NominationFactory(week__poll=True)
        second = NominationFactory(week=first.week)
        voter = MemberFactory()
        one = services.vote_cast(user=voter, nomination=first, rank=1)
        services.vote_cast(user=voter, nomination=second, rank=2)
        services.vote_update(vote=one, data={"rank": 2})
        assert list(Vote.objects.filter(user=voter).values_list("nomination_id", "rank")) == [(first.pk, 2)]
        with pytest.raises(ValidationError, match="another week"):
            services.vote_update(vote=one, data={"nomination": NominationFactory(week__poll=True)})

    def test_vote_retract_only_while_poll_is_open(self):
        vote = VoteFactory()
        services.vote_retract(vote=vote)
        assert not Vote.objects.filter(pk=vote.pk).exists()


class TestTallyAndWinner:
    def make_poll(self):
        week = WeekFactory(poll=True)
        a, b, c = (NominationFactory(week=week) for _ in range(3))
        return week, a, b, c

    def test_tally_scores_two_points_for_first_and_one_for_second(self):
        week, a, b, c = self.make_poll()
        for _ in range(2):
            voter = MemberFactory()
            services.vote_cast(user=voter, nomination=a, rank=1)
            services.vote_cast(user=voter, nomination=b, rank=2)
        services.vote_cast(user=MemberFactory(), nomination=c, rank=2)
        tally = services.week_tally(week=week)
        assert [(row["nomination_id"], row["points"]) for row in tally] == [
            (str(a.pk), 4),
            (str(b.pk), 2),
            (str(c.pk), 1),
        ]
        assert tally[0]["first_place_votes"] == 2 and tally[1]["second_place_votes"] == 2

    def test_tally_breaks_ties_by_most_first_place_votes(self):
        week, a, b, _ = self.make_poll()
        services.vote_cast(user=MemberFactory(), nomination=a, rank=2)
        services.vote_cast(user=MemberFactory(), nomination=a, rank=2)
        services.vote_cast(user=MemberFactory(), nomination=b, rank=1)
        tally = services.week_tally(week=week)
        assert tally[0]["nomination_id"] == str(b.pk)
        assert tally[0]["points"] == tally[1]["points"] == 2

    def test_tally_breaks_full_ties_by_earlier_nomination(self):
        week, a, b, _ = self.make_poll()
        services.vote_cast(user=MemberFactory(), nomination=b, rank=1)
        services.vote_cast(user=MemberFactory(), nomination=a, rank=1)
        assert services.week_tally(week=week)[0]["nomination_id"] == str(a.pk)

    def test_close_poll_sets_winner_after_deadline(self):
        week, a, b, _ = self.make_poll()
        services.vote_cast(user=MemberFactory(), nomination=b, rank=1)
        with pytest.raises(ValidationError, match="poll can only be closed"):
            services.week_close_poll(week=week)
        closed = services.week_close_poll(week=week, now=week.poll_close_at)
        assert closed.winner_album_id == b.album_id

    def test_close_poll_without_votes_is_rejected(self):
        week = WeekFactory(winner=True)
        NominationFactory(week=week)
        with pytest.raises(ValidationError, match="Nobody has voted"):
            services.week_close_poll(week=week)

    def test_close_due_polls_closes_only_weeks_past_deadline_with_votes(self):
        week, a, _, _ = self.make_poll()
        services.vote_cast(user=MemberFactory(), nomination=a, rank=1)
        WeekFactory(winner=True)  # no votes: left alone
        assert services.weeks_close_due_polls() == []
        closed = services.weeks_close_due_polls(now=week.poll_close_at)
        assert [w.pk for w in closed] == [week.pk]


class TestRatings:
    def test_rating_submit_rates_the_winner(self):
        week = WeekFactory(ratings=True)
        track = TrackFactory(album=week.winner_album)
        rating = services.rating_submit(week=week, user=MemberFactory(), value=Decimal("4.5"), favorite_track=track)
        assert rating.album_id == week.winner_album_id

    def test_rating_submit_rejects_before_ratings_open_naming_the_phase(self):
        week = WeekFactory(winner=True, winner_album=AlbumFactory())
        with pytest.raises(ValidationError, match="winner announced"):
            services.rating_submit(week=week, user=MemberFactory(), value=Decimal("3.0"))

    def test_rating_submit_rejects_week_without_winner(self):
        week = WeekFactory(ratings=True, winner_album=None)
        with pytest.raises(ValidationError, match="no winner"):
            services.rating_submit(week=week, user=MemberFactory(), value=Decimal("3.0"))

    def test_rating_submit_rejects_second_rating_and_foreign_favourite_track(self):
        rating = RatingFactory()
        with pytest.raises(ValidationError, match="already rated"):
            services.rating_submit(week=rating.week, user=rating.user, value=Decimal("2.0"))
        with pytest.raises(ValidationError, match="favourite track"):
            services.rating_submit(
                week=rating.week, user=MemberFactory(), value=Decimal("2.0"), favorite_track=TrackFactory()
            )

    def test_rating_validate_rejects_another_album(self):
        week = WeekFactory(ratings=True)
        with pytest.raises(ValidationError, match="winning album"):
            services.rating_validate(week=week, album=AlbumFactory())

    def test_rating_update_changes_value(self):
        rating = RatingFactory()
        services.rating_update(rating=rating, data={"value": Decimal("2.5")})
        assert Rating.objects.get(pk=rating.pk).value == Decimal("2.5")

    def test_rating_validate_names_a_favourite_track_of_another_album(self):
        rating = RatingFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.rating_validate(week=rating.week, favorite_track=TrackFactory())
        assert "winning album" in phase_error(excinfo, "favorite_track")
        with pytest.raises(ValidationError, match="winning album"):
            services.rating_update(rating=rating, data={"favorite_track": TrackFactory()})
        services.rating_validate(week=rating.week, favorite_track=TrackFactory(album=rating.album))

    def test_week_rating_summary_gives_mean_median_distribution_and_count(self):
        week = WeekFactory(ratings=True)
        for value in ["2.0", "4.0", "4.5"]:
            RatingFactory(week=week, value=Decimal(value))
        summary = services.week_rating_summary(week=week)
        assert summary["count"] == 3
        assert summary["mean"] == pytest.approx(3.5)
        assert summary["median"] == pytest.approx(4.0)
        assert summary["distribution"]["4.5"] == 1 and summary["distribution"]["1.0"] == 0


@pytest.mark.django_db(transaction=True)
class TestRaces:
    def test_concurrent_first_place_votes_by_one_member_leave_one_and_the_other_conflicts(self):
        first = NominationFactory(week__poll=True)
        second = NominationFactory(week=first.week)
        voter = MemberFactory()
        results = run_concurrently(
            lambda: services.vote_cast(user=voter, nomination=first, rank=1),
            lambda: services.vote_cast(user=voter, nomination=second, rank=1),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert Vote.objects.filter(user=voter, rank=1).count() == 1
        # The loser is stopped by the constraint (a 409 in the API), or, if it started after the winner
        # committed, replaces that vote; never a validation error from a half-seen race.
        assert all(isinstance(e, IntegrityError) for e in errors), errors

    def test_concurrent_nominations_by_one_member_leave_one(self):
        week, user = WeekFactory(), MemberFactory()
        albums = [AlbumFactory(), AlbumFactory()]
        results = run_concurrently(
            *[lambda album=album: services.nomination_create(week=week, user=user, album=album) for album in albums]
        )
        assert Nomination.objects.filter(week=week, user=user).count() == 1
        assert sum(isinstance(r, IntegrityError | ValidationError) for r in results) == 1
