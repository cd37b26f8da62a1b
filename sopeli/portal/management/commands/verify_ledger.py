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
        if file:
            try:
                with open(file, encoding="utf-8") as fh:
                    self._report(lag, read_jsonl(fh), head)
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
            except UnicodeDecodeError:
                raise CommandError(f"{file} is not a UTF-8 text file.") from None
        else:
            from sopeli.core.ledger import entry_as_dict, ledger_entries
            from sopeli.core.models import Lag

            lag_obj = Lag.objects.filter(slug=lag).first()
            if lag_obj is None:
                raise CommandError(f"No LAG with the address {lag!r}.")
            self._report(lag, (entry_as_dict(e) for e in ledger_entries(lag_obj).iterator(chunk_size=2000)), head)

    def _report(self, lag, entries, head):
        """Verify while streaming: memory stays bounded however long the chain is."""
        seen = {"count": 0, "last": "(empty)"}

        def counted():
            for entry in entries:
                seen["count"] += 1
                seen["last"] = entry.get("hash", "?") if isinstance(entry, dict) else "?"
                yield entry

        problems = verify_chain(counted(), head=head)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The public record of {lag} is broken: {len(problems)} problem(s).")
        self.stdout.write(f"OK: {seen['count']} entries, head {seen['last']}")
