import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories make many users; hashing their passwords with the production hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
