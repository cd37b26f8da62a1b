"""A record nobody can rewrite quietly: each LAG's public facts as a hash chain.

Every public fact (``audit_record(..., public=True)``) is appended here, in the same transaction
as the change it records. Anyone can re-check the chain offline from the downloadable file
``/<lang>/<lag>/ledger.jsonl`` with ``manage.py verify_ledger <lag> --file F`` or with the
recipe below in any language.

The recipe (version 1)
----------------------
Each line of ``ledger.jsonl`` is one entry, oldest first::

    {"seq": 1, "kind": "item.approved", "fact": {...}, "canonical": "...", "prev_hash": "...",
     "hash": "...", "created_at": "..."}

- ``fact`` is ``{"action": <event action>, "target": "<app.model>:<id>" or "", "at": <UTC time
  of the event, ISO 8601 to the second with a "Z">, "data": <the event's public data>}``.
- ``canonical`` is the JSON text of ``{"seq": seq, "fact": fact}`` with keys sorted at every
  depth, no whitespace (separators ``,`` and ``:``), non-ASCII characters written as themselves
  (``ensure_ascii=False`` in Python) and encoded in UTF-8. In Python:
  ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
- ``hash`` is the lower-case hex SHA-256 of the UTF-8 bytes of ``prev_hash + canonical``.
- ``prev_hash`` is the previous entry's ``hash``; the first entry's is 64 zeros (``GENESIS``).
- ``seq`` counts from 1 without gaps.

To verify: for each line, parse ``canonical`` and check it equals ``{"seq": seq, "fact": fact}``
(so the readable fields say what was hashed), re-hash ``prev_hash + canonical`` and compare with
``hash``, and check that ``prev_hash`` is the previous line's ``hash`` and ``seq`` the previous
plus one. A changed, removed, inserted or reordered entry breaks one of these checks. Removing
entries from the *end* leaves a shorter valid chain: compare the head with a hash you trust —
the one printed in a set of minutes (``ledger_head``) or on the ledger page you saw before.

The functions above the line "Django below" are pure Python (no Django import), so the verifier
runs anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64
RECIPE_VERSION = 1


def canonical_json(value: Any) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8 characters as themselves."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def utc_time(moment: dt.datetime) -> str:
    """ISO 8601 in UTC, to the second, with a "Z": the ``at`` of a fact."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def make_fact(*, action: str, target: str, at: dt.datetime, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"action": action, "target": target, "at": utc_time(at), "data": dict(data)}


