import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from catalog import services
from catalog.models import Sample
from tests.catalog.audio import tone_wav
from tests.catalog.factories import AlbumFactory, SampleFactory, TrackFactory

pytestmark = pytest.mark.django_db


def test_album_page_shows_tracks_inline(admin_client):
    album = AlbumFactory()
    TrackFactory(album=album, title="Inline Track")
    response = admin_client.get(reverse("admin:catalog_album_change", args=[album.pk]))
    assert response.status_code == 200
    assert "Inline Track" in response.content.decode()
    changelist = admin_client.get(reverse("admin:catalog_album_changelist"))
    assert changelist.status_code == 200


def test_sample_upload_through_admin_is_decoded_and_embedded(admin_client):
    response = admin_client.post(
        reverse("admin:catalog_sample_add"),
        {
            "name": "Admin tone",
            "category": "synth",
            "audio_file": SimpleUploadedFile("t.wav", tone_wav(330)),
            "tags": "warm,tone",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    sample = Sample.objects.get(name="Admin tone")
    assert sample.audio_features is not None and sample.tags == ["tone", "warm"]


def test_sample_upload_of_non_audio_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:catalog_sample_add"),
        {"name": "Bad", "category": "synth", "audio_file": SimpleUploadedFile("b.wav", b"garbage"), "tags": ""},
    )
    assert response.status_code == 200
    assert "not decodable audio" in str(response.context["adminform"].form.errors["audio_file"])
    assert not Sample.all_objects.exists()


def test_sample_page_plays_audio_and_lists_nearest_neighbours(admin_client):
    base = services.sample_create(name="Base tone", audio_file=SimpleUploadedFile("a.wav", tone_wav(440)))
    services.sample_create(name="Neighbour tone", audio_file=SimpleUploadedFile("b.wav", tone_wav(466)))
    page = admin_client.get(reverse("admin:catalog_sample_change", args=[base.pk])).content.decode()
    assert "<audio controls" in page
    assert "Neighbour tone" in page and "distance 0." in page
    unembedded = SampleFactory()
    page = admin_client.get(reverse("admin:catalog_sample_change", args=[unembedded.pk])).content.decode()
    assert "Not embedded yet" in page


def test_sample_edit_in_admin_refreshes_style_vector(admin_client):
    sample = services.sample_create(name="Old", audio_file=SimpleUploadedFile("a.wav", tone_wav(440)))
    before = list(sample.style_embedding)
    response = admin_client.post(
        reverse("admin:catalog_sample_change", args=[sample.pk]),
        {"name": "Completely different", "category": "fx", "tags": "noise"},
    )
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.name == "Completely different" and list(sample.style_embedding) != before


def test_embed_samples_command_fills_missing_vectors_and_is_resumable():
    SampleFactory.create_batch(3)
    out = io.StringIO()
    call_command("embed_samples", stdout=out, verbosity=0)
    assert "3 sample(s) embedded" in out.getvalue()
    assert not Sample.objects.missing_embeddings().exists()
    call_command("embed_samples", stdout=out, verbosity=0)
    assert "0 sample(s) embedded, 0 already" in out.getvalue()
    call_command("embed_samples", "--all", stdout=out, verbosity=0)
    assert "3 sample(s) embedded" in out.getvalue().splitlines()[-1]


def test_seed_demo_builds_a_catalog_with_real_vectors():
    call_command("seed_demo", stdout=io.StringIO())
    assert Sample.objects.count() >= 24
    assert not Sample.objects.missing_embeddings().exists()
    tone = Sample.objects.get(name="Tone A4")
    neighbours = services.sample_similar(sample=tone, by="audio", k=3)
    assert all(n.category in ("synth", "keys") for n in neighbours)


@pytest.mark.django_db
def test_two_tracks_at_one_position_in_the_album_page_are_a_form_error_not_a_500(admin_client):
    from django.urls import reverse

    from catalog.models import Track
    from core.testing import admin_form_data
    from tests.catalog.factories import AlbumFactory, TrackFactory

    album = AlbumFactory()
    TrackFactory(album=album, disc_number=1, track_number=1)
    TrackFactory(album=album, disc_number=1, track_number=2)
    url = reverse("admin:catalog_album_change", args=[album.pk])
    data = admin_form_data(admin_client.get(url))
    prefix = next(key[: -len("-TOTAL_FORMS")] for key in data if key.endswith("-TOTAL_FORMS"))
    for index, title in [(2, "New A"), (3, "New B")]:  # two new tracks, both at position 3
        data.update(
            {
                f"{prefix}-{index}-disc_number": "1",
                f"{prefix}-{index}-track_number": "3",
                f"{prefix}-{index}-title": title,
                f"{prefix}-{index}-album": str(album.pk),
            }
        )
    data[f"{prefix}-TOTAL_FORMS"] = "4"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This album already has a track at this disc and position." in response.text
    assert sorted(Track.objects.filter(album=album).values_list("track_number", flat=True)) == [1, 2]
    assert not Track.objects.filter(title__startswith="New ").exists()


@pytest.mark.parametrize("name", ["Slowdive", "  SLOWDIVE "])
def test_an_artist_whose_name_exists_is_a_form_error_naming_the_rule(admin_client, name):
    """The name key (``name_key``, filled from the name) is unique among artists without a MusicBrainz id: the
    admin form checks it like the API does, with the rule's own message (not a concurrent-save refusal)."""
    from catalog.models import Artist
    from tests.catalog.factories import ArtistFactory

    ArtistFactory(name="Slowdive", mbid=None)
    response = admin_client.post(reverse("admin:catalog_artist_add"), {"name": name, "sort_name": ""})
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors)
    assert "An artist with this name exists" in errors and "saved at the same time" not in errors
    assert Artist.objects.count() == 1
