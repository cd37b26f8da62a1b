from django.core.management import call_command
from django.core.management.base import BaseCommand

from sopeli.consultation.models import Consultation
from sopeli.core.models import Lag


class Command(BaseCommand):
    help = "Create Kazbegi's finished demo consultation (ideas, comments, a 300-response survey, village meetings, answers)."

    def add_arguments(self, parser):
        parser.add_argument("--lag", default="kazbegi", help="LAG address (default: kazbegi)")

    def handle(self, *args, lag: str, **options):
        from sopeli.consultation import demo
        from sopeli.strategy.models import Strategy

        the_lag = Lag.objects.filter(slug=lag).first()
        if the_lag is None:
            self.stdout.write(self.style.WARNING(f"No LAG with the address '{lag}': nothing to do (run seed_demo first)."))
            return
        if Consultation.objects.filter(lag=the_lag, title_ka=demo.TITLE[0]).exists():
            self.stdout.write(f"{the_lag.slug} already has the demo consultation: nothing to do.")
            return
        if not Strategy.objects.filter(lag=the_lag).exists():
            # Answers link to the strategy's objectives and measures: load the strategy demo first.
            self.stdout.write("No strategy yet: loading the strategy demo so answers can link to its measures.")
            call_command("seed_strategy_demo", lag=the_lag.slug, stdout=self.stdout)
        result = demo.build(the_lag)
        self.stdout.write(self.style.SUCCESS(
            f"Consultation for {the_lag.slug}: {result['ideas']} ideas, "
            f"{result['survey'].responses.count()} survey responses, every input answered."
        ))
