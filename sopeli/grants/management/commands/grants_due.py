"""Run the grants work that falls due with time (from cron, e.g. every 5 minutes):
close calls whose deadline passed, publish the received lists, expire fix deadlines."""

from django.core.management.base import BaseCommand

from sopeli.grants.services.checks import due_work


class Command(BaseCommand):
    help = "Close calls past their deadline, publish received lists, expire unfixed fix requests."

    def handle(self, *args, **options):
        counts = due_work()
        self.stdout.write(
            f"calls closed: {counts['closed']}, received lists published: {counts['received_lists']}, "
            f"fix deadlines expired: {counts['fixes_expired']}"
        )
