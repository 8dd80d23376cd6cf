"""The club admin: week pages with nominations, tally and rating summary; rules met through the services."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from club.admin import LinkedAccountAdmin, WeekAdmin
from club.models import LinkedAccount, Nomination, Rating, Vote, Week
from tests.catalog.factories import AlbumFactory, TrackFactory
from tests.club import factories as f
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_week_change_page_shows_nominations_tally_and_rating_summary(admin_client):
    week = f.WeekFactory(poll=True)
    nomination = f.NominationFactory(week=week, album__title="Loveless")
    f.VoteFactory(nomination=nomination, rank=1)
    page = admin_client.get(reverse("admin:club_week_change", args=[week.pk])).content.decode()
    assert "Loveless" in page and "<th>Points</th>" in page
    rated = f.RatingFactory(value=Decimal("4.5"))
    f.RatingFactory(week=rated.week, value=Decimal("3.5"))
    summary = WeekAdmin(Week, admin.site).rating_summary(rated.week)
    assert "2 ratings, mean 4.0, median 4.0" in summary and "4.5: 1" in summary
    assert WeekAdmin(Week, admin.site).rating_summary(f.WeekFactory()) == "No ratings yet."


def test_close_poll_action_sets_the_winner_or_reports_why_not(admin_client):
    week = f.WeekFactory(winner=True)
    vote = f.VoteFactory(nomination=f.NominationFactory(week=week))
    empty = f.WeekFactory(winner=True)
    response = admin_client.post(
        reverse("admin:club_week_changelist"),
        {"action": "close_poll", "_selected_action": [str(week.pk), str(empty.pk)]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("poll closed" in m for m in messages) and any("Nobody has voted" in m for m in messages)
    week.refresh_from_db()
    assert week.winner_album_id == vote.nomination.album_id


def test_nomination_added_in_admin_meets_the_phase_rule(admin_client):
    closed = f.WeekFactory(poll=True)
    outsider = UserFactory()
    data = {"week": str(closed.pk), "user": str(outsider.pk), "album": str(AlbumFactory().pk)}
    response = admin_client.post(reverse("admin:club_nomination_add"), data)
    assert response.status_code == 200 and "Only members of this week" in response.content.decode()
    f.join_club(outsider)
    response = admin_client.post(reverse("admin:club_nomination_add"), data)
    assert response.status_code == 200 and "Nominations are only open" in response.content.decode()
    open_week = f.WeekFactory()
    response = admin_client.post(reverse("admin:club_nomination_add"), {**data, "week": str(open_week.pk)})
    assert response.status_code == 302
    nomination = Nomination.objects.get(week=open_week)
    response = admin_client.post(
        reverse("admin:club_nomination_change", args=[nomination.pk]),
        {**data, "week": str(open_week.pk), "pitch": "Edited in the admin"},
    )
    assert response.status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).pitch == "Edited in the admin"


def test_votes_are_cast_through_the_service_and_read_only_afterwards(admin_client):
    nomination = f.NominationFactory(week__poll=True)
    own = {"nomination": str(nomination.pk), "user": str(nomination.user_id), "rank": "1"}
    response = admin_client.post(reverse("admin:club_vote_add"), own)
    assert "your own nomination" in response.content.decode()
    voter = UserFactory()
    f.join_club(voter)
    response = admin_client.post(reverse("admin:club_vote_add"), {**own, "user": str(voter.pk)})
    assert response.status_code == 302
    vote = Vote.objects.get(user=voter)
    assert vote.week_id == nomination.week_id
    change = admin_client.get(reverse("admin:club_vote_change", args=[vote.pk]))
    assert change.status_code == 200 and "Save" not in change.content.decode().split("submit-row")[-1][:200]
    assert admin_client.post(reverse("admin:club_vote_delete", args=[vote.pk]), {"post": "yes"}).status_code == 403


def test_rating_added_in_admin_rates_the_winner(admin_client):
    week = f.WeekFactory(ratings=True)
    user = f.MemberFactory()
    response = admin_client.post(
        reverse("admin:club_rating_add"), {"week": str(week.pk), "user": str(user.pk), "value": "4.5", "review": "Yes"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rating = Rating.objects.get(user=user)
    assert rating.album_id == week.winner_album_id
    response = admin_client.post(
        reverse("admin:club_rating_change", args=[rating.pk]),
        {"week": str(week.pk), "user": str(user.pk), "value": "3.0", "review": "Less so"},
    )
    assert response.status_code == 302
    assert Rating.objects.get(pk=rating.pk).value == Decimal("3.0")


def test_linked_account_admin_never_shows_tokens(admin_client):
    account = f.LinkedAccountFactory(access_token="very-secret-token")
    for url in (
        reverse("admin:club_linkedaccount_changelist"),
        reverse("admin:club_linkedaccount_change", args=[account.pk]),
    ):
        assert "very-secret-token" not in admin_client.get(url).content.decode()
    assert LinkedAccountAdmin(LinkedAccount, admin.site).has_token(account) is True


@pytest.mark.parametrize(
    "factory",
    [
        f.WeekFactory,
        f.NominationFactory,
        f.RatingFactory,
        f.ListenEventFactory,
        f.TasteProfileFactory,
        f.FollowFactory,
        f.CompatibilityFactory,
        f.UserRecommendationFactory,
    ],
    ids=lambda factory: factory.__name__,
)
def test_change_pages_load(admin_client, factory):
    obj = factory()
    info = obj._meta.app_label, obj._meta.model_name
    assert admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200


def test_rating_with_a_track_of_another_album_is_a_form_error_not_a_500(admin_client):
    week = f.WeekFactory(ratings=True)
    data = {"week": str(week.pk), "user": str(f.MemberFactory().pk), "value": "4.0", "favorite_track": ""}
    response = admin_client.post(reverse("admin:club_rating_add"), {**data, "favorite_track": str(TrackFactory().pk)})
    assert response.status_code == 200
    assert "winning album" in response.content.decode()
    assert not Rating.objects.exists()
    track = TrackFactory(album=week.winner_album)
    response = admin_client.post(reverse("admin:club_rating_add"), {**data, "favorite_track": str(track.pk)})
    assert response.status_code == 302


def test_nomination_and_rating_stay_in_their_week_and_with_their_member(admin_client):
    nomination = f.NominationFactory()
    data = {"week": str(f.WeekFactory().pk), "user": str(nomination.user_id), "album": str(nomination.album_id)}
    response = admin_client.post(reverse("admin:club_nomination_change", args=[nomination.pk]), data)
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    assert Nomination.objects.get(pk=nomination.pk).week_id == nomination.week_id
    rating = f.RatingFactory()
    data = {"week": str(rating.week_id), "user": str(UserFactory().pk), "value": "2.0"}
    response = admin_client.post(reverse("admin:club_rating_change", args=[rating.pk]), data)
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    assert Rating.objects.get(pk=rating.pk).user_id == rating.user_id


def test_an_invalid_week_add_form_comes_back_with_its_errors_not_a_500(admin_client):
    """The phase, tally and summary columns read a saved week only (an unsaved one already has its id)."""
    response = admin_client.post(reverse("admin:club_week_add"), {"label": "WEEK 001", "week_number": "1"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Week.objects.exists()


def test_second_rank_vote_on_a_nomination_already_voted_for_is_a_clear_form_error(client):
    """A member's 2nd-rank vote on the nomination that has their 1st: the admin refuses it on the page with the
    rule's message (one nomination never gets both of a member's ranks); the 1st-rank vote stays as it was."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="club"))
    first = f.VoteFactory(rank=1)
    f.join_club(staff, first.week.club)
    client.force_login(staff)
    data = {"nomination": str(first.nomination_id), "user": str(first.user_id), "rank": 2}
    response = client.post(reverse("admin:club_vote_add"), data)
    assert response.status_code == 200
    assert "You already voted for this nomination." in str(response.context["adminform"].form.errors)
    assert list(Vote.objects.values_list("pk", "rank")) == [(first.pk, 1)]
