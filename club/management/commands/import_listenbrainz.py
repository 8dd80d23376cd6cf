"""Import a member's listens from a listenbrainz export (see club.importers.listenbrainz)."""

from club.importers import listenbrainz
from club.importers.command import ImportCommand


class Command(ImportCommand):
    help = listenbrainz.__doc__.strip().splitlines()[0]
    source = "listenbrainz"
    parser = staticmethod(listenbrainz.parse)
