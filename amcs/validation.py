"""The one validation service of the AMCS JSON schemas: loaded once, checked with format checking.

``schema_errors("style", document)`` lists what is wrong with a document as ``(pointer, message)``
pairs, pointers being JSON pointers (RFC 6901) into the document and messages written for people
(never jsonschema's own wording): a missing field points at the field, an unknown field at itself.
The SDS schema refers to the entity schemas by their ``$id`` (``amcs://schemas/style-1.0.json``);
a registry resolves them without any network access.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError as SchemaError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

#: Schema names (files ``<name>.schema.json``) this service knows.
SCHEMA_NAMES = ("sds", "style", "lyrics", "producer_notes", "persona", "blueprint", "source", "composed_prompt")

Error = tuple[str, str]

TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "null": "null",
}

#: What a value matching a pattern looks like, by the name of its field.
PATTERN_HINTS = {
    "version": "Write a version as MAJOR.MINOR.PATCH (an SDS) or YEAR.N (a blueprint), e.g. '1.0.0' or '2025.11'.",
    "primary": "Write a key as a note and a mode, for example 'C major' or 'F# minor'.",
    "time_signature": "Write a time signature as beats/unit, for example '4/4'.",
    "language": "A language is a two-letter ISO 639-1 code in lower case, for example 'en'.",
}
TEMPO_SHAPE = "Write the tempo as a whole BPM or a [min, max] pair of whole BPMs."
UNKNOWN_FIELD = "Unknown field '{name}': this system does not store it. Remove it{extra}."
EXTRA_HINT = ", or keep it under 'extra_metadata'"


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
    # Without "$schema", a referenced document is checked by the referring validator's class (StrictValidator),
    # not by the plain class its dialect names.
    return Registry().with_resources(
        (schema["$id"], DRAFT202012.create_resource({k: v for k, v in schema.items() if k != "$schema"}))
        for schema in schemas().values()
    )


def _is_integer(checker, instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


#: JSON Schema counts 120.0 as an integer; the models store Python ints, so ``integer`` means an int here
#: (an integral float such as ``tempo_bpm: 120.0`` or ``1e308`` is a schema error, not a crash later on).
StrictValidator = validators.extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
)


#: Whole-number floats up to this size are integers (JSON Schema's own terms: ``120.0`` is an integer); beyond it a
#: float cannot be told from its neighbours and stays a schema error.
LARGEST_EXACT_FLOAT = 2**53


def _integral_float(value) -> bool:
    return isinstance(value, float) and value.is_integer() and abs(value) <= LARGEST_EXACT_FLOAT


def _integer_type_errors(errors):
    for error in errors:
        if error.validator == "type" and _integral_float(error.instance):
            types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            if "integer" in types:
                yield error
        yield from _integer_type_errors(error.context or [])


def whole_numbers_as_integers(name: str, document):
    """``document`` with every whole-number float where schema ``name`` asks an integer made an int (``120.0``,
    ``[110.0, 120.0]``, a seed of ``42.0``), as JSON Schema counts them; other values untouched, a copy only when
    something changed. The models store Python ints, so the services call this before checking and storing."""
    found = list(_integer_type_errors(validator(name).iter_errors(document)))
    if not found:
        return document
    document = json.loads(json.dumps(document))
    for error in found:
        path = list(error.absolute_path)
        target = document
        for key in path[:-1]:
            target = target[key]
        if path and _integral_float(target[path[-1]]):
            target[path[-1]] = int(target[path[-1]])
    return document


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """The validator of one schema, with format checking (``uuid`` and friends) switched on."""
    return StrictValidator(schemas()[name], registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def pointer(path) -> str:
    """A JSON pointer (``/lyrics/section_order/0``) for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _best(error: SchemaError) -> tuple[SchemaError, list]:
    """For oneOf/anyOf, the sub-error of the branch that fits the value's type best (a range beats a type error)."""
    if not error.context:
        return error, list(error.absolute_path)
    fitting = [sub for sub in error.context if sub.validator != "type"]
    if not fitting:
        return error, list(error.absolute_path)
    best = min(fitting, key=lambda sub: (-len(sub.relative_path), str(sub.validator)))
    return best, list(error.absolute_path) + list(best.relative_path)


