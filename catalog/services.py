"""Writes of the catalog that involve more than one row, files or vectors.

The API, the admin and the management commands all call these, so a sample is never
stored without its audio having been decoded, and its vectors always describe its
current audio and text.
"""

from __future__ import annotations

import math
from typing import IO, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from catalog import embeddings
from catalog.choices import SimilarityBy
from catalog.models import AUDIO_FEATURES_DIMENSIONS, STYLE_EMBEDDING_DIMENSIONS, Sample

ERROR_NOT_AUDIO = "The file is not decodable audio: upload WAV, FLAC, OGG or MP3."
ERROR_VECTOR_DIMENSIONS = "Expected a list of {dimensions} numbers for '{by}' vectors, got {got}."
ERROR_VECTOR_VALUES = "Vector values must be finite numbers."
ERROR_ZERO_VECTOR = "The vector must not be all zeros: it has no direction, so no cosine distance."
ERROR_NO_VECTOR = "This sample has no {by} vector yet; run embed_samples or wait for its background job."

#: Uploads larger than this are embedded by a background job instead of during the request.
INLINE_EMBED_MAX_BYTES = getattr(settings, "CATALOG_INLINE_EMBED_MAX_BYTES", 8 * 1024 * 1024)
#: HNSW search breadth set on every connection (config.settings): more finds more true neighbours, slower.
HNSW_EF_SEARCH = getattr(settings, "CATALOG_HNSW_EF_SEARCH", 40)

VECTOR_FIELDS = {SimilarityBy.AUDIO: "audio_features", SimilarityBy.STYLE: "style_embedding"}
DIMENSIONS = {SimilarityBy.AUDIO: AUDIO_FEATURES_DIMENSIONS, SimilarityBy.STYLE: STYLE_EMBEDDING_DIMENSIONS}


def sample_validate_audio(*, audio_file: IO[bytes]) -> tuple[np.ndarray, int]:
    """Decode the upload or raise a ValidationError on ``audio_file``; returns (frames, sample rate)."""
    try:
        return embeddings.read_audio(audio_file)
    except embeddings.AudioDecodeError as exc:
        raise ValidationError({"audio_file": ERROR_NOT_AUDIO}, code="not_audio") from exc


def _read_metadata(sample: Sample, frames: np.ndarray, sample_rate: int) -> None:
    sample.duration_seconds = round(frames.shape[0] / sample_rate, 4)
    sample.sample_rate = sample_rate
    sample.channels = frames.shape[1]
    sample.audio_sha256 = embeddings.sha256_of(sample.audio_file)


def _embed(sample: Sample, frames: np.ndarray | None = None, sample_rate: int | None = None) -> None:
    """Recompute whichever vector is missing or stale; the caller saves."""
    if sample.audio_features is None or sample.embedded_audio_sha256 != sample.audio_sha256:
        if frames is None:
            with sample.audio_file.open("rb") as handle:
                frames, sample_rate = embeddings.read_audio(handle)
        sample.audio_features = embeddings.audio_features_from_frames(frames, sample_rate).tolist()
        sample.embedded_audio_sha256 = sample.audio_sha256
    sample.text_sha256 = embeddings.text_sha256(sample.style_text)
    if sample.style_embedding is None or sample.embedded_text_sha256 != sample.text_sha256:
        sample.style_embedding = embeddings.style_embedder().embed(sample.style_text).tolist()
        sample.embedded_text_sha256 = sample.text_sha256
    sample.embedded_at = timezone.now()


def _schedule_embedding(sample: Sample) -> None:
    from catalog.tasks import schedule_embedding

    transaction.on_commit(lambda: schedule_embedding(str(sample.pk)))


@transaction.atomic
def sample_create(
    *,
    name: str,
    audio_file: IO[bytes],
    category: str = "other",
    bpm: float | None = None,
    key: str = "",
    tags: list[str] | None = None,
) -> Sample:
    """Store a sample: decode its audio (400 if it is not audio), read its metadata and embed it.

    Large files are embedded by the ``catalog.embed_sample`` job once the row is committed.
    """
    frames, sample_rate = sample_validate_audio(audio_file=audio_file)
    sample = Sample(name=name, category=category, bpm=bpm, key=key, tags=list(tags or []), audio_file=audio_file)
    _read_metadata(sample, frames, sample_rate)
    sample.full_clean()
    inline = (getattr(audio_file, "size", 0) or 0) <= INLINE_EMBED_MAX_BYTES
    if inline:
        _embed(sample, frames, sample_rate)
    sample.save()
    if not inline:
        _schedule_embedding(sample)
    return sample


