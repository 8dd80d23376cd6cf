"""The composition studio: compositions (and MIDI import), their parts, AI sessions and export jobs."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import numpy as np
import soundfile
import soxr
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audio_vcs.choices import ExportFormat, ExportStatus, SessionStatus, TrackType
from audio_vcs.constants import EXPORT_HEARTBEAT_TIMEOUT_MINUTES, EXPORT_MAX_ATTEMPTS, EXPORT_TTL_HOURS
from audio_vcs.models import Commit, Composition, CompositionSession, ExportJob, Project, Track
from audio_vcs.services.audio import EXTENSIONS, read_upload
from audio_vcs.services.history import branch_get, require
from audio_vcs.services.midi import PERCUSSION_CHANNEL, midi_parse, midi_render
from core.services import public_error_text

UNKNOWN_FORMAT = "'{value}' is not an export format here (available: {available})."
FORMAT_UNAVAILABLE = "No {format} encoder is available on this server."
EXPORT_TARGET = "Name exactly one of commit, branch or composition."


# Compositions and their parts


@transaction.atomic
def composition_save(*, composition: Composition, actor) -> Composition:
    """Create or change a composition (contributors), its rules checked by ``full_clean()``."""
    require(actor, composition.project, "compose")
    composition.full_clean()
    composition.save()
    return composition


@transaction.atomic
def composition_delete(*, row, actor) -> None:
    """Delete a composition, or a track, an arrangement or the lyrics of one (contributors)."""
    project = row.project if isinstance(row, Composition) else row.composition.project
    require(actor, project, "compose")
    row.delete()


@transaction.atomic
def composition_part_save(*, part, actor):
    """Create or change an arrangement, a track or lyrics of a composition (contributors)."""
    require(actor, part.composition.project, "compose")
    part.full_clean()
    part.save()
    return part


@transaction.atomic
def composition_import_midi(
    *, project: Project, file, actor, name: str = "", commit: Commit | None = None
) -> Composition:
    """A composition from a Standard MIDI File: notes in beats, tempo map, meters and key in ``midi_data``,
    and one track per MIDI track (its notes in one clip). A file that is not MIDI is a 400 naming it."""
    require(actor, project, "compose")
    filename, data = read_upload(file, field="file")
    parsed = midi_parse(data, name=filename)
    midi_data = parsed["midi_data"]
    first_tempo = midi_data["tempo_map"][0]["bpm"]
    meter = midi_data["time_signatures"][0]
    theory = {"tempo": first_tempo, "meter": {"numerator": meter["numerator"], "denominator": meter["denominator"]}}
    key = midi_data["key_signature"]
    if key:
        theory["key"] = key.rstrip("m")
        theory["mode"] = "minor" if key.endswith("m") else "major"
    composition = Composition(
        project=project,
        commit=commit,
        name=(name or filename.rsplit(".", 1)[0] or "Imported MIDI")[:255],
        midi_data=midi_data,
        theory_data=theory,
        length_seconds=parsed["length_seconds"],
        audio_metadata={"source_file": filename, "source_sha256": hashlib.sha256(data).hexdigest()},
    )
    composition.full_clean()
    composition.save()
    tracks = []
    for position, track in enumerate(midi_data["tracks"]):
        notes = track["notes"]
        start = min(n["start"] for n in notes)
        end = max(n["start"] + n["duration"] for n in notes)
        row = Track(
            composition=composition,
            name=track["name"][:200],
            position=position,
            track_type=TrackType.DRUMS if track["channel"] == PERCUSSION_CHANNEL else TrackType.OTHER,
            program=track["program"],
            channel=track["channel"],
            clips=[{"name": track["name"][:200], "type": "midi", "start_time": start, "end_time": end, "notes": notes}],
        )
        row.full_clean()
        tracks.append(row)
    Track.objects.bulk_create(tracks)
    return composition


def composition_midi(*, composition: Composition) -> bytes:
    """The composition as a Standard MIDI File."""
    return midi_render(composition.midi_data or {})


# Sessions


@transaction.atomic
def session_create(*, session: CompositionSession, actor) -> CompositionSession:
    require(actor, session.project, "compose")
    session.requested_by = session.requested_by or actor
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_transition(
    *, session: CompositionSession, actor, status: str, progress: float | None = None, composition=None, error=""
) -> CompositionSession:
    """Move a session along its status machine (``constants.SESSION_TRANSITIONS``); a completed one names its
    composition."""
    require(actor, session.project, "compose")
    session = CompositionSession.objects.select_for_update().get(pk=session.pk)
    session.status = status
    if progress is not None:
        session.progress = progress
    if status == SessionStatus.COMPLETED:
        session.progress = 1.0
        if composition is not None:
            session.composition = composition
    if error:
        session.error = error
    session.full_clean()
    session.save()
    return session


# Exports


def available_formats() -> list[str]:
    """Export formats this server can produce (MP3 needs libsndfile with an MP3 encoder)."""
    audio = soundfile.available_formats()
    return [f for f in ExportFormat.values if f not in (ExportFormat.MP3, ExportFormat.FLAC) or f.upper() in audio]


@transaction.atomic
def export_job_create(
    *,
    project: Project,
    actor,
    export_format: str,
    commit: Commit | None = None,
    branch: str = "",
    composition=None,
) -> ExportJob:
    """Queue an export of a commit, a branch's head or a composition; a background task produces the file."""
    require(actor, project, "export")
    if export_format not in available_formats():
        raise ValidationError(
            {
                "export_format": [
                    UNKNOWN_FORMAT.format(value=str(export_format)[:20], available=", ".join(available_formats()))
                ]
            }
        )
    if sum(1 for target in (commit, branch, composition) if target) != 1:
        raise ValidationError({"commit": [EXPORT_TARGET]})
    if branch:
        commit = branch_get(project=project, name=branch).head
    job = ExportJob(
        project=project,
        commit=commit,
        composition=composition,
        branch_name=branch or "",
        export_format=export_format,
        requested_by=actor,
    )
    job.full_clean()
    job.save()
    from audio_vcs.tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.defer(job_id=str(job.pk)))
    return job


