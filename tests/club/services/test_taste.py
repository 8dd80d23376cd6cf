"""Taste profiles (SQL), compatibility (the documented formula) and recommendations, and their commands."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from club.models import Compatibility, TasteProfile, UserRecommendation
from club.services import taste
from club.tasks import close_due_polls, refresh_listening_analysis
from tests.catalog.factories import AlbumFactory, GenreFactory, TrackFactory, TrackFeaturesFactory
from tests.club.factories import ListenEventFactory, NominationFactory, RatingFactory, VoteFactory, WeekFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2025, 5, 1, 12, 30, tzinfo=datetime.UTC)


def listen(user, track, hour=12, minute=0):
    return ListenEventFactory(user=user, track=track, played_at=NOON.replace(hour=hour, minute=minute))


class TestTasteProfile:
    def test_taste_compute_builds_genre_feature_and_hour_histograms_in_sql(self):
        shoegaze, dream = GenreFactory(name="Shoegaze"), GenreFactory(name="Dream pop")
        loud = TrackFactory(album=AlbumFactory(genres=[shoegaze]))
        soft = TrackFactory(album=AlbumFactory(genres=[shoegaze, dream]))
        TrackFeaturesFactory(track=loud, energy=0.9, tempo=120)
        TrackFeaturesFactory(track=soft, energy=0.3, tempo=80)
        user = UserFactory()
        listen(user, loud, hour=8)
        listen(user, loud, hour=8, minute=5)
        listen(user, soft, hour=22)
        listen(user, soft, hour=22, minute=5)
        assert taste.taste_compute(user_ids=[user.pk]) == 1
        profile = TasteProfile.objects.get(user=user)
        assert profile.listen_count == 4
        assert profile.genre_histogram == {"Shoegaze": 1.0, "Dream pop": 0.5}
        assert profile.feature_means["energy"] == pytest.approx(0.6)
        assert profile.feature_means["tempo"] == pytest.approx(100)
        assert profile.time_of_day_histogram[8] == 2 and profile.time_of_day_histogram[22] == 2
        assert sum(profile.time_of_day_histogram) == 4 and len(profile.time_of_day_histogram) == 24
        assert profile.top_artists[0]["listens"] == 2

    def test_taste_compute_for_everyone_updates_existing_profiles(self):
        user = UserFactory()
        track = TrackFactory()
        listen(user, track)
        taste.taste_compute()
        listen(user, track, hour=13)
        assert taste.taste_compute() == 1
        assert TasteProfile.objects.get(user=user).listen_count == 2

    def test_member_without_listens_gets_an_empty_profile(self):
        profile = taste.taste_profile_for(user=UserFactory())
        assert profile.listen_count == 0 and profile.time_of_day_histogram == [0] * 24


class TestCompatibility:
    def test_identical_listening_scores_100_and_disjoint_scores_low(self):
        tracks = [TrackFactory() for _ in range(3)]
        for track in tracks:
            TrackFeaturesFactory(track=track)
        alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
        for track in tracks:
            listen(alice, track)
            listen(bob, track)
        listen(carol, TrackFactory())
        taste.taste_compute()
        same = taste.compatibility_between(user=alice, other=bob)
        assert same.score == pytest.approx(100)
        assert same.details["shared_album_count"] == 3 and len(same.details["shared_artists"]) == 3
        apart = taste.compatibility_between(user=alice, other=carol)
        assert apart.score == 0
        assert apart.user_a_id < apart.user_b_id if str(apart.user_a_id) < str(apart.user_b_id) else True
        assert Compatibility.objects.count() == 2

    def test_score_follows_the_documented_weights(self):
        mine = TasteProfile(
            top_artists=[{"id": "a", "name": "A"}, {"id": "b", "name": "B"}], feature_means={}, genre_histogram={}
        )
        theirs = TasteProfile(top_artists=[{"id": "a", "name": "A"}], feature_means={}, genre_histogram={})
        score, details = taste.compatibility_score(mine, theirs, {"shared": 1, "total": 4, "mine": 1, "titles": ["X"]})
        # artists 1/2, albums 1/4, no taste data: 100 * (0.35 * 0.5 + 0.35 * 0.25)
        assert score == pytest.approx(26.25)
        assert details["shared_artists"] == ["A"] and details["shared_albums"] == ["X"]


class TestRecommendations:
    def test_recommends_what_compatible_members_rated_or_played_highly_and_the_member_has_not_heard(self):
        alice, bob = UserFactory(), UserFactory(username="bob", display_name="Bob")
        shared = TrackFactory()
        listen(alice, shared)
        listen(bob, shared)
        played = TrackFactory()
        for minute in range(4):
            listen(bob, played, minute=minute + 1)
        heard = TrackFactory()
        listen(alice, heard)
        for minute in range(4):
            listen(bob, heard, minute=minute + 10)
        rated = RatingFactory(user=bob, value=Decimal("4.5"))
        RatingFactory(user=bob, value=Decimal("2.0"))  # rated low: not a reason
        taste.taste_compute()
        taste.compatibility_compute(user=alice)
        recommendations = taste.recommendations_compute(user=alice)
        albums = [r.album_id for r in recommendations]
        assert set(albums) == {played.album_id, rated.album_id}
        assert heard.album_id not in albums
        by_album = {r.album_id: r for r in recommendations}
        assert "Bob (" in by_album[played.album_id].reason and "played it 4 times" in by_album[played.album_id].reason
        assert "rated it 4.5" in by_album[rated.album_id].reason
        assert recommendations[0].score >= recommendations[-1].score > 0

    def test_member_without_compatible_members_gets_no_recommendations(self):
        assert taste.recommendations_compute(user=UserFactory()) == []


class TestCommandsAndTasks:
    def test_compute_commands_for_everyone_and_one_member(self):
        alice, bob = UserFactory(username="alice-c"), UserFactory(username="bob-c")
        track = TrackFactory()
        listen(alice, track)
        listen(bob, track)
        out = io.StringIO()
        call_command("compute_taste", stdout=out, verbosity=0)
        call_command("compute_compatibility", stdout=out, verbosity=0)
        call_command("compute_recommendations", "--user", "alice-c", stdout=out, verbosity=0)
        assert "Computed 2 taste profile(s)" in out.getvalue()
        assert "Computed 2 pair(s) for 2 member(s)" in out.getvalue()
        assert Compatibility.objects.count() == 1
        with pytest.raises(CommandError):
            call_command("compute_taste", "--user", "nobody", verbosity=0)

    def test_refresh_listening_analysis_task_recomputes_everything(self):
        alice, bob = UserFactory(), UserFactory()
        shared, new = TrackFactory(), TrackFactory()
        listen(alice, shared)
        listen(bob, shared)
        for minute in range(3):
            listen(bob, new, minute=minute + 1)
        taste.taste_compute(user_ids=[bob.pk])
        assert refresh_listening_analysis(user_id=str(alice.pk)) == 1
        assert UserRecommendation.objects.get(user=alice).album_id == new.album_id
        assert refresh_listening_analysis(user_id="00000000-0000-0000-0000-000000000000") == 0

    def test_close_due_polls_task_and_command(self):
        week = WeekFactory(poll=True)
        vote = VoteFactory(nomination=NominationFactory(week=week))
        week.poll_close_at = week.nominations_close_at
        week.save()
        assert close_due_polls() == 1
        week.refresh_from_db()
        assert week.winner_album_id == vote.nomination.album_id
        out = io.StringIO()
        call_command("close_polls", stdout=out)
        assert "Closed 0 poll(s)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_recommendation_runs_leave_one_set_and_no_unique_violation():
    from club.models import UserRecommendation
    from core.testing import run_concurrently

    alice, bob = UserFactory(), UserFactory()
    shared, played = TrackFactory(), TrackFactory()
    listen(alice, shared)
    listen(bob, shared)
    for minute in range(4):
        listen(bob, played, minute=minute + 1)
    taste.taste_compute()
    taste.compatibility_compute(user=alice)
    results = run_concurrently(*[lambda: taste.recommendations_compute(user=alice) for _ in range(4)])
    assert all(not isinstance(result, Exception) for result in results), results
    assert list(UserRecommendation.objects.filter(user=alice).values_list("album_id", flat=True)) == [played.album_id]
