"""The vectors are computed from real audio and text, reproducibly, and mean what they should."""

import io

import numpy as np
import pytest

from catalog.embeddings import AudioDecodeError, HashingStyleEmbedder, audio_features, style_embedder
from tests.catalog.audio import encode_wav, hit, noise_wav, tone, tone_wav


def features(data: bytes) -> np.ndarray:
    return audio_features(io.BytesIO(data))


def cosine(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_audio_features_are_128_numbers_of_unit_length():
    vector = features(tone_wav(440))
    assert vector.shape == (128,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_same_audio_gives_same_vector():
    assert np.array_equal(features(tone_wav(440)), features(tone_wav(440)))


def test_tone_is_nearer_a_tone_of_near_pitch_than_white_noise():
    a440 = features(tone_wav(440))
    assert cosine(a440, features(tone_wav(466.16))) > cosine(a440, features(noise_wav())) + 0.5
    assert cosine(a440, features(tone_wav(466.16))) > cosine(a440, features(tone_wav(880)))


def test_drum_hits_are_nearer_each_other_than_tones():
    kick = features(encode_wav(hit(60, noisiness=0.2), 22050))
    other_kick = features(encode_wav(hit(70, noisiness=0.3, seed=1), 22050))
    assert cosine(kick, other_kick) > cosine(kick, features(tone_wav(440)))


def test_sample_rate_and_loudness_do_not_change_the_vector_much():
    base = features(tone_wav(440))
    assert cosine(base, features(tone_wav(440, sample_rate=44100))) > 0.98
    quiet = encode_wav(tone(440) * 0.1, 22050)
    assert cosine(base, features(quiet)) > 0.99


def test_stereo_and_very_short_clips_are_handled():
    stereo = np.stack([tone(440, 0.05), tone(440, 0.05)], axis=1)
    assert features(encode_wav(stereo, 22050)).shape == (128,)
    silence = encode_wav(np.zeros(4000, dtype=np.float32), 22050)
    assert not np.any(features(silence))


def test_non_audio_bytes_raise_a_decode_error():
    with pytest.raises(AudioDecodeError):
        features(b"this is not audio at all")


def test_style_embedder_relates_texts_that_share_words():
    embedder = HashingStyleEmbedder()
    pad = embedder.embed("warm analog pad")
    assert pad.shape == (512,)
    assert np.linalg.norm(pad) == pytest.approx(1.0, abs=1e-5)
    assert cosine(pad, embedder.embed("analog pad, warm")) > 0.99
    assert cosine(pad, embedder.embed("warm pads")) > cosine(pad, embedder.embed("snare drum one-shot"))
    assert np.array_equal(pad, embedder.embed("warm analog pad"))


def test_style_embedder_is_replaceable_through_settings(settings):
    class Tiny:
        dimensions = 3

        def embed(self, text):
            return np.ones(3)

    settings.CATALOG_STYLE_EMBEDDER = "tests.catalog.test_embeddings.TinyEmbedder"
    globals()["TinyEmbedder"] = Tiny
    with pytest.raises(ValueError, match="512"):
        style_embedder()
