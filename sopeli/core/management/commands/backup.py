"""Write a backup archive (database, stored files, ledger heads): ``manage.py backup [--output DIR] [--keep N]``."""

from django.core.management.base import BaseCommand, CommandError

from sopeli.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write one backup archive (database, files, ledger heads) and keep the newest N."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="folder for the archive (default: SOPELI_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="how many archives to keep there (default: SOPELI_BACKUP_KEEP)")

    def handle(self, *args, output=None, keep=None, **options):
        try:
            path = backup_create(output_dir=output, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"backup written: {path}"))
