"""Production defaults fail closed: ``check --deploy`` with production-shaped settings, DEBUG off by default,
security headers, and no versions or stack traces leaking."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

PRODUCTION = {
    "DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 64 + "-production-like-secret-key-for-the-check",
    "DJANGO_ALLOWED_HOSTS": "platform.example.org",
    "CLUB_TOKEN_KEYS": "a-first-random-token-key-0001,an-older-random-token-key-0002",
    "DATABASE_URL": "postgres://platform:secret@db.example.org:5432/platform?sslmode=verify-full",
}


def check_deploy(**overrides):
    """``manage.py check --deploy`` (the security checks: Django's and core's) in a fresh process with a
    production environment (``None`` unsets a variable). The OpenAPI schema's own warnings are a test of their
    own (test_platform)."""
    env = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION, "DJANGO_SETTINGS_MODULE"}}
    env.update(PRODUCTION)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"CLUB_TOKEN_KEYS": None}, "core.E101"),
        ({"CLUB_TOKEN_KEYS": "short"}, "core.E101"),
        ({"CLUB_TOKEN_KEYS": "club-development-token-key-only-for-debug-mode"}, "core.E101"),
        ({"DJANGO_SECRET_KEY": None}, "core.E102"),
        ({"DATABASE_URL": "postgres://platform:secret@db.example.org:5432/platform"}, "core.E103"),
    ],
    ids=["token-keys-missing", "token-keys-short", "token-keys-development", "secret-key-missing", "db-without-tls"],
)
def test_check_deploy_reports_what_production_is_missing(overrides, error):
    result = check_deploy(**overrides)
    assert result.returncode != 0
    assert error in result.stderr


def test_check_deploy_warns_when_the_connections_outgrow_the_server_without_a_pooler():
    crowded = {"WEB_CONCURRENCY": "16", "APP_SERVERS": "8"}  # 129 connections against 97
    result = check_deploy(**crowded)
    assert result.returncode != 0
    assert "core.W104" in result.stderr
    assert "129 database connections" in result.stderr
    assert check_deploy(**crowded, DATABASE_POOLED="1").returncode == 0
    assert check_deploy(**crowded, DATABASE_MAX_CONNECTIONS="500").returncode == 0


def test_a_pooled_database_has_no_server_side_cursors_and_no_startup_options():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import config.settings as s; d = s.DATABASES['default']; "
        "print(d.get('DISABLE_SERVER_SIDE_CURSORS'), d['OPTIONS'].get('options'))"
    )
    pooled = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DATABASE_POOLED": "1"},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert pooled.stdout.split() == ["True", "None"]
    direct = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert direct.stdout.split()[0] == "False"
    assert "hnsw.ef_search" in direct.stdout


def test_debug_is_off_unless_the_environment_turns_it_on():
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    code = "import config.settings as s; print(s.DEBUG, bool(s.SECRET_KEY), s.SALT_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert result.stdout.split() == ["False", "False", "[]"]


@pytest.mark.django_db
def test_security_headers_are_sent(client):
    response = client.get("/api/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Server" not in response


@pytest.mark.django_db
def test_errors_with_debug_off_show_no_trace_or_version(client, settings):
    settings.DEBUG = False
    body = client.get("/admin/no-such-page/").content.decode() + client.get("/no-such-page/").content.decode()
    assert "Traceback" not in body and "Django" not in body.replace("Django administration", "")


@pytest.mark.django_db
def test_ensure_superuser_refuses_the_known_password_outside_debug(settings, monkeypatch):
    from core.models import User

    settings.DEBUG = False
    settings.ALLOW_KNOWN_PASSWORDS = False
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("ensure_superuser")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin")
    with pytest.raises(CommandError, match="known password"):
        call_command("ensure_superuser")
    call_command("ensure_superuser", "--allow-known-passwords", stdout=io.StringIO())
    assert User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_outside_debug_without_the_flag(settings):
    from core.models import User

    settings.DEBUG = False
    settings.ALLOW_KNOWN_PASSWORDS = False
    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo")
    assert not User.objects.filter(username="alice").exists()
