"""Clubs and their memberships through the API, as core's tenants are."""

from club.models import Club, ClubMembership
from core.choices import MembershipRole
from core.testing import CrudAPITests
from tests.club.factories import ClubFactory, ClubMembershipFactory
from tests.core.factories import UserFactory


class TestClubAPI(CrudAPITests):
    model = Club
    factory = ClubFactory
    url_base = "club-api:club"
    brief_fields = ["id", "name", "slug"]

    def create_data(self):
        return {"name": "Night shift", "slug": "night-shift"}

    def update_data(self):
        return {"name": "Night shift two"}

    def grant_read(self, client, obj):
        ClubMembershipFactory(user=client.handler._force_user, club=obj, role=MembershipRole.VIEWER)


class TestClubMembershipAPI(CrudAPITests):
    model = ClubMembership
    factory = ClubMembershipFactory
    url_base = "club-api:clubmembership"
    brief_fields = ["user", "club", "role"]

    def make(self, **kwargs):
        kwargs.setdefault("club", ClubFactory())
        return super().make(**kwargs)

    def create_data(self):
        return {"user_id": str(UserFactory().pk), "club_id": str(ClubFactory().pk), "role": "viewer"}

    def update_data(self):
        return {"role": "admin"}

    def grant_read(self, client, obj):
        ClubMembershipFactory(user=client.handler._force_user, club=obj.club, role=MembershipRole.VIEWER)
