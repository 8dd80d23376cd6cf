"""The runner: the nodes in order, each with its seed (run seed + node index) and its input hash, FIX at most
three counted rounds; what to persist is left to the ``Hooks`` the caller passes (the service writes events and
outputs, a replay only collects hashes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from amcs.choices import WorkflowNode
from amcs.constants import MAX_FIX_ITERATIONS
from amcs.workflow import compose_node, fix, lyrics, plan, producer, render, review, style, validate
from amcs.workflow.base import NodeFailed, RunInput, sha256_of
from amcs.workflow.schemas import check_output

NODES: dict[str, Callable] = {
    WorkflowNode.PLAN: plan.run,
    WorkflowNode.STYLE: style.run,
    WorkflowNode.LYRICS: lyrics.run,
    WorkflowNode.PRODUCER: producer.run,
    WorkflowNode.COMPOSE: compose_node.run,
    WorkflowNode.VALIDATE: validate.run,
    WorkflowNode.FIX: fix.run,
    WorkflowNode.RENDER: render.run,
    WorkflowNode.REVIEW: review.run,
}
ORDER = list(WorkflowNode.values)
NO_REPAIR = "VALIDATE failed and no deterministic repair applies (the last report says what to change)."
FIX_LIMIT = f"VALIDATE still fails after {MAX_FIX_ITERATIONS} FIX rounds (the last report says what to change)."


@dataclass
class Step:
    sequence: int
    node: str
    round: int
    seed: int
    input_hash: str
    output_hash: str
    output: dict

    def summary(self) -> dict:
        return {"node": self.node, "round": self.round, "sha256": self.output_hash}


class Hooks:
    """What the runner tells its caller; the default does nothing (a replay)."""

    def start(self, *, node: str, sequence: int, seed: int, round: int, input_hash: str) -> None:
        pass

    def end(self, step: Step) -> None:
        pass

    def fail(self, *, node: str, sequence: int, seed: int, message: str, report: dict) -> None:
        pass


@dataclass
class Outcome:
    status: str  # completed | failed | waiting
    steps: list[Step] = field(default_factory=list)
    error: dict = field(default_factory=dict)
    fix_rounds: int = 0

    @property
    def last(self) -> dict:
        return {step.node: step.output for step in self.steps}


class _Run:
    def __init__(self, run_input: RunInput, hooks: Hooks):
        self.input, self.hooks = run_input, hooks
        self.outcome = Outcome(status="running")
        self.upstream: dict = {}

    def step(self, node: str, round_: int = 0) -> dict:
        seed = self.input.seed + ORDER.index(node)
        sequence = len(self.outcome.steps) + 1
        input_hash = sha256_of(
            {
                "node": node,
                "seed": seed,
                "input": self.input.context_hash,
                "upstream": {name: sha256_of(value) for name, value in sorted(self.upstream.items())},
            }
        )
        self.hooks.start(node=node, sequence=sequence, seed=seed, round=round_, input_hash=input_hash)
        try:
            output = NODES[node](self.input, self.upstream, seed)
            check_output(node, output)
        except NodeFailed as failure:
            self.hooks.fail(node=node, sequence=sequence, seed=seed, message=failure.message, report=failure.report)
            self.outcome.status = "failed"
            self.outcome.error = {"node": node, "message": failure.message, "report": failure.report}
            raise
        step = Step(sequence, node, round_, seed, input_hash, sha256_of(output), output)
        self.outcome.steps.append(step)
        self.upstream[node] = output
        self.hooks.end(step)
        return output

    def fail(self, node: str, message: str, report: dict) -> None:
        sequence = len(self.outcome.steps) + 1
        seed = self.input.seed + ORDER.index(node)
        self.hooks.fail(node=node, sequence=sequence, seed=seed, message=message, report=report)
        self.outcome.status = "failed"
        self.outcome.error = {"node": node, "message": message, "report": report}
        raise NodeFailed(message, report=report)

    def until_render(self) -> None:
        for node in ORDER[:5]:
            self.step(node)
        report = self.step(WorkflowNode.VALIDATE)
        while report["verdict"] == validate.FAIL:
            if self.outcome.fix_rounds >= MAX_FIX_ITERATIONS:
                self.fail(WorkflowNode.VALIDATE, FIX_LIMIT, report)
            sections, changes = fix.repair(
                validate.lyrics_sections(self.upstream), report, self.upstream["PLAN"], self.input
            )
            if not changes:
                self.fail(WorkflowNode.FIX, NO_REPAIR, report)
            self.outcome.fix_rounds += 1
            self.step(WorkflowNode.FIX, self.outcome.fix_rounds)
            report = self.step(WorkflowNode.VALIDATE, self.outcome.fix_rounds)
        self.step(WorkflowNode.RENDER)

    def review(self) -> None:
        self.upstream["_steps"] = [step.summary() for step in self.outcome.steps]
        self.step(WorkflowNode.REVIEW)
        self.outcome.status = "completed"


def execute(run_input: RunInput, hooks: Hooks | None = None) -> Outcome:
    """Run the nodes from PLAN; stops ``waiting`` after RENDER when an external engine renders."""
    run = _Run(run_input, hooks or Hooks())
    try:
        run.until_render()
        if run.upstream[WorkflowNode.RENDER]["waiting"]:
            run.outcome.status = "waiting"
            return run.outcome
        run.review()
    except NodeFailed:
        pass
    return run.outcome


def resume(run_input: RunInput, steps: list[Step], render_result: dict, hooks: Hooks | None = None) -> Outcome:
    """Go on after an external render: REVIEW, with the rendered audio (``{"sha256", "duration_sec", ...}``)."""
    run = _Run(run_input, hooks or Hooks())
    run.outcome.steps = list(steps)
    run.outcome.fix_rounds = max((step.round for step in steps if step.node == WorkflowNode.FIX), default=0)
    for step in steps:
        run.upstream[step.node] = step.output
    run.upstream["RENDER_RESULT"] = render_result
    try:
        run.review()
    except NodeFailed:
        pass
    return run.outcome
