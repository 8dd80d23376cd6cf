"""The platform boots on a real PostgreSQL with pgvector, and its migrations and schema are clean."""

import io
import os
import warnings

import pytest
from django.core.management import call_command
from django.db import connection
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
    call_command("migrate", "contenttypes", "zero", verbosity=0)
    for app, _ in roots:
        call_command("migrate", app, "zero", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("select count(*) from information_schema.tables where table_name like 'core\\_%'")
        assert cursor.fetchone()[0] == 0
    call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


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
