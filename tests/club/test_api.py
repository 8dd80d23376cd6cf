"""The club API: CRUD conventions per resource, members acting for themselves, results and races."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from club.models import (
    Compatibility,
    Follow,
    LinkedAccount,
    ListenEvent,
    Nomination,
    Rating,
    TasteProfile,
    UserRecommendation,
    Vote,
    Week,
)
from core.testing import CrudAPITests, run_concurrently
from tests.catalog.factories import AlbumFactory
from tests.club import factories as f


class MemberWritesMixin:
    """Resources members write for themselves: anyone may create their own, nobody else's may be changed."""

    owner_field = "user"

    def test_write_without_permission_is_403(self, user_client):
        obj = self.make()
        assert user_client.patch(self.detail_url(obj), self.update_data(), format="json").status_code in (403, 404, 405)
        assert user_client.delete(self.detail_url(obj)).status_code in (403, 404)
        assert self.model._default_manager.filter(pk=obj.pk).exists()

    def test_create_belongs_to_the_requesting_member(self, user_client):
        response = user_client.post(self.list_url(), self.create_data(), format="json")
        assert response.status_code == 201, response.data
        obj = self.model._default_manager.get(pk=response.data["id"])
        assert getattr(obj, f"{self.owner_field}_id") == user_client.handler._force_user.pk


class ReadOnlyMixin:
    test_create_makes_object = None
    test_create_with_empty_body_is_400_naming_fields = None
    test_update_changes_object = None
    test_delete_removes_object = None

    def test_write_without_permission_is_403(self, admin_api_client):
        assert admin_api_client.post(self.list_url(), {}, format="json").status_code == 405


class TestLinkedAccountAPI(MemberWritesMixin, CrudAPITests):
    model = LinkedAccount
    factory = f.LinkedAccountFactory
    url_base = "club-api:linkedaccount"
    brief_fields = ["user", "has_access_token"]

    def create_data(self):
        return {"provider": "spotify", "provider_user_id": "spotify-member", "access_token": "tok-123"}

    def update_data(self):
        return {"display_name": "Renamed"}

    def test_tokens_never_appear_in_responses(self, user_client):
        response = user_client.post(self.list_url(), {**self.create_data(), "refresh_token": "ref-456"}, format="json")
        assert response.status_code == 201
        assert response.data["has_access_token"] is True
        listed = (
            user_client.get(self.list_url()).content.decode()
            + user_client.get(self.detail_url(LinkedAccount.objects.get(pk=response.data["id"]))).content.decode()
        )
        assert "tok-123" not in listed and "ref-456" not in listed and '"access_token"' not in listed

    def test_members_see_only_their_own_accounts(self, user_client):
        f.LinkedAccountFactory()
        mine = f.LinkedAccountFactory(user=user_client.handler._force_user)
        ids = [row["id"] for row in user_client.get(self.list_url()).data["results"]]
        assert ids == [str(mine.pk)]


class TestWeekAPI(CrudAPITests):
    model = Week
    factory = f.WeekFactory
    url_base = "club-api:week"
    brief_fields = ["winner_album", "phase"]

    def create_data(self):
        return {
            "club": str(f.default_club().pk),
            "label": "WEEK 900 [2026-12-01]",
            "week_number": 900,
            "nominations_close_at": "2026-11-28T18:00:00Z",
            "poll_close_at": "2026-11-29T18:00:00Z",
            "discussion_at": "2026-12-01T19:00:00Z",
        }

    def update_data(self):
        return {"label": "WEEK 900 (moved)"}

    def test_dates_out_of_order_are_400_naming_the_field(self, admin_api_client):
        data = {**self.create_data(), "discussion_at": "2026-11-01T00:00:00Z"}
        response = admin_api_client.post(self.list_url(), data, format="json")
        assert response.status_code == 400
        assert "discussion_at" in {error["field"] for error in response.data["errors"]}

    def test_tally_close_poll_and_rating_summary(self, admin_api_client, user_client):
        week = f.WeekFactory(poll=True)
        winner, other = f.NominationFactory(week=week), f.NominationFactory(week=week)
        f.VoteFactory(nomination=winner, rank=1)
        f.VoteFactory(nomination=other, rank=2)
        url = self.detail_url(week)
        tally = user_client.get(url + "tally/").data["results"]
        assert [(row["album_id"], row["points"]) for row in tally] == [
            (str(winner.album_id), 2),
            (str(other.album_id), 1),
        ]
        assert user_client.post(url + "close-poll/").status_code == 403
        response = admin_api_client.post(url + "close-poll/")
        assert response.status_code == 400
        assert "poll can only be closed" in response.data["message"]
        Week.objects.filter(pk=week.pk).update(poll_close_at=week.nominations_close_at)
        response = admin_api_client.post(url + "close-poll/")
        assert response.status_code == 200, response.data
        assert response.data["winner_album"]["id"] == str(winner.album_id)
        assert user_client.get(url + "rating-summary/").data["count"] == 0


