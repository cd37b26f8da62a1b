"""Close every written procedure whose deadline has passed, now (the worker does it every minute).
The same as ``manage.py duties run procedures_close``."""

from django.core.management.base import BaseCommand

from sopeli.core.duties import duty_run


class Command(BaseCommand):
    help = "Close every written procedure whose deadline has passed and record its result (the worker does this every minute)."

    def handle(self, *args, **options):
        counts = duty_run("procedures_close")
        self.stdout.write(self.style.SUCCESS(f"{counts['procedures_closed']} closed"))
