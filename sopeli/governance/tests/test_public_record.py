"""Decisions reach the LAG's public hash chain, and the minutes print the chain's head."""

import pytest
from django.urls import reverse

from sopeli.core.ledger import entry_as_dict, verify_chain
from sopeli.core.models import LedgerEntry
from sopeli.governance import services

pytestmark = pytest.mark.django_db


def publish_s1_meeting(board):
    meeting = board.held_meeting()
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-07", title_ka="სასტუმრო",
                             is_selection=True)
    services.conflict_declare(actor=board.manager, item=item, member=board.m["M5"], reason="brother")
    services.item_decide(actor=board.manager, item=item)
    return services.minutes_publish(actor=board.manager, meeting=meeting), item


def test_published_minutes_put_every_decision_with_its_recusals_on_the_chain(board):
    meeting, item = publish_s1_meeting(board)
    entry = LedgerEntry.objects.filter(lag=board.lag, kind="meeting.minutes_published").get()
    decision = entry.fact["data"]["decisions"][0]
    assert decision["code"] == "A-07" and decision["result"] == "blocked"
    assert decision["recusals"][0]["member"]["name"] == "M5" and decision["recusals"][0]["reason"] == "brother"
    assert decision["checks"]["problems"][0]["count"] == 4
    assert verify_chain([entry_as_dict(e) for e in LedgerEntry.objects.filter(lag=board.lag).order_by("seq")]) == []


def test_minutes_print_the_ledger_head_at_approval(client, board):
    before = LedgerEntry.objects.filter(lag=board.lag).order_by("-seq").first()
    meeting, _ = publish_s1_meeting(board)
    meeting.refresh_from_db()
    assert meeting.minutes_ledger_hash == (before.hash if before else "")
    if before is None:  # the chain was empty: publish again on a second meeting to see a real head
        meeting, _ = publish_s1_meeting(board)
        meeting.refresh_from_db()
    page = client.get(reverse("governance:minutes", args=[board.lag.slug, meeting.pk])).content.decode()
    assert meeting.minutes_ledger_hash and meeting.minutes_ledger_hash in page


def test_a_closed_written_procedure_records_each_vote_on_the_chain(board):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    item = services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="B-1",
                                   title_ka="წესდება", closes_at=now + dt.timedelta(hours=1), now=now)
    for name in ["M1", "M5", "M7", "M9", "M10", "M11"]:
        services.procedure_vote(actor=board.manager, item=item, member=board.m[name], choice="for", now=now)
    services.procedure_close(actor=board.manager, item=item, now=now + dt.timedelta(hours=2))
    fact = LedgerEntry.objects.get(lag=board.lag, kind="procedure.closed").fact
    assert fact["data"]["decision"]["result"] == "approved"
    assert {v["member"]["name"] for v in fact["data"]["decision"]["votes"]} == {"M1", "M5", "M7", "M9", "M10", "M11"}
