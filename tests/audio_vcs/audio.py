"""Real audio and MIDI files made in code for the tests (and the demo data): tones written with soundfile,
a MIDI file written with mido."""

from __future__ import annotations

import io

import mido
import numpy as np
import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile


def tone(
    frequency: float = 440.0,
    *,
    seconds: float = 0.25,
    rate: int = 22_050,
    channels: int = 1,
    fmt: str = "WAV",
    amplitude: float = 0.3,
) -> bytes:
    """A sine tone as an audio file's bytes (WAV by default)."""
    t = np.arange(int(seconds * rate)) / rate
    signal = (amplitude * np.sin(2 * np.pi * frequency * t)).astype("float32")
    data = np.repeat(signal[:, None], channels, axis=1)
    out = io.BytesIO()
    soundfile.write(out, data, rate, format=fmt, subtype="PCM_16" if fmt in ("WAV", "FLAC") else None)
    return out.getvalue()


def upload(data: bytes, name: str = "stem.wav", content_type: str = "audio/wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def midi_file(*, bpm: float = 96.0, numerator: int = 3, denominator: int = 4, key: str = "Am") -> bytes:
    """A two-track Standard MIDI File: a melody and a drum part, a tempo change and a meter."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    conductor = mido.MidiTrack(
        [
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0),
            mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator, time=0),
            mido.MetaMessage("key_signature", key=key, time=0),
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm * 1.25), time=480 * 4),
        ]
    )
    melody = mido.MidiTrack([mido.MetaMessage("track_name", name="Melody", time=0)])
    melody.append(mido.Message("program_change", channel=0, program=5, time=0))
    for pitch in (57, 60, 64, 67):
        melody.append(mido.Message("note_on", channel=0, note=pitch, velocity=90, time=0))
        melody.append(mido.Message("note_off", channel=0, note=pitch, velocity=0, time=480))
    drums = mido.MidiTrack([mido.MetaMessage("track_name", name="Drums", time=0)])
    for _ in range(4):
        drums.append(mido.Message("note_on", channel=9, note=36, velocity=110, time=0))
        drums.append(mido.Message("note_on", channel=9, note=36, velocity=0, time=240))
        drums.append(mido.Message("note_on", channel=9, note=42, velocity=80, time=0))
        drums.append(mido.Message("note_off", channel=9, note=42, velocity=0, time=240))
    midi.tracks.extend([conductor, melody, drums])
    out = io.BytesIO()
    midi.save(file=out)
    return out.getvalue()
