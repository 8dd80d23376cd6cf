from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from amcs.management.commands._sds import get_tenant, read_document, report
from amcs.services import sds_import


class Command(BaseCommand):
    help = (
        "Import SDS files into a tenant: each file creates its song, style, lyrics, producer notes and sources "
        "in one transaction. Invalid files are reported with file and pointer and change nothing; exit status 1 "
        "when any file is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--tenant", required=True, help="Slug of the tenant to import into.")
        parser.add_argument("--owner", required=True, help="Username of the owner of the new rows.")

    def handle(self, *args, files, tenant, owner, **options):
        tenant = get_tenant(tenant)
        try:
            owner = get_user_model().objects.get(username=owner)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user '{owner}'.") from error
        invalid = 0
        for path in files:
            document, errors = read_document(path)
            if not errors:
                try:
                    song = sds_import(document=document, tenant=tenant, owner=owner)
                except ValidationError as error:
                    errors = [
                        {"pointer": pointer, "message": message}
                        for pointer, messages in error.message_dict.items()
                        for message in messages
                    ]
            if errors:
                invalid += 1
                report(self, path, errors)
            else:
                self.stdout.write(f"{path}: imported song {song.pk} ({song.title})")
        if invalid:
            raise CommandError(f"{invalid} of {len(files)} file(s) invalid.", returncode=1)
