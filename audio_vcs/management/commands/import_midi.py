"""``manage.py import_midi PROJECT_ID FILE.mid [--name NAME] [--user USERNAME]``: a composition from a MIDI file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from audio_vcs import services
from audio_vcs.models import Project


class Command(BaseCommand):
    help = "Import a Standard MIDI File into a project as a composition (tracks, notes in beats, tempo map, meter)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="Project id")
        parser.add_argument("path", help="A .mid file")
        parser.add_argument("--name", default="", help="Composition name (default: the file name)")
        parser.add_argument("--user", default="", help="Act as this user (their role is checked); default: system")

    def handle(self, *args, project, path, name, user, **options):
        try:
            target = Project.objects.get(pk=project)
        except (Project.DoesNotExist, ValidationError, ValueError) as error:
            raise CommandError(f"No project {project}.") from error
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file {path}.")
        try:
            composition = services.composition_import_midi(
                project=target, file=(file.name, file.read_bytes()), actor=actor, name=name
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except PermissionDenied as error:  # --user's role in the project does not allow composing
            raise CommandError(str(error)) from error
        tracks = composition.tracks.count()
        self.stdout.write(self.style.SUCCESS(f"Imported '{composition.name}' ({composition.pk}): {tracks} tracks."))