class TestNominationAPI(MemberWritesMixin, CrudAPITests):
    model = Nomination
    factory = f.NominationFactory
    url_base = "club-api:nomination"
    brief_fields = ["user", "album"]

    def create_data(self):
        return {"week": str(f.WeekFactory().pk), "album_id": str(AlbumFactory().pk), "pitch": "Trust me"}

    def update_data(self):
        return {"pitch": "A better pitch"}

    def test_nominating_outside_the_phase_is_400_naming_the_phase(self, user_client):
        data = {**self.create_data(), "week": str(f.WeekFactory(poll=True).pk)}
        response = user_client.post(self.list_url(), data, format="json")
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "week"
        assert "poll open phase" in response.data["message"]

    def test_second_nomination_in_week_is_409(self, user_client):
        week = f.WeekFactory()
        first = user_client.post(self.list_url(), {"week": str(week.pk), "album_id": str(AlbumFactory().pk)})
        assert first.status_code == 201
        second = user_client.post(self.list_url(), {"week": str(week.pk), "album_id": str(AlbumFactory().pk)})
        assert second.status_code == 409  # a duplicate, as a race's loser gets it
        assert "already nominated" in second.data["message"]

    def test_filters_by_week_and_album(self, user_client):
        nomination = f.NominationFactory()
        f.NominationFactory()
        rows = user_client.get(self.list_url(), {"week_id": str(nomination.week_id)}).data["results"]
        assert [row["id"] for row in rows] == [str(nomination.pk)]
        rows = user_client.get(self.list_url(), {"album_id": str(nomination.album_id)}).data["results"]
        assert [row["id"] for row in rows] == [str(nomination.pk)]
        response = user_client.get(self.list_url(), {"week_id": "not-a-uuid"})
        assert response.status_code == 400 and response.data["errors"][0]["field"] == "week_id"


class TestVoteAPI(MemberWritesMixin, CrudAPITests):
    model = Vote
    factory = f.VoteFactory
    url_base = "club-api:vote"
    brief_fields = ["user", "week"]

    def create_data(self):
        return {"nomination": str(f.NominationFactory(week__poll=True).pk), "rank": 1}

    def update_data(self):
        return {"rank": 2}

    def test_voting_for_own_nomination_is_400(self, user_client):
        nomination = f.NominationFactory(week__poll=True, user=user_client.handler._force_user)
        response = user_client.post(self.list_url(), {"nomination": str(nomination.pk), "rank": 1})
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "nomination"

    def test_rank_outside_one_and_two_is_400(self, user_client):
        response = user_client.post(self.list_url(), {**self.create_data(), "rank": 3})
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "rank"

    def test_casting_the_same_rank_again_replaces_the_vote(self, user_client):
        week = f.WeekFactory(poll=True)
        a, b = f.NominationFactory(week=week), f.NominationFactory(week=week)
        assert user_client.post(self.list_url(), {"nomination": str(a.pk), "rank": 1}).status_code == 201
        assert user_client.post(self.list_url(), {"nomination": str(b.pk), "rank": 1}).status_code == 201
        assert list(Vote.objects.values_list("nomination_id", flat=True)) == [b.pk]

    def test_changing_a_votes_rank_replaces_the_vote_it_collides_with(self, user_client):
        week = f.WeekFactory(poll=True)
        a, b = f.NominationFactory(week=week), f.NominationFactory(week=week)
        first = user_client.post(self.list_url(), {"nomination": str(a.pk), "rank": 1}).data["id"]
        assert user_client.post(self.list_url(), {"nomination": str(b.pk), "rank": 2}).status_code == 201
        response = user_client.patch(f"{self.list_url()}{first}/", {"rank": 2}, format="json")
        assert response.status_code == 200, response.data
        assert list(Vote.objects.values_list("nomination_id", "rank")) == [(a.pk, 2)]

    def test_moving_a_vote_to_another_weeks_nomination_is_400(self, user_client):
        vote = f.VoteFactory(user=user_client.handler._force_user)
        other = f.NominationFactory(week__poll=True)
        response = user_client.patch(self.detail_url(vote), {"nomination": str(other.pk)}, format="json")
        assert response.status_code == 400 and response.data["errors"][0]["field"] == "nomination"


