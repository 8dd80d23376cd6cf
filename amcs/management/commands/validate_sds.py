from django.core.management.base import BaseCommand, CommandError

from amcs.management.commands._sds import get_tenant, read_document, report
from amcs.services import sds_validate


class Command(BaseCommand):
    help = (
        "Validate SDS files against sds.schema.json and the AMCS rules. With --tenant, also check the "
        "blueprint, persona and sources they reference. Exit status 1 when any file is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--tenant", help="Slug of the tenant whose blueprints and personas to check against.")

    def handle(self, *args, files, tenant=None, **options):
        tenant = get_tenant(tenant)
        invalid = 0
        for path in files:
            document, errors = read_document(path)
            if not errors:
                errors = sds_validate(document=document, tenant=tenant)
            if errors:
                invalid += 1
                report(self, path, errors)
            else:
                self.stdout.write(f"{path}: valid")
        if invalid:
            raise CommandError(f"{invalid} of {len(files)} file(s) invalid.", returncode=1)
