"""The AMCS workflow: PLAN -> STYLE -> LYRICS -> PRODUCER -> COMPOSE -> VALIDATE -> (FIX -> VALIDATE)* -> RENDER
-> REVIEW, each node a pure function of the frozen run input (SDS, blueprint, persona, target duration), the
outputs of the nodes before it and its seed (run seed + node index).

Nothing here touches the database or the clock: ``amcs.services.runs`` persists what ``runner.execute`` yields
(start/end/fail events, each node's output with the SHA-256 of its canonical JSON and of its input), and replays
the same input to compare hashes. One module per node; ``engines`` holds the render engines.
"""

from amcs.workflow.base import NodeFailed, RunInput, canonical_json, sha256_of

__all__ = ["NodeFailed", "RunInput", "canonical_json", "sha256_of"]
