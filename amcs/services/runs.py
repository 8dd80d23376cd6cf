"""Workflow runs: start (validate and freeze the SDS, queue), execute (the worker runs ``amcs.workflow``), replay,
and the sweep of runs whose worker died mid-node.

Services take the acting user (``actor``; ``None`` acts as the system, for commands and the worker): starting or
replaying a run needs write access to the song's tenant. Run status, node outputs, scores and the song's status
are written here only.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from amcs import documents
from amcs.choices import SongStatus, WorkflowEventPhase, WorkflowNode, WorkflowRunStatus
from amcs.models import Song, WorkflowEvent, WorkflowRun, WorkflowStep
from amcs.services.documents import sds_check, sds_raise_errors, song_sds
from amcs.workflow import RunInput, runner, sha256_of
from core.services import ConflictError, Refused

NOT_YOUR_SONG = "Your role in this song's tenant does not allow starting or replaying runs."
ONE_RUNNING = "amcs_workflowrun_one_running_per_song"
STALLED = "The worker stopped during {node}: no progress for {seconds} s. Start a new run."
NOT_RENDERED = "No external renderer delivered the render within {seconds} s. Start a new run."
#: Seconds a node may run before the sweep decides its worker died (settings.AMCS_NODE_TIMEOUT overrides).
NODE_TIMEOUT_SEC = 600
#: Seconds a run waits at RENDER for an external renderer (settings.AMCS_RENDER_TIMEOUT overrides).
RENDER_TIMEOUT_SEC = 24 * 3600


def require_writer(actor, song: Song) -> None:
    """Raise ``Refused`` unless ``actor`` may write in the song's tenant (``None`` acts as the system)."""
    if actor is not None and not Song.objects.editable_by(actor).filter(pk=song.pk).exists():
        raise Refused(NOT_YOUR_SONG, field="song")


def frozen_input(song: Song) -> tuple[dict, dict]:
    """The song's SDS and what the nodes read beside it, as a run freezes them. ``song`` comes with its SDS parts
    (``Song.objects.with_sds_parts()``). An invalid SDS is a ValidationError keyed by JSON pointer (the report)."""
    sds = song_sds(song=song)
    sds_raise_errors(documents.as_json(sds_check(document=sds, tenant=song.tenant).errors))
    context = {
        "blueprint": song.blueprint.to_document(),
        "persona": song.persona.to_document() if song.persona_id else None,
        "target_duration_sec": song.target_duration_sec,
    }
    return sds, context


@transaction.atomic
def workflow_run_start(*, song: Song, actor, defer: bool = True) -> WorkflowRun:
    """Start a run of ``song``: validate its SDS (a ValidationError carries the report), freeze it with its SHA-256,
    store the run ``running`` and queue it for a worker once the transaction commits. A song with a run in progress
    is a ``ConflictError`` (409): the partial unique index ``amcs_workflowrun_one_running_per_song`` decides, so two
    requests at once cannot both start one."""
    require_writer(actor, song)
    song = Song.objects.with_sds_parts().select_related("tenant", "owner").get(pk=song.pk)
    sds, context = frozen_input(song)
    run = WorkflowRun(
        tenant=song.tenant,
        owner=actor if actor is not None else song.owner,
        song=song,
        seed=song.global_seed,
        input_document=sds,
        input_hash=sha256_of(sds),
        input_context=context,
    )
    run.full_clean(exclude=["tenant", "owner", "song"], validate_constraints=False)  # the index decides (409)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) == ONE_RUNNING:
            raise ConflictError(
                "This song already has a run in progress; wait for it to end.", code=ONE_RUNNING, field="song"
            ) from error
        raise
    if defer:
        transaction.on_commit(lambda: _defer(run.pk))
    return run


def _defer(run_id) -> None:
    from amcs.tasks import execute_run

    execute_run.defer(run_id=str(run_id))


