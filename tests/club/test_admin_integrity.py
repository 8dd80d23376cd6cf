"""The week page's nominations inline goes through the club services; broken JSON never breaks a page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from club.models import Nomination, NowPlaying
from core.testing import admin_form_data
from tests.club import factories as f
from tests.core.factories import UserFactory


@pytest.mark.django_db
class TestNominationsInline:
    def test_deleting_a_nomination_after_nominations_closed_is_refused_and_keeps_its_votes(self, admin_client):
        week = f.WeekFactory(poll=True)
        nomination = f.NominationFactory(week=week)
        f.VoteFactory(nomination=nomination, week=week, rank=1)
        url = reverse("admin:club_week_change", args=[week.pk])
        data = admin_form_data(admin_client.get(url))
        data["nominations-0-DELETE"] = "on"
        response = admin_client.post(url, data)
        assert response.status_code == 200  # the form again, with the error
        assert "Nominations are only open" in response.text
        assert Nomination.objects.filter(pk=nomination.pk).exists()
        assert nomination.votes.count() == 1

    def test_deleting_a_nomination_while_nominations_are_open_withdraws_it(self, admin_client):
        week = f.WeekFactory()
        nomination = f.NominationFactory(week=week)
        url = reverse("admin:club_week_change", args=[week.pk])
        data = admin_form_data(admin_client.get(url))
        data["nominations-0-DELETE"] = "on"
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        assert not Nomination.objects.filter(pk=nomination.pk).exists()

    def test_nominations_of_a_closed_week_cannot_be_deleted_from_their_own_page(self, admin_client):
        """The service refuses (as the API does): the page says why, never a bare 403 or a 500."""
        nomination = f.NominationFactory(week=f.WeekFactory(poll=True))
        url = reverse("admin:club_nomination_delete", args=[nomination.pk])
        response = admin_client.post(url, {"post": "yes"}, follow=True)
        assert response.status_code == 200
        assert any("Nominations are only open" in str(m) for m in response.context["messages"])
        changelist = reverse("admin:club_nomination_changelist")
        other = f.NominationFactory(week=f.WeekFactory())
        selected = [str(other.pk), str(nomination.pk)]
        response = admin_client.post(
            changelist, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}, follow=True
        )
        assert any("Nominations are only open" in str(m) for m in response.context["messages"])
        assert Nomination.objects.filter(pk__in=[nomination.pk, other.pk]).count() == 2  # all or nothing

    def test_nomination_autocomplete_costs_the_same_for_one_or_many_rows(
        self, admin_client, django_assert_max_num_queries
    ):
        week = f.WeekFactory()
        for _ in range(8):
            f.NominationFactory(week=week)
        url = reverse("admin:autocomplete")
        params = {"app_label": "club", "model_name": "vote", "field_name": "nomination", "term": ""}
        admin_client.get(url, params)
        with django_assert_max_num_queries(8):
            response = admin_client.get(url, params)
        assert response.status_code == 200 and len(response.json()["results"]) == 8


@pytest.mark.django_db
@pytest.mark.parametrize("metadata", [[], "text", {"artist_name": ["x"]}, 3])
def test_now_playing_with_metadata_that_is_not_an_object_still_has_a_name(admin_client, metadata):
    playing = NowPlaying.objects.create(user=UserFactory(), expires_at=timezone.now())
    NowPlaying.objects.filter(pk=playing.pk).update(track_metadata=metadata)
    playing.refresh_from_db()
    assert str(playing) == "? - ?"
    assert admin_client.get(reverse("admin:club_nowplaying_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:club_nowplaying_change", args=[playing.pk])).status_code == 200