@transaction.atomic
def sample_update(*, sample: Sample, data: dict[str, Any]) -> Sample:
    """Change a sample; new audio is decoded and read, and stale vectors are recomputed."""
    audio_file = data.pop("audio_file", None)
    frames = sample_rate = None
    if audio_file is not None:
        frames, sample_rate = sample_validate_audio(audio_file=audio_file)
        sample.audio_file = audio_file
        _read_metadata(sample, frames, sample_rate)
    for name, value in data.items():
        setattr(sample, name, value)
    sample.full_clean()
    large = audio_file is not None and (getattr(audio_file, "size", 0) or 0) > INLINE_EMBED_MAX_BYTES
    if large:
        sample.text_sha256 = embeddings.text_sha256(sample.style_text)
        _schedule_embedding(sample)
    else:
        _embed(sample, frames, sample_rate)
    sample.save()
    return sample


@transaction.atomic
def sample_embed(*, sample: Sample, force: bool = False) -> bool:
    """Bring the sample's vectors up to date with its audio and text; returns whether anything changed."""
    sample = Sample.all_objects.select_for_update().get(pk=sample.pk)
    with sample.audio_file.open("rb") as handle:
        audio_sha = embeddings.sha256_of(handle)
    text_sha = embeddings.text_sha256(sample.style_text)
    fresh = (
        sample.audio_features is not None
        and sample.style_embedding is not None
        and sample.embedded_audio_sha256 == audio_sha
        and sample.embedded_text_sha256 == text_sha
    )
    if fresh and not force:
        return False
    if force:
        sample.audio_features = sample.style_embedding = None
    sample.audio_sha256 = audio_sha
    _embed(sample)
    sample.save(
        update_fields=[
            "audio_sha256",
            "text_sha256",
            "audio_features",
            "style_embedding",
            "embedded_audio_sha256",
            "embedded_text_sha256",
            "embedded_at",
            "updated_at",
        ]
    )
    return True


def parse_vector(*, value: Any, by: str) -> list[float]:
    """Check a query vector from a client: the right number of finite numbers, or a ValidationError."""
    dimensions = DIMENSIONS[by]
    if not isinstance(value, list) or len(value) != dimensions:
        got = f"{len(value)} values" if isinstance(value, list) else type(value).__name__
        raise ValidationError({"vector": ERROR_VECTOR_DIMENSIONS.format(dimensions=dimensions, by=by, got=got)})
    if not all(isinstance(item, int | float) and not isinstance(item, bool) for item in value):
        raise ValidationError({"vector": ERROR_VECTOR_VALUES})
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValidationError({"vector": ERROR_VECTOR_VALUES})
    if not np.any(array):
        raise ValidationError({"vector": ERROR_ZERO_VECTOR})
    return array.tolist()


def sample_nearest(*, vector, by: str, k: int, exclude_id=None) -> list[Sample]:
    """The ``k`` samples nearest to ``vector`` by cosine distance, through the HNSW index, with ``distance`` set.

    An HNSW scan returns at most ``hnsw.ef_search`` rows, so a larger ``k`` widens it for this query.
    """
    queryset = Sample.objects.nearest(vector, field=VECTOR_FIELDS[by])
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    if k <= HNSW_EF_SEARCH:
        rows = list(queryset[:k])
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("select set_config('hnsw.ef_search', %s, true)", [str(k)])
            rows = list(queryset[:k])
    # A stored all-zero vector has no direction: its distance is NaN, and it is nobody's neighbour.
    return [row for row in rows if math.isfinite(row.distance)]


def sample_similar(*, sample: Sample, by: str, k: int) -> list[Sample]:
    """Nearest neighbours of a stored sample (itself excluded)."""
    vector = getattr(sample, VECTOR_FIELDS[by])
    if vector is None:
        raise ValidationError({"by": ERROR_NO_VECTOR.format(by=by)})
    if not np.any(np.asarray(vector)):
        raise ValidationError({"by": ERROR_ZERO_VECTOR})
    return sample_nearest(vector=vector, by=by, k=k, exclude_id=sample.pk)


def audio_query_vector(*, audio_file: IO[bytes]) -> list[float]:
    """The audio feature vector of an uploaded clip, for searching by example."""
    frames, sample_rate = sample_validate_audio(audio_file=audio_file)
    return embeddings.audio_features_from_frames(frames, sample_rate).tolist()
