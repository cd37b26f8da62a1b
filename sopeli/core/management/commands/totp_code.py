from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo login (accounts ending in .example only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        from allauth.mfa.totp.internal.auth import (
            format_hotp_value,
            hotp_value,
            yield_hotp_counters_from_time,
        )

        from sopeli.core.demo.seed import demo_totp_secret

        if not email.endswith(".example"):
            raise CommandError("Only demo logins (ending in .example) have a known secret.")
        counter = next(yield_hotp_counters_from_time())
        self.stdout.write(format_hotp_value(hotp_value(demo_totp_secret(email), counter)))
