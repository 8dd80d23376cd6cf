"""Read replicas: reads of a request go to a streaming replica, writes and everything after them to the primary.

Only active when ``DATABASE_REPLICA_URLS`` names one or more replicas (``config/settings.py`` then installs
:class:`ReplicaRouter` and :class:`ReplicaMiddleware`); with none, nothing here runs and every query goes to
``default``, the primary.

Which queries may read from a replica: those of a GET, HEAD or OPTIONS request under ``/api/``, by a user who
has not written in the last ``REPLICA_READ_YOUR_WRITES_SECONDS``, outside any transaction. Everything else reads
from the primary: a write request (before and after its write), the admin, management commands and tasks (no
request: the default route is the primary), any read inside a transaction, and the models that decide who is
asking (tokens, sessions, users), so a new token works and a revoked one fails at once.

Read your writes: a write request by a signed-in user leaves a marker on the primary (the unlogged table
``core_recent_write``, one row per user, upserted once the write has committed, before the answer leaves)
that pins that user's reads to the primary until it expires, whichever worker, server or client (token or
session) the next request reaches. Token requests check the marker when the token is checked
(:func:`pin_if_recent_write`), session requests when the middleware first needs the user.

Health is measured, not assumed: every ``REPLICA_HEALTH_SECONDS`` each process asks each replica how far its
replay is behind (``pg_last_xact_replay_timestamp()``, zero when it has replayed all it received); a replica that
does not answer or lags more than ``REPLICA_MAX_LAG_SECONDS`` is skipped until it recovers. A read that fails
on a replica mid-request (a replica stopped between two checks) marks it down and is answered again from the
primary, so a stopped replica never costs a 5xx. Keep ``REPLICA_READ_YOUR_WRITES_SECONDS`` above the largest lag
a replica may have while still used (``REPLICA_MAX_LAG_SECONDS`` plus ``REPLICA_HEALTH_SECONDS``).
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

#: models whose reads always go to the primary: who is asking must never be answered from the past
PRIMARY_ONLY_APPS = frozenset({"knox", "sessions", "auth", "contenttypes", "admin"})
PRIMARY_ONLY_MODELS = frozenset({"core.user"})
#: the requests whose reads may go to a replica: the REST API, whose token check also checks the write marker
#: (the admin, the ListenBrainz API under /1/ with its own token check, and pages read from the primary)
REPLICA_PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

PIN_SQL = """
    insert into core_recent_write (user_id, until) values (%s, now() + make_interval(secs => %s))
    on conflict (user_id) do update set until = excluded.until
"""
PINNED_SQL = "select 1 from core_recent_write where user_id = %s and until > now()"
LAG_SQL = """
    select pg_is_in_recovery(),
           case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0) end
"""


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@dataclass
class Route:
    """Where this request's reads go: ``pinned`` requests read from the primary; ``replica`` is the one chosen."""

    pinned: bool
    replica: str | None = None


_route: contextvars.ContextVar[Route | None] = contextvars.ContextVar("replica_route", default=None)


def pin_to_primary() -> None:
    """From now on this request reads from the primary (it wrote, or its user wrote recently)."""
    route = _route.get()
    if route is not None:
        route.pinned = True


class Health:
    """Each replica's last measured state, per process: ``alias -> (checked at, usable)``."""

    def __init__(self):
        self.checked: dict[str, tuple[float, bool]] = {}
        self._turn = itertools.count()

    def usable(self, alias: str) -> bool:
        checked_at, ok = self.checked.get(alias, (float("-inf"), False))
        if time.monotonic() - checked_at >= settings.REPLICA_HEALTH_SECONDS:
            ok = self.measure(alias)
        return ok

    def measure(self, alias: str) -> bool:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(LAG_SQL)
                in_recovery, lag = cursor.fetchone()
            ok = bool(in_recovery) and float(lag) <= settings.REPLICA_MAX_LAG_SECONDS
            if not ok:
                log.warning("replica %s skipped: lag %.1f s (limit %s s)", alias, lag, settings.REPLICA_MAX_LAG_SECONDS)
        except DatabaseError as problem:
            log.warning("replica %s skipped: %s", alias, str(problem).strip())
            connections[alias].close()
            ok = False
        self.checked[alias] = (time.monotonic(), ok)
        return ok

    def mark_down(self, alias: str) -> None:
        self.checked[alias] = (time.monotonic(), False)
        connections[alias].close()

    def choose(self) -> str | None:
        """A usable replica, taking turns among them; None when none is usable."""
        aliases = replica_aliases()
        start = next(self._turn)
        for offset in range(len(aliases)):
            alias = aliases[(start + offset) % len(aliases)]
            if self.usable(alias):
                return alias
        return None


health = Health()


class ReplicaRouter:
    """Reads to a replica when the request's route allows it; writes, migrations and all else to the primary."""

    def db_for_read(self, model, **hints):
        route = _route.get()
        if route is None or route.pinned:
            return "default"
        if model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        if route.replica is None:
            route.replica = health.choose()
            if route.replica is None:
                route.pinned = True
                return "default"
        return route.replica

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def pin_if_recent_write(user) -> None:
    """Pin the request to the primary if ``user`` wrote within the read-your-writes window (one primary query)."""
    route = _route.get()
    if route is None or route.pinned or not getattr(user, "is_authenticated", False):
        return
    with connections["default"].cursor() as cursor:
        cursor.execute(PINNED_SQL, [user.pk])
        if cursor.fetchone():
            route.pinned = True


def remember_write(user) -> None:
    """Mark that ``user`` just wrote: their reads go to the primary for the read-your-writes window."""
    if not getattr(user, "is_authenticated", False):
        return
    with connections["default"].cursor() as cursor:
        cursor.execute(PIN_SQL, [user.pk, settings.REPLICA_READ_YOUR_WRITES_SECONDS])


class ReplicaMiddleware:
    """Decides each request's route (see the module docstring); after ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads_only = request.method in SAFE_METHODS and request.path.startswith(REPLICA_PREFIX)
        route = Route(pinned=not reads_only)
        token = _route.set(route)
        try:
            if reads_only and request.COOKIES.get(settings.SESSION_COOKIE_NAME):
                pin_if_recent_write(request.user)  # a session user; token users are checked with their token
            response = self.get_response(request)
            if route.replica is not None and response.status_code == 503 and not health.measure(route.replica):
                log.warning("replica %s failed during a request; answering it from the primary", route.replica)
                health.mark_down(route.replica)
                route.pinned, route.replica = True, None
                response = self.get_response(request)
            elif not reads_only and response.status_code < 400:
                user = getattr(request, "user", None)
                if user is not None:
                    self._remember(user)
            return response
        finally:
            _route.reset(token)

    @staticmethod
    def _remember(user) -> None:
        try:
            remember_write(user)
        except DatabaseError:  # the write itself succeeded; a lost marker only costs freshness for a few seconds
            log.exception("could not record a write for read-your-writes")
