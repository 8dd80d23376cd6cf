import pytest
from rest_framework.test import APIClient

from audio_vcs.choices import CollaboratorRole
from tests.audio_vcs.factories import CollaboratorFactory, ProjectFactory
from tests.core.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Blobs and export files go to a fresh folder per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def project(db):
    return ProjectFactory()


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner_client(project):
    return _client(project.owner)


@pytest.fixture
def role_client(project):
    """``role_client("viewer")``: an API client of a new collaborator with that role on ``project``."""

    def make(role: str):
        user = UserFactory()
        CollaboratorFactory(project=project, user=user, role=role)
        client = _client(user)
        client.user = user
        return client

    return make


@pytest.fixture
def stranger_client(db):
    client = _client(UserFactory())
    return client


__all__ = ["CollaboratorRole"]
