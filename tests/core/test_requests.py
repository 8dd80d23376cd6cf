"""Every write request is atomic, whichever view performs it; reads run without a transaction."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.exceptions import ValidationError

from catalog.api.views import AlbumViewSet
from catalog.models import Album
from club.models import ListenEvent
from tests.catalog.factories import ArtistFactory
from tests.core.factories import UserFactory


@pytest.mark.django_db
def test_a_write_request_that_fails_after_writing_leaves_nothing_behind(admin_api_client):
    artist = ArtistFactory()
    original = AlbumViewSet.perform_create

    def create_then_fail(self, serializer):
        original(self, serializer)
        raise ValidationError({"genres": "failed after the album was stored"})

    with mock.patch.object(AlbumViewSet, "perform_create", create_then_fail):
        response = admin_api_client.post(
            reverse("catalog-api:album-list"), {"title": "Half Stored", "artist": str(artist.pk)}, format="json"
        )
    assert response.status_code == 400
    assert not Album.objects.filter(title="Half Stored").exists()


@pytest.mark.django_db
def test_a_plain_view_that_fails_after_writing_leaves_nothing_behind(client):
    """``/1/submit-listens`` is a Django view, not DRF: an exception after the listens are stored undoes them."""
    user = UserFactory()
    _, key = AuthToken.objects.create(user=user)
    listen = {"listened_at": 1_735_689_600, "track_metadata": {"artist_name": "Half", "track_name": "Stored"}}
    failing = mock.Mock(on_commit=mock.Mock(side_effect=RuntimeError("after the listens were stored")))
    with mock.patch("club.services.listens.transaction", failing):  # the submission service the view calls
        response = client.post(
            "/1/submit-listens",
            {"listen_type": "single", "payload": [listen]},
            content_type="application/json",
            headers={"authorization": f"Token {key}"},
        )
    assert response.status_code == 500
    assert failing.on_commit.called
    assert not ListenEvent.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_reads_run_without_a_transaction_and_writes_in_one(admin_api_client):
    """A read's transaction would only cost BEGIN and COMMIT; a write gets one (a savepoint inside a test's)."""
    artist = ArtistFactory()
    with CaptureQueriesContext(connection) as read:
        assert admin_api_client.get(reverse("catalog-api:album-list")).status_code == 200
    with CaptureQueriesContext(connection) as write:
        response = admin_api_client.post(
            reverse("catalog-api:album-list"), {"title": "Stored", "artist_id": str(artist.pk)}, format="json"
        )
        assert response.status_code == 201, response.data
    assert not [query for query in read if "SAVEPOINT" in query["sql"]]
    assert [query for query in write if "SAVEPOINT" in query["sql"]]


@pytest.mark.django_db
def test_a_refused_read_leaves_the_callers_transaction_usable(admin_api_client):
    """DRF's handler rolls back the request's transaction on an error; a read has none to roll back."""
    assert admin_api_client.get(reverse("catalog-api:album-list"), {"artist_id": "not-an-id"}).status_code == 400
    assert Album.objects.count() == 0
