from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from amcs.services.library import blueprint_library_load
from core.choices import MembershipRole
from core.models import Tenant


class Command(BaseCommand):
    help = (
        "Install the starter library of genre blueprints (amcs/library/blueprints.json) into a tenant, or into every "
        "tenant. Idempotent: blueprints a tenant already has (same genre and version) are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Slug or id of the tenant (default: every tenant).")
        parser.add_argument("--owner", help="Username of the blueprints' owner (default: the tenant's owner).")

    def handle(self, *args, tenant=None, owner=None, **options):
        tenants = Tenant.objects.order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant) | (tenants.filter(pk=tenant) if _is_uuid(tenant) else tenants.none())
            if not tenants.exists():
                raise CommandError(f"No tenant '{tenant}'.")
        user = None
        if owner:
            user = get_user_model().objects.filter(username=owner).first()
            if user is None:
                raise CommandError(f"No user '{owner}'.")
        for row in tenants:
            row_owner = user or _tenant_owner(row)
            if row_owner is None:
                self.stderr.write(f"{row.slug}: no owner to give the blueprints; pass --owner.")
                continue

            def progress(done, total, genre, outcome, slug=row.slug):
                self.stdout.write(f"{slug}: [{done}/{total}] {genre}: {outcome}")

            result = blueprint_library_load(tenant=row, owner=row_owner, progress=progress)
            self.stdout.write(
                f"{row.slug}: {len(result['created'])} created, {len(result['present'])} already there"
                + (
                    f", {len(result['differs'])} kept with other values: {', '.join(result['differs'])}"
                    if result["differs"]
                    else ""
                )
            )


def _tenant_owner(tenant):
    membership = (
        tenant.memberships.filter(role=MembershipRole.OWNER).select_related("user").order_by("created_at").first()
    )
    return membership.user if membership else None


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
