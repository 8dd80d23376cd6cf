"""JSON schemas of the catalog, loaded once, and the validators the models call."""

import functools
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent


@functools.cache
def preset_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "preset.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_preset_parameters(parameters) -> None:
    """Raise a ValidationError on ``parameters`` listing each violation with its JSON path."""
    errors = sorted(preset_validator().iter_errors(parameters), key=lambda error: list(error.absolute_path))
    if errors:
        raise ValidationError(
            {"parameters": [f"{error.json_path}: {error.message}" for error in errors]},
            code="schema",
        )
