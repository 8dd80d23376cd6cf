"""The OpenAPI schema, told truthfully from one place (imported by ``CoreConfig.ready``).

- :class:`AutoSchema` (``DEFAULT_SCHEMA_CLASS``): only ``list`` actions are paginated and filtered;
  a custom ``@action`` answers exactly what its ``responses`` say (``similar`` is a bare array), or a page of
  them when it is marked :func:`paginated` (and returns ``get_paginated_response``); a read-only
  field over a nullable column is nullable.
- :func:`document_errors` (a ``POSTPROCESSING_HOOKS`` entry) adds the error responses every operation
  can give, in the one error shape of :mod:`core.api.exceptions`, unless the operation documents its own.
- :func:`fuzz_exclude` marks an operation that ``tests/test_schema_fuzz.py`` must not call, with a reason.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.utils import extend_schema

#: extension key of :func:`fuzz_exclude`
FUZZ_EXCLUDE = "x-fuzz-exclude"
#: attribute :func:`paginated` sets on an action
PAGINATED = "schema_pagination_class"


def paginated(pagination_class):
    """Marks a custom ``@action`` whose GET answers a page of its ``responses`` rows, paged by
    ``pagination_class`` (which the action itself uses: ``pagination_class().paginate_queryset(...)``)."""

    def mark(action):
        setattr(action, PAGINATED, pagination_class)
        return action

    return mark


class TokenScheme(KnoxTokenScheme):
    """The token scheme of :class:`core.api.authentication.TokenAuthentication`, a knox subclass."""

    target_class = "core.api.authentication.TokenAuthentication"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with pagination and filters only where DRF applies them: ``list``."""

    def _is_custom_action(self) -> bool:
        action = getattr(self.view, "action", None)
        return action is not None and action not in {"list", "retrieve", "create", "update", "partial_update"}

    def get_filter_backends(self):
        if self._is_custom_action():
            return []
        return super().get_filter_backends()

    def _get_paginator(self):
        """List actions page with the view's paginator; a custom action only when it is marked :func:`paginated`."""
        if self._is_custom_action():
            pagination_class = getattr(getattr(self.view, self.view.action, None), PAGINATED, None)
            return pagination_class() if pagination_class else None
        return super()._get_paginator()

    def _get_serializer_field_meta(self, field, direction):
        """A declared read-only field (``PrimaryKeyRelatedField(read_only=True)``, a nested brief serializer) has no
        ``allow_null`` of its own: it is nullable when the model field it reads can be null."""
        meta = super()._get_serializer_field_meta(field, direction)
        if field.read_only and "nullable" not in meta and reads_nullable_column(field):
            meta["nullable"] = True
        return meta


def reads_nullable_column(field) -> bool:
    """Whether a serializer field's ``source`` passes through a model field with ``null=True``."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or field.source == "*":
        return False
    for name in field.source.split("."):
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if column.null and not column.many_to_many:
            return True
        model = column.related_model
        if model is None:
            return False
    return False


def fuzz_exclude(reason: str):
    """Decorator: keep the operation out of the schema-driven fuzz test, for ``reason`` (shown in the schema)."""
    return extend_schema(extensions={FUZZ_EXCLUDE: reason})


ERROR_SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "properties": {
            "field": {
                "type": "string",
                "nullable": True,
                "description": "Dotted path of the offending input (list items by index); null for the whole request.",
            },
            "message": {"type": "string"},
            "code": {"type": "string", "nullable": True, "description": "Machine-readable reason, e.g. 'required'."},
        },
        "required": ["field", "message", "code"],
    },
    "Error": {
        "type": "object",
        "description": "The one shape of every error response under /api/ (see docs/architecture.md).",
        "properties": {
            "message": {"type": "string", "description": "What went wrong, for a person."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}},
            "error_id": {"type": "string", "description": "Only on a 500: the id under which the error is logged."},
        },
        "required": ["message", "errors"],
    },
}

#: status -> (description, applies to the operation?)
ERROR_RESPONSES = {
    "400": ("Invalid input: each entry of `errors` names a field and what is wrong with it.", lambda op: True),
    "401": ("No valid credentials: send `Authorization: Token <key>`.", lambda op: _needs_auth(op)),
    "403": ("Authenticated, but not allowed to do this.", lambda op: _needs_auth(op)),
    "404": ("No such object (or one you may not see), or no such page.", lambda op: True),
    "406": ("The `Accept` header asks for no media type this operation answers with.", lambda op: True),
    "409": ("Conflicts with the current data (a database rule, or a lost race).", lambda op: op["method"] != "get"),
    "413": ("The body is over the size limit.", lambda op: "requestBody" in op),
    "415": ("The body's `Content-Type` is not one this operation reads.", lambda op: "requestBody" in op),
    "429": ("Too many requests: wait `Retry-After` seconds.", lambda op: True),
    "500": ("Unexpected error: quote `error_id`, which is in the server's log.", lambda op: True),
    "503": ("The database cannot be reached: retry after `Retry-After` seconds.", lambda op: True),
}
HEADERS_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}


def _needs_auth(operation: dict) -> bool:
    security = operation.get("security")
    return not security or {} not in security


def document_errors(result: dict, generator, request, public) -> dict:
    """``POSTPROCESSING_HOOKS`` entry: the error responses of every operation, in the one shape."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, (description, applies) in ERROR_RESPONSES.items():
                if status in responses or not applies({**operation, "method": method}):
                    continue
                responses[status] = {"description": description, "content": content}
                if status in {"429", "503"}:
                    responses[status]["headers"] = HEADERS_RETRY_AFTER
    return result
