import copy
import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from core.choices import MembershipRole
from tests.amcs.factories import BlueprintFactory
from tests.core.factories import MembershipFactory, TenantFactory, UserFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ELF = json.loads((FIXTURES / "elf_on_overtime.sds.json").read_text())


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories make many users; hashing their passwords with the production hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def elf():
    """The reference's "Elf On Overtime" example SDS (its instrumentation and section metadata made valid)."""
    return copy.deepcopy(ELF)


@pytest.fixture
def tenant(db):
    return TenantFactory()


@pytest.fixture
def other_tenant(db):
    return TenantFactory()


@pytest.fixture
def member(tenant):
    user = UserFactory()
    MembershipFactory(user=user, tenant=tenant, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def viewer(tenant):
    user = UserFactory()
    MembershipFactory(user=user, tenant=tenant, role=MembershipRole.VIEWER)
    return user


@pytest.fixture
def member_client(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.fixture
def viewer_client(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


@pytest.fixture
def christmas_blueprint(tenant, member):
    return BlueprintFactory(
        tenant=tenant,
        owner=member,
        genre="Christmas Pop",
        version="2025.11",
        tempo_bpm_min=100,
        tempo_bpm_max=130,
        required_sections=["Verse", "Chorus", "Bridge"],
    )
