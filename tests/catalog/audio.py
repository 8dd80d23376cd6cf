"""Real audio for tests and demo data: tones and noise synthesised with numpy, encoded with soundfile."""

import io

import numpy as np
import soundfile


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def tone(frequency: float, seconds: float = 1.0, sample_rate: int = 22050, harmonics: int = 3) -> np.ndarray:
    """A tone with a few harmonics and a gentle fade, so it sounds like an instrument rather than a test signal."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    signal = sum(np.sin(2 * np.pi * frequency * (k + 1) * t) / (k + 1) for k in range(harmonics))
    envelope = np.minimum(1.0, np.minimum(t / 0.01, (seconds - t) / 0.05))
    return (0.3 * signal * envelope).astype(np.float32)


def noise(seconds: float = 1.0, sample_rate: int = 22050, seed: int = 0) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).uniform(-1, 1, int(seconds * sample_rate))).astype(np.float32)


def tone_wav(frequency: float, seconds: float = 1.0, sample_rate: int = 22050) -> bytes:
    return encode_wav(tone(frequency, seconds, sample_rate), sample_rate)


def noise_wav(seconds: float = 1.0, sample_rate: int = 22050, seed: int = 0) -> bytes:
    return encode_wav(noise(seconds, sample_rate, seed), sample_rate)


def chord(frequencies: list[float], seconds: float = 1.0, sample_rate: int = 22050) -> np.ndarray:
    return (sum(tone(f, seconds, sample_rate) for f in frequencies) / len(frequencies)).astype(np.float32)


def hit(frequency: float, seconds: float = 0.5, sample_rate: int = 22050, noisiness: float = 0.5, seed: int = 0):
    """A decaying drum-like hit: a pitched thump plus a burst of noise."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    body = np.sin(2 * np.pi * frequency * t * (1 + 0.5 * np.exp(-t * 30)))
    burst = np.random.default_rng(seed).uniform(-1, 1, t.shape[0])
    return (0.5 * ((1 - noisiness) * body + noisiness * burst) * np.exp(-t * 12)).astype(np.float32)