class _Recorder(runner.Hooks):
    """Writes what the runner reports: a start event and the current node; the step and an end event; a fail event.
    A constant number of statements per node, whatever the song holds."""

    def __init__(self, run: WorkflowRun, first_sequence: int):
        self.run = run
        self.sequence = first_sequence
        self.started = 0.0

    def event(self, *, node: str, phase: str, seed: int, metrics: dict, issues: list | None = None) -> None:
        self.sequence += 1
        event = WorkflowEvent(
            tenant_id=self.run.tenant_id,
            owner_id=self.run.owner_id,
            run=self.run,
            sequence=self.sequence,
            ts=timezone.now(),
            node=node,
            phase=phase,
            seed=seed,
            metrics=metrics,
            issues=issues or [],
        )
        event.full_clean(exclude=["tenant", "owner", "run"], validate_constraints=False)
        event.save()

    def start(self, *, node, sequence, seed, round, input_hash) -> None:
        WorkflowRun.objects.filter(pk=self.run.pk).update(current_node=node, node_started_at=timezone.now())
        self.event(node=node, phase=WorkflowEventPhase.START, seed=seed, metrics={"round": round, "step": sequence})
        self.started = time.perf_counter()

    def end(self, step: runner.Step) -> None:
        duration = int((time.perf_counter() - self.started) * 1000)
        row = WorkflowStep(
            tenant_id=self.run.tenant_id,
            owner_id=self.run.owner_id,
            run=self.run,
            sequence=step.sequence,
            node=step.node,
            round=step.round,
            seed=step.seed,
            input_hash=step.input_hash,
            output_hash=step.output_hash,
            output=step.output,
            duration_ms=duration,
        )
        row.full_clean(exclude=["tenant", "owner", "run"], validate_constraints=False)
        row.save()
        metrics = {"duration_ms": duration, "output_hash": step.output_hash, "input_hash": step.input_hash}
        if step.node == WorkflowNode.VALIDATE:
            metrics["scores"] = step.output["scores"]
        issues = step.output.get("issues", []) if step.node == WorkflowNode.VALIDATE else []
        self.event(node=step.node, phase=WorkflowEventPhase.END, seed=step.seed, metrics=metrics, issues=issues)

    def fail(self, *, node, sequence, seed, message, report) -> None:
        self.event(
            node=node,
            phase=WorkflowEventPhase.FAIL,
            seed=seed,
            metrics={"message": message},
            issues=list(report.get("issues", [])),
        )


def run_input(run: WorkflowRun) -> RunInput:
    return RunInput.from_frozen(run.input_document, run.input_context, run.seed)


def workflow_run_execute(*, run_id) -> str:
    """Execute a queued run (the worker's task): claims it (a run is executed once), runs the nodes, stores each
    output and event, and ends the run and the song with their final status. Returns the run's status."""
    claimed = WorkflowRun.objects.filter(
        pk=run_id, status=WorkflowRunStatus.RUNNING, node_started_at__isnull=True
    ).update(node_started_at=timezone.now())
    run = WorkflowRun.all_objects.filter(pk=run_id).first()
    if run is None or not claimed:
        return run.status if run is not None else "missing"
    last = run.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    outcome = runner.execute(run_input(run), _Recorder(run, last))
    return _finish(run, outcome)


@transaction.atomic
def _finish(run: WorkflowRun, outcome: runner.Outcome) -> str:
    last = outcome.last
    fields = {
        "node_outputs": {
            step.node: {"output_hash": step.output_hash, "input_hash": step.input_hash} for step in outcome.steps
        },
        "fix_iterations": outcome.fix_rounds,
        "updated_at": timezone.now(),
    }
    if WorkflowNode.VALIDATE in last:
        report = last[WorkflowNode.VALIDATE]
        fields["validation_scores"] = {**report["scores"], "verdict": report["verdict"]}
    if outcome.status == "waiting":
        song_status = SongStatus.RENDERING
    elif outcome.status == "completed":
        fields["status"] = WorkflowRunStatus.COMPLETED
        song_status = last[WorkflowNode.REVIEW]["song_status"]
    else:
        fields["status"] = WorkflowRunStatus.FAILED
        fields["error"] = outcome.error
        song_status = SongStatus.FAILED
    WorkflowRun.objects.filter(pk=run.pk).update(**fields)
    Song.all_objects.filter(pk=run.song_id).update(status=song_status, updated_at=timezone.now())
    return fields.get("status", WorkflowRunStatus.RUNNING)


