"""The core endpoints and the conventions every app's API inherits (errors, pagination, scoping)."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.api.permissions import ModelPermissionsOrReadOnly
from core.choices import MembershipRole
from core.filtersets import MembershipFilterSet
from core.models import Membership, Tenant
from core.testing import CrudAPITests
from tests.core.factories import MembershipFactory, TenantFactory, UserFactory


class TestTenantAPI(CrudAPITests):
    model = Tenant
    factory = TenantFactory
    url_base = "core-api:tenant"
    brief_fields = ["id", "name", "slug"]

    def create_data(self):
        return {"name": "Lighthouse", "slug": "lighthouse"}

    def update_data(self):
        return {"name": "Lighthouse Two"}

    def grant_read(self, client, obj):
        MembershipFactory(user=client.handler._force_user, tenant=obj, role=MembershipRole.VIEWER)


class TestMembershipAPI(CrudAPITests):
    model = Membership
    factory = MembershipFactory
    url_base = "core-api:membership"
    brief_fields = ["user", "tenant", "role"]

    def create_data(self):
        return {"user_id": str(UserFactory().pk), "tenant_id": str(TenantFactory().pk), "role": "viewer"}

    def update_data(self):
        return {"role": "admin"}

    def grant_read(self, client, obj):
        MembershipFactory(user=client.handler._force_user, tenant=obj.tenant, role=MembershipRole.VIEWER)


@pytest.mark.django_db
class TestConventions:
    def test_unauthenticated_request_is_401_with_message(self, api_client):
        response = api_client.get("/api/core/tenants/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")
        assert response.data == {"message": "Authentication credentials were not provided.", "errors": []}

    def test_malformed_id_in_url_is_404_not_500(self, admin_api_client):
        assert admin_api_client.get("/api/core/tenants/not-a-uuid/").status_code == 404

    def test_validation_error_names_field_path(self, admin_api_client):
        response = admin_api_client.post("/api/core/tenants/", {"name": "x" * 300, "slug": "bad slug"}, format="json")
        assert response.status_code == 400
        fields = {error["field"] for error in response.data["errors"]}
        assert fields == {"name", "slug"}

    def test_duplicate_is_a_409_naming_the_rule(self, admin_api_client):
        membership = MembershipFactory()
        response = admin_api_client.post(
            "/api/core/memberships/",
            {"user_id": str(membership.user_id), "tenant_id": str(membership.tenant_id), "role": "member"},
            format="json",
        )
        assert response.status_code == 409  # as a race's loser gets it (tests/core/test_duplicates.py)
        assert "already a member" in response.data["message"]

    def test_bad_filter_value_is_400(self, admin_api_client):
        response = admin_api_client.get("/api/core/memberships/", {"tenant_id": "nope"})
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] == "tenant_id"

    def test_id_filters_take_several_ids_and_cost_nothing_when_absent(self, admin_api_client):
        first, second, third = MembershipFactory.create_batch(3)
        response = admin_api_client.get(
            "/api/core/memberships/", {"tenant_id": [str(first.tenant_id), str(second.tenant_id)]}
        )
        assert {row["id"] for row in response.data["results"]} == {str(first.pk), str(second.pk)}
        filterset = MembershipFilterSet(data={}, queryset=Membership.objects.all())
        with mock.patch.object(SQLCompiler, "execute_sql", side_effect=AssertionError("a query ran")):
            assert str(filterset.qs.query) == str(Membership.objects.all().query)

    def test_page_size_is_capped(self, admin_api_client, settings):
        TenantFactory.create_batch(3)
        response = admin_api_client.get("/api/core/tenants/", {"page_size": 10_000})
        assert response.status_code == 200
        assert response.data["count"] >= 3

    def test_search_and_ordering_are_on_by_default(self, admin_api_client):
        TenantFactory(name="Aurora", slug="aurora")
        TenantFactory(name="Borealis", slug="borealis")
        assert [row["slug"] for row in admin_api_client.get("/api/core/tenants/", {"q": "aur"}).data["results"]] == [
            "aurora"
        ]
        ordered = admin_api_client.get("/api/core/tenants/", {"ordering": "-name"}).data["results"]
        assert [row["name"] for row in ordered][:2] == ["Borealis", "Aurora"]

    def test_users_see_only_their_tenants(self, user_client, user):
        mine = TenantFactory()
        TenantFactory()
        MembershipFactory(user=user, tenant=mine, role=MembershipRole.VIEWER)
        rows = user_client.get("/api/core/tenants/").data["results"]
        assert [row["id"] for row in rows] == [str(mine.pk)]

    def test_deleting_a_tenant_through_the_api_is_soft(self, admin_api_client):
        tenant = TenantFactory()
        assert admin_api_client.delete(f"/api/core/tenants/{tenant.pk}/").status_code == 204
        assert Tenant.all_objects.get(pk=tenant.pk).is_deleted

    def test_user_list_exposes_no_private_fields(self, user_client):
        UserFactory(email="secret@example.org")
        rows = user_client.get("/api/core/users/").data["results"]
        assert rows and all("email" not in row and "password" not in row for row in rows)

    def test_membership_list_query_count_is_constant(self, admin_api_client):
        MembershipFactory.create_batch(2)
        admin_api_client.get("/api/core/memberships/")
        with CaptureQueriesContext(connection) as small:
            admin_api_client.get("/api/core/memberships/")
        MembershipFactory.create_batch(30)
        with CaptureQueriesContext(connection) as large:
            admin_api_client.get("/api/core/memberships/", {"page_size": 100})
        assert len(small) == len(large) <= 6


def test_integrity_error_becomes_409_with_constraint_message():
    from django.db import IntegrityError

    from core.api.exceptions import to_api_exception

    class Diag:
        constraint_name = "core_membership_user_tenant_unique"

    cause = Exception("duplicate key")
    cause.diag = Diag()
    error = IntegrityError("duplicate key")
    error.__cause__ = cause
    api_error = to_api_exception(error)
    assert api_error.status_code == 409
    assert "already a member" in str(api_error.detail)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_insert_is_409_not_500(admin_api_client, monkeypatch):
    """The database decides a race that validation cannot see: the loser gets a 409."""
    from core.api.serializers import MembershipSerializer

    membership = MembershipFactory()
    # As if another request inserted the same row between validation and insert.
    monkeypatch.setattr(MembershipSerializer, "validate", lambda self, attrs: attrs)
    monkeypatch.setattr(MembershipSerializer, "get_validators", lambda self: [])
    response = admin_api_client.post(
        "/api/core/memberships/",
        {"user_id": str(membership.user_id), "tenant_id": str(membership.tenant_id), "role": "member"},
        format="json",
    )
    assert response.status_code == 409
    assert "already a member" in response.data["message"]


@pytest.mark.django_db
def test_a_view_without_a_model_only_reads_even_for_staff():
    """Staff powers come from model permissions; a view with none to take them from grants no writes."""

    class NoModelView(APIView):
        def post(self, request):
            raise AssertionError("not reached")

    staff = UserFactory(is_staff=True)
    factory, permission = APIRequestFactory(), ModelPermissionsOrReadOnly()
    for method, allowed in (("get", True), ("post", False)):
        request = getattr(factory, method)("/")
        request.user = staff
        assert permission.has_permission(request, NoModelView()) is allowed
