"""Bring a backup archive back and verify it: ``manage.py restore ARCHIVE [--force]``.

Run ``manage.py migrate`` afterwards if the archive is older than the installed Sopeli.
"""

from django.core.management.base import BaseCommand, CommandError

from sopeli.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and storage, then check files and ledger."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")

    def handle(self, *args, archive, force=False, **options):
        try:
            report = backup_restore(archive=archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for slug, seq in sorted(report.lags.items()):
            self.stdout.write(f"{slug}: public record verified up to entry {seq}")
        self.stdout.write(f"{report.files} files restored, every checksum checked")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(report.problems)} problem(s) after the restore")
        self.stdout.write(self.style.SUCCESS("restore verified"))
