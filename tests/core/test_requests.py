"""Every write request is atomic, whichever view performs it."""

from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.exceptions import ValidationError

from catalog.api.views import AlbumViewSet
from catalog.models import Album
from tests.catalog.factories import ArtistFactory


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
