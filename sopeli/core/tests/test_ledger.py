"""The public hash chain: appends through the audit path, and every kind of tampering is detected."""

import copy
import json
import subprocess
import sys
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from sopeli.core.audit import audit_record
from sopeli.core.ledger import (
    GENESIS,
    build_entry,
    canonical_json,
    entry_as_dict,
    entry_hash,
    ledger_entries,
    ledger_head,
    verify_chain,
    verify_lag,
)
from sopeli.core.models import LedgerEntry
from sopeli.testing.factories import LagFactory


def _chain(n=5):
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        e = build_entry(seq=seq, prev_hash=prev, fact={"action": "item.approved", "target": f"x:{seq}",
                                                        "at": "2026-01-01T00:00:00Z", "data": {"n": seq, "name": "სნო"}})
        entries.append(e)
        prev = e["hash"]
    return entries


def test_recipe_is_sha256_of_prev_hash_and_canonical_json():
    fact = {"data": {"b": 1, "a": "ყაზბეგი"}, "action": "x.y", "target": "", "at": "2026-01-01T00:00:00Z"}
    e = build_entry(seq=1, prev_hash=GENESIS, fact=fact)
    assert e["canonical"] == ('{"fact":{"action":"x.y","at":"2026-01-01T00:00:00Z","data":{"a":"ყაზბეგი","b":1},'
                              '"target":""},"seq":1}')
    import hashlib

    assert e["hash"] == hashlib.sha256((GENESIS + e["canonical"]).encode("utf-8")).hexdigest()
    assert canonical_json({"b": [1, {"d": 2, "c": 3}]}) == '{"b":[1,{"c":3,"d":2}]}'


def test_an_intact_chain_has_no_problems():
    assert verify_chain(_chain()) == []
    assert verify_chain([]) == []


def test_a_changed_fact_is_detected():
    entries = _chain()
    entries[2]["fact"]["data"]["n"] = 99
    assert any("entry 3" in p and "changed" in p for p in verify_chain(entries))


def test_a_changed_and_rehashed_entry_breaks_the_next_link():
    entries = _chain()
    forged = build_entry(seq=3, prev_hash=entries[1]["hash"], fact={**entries[2]["fact"], "data": {"n": 0}})
    entries[2] = forged
    problems = verify_chain(entries)
    assert problems and all("entry 3" not in p for p in problems)
    assert any("entry 4" in p and "previous entry" in p for p in problems)


def test_a_changed_hash_or_canonical_text_is_detected():
    entries = _chain()
    entries[1]["hash"] = "f" * 64
    assert any("entry 2" in p for p in verify_chain(entries))
    entries = _chain()
    entries[1]["canonical"] = entries[1]["canonical"].replace('"n":2', '"n":3')
    assert any("entry 2" in p and "hash does not match" in p for p in verify_chain(entries))


def test_a_changed_kind_is_detected():
    entries = _chain()
    entries[0]["kind"] = "item.rejected"
    assert any("kind" in p for p in verify_chain(entries))


def test_a_removed_entry_is_detected():
    entries = _chain()
    del entries[2]
    problems = verify_chain(entries)
    assert any("sequence number 4 where 3" in p for p in problems)
    assert any("previous entry" in p for p in problems)


def test_an_inserted_entry_is_detected():
    entries = _chain()
    intruder = build_entry(seq=3, prev_hash=entries[1]["hash"], fact={"action": "x.y", "target": "", "at": "", "data": {}})
    entries.insert(2, intruder)
    assert any("previous entry" in p for p in verify_chain(entries))


def test_reordered_entries_are_detected():
    entries = _chain()
    entries[1], entries[2] = entries[2], entries[1]
    problems = verify_chain(entries)
    assert any("sequence number 3 where 2" in p for p in problems)


def test_entries_removed_from_the_end_are_caught_by_a_trusted_head():
    entries = _chain()
    head = entries[-1]["hash"]
    assert verify_chain(entries, head=head) == []
    assert verify_chain(entries[:-1]) == []  # without an anchor a shorter chain is valid...
    assert any("trusted head" in p for p in verify_chain(entries[:-1], head=head))  # ...with one it is not


def test_garbage_lines_are_reported_not_crashed_on():
    entries = _chain(2)
    assert verify_chain([entries[0], {}, entries[1]])
    bad = copy.deepcopy(entries)
    bad[0]["canonical"] = None
    assert verify_chain(bad)


def test_the_verifier_imports_without_django():
    code = "import sys, sopeli.core.ledger as l; assert 'django' not in sys.modules; print(l.verify_chain([]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.django_db
