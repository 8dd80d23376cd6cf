import sys

from django.db import connection
from django.http import JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

from core.api.exceptions import error_response, server_error_response


@require_GET
def healthz(request):
    """Liveness and readiness: the database answers and the pgvector extension is installed (a JSON 503
    saying what is wrong otherwise, the database being unreachable included)."""
    report = {"database": "error", "vector": "missing"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("select 1")
            report["database"] = "ok"
            cursor.execute("select extversion from pg_extension where extname = 'vector'")
            row = cursor.fetchone()
            if row:
                report["vector"] = row[0]
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        report["error"] = exc.__class__.__name__
    healthy = report["database"] == "ok" and report["vector"] != "missing"
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a JSON 403 under ``/api/`` and ``/1/``, Django's page elsewhere."""
    from core.middleware import api_kind

    kind = api_kind(request.path_info)
    if kind is None:
        return django_csrf_failure(request, reason=reason)
    return error_response(403, f"CSRF verification failed: {reason}", listenbrainz=kind == "listenbrainz")


def server_error(request):
    """``handler500``: a JSON 500 (or 503) with an error id under ``/api/`` and ``/1/``, Django's page elsewhere.

    Exceptions raised by views are answered by ``core.middleware.ApiErrorMiddleware``; this catches
    the ones raised by middleware further in.
    """
    from core.middleware import api_kind

    kind = api_kind(request.path_info)
    if kind is None:
        return django_server_error(request)
    return server_error_response(request, sys.exc_info()[1], listenbrainz=kind == "listenbrainz")


def admin_login(request, **kwargs):
    """The admin's login form, throttled like ``POST /api/auth/token/`` (per username and per address)."""
    from django.contrib import admin

    from core.api.throttling import login_throttle_wait, throttled_login_response

    if request.method == "POST":
        wait = login_throttle_wait(request)
        if wait is not None:
            return throttled_login_response(wait)
    return admin.site.login(request, **kwargs)
