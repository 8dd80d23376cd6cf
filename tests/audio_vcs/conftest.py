import pytest
from rest_framework.test import APIClient

from audio_vcs.choices import CollaboratorRole
from audio_vcs.services import audio as audio_services
from tests.audio_vcs.factories import CollaboratorFactory, ProjectFactory
from tests.core.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Blobs and export files go to a fresh folder per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def blob_files_in_place(request, monkeypatch):
    """A test's transaction never commits, so a staged blob file would never move into place: here it moves at
    once, as it would at COMMIT. Tests of the staging itself (``@pytest.mark.staged_files``) keep the real
    on-commit move and run the callbacks with ``django_capture_on_commit_callbacks``."""
    if request.node.get_closest_marker("staged_files") is None:
        monkeypatch.setattr(audio_services, "on_commit", lambda callback: callback())


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


def pytest_configure(config):
    config.addinivalue_line("markers", "staged_files: keep the real on-commit move of staged blob files")
