"""The two vectors of a sample, computed from what the sample is, never made up.

``audio_features`` (128 numbers): the audio is decoded (soundfile), mixed to mono and
resampled to 22,050 Hz (soxr), a 64-band log-mel spectrogram is taken (2048-point Hann
STFT, hop 512, HTK mel scale with Slaney area normalisation, decibels relative to the
loudest bin, 80 dB floor; numpy, written out below so that nothing is JIT-compiled at
start-up), and for each band the mean
(centred on the mean over bands, so loudness does not matter) and the standard deviation
over time are kept. The 128 numbers are L2-normalised so cosine distance compares
spectral shape and movement. The same file always gives the same vector.

``style_embedding`` (512 numbers) comes from the sample's text (name, category, tags)
through a :class:`StyleEmbedder`. The default, :class:`HashingStyleEmbedder`, hashes
words, word pairs and character 3-5-grams into 512 signed buckets (the "hashing trick"),
weights them by 1 + log(count) and L2-normalises: deterministic, dependency-free, and
it puts "warm analog pad" near "analog pad, warm". A stronger model replaces it through
the ``CATALOG_STYLE_EMBEDDER`` setting (a dotted path to a class with ``dimensions`` and
``embed(text)``) without touching callers.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter
from typing import IO, Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

from catalog.models import AUDIO_FEATURES_DIMENSIONS, STYLE_EMBEDDING_DIMENSIONS

ANALYSIS_SAMPLE_RATE = 22050
N_FFT = 2048
HOP_LENGTH = 512
N_MELS = AUDIO_FEATURES_DIMENSIONS // 2
TOP_DB = 80.0


class AudioDecodeError(ValueError):
    """The bytes are not audio that can be decoded."""


def _l2_normalise(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def read_audio(file: IO[bytes] | str) -> tuple[np.ndarray, int]:
    """Decode audio (WAV, FLAC, OGG/Vorbis, MP3, …) to float32 frames x channels; AudioDecodeError otherwise."""
    import soundfile

    if hasattr(file, "seek"):
        file.seek(0)
    try:
        data, sample_rate = soundfile.read(file, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise AudioDecodeError(f"The file is not decodable audio ({exc}).") from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if data.shape[0] == 0:
        raise AudioDecodeError("The audio file holds no samples.")
    return data, int(sample_rate)


def _hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def _mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel) / 2595.0) - 1.0)


@functools.cache
def mel_filterbank(sample_rate: int = ANALYSIS_SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """Triangular filters (n_mels x n_fft/2+1) evenly spaced on the mel scale from 0 Hz to Nyquist."""
    fft_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sample_rate / 2), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (fft_hz[None, :] - lower) / (centre - lower)
    falling = (upper - fft_hz[None, :]) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (upper - lower))  # equal area per filter


def log_mel_spectrogram(mono: np.ndarray) -> np.ndarray:
    """Decibels (n_mels x frames) relative to the loudest bin, floored TOP_DB below it."""
    padded = np.pad(mono, N_FFT // 2, mode="reflect") if mono.shape[0] > N_FFT // 2 else np.pad(mono, N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP_LENGTH]
    window = np.hanning(N_FFT + 1)[:-1]
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = power @ mel_filterbank().T
    decibels = 10.0 * np.log10(np.maximum(mel, 1e-10))
    decibels -= decibels.max()
    return np.maximum(decibels, -TOP_DB).T


def audio_features_from_frames(data: np.ndarray, sample_rate: int) -> np.ndarray:
    """The 128-number audio feature vector of decoded audio (frames x channels)."""
    import soxr

    mono = data.mean(axis=1).astype(np.float64)
    if sample_rate != ANALYSIS_SAMPLE_RATE:
        mono = soxr.resample(mono, sample_rate, ANALYSIS_SAMPLE_RATE, quality="HQ")
    if mono.shape[0] < N_FFT:
        mono = np.pad(mono, (0, N_FFT - mono.shape[0]))
    if not np.any(mono):
        return np.zeros(AUDIO_FEATURES_DIMENSIONS, dtype=np.float32)
    log_mel = log_mel_spectrogram(mono)
    means = log_mel.mean(axis=1)
    vector = np.concatenate([means - means.mean(), log_mel.std(axis=1)])
    return _l2_normalise(vector).astype(np.float32)


def audio_features(file: IO[bytes] | str) -> np.ndarray:
    data, sample_rate = read_audio(file)
    return audio_features_from_frames(data, sample_rate)


class StyleEmbedder(Protocol):
    """What the catalog needs of a text embedding model."""

    dimensions: int

    def embed(self, text: str) -> np.ndarray: ...


class HashingStyleEmbedder:
    """Signed feature hashing of words, word pairs and character n-grams (see the module docstring)."""

    dimensions = STYLE_EMBEDDING_DIMENSIONS
    token_pattern = re.compile(r"[a-z0-9]+")

    def features(self, text: str) -> Counter:
        words = self.token_pattern.findall(text.lower())
        features: Counter = Counter()
        for word in words:
            features[f"w:{word}"] += 1
            padded = f"<{word}>"
            for n in (3, 4, 5):
                for start in range(max(1, len(padded) - n + 1)):
                    features[f"c{n}:{padded[start : start + n]}"] += 1
        for first, second in zip(sorted(words), sorted(words)[1:], strict=False):
            features[f"p:{first} {second}"] += 1
        return features

    def embed(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimensions, dtype=np.float32)
        for feature, count in self.features(text).items():
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimensions
            sign = 1.0 if digest[4] & 1 else -1.0
            weight = 1.0 + math.log(count)
            if feature.startswith("w:"):
                weight *= 2.0  # whole words say more than fragments
            vector[index] += sign * weight
        return _l2_normalise(vector)


def style_embedder() -> StyleEmbedder:
    path = getattr(settings, "CATALOG_STYLE_EMBEDDER", "catalog.embeddings.HashingStyleEmbedder")
    embedder = import_string(path)()
    if embedder.dimensions != STYLE_EMBEDDING_DIMENSIONS:
        raise ValueError(
            f"{path} makes {embedder.dimensions}-d vectors; the catalog stores {STYLE_EMBEDDING_DIMENSIONS}."
        )
    return embedder


def sha256_of(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
