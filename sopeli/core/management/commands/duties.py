"""List the scheduled duties with their last run, or run one now: ``manage.py duties [run NAME]``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sopeli.core.duties import BY_NAME, duty_overview, duty_run, schedules_sync


class Command(BaseCommand):
    help = "List the scheduled duties and their last run; 'duties run NAME' runs one now; 'duties sync' re-creates the schedules."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["list", "run", "sync"], default="list")
        parser.add_argument("name", nargs="?")

    def handle(self, *args, action, name, **options):
        if action == "sync":
            self.stdout.write(str(schedules_sync()))
        elif action == "run":
            if name not in BY_NAME:
                raise CommandError(f"no such duty {name!r}; one of: {', '.join(BY_NAME)}")
            self.stdout.write(f"{name}: {duty_run(name)}")
        else:
            for row in duty_overview():
                duty, last = row["duty"], row["last"]
                every = f"every {duty.every_minutes} min" if duty.every_minutes else f"daily at {duty.daily_at:%H:%M} Tbilisi"
                when = timezone.localtime(last.started_at).strftime("%Y-%m-%d %H:%M:%S") if last else "never"
                outcome = "" if last is None else ("ok " + str(last.counts) if last.ok else "FAILED " + last.error[:200])
                warn = "  <- not run lately: is `manage.py qcluster` running?" if row["stalled"] else ""
                self.stdout.write(f"{duty.name:18} {every:24} last {when} {outcome}{warn}")
