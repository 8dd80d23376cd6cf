"""``security.*``: what the access rules cost.

- ``security.auth.token_ms``: the median token check of an authenticated request (knox digest lookup,
  ``core.api.authentication.TokenAuthentication``), in milliseconds.
- ``security.isolation.cost_ratio``: a tenant-scoped 100-row list (a member of the tenant, through core's
  ``visible_to``) against the same list unscoped (a superuser), both through the API; 1.0 means free.
"""

from knox.models import AuthToken
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from core.api.authentication import TokenAuthentication
from core.choices import MembershipRole

URL = "/api/core/memberships/"


def ensure_rows(count: int):
    from tests.core.factories import MembershipFactory, TenantFactory, UserFactory

    tenant = TenantFactory(slug="bench-security", name="Bench security")
    for other in range(3):  # rows of other tenants, which the scoped list must leave out
        other_tenant = TenantFactory(slug=f"bench-security-other-{other}", name=f"Bench other {other}")
        for index in range(other_tenant.memberships.count(), count):
            user = UserFactory(username=f"bench-sec-other-{other}-{index:04d}", password=None)
            MembershipFactory(tenant=other_tenant, user=user)
    member = UserFactory(username="bench-sec-member", password=None)
    MembershipFactory(tenant=tenant, user=member, role=MembershipRole.VIEWER)
    for index in range(tenant.memberships.count(), count):
        MembershipFactory(tenant=tenant, user=UserFactory(username=f"bench-sec-{index:04d}", password=None))
    superuser = UserFactory(username="bench-sec-superuser", superuser=True, password=None)
    return tenant, member, superuser


def client_for(user) -> APIClient:
    _, key = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def run(report, timed):
    tenant, member, superuser = ensure_rows(100)

    _, key = AuthToken.objects.create(user=member)
    request = Request(APIRequestFactory().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {key}"))
    authentication = TokenAuthentication()

    def token_check():
        user, _token = authentication.authenticate(request)
        assert user.pk == member.pk

    report("security.auth.token_ms", timed(token_check, repeat=200) * 1000, "ms")

    scoped, unscoped = client_for(member), client_for(superuser)

    def page(client, params):
        response = client.get(URL, {"page_size": 100, **params})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == 100
        return response

    only_tenant = {"tenant_id": str(tenant.pk)}
    scoped_median = timed(lambda: page(scoped, {}))
    unscoped_median = timed(lambda: page(unscoped, only_tenant))
    report("security.isolation.scoped_ms", scoped_median * 1000, "ms")
    report("security.isolation.unscoped_ms", unscoped_median * 1000, "ms")
    report("security.isolation.cost_ratio", scoped_median / unscoped_median, "x")