def workflow_run_replay(*, run: WorkflowRun, actor) -> dict:
    """Run the frozen input again and compare every node's output hash with the stored one, in order: identical, or
    the first step that differs. Writes nothing."""
    require_writer(actor, run.song)
    stored = list(run.steps.order_by("sequence").values_list("sequence", "node", "output_hash"))
    outcome = runner.execute(run_input(run))
    replayed = [(step.sequence, step.node, step.output_hash) for step in outcome.steps][: len(stored)]
    steps, first = [], None
    for index in range(max(len(stored), len(replayed))):
        old = stored[index] if index < len(stored) else (index + 1, None, None)
        new = replayed[index] if index < len(replayed) else (index + 1, None, None)
        same = old[1:] == new[1:]
        steps.append(
            {"sequence": old[0], "node": old[1] or new[1], "stored": old[2], "replayed": new[2], "identical": same}
        )
        if not same and first is None:
            first = steps[-1]
    stored_error = (run.error or {}).get("node")
    if first is None and run.status == WorkflowRunStatus.FAILED and stored_error != outcome.error.get("node"):
        first = {"sequence": len(stored) + 1, "node": stored_error, "stored": "failed", "replayed": outcome.status}
    return {
        "run": str(run.pk),
        "input_hash": run.input_hash,
        "identical": first is None,
        "compared": len(steps),
        "first_difference": first,
        "steps": steps,
    }


@transaction.atomic
def workflow_runs_sweep(*, timeout_sec: int | None = None, render_timeout_sec: int | None = None) -> int:
    """Fail the runs whose current node started more than the timeout ago (their worker died), naming the node,
    and the runs waiting at RENDER longer than the render timeout; their songs become ``failed`` (and may run
    again). Returns how many runs it failed."""
    timeout = timeout_sec if timeout_sec is not None else getattr(settings, "AMCS_NODE_TIMEOUT", NODE_TIMEOUT_SEC)
    render_timeout = (
        render_timeout_sec
        if render_timeout_sec is not None
        else getattr(settings, "AMCS_RENDER_TIMEOUT", RENDER_TIMEOUT_SEC)
    )
    now = timezone.now()
    rendered = Exists(WorkflowStep.objects.filter(run=OuterRef("pk"), node=WorkflowNode.RENDER))
    stalled = list(
        WorkflowRun.objects.select_for_update(skip_locked=True)
        .filter(status=WorkflowRunStatus.RUNNING)
        .annotate(waiting=rendered)
        .filter(
            Q(waiting=False, node_started_at__lt=now - timedelta(seconds=timeout))
            | Q(waiting=True, node_started_at__lt=now - timedelta(seconds=render_timeout))
        )
    )
    for run in stalled:
        node = run.current_node or WorkflowNode.PLAN
        if run.waiting:
            message = NOT_RENDERED.format(seconds=render_timeout)
        else:
            message = STALLED.format(node=node, seconds=timeout)
        recorder = _Recorder(run, run.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0)
        recorder.fail(node=node, sequence=0, seed=run.node_seed(node), message=message, report={})
        WorkflowRun.objects.filter(pk=run.pk).update(
            status=WorkflowRunStatus.FAILED, error={"node": node, "message": message, "report": {}}
        )
        Song.all_objects.filter(pk=run.song_id).update(status=SongStatus.FAILED, updated_at=timezone.now())
    return len(stalled)


def validation_error_report(error: ValidationError) -> list[dict]:
    return [{"pointer": key, "message": " ".join(messages)} for key, messages in error.message_dict.items()]