def _read_stem(blob) -> tuple[np.ndarray, int]:
    with blob.file.open("rb") as handle:
        data, rate = soundfile.read(io.BytesIO(handle.read()), dtype="float32", always_2d=True)
    return data, rate


def _to_stereo(data: np.ndarray) -> np.ndarray:
    if data.shape[1] == 1:
        return np.repeat(data, 2, axis=1)
    if data.shape[1] == 2:
        return data
    return np.stack([data[:, 0::2].mean(axis=1), data[:, 1::2].mean(axis=1)], axis=1)


def mixdown(commit: Commit, *, progress=None) -> tuple[np.ndarray, int]:
    """The commit's stems summed to stereo at the highest sample rate among them: each resampled (soxr),
    shorter ones padded with silence to the longest (nothing truncated); scaled down only if it would clip."""
    stems = list(commit.stems.select_related("blob").order_by("stem_type", "name"))
    rate = max(stem.blob.sample_rate for stem in stems)
    signals = []
    for index, stem in enumerate(stems):
        data, stem_rate = _read_stem(stem.blob)
        if stem_rate != rate:
            data = soxr.resample(data, stem_rate, rate).astype("float32")
        signals.append(_to_stereo(data))
        if progress:
            progress(0.1 + 0.7 * (index + 1) / len(stems))
    length = max(len(s) for s in signals)
    mix = np.zeros((length, 2), dtype="float32")
    for signal in signals:
        mix[: len(signal)] += signal
    peak = float(np.max(np.abs(mix))) if length else 0.0
    if peak > 1.0:
        mix /= peak / 0.999
    return mix, rate


def _stems_zip(commit: Commit) -> bytes:
    stems = list(commit.stems.select_related("blob").order_by("stem_type", "name"))
    manifest = {
        "commit": commit.content_hash,
        "short": commit.short_hash,
        "message": commit.message,
        "bpm": commit.bpm,
        "key_signature": commit.key_signature,
        "stems": [],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for stem in stems:
            filename = f"{stem.key.replace(':', '-')}.{EXTENSIONS.get(stem.blob.audio_format, 'bin')}"
            with stem.blob.file.open("rb") as handle:
                archive.writestr(filename, handle.read())
            manifest["stems"].append(
                {
                    "file": filename,
                    "stem_type": stem.stem_type,
                    "name": stem.name,
                    "sha256": stem.blob.sha256,
                    "duration": stem.blob.duration,
                    "sample_rate": stem.blob.sample_rate,
                    "channels": stem.blob.channels,
                }
            )
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return out.getvalue()


def _set_progress(job: ExportJob, value: float) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress=round(min(max(value, 0.0), 1.0), 3), updated_at=timezone.now())


