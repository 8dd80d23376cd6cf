"""Read replicas against a real streaming replica of the embedded server (core.replicas).

The replica is made with ``pg_basebackup -R`` from the binaries that ship with the embedded server
(``config.embedded_db.replica_url``), so it holds the test database too. One test walks the whole story in order,
since each step needs the state the one before left: a replica is costly to make.
"""

import copy
import os
import shutil
import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connections, router
from django.db.backends.postgresql.base import DatabaseWrapper
from knox.models import AuthToken
from rest_framework.test import APIClient

from config import embedded_db
from core import replicas
from core.replicas import ReplicaRouter, health
from tests.core.factories import UserFactory

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="made by pg_basebackup of the embedded server; with DATABASE_URL, start a replica of that server "
    "and run the app with DATABASE_REPLICA_URLS instead",
)

GENRES = "/api/catalog/genres/"


def _client(user) -> APIClient:
    _, key = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _wait_replayed(timeout: float = 60) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("select pg_current_wal_insert_lsn()")  # commits here do not wait for the flush
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica0"].cursor() as cursor:
            cursor.execute("select pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def _replay(action: str) -> None:
    with connections["replica0"].cursor() as cursor:
        cursor.execute(f"select pg_wal_replay_{action}()")


def _names(client) -> set[str]:
    response = client.get(GENRES, {"q": "Replica", "page_size": 50})
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def replica(transactional_db, settings, monkeypatch, worker_id):
    """The replica, known to Django as ``replica0``, with the router and middleware installed as settings do."""
    pgdata = embedded_db.REPLICA_PGDATA.with_name(f"replica-test-{worker_id}")
    url = embedded_db.replica_url(pgdata, durable=False)
    settings_dict = copy.deepcopy(connections["default"].settings_dict)  # the test database, on the replica's socket
    settings_dict["HOST"] = url.rsplit("host=", 1)[1]
    settings_dict["CONN_MAX_AGE"] = 0
    # A connection made here, as settings would make it at start-up (the test runner only allows connections
    # to the databases it set up, or made on the fly like this one).
    connections._connections.replica0 = DatabaseWrapper(settings_dict, alias="replica0")
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica0"])
    monkeypatch.setattr(router, "routers", [ReplicaRouter()])
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "core.replicas.ReplicaMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.REPLICA_MAX_LAG_SECONDS = 3600  # replay is paused on purpose below; lag is tested on its own
    settings.REPLICA_HEALTH_SECONDS = 0
    health.checked.clear()
    yield pgdata
    connections["replica0"].close()
    delattr(connections._connections, "replica0")
    health.checked.clear()
    embedded_db.stop_replica(pgdata)
    shutil.rmtree(pgdata, ignore_errors=True)


def test_reads_go_to_the_replica_and_writers_read_their_writes(replica, settings):
    writer = UserFactory(staff=True)
    writer.user_permissions.add(Permission.objects.get(codename="add_genre"))
    reader = UserFactory()
    writer_client, reader_client = _client(writer), _client(reader)
    _wait_replayed()

    # A write, then the writer's read: the write is there.
    assert writer_client.post(GENRES, {"name": "Replica One", "slug": "replica-one"}).status_code == 201
    assert _names(writer_client) == {"Replica One"}
    _wait_replayed()
    assert _names(reader_client) == {"Replica One"}

    # Replay paused: the writer still reads their write (from the primary); another user's read is served by the
    # replica, which has not replayed it yet.
    _replay("pause")
    try:
        assert writer_client.post(GENRES, {"name": "Replica Two", "slug": "replica-two"}).status_code == 201
        assert _names(writer_client) == {"Replica One", "Replica Two"}
        assert _names(reader_client) == {"Replica One"}

        # Lag is measured: past the limit the replica is skipped and the reader gets the primary's answer.
        settings.REPLICA_MAX_LAG_SECONDS = 0.2
        time.sleep(0.5)
        assert _names(reader_client) == {"Replica One", "Replica Two"}
        settings.REPLICA_MAX_LAG_SECONDS = 3600
    finally:
        _replay("resume")
    _wait_replayed()
    assert _names(reader_client) == {"Replica One", "Replica Two"}

    # Once the window has passed, the writer's reads go to the replica again.
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 0
    assert writer_client.post(GENRES, {"name": "Replica Three", "slug": "replica-three"}).status_code == 201
    _replay("pause")
    try:
        assert writer_client.post(GENRES, {"name": "Replica Four", "slug": "replica-four"}).status_code == 201
        assert "Replica Four" not in _names(writer_client)
    finally:
        _replay("resume")
    _wait_replayed()

    # The replica stops between two health checks: the read that fails on it is answered from the primary.
    settings.REPLICA_HEALTH_SECONDS = 3600
    health.checked.clear()
    assert len(_names(reader_client)) == 4  # measured healthy now, not again for an hour
    embedded_db.stop_replica(replica)
    assert len(_names(reader_client)) == 4  # _names asserts the 200
    # and later reads skip it without trying
    assert _names(reader_client) == {"Replica One", "Replica Two", "Replica Three", "Replica Four"}


def test_without_replicas_nothing_is_routed(settings):
    assert settings.DATABASE_REPLICA_URLS == []
    assert "core.replicas.ReplicaMiddleware" not in settings.MIDDLEWARE
    assert list(connections.settings) == ["default"]
