"""Deployment checks (``manage.py check --deploy``): what production must set, reported before it serves.

- ``core.E101``: ``CLUB_TOKEN_KEYS`` is missing or malformed (each key at least 16 characters, no repeats,
  not the development key), so linked accounts' provider tokens could not be encrypted safely.
- ``core.E102``: ``DJANGO_SECRET_KEY`` is not set (outside DEBUG the key is then empty and nothing signs).
- ``core.E103``: the database is on another host and the connection does not require TLS
  (``?sslmode=require``, ``verify-ca`` or ``verify-full`` in ``DATABASE_URL``).
- ``core.W104``: without a pooler (``DATABASE_POOLED``), the deployment's connections (``DATABASE_CLIENTS``)
  exceed what the server takes (``DATABASE_MAX_CONNECTIONS`` less the superusers' reserve).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DEVELOPMENT_TOKEN_KEY = "club-development-token-key-only-for-debug-mode"
MIN_TOKEN_KEY_LENGTH = 16
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1", "[::1]"}
TLS_MODES = {"require", "verify-ca", "verify-full"}


@register(Tags.security, deploy=True)
def check_token_keys(app_configs=None, **kwargs) -> list[Error]:
    keys = list(getattr(settings, "SALT_KEY", None) or [])
    problem = None
    if not keys:
        problem = "CLUB_TOKEN_KEYS is not set."
    elif any(len(key) < MIN_TOKEN_KEY_LENGTH for key in keys):
        problem = f"Every key in CLUB_TOKEN_KEYS must have at least {MIN_TOKEN_KEY_LENGTH} characters."
    elif len(set(keys)) != len(keys):
        problem = "CLUB_TOKEN_KEYS lists a key twice."
    elif DEVELOPMENT_TOKEN_KEY in keys:
        problem = "CLUB_TOKEN_KEYS holds the development key."
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Set CLUB_TOKEN_KEYS to comma-separated random keys, newest first (see README, token keys).",
            id="core.E101",
        )
    ]


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    if os.environ.get("DJANGO_SECRET_KEY"):
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is not set.",
            hint="Set DJANGO_SECRET_KEY to a long random value kept out of the repository.",
            id="core.E102",
        )
    ]


@register(Tags.database, Tags.security, deploy=True)
def check_database_tls(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for alias, database in settings.DATABASES.items():
        host = str(database.get("HOST") or "")
        if host in LOCAL_HOSTS or host.startswith("/"):
            continue
        if str(database.get("OPTIONS", {}).get("sslmode", "")).lower() in TLS_MODES:
            continue
        errors.append(
            Error(
                f"The database '{alias}' is on {host} and the connection does not require TLS.",
                hint="Add ?sslmode=verify-full (or require) to DATABASE_URL.",
                id="core.E103",
            )
        )
    return errors


#: connections PostgreSQL keeps for superusers (its superuser_reserved_connections default)
RESERVED_CONNECTIONS = 3


@register(Tags.database, Tags.security, deploy=True)
def check_connection_budget(app_configs=None, **kwargs) -> list[Warning]:
    """Without a pooler, every web thread and worker holds a connection of its own (persistent connections)."""
    if settings.DATABASE_POOLED:
        return []
    budget = settings.DATABASE_MAX_CONNECTIONS - RESERVED_CONNECTIONS
    if settings.DATABASE_CLIENTS <= budget:
        return []
    return [
        Warning(
            f"The deployment opens {settings.DATABASE_CLIENTS} database connections (DATABASE_CLIENTS) and the "
            f"server takes {budget} (DATABASE_MAX_CONNECTIONS less {RESERVED_CONNECTIONS} reserved).",
            hint="Put PgBouncer in transaction mode in front of the database and set DATABASE_POOLED=1 "
            "(docs/scaling.md), or raise max_connections.",
            id="core.W104",
        )
    ]
