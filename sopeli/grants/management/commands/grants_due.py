"""Run the grants duty now (the worker runs it every minute): close calls past their deadline, publish
the received lists, expire fix deadlines. The same as ``manage.py duties run grants_due``."""

from django.core.management.base import BaseCommand

from sopeli.core.duties import duty_run


class Command(BaseCommand):
    help = "Close calls past their deadline, publish received lists, expire unfixed fix requests (the worker does this every minute)."

    def handle(self, *args, **options):
        counts = duty_run("grants_due")
        self.stdout.write(
            f"calls closed: {counts['closed']}, received lists published: {counts['received_lists']}, "
            f"fix deadlines expired: {counts['fixes_expired']}"
        )
