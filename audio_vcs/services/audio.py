"""Audio files: decode and describe them (soundfile, block by block), and store blobs once by SHA-256.

A blob's bytes are streamed through Django's storage API to a temporary name while they are hashed and counted
(never held whole in memory), decoded from there, and moved into place under their content address only when the
transaction that inserted the blob's row commits (``transaction.on_commit``). A refusal or a failure later in the
same service deletes the temporary file (``staging``); a rollback after the service returned, or a killed
process, leaves it under ``INCOMING_DIR`` for the garbage collection (``services.integrity``), which removes it
after a grace period. Readers only ever see files of committed rows.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import soundfile
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction

from audio_vcs.constants import MAX_STEM_BYTES
from audio_vcs.models import Blob, BlobUpload

NOT_AUDIO = "'{name}' is not an audio file that can be decoded ({reason})."
TOO_BIG = "'{name}' is larger than {limit} MB."
EMPTY_AUDIO = "'{name}' holds no audio frames."
HASH_MISMATCH = "The body's SHA-256 is {actual}, not the {expected} named in the path."
SHORT_WAV = "'{name}': its header promises {promised} frames but the file holds {frames} ({missing:.3f} s missing)."

#: Where blob bytes wait (under a random name) until their row is committed.
INCOMING_DIR = "audio_vcs/incoming"
CHUNK_BYTES = 1 << 20

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


def upload_name(upload) -> str:
    """The base name of an uploaded file (or of a ``(name, bytes)`` pair), never a path."""
    name = upload[0] if isinstance(upload, tuple) else getattr(upload, "name", "") or "upload"
    return os.path.basename(str(name))[:200] or "upload"


def read_upload(upload, *, field: str = "stems", limit: int = MAX_STEM_BYTES) -> tuple[str, bytes]:
    """The name and bytes of a small uploaded file (a MIDI file; or a ``(name, bytes)`` pair), refusing oversize
    files. Audio never goes through here: ``blob_store`` streams it."""
    name = upload_name(upload)
    if isinstance(upload, tuple):
        data = upload[1]
    else:
        if getattr(upload, "size", 0) and upload.size > limit:
            raise ValidationError({field: [TOO_BIG.format(name=name, limit=limit // 2**20)]})
        upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: [TOO_BIG.format(name=name, limit=limit // 2**20)]})
    return name, data


class HashingReader:
    """A read-only stream over ``source`` that hashes and counts every byte read through it and refuses more
    than ``limit`` bytes (a 400 naming the file). It has no ``seek``, so Django's ``File.chunks`` reads it once."""

    def __init__(self, source, *, name: str, field: str, limit: int | None = None):
        self.source, self.name, self.field, self.limit = source, name, field, limit or MAX_STEM_BYTES
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size if size and size > 0 else CHUNK_BYTES)
        self.size += len(data)
        if self.size > self.limit:
            raise ValidationError({self.field: [TOO_BIG.format(name=self.name, limit=self.limit // 2**20)]})
        self.sha.update(data)
        return data

    def drain(self) -> None:
        """Read to the end without keeping anything (hash and count only)."""
        while self.read(CHUNK_BYTES):
            pass

    @property
    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def _source(upload):
    """A readable stream of an upload, a ``(name, bytes)`` pair, bytes or any file-like object."""
    if isinstance(upload, tuple):
        return io.BytesIO(upload[1])
    if isinstance(upload, bytes | bytearray):
        return io.BytesIO(upload)
    if hasattr(upload, "seek"):
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    return upload


def _reason(error: Exception) -> str:
    """What the decoder said, without the object or path it was handed (never a Python repr)."""
    text = getattr(error, "error_string", None) or str(error).splitlines()[0] if str(error) else ""
    text = re.sub(r"<[^>]*>", "the file", str(text or type(error).__name__))
    return text.rsplit(": ", 1)[-1][:200]


def probe_file(handle, *, name: str, field: str = "stems") -> tuple[str, int, int, int]:
    """Decode an open audio file block by block (bounded memory) and describe it: ``(format, rate, channels,
    frames)``. Anything that is not audio is a 400 naming the file, never a Python repr."""
    try:
        with soundfile.SoundFile(handle) as sound:
            frames = 0
            for block in sound.blocks(blocksize=1 << 16, dtype="float32", always_2d=True):
                frames += len(block)
            audio_format, sample_rate, channels = sound.format, sound.samplerate, sound.channels
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError, OSError) as error:
        message = NOT_AUDIO.format(name=name, reason=_reason(error))
        raise ValidationError({field: [message]}, code="not_audio") from error
    if frames == 0:
        raise ValidationError({field: [EMPTY_AUDIO.format(name=name)]}, code="not_audio")
    return audio_format, sample_rate, channels, frames


def header_warning(handle, *, name: str, audio_format: str, frames: int, sample_rate: int) -> str:
    """A warning when a WAV file's header promises more frames than the file holds (a cut-off upload), else ""."""
    if audio_format not in ("WAV", "WAVEX"):
        return ""
    try:
        handle.seek(0)
        with wave.open(handle, "rb") as reader:
            promised = reader.getnframes()
    except (wave.Error, EOFError, OSError, ValueError):
        return ""
    if promised <= frames:
        return ""
    missing = (promised - frames) / sample_rate
    return SHORT_WAV.format(name=name, promised=promised, frames=frames, missing=missing)[:500]


def probe(data: bytes, *, name: str, field: str = "stems") -> AudioInfo:
    """Describe audio held in memory (small files: the admin's form check); ``blob_store`` streams instead."""
    audio_format, sample_rate, channels, frames = probe_file(io.BytesIO(data), name=name, field=field)
    return AudioInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        audio_format=audio_format,
        media_type=MEDIA_TYPES.get(audio_format, f"audio/x-{audio_format.lower()}"),
        sample_rate=sample_rate,
        channels=channels,
        frames=frames,
    )


def blob_path(sha256: str, audio_format: str) -> str:
    """The storage name of a blob's file: its content address."""
    return f"audio_vcs/blobs/{sha256[:2]}/{sha256}.{EXTENSIONS.get(audio_format, 'bin')}"


def move_into_place(temporary: str, final: str) -> None:
    """Move a staged file to its content address (run on commit). A file already there holds the same bytes, so
    the staged copy is dropped. The file-system storage renames (atomic); other storages copy through the storage
    API and delete the staged copy."""
    storage = default_storage
    if not storage.exists(temporary):
        return
    if storage.exists(final):
        storage.delete(temporary)
        return
    try:
        source, target = storage.path(temporary), storage.path(final)
    except NotImplementedError:
        with storage.open(temporary, "rb") as handle:
            storage.save(final, handle)
        storage.delete(temporary)
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(source, target)


def on_commit(callback) -> None:
    """Run ``callback`` when the current transaction commits (never if it rolls back)."""
    transaction.on_commit(callback)


@contextmanager
def staging() -> Iterator[list[str]]:
    """Collect the temporary files a service stages; if the service fails, they are deleted at once."""
    staged: list[str] = []
    try:
        yield staged
    except BaseException:
        for name in staged:
            default_storage.delete(name)
        raise


def _stage(reader: HashingReader) -> str:
    """Stream the reader to a new temporary file through the storage API; returns its storage name."""
    wanted = f"{INCOMING_DIR}/{uuid.uuid4().hex}"
    try:
        return default_storage.save(wanted, File(reader, name=wanted))
    except ValidationError:
        default_storage.delete(wanted)
        raise


def blob_store(
    *,
    source,
    name: str,
    field: str = "stems",
    expected_sha256: str | None = None,
    uploader=None,
    staged: list[str] | None = None,
) -> tuple[Blob, bool]:
    """The blob of these bytes, stored if new: ``(blob, created)``.

    ``source`` (an upload, a ``(name, bytes)`` pair or a stream such as a request body) is read once, in chunks,
    to a temporary file while it is hashed; ``expected_sha256``, when given, must be the hash (a 400 otherwise).
    Bytes the server already holds are not stored again. New audio is decoded from the staged file (a 400 naming
    the file when it is not audio) and its row inserted with ``ON CONFLICT DO NOTHING`` and read back, so
    concurrent uploads of the same file store it once and neither fails; the file moves into place on commit.
    ``uploader`` is recorded as having sent these bytes (they may then commit them by hash)."""
    reader = HashingReader(_source(source), name=name, field=field)
    temporary = _stage(reader)
    own = staged if staged is not None else []
    own.append(temporary)
    try:
        sha = reader.hexdigest
        if expected_sha256 is not None and sha != expected_sha256:
            raise ValidationError({"sha256": [HASH_MISMATCH.format(actual=sha, expected=expected_sha256)]})
        existing = Blob.objects.filter(sha256=sha).first()
        if existing is None:
            with default_storage.open(temporary, "rb") as handle:
                audio_format, sample_rate, channels, frames = probe_file(handle, name=name, field=field)
                warning = header_warning(
                    handle, name=name, audio_format=audio_format, frames=frames, sample_rate=sample_rate
                )
            blob = Blob(
                sha256=sha,
                size=reader.size,
                media_type=MEDIA_TYPES.get(audio_format, f"audio/x-{audio_format.lower()}"),
                audio_format=audio_format,
                duration=frames / sample_rate,
                sample_rate=sample_rate,
                channels=channels,
                frames=frames,
                warning=warning,
            )
            blob.file.name = blob_path(sha, audio_format)
            blob.full_clean(validate_unique=False)
            Blob.objects.bulk_create([blob], ignore_conflicts=True)
            existing = Blob.objects.get(sha256=sha)
            created = existing.pk == blob.pk
        else:
            created = False
    except BaseException:
        default_storage.delete(temporary)
        own.remove(temporary)
        raise
    if created:
        final = existing.file.name
        on_commit(lambda: move_into_place(temporary, final))
    else:
        default_storage.delete(temporary)
        own.remove(temporary)
    if uploader is not None:
        BlobUpload.objects.bulk_create([BlobUpload(blob=existing, user=uploader)], ignore_conflicts=True)
    return existing, created


def blob_receive(*, body, sha256: str, actor, name: str = "") -> tuple[Blob, bool]:
    """A raw upload of one blob (``PUT blobs/{sha256}/``): the body is streamed and hashed; it must hash to
    ``sha256``. Bytes the server already holds are hashed and dropped (sending them proves the caller has them,
    so they may commit them). ``(blob, created)``."""
    sha256 = str(sha256).lower()
    existing = Blob.objects.filter(sha256=sha256).first()
    if existing is not None:
        reader = HashingReader(body, name=name or sha256[:12], field="body")
        reader.drain()
        if reader.hexdigest != sha256:
            raise ValidationError({"sha256": [HASH_MISMATCH.format(actual=reader.hexdigest, expected=sha256)]})
        if actor is not None:
            BlobUpload.objects.bulk_create([BlobUpload(blob=existing, user=actor)], ignore_conflicts=True)
        return existing, False
    with staging() as staged:
        return blob_store(
            source=body, name=name or sha256[:12], field="body", expected_sha256=sha256, uploader=actor, staged=staged
        )
