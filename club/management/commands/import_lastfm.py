"""Import a member's listens from a lastfm export (see club.importers.lastfm)."""

from club.importers import lastfm
from club.importers.command import ImportCommand


class Command(ImportCommand):
    help = lastfm.__doc__.strip().splitlines()[0]
    source = "lastfm"
    parser = staticmethod(lastfm.parse)
