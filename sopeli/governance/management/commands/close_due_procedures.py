"""Close every written procedure whose deadline has passed. Run it from cron or the task runner."""

from django.core.management.base import BaseCommand

from sopeli.governance.services import close_due_procedures


class Command(BaseCommand):
    help = "Close every written procedure whose deadline has passed and record its result."

    def handle(self, *args, **options):
        closed = close_due_procedures()
        for item in closed:
            self.stdout.write(f"{item.lag.slug} {item.code}: {item.status}")
        self.stdout.write(self.style.SUCCESS(f"{len(closed)} closed"))
