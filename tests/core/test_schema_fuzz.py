"""Schema-driven fuzzing: every operation of the OpenAPI schema answers as the schema says, never with a 500.

Schemathesis reads the schema drf-spectacular generates (so an app that lands later is covered without
touching this file), generates requests for each operation and sends them in-process (WSGI) to the
project, as a superuser with a real token, against the test database. Each request runs inside a
savepoint that is rolled back afterwards, so a request can neither end the run (deleting the token in
use) nor leave state for the next one. Checks: no server error, the response matches its documented
schema, its content type and its status code are documented, and a 4xx message carries no Python repr, class or
traceback.

Examples are derandomised (the same requests on every run). ``make test`` runs it with 3 examples per
operation; ``FUZZ_EXAMPLES=<n>`` asks for more (``FUZZ_EXAMPLES=20 .venv/bin/python -m pytest
tests/core/test_schema_fuzz.py``) and ``FUZZ_EXAMPLES=0`` skips it. ``FUZZ_COVERAGE=1`` adds schemathesis' coverage
phase (boundary values of every parameter: many times the requests). An operation that must not be called
is marked in its view with ``core.api.schema.fuzz_exclude("why")``.
"""

from __future__ import annotations

import functools
import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.api.schema import FUZZ_EXCLUDE
from core.testing import PYTHON_TEXT
from tests.core.factories import UserFactory

#: examples per operation; ``FUZZ_EXAMPLES=0`` skips the module
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
if FUZZ_EXAMPLES <= 0:
    pytest.skip("FUZZ_EXAMPLES=0: the schema fuzz test is off", allow_module_level=True)
#: also send schemathesis' coverage cases (boundary and near-boundary values of every parameter, ~20x the requests)
FUZZ_COVERAGE = os.environ.get("FUZZ_COVERAGE", "") == "1"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
#: rows inserted, updated or deleted so far in the current transaction (PostgreSQL's counters, savepoints included)
ROWS_WRITTEN_SQL = "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@functools.cache
def generated_document() -> str:
    """The public schema as JSON text, generated once per session (collection and the exclusions test share it)."""
    return json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)


def openapi_document() -> dict:
    """The public schema as JSON data, without the operations marked with ``fuzz_exclude``."""
    document = json.loads(generated_document())
    for path_item in document["paths"].values():
        for method in [method for method, op in path_item.items() if method in METHODS and FUZZ_EXCLUDE in op]:
            del path_item[method]
    return document


def excluded_operations() -> dict[str, str]:
    document = json.loads(generated_document())
    return {
        f"{method.upper()} {path}": op[FUZZ_EXCLUDE]
        for path, path_item in document["paths"].items()
        for method, op in path_item.items()
        if method in METHODS and FUZZ_EXCLUDE in op
    }


@pytest.fixture
def in_process_requests():
    """As Django's test client does: requests must not close the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _, key = AuthToken.objects.create(user=UserFactory(superuser=True))
    return key


schema = schemathesis.openapi.from_dict(openapi_document())  # pytest-django has set Django up by collection time
schema.app = WSGIHandler()
# the coverage phase adds dozens of boundary cases per operation, whatever FUZZ_EXAMPLES says
schema.config.phases.coverage.enabled = FUZZ_COVERAGE


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_operation_answers_as_documented(db, case, fuzz_token, in_process_requests):
    savepoint = transaction.savepoint()
    try:
        before = rows_written()
        request = transaction.savepoint()  # a read runs without a transaction: a statement PostgreSQL refuses
        response = case.call(headers={"Authorization": f"Token {fuzz_token}"})  # ends nothing but itself
        transaction.savepoint_rollback(request)  # (the counters keep what the request tried to write)
        case.validate_response(response, checks=CHECKS)
        if 400 <= response.status_code < 500:  # a refusal speaks to a user: no Python repr, class or traceback
            assert not PYTHON_TEXT.search(response.text), f"{case.method} {case.formatted_path}: {response.text[:300]}"
        if case.method.upper() in {"GET", "HEAD", "OPTIONS"}:  # a GET never writes
            assert rows_written() == before, f"{case.method} {case.formatted_path} wrote rows"
    finally:
        transaction.savepoint_rollback(savepoint)


def rows_written() -> int:
    with connection.cursor() as cursor:
        cursor.execute(ROWS_WRITTEN_SQL)
        return cursor.fetchone()[0]


def test_fuzz_exclusions_give_a_reason(db):
    for operation, reason in excluded_operations().items():
        assert isinstance(reason, str) and len(reason) > 10, operation
