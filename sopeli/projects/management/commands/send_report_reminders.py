"""Remind grantees of reports due (7 days and 1 day before, on the day, 7 days late).

Run it daily from the scheduler (cron, a systemd timer or the task queue's beat). Idempotent: each
reminder (report × kind) is sent once, however often the command runs.
"""

from django.core.management.base import BaseCommand

from sopeli.projects.services import reminders_send


class Command(BaseCommand):
    help = "Send report reminders to grantees (idempotent per reminder)."

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent.")
