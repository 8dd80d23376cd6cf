"""Soft delete honours ``on_delete``: PROTECT refuses (409, the admin's "cannot delete" page); CASCADE marks rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from amcs.models import Blueprint, Lyrics, ProducerNotes, Song, Style
from core.choices import MembershipRole
from core.models import Tenant
from tests.amcs.factories import BlueprintFactory, SongFactory
from tests.core.factories import MembershipFactory, TenantFactory, UserFactory


@pytest.fixture
def member_and_client(db):
    tenant, user = TenantFactory(), UserFactory()
    MembershipFactory(user=user, tenant=tenant, role=MembershipRole.MEMBER)
    client = APIClient()
    client.force_authenticate(user)
    return tenant, user, client


@pytest.mark.django_db
class TestSoftDeleteProtect:
    def test_deleting_a_blueprint_that_a_live_song_uses_is_refused_naming_the_song(self):
        song = SongFactory(title="Neon Nights")
        with pytest.raises(ProtectedError, match="Neon Nights"):
            song.blueprint.delete()
        assert Blueprint.objects.filter(pk=song.blueprint_id).exists()

    def test_queryset_delete_of_a_used_style_is_refused(self):
        song = SongFactory()
        with pytest.raises(ProtectedError):
            Style.objects.filter(pk=song.style_id).delete()
        assert Style.objects.filter(pk=song.style_id).exists()

    def test_deleted_songs_do_not_protect_their_blueprint(self):
        song = SongFactory()
        blueprint = song.blueprint
        Song.objects.filter(pk=song.pk).delete()
        Style.objects.filter(pk=song.style_id).delete()
        blueprint.delete()
        assert Blueprint.all_objects.get(pk=blueprint.pk).is_deleted

    def test_an_unused_blueprint_is_deleted(self):
        blueprint = BlueprintFactory()
        blueprint.delete()
        assert blueprint.is_deleted

    def test_owned_rows_are_marked_in_one_statement_per_model_and_restored_with_the_row(self):
        songs = [SongFactory() for _ in range(3)]
        assert Lyrics.objects.filter(song__in=songs).count() == 3
        ids = [song.pk for song in songs]
        with CaptureQueriesContext(connection) as queries:
            Song.objects.filter(pk__in=ids).delete()
        updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert len(updates) <= 5, updates  # songs, lyrics, notes, runs, composed prompts: one each, whatever the count
        assert not Lyrics.objects.filter(song__in=ids).exists()
        assert not ProducerNotes.objects.filter(song__in=ids).exists()
        Song.all_objects.filter(pk__in=ids).restore()
        assert Lyrics.objects.filter(song__in=ids).count() == 3

    def test_restoring_nothing_of_a_model_that_owns_its_own_rows_ends(self):
        """Comments own their replies (a self CASCADE): restoring an empty selection must not walk forever."""
        from audio_vcs.models import Comment, Composition

        assert Composition.all_objects.none().restore() == 0
        assert Comment.all_objects.filter(pk__in=[]).restore() == 0

    def test_deleting_a_tenant_marks_its_rows_and_restoring_brings_them_back(self):
        song = SongFactory()
        tenant = song.tenant
        tenant.delete()
        assert Song.all_objects.get(pk=song.pk).is_deleted
        Tenant.all_objects.get(pk=tenant.pk).restore()
        assert Song.objects.filter(pk=song.pk).exists()


@pytest.mark.django_db
class TestSoftDeleteProtectAPI:
    def test_deleting_a_used_blueprint_is_409_naming_the_song(self, member_and_client):
        tenant, member, member_client = member_and_client
        song = SongFactory(tenant=tenant, owner=member, title="Neon Nights")
        response = member_client.delete(reverse("amcs-api:blueprint-detail", args=[song.blueprint_id]))
        assert response.status_code == 409, response.data
        assert "Neon Nights" in response.data["message"]
        assert Blueprint.objects.filter(pk=song.blueprint_id).exists()

    def test_hard_delete_refused_by_protect_is_409_naming_the_referrer(self, admin_api_client):
        from tests.catalog.factories import AlbumFactory

        album = AlbumFactory(title="Blue Train")
        response = admin_api_client.delete(reverse("catalog-api:artist-detail", args=[album.artist_id]))
        assert response.status_code == 409, response.data
        assert "Blue Train" in response.data["message"]


@pytest.mark.django_db
class TestSoftDeleteProtectAdmin:
    def test_admin_delete_page_of_a_used_blueprint_says_it_cannot_be_deleted(self, client, superuser):
        client.force_login(superuser)
        song = SongFactory(title="Neon Nights")
        url = reverse("admin:amcs_blueprint_delete", args=[song.blueprint_id])
        response = client.get(url)
        assert response.status_code == 200
        assert "would require deleting the following protected related objects" in response.text
        assert "Neon Nights" in response.text
        client.post(url, {"post": "yes"})
        assert Blueprint.objects.filter(pk=song.blueprint_id).exists()

    def test_admin_bulk_delete_of_a_used_style_is_refused(self, client, superuser):
        client.force_login(superuser)
        song = SongFactory()
        url = reverse("admin:amcs_style_changelist")
        response = client.post(
            url, {"action": "delete_selected", "_selected_action": [str(song.style_id)], "post": "yes"}
        )
        assert response.status_code == 200
        assert Style.objects.filter(pk=song.style_id).exists()

    def test_admin_delete_of_an_unused_blueprint_marks_it(self, client, superuser):
        client.force_login(superuser)
        blueprint = BlueprintFactory()
        model_admin = admin.site._registry[Blueprint]
        assert model_admin.get_deleted_objects([blueprint], None)[3] == []
        client.post(reverse("admin:amcs_blueprint_delete", args=[blueprint.pk]), {"post": "yes"})
        assert Blueprint.all_objects.get(pk=blueprint.pk).is_deleted
