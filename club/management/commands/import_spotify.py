"""Import a member's listens from a spotify export (see club.importers.spotify)."""

from club.importers import spotify
from club.importers.command import ImportCommand


class Command(ImportCommand):
    help = spotify.__doc__.strip().splitlines()[0]
    source = "spotify"
    parser = staticmethod(spotify.parse)
