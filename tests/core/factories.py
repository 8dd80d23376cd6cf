import factory
from factory.django import DjangoModelFactory

from core.choices import MembershipRole
from core.models import Membership, Tenant, User


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)


class TenantFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Tenant {n}")
    slug = factory.Sequence(lambda n: f"tenant-{n}")

    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True


class MembershipFactory(DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = MembershipRole.MEMBER

    class Meta:
        model = Membership
        django_get_or_create = ("user", "tenant")
        skip_postgeneration_save = True
