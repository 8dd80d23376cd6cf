import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from procrastinate.contrib.django.models import ProcrastinateJob

from catalog import services
from catalog.models import Sample
from tests.catalog.audio import noise_wav, tone_wav
from tests.catalog.factories import SampleFactory

pytestmark = pytest.mark.django_db


def wav(frequency=440.0, name="clip.wav", **kwargs):
    return ContentFile(tone_wav(frequency, **kwargs), name=name)


def test_sample_create_reads_metadata_and_embeds():
    sample = services.sample_create(name="A4", category="synth", tags=["Tone"], audio_file=wav(seconds=0.5))
    sample.refresh_from_db()
    assert (sample.sample_rate, sample.channels, sample.duration_seconds) == (22050, 1, 0.5)
    assert len(sample.audio_features) == 128 and len(sample.style_embedding) == 512
    assert sample.embedded_audio_sha256 == sample.audio_sha256 != ""
    assert not Sample.objects.missing_embeddings().filter(pk=sample.pk).exists()


def test_sample_create_refuses_non_audio_and_writes_nothing(media_root):
    with pytest.raises(ValidationError) as error:
        services.sample_create(name="Bad", audio_file=ContentFile(b"MZ\x90\x00 not audio", name="bad.wav"))
    assert error.value.message_dict == {"audio_file": [services.ERROR_NOT_AUDIO]}
    assert not Sample.all_objects.exists()
    assert not any(media_root.rglob("*.wav")) if media_root.exists() else True


def test_large_upload_is_embedded_by_a_background_job(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_EMBED_MAX_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        sample = services.sample_create(name="Big", audio_file=wav())
    assert sample.audio_features is None
    job = ProcrastinateJob.objects.get(task_name="catalog.embed_sample")
    assert job.args == {"sample_id": str(sample.pk)}
    from catalog.tasks import embed_sample

    assert embed_sample(sample_id=str(sample.pk)) is True
    assert embed_sample(sample_id=str(sample.pk)) is False  # idempotent
    sample.refresh_from_db()
    assert sample.audio_features is not None


def test_renaming_a_sample_refreshes_its_style_embedding_only():
    sample = services.sample_create(name="Warm pad", tags=["pad"], audio_file=wav())
    audio_before, style_before = np.array(sample.audio_features), np.array(sample.style_embedding)
    services.sample_update(sample=sample, data={"name": "Snare drum", "tags": ["snare"]})
    sample.refresh_from_db()
    assert np.allclose(np.array(sample.audio_features), audio_before, atol=1e-6)
    assert not np.array_equal(np.array(sample.style_embedding), style_before)


def test_replacing_audio_refreshes_audio_features():
    sample = services.sample_create(name="Swap", audio_file=wav(440))
    before = np.array(sample.audio_features)
    services.sample_update(sample=sample, data={"audio_file": ContentFile(noise_wav(), name="noise.wav")})
    sample.refresh_from_db()
    assert not np.allclose(np.array(sample.audio_features), before)


def test_sample_embed_finds_stale_vectors_and_leaves_fresh_ones():
    sample = SampleFactory()
    assert Sample.objects.missing_embeddings().filter(pk=sample.pk).exists()
    assert services.sample_embed(sample=sample) is True
    assert services.sample_embed(sample=sample) is False
    Sample.objects.filter(pk=sample.pk).update(tags=["changed"])
    sample.refresh_from_db()
    assert services.sample_embed(sample=sample) is True


def test_similar_orders_by_audio_likeness():
    near = {}
    for frequency in (440.0, 466.16, 493.88, 880.0):
        near[frequency] = services.sample_create(name=f"Tone {frequency}", audio_file=wav(frequency))
    noise = services.sample_create(name="Noise", audio_file=ContentFile(noise_wav(), name="n.wav"))
    neighbours = services.sample_similar(sample=near[440.0], by="audio", k=4)
    names = [sample.name for sample in neighbours]
    assert names[0] == "Tone 466.16"
    assert names.index("Noise") > names.index("Tone 466.16")
    assert near[440.0].pk not in [sample.pk for sample in neighbours]
    assert all(a.distance <= b.distance for a, b in zip(neighbours, neighbours[1:], strict=False))
    assert noise.pk in [sample.pk for sample in neighbours]


def test_similar_without_vectors_is_a_clear_error():
    with pytest.raises(ValidationError, match="no audio vector"):
        services.sample_similar(sample=SampleFactory(), by="audio", k=5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([0.1] * 127, "got 127 values"),
        ("abc", "got str"),
        ([0.1] * 127 + ["x"], "finite numbers"),
        ([True] * 128, "finite"),
    ],
)
def test_parse_vector_rejects_bad_input(value, message):
    with pytest.raises(ValidationError, match=message):
        services.parse_vector(value=value, by="audio")


def test_nearest_widens_the_hnsw_search_when_k_exceeds_it(monkeypatch):
    for frequency in (440.0, 466.16, 493.88):
        services.sample_create(name=f"Tone {frequency}", audio_file=wav(frequency))
    monkeypatch.setattr(services, "HNSW_EF_SEARCH", 1)
    vector = list(Sample.objects.get(name="Tone 440.0").audio_features)
    assert len(services.sample_nearest(vector=vector, by="audio", k=3)) == 3
