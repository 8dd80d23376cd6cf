"""A song's soft delete and restore honour PROTECT on every path: instance, queryset, service, API and admin."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

import core.admin
import core.models
from amcs import services
from amcs.models import Lyrics, Song, WorkflowRun
from tests.amcs.factories import PersonaFactory, SongFactory, WorkflowRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrer(monkeypatch):
    """A live row that PROTECTs the songs being deleted. No model refers to songs with PROTECT today; the check is
    core's (``protected_referrers``), so the test stands one in to show that every path of a song asks it."""
    row = PersonaFactory(name="Keeper")
    real = core.models.protected_referrers

    def protected_referrers(plan):
        return [row] if Song in plan else real(plan)

    monkeypatch.setattr(core.models, "protected_referrers", protected_referrers)
    monkeypatch.setattr(core.admin, "protected_referrers", protected_referrers)
    return row


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(lambda song: song.delete(), id="instance"),
        pytest.param(lambda song: Song.objects.filter(pk=song.pk).delete(), id="queryset"),
        pytest.param(lambda song: services.song_delete(song=song), id="service"),
    ],
)
def test_song_delete_refuses_while_a_live_row_protects_it(referrer, delete):
    song = SongFactory()
    with pytest.raises(ProtectedError, match='persona "Keeper"'):
        delete(song)
    assert Song.objects.filter(pk=song.pk).exists() and Lyrics.objects.filter(song=song).exists()


def test_song_delete_through_the_api_is_a_409_naming_the_referrer(referrer, member_client, tenant, member):
    song = SongFactory(tenant=tenant, owner=member)
    response = member_client.delete(f"/api/amcs/songs/{song.pk}/")
    assert response.status_code == 409, response.data
    assert 'persona "Keeper"' in response.data["message"]
    assert Song.objects.filter(pk=song.pk).exists()


def test_song_delete_in_the_admin_is_the_cannot_delete_page(referrer, admin_client):
    song = SongFactory()
    page = admin_client.get(reverse("admin:amcs_song_delete", args=[song.pk]))
    assert "would require deleting the following protected related objects" in page.content.decode()
    admin_client.post(reverse("admin:amcs_song_delete", args=[song.pk]), {"post": "yes"})
    changelist = reverse("admin:amcs_song_changelist")
    page = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [str(song.pk)]})
    assert "would require deleting the following protected related objects" in page.content.decode()
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [str(song.pk)], "post": "yes"})
    assert Song.objects.filter(pk=song.pk).exists()


@pytest.fixture
def song_of_deleted_persona():
    """A song deleted (with its run), and then its persona: restoring the song would refer to a deleted persona."""
    persona = PersonaFactory(name="Gone")
    song = SongFactory(persona=persona, tenant=persona.tenant, owner=persona.owner)
    WorkflowRunFactory(song=song, tenant=song.tenant, owner=song.owner)
    song.delete()
    persona.delete()
    return Song.all_objects.get(pk=song.pk)


@pytest.mark.parametrize(
    "restore",
    [
        pytest.param(lambda song: song.restore(), id="instance"),
        pytest.param(lambda song: Song.all_objects.filter(pk=song.pk).restore(), id="queryset"),
        pytest.param(lambda song: services.song_restore(song=song), id="service"),
    ],
)
def test_song_restore_refuses_while_its_persona_is_deleted(song_of_deleted_persona, restore):
    song = song_of_deleted_persona
    with pytest.raises(ProtectedError, match='persona "Gone" it refers to is deleted'):
        restore(song)
    assert not Song.objects.filter(pk=song.pk).exists() and not WorkflowRun.objects.filter(song=song).exists()
    song.persona.restore()
    restore(song)
    assert Song.objects.filter(pk=song.pk).exists() and WorkflowRun.objects.filter(song=song).exists()


def test_song_restore_in_the_admin_says_why_it_did_not(song_of_deleted_persona, admin_client):
    song = song_of_deleted_persona
    response = admin_client.post(
        f"{reverse('admin:amcs_song_changelist')}?deleted=yes",
        {"action": "restore_selected", "_selected_action": [str(song.pk)]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any('persona "Gone" it refers to is deleted' in message for message in messages), messages
    assert not Song.objects.filter(pk=song.pk).exists()
