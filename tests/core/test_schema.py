"""The OpenAPI schema tells the truth, class by class (what the schema fuzz test found, pinned without fuzzing)."""

from __future__ import annotations

import functools
import json

import pytest
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def components() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))["components"]["schemas"]


def nullable(schema: dict) -> bool:
    return schema.get("nullable", False) or any(part.get("type") == "null" for part in schema.get("oneOf", []))


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("AudioVcsProject", "forked_from"),  # PrimaryKeyRelatedField(read_only=True) over a nullable FK
    ],
)
def test_read_only_field_over_a_nullable_column_is_nullable(db, component, field):
    assert nullable(components()[component]["properties"][field])


def test_read_only_field_over_a_required_column_stays_non_nullable(db):
    assert not nullable(components()["AudioVcsProject"]["properties"]["owner"])
