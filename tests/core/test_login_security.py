"""Login protection: throttles on the token endpoint and the admin login, the per-user token limit, and
tokens revoked when the password changes or the account is deactivated."""

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.core.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def rates(settings):
    """Small login rates, so a test reaches them in a few requests."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_username": "3/hour", "login_address": "5/hour"},
    }


def issue(client, username, password=PASSWORD, address="203.0.113.7"):
    return client.post(
        "/api/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


@pytest.mark.django_db
class TestTokenThrottle:
    def test_failed_attempts_on_one_username_end_in_429_with_retry_after(self, rates):
        UserFactory(username="mira")
        client = APIClient()
        statuses = [issue(client, "mira", "wrong", address=f"198.51.100.{n}").status_code for n in range(4)]
        assert statuses == [400, 400, 400, 429]
        response = issue(client, "Mira", address="198.51.100.99")  # case does not matter, nor the address
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        body = response.json()
        assert set(body) == {"message", "errors"} and "throttled" in body["message"].lower()
        assert not AuthToken.objects.exists()

    def test_one_address_trying_many_usernames_is_throttled(self, rates):
        client = APIClient()
        statuses = [issue(client, f"guess{n}", "wrong").status_code for n in range(6)]
        assert statuses[:5] == [400] * 5 and statuses[5] == 429

    def test_admin_login_is_throttled_too(self, rates, client):
        UserFactory(username="mira", staff=True)
        url = reverse("admin:login")
        statuses = [
            client.post(url, {"username": "mira", "password": "wrong"}, REMOTE_ADDR="198.51.100.1").status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        assert int(client.post(url, {"username": "mira", "password": PASSWORD})["Retry-After"]) > 0


@pytest.mark.django_db
class TestTokenLimit:
    def test_a_user_at_the_token_limit_gets_403_until_they_revoke_one(self, settings):
        settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
        user = UserFactory(username="mira")
        client = APIClient()
        assert [issue(client, "mira").status_code for _ in range(3)] == [201, 201, 403]
        assert AuthToken.objects.filter(user=user).count() == 2
        AuthToken.objects.filter(user=user).first().delete()
        assert issue(client, "mira").status_code == 201


@pytest.mark.django_db
class TestRevocation:
    def test_changing_the_password_revokes_every_token(self):
        user = UserFactory(username="mira")
        AuthToken.objects.create(user=user)
        user.set_password("another long passphrase")
        user.save()
        assert not AuthToken.objects.filter(user=user).exists()

    def test_saving_without_a_password_change_keeps_tokens(self):
        user = UserFactory(username="mira")
        AuthToken.objects.create(user=user)
        user.display_name = "Mira"
        user.save()
        assert AuthToken.objects.filter(user=user).exists()

    def test_deactivating_revokes_tokens_and_the_old_token_no_longer_works(self):
        user = UserFactory(username="mira")
        _, key = AuthToken.objects.create(user=user)
        user = type(user).objects.get(pk=user.pk)
        user.is_active = False
        user.save()
        assert not AuthToken.objects.filter(user=user).exists()
        client = APIClient()
        assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

    def test_password_reset_in_the_admin_revokes_tokens(self, admin_client):
        user = UserFactory(username="mira")
        AuthToken.objects.create(user=user)
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        response = admin_client.post(url, {"password1": "a new long passphrase", "password2": "a new long passphrase"})
        assert response.status_code == 302, response.content.decode()[:500]
        assert not AuthToken.objects.filter(user=user).exists()
