"""The task queue lives in PostgreSQL: a deferred job is stored, and a worker runs it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from core.tasks import purge_expired_tokens
from tests.core.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_deferred_task_is_stored_in_postgres_and_run_by_a_worker():
    user = UserFactory()
    AuthToken.objects.create(user=user, expiry=timedelta(seconds=-1))
    AuthToken.objects.create(user=user, expiry=None)
    job_id = purge_expired_tokens.defer()
    assert ProcrastinateJob.objects.get(id=job_id).status == "todo"
    # The worker runs as `manage.py procrastinate worker` does: on its own psycopg connection.
    with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
    assert ProcrastinateJob.objects.get(id=job_id).status == "succeeded"
    assert list(AuthToken.objects.values_list("expiry", flat=True)) == [None]
    # The task ran in a worker thread whose Django connection outlives the test: close it.
    with connection.cursor() as cursor:
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        )


@pytest.mark.django_db
def test_purge_expired_tokens_is_idempotent():
    user = UserFactory()
    AuthToken.objects.create(user=user, expiry=timedelta(seconds=-1))
    assert purge_expired_tokens() == 1
    assert purge_expired_tokens(timestamp=int(timezone.now().timestamp())) == 0