def export_job_run(*, job_id) -> ExportJob | None:
    """Produce an export job's file (idempotent: only a queued job runs). Progress is written as it goes; a
    failure is recorded on the job with its error text."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status != ExportStatus.QUEUED:
            return job
        job.status = ExportStatus.RUNNING
        job.progress = 0.05
        job.attempts += 1
        job.save(update_fields=["status", "progress", "attempts", "updated_at"])
    try:
        data, filename = _export_bytes(job)
    except Exception as error:  # noqa: BLE001 - any failure is the job's outcome, recorded for the user
        job.refresh_from_db()
        job.status = ExportStatus.FAILED
        job.error = public_error_text(error)  # what went wrong, in words: never a Python repr or class name
        job.save(update_fields=["status", "error", "updated_at"])
        return job
    job.refresh_from_db()
    job.file.save(filename, ContentFile(data), save=False)
    job.file_size = len(data)
    job.checksum = hashlib.sha256(data).hexdigest()
    job.expires_at = timezone.now() + timedelta(hours=EXPORT_TTL_HOURS)
    job.progress = 1.0
    job.status = ExportStatus.COMPLETED
    job.save()
    return job


def _export_bytes(job: ExportJob) -> tuple[bytes, str]:
    fmt = job.export_format
    if fmt == ExportFormat.MIDI:
        composition = job.composition
        _set_progress(job, 0.5)
        return composition_midi(composition=composition), f"{_slug(composition.name)}.mid"
    commit = job.commit
    base = f"{_slug(job.project.name)}-{commit.short_hash}"
    if fmt == ExportFormat.STEMS_ZIP:
        _set_progress(job, 0.3)
        return _stems_zip(commit), f"{base}-stems.zip"
    mix, rate = mixdown(commit, progress=lambda value: _set_progress(job, value))
    out = io.BytesIO()
    if fmt == ExportFormat.MP3:
        target = mp3_rate(rate)  # LAME takes MPEG rates only: a 96 kHz stem failed the whole export
        if target != rate:
            mix, rate = soxr.resample(mix, rate, target).astype("float32"), target
        soundfile.write(out, mix, rate, format="MP3")
    else:
        soundfile.write(out, mix, rate, format=fmt.upper(), subtype="PCM_16")
    return out.getvalue(), f"{base}.{fmt}"


#: The sample rates an MPEG layer III encoder takes (MPEG-1, 2 and 2.5).
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


def mp3_rate(rate: int) -> int:
    """The MP3 rate a mix at ``rate`` is resampled to: the lowest one not below it, at most 48 kHz."""
    return next((allowed for allowed in MP3_RATES if allowed >= rate), MP3_RATES[-1])


def _slug(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "export"


STALLED_RETRY = "The worker stopped (attempt {attempt} of {limit}); queued again."
STALLED_FAILED = "The worker stopped {attempt} times without finishing; giving up."


def exports_sweep_stalled(*, now=None) -> int:
    """Export jobs whose worker stopped: a running job with no progress written (its heartbeat, ``updated_at``)
    for ``EXPORT_HEARTBEAT_TIMEOUT_MINUTES`` is queued again while it has had fewer than ``EXPORT_MAX_ATTEMPTS``
    runs, else failed with the reason. Returns how many jobs it moved. Idempotent; rows a live worker holds are
    skipped."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=EXPORT_HEARTBEAT_TIMEOUT_MINUTES)
    moved = 0
    with transaction.atomic():
        stalled = ExportJob.objects.select_for_update(skip_locked=True).filter(
            status=ExportStatus.RUNNING, updated_at__lt=cutoff
        )
        for job in stalled:
            if job.attempts < EXPORT_MAX_ATTEMPTS:
                job.status, job.progress = ExportStatus.QUEUED, 0.0
                job.error = STALLED_RETRY.format(attempt=job.attempts, limit=EXPORT_MAX_ATTEMPTS)
                job.save(update_fields=["status", "progress", "error", "updated_at"])
                from audio_vcs.tasks import run_export_job

                transaction.on_commit(lambda pk=str(job.pk): run_export_job.defer(job_id=pk))
            else:
                job.status = ExportStatus.FAILED
                job.error = STALLED_FAILED.format(attempt=job.attempts)
                job.save(update_fields=["status", "error", "updated_at"])
            moved += 1
    return moved


def exports_purge_expired(*, now=None) -> int:
    """Delete the files of exports past their expiry (the rows stay, without a file). Idempotent."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="", updated_at=now)
        count += 1
    return count
