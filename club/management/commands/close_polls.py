"""Close every poll past its deadline (the same service as the admin action and the periodic task)."""

from django.core.management.base import BaseCommand

from club.services import weeks_close_due_polls


class Command(BaseCommand):
    help = "Close every poll past its deadline that has votes; the tally's leader becomes the winner."

    def handle(self, *args, **options):
        weeks = weeks_close_due_polls()
        for week in weeks:
            self.stdout.write(f"{week}: winner {week.winner_album}")
        self.stdout.write(self.style.SUCCESS(f"Closed {len(weeks)} poll(s)."))