def humanize(error: SchemaError) -> list[tuple[list, str]]:
    """(path, message) pairs for one jsonschema error, in words for people."""
    error, path = _best(error)
    kind, expected, value = error.validator, error.validator_value, error.instance
    field = str(path[-1]) if path and isinstance(path[-1], str) else ""
    if kind in ("oneOf", "anyOf"):
        return [(path, TEMPO_SHAPE if field == "tempo_bpm" else "This value has none of the accepted shapes.")]
    if kind == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return [([*path, name], "This field is required.") for name in missing]
    if kind in ("additionalProperties", "unevaluatedProperties"):
        known = set(error.schema.get("properties", {}))
        extra = EXTRA_HINT if "extra_metadata" in known else ""
        names = [name for name in value if name not in known] if isinstance(value, dict) else []
        return [([*path, name], UNKNOWN_FIELD.format(name=name, extra=extra)) for name in names]
    if kind == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        return [(path, f"Enter {' or '.join(TYPE_WORDS.get(t, t) for t in types)}.")]
    if kind == "minimum":
        return [(path, f"Must be at least {expected}; it is {value}.")]
    if kind == "maximum":
        return [(path, f"Must be at most {expected}; it is {value}.")]
    if kind == "exclusiveMinimum":
        return [(path, f"Must be more than {expected}; it is {value}.")]
    if kind == "exclusiveMaximum":
        return [(path, f"Must be less than {expected}; it is {value}.")]
    if kind == "minItems":
        text = (
            "Must not be empty."
            if expected == 1
            else f"Needs at least {_count(expected, 'item')}; it has {len(value)}."
        )
        return [(path, text)]
    if kind == "maxItems":
        return [(path, f"Takes at most {_count(expected, 'item')}; it has {len(value)}.")]
    if kind == "minLength":
        text = "Must not be empty." if expected == 1 else f"Needs at least {_count(expected, 'character')}."
        return [(path, text)]
    if kind == "maxLength":
        return [(path, f"Takes at most {_count(expected, 'character')}; it has {len(value)}.")]
    if kind == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        return [(path, f"{_shown(value)} is not one of the choices: {choices}.")]
    if kind == "pattern":
        return [(path, PATTERN_HINTS.get(field, f"{_shown(value)} is not in the expected format."))]
    if kind == "format":
        return [(path, f"{_shown(value)} is not a valid {expected.upper() if expected == 'uuid' else expected}.")]
    if kind == "minProperties":
        return [(path, "Must not be empty.")]
    return [(path, "This value is not allowed here.")]


def schema_errors(name: str, document, *, prefix: str = "") -> list[Error]:
    """Schema violations of ``document`` as (pointer, message), sorted by pointer; empty when valid."""
    errors = set()
    for error in validator(name).iter_errors(document):
        for path, message in humanize(error):
            errors.add((prefix + pointer(path), message))
    return sorted(errors)


def openapi_schema(name: str) -> dict:
    """The schema as an OpenAPI 3.0 schema object (for the API's request bodies): references to the other AMCS
    schemas inlined, ``$schema``/``$id`` dropped, nullable and exclusive bounds in OpenAPI 3.0's spelling."""
    by_id = {schema["$id"]: schema for schema in schemas().values()}

    def convert(node):
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and node["$ref"] in by_id:
            return convert({k: v for k, v in by_id[node["$ref"]].items() if k not in ("$schema", "$id")})
        out = {}
        for key, value in node.items():
            if key in ("$schema", "$id", "default") or (key == "format" and value == "uuid"):
                continue
            if key == "type" and isinstance(value, list):
                types = [t for t in value if t != "null"]
                out["type"] = types[0]
                out["nullable"] = "null" in value
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
                out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
                out[key] = True
            elif key in ("properties", "patternProperties"):
                out[key] = {name: convert(sub) for name, sub in value.items()}
            else:
                out[key] = convert(value)
        return out

    return convert({k: v for k, v in schemas()[name].items() if k not in ("$schema", "$id")})
