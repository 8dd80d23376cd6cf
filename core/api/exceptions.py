"""One error shape for every response under ``/api/`` that is not a success.

    {"message": "Invalid input.", "errors": [{"field": "tracks.0.title", "message": "...", "code": "required"}]}

``field`` is the dotted path of the offending input (list items by index) or ``null``
for errors about the whole object. Django's ``ValidationError`` (model ``clean()``,
services), ``Http404`` and ``PermissionDenied`` become DRF errors; a constraint the
database enforces (``IntegrityError``) becomes a 409 carrying the constraint's
``violation_error_message``; a value the database cannot store becomes a 400; a body
over the size limit a 413. A 500 carries ``error_id`` (also in the log) and nothing
about the failure; a database that cannot be reached is a 503 with ``Retry-After``.

The ListenBrainz-compatible API under ``/1/`` answers ``{"code": <status>, "error": "<message>"}``
instead, as ListenBrainz does, so that its client shows the message. Responses Django
or a view produced without this handler (404 for unknown paths, 405, CSRF 403, 500)
are put in the right shape by ``core.middleware.ApiErrorMiddleware``.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from http import HTTPStatus

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import UniqueConstraint
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.parsers import ERROR_TOO_LARGE, PayloadTooLarge, max_json_bytes, safe_text
from core.services import ConflictError

logger = logging.getLogger(__name__)

NON_FIELD_KEYS = {"non_field_errors", "__all__"}
#: seconds a client should wait before retrying when the database cannot be reached
DATABASE_RETRY_AFTER = 30
MESSAGE_SERVER_ERROR = "Internal server error. Quote the error id when reporting it."
MESSAGE_DATABASE_DOWN = "The service is temporarily unavailable. Try again shortly."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the data."
    default_code = "conflict"


@functools.cache
def constraint_messages() -> dict[str, str]:
    """Every named constraint of every installed model, mapped to its violation message."""
    messages = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            messages[constraint.name] = str(constraint.get_violation_error_message())
    return messages


#: error codes of a row that already exists, as Django's unique checks and DRF's unique validators say it
DUPLICATE_CODES = frozenset({"unique", "unique_together"})
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a unique index that refused a row


@functools.cache
def unique_constraint_messages() -> frozenset[str]:
    """The violation messages of every unique constraint (a check that reads them before the insert says the same)."""
    return frozenset(
        str(constraint.get_violation_error_message())
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint)
    )


def duplicate(message: str, field: str | None = None) -> Conflict:
    """The one answer to a row that already exists: a 409 with the rule's message, whoever saw the duplicate (a
    serializer's or model's unique check before the insert, or the database's unique index at the insert, as
    the loser of a race does), so the same request gets the same answer alone and in a burst."""
    conflict = Conflict(detail=message, code="unique")
    conflict.field = None  # the message names the rule; the field, if any, is in ``errors``
    conflict.errors = [{"field": field, "message": message, "code": "unique"}]
    return conflict


def _unique_field(diag) -> str | None:
    """The model field a one-column unique index is on (from PostgreSQL's ``Key (column)=(...)`` detail), or None."""
    match = re.match(r"Key \(([^,()]+)\)=", getattr(diag, "message_detail", None) or "")
    table = getattr(diag, "table_name", None)
    if match is None or table is None:
        return None
    for model in apps.get_models():
        if model._meta.db_table == table:
            return next((f.name for f in model._meta.concrete_fields if f.column == match.group(1)), None)
    return None


def integrity_error_to_api(exc: IntegrityError) -> exceptions.APIException:
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    message = constraint_messages().get(name or "")
    unique = getattr(exc.__cause__, "sqlstate", None) == UNIQUE_VIOLATION
    field = _unique_field(diag) if unique else None
    if message is None and field is not None:  # a field's own unique=True: Django's "... with this ... exists."
        model = next(m for m in apps.get_models() if m._meta.db_table == diag.table_name)
        message = model().unique_error_message(model, [field]).messages[0]
    if message is None:
        message = Conflict.default_detail + (f" (constraint {name})" if name else "")
    if unique:
        return duplicate(message, field)
    return Conflict(detail=message, code=name or "conflict")


def is_duplicate(errors: list[dict]) -> bool:
    """Whether a validation error only says that the row already exists (each error a unique check's)."""
    return bool(errors) and all(
        error["code"] in DUPLICATE_CODES or error["message"] in unique_constraint_messages() for error in errors
    )


def to_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, ConflictError):
        api_exc = Conflict(detail=exc.message, code=exc.code)
        api_exc.field, api_exc.errors, api_exc.extra = exc.field, exc.errors, exc.extra
        return api_exc
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, IntegrityError):
        return integrity_error_to_api(exc)
    if isinstance(exc, DataError):
        logger.info("DataError turned into a 400: %s", exc)
        return exceptions.ValidationError({"non_field_errors": [str(exc).splitlines()[0]]}, code="invalid")
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(ERROR_TOO_LARGE.format(limit=max_json_bytes()))
    if isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body...
        return exceptions.ParseError(str(exc) or "Bad request.", code="bad_request")
    if isinstance(exc, exceptions.ValidationError) and is_duplicate(errors := flatten_errors(exc.detail)):
        return duplicate(errors[0]["message"], errors[0]["field"])
    return exc


