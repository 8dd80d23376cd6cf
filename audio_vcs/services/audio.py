"""Audio files: decode and describe uploads (soundfile), store blobs once by SHA-256 (race-safe)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass

import soundfile
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audio_vcs.constants import MAX_STEM_BYTES
from audio_vcs.models import Blob

NOT_AUDIO = "'{name}' is not an audio file that can be decoded ({reason})."
TOO_BIG = "'{name}' is larger than {limit} MB."
EMPTY_AUDIO = "'{name}' holds no audio frames."

MEDIA_TYPES = {
    "WAV": "audio/wav",
    "WAVEX": "audio/wav",
    "RF64": "audio/wav",
    "FLAC": "audio/flac",
    "OGG": "audio/ogg",
    "MP3": "audio/mpeg",
    "AIFF": "audio/aiff",
    "CAF": "audio/x-caf",
    "W64": "audio/x-w64",
}
EXTENSIONS = {"WAV": "wav", "WAVEX": "wav", "RF64": "wav", "FLAC": "flac", "OGG": "ogg", "MP3": "mp3", "AIFF": "aiff"}


@dataclass(frozen=True)
class AudioInfo:
    sha256: str
    size: int
    audio_format: str
    media_type: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def read_upload(upload, *, field: str = "stems") -> tuple[str, bytes]:
    """The name and bytes of an uploaded file (or a ``(name, bytes)`` pair), refusing oversize files."""
    if isinstance(upload, tuple):
        name, data = upload
    else:
        name = getattr(upload, "name", "upload") or "upload"
        if getattr(upload, "size", 0) and upload.size > MAX_STEM_BYTES:
            raise ValidationError({field: [TOO_BIG.format(name=name, limit=MAX_STEM_BYTES // 2**20)]})
        upload.seek(0)
        data = upload.read()
    if len(data) > MAX_STEM_BYTES:
        raise ValidationError({field: [TOO_BIG.format(name=name, limit=MAX_STEM_BYTES // 2**20)]})
    return os.path.basename(str(name))[:200], data


def probe(data: bytes, *, name: str, field: str = "stems") -> AudioInfo:
    """Decode the whole file with soundfile and describe it; anything that is not audio is a 400 naming the file."""
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            frames = 0
            for block in sound.blocks(blocksize=1 << 16, dtype="float32", always_2d=True):
                frames += len(block)
            audio_format, sample_rate, channels = sound.format, sound.samplerate, sound.channels
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise ValidationError({field: [NOT_AUDIO.format(name=name, reason=reason)]}, code="not_audio") from error
    if frames == 0:
        raise ValidationError({field: [EMPTY_AUDIO.format(name=name)]}, code="not_audio")
    return AudioInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        audio_format=audio_format,
        media_type=MEDIA_TYPES.get(audio_format, f"audio/x-{audio_format.lower()}"),
        sample_rate=sample_rate,
        channels=channels,
        frames=frames,
    )


def _write_once(name: str, data: bytes) -> str:
    """Write content-addressed bytes at ``name``; a file already there holds the same bytes, so it is kept."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # remote storages: best effort, the name is the content's hash
        if not default_storage.exists(name):
            return default_storage.save(name, ContentFile(data))
        return name
    if os.path.exists(path):
        return name
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), delete=False) as handle:
        handle.write(data)
        temporary = handle.name
    os.replace(temporary, path)  # atomic: concurrent writers of the same content leave one whole file
    return name


def blob_store(*, data: bytes, name: str, field: str = "stems") -> tuple[Blob, bool]:
    """The blob of these bytes, stored if new: ``(blob, created)``. Race-safe: the unique SHA-256 key and
    ``INSERT ... ON CONFLICT DO NOTHING`` decide, then the row is read back, so concurrent commits of the
    same file store it once and neither fails."""
    sha = hashlib.sha256(data).hexdigest()
    existing = Blob.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing, False
    info = probe(data, name=name, field=field)
    blob = Blob(
        sha256=sha,
        size=info.size,
        media_type=info.media_type,
        audio_format=info.audio_format,
        duration=info.duration,
        sample_rate=info.sample_rate,
        channels=info.channels,
        frames=info.frames,
    )
    blob.file.name = _write_once(f"audio_vcs/blobs/{sha[:2]}/{sha}.{EXTENSIONS.get(info.audio_format, 'bin')}", data)
    blob.full_clean(validate_unique=False)
    Blob.objects.bulk_create([blob], ignore_conflicts=True)
    stored = Blob.objects.get(sha256=sha)
    return stored, stored.pk == blob.pk