def build_entry(*, seq: int, prev_hash: str, fact: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed fields of entry ``seq`` after ``prev_hash`` (pure; used by the append and in tests)."""
    # A JSON round trip first, so what we keep is exactly what a reader will parse.
    fact = json.loads(canonical_json(fact))
    canonical = canonical_json({"seq": seq, "fact": fact})
    return {
        "seq": seq,
        "kind": fact.get("action", ""),
        "fact": fact,
        "canonical": canonical,
        "prev_hash": prev_hash,
        "hash": entry_hash(prev_hash, canonical),
    }


def verify_chain(entries: Iterable[Mapping[str, Any]], *, head: str | None = None) -> list[str]:
    """Every problem found in a chain given oldest first; an empty list means it is intact.

    ``head``: a hash you trust (e.g. printed in the minutes); it must occur in the chain, which
    also catches entries removed from the end.
    """
    problems: list[str] = []
    expected_seq = 1
    prev = GENESIS
    seen_head = head is None
    count = 0
    for position, entry in enumerate(entries, start=1):
        count += 1
        try:
            seq = entry["seq"]
            fact = entry["fact"]
            canonical = entry["canonical"]
            prev_hash = entry["prev_hash"]
            digest = entry["hash"]
        except (KeyError, TypeError):
            problems.append(f"line {position}: not a ledger entry (missing fields)")
            continue
        label = f"entry {seq}"
        if seq != expected_seq:
            problems.append(f"{label}: sequence number {seq} where {expected_seq} was expected "
                            "(an entry was removed, inserted or moved)")
        if prev_hash != prev:
            problems.append(f"{label}: does not point to the previous entry's hash "
                            "(an entry was removed, inserted, moved or changed)")
        if not isinstance(canonical, str) or entry_hash(str(prev_hash), canonical) != digest:
            problems.append(f"{label}: its hash does not match its content (the entry was changed)")
        else:
            try:
                parsed = json.loads(canonical)
            except ValueError:
                parsed = None
            if parsed != {"seq": seq, "fact": fact}:
                problems.append(f"{label}: the readable fact differs from the hashed text (the entry was changed)")
            elif canonical_json(parsed) != canonical:
                problems.append(f"{label}: the hashed text is not in canonical form")
            if isinstance(fact, Mapping) and entry.get("kind", fact.get("action")) != fact.get("action"):
                problems.append(f"{label}: its kind differs from the fact's action (the entry was changed)")
        if head is not None and digest == head:
            seen_head = True
        prev = digest if isinstance(digest, str) else ""
        expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
    if not seen_head:
        problems.append(f"the trusted head {head} is not in the chain (entries were removed or changed)")
    if head is not None and count == 0:
        return problems or ["the chain is empty"]
    return problems


def read_jsonl(lines: Iterable[str | bytes]) -> Iterable[dict[str, Any]]:
    """Parse a downloaded ``ledger.jsonl`` (blank lines skipped); a broken line yields ``{}``."""
    for line in lines:
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        line = line.strip()
        if not line:
            continue
        try:
            yield json.loads(line)
        except ValueError:
            yield {}


# --- Django below ----------------------------------------------------------------------------


def ledger_append(*, lag, fact: Mapping[str, Any], event=None):
    """Append ``fact`` to ``lag``'s chain; serialised per LAG so concurrent facts never fork it.

    PostgreSQL: the LAG row is locked (``SELECT … FOR NO KEY UPDATE``) until the transaction ends. That
    mode serialises appends as well as FOR UPDATE would, but does not block the key-share locks that
    every insert of a row pointing at the LAG takes (an application, an audit event): with FOR UPDATE,
    each public fact made every write in its LAG wait until its transaction ended.
    SQLite: Sopeli opens every transaction as ``IMMEDIATE``, so writers are already serialised.
    The unique (lag, seq) constraint is the last guard either way.
    """
    from django.db import transaction

    from sopeli.core.models import Lag, LedgerEntry
    from sopeli.core.privacy import scrub

    with transaction.atomic():
        Lag.objects.select_for_update(no_key=True).filter(pk=lag.pk).values_list("pk", flat=True).first()
        last = LedgerEntry.objects.filter(lag_id=lag.pk).order_by("-seq").values("seq", "hash").first()
        seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
        fields = build_entry(seq=seq, prev_hash=prev, fact=scrub(fact))
        return LedgerEntry.objects.create(lag_id=lag.pk, event=event, **fields)


def ledger_entries(lag):
    """The LAG's entries, oldest first (stream with ``.iterator()``)."""
    from sopeli.core.models import LedgerEntry

    return LedgerEntry.objects.filter(lag=lag).order_by("seq")


def ledger_head(lag, as_of: dt.datetime | None = None):
    """The newest entry of ``lag``'s chain (or the newest at ``as_of``), or None if the chain is empty.

    ``head.seq``, ``head.hash`` and ``head.created_at`` are what minutes print.
    """
    from sopeli.core.models import LedgerEntry

    qs = LedgerEntry.objects.filter(lag=lag)
    if as_of is not None:
        qs = qs.filter(created_at__lte=as_of)
    return qs.only("seq", "hash", "created_at", "lag").order_by("-seq").first()


def entry_as_dict(entry) -> dict[str, Any]:
    """One line of ``ledger.jsonl``."""
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "fact": entry.fact,
        "canonical": entry.canonical,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "created_at": utc_time(entry.created_at),
    }


def verify_lag(lag, *, head: str | None = None) -> list[str]:
    """Verify the chain stored in the database for ``lag``."""
    return verify_chain((entry_as_dict(e) for e in ledger_entries(lag).iterator(chunk_size=2000)), head=head)