def test_public_audit_events_enter_the_chain_private_ones_do_not(lag):
    audit_record(actor=None, lag=lag, action="thing.private", summary="x", data={"a": 1})
    e1 = audit_record(actor=None, lag=lag, action="thing.public", target=lag, summary="x", data={"a": 1}, public=True)
    audit_record(actor=None, lag=None, action="thing.public", summary="network-wide", public=True)
    e2 = audit_record(actor=None, lag=lag, action="thing.again", summary="x", data={"b": "ყაზბეგი"}, public=True)
    entries = list(ledger_entries(lag))
    assert [e.seq for e in entries] == [1, 2]
    assert entries[0].event == e1 and entries[1].event == e2
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert entries[0].fact == {"action": "thing.public", "target": f"core.lag:{lag.pk}",
                               "at": entries[0].fact["at"], "data": {"a": 1}}
    assert entries[0].fact["at"].endswith("Z")
    assert entries[1].hash == entry_hash(entries[0].hash, entries[1].canonical)
    assert verify_lag(lag) == []
    assert ledger_head(lag).hash == entries[1].hash


@pytest.mark.django_db
def test_chains_are_per_lag(lag):
    other = LagFactory(slug="borjomi")
    audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True)
    audit_record(actor=None, lag=other, action="a.b", summary="x", public=True)
    assert LedgerEntry.objects.get(lag=other).seq == 1 and LedgerEntry.objects.get(lag=lag).seq == 1


@pytest.mark.django_db
def test_private_keys_never_enter_a_fact(lag):
    audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True,
                 data={"member": 5, "phone": "+995 555", "nested": [{"email": "a@b.ge", "name": "Sno"}],
                       "id_number": "0101", "Address": "street"})
    entry = LedgerEntry.objects.get(lag=lag)
    assert entry.fact["data"] == {"member": 5, "nested": [{"name": "Sno"}]}
    assert "555" not in entry.canonical and "a@b.ge" not in entry.canonical


@pytest.mark.django_db
def test_a_rolled_back_fact_leaves_no_entry(lag):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True)
        raise RuntimeError
    assert not LedgerEntry.objects.filter(lag=lag).exists()
    audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True)
    assert LedgerEntry.objects.get(lag=lag).seq == 1


@pytest.mark.django_db
def test_database_tampering_is_detected(lag):
    for i in range(4):
        audit_record(actor=None, lag=lag, action="a.b", summary="x", data={"i": i}, public=True)
    head = ledger_head(lag).hash
    LedgerEntry.objects.filter(lag=lag, seq=2).update(fact={"action": "a.b", "target": "", "at": "", "data": {"i": 7}})
    assert any("entry 2" in p for p in verify_lag(lag))
    LedgerEntry.objects.filter(lag=lag, seq=2).delete()
    assert verify_lag(lag)
    LedgerEntry.objects.filter(lag=lag, seq=4).delete()
    assert any("trusted head" in p for p in verify_lag(lag, head=head))


@pytest.mark.django_db
def test_entries_are_append_only_and_seq_is_unique(lag):
    audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True)
    entry = LedgerEntry.objects.get(lag=lag)
    entry.kind = "c.d"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(lag=lag, **build_entry(seq=1, prev_hash=GENESIS, fact={"action": "x.y"}))


@pytest.mark.django_db
def test_head_as_of_a_moment(lag):
    audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True)
    first = ledger_head(lag)
    audit_record(actor=None, lag=lag, action="a.b", summary="x", public=True)
    assert ledger_head(lag, as_of=first.created_at).seq == 1
    assert ledger_head(lag).seq == 2
    assert ledger_head(LagFactory(slug="empty")) is None


@pytest.mark.django_db
def test_entry_as_dict_round_trips_through_json(lag):
    audit_record(actor=None, lag=lag, action="a.b", summary="x", data={"name": "ჯუთა"}, public=True)
    line = json.dumps(entry_as_dict(LedgerEntry.objects.get(lag=lag)), ensure_ascii=False)
    assert verify_chain([json.loads(line)]) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_public_facts_never_fork_the_chain():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one connection; IMMEDIATE transactions serialise writers")
    lag = LagFactory(slug="race")
    errors = []

    def write(i):
        try:
            audit_record(actor=None, lag=lag, action="a.b", summary="x", data={"i": i}, public=True)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ledger_entries(lag).values_list("seq", flat=True)) == list(range(1, 9))
    assert verify_lag(lag) == []
