import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from amcs.models import Song, WorkflowRun
from amcs.services import song_compose


class Command(BaseCommand):
    help = (
        "Compose a song's prompt for its render engine (deterministic: the same SDS gives the same text and hash), "
        "store it and print it. Exit status 1 when the SDS is not valid or a part is over the engine's limit."
    )

    def add_arguments(self, parser):
        parser.add_argument("song", help="Id of the song.")
        parser.add_argument("--owner", required=True, help="Username of the owner of the stored prompt.")
        parser.add_argument("--run", help="Id of the workflow run to link the prompt to.")
        parser.add_argument("--json", action="store_true", help="Print the prompt document (text and meta) as JSON.")

    def handle(self, *args, song, owner, run=None, **options):
        try:
            owner = get_user_model().objects.get(username=owner)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user '{owner}'.") from error
        try:
            song = Song.objects.get(pk=song)
            run = WorkflowRun.objects.get(pk=run, song=song) if run else None
        except (Song.DoesNotExist, WorkflowRun.DoesNotExist, ValidationError) as error:
            raise CommandError(f"No such song or run of that song: {error}") from error
        try:
            prompt = song_compose(song=song, owner=owner, run=run)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError("The prompt could not be composed.", returncode=1) from error
        if options["json"]:
            self.stdout.write(_dumps(prompt.to_document()))
            return
        limits = prompt.meta.get("model_limits", {})
        self.stdout.write(prompt.text)
        self.stdout.write(
            f"\n-- style {prompt.style_char_count}/{limits.get('style_max')} characters, "
            f"prompt {prompt.total_char_count}/{limits.get('prompt_max')}, sha256 {prompt.content_hash}"
        )


def _dumps(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)
