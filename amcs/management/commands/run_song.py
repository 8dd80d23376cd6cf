from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from amcs import services
from amcs.models import Song, WorkflowRun
from core.services import ConflictError


class Command(BaseCommand):
    help = (
        "Start a workflow run of a song: its SDS is validated and frozen, and the run is queued for a worker "
        "(manage.py procrastinate worker); with --now it is executed here, node by node. Exit status 1 when the SDS "
        "is not valid or the song already has a run in progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("song", help="Id of the song.")
        parser.add_argument("--user", help="Username of the acting user (default: the system, as the song's owner).")
        parser.add_argument("--now", action="store_true", help="Execute the run in this process instead of queueing.")

    def handle(self, *args, song, user=None, now=False, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user '{user}'.")
        try:
            song = Song.objects.get(pk=song)
        except (Song.DoesNotExist, ValidationError) as error:
            raise CommandError(f"No such song: {song}") from error
        try:
            run = services.workflow_run_start(song=song, actor=actor, defer=not now)
        except ValidationError as error:
            for field, messages in sorted(error.message_dict.items()):
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError("The song's SDS is not valid: no run started.", returncode=1) from error
        except (ConflictError, PermissionDenied) as error:
            raise CommandError(str(error), returncode=1) from error
        if not now:
            self.stdout.write(f"Run {run.pk} queued (seed {run.seed}, input sha256 {run.input_hash}).")
            return
        self.stdout.write(f"Run {run.pk} started (seed {run.seed}, input sha256 {run.input_hash}).")
        status = services.workflow_run_execute(run_id=run.pk)
        run = WorkflowRun.objects.get(pk=run.pk)
        for step in run.steps.order_by("sequence"):
            label = step.node + (f" round {step.round}" if step.round else "")
            self.stdout.write(f"{step.sequence:>3} {label:<16} {step.duration_ms:>6} ms  {step.output_hash}")
        if run.error:
            self.stderr.write(f"failed at {run.error['node']}: {run.error['message']}")
        self.stdout.write(f"Run {run.pk}: {status}; scores {run.validation_scores}")
        if status == "failed":
            raise CommandError("The run failed.", returncode=1)
