"""The OpenAPI schema tells the truth, class by class (what the schema fuzz test found, pinned without fuzzing)."""

from __future__ import annotations

import functools
import json

import pytest
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def document() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def components() -> dict:
    return document()["components"]["schemas"]


def operations():
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield f"{method.upper()} {path}", operation


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


def test_every_operation_documents_406_and_every_body_415(db):
    for name, operation in operations():
        assert "406" in operation["responses"], name
        if "requestBody" in operation:
            assert "415" in operation["responses"], name


def test_text_search_is_one_parameter_q_documented_where_it_filters(db):
    """``q`` (``core.filtersets.SearchFilterSet``) is the API's one text search; no operation offers a ``search``
    parameter beside it (DRF's search filter, which searched the same columns a second way, is not installed)."""
    documented = {name: {p["name"] for p in op.get("parameters", [])} for name, op in operations()}
    assert not [name for name, parameters in documented.items() if "search" in parameters]
    assert "q" in documented["GET /api/audio-vcs/projects/"]
    assert "q" in documented["GET /api/core/memberships/"]
