import pytest
from rest_framework.test import APIClient

from tests.core.factories import UserFactory

pytest_plugins = ["tests.assert_outcome"]  # a test function that asserts nothing fails (tests/assert_outcome.py)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def superuser(db):
    return UserFactory(superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin_api_client(superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    return client
