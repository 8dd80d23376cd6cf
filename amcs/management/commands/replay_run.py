from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from amcs import services
from amcs.models import WorkflowRun


class Command(BaseCommand):
    help = (
        "Replay a workflow run from its frozen input and compare every node's output hash with the stored one. "
        "Exit status 1 when a node differs (the first one is named)."
    )

    def add_arguments(self, parser):
        parser.add_argument("run", help="Id of the run.")

    def handle(self, *args, run, **options):
        try:
            run = WorkflowRun.objects.select_related("song").get(pk=run)
        except (WorkflowRun.DoesNotExist, ValidationError) as error:
            raise CommandError(f"No such run: {run}") from error
        report = services.workflow_run_replay(run=run, actor=None)
        for step in report["steps"]:
            mark = "=" if step["identical"] else "!"
            self.stdout.write(f"{mark} {step['sequence']:>3} {step['node']:<10} {step['stored']} {step['replayed']}")
        if report["identical"]:
            self.stdout.write(f"Identical: {report['compared']} node outputs hash the same.")
            return
        first = report["first_difference"]
        raise CommandError(f"Differs first at step {first['sequence']} ({first['node']}).", returncode=1)
