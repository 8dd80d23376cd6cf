"""The studio: MIDI in and out (a round trip with mido), schemas and timelines, status machines (model, service
and database trigger), export tasks (failure, purge), the import command and the demo data."""

import io
from datetime import timedelta

import mido
import pytest
import soundfile
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, transaction
from django.utils import timezone

from audio_vcs import services, tasks
from audio_vcs.choices import CollaboratorRole, ExportStatus, SessionStatus
from audio_vcs.models import CompositionSession, ExportJob, Project
from audio_vcs.schemas import schema_errors, timeline_problems
from audio_vcs.services import studio
from audio_vcs.validators import ref_name_problem
from tests.audio_vcs.audio import midi_file
from tests.audio_vcs.factories import (
    ALIGNMENT,
    CollaboratorFactory,
    CommitFactory,
    CompositionFactory,
    CompositionSessionFactory,
    ExportJobFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def test_midi_round_trip_keeps_notes_tempi_and_meter():
    parsed = services.midi_parse(midi_file(bpm=90, numerator=6, denominator=8, key="F#m"))
    data = parsed["midi_data"]
    assert [t["bpm"] for t in data["tempo_map"]] == pytest.approx([90, 112.5])
    assert data["time_signatures"][0] == {"beat": 0.0, "numerator": 6, "denominator": 8}
    assert data["key_signature"] == "F#m"
    melody, drums = data["tracks"]
    assert [n["pitch"] for n in melody["notes"]] == [57, 60, 64, 67]
    assert melody["notes"][1] == {"pitch": 60, "velocity": 90, "start": 1.0, "duration": 1.0}
    assert drums["channel"] == 9 and len(drums["notes"]) == 8
    assert parsed["length_seconds"] > 0
    again = services.midi_parse(services.midi_render(data))["midi_data"]
    assert again["tempo_map"] == data["tempo_map"]
    assert again["time_signatures"] == data["time_signatures"]
    assert [t["notes"] for t in again["tracks"]] == [t["notes"] for t in data["tracks"]]
    assert again["key_signature"] == "F#m"
    mido.MidiFile(file=io.BytesIO(services.midi_render(data)))  # mido reads it


@pytest.mark.parametrize("data", [b"", b"MThd\x00\x00\x00\x06", b"not midi", b"RIFF\x00\x00\x00\x00WAVE"])
def test_midi_parse_rejects_what_is_not_midi(data):
    with pytest.raises(ValidationError) as error:
        services.midi_parse(data, name="song.mid")
    assert "song.mid" in str(error.value)


def test_import_midi_makes_composition_with_tracks_and_theory():
    project = ProjectFactory()
    composition = services.composition_import_midi(project=project, file=("theme.mid", midi_file()), actor=None)
    assert composition.name == "theme"
    assert composition.theory_data["key"] == "A" and composition.theory_data["mode"] == "minor"
    assert [t.track_type for t in composition.tracks.order_by("position")] == ["other", "drums"]
    assert services.composition_midi(composition=composition).startswith(b"MThd")


def test_import_midi_command(tmp_path):
    project = ProjectFactory()
    path = tmp_path / "tune.mid"
    path.write_bytes(midi_file())
    out = io.StringIO()
    call_command("import_midi", str(project.pk), str(path), "--name", "Tune", stdout=out)
    assert "Imported 'Tune'" in out.getvalue()
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError, match="bad.mid"):
        call_command("import_midi", str(project.pk), str(bad))
    with pytest.raises(CommandError):
        call_command("import_midi", "00000000-0000-0000-0000-000000000000", str(path))
    with pytest.raises(CommandError):
        call_command("import_midi", str(project.pk), str(path), "--user", "nobody-here")
    viewer = CollaboratorFactory(project=project, role=CollaboratorRole.VIEWER).user
    with pytest.raises(CommandError, match="compose needs contributor"):  # the role rule, not a traceback
        call_command("import_midi", str(project.pk), str(path), "--user", viewer.username)


def test_schemas_and_timelines():
    assert schema_errors("alignment", ALIGNMENT) == []
    assert timeline_problems(ALIGNMENT, length=10) == []
    assert timeline_problems(ALIGNMENT, length=1.0)  # the line ends at 1.5 s
    assert schema_errors("sections", [{"name": "A", "start_bar": 0, "length_bars": 1}])
    assert schema_errors("theory_data", {"mode": "bebop"})


@pytest.mark.parametrize("name,ok", [("main", True), ("feature/x-1", True), ("v1.0", True), ("a b", False)])
def test_ref_names(name, ok):
    assert (ref_name_problem(name) is None) is ok


def test_session_status_machine_in_model_service_and_database():
    session = CompositionSessionFactory()
    with pytest.raises(ValidationError):
        services.session_transition(session=session, actor=None, status=SessionStatus.COMPLETED)
    session = services.session_transition(session=session, actor=None, status=SessionStatus.RUNNING, progress=0.4)
    composition = CompositionFactory(project=session.project)
    done = services.session_transition(
        session=session, actor=None, status=SessionStatus.COMPLETED, composition=composition
    )
    assert done.progress == 1.0 and done.composition == composition
    with pytest.raises(ProgrammingError), transaction.atomic():
        CompositionSession.objects.filter(pk=session.pk).update(status=SessionStatus.QUEUED)
    with pytest.raises(ValidationError):
        CompositionSessionFactory.build(project=session.project, status=SessionStatus.RUNNING).full_clean()