class TestRatingAPI(MemberWritesMixin, CrudAPITests):
    model = Rating
    factory = f.RatingFactory
    url_base = "club-api:rating"
    brief_fields = ["user", "album"]

    def create_data(self):
        return {"week": str(f.WeekFactory(ratings=True).pk), "value": "4.5", "review": "Gorgeous"}

    def update_data(self):
        return {"value": "3.5"}

    @pytest.mark.parametrize("value", ["5.5", "3.3", "0.5"])
    def test_rating_off_the_scale_is_400_naming_value(self, user_client, value):
        response = user_client.post(self.list_url(), {**self.create_data(), "value": value})
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "value"

    def test_rating_before_ratings_open_is_400(self, user_client):
        week = f.WeekFactory(poll=True)
        response = user_client.post(self.list_url(), {"week": str(week.pk), "value": "3.0"})
        assert response.status_code == 400
        assert "poll open phase" in response.data["message"]


class TestListenAPI(ReadOnlyMixin, CrudAPITests):
    model = ListenEvent
    factory = f.ListenEventFactory
    url_base = "club-api:listenevent"
    brief_fields = ["user", "track"]

    def test_filters_by_user_and_date_range(self, user_client):
        listen = f.ListenEventFactory()
        f.ListenEventFactory()
        rows = user_client.get(self.list_url(), {"user_id": str(listen.user_id)}).data["results"]
        assert [row["id"] for row in rows] == [str(listen.pk)]
        after = listen.played_at.isoformat()
        rows = user_client.get(self.list_url(), {"played_after": after, "user_id": str(listen.user_id)}).data["results"]
        assert len(rows) == 1
        rows = user_client.get(self.list_url(), {"played_before": after, "user_id": str(listen.user_id)}).data[
            "results"
        ]
        assert rows == []


class TestTasteProfileAPI(ReadOnlyMixin, CrudAPITests):
    model = TasteProfile
    factory = f.TasteProfileFactory
    url_base = "club-api:tasteprofile"
    brief_fields = ["user", "genre_histogram"]


class TestCompatibilityAPI(ReadOnlyMixin, CrudAPITests):
    model = Compatibility
    factory = f.CompatibilityFactory
    url_base = "club-api:compatibility"
    brief_fields = ["user_a", "user_b", "details"]


class TestRecommendationAPI(ReadOnlyMixin, CrudAPITests):
    model = UserRecommendation
    factory = f.UserRecommendationFactory
    url_base = "club-api:userrecommendation"
    brief_fields = ["user", "album", "reason"]


