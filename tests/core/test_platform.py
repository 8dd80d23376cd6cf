"""The platform boots on a real PostgreSQL with pgvector, and its migrations and schema are clean."""

import functools
import io
import os
import subprocess
import sys
import urllib.parse
import warnings

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor


def test_settings_use_postgresql_with_vector_extension(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select extversion from pg_extension where extname = 'vector'")
        assert cursor.fetchone() is not None


def test_embedded_server_is_used_when_database_url_is_unset(settings):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("an external database is configured")
    from config import embedded_db

    assert str(embedded_db.PGDATA) in settings.DATABASES["default"]["HOST"]
    assert embedded_db.database_url() == embedded_db.database_url()  # a second start reuses the server


def plain_database_url() -> str:
    """The test database as a plain ``DATABASE_URL`` (user, password, host, port, name), as the README's
    "another server" path gives it, whatever server the suite itself runs on."""
    db = connection.settings_dict
    quote = functools.partial(urllib.parse.quote, safe="")
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
    query = {"port": str(db["PORT"])} if db["PORT"] else {}
    if str(db["HOST"]).startswith("/"):  # a Unix socket directory
        query["host"] = db["HOST"]
        location = ""
    else:
        location = db["HOST"] or "localhost"
    return f"postgres://{credentials}{location}/{quote(db['NAME'])}?{urllib.parse.urlencode(query)}"


def run_with_database_url(url: str, *args: str, **env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    environment.update(DATABASE_URL=url, **env)
    return subprocess.run(
        [sys.executable, *args], env=environment, capture_output=True, text=True, check=False, cwd=settings.BASE_DIR
    )


def test_manage_py_runs_against_a_plain_database_url(db):
    result = run_with_database_url(plain_database_url(), "manage.py", "migrate", "--check", DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_db_with_a_database_url_checks_that_server_and_starts_no_embedded_one(db, tmp_path):
    embedded = tmp_path / "postgres"
    result = run_with_database_url(
        plain_database_url(), "-m", "config.embedded_db", "start", EMBEDDED_PGDATA=str(embedded)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DATABASE_URL is set" in result.stdout
    assert not embedded.exists() and not embedded.parent.joinpath("postgres").exists()
    unreachable = "postgres://nobody:secret@127.0.0.1:1/nowhere"
    result = run_with_database_url(unreachable, "-m", "config.embedded_db", "start", EMBEDDED_PGDATA=str(embedded))
    assert result.returncode == 1 and "does not answer" in result.stderr
    assert "secret" not in result.stderr
    assert not embedded.exists()


def test_models_and_migrations_agree(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_every_migration_applies_from_zero_and_reverses_to_zero():
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    local_apps = {"core", "catalog", "amcs", "audio_vcs", "club", "storyteller"}
    roots = [(app, None) for app, _ in targets if app in local_apps or app in {"auth", "contenttypes"}]
    try:
        call_command("migrate", "contenttypes", "zero", verbosity=0)
        for app, _ in roots:
            call_command("migrate", app, "zero", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from information_schema.tables where table_name like 'core\\_%'")
            assert cursor.fetchone()[0] == 0
    finally:  # migrated again even if the way down failed, so the worker's later tests find their tables
        call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_no_migration_drops_an_extension_on_the_way_back():
    """Extensions are created if missing and kept on reverse (``RunSQL`` with a no-op reverse): a superuser may
    have created them for a user who cannot drop them (README, "The database"), and reversing an app must not
    take an extension from under the others. ``CreateExtension`` (``VectorExtension``, ``TrigramExtension``)
    would drop it."""
    from django.contrib.postgres.operations import CreateExtension
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)  # from disk, no database
    dropping = [
        f"{app}.{name}"
        for (app, name), migration in loader.disk_migrations.items()
        for operation in migration.operations
        if isinstance(operation, CreateExtension)
    ]
    assert dropping == []


def test_openapi_schema_generates_without_warnings(db, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_healthz_reports_database_and_vector(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["vector"] not in ("", "missing")


def test_healthz_is_json_503_when_the_database_is_down(client, db, monkeypatch):
    def down():
        raise OperationalError('connection to server at "db" failed: Connection refused')

    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", down)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "vector": "missing", "error": "OperationalError", "status": "error"}


def test_api_root_and_docs_are_served(client, db):
    assert client.get("/api/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200


def test_seed_demo_is_idempotent(db):
    from core.models import Membership, Tenant, User

    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Tenant.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Tenant.objects.count(), Membership.objects.count()) == counts
    assert counts[0] >= 4


def test_ensure_superuser_creates_once(db, monkeypatch):
    from core.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-local-password")
    out = io.StringIO()
    call_command("ensure_superuser", stdout=out)
    call_command("ensure_superuser", stdout=out)
    assert User.objects.filter(username="admin", is_superuser=True).count() == 1
    assert "Log in at" in out.getvalue()
