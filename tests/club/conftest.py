import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Club tests create many members; hashing their passwords slowly proves nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def user_is_club_member(request):
    """The plain ``user`` of the club tests belongs to the default club (club rows are private to members)."""
    if "user" in request.fixturenames:
        from tests.club.factories import join_club

        join_club(request.getfixturevalue("user"))