class TestFollowAPI(MemberWritesMixin, CrudAPITests):
    model = Follow
    factory = f.FollowFactory
    url_base = "club-api:follow"
    brief_fields = ["follower", "followee"]
    owner_field = "follower"
    test_update_changes_object = None

    def create_data(self):
        return {"followee_id": str(f.MemberFactory().pk)}

    def update_data(self):
        return {}

    def test_following_oneself_is_400_and_twice_409(self, user_client):
        me = user_client.handler._force_user
        response = user_client.post(self.list_url(), {"followee_id": str(me.pk)})
        assert response.status_code == 400 and "themselves" in response.data["message"]
        other = f.MemberFactory()
        assert user_client.post(self.list_url(), {"followee_id": str(other.pk)}).status_code == 201
        assert user_client.post(self.list_url(), {"followee_id": str(other.pk)}).status_code == 409


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_concurrent_nominations_by_one_member_answer_409_or_400_never_500():
    user, week = f.MemberFactory(), f.WeekFactory()
    albums = [AlbumFactory(), AlbumFactory(), AlbumFactory()]
    responses = run_concurrently(
        *[
            lambda album=album: client_for(user).post(
                "/api/club/nominations/", {"week": str(week.pk), "album_id": str(album.pk)}
            )
            for album in albums
        ]
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses[0] == 201 and set(statuses[1:]) <= {400, 409}, statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["message"] == "You have already nominated an album this week."
    assert Nomination.objects.filter(week=week, user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_place_votes_by_one_member_answer_201_and_409_never_500():
    voter, week = f.MemberFactory(), f.WeekFactory(poll=True)
    nominations = [f.NominationFactory(week=week) for _ in range(3)]
    responses = run_concurrently(
        *[
            lambda nomination=nomination: client_for(voter).post(
                "/api/club/votes/", {"nomination": str(nomination.pk), "rank": 1}
            )
            for nomination in nominations
        ]
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses[0] == 201 and set(statuses[1:]) <= {201, 409}, statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["message"] == "You already have a vote of this rank this week."
    assert Vote.objects.filter(week=week, user=voter, rank=1).count() == 1


@pytest.mark.django_db
class TestMemberAnalysisEndpoints:
    def test_taste_compatibility_and_recommendations_of_a_member(self, user_client):
        alice, bob = f.MemberFactory(), f.MemberFactory()
        shared = f.ListenEventFactory(user=alice)
        f.ListenEventFactory(user=bob, track=shared.track)
        discovery = AlbumFactory()
        for _ in range(3):
            f.ListenEventFactory(user=bob, track__album=discovery)
        assert user_client.get(f"/api/club/users/{alice.pk}/taste/").status_code == 404  # nothing computed yet
        assert client_for(alice).post(f"/api/club/users/{alice.pk}/taste/").status_code == 200
        taste = user_client.get(f"/api/club/users/{alice.pk}/taste/")
        assert taste.status_code == 200 and taste.data["listen_count"] == 1
        url = f"/api/club/users/{alice.pk}/compatibility/{bob.pk}/"
        assert user_client.get(url).status_code == 404
        assert client_for(bob).post(url).status_code == 200
        compat = user_client.get(url)
        assert compat.status_code == 200, compat.data
        assert 0 < compat.data["score"] <= 100
        assert compat.data["details"]["shared_album_count"] == 1
        assert user_client.get(f"/api/club/users/{alice.pk}/compatibility/{alice.pk}/").status_code == 400
        assert user_client.get(f"/api/club/users/{alice.pk}/recommendations/").data == []
        rows = client_for(alice).post(f"/api/club/users/{alice.pk}/recommendations/").data
        assert rows == user_client.get(f"/api/club/users/{alice.pk}/recommendations/").data
        assert [row["album"]["id"] for row in rows] == [str(discovery.pk)]
        assert "played it 3 times" in rows[0]["reason"]
        assert rating_free(rows)


def rating_free(rows):
    return all(Decimal(str(row["score"])) > 0 for row in rows)


@pytest.mark.django_db
class TestListenCursorPagination:
    def test_listens_page_by_cursor_without_counting_and_every_listen_comes_once(self, admin_api_client):
        listens = [f.ListenEventFactory() for _ in range(5)]
        listens += [f.ListenEventFactory(played_at=listens[2].played_at) for _ in range(3)]  # ties on the key
        url = reverse("club-api:listenevent-list")
        seen, response = [], admin_api_client.get(url, {"page_size": 3})
        assert "count" not in response.data
        while True:
            assert response.status_code == 200, response.data
            seen.extend(row["id"] for row in response.data["results"])
            if not response.data["next"]:
                break
            response = admin_api_client.get(response.data["next"])
        expected = sorted(listens, key=lambda listen: (listen.played_at, listen.pk), reverse=True)
        assert seen == [str(listen.pk) for listen in expected]
