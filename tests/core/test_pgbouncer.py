"""The app behind a real PgBouncer in transaction pooling mode (docs/scaling.md, "Pooled connections").

The test starts PgBouncer (``pool_mode = transaction``, one server connection for the test database) in front of
the suite's PostgreSQL, then runs a fresh Django process with ``DATABASE_POOLED=1`` and ``DATABASE_URL`` naming the
pooler. That process makes API requests with the test client on rows this test committed: a list, a write read
back, a request refused with a 400 and then the same write done right (on the one pooled server connection, so a
broken transaction left behind would fail it), and a command that walks a ``.iterator()``. PgBouncer's own
statistics then show the traffic went through it.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connections
from knox.models import AuthToken

from catalog.models import Genre
from club.models import ListenDay
from config import embedded_db
from tests.catalog.factories import GenreFactory, TrackFactory
from tests.club.factories import ListenEventFactory
from tests.core.factories import UserFactory

PGBOUNCER = shutil.which("pgbouncer") or next(
    (path for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(path, os.X_OK)), None
)

pytestmark = pytest.mark.skipif(
    PGBOUNCER is None, reason="needs the pgbouncer binary; install it with: apt-get install pgbouncer"
)

GENRES = "/api/catalog/genres/"

# Run in the pooled process: Django's test client against the real URL conf and middleware, no test database
# set-up (the rows are the ones the test committed). Prints one JSON line of what it saw.
CLIENT_SCRIPT = """
import io, json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

client = APIClient()
client.credentials(HTTP_AUTHORIZATION="Token " + os.environ["PGB_TOKEN"])
out = {"pooled": settings.DATABASE_POOLED,
       "server_side_cursors_off": connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False),
       "port": str(connection.settings_dict["PORT"])}
def names():
    response = client.get("/api/catalog/genres/", {"q": "Pooled", "page_size": 50})
    return response.status_code, sorted(row["name"] for row in response.json().get("results", []))
out["list"] = names()
bad = client.post("/api/catalog/genres/", {"name": "", "slug": "pooled-two"}, format="json")
out["bad"] = [bad.status_code, bad.json()]
good = client.post("/api/catalog/genres/", {"name": "Pooled Two", "slug": "pooled-two"}, format="json")
out["good"] = [good.status_code, good.json()]
out["after"] = names()
stdout = io.StringIO()
call_command("rebuild_listen_stats", "--user", os.environ["PGB_LISTENER"], verbosity=0, stdout=stdout)
out["rebuild"] = stdout.getvalue()
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _admin(port: int, sql: str) -> list[dict]:
    """A command on PgBouncer's admin console (the ``pgbouncer`` pseudo-database), rows as dicts."""
    with psycopg.connect(
        host="127.0.0.1", port=port, dbname="pgbouncer", user="postgres", autocommit=True, connect_timeout=2
    ) as admin:
        cursor = admin.execute(sql)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture
def pgbouncer(transactional_db):
    """PgBouncer on 127.0.0.1 at a free port, in transaction mode, serving the test database; its port."""
    db = connections["default"].settings_dict
    name, port = db["NAME"], _free_port()
    user = embedded_db._system_user()  # PgBouncer refuses to run as root
    workdir = tempfile.mkdtemp(prefix="pgbouncer-")
    if user is not None:
        shutil.chown(workdir, user, user)
    target = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={name} user={db['USER'] or 'postgres'}"
    if db["PASSWORD"]:
        target += f" password={db['PASSWORD']}"
    with open(os.path.join(workdir, "users.txt"), "w") as users:
        users.write('"postgres" ""\n')
    with open(os.path.join(workdir, "pgbouncer.ini"), "w") as ini:
        ini.write(
            f"[databases]\n{name} = {target} pool_size=1\n\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {workdir}/users.txt\nadmin_users = postgres\n"
            "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {workdir}/pgbouncer.log\npidfile = {workdir}/pgbouncer.pid\n"
        )
    if user is not None:
        for file in ("users.txt", "pgbouncer.ini"):
            shutil.chown(os.path.join(workdir, file), user, user)
    process = subprocess.Popen(
        [PGBOUNCER, os.path.join(workdir, "pgbouncer.ini")],
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                _admin(port, "SHOW VERSION")
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    logfile = os.path.join(workdir, "pgbouncer.log")
                    log = open(logfile).read() if os.path.exists(logfile) else ""
                    pytest.fail(f"pgbouncer did not start: {process.stderr.read() if process.stderr else ''}{log}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()  # SIGTERM: PgBouncer closes its client and server connections and exits
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def test_api_requests_and_an_iterator_run_through_pgbouncer_in_transaction_mode(pgbouncer):
    writer = UserFactory(staff=True)
    writer.user_permissions.add(Permission.objects.get(codename="add_genre"))
    _, key = AuthToken.objects.create(user=writer)
    GenreFactory(name="Pooled One", slug="pooled-one")
    listener = UserFactory()
    track = TrackFactory()
    for _ in range(3):
        ListenEventFactory(user=listener, track=track)
    # Rollups gone wrong (as after a bulk edit that bypassed the triggers): the rebuild through the pooler repairs them.
    assert ListenDay.objects.filter(user=listener).update(listen_count=99) == 1
    name = connections["default"].settings_dict["NAME"]

    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    environment.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{pgbouncer}/{name}",
        DATABASE_POOLED="1",
        DEBUG="1",
        PGB_TOKEN=key,
        PGB_LISTENER=listener.username,
    )
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["pooled"] is True and seen["server_side_cursors_off"] is True
    assert seen["port"] == str(pgbouncer)
    assert seen["list"] == [200, ["Pooled One"]]
    bad_status, bad_body = seen["bad"]
    assert bad_status == 400, bad_body
    assert "name" in json.dumps(bad_body)
    good_status, good_body = seen["good"]
    assert good_status == 201, good_body
    assert good_body["name"] == "Pooled Two"
    assert seen["after"] == [200, ["Pooled One", "Pooled Two"]]
    assert "1 member(s)" in seen["rebuild"], seen["rebuild"]

    # The write was committed through the pooler, and the rebuilt rollups count the member's listens.
    assert Genre.objects.filter(slug="pooled-two", name="Pooled Two").exists()
    assert sum(ListenDay.objects.filter(user=listener).values_list("listen_count", flat=True)) == 3

    # PgBouncer served it: transactions counted for the test database, over at most one server connection.
    stats = {row["database"]: row for row in _admin(pgbouncer, "SHOW STATS")}
    assert stats[name]["total_xact_count"] >= 6, stats[name]
    pools = [row for row in _admin(pgbouncer, "SHOW POOLS") if row["database"] == name]
    assert pools and all(row["sv_active"] + row["sv_idle"] + row["sv_used"] <= 1 for row in pools), pools
