"""Demo data of the core app: users and tenants that the other apps' demo data builds on."""

from core.choices import MembershipRole

DEMO_PASSWORD = "demo-password"


def seed(stdout) -> None:
    from tests.core.factories import MembershipFactory, TenantFactory, UserFactory

    users = {
        name: UserFactory(username=name, display_name=name.title(), handle=name, password=DEMO_PASSWORD)
        for name in ["alice", "bob", "carol", "dave"]
    }
    studio = TenantFactory(slug="northern-lights", name="Northern Lights Studio")
    label = TenantFactory(slug="harbour-records", name="Harbour Records")
    MembershipFactory(user=users["alice"], tenant=studio, role=MembershipRole.OWNER)
    MembershipFactory(user=users["bob"], tenant=studio, role=MembershipRole.MEMBER)
    MembershipFactory(user=users["carol"], tenant=label, role=MembershipRole.OWNER)
    MembershipFactory(user=users["dave"], tenant=label, role=MembershipRole.VIEWER)
    stdout.write(f"core: {len(users)} users (password '{DEMO_PASSWORD}'), 2 tenants")
