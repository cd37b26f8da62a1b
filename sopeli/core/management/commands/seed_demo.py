from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import models
from django.test.utils import override_settings

from sopeli.core.models import Lag


class Command(BaseCommand):
    help = "Load the demo network (Kazbegi and Borjomi LAGs) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if a LAG already exists.")

    def handle(self, *args, if_empty=False, **options):
        from sopeli.core.demo import seed, story
        from sopeli.core.demo.people import DEMO_PASSWORD

        if Lag.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded.")
                self.print_logins(seed, DEMO_PASSWORD)
                return
            self.stderr.write("The database already has LAGs; use an empty database or --if-empty.")
            return
        # The demo's invitations and notices are not sent anywhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            kazbegi = seed.build_kazbegi()
            seed.build_borjomi()
            seed.build_network_officer()
            seed.make_user("admin@sopeli.example", "Sopeli admin", superuser=True)
            story.tell(kazbegi)
            self.run_optional_seeds()
            from sopeli.notifications.services import outbox_discard_demo

            outbox_discard_demo()  # queued by the demo's facts: never sent
        self.stdout.write(self.style.SUCCESS("Demo network loaded: Kazbegi and Borjomi."))
        self.print_logins(seed, DEMO_PASSWORD)

    def run_optional_seeds(self):
        """Each domain app may ship its own demo command; run those that exist, in cycle order."""
        from django.core.management import get_commands

        available = get_commands()
        for name in ["seed_strategy_demo", "seed_consultation_demo", "seed_grants_demo", "seed_selection_demo",
                     "seed_projects_demo", "seed_trainings_demo", "seed_portal_demo"]:
            if name in available:
                call_command(name, stdout=self.stdout)

    def print_logins(self, seed, password):
        from allauth.mfa.models import Authenticator

        from sopeli.accounts.models import User

        with_totp = set(Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list("user__email", flat=True))
        self.stdout.write(f"\nDemo logins (password for all: {password}):")
        # The people one logs in as: those holding a role, and the superuser (not every demo resident).
        people = User.objects.filter(email__endswith=".example").filter(
            models.Q(role_grants__isnull=False) | models.Q(is_superuser=True)).distinct().order_by("email")
        for user in people.prefetch_related("role_grants"):
            roles = ", ".join(sorted({g.get_role_display() for g in user.role_grants.all()})) or (
                "superuser (/admin/)" if user.is_superuser else "")
            line = f"  {user.email:32} {roles}"
            if user.email in with_totp:
                line += f"\n  {'':32} authenticator secret {seed.demo_totp_secret(user.email)}"
                line += f" (or: python manage.py totp_code {user.email})"
            self.stdout.write(line)
