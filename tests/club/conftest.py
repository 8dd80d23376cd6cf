import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Club tests create many members; hashing their passwords slowly proves nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
