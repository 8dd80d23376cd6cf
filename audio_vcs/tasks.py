"""Background tasks of the audio version control app (procrastinate): export jobs and purging expired files."""

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
