"""One error shape for every 4xx response.

    {"message": "Invalid input.", "errors": [{"field": "tracks.0.title", "message": "...", "code": "required"}]}

``field`` is the dotted path of the offending input (list items by index) or ``null``
for errors about the whole object. Django's ``ValidationError`` (model ``clean()``,
services), ``Http404`` and ``PermissionDenied`` become DRF errors; a constraint the
database enforces (``IntegrityError``) becomes a 409 carrying the constraint's
``violation_error_message``; a value the database cannot store becomes a 400.
"""

from __future__ import annotations

import functools
import logging

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


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


def integrity_error_to_api(exc: IntegrityError) -> exceptions.APIException:
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    message = constraint_messages().get(name or "")
    if message is None:
        message = Conflict.default_detail + (f" (constraint {name})" if name else "")
    return Conflict(detail=message, code=name or "conflict")


def to_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, IntegrityError):
        return integrity_error_to_api(exc)
    if isinstance(exc, DataError):
        logger.info("DataError turned into a 400: %s", exc)
        return exceptions.ValidationError({"non_field_errors": [str(exc).splitlines()[0]]}, code="invalid")
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
            "field": ".".join(path) or None,
            "message": str(detail),
            "code": getattr(detail, "code", None),
        }
    ]


def exception_handler(exc: Exception, context: dict):
    exc = to_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
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
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
    response.data = {"message": message, "errors": errors}
    return response
