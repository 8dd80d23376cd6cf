from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Liveness and readiness: the database answers and the pgvector extension is installed."""
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
