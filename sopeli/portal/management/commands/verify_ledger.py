"""Verify a LAG's public hash chain, from the database or offline from a downloaded ledger.jsonl.

    python manage.py verify_ledger kazbegi
    python manage.py verify_ledger kazbegi --file kazbegi-ledger.jsonl --head <hash from the minutes>

Exits with status 1 and lists every problem when the chain is broken.
"""

from django.core.management.base import BaseCommand, CommandError

from sopeli.core.ledger import read_jsonl, verify_chain


class Command(BaseCommand):
    help = "Verify a LAG's public record (hash chain) in the database or in a downloaded ledger.jsonl file."

    def add_arguments(self, parser):
        parser.add_argument("lag", help="the LAG's address, e.g. kazbegi")
        parser.add_argument("--file", help="a downloaded ledger.jsonl; verified offline, without the database")
        parser.add_argument("--head", help="a hash you trust (e.g. printed in minutes); it must be in the chain")

    def handle(self, *args, lag, file=None, head=None, **options):
        entries = []
        if file:
            try:
                with open(file, encoding="utf-8") as fh:
                    entries = list(read_jsonl(fh))
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        else:
            from sopeli.core.ledger import entry_as_dict, ledger_entries
            from sopeli.core.models import Lag

            lag_obj = Lag.objects.filter(slug=lag).first()
            if lag_obj is None:
                raise CommandError(f"No LAG with the address {lag!r}.")
            entries = [entry_as_dict(e) for e in ledger_entries(lag_obj).iterator(chunk_size=2000)]
        problems = verify_chain(entries, head=head)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The public record of {lag} is broken: {len(problems)} problem(s).")
        last = entries[-1]["hash"] if entries else "(empty)"
        self.stdout.write(f"OK: {len(entries)} entries, head {last}")
