"""Kazbegi's closed call 2026/1 with its whole history: scores, the board's decision, results, an appeal."""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from sopeli.core.models import Lag
from sopeli.grants.demo_selection import closed_call


class Command(BaseCommand):
    help = "Build the demo's closed, evaluated and decided call (results published, one appeal) for a LAG (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--lag", default="kazbegi")

    def handle(self, *args, lag, **options):
        found = Lag.objects.filter(slug=lag).first()
        if found is None:
            self.stderr.write(f"no LAG {lag!r}: run seed_demo first")
            return
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            call = closed_call(found)
            from sopeli.notifications.services import outbox_discard_demo

            outbox_discard_demo()  # queued by the demo's facts: never sent
        if call is None:
            self.stderr.write("no approved strategy with measure M1 or no board: run seed_demo and seed_strategy_demo first")
            return
        self.stdout.write(f"call {call.code} ({call.get_status_display()}), results published {call.results_published_at:%Y-%m-%d}")
