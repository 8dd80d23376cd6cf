"""Request transactions, and errors in JSON under ``/api/`` and ``/1/``.

:class:`AtomicWritesMiddleware` runs every request that may write in one transaction (see its docstring).

Every answer under ``/api/`` and ``/1/`` that is not a success is JSON in the documented shape.

:class:`ApiErrorMiddleware` sits near the top of ``MIDDLEWARE``. Before the request goes further it
refuses, in JSON, what no view should see: a NUL character in the path or the query string (400;
PostgreSQL cannot store it) and a ``Content-Length`` over the limit for the body's type (413: JSON and
form bodies ``API_MAX_JSON_BYTES``, multipart uploads ``API_MAX_UPLOAD_BYTES``, a raw file body
``API_MAX_RAW_UPLOAD_BYTES``). On the way out it
answers exceptions that DRF's handler leaves alone (a 500 with an error id, or a 503 when the database
is down, see :mod:`core.api.exceptions`) and rewrites any error response that is not JSON (Django's
404 for unknown paths and malformed ids, a view's bare 405, a 400 for a suspicious request) into the
shape: ``{"message", "errors"}`` under ``/api/``, ListenBrainz's ``{"code", "error"}`` under ``/1/``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse

from core.api.exceptions import SAFE_METHODS, error_response, exception_response, reason, roll_back_request

API_PREFIX = "/api/"
LISTENBRAINZ_PREFIX = "/1/"
#: headers an error response keeps when its body is rewritten
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")

MESSAGE_NUL_PATH = "The path must not contain NUL characters."
MESSAGE_NUL_QUERY = "Query parameters must not contain NUL characters."
MESSAGE_BAD_LENGTH = "Content-Length must be a non-negative integer."
MESSAGE_TOO_LARGE = "The body is too large: at most {limit} bytes for {kind}."


class AtomicWritesMiddleware:
    """Every request that may write runs in one transaction; reads run without one.

    A multi-row write through any view, viewset, action or the admin is stored whole or not at all: an
    exception from the view, or an API error answered by DRF's handler (``core.api.exceptions``), rolls back
    what the request wrote. This is Django's ``ATOMIC_REQUESTS`` for the methods that may write: a read
    (GET, HEAD, OPTIONS) writes nothing, so its transaction would only cost two round trips to the database
    (``BEGIN`` and ``COMMIT``) around its queries. Last in ``MIDDLEWARE``, so it wraps the view alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            return self.get_response(request)

    def process_exception(self, request, exception):
        roll_back_request(request)
        return None


def api_kind(path: str) -> str | None:
    """``"api"`` or ``"listenbrainz"`` for the paths whose errors this middleware shapes, else None."""
    if path.startswith(API_PREFIX):
        return "api"
    if path.startswith(LISTENBRAINZ_PREFIX):
        return "listenbrainz"
    return None


#: Content types of a raw file body (a blob ``PUT``), limited by ``API_MAX_RAW_UPLOAD_BYTES`` on its own
RAW_BODY_TYPES = ("application/octet-stream", "audio/")


def body_limit(request) -> tuple[int, str]:
    """The body size limit for this request's content type, and how to name it."""
    content_type = request.META.get("CONTENT_TYPE", "").lower()
    if content_type.startswith("multipart/"):
        return settings.API_MAX_UPLOAD_BYTES, "an upload"
    if content_type.startswith(RAW_BODY_TYPES):
        return settings.API_MAX_RAW_UPLOAD_BYTES, "a raw file body"
    return settings.API_MAX_JSON_BYTES, "a JSON or form body"


def is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind = api_kind(request.path_info)
        if kind is None:
            return self.get_response(request)
        listenbrainz = kind == "listenbrainz"
        refused = self.refuse(request, listenbrainz=listenbrainz)
        if refused is not None:
            return refused
        return self.reshape(request, self.get_response(request), listenbrainz=listenbrainz)

    def process_exception(self, request, exception):
        kind = api_kind(request.path_info)
        if kind is None:
            return None
        return exception_response(request, exception, listenbrainz=kind == "listenbrainz")

    def refuse(self, request, *, listenbrainz: bool):
        if "\x00" in request.path_info:
            return error_response(400, MESSAGE_NUL_PATH, listenbrainz=listenbrainz)
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            return error_response(400, MESSAGE_NUL_QUERY, listenbrainz=listenbrainz)
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(length)
            if length < 0:
                raise ValueError
        except ValueError:
            return error_response(400, MESSAGE_BAD_LENGTH, listenbrainz=listenbrainz)
        limit, kind = body_limit(request)
        if length > limit:
            return error_response(413, MESSAGE_TOO_LARGE.format(limit=limit, kind=kind), listenbrainz=listenbrainz)
        return None

    def reshape(self, request, response, *, listenbrainz: bool):
        if response.status_code < 400 or is_json(response):
            return response
        data = getattr(response, "data", None)  # a DRF response that a browser got as HTML
        if not listenbrainz and isinstance(data, dict) and isinstance(data.get("message"), str):
            new = JsonResponse(data, status=response.status_code)
        else:
            if response.status_code == 405:
                message = f'Method "{request.method}" not allowed.'
            else:
                message = reason(response.status_code)
            new = error_response(response.status_code, message, listenbrainz=listenbrainz)
        for header in KEPT_HEADERS:
            if header in response:
                new[header] = response[header]
        return new
