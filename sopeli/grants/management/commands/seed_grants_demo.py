"""Publish the demo's open call for the Kazbegi LAG (idempotent; needs the approved demo strategy)."""

from django.core.management.base import BaseCommand

from sopeli.core.models import Lag
from sopeli.grants.demo import open_call


class Command(BaseCommand):
    help = "Publish an open demo call for a LAG (default kazbegi) under its approved strategy."

    def add_arguments(self, parser):
        parser.add_argument("--lag", default="kazbegi")

    def handle(self, *args, lag, **options):
        found = Lag.objects.filter(slug=lag).first()
        if found is None:
            self.stderr.write(f"no LAG {lag!r}: run seed_demo first")
            return
        call = open_call(found)
        if call is None:
            self.stderr.write("no approved strategy with measures M1/M2: run seed_strategy_demo first")
            return
        self.stdout.write(f"call {call.code} ({call.get_status_display()}), deadline {call.closes_at:%Y-%m-%d %H:%M:%S} UTC")
