"""The one validation service of the AMCS JSON schemas: loaded once, checked with format checking.

``schema_errors("style", document)`` lists what is wrong with a document as ``(pointer, message)``
pairs, pointers being JSON pointers (RFC 6901) into the document. The SDS schema refers to the
entity schemas by their ``$id`` (``amcs://schemas/style-1.0.json``); a registry resolves them
without any network access.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

#: Schema names (files ``<name>.schema.json``) this service knows.
SCHEMA_NAMES = ("sds", "style", "lyrics", "producer_notes", "persona", "blueprint", "source")

Error = tuple[str, str]


@functools.cache
def schemas() -> dict[str, dict]:
    """Every schema by name, read and checked against its metaschema once per process."""
    loaded = {}
    for name in SCHEMA_NAMES:
        schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        loaded[name] = schema
    return loaded


@functools.cache
def registry() -> Registry:
    return Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas().values())


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """The validator of one schema, with format checking (``uuid`` and friends) switched on."""
    return Draft202012Validator(
        schemas()[name], registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def pointer(path) -> str:
    """A JSON pointer (``/lyrics/section_order/0``) for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def schema_errors(name: str, document, *, prefix: str = "") -> list[Error]:
    """Schema violations of ``document`` as (pointer, message), sorted by pointer; empty when valid."""
    errors = []
    for error in validator(name).iter_errors(document):
        # oneOf/anyOf failures: report the most specific sub-error so the message names the value.
        best = error
        if error.context:
            best = min(error.context, key=lambda sub: (-len(sub.absolute_path), sub.message))
            best_path = list(error.absolute_path) + list(best.relative_path)
        else:
            best_path = list(error.absolute_path)
        errors.append((prefix + pointer(best_path), best.message))
    return sorted(set(errors))