def test_export_failure_is_recorded_on_the_job(monkeypatch):
    job = ExportJobFactory()

    def boom(**kwargs):
        raise RuntimeError("synth exploded")

    monkeypatch.setattr(services.studio, "composition_midi", boom)
    done = tasks.run_export_job(job_id=str(job.pk))
    assert done == ExportStatus.FAILED
    job.refresh_from_db()
    assert "synth exploded" in job.error
    assert services.export_job_run(job_id=job.pk).status == ExportStatus.FAILED  # only queued jobs run


def test_purge_deletes_expired_files_and_keeps_rows():
    job = ExportJobFactory()
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert tasks.purge_expired_exports() == 1
    assert tasks.purge_expired_exports() == 0
    job.refresh_from_db()
    assert not job.file
    import os

    assert not os.path.exists(path)


def test_mp3_export_where_an_encoder_exists():
    if "mp3" not in services.available_formats():
        pytest.skip("no MP3 encoder in this libsndfile")
    commit = CommitFactory()
    job = services.export_job_create(project=commit.project, actor=None, export_format="mp3", commit=commit)
    assert services.export_job_run(job_id=job.pk).status == ExportStatus.COMPLETED


def test_mp3_export_resamples_a_96_khz_mix_to_a_rate_the_encoder_takes():
    if "mp3" not in services.available_formats():
        pytest.skip("no MP3 encoder in this libsndfile (apt-get install libsndfile1 >= 1.1 with LAME)")
    from tests.audio_vcs.audio import tone, upload

    stems = [services.StemUpload(stem_type="drums", file=upload(tone(220, seconds=0.5, rate=96_000, channels=2)))]
    commit = CommitFactory(stems=stems)
    job = services.export_job_create(project=commit.project, actor=None, export_format="mp3", commit=commit)
    done = services.export_job_run(job_id=job.pk)
    assert done.status == ExportStatus.COMPLETED, done.error
    with done.file.open("rb") as handle:
        info = soundfile.info(io.BytesIO(handle.read()))
    assert info.samplerate == 48_000 and info.duration == pytest.approx(0.5, abs=0.1)
    rates = [studio.mp3_rate(r) for r in (8000, 44_100, 88_200, 96_000, 30_000)]
    assert rates == [8000, 44_100, 48_000, 48_000, 32_000]


def test_export_rejects_unknown_format_and_two_targets():
    commit = CommitFactory()
    with pytest.raises(ValidationError):
        services.export_job_create(project=commit.project, actor=None, export_format="ogg", commit=commit)
    with pytest.raises(ValidationError):
        services.export_job_create(
            project=commit.project, actor=None, export_format="wav", commit=commit, branch="main"
        )


def test_demo_data_is_made_once():
    from audio_vcs import demo
    from core import demo as core_demo

    out = io.StringIO()
    core_demo.seed(out)
    demo.seed(out)
    assert Project.objects.filter(name="Night Drive").get().commits.count() == 4
    assert Project.objects.filter(forked_from__isnull=False).count() == 1
    assert list(Project.objects.get(name="Night Drive").tags.values_list("name", flat=True)) == ["v1.0"]
    demo.seed(out)
    assert "already present" in out.getvalue()


def test_midi_round_trip_keeps_the_end_of_track_time():
    """A file whose tracks end a while after their last note comes back just as long, with the same notes."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    midi.tracks.append(
        mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100)), mido.MetaMessage("end_of_track")])
    )
    notes = mido.MidiTrack([mido.Message("note_on", note=60, velocity=80, time=0)])
    notes.append(mido.Message("note_off", note=60, velocity=0, time=480 * 36))
    notes.append(mido.MetaMessage("end_of_track", time=int(480 * 2.5)))  # silence after the last note
    midi.tracks.append(notes)
    out = io.BytesIO()
    midi.save(file=out)
    parsed = services.midi_parse(out.getvalue())
    assert parsed["length_seconds"] == pytest.approx(38.5 * 60 / 100)
    rendered = services.midi_render(parsed["midi_data"])
    again = services.midi_parse(rendered)
    assert again["length_seconds"] == pytest.approx(parsed["length_seconds"])
    assert mido.MidiFile(file=io.BytesIO(rendered)).length == pytest.approx(23.1)
    assert [t["notes"] for t in again["midi_data"]["tracks"]] == [t["notes"] for t in parsed["midi_data"]["tracks"]]


def test_an_export_whose_worker_stopped_is_retried_at_most_n_times_then_failed_with_the_reason(
    django_capture_on_commit_callbacks,
):
    from audio_vcs.constants import EXPORT_MAX_ATTEMPTS

    commit = CommitFactory()
    job = services.export_job_create(project=commit.project, actor=None, export_format="wav", commit=commit)
    later = timezone.now() + timedelta(hours=1)
    for attempt in range(1, EXPORT_MAX_ATTEMPTS + 1):
        # a worker takes the job and dies: running, no progress written since
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, attempts=attempt)
        assert services.exports_sweep_stalled(now=timezone.now()) == 0  # its heartbeat is fresh
        with django_capture_on_commit_callbacks() as queued:
            assert services.exports_sweep_stalled(now=later) == 1
        job.refresh_from_db()
        if attempt < EXPORT_MAX_ATTEMPTS:
            assert job.status == ExportStatus.QUEUED and f"attempt {attempt} of" in job.error
            assert len(queued) == 1
            ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)
    assert job.status == ExportStatus.FAILED and "stopped 3 times" in job.error
    assert services.export_job_run(job_id=job.pk).status == ExportStatus.FAILED  # only a queued job runs


def test_each_run_of_an_export_counts_an_attempt():
    commit = CommitFactory()
    job = services.export_job_create(project=commit.project, actor=None, export_format="wav", commit=commit)
    assert services.export_job_run(job_id=job.pk).attempts == 1
