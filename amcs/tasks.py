"""Background tasks of AMCS (procrastinate): executing queued workflow runs, sweeping runs whose worker died."""

from procrastinate.contrib.django import app

from amcs import services


@app.task(name="amcs.execute_run")
def execute_run(run_id: str) -> str:
    """Execute one queued run; returns its status. Idempotent: a run already taken by a worker is left."""
    return services.workflow_run_execute(run_id=run_id)


@app.periodic(cron="*/5 * * * *", periodic_id="amcs-sweep-stalled-runs")
@app.task(name="amcs.sweep_stalled_runs", queueing_lock="amcs.sweep_stalled_runs")
def sweep_stalled_runs(timestamp: int | None = None) -> int:
    """Fail the runs whose worker died mid-node (no progress within the node timeout), naming the node."""
    return services.workflow_runs_sweep()
