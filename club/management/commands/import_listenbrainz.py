"""Import members' listens from ListenBrainz exports (see club.importers.listenbrainz)."""

from club.importers import listenbrainz
from club.importers.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import ListenBrainz exports (ZIP of monthly JSONL files, or the older JSON array). Without --user, "
        "each ZIP's user.json names the member (a linked ListenBrainz account, else the same username)."
    )
    source = "listenbrainz"
    parser = staticmethod(listenbrainz.parse)

    def member_for(self, path, options):
        if options.get("user"):
            return self.member_named(options["user"])
        name = listenbrainz.export_username(path)
        if not name:
            return super().member_for(path, options)
        from club.models import LinkedAccount

        account = LinkedAccount.objects.filter(provider="listenbrainz", provider_user_id=name).first()
        return account.user if account else self.member_named(name)