def flatten_errors(detail, path: tuple[str, ...] = ()) -> list[dict]:
    """Turn DRF's nested error details into a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in flatten_errors(value, path if key in NON_FIELD_KEYS else (*path, str(key)))
        ]
    if isinstance(detail, list):
        errors = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                errors.extend(flatten_errors(item, (*path, str(index))))
            else:
                errors.extend(flatten_errors(item, path))
        return errors
    return [
        {
            "field": safe_text(".".join(path)) or None,
            "message": safe_text(str(detail)),
            "code": getattr(detail, "code", None),
        }
    ]


#: methods that never write: their requests run without a transaction
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def roll_back_request(request) -> None:
    """Mark the transaction of a writing request for rollback (a refused or failed request keeps nothing)."""
    if request.method not in SAFE_METHODS and transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)


def exception_handler(exc: Exception, context: dict):
    """DRF's ``EXCEPTION_HANDLER``: every API exception in the one shape; anything else goes on to the middleware."""
    exc = to_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: core.middleware answers it (500 with an error id, or 503)
    if context.get("request") is not None:
        roll_back_request(context["request"])  # what DRF does under ATOMIC_REQUESTS (core.middleware)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        message = (
            "Invalid input."
            if len(errors) != 1
            else (f"{errors[0]['field']}: {errors[0]['message']}" if errors[0]["field"] else errors[0]["message"])
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        errors = flatten_errors(detail) if isinstance(detail, dict | list) else []
        message = safe_text(str(detail)) if not isinstance(detail, dict | list) else "Request failed."
        field = getattr(exc, "field", None)
        if field is not None:
            errors = [{"field": field, "message": message, "code": getattr(detail, "code", None)}]
            message = f"{field}: {message}"
        errors = getattr(exc, "errors", None) or errors  # a ConflictError's own list (core.services)
    response.data = {**(getattr(exc, "extra", None) or {}), "message": message, "errors": errors}
    return response


# Answers built outside DRF (by core.middleware) -------------------------------------------------


def reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase + "."
    except ValueError:
        return "Request failed."


def error_body(status_code: int, message: str, *, listenbrainz: bool = False, **extra) -> dict:
    """The error body of the shape documented for ``/api/`` (or ListenBrainz's, for ``/1/``)."""
    if listenbrainz:
        return {"code": status_code, "error": message}
    return {"message": message, "errors": [], **extra}


def error_response(status_code: int, message: str, *, listenbrainz: bool = False, **extra) -> JsonResponse:
    return JsonResponse(error_body(status_code, message, listenbrainz=listenbrainz, **extra), status=status_code)


def server_error_response(request, exc: BaseException | None, *, listenbrainz: bool = False) -> JsonResponse:
    """A 503 when the database cannot be reached; otherwise a 500 with an error id that the log carries too."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable on %s %s: %s", request.method, request.path, exc)
        response = error_response(503, MESSAGE_DATABASE_DOWN, listenbrainz=listenbrainz)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    error_id = uuid.uuid4().hex
    logger.error(
        "Unhandled error %s on %s %s",
        error_id,
        request.method,
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else True,
    )
    if listenbrainz:
        return error_response(500, f"{MESSAGE_SERVER_ERROR} (error id {error_id})", listenbrainz=True)
    return error_response(500, MESSAGE_SERVER_ERROR, error_id=error_id)


def exception_response(request, exc: BaseException, *, listenbrainz: bool = False) -> JsonResponse:
    """The JSON answer to an exception that reached the middleware (raised outside DRF's handling)."""
    api_exc = to_api_exception(exc)
    if isinstance(api_exc, exceptions.APIException):
        detail = api_exc.detail
        message = safe_text(str(detail)) if not isinstance(detail, dict | list) else "Request failed."
        if isinstance(api_exc, exceptions.ValidationError):
            errors = flatten_errors(detail)
            message = errors[0]["message"] if len(errors) == 1 else "Invalid input."
        return error_response(api_exc.status_code, message, listenbrainz=listenbrainz)
    return server_error_response(request, exc, listenbrainz=listenbrainz)
