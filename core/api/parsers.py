"""Request bodies that hostile input cannot crash: bounded size and nesting, text PostgreSQL can store.

Every JSON body under ``/api/`` (DRF's default parser, ``/api/auth/token/`` included) and under ``/1/``
(the ListenBrainz views call :func:`loads`) goes through the same checks:

- at most ``settings.API_MAX_JSON_BYTES`` bytes (a JSON 413 otherwise, see ``core.middleware``);
- at most ``settings.API_MAX_JSON_DEPTH`` levels of arrays and objects (Python's JSON decoder recurses,
  so a body a few thousand levels deep would otherwise end in a ``RecursionError``);
- only finite numbers (``NaN``, ``Infinity`` and ``1e400`` are refused, they cannot be stored or rendered);
- no NUL character (``\\u0000``, which PostgreSQL refuses in text and ``jsonb``) and no lone UTF-16
  surrogate (``\\ud800``, which cannot be encoded as UTF-8) in any key or string.

A body that breaks one of them is a 400 naming the JSON path of the offending value; the value itself
is never echoed. Form and multipart bodies get the NUL check on their fields and file names; an empty uploaded
file is a 400 naming its field and file.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, status

from core.services import without_reprs

#: a NUL character or a UTF-16 surrogate left alone (a valid pair decodes to one astral character)
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
#: the JSON escapes that can produce such a character (raw control characters are invalid JSON already)
BAD_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")

ERROR_NOT_UTF8 = "The body is not valid UTF-8."
ERROR_TOO_DEEP = "JSON is nested too deeply: at most {depth} levels of arrays and objects."
ERROR_NOT_FINITE = "Numbers must be finite (no NaN, Infinity or values beyond 1.8e308)."
ERROR_NUL = "Text must not contain the null character (\\u0000)."
ERROR_SURROGATE = "Text must not contain lone UTF-16 surrogates (such as \\ud800)."
ERROR_TOO_LARGE = "The body is too large: at most {limit} bytes."
ERROR_EMPTY_FILE = "{field}: the file '{name}' is empty (0 bytes)."


def max_json_bytes() -> int:
    return settings.API_MAX_JSON_BYTES


def max_json_depth() -> int:
    return settings.API_MAX_JSON_DEPTH


class UnsafeInput(ValueError):
    """A body this module refuses; ``path`` is the dotted JSON path of the offending value, if known."""

    def __init__(self, message: str, path: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message, self.path, self.code = message, path, code

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class BodyTooLarge(UnsafeInput):
    def __init__(self, limit: int):
        super().__init__(ERROR_TOO_LARGE.format(limit=limit), code="too_large")


class BodyParseError(exceptions.ParseError):
    """A 400 for a body :func:`loads` refuses; ``field`` is the JSON path of the offending value."""

    def __init__(self, problem: UnsafeInput):
        super().__init__(problem.message, code=problem.code)
        self.field = problem.path


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def text_problem(value: str) -> str | None:
    """Why PostgreSQL or UTF-8 cannot take this text, or None."""
    match = BAD_TEXT.search(value)
    if match is None:
        return None
    return ERROR_NUL if match.group() == "\x00" else ERROR_SURROGATE


def safe_text(value: str) -> str:
    """``value`` with NUL characters and lone surrogates replaced and no Python repr (``core.services.without_reprs``),
    so that it can be echoed in an error."""
    return without_reprs(BAD_TEXT.sub("\ufffd", value))


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise UnsafeInput(ERROR_NOT_FINITE, code="not_finite")
    return number


def _no_constant(name: str):
    raise UnsafeInput(ERROR_NOT_FINITE, code="not_finite")


def _path(parts) -> str | None:
    return ".".join(str(part) for part in parts) or None


def check_data(data: Any, *, max_depth: int | None = None, check_text: bool = True) -> None:
    """Walk parsed JSON without recursion: nesting depth and (if ``check_text``) every key and string."""
    max_depth = max_json_depth() if max_depth is None else max_depth
    stack: list[tuple[Any, int, tuple]] = [(data, 0, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            if depth >= max_depth:
                raise UnsafeInput(ERROR_TOO_DEEP.format(depth=max_depth), _path(path), code="too_deep")
            for key, item in value.items():
                if check_text and (problem := text_problem(key)):
                    raise UnsafeInput(problem, _path((*path, safe_text(key))), code="invalid_text")
                stack.append((item, depth + 1, (*path, safe_text(key))))
        elif isinstance(value, list):
            if depth >= max_depth:
                raise UnsafeInput(ERROR_TOO_DEEP.format(depth=max_depth), _path(path), code="too_deep")
            stack.extend((item, depth + 1, (*path, index)) for index, item in enumerate(value))
        elif check_text and isinstance(value, str) and (problem := text_problem(value)):
            raise UnsafeInput(problem, _path(path), code="invalid_text")


def loads(raw: bytes | str, *, max_bytes: int | None = None, max_depth: int | None = None) -> Any:
    """Parse a JSON body with the checks above; raise :class:`UnsafeInput` (a ``ValueError``) on any problem."""
    max_bytes = max_json_bytes() if max_bytes is None else max_bytes
    max_depth = max_json_depth() if max_depth is None else max_depth
    if len(raw) > max_bytes:
        raise BodyTooLarge(max_bytes)
    if isinstance(raw, bytes | bytearray):
        try:
            text = raw.decode("utf-8-sig" if raw[:3] == b"\xef\xbb\xbf" else "utf-8")
        except UnicodeDecodeError:
            raise UnsafeInput(ERROR_NOT_UTF8, code="not_utf8") from None
    else:
        text = raw
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except UnsafeInput:
        raise
    except RecursionError:
        raise UnsafeInput(ERROR_TOO_DEEP.format(depth=max_depth), code="too_deep") from None
    except ValueError as exc:  # JSONDecodeError, or an integer beyond Python's digit limit
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else "number too long"
        position = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise UnsafeInput(f"JSON parse error: {message}{position}.", code="parse_error") from None
    # A body with fewer brackets than the depth limit cannot exceed it; text needs checking only if an
    # escape that can produce NUL or a surrogate is present (raw control characters are invalid JSON).
    deep = text.count("[") + text.count("{") > max_depth
    odd_text = BAD_ESCAPE.search(text) is not None
    if deep or odd_text:
        check_data(data, max_depth=max_depth, check_text=odd_text)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the limits of :func:`loads` (the default parser of every DRF view)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_json_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(ERROR_TOO_LARGE.format(limit=limit))
        try:
            return loads(raw, max_bytes=limit)
        except UnsafeInput as problem:
            raise BodyParseError(problem) from None


def _check_form(data) -> None:
    for key, values in data.lists():
        for value in [key, *values]:
            text = value if isinstance(value, str) else getattr(value, "name", None)
            if isinstance(text, str) and (problem := text_problem(text)):
                raise exceptions.ParseError(f"{safe_text(key)}: {problem}", code="invalid_text")


class FormParser(parsers.FormParser):
    """DRF's form parser; fields with NUL characters are a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; fields and file names with NUL characters are a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        _check_form(result.files)
        for key, upload in result.files.items():  # no upload of this platform may be empty: say which one was
            if upload.size == 0:
                raise exceptions.ParseError(ERROR_EMPTY_FILE.format(field=safe_text(key), name=safe_text(upload.name)))
        return result


class RawBodyParser(parsers.BaseParser):
    """Any media type, left unparsed: the view streams ``request.stream`` itself (a raw upload such as an audio blob)
    and bounds its size; ``request.data`` is empty. The one parser for such views, so that the parser walk
    (``tests/core/test_request_parsers.py``) knows every body is read by core's code."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}
