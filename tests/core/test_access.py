"""Core's one visibility rule where every path meets it: memberships, the admin's choices and filters,
restore, and the audit history."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import MembershipRole
from core.models import Membership, Tenant
from tests.core.factories import MembershipFactory, TenantFactory, UserFactory


def staff_with(*codenames, **kwargs):
    user = UserFactory(staff=True, **kwargs)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


ALL_MEMBERSHIP_PERMS = ["add_membership", "change_membership", "delete_membership", "view_membership"]


@pytest.mark.django_db
class TestMembershipAPI:
    def test_staff_with_every_permission_cannot_join_a_tenant_they_do_not_own(self):
        intruder = staff_with(*ALL_MEMBERSHIP_PERMS)
        target = TenantFactory()
        response = api_for(intruder).post(
            reverse("core-api:membership-list"),
            {"user_id": str(intruder.pk), "tenant_id": str(target.pk), "role": "owner"},
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "tenant_id"
        assert not Membership.objects.filter(user=intruder).exists()

    def test_member_of_a_tenant_cannot_add_members_unless_owner(self):
        admin_member = MembershipFactory(role=MembershipRole.ADMIN)
        newcomer = UserFactory()
        response = api_for(admin_member.user).post(
            reverse("core-api:membership-list"),
            {"user_id": str(newcomer.pk), "tenant_id": str(admin_member.tenant_id), "role": "member"},
        )
        assert response.status_code == 400
        assert not Membership.objects.filter(user=newcomer).exists()

    def test_owner_adds_changes_and_removes_members_of_their_tenant(self):
        owner = MembershipFactory(role=MembershipRole.OWNER)
        newcomer = UserFactory()
        client = api_for(owner.user)
        response = client.post(
            reverse("core-api:membership-list"),
            {"user_id": str(newcomer.pk), "tenant_id": str(owner.tenant_id), "role": "viewer"},
        )
        assert response.status_code == 201, response.json()
        url = reverse("core-api:membership-detail", args=[response.json()["id"]])
        assert client.patch(url, {"role": "member"}).status_code == 200
        assert client.delete(url).status_code == 204

    def test_a_membership_cannot_move_to_another_tenant(self):
        owner = MembershipFactory(role=MembershipRole.OWNER)
        other = MembershipFactory(role=MembershipRole.OWNER, user=owner.user)  # owns both
        member = MembershipFactory(tenant=owner.tenant)
        response = api_for(owner.user).patch(
            reverse("core-api:membership-detail", args=[member.pk]), {"tenant_id": str(other.tenant_id)}
        )
        assert response.status_code == 400
        member.refresh_from_db()
        assert member.tenant_id == owner.tenant_id

    def test_viewer_with_model_permissions_cannot_promote_themselves(self):
        viewer = MembershipFactory(role=MembershipRole.VIEWER, user=staff_with(*ALL_MEMBERSHIP_PERMS))
        response = api_for(viewer.user).patch(
            reverse("core-api:membership-detail", args=[viewer.pk]), {"role": "owner"}
        )
        assert response.status_code == 403
        viewer.refresh_from_db()
        assert viewer.role == MembershipRole.VIEWER

    def test_tenant_is_renamed_only_by_its_owners(self):
        member = MembershipFactory(role=MembershipRole.MEMBER, user=staff_with("change_tenant", "view_tenant"))
        url = reverse("core-api:tenant-detail", args=[member.tenant_id])
        assert api_for(member.user).patch(url, {"name": "Mine now"}).status_code == 403
        Membership.objects.filter(pk=member.pk).update(role=MembershipRole.OWNER)
        assert api_for(member.user).patch(url, {"name": "Ours"}).status_code == 200


@pytest.mark.django_db
class TestMembershipAdmin:
    def test_add_form_offers_only_managed_tenants_and_refuses_others(self, client):
        intruder = staff_with(*ALL_MEMBERSHIP_PERMS)
        owned = MembershipFactory(user=intruder, role=MembershipRole.OWNER).tenant
        target = TenantFactory()
        client.force_login(intruder)
        url = reverse("admin:core_membership_add")
        form = client.get(url).context["adminform"].form
        assert set(form.fields["tenant"].queryset) == {owned}
        response = client.post(url, {"user": intruder.pk, "tenant": target.pk, "role": "owner"})
        assert response.status_code == 200  # the form again, with the error
        assert not Membership.objects.filter(tenant=target).exists()

    def test_user_page_inline_shows_only_visible_tenants_and_refuses_unmanaged(self, client):
        staff = staff_with("view_user", "change_user", *ALL_MEMBERSHIP_PERMS)
        mine = MembershipFactory(user=staff, role=MembershipRole.MEMBER)
        victim = UserFactory()
        hidden = MembershipFactory(user=victim)
        shared = MembershipFactory(user=victim, tenant=mine.tenant)
        client.force_login(staff)
        page = client.get(reverse("admin:core_user_change", args=[victim.pk]))
        formset = next(f for f in page.context["inline_admin_formsets"] if f.opts.model is Membership)
        assert {form.instance.pk for form in formset.formset.forms if form.instance.pk} == {shared.pk}
        assert hidden.tenant.name not in page.content.decode()

    def test_tenant_admin_who_is_not_an_owner_cannot_remove_a_membership_through_the_user_page(self, client):
        """The user page's memberships inline: a row marked for deletion needs its tenant's owner, as a change does
        (Django does not clean rows marked for deletion, so an admin-role member removed others); an owner may."""
        from core.testing import admin_form_data

        staff = staff_with("view_user", "change_user", *ALL_MEMBERSHIP_PERMS)
        mine = MembershipFactory(user=staff, role=MembershipRole.ADMIN)
        victim = MembershipFactory(tenant=mine.tenant, role=MembershipRole.MEMBER)
        client.force_login(staff)
        url = reverse("admin:core_user_change", args=[victim.user_id])
        data = admin_form_data(client.get(url))
        row = next(key for key, value in data.items() if key.endswith("-id") and value == str(victim.pk))
        data[row.removesuffix("-id") + "-DELETE"] = "on"
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Only the owners add, change or remove memberships." in response.content.decode()
        assert Membership.objects.filter(pk=victim.pk).exists()
        Membership.objects.filter(pk=mine.pk).update(role=MembershipRole.OWNER)
        response = client.post(url, data)
        assert response.status_code == 302, response.context["errors"]
        assert not Membership.objects.filter(pk=victim.pk).exists()

    def test_tenant_sidebar_filter_lists_only_visible_tenants(self, client):
        staff = staff_with("view_membership")
        mine = MembershipFactory(user=staff, role=MembershipRole.VIEWER).tenant
        hidden = TenantFactory(name="Hidden Tenant Name")
        client.force_login(staff)
        page = client.get(reverse("admin:core_membership_changelist")).content.decode()
        assert mine.name in page
        assert hidden.name not in page


@pytest.mark.django_db
class TestRestore:
    def test_view_only_staff_cannot_restore_a_tenant(self, client):
        staff = staff_with("view_tenant")
        tenant = MembershipFactory(user=staff, role=MembershipRole.OWNER).tenant
        tenant.delete()
        client.force_login(staff)
        client.post(
            reverse("admin:core_tenant_changelist") + "?deleted=yes",
            {"action": "restore_selected", "_selected_action": [str(tenant.pk)]},
        )
        assert Tenant.all_objects.get(pk=tenant.pk).is_deleted


@pytest.mark.django_db
class TestHistory:
    def events_page(self, client, **params):
        return client.get(reverse("admin:pghistory_events_changelist"), params)

    def test_staff_with_history_permission_see_only_their_tenants_events(self, client):
        staff = staff_with("view_events")
        mine = MembershipFactory(user=staff, role=MembershipRole.VIEWER).tenant
        theirs = TenantFactory(name="Secret Tenant")
        MembershipFactory(tenant=theirs)
        client.force_login(staff)
        rows = self.events_page(client, model="core.tenant").context["cl"].result_list
        ids = {row.pgh_obj_id for row in rows}
        assert str(mine.pk) in ids
        assert str(theirs.pk) not in ids
        everything = self.events_page(client, event_model="core.membershipevent").context["cl"].result_list
        assert everything and all(str(row.pgh_data["tenant_id"]) == str(mine.pk) for row in everything)

    def test_history_of_an_invisible_object_is_404(self, client):
        staff = staff_with("view_events")
        theirs = TenantFactory(name="Secret Tenant")
        client.force_login(staff)
        assert self.events_page(client, obj=f"core.tenant:{theirs.pk}").status_code == 404

    def test_superuser_sees_every_event(self, admin_client):
        theirs = TenantFactory()
        rows = self.events_page(admin_client, obj=f"core.tenant:{theirs.pk}").context["cl"].result_list
        assert str(theirs.pk) in {row.pgh_obj_id for row in rows}
