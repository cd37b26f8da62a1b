"""Remind grantees of reports due (7 days and 1 day before, on the day, 7 days late), now.

The worker does it every morning at 08:00 Tbilisi time; the same as ``manage.py duties run
report_reminders``. Idempotent: each reminder (report × kind) is sent once.
"""

from django.core.management.base import BaseCommand

from sopeli.core.duties import duty_run


class Command(BaseCommand):
    help = "Send report reminders to grantees (idempotent per reminder; the worker does this daily)."

    def handle(self, *args, **options):
        counts = duty_run("report_reminders")
        self.stdout.write(f"{counts['reminders']} reminder(s) sent.")
