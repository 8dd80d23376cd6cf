"""Background tasks of the audio version control app (procrastinate): export jobs, purging expired files and the
garbage collection of blob files."""

from procrastinate.contrib.django import app

from audio_vcs import services


@app.task(name="audio_vcs.run_export_job")
def run_export_job(job_id: str) -> str | None:
    """Produce an export job's file; idempotent (only a queued job runs). Returns the job's final status."""
    job = services.export_job_run(job_id=job_id)
    return job.status if job is not None else None


@app.periodic(cron="41 * * * *", periodic_id="audio-vcs-purge-exports")
@app.task(name="audio_vcs.purge_expired_exports", queueing_lock="audio_vcs.purge_expired_exports")
def purge_expired_exports(timestamp: int | None = None) -> int:
    """Delete export files past their expiry. Idempotent."""
    return services.exports_purge_expired()


@app.periodic(cron="17 4 * * *", periodic_id="audio-vcs-gc")
@app.task(name="audio_vcs.collect_garbage", queueing_lock="audio_vcs.collect_garbage")
def collect_garbage(timestamp: int | None = None) -> int:
    """Remove stray blob files and unreferenced blobs older than the grace period (daily). Idempotent."""
    from audio_vcs.services.integrity import garbage_collect

    report = garbage_collect()
    return len(report.stray_files) + len(report.blobs)


@app.periodic(cron="*/5 * * * *", periodic_id="audio-vcs-sweep-exports")
@app.task(name="audio_vcs.sweep_stalled_exports", queueing_lock="audio_vcs.sweep_stalled_exports")
def sweep_stalled_exports(timestamp: int | None = None) -> int:
    """Queue again (or fail, after the last attempt) export jobs whose worker stopped. Idempotent."""
    return services.exports_sweep_stalled()
