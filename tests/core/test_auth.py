"""Token auth: issue for username + password, use it, list and revoke; only a digest is stored."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.core.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def member(db):
    return UserFactory(username="mira")


def issue(client, username="mira", password=PASSWORD):
    return client.post("/api/auth/token/", {"username": username, "password": password}, format="json")


def test_token_issue_returns_key_once_and_stores_only_a_digest(api_client, member):
    response = issue(api_client)
    assert response.status_code == 201, response.data
    key = response.data["token"]
    stored = AuthToken.objects.get(user=member)
    assert key not in {stored.digest, stored.token_key}
    assert key.startswith(stored.token_key)


def test_token_authenticates_requests(api_client, member):
    key = issue(api_client).data["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/auth/me/")
    assert response.status_code == 200
    assert response.data["username"] == "mira"


def test_token_issue_rejects_wrong_password_with_clear_error(api_client, member):
    response = issue(api_client, password="wrong")
    assert response.status_code == 400
    assert response.data["message"]
    assert response.data["errors"][0]["field"] is None


def test_token_issue_names_missing_fields(api_client, db):
    response = api_client.post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert {error["field"] for error in response.data["errors"]} == {"username", "password"}


def test_user_lists_and_revokes_own_tokens(api_client, member):
    first = issue(api_client).data
    issue(api_client)
    other = UserFactory(username="otto")
    issue(api_client, username="otto")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    listed = client.get("/api/auth/tokens/")
    assert listed.status_code == 200
    assert len(listed.data["results"]) == 2
    assert all("digest" not in row and "token" not in row for row in listed.data["results"])
    second_key = next(row["token_key"] for row in listed.data["results"] if row["token_key"] != first["token_key"])
    assert client.delete(f"/api/auth/tokens/{second_key}/").status_code == 204
    other_key = AuthToken.objects.get(user=other).token_key
    assert client.delete(f"/api/auth/tokens/{other_key}/").status_code == 404
    assert AuthToken.objects.filter(user=member).count() == 1


def test_revoked_token_no_longer_authenticates(api_client, member):
    key = issue(api_client).data["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    token_key = AuthToken.objects.get(user=member).token_key
    assert client.delete(f"/api/auth/tokens/{token_key}/").status_code == 204
    response = client.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.data["message"]


def test_session_login_works_for_browser_clients(client, member):
    assert client.login(username="mira", password=PASSWORD)
    assert client.get("/api/auth/me/").status_code == 200


def test_expired_token_is_refused_and_purged(member):
    """A request with an expired token is refused and writes nothing; the daily purge deletes the token."""
    from core.tasks import purge_expired_tokens

    instance, key = AuthToken.objects.create(user=member, expiry=timedelta(seconds=-1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/auth/me/").status_code == 401
    assert client.get("/api/auth/me/").status_code == 401
    assert purge_expired_tokens() == 1
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_token_check_costs_one_query_however_many_tokens_the_user_holds(member):
    for _ in range(5):
        AuthToken.objects.create(user=member)
    _, key = AuthToken.objects.create(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/auth/me/").status_code == 200
    # requests are atomic: the test's transaction shows that as a savepoint around the request, not a query
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == 1, queries.captured_queries
