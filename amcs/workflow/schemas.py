"""Every node's output is checked against its JSON schema (``amcs/schemas/nodes/<node>.schema.json``): an output
that does not meet it is a bug of the node, raised as such (never stored)."""

from __future__ import annotations

import functools
import json

from jsonschema import Draft202012Validator

from amcs.validation import SCHEMA_DIR

NODE_SCHEMA_DIR = SCHEMA_DIR / "nodes"


@functools.cache
def validator(node: str) -> Draft202012Validator:
    schema = json.loads((NODE_SCHEMA_DIR / f"{node.lower()}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


class OutputSchemaError(AssertionError):
    """A node produced an output its schema refuses."""


def output_errors(node: str, output) -> list[str]:
    return [
        f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in sorted(validator(node).iter_errors(output), key=lambda e: list(map(str, e.absolute_path)))
    ]


def check_output(node: str, output) -> None:
    errors = output_errors(node, output)
    if errors:
        raise OutputSchemaError(f"{node} output does not meet its schema: {'; '.join(errors[:5])}")
