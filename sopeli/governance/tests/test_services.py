"""Scenario S1 end to end through the services, written procedures and the minutes' life cycle."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from sopeli.core.models import AuditEvent
from sopeli.governance import presentation, services
from sopeli.governance.models import (
    AgendaItem,
    ConflictDeclaration,
    ItemStatus,
    MeetingStatus,
    RecusalKind,
    Vote,
)
from sopeli.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

A03_VOTES = {"M1": "for", "M2": "for", "M3": "for", "M4": "for", "M7": "for",
             "M5": "against", "M6": "against", "M9": "against", "M11": "abstain"}


def _a07(board, meeting):
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-07", title_ka="საოჯახო სასტუმრო",
                             title_en="Guesthouse in Juta", is_selection=True)
    services.conflict_declare(actor=board.manager, item=item, member=board.m["M5"],
                              reason="His brother owns the guesthouse")
    return item


def test_s1_a07_blocked_with_both_remedies_then_written_procedure_passes(board, django_capture_on_commit_callbacks):
    meeting = board.held_meeting()
    assert meeting.status == MeetingStatus.HELD
    item = _a07(board, meeting)
    services.votes_record(actor=board.manager, item=item,
                          votes={pk: "for" for pk in board.ids("M1", "M2", "M3", "M4", "M6", "M7", "M9", "M11")})
    item = services.item_decide(actor=board.manager, item=item)
    assert item.status == ItemStatus.BLOCKED
    problems = [(p["code"], p["key"], p["count"], p["total"]) for p in item.outcome["problems"]]
    assert problems == [("composition", "public", 4, 8)]
    with translation.override("en"):
        text = presentation.explain(item.outcome, presentation.group_names(board.lag))
    assert "public sector: 4 of 8 voters (50%); at most 3 may be public." in text.problems
    written, step_out = [r["text"] for r in text.remedies]
    # Community and tourism tie at 3 of 10; both are named.
    assert written == ("a written procedure among the 10 members without a conflict: public 4 of 10, "
                       "community 3 of 10, tourism 3 of 10")
    assert step_out == "one more public-sector member stepping out: public 3 of 7"

    # The way on: a written procedure among the 10 members without a conflict.
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        procedure = services.procedure_open(actor=board.manager, lag=board.lag, origin=item,
                                            closes_at=now + dt.timedelta(days=2), now=now)
    assert len(mail.outbox) == 11 and "A-07" in mail.outbox[0].subject
    with pytest.raises(ValidationError, match="continues in a written procedure"):
        services.item_decide(actor=board.manager, item=item)
    assert procedure.body == board.body and procedure.is_selection and procedure.code == "A-07"
    assert list(procedure.conflicts.values_list("member__name", flat=True)) == ["M5"]
    with pytest.raises(ValidationError, match="conflict"):
        services.procedure_vote(actor=board.m["M5"].user, item=procedure, member=board.m["M5"], choice="for", now=now)
    for name in ["M1", "M2", "M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"]:
        services.procedure_vote(actor=board.m[name].user, item=procedure, member=board.m[name],
                                choice="against" if name == "M9" else "for", now=now)
    closed = services.procedure_close(actor=board.manager, item=procedure, now=now + dt.timedelta(days=3))
    assert closed.status == ItemStatus.APPROVED
    assert closed.outcome["composition"]["public"] == [4, 10]
    assert closed.outcome["composition"]["groups"]["tourism"] == [3, 10]
    assert closed.outcome["tally"] == {"for": 9, "against": 1, "abstain": 0}
    assert AuditEvent.objects.filter(action="procedure.closed", is_public=True).count() == 1

    # The meeting's minutes can now be published: every item is decided or blocked.
    services.minutes_publish(actor=board.manager, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED and meeting.minutes_published_at


def test_s1_a07_another_public_member_stepping_out_makes_it_valid(board):
    meeting = board.held_meeting()
    item = _a07(board, meeting)
    assert services.item_decide(actor=board.manager, item=item).status == ItemStatus.BLOCKED
    services.conflict_declare(actor=board.manager, item=item, member=board.m["M3"], kind=RecusalKind.STEP_OUT,
                              reason="Steps out to keep the public share within 49%")
    services.votes_record(actor=board.manager, item=item,
                          votes={pk: "for" for pk in board.ids("M1", "M2", "M4", "M6", "M7", "M9", "M11")})
    item = services.item_decide(actor=board.manager, item=item)
    assert item.status == ItemStatus.APPROVED
    assert item.outcome["composition"]["public"] == [3, 7]
    with pytest.raises(ValidationError, match="already decided"):
        services.item_decide(actor=board.manager, item=item)


def test_s1_a03_approved_5_3_1(board):
    meeting = board.held_meeting()
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-03", title_ka="გზა", title_en="Road")
    services.votes_record(actor=board.manager, item=item, votes={board.m[n].pk: c for n, c in A03_VOTES.items()})
    item = services.item_decide(actor=board.manager, item=item)
    assert item.status == ItemStatus.APPROVED
    assert item.outcome["tally"] == {"for": 5, "against": 3, "abstain": 1}
    assert presentation.explain(item.outcome).headline == "Approved: 5 for, 3 against, 1 abstaining."


def test_s1_a03_rejected_under_votes_for_variant_and_hands_refused(board):
    board.lag.votes_for_variant = True
    board.lag.save()
    meeting = board.held_meeting()
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-03", title_ka="გზა")
    item.lag.refresh_from_db()
    with pytest.raises(ValidationError, match="roll call"):
        services.hands_record(actor=board.manager, item=item, for_=5, against=3, abstain=1)
    services.votes_record(actor=board.manager, item=item, votes={board.m[n].pk: c for n, c in A03_VOTES.items()})
    item = services.item_decide(actor=board.manager, item=item)
    assert item.status == ItemStatus.REJECTED
    explained = presentation.explain(item.outcome)
    assert "Votes for: public sector 4 of 5 (80%)" in explained.problems[0]


def test_show_of_hands_is_checked_and_more_hands_than_participants_refused(board):
    meeting = board.held_meeting()
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-01", title_ka="ბიუჯეტი")
    with pytest.raises(ValidationError, match="10 hands were counted but only 9 members"):
        services.hands_record(actor=board.manager, item=item, for_=6, against=3, abstain=1)
    with pytest.raises(ValidationError, match="negative"):
        services.hands_record(actor=board.manager, item=item, for_=-1, against=3, abstain=1)
    services.hands_record(actor=board.manager, item=item, for_=6, against=2, abstain=1)
    assert services.item_decide(actor=board.manager, item=item).status == ItemStatus.APPROVED


def test_decide_needs_attendance_and_votes_and_votes_only_from_participants(board):
    meeting = board.meeting()
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-02", title_ka="გეგმა")
    with pytest.raises(ValidationError, match="attendance"):
        services.item_decide(actor=board.manager, item=item)
    services.attendance_record(actor=board.manager, meeting=meeting,
                               present_member_ids=board.ids(*[n for n in board.m if n not in {"M8", "M10"}]))
    with pytest.raises(ValidationError, match="Record the votes"):
        services.item_decide(actor=board.manager, item=item)
    with pytest.raises(ValidationError, match="present and without a conflict"):
        services.votes_record(actor=board.manager, item=item, votes={board.m["M8"].pk: "for"})
    with pytest.raises(ValidationError, match="for, against or abstain"):
        services.votes_record(actor=board.manager, item=item, votes={board.m["M1"].pk: "maybe"})


def test_attendance_of_a_non_member_is_refused(board):
    meeting = board.meeting()
    stranger = MemberFactory(lag=board.lag)
    with pytest.raises(ValidationError, match="only the members who sit on the body"):
        services.attendance_record(actor=board.manager, meeting=meeting, present_member_ids=[stranger.pk])
    with pytest.raises(ValidationError, match="only the members who sit on the body"):
        services.attendance_record(actor=board.manager, meeting=meeting, present_member_ids=["x"])


def test_conflict_once_per_member_and_item_and_only_seat_holders(board):
    meeting = board.held_meeting()
    item = _a07(board, meeting)
    with pytest.raises(ValidationError, match="already stepped out"):
        services.conflict_declare(actor=board.manager, item=item, member=board.m["M5"], reason="again")
    with pytest.raises(ValidationError, match="does not sit on"):
        services.conflict_declare(actor=board.manager, item=item, member=MemberFactory(lag=board.lag), reason="x")
    with pytest.raises(ValidationError, match="why"):
        services.conflict_declare(actor=board.manager, item=item, member=board.m["M6"], reason="  ")
    assert ConflictDeclaration.objects.filter(item=item).count() == 1


def test_invitations_are_sent_after_commit_and_a_resend_is_recorded(board, django_capture_on_commit_callbacks):
    from sopeli.notifications import sms

    meeting = board.meeting()
    # M1 sits on the board on paper: no e-mail address, no account, only a phone: an SMS reaches them.
    board.m["M1"].email, board.m["M1"].user, board.m["M1"].phone = "m1@paper.invalid", None, "+995 555 00 00 01"
    board.m["M1"].save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_send_invitations(actor=board.manager, meeting=meeting) == 11
    assert len(mail.outbox) == 10 and "სტეფანწმინდა" in mail.outbox[0].body
    assert [s.to for s in sms.outbox] == ["+995 555 00 00 01"]
    assert "სტეფანწმინდა" in sms.outbox[0].text and len(sms.outbox[0].text) <= 134
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_invitations(actor=board.manager, meeting=meeting)
    assert len(mail.outbox) == 20 and len(sms.outbox) == 2
    assert AuditEvent.objects.filter(action="meeting.invitations_resent").count() == 1
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at


def _procedure(board, now, **kw):
    return services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="WP-1",
                                   title_ka="წერილობითი კენჭისყრა", closes_at=now + dt.timedelta(hours=1), now=now, **kw)


def test_late_vote_is_refused_to_the_second(board):
    now = timezone.now().replace(microsecond=0)
    item = _procedure(board, now)
    deadline = item.closes_at
    vote, created = services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="for",
                                            now=deadline + dt.timedelta(microseconds=999_000))
    assert created
    with pytest.raises(ValidationError, match="closed at"):
        services.procedure_vote(actor=None, item=item, member=board.m["M2"], choice="for",
                                now=deadline + dt.timedelta(seconds=1))
    assert Vote.objects.filter(item=item).count() == 1


def test_late_vote_refused_with_frozen_clock(board, monkeypatch):
    now = timezone.now()
    item = _procedure(board, now)
    monkeypatch.setattr(timezone, "now", lambda: item.closes_at + dt.timedelta(seconds=5))
    with pytest.raises(ValidationError, match="your vote was not counted"):
        services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="for")


def test_double_vote_changes_nothing(board):
    now = timezone.now()
    item = _procedure(board, now)
    first, created = services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="for", now=now)
    again, created_again = services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="against",
                                                   now=now)
    assert created and not created_again
    assert again.pk == first.pk and again.choice == "for"
    assert list(Vote.objects.filter(item=item).values_list("choice", flat=True)) == ["for"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_vote_creates_one_vote(lag):
    from sopeli.governance.tests.conftest import Board

    board = Board(lag)
    now = timezone.now()
    item = _procedure(board, now)
    results, errors = [], []

    def cast(choice):
        try:
            results.append(services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice=choice))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("for", "against", "for", "abstain")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # SQLite serialises writers ("table is locked"); PostgreSQL lets all four race to the constraint.
    assert all(connection.vendor == "sqlite" and "locked" in str(e) for e in errors), errors
    assert Vote.objects.filter(item=item, member=board.m["M1"]).count() == 1
    choice = Vote.objects.get(item=item, member=board.m["M1"]).choice
    assert all(vote.choice == choice for vote, _created in results)


def test_a_vote_racing_past_the_first_check_is_caught_by_the_constraint(board, monkeypatch):
    now = timezone.now()
    item = _procedure(board, now)
    services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="for", now=now)
    # The other request's check ran before this vote was committed: it reaches the insert.
    monkeypatch.setattr(services, "_existing_vote", lambda item, member: None)
    vote, created = services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="against", now=now)
    assert not created and vote.choice == "for"
    assert Vote.objects.filter(item=item).count() == 1


def test_member_with_conflict_cannot_vote_and_only_seat_holders_vote(board):
    now = timezone.now()
    item = _procedure(board, now)
    services.conflict_declare(actor=board.m["M5"].user, item=item, member=board.m["M5"], reason="brother", now=now)
    with pytest.raises(ValidationError, match="declared a conflict"):
        services.procedure_vote(actor=None, item=item, member=board.m["M5"], choice="for", now=now)
    outsider = MemberFactory(lag=board.lag)
    with pytest.raises(ValidationError, match="Only members of"):
        services.procedure_vote(actor=None, item=item, member=outsider, choice="for", now=now)
    services.procedure_vote(actor=None, item=item, member=board.m["M6"], choice="for", now=now)
    with pytest.raises(ValidationError, match="already voted"):
        services.conflict_declare(actor=None, item=item, member=board.m["M6"], reason="late thought", now=now)


def test_procedure_open_refuses_past_deadline_and_unblocked_origin(board):
    now = timezone.now()
    with pytest.raises(ValidationError, match="future"):
        services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="X", title_ka="x",
                                closes_at=now - dt.timedelta(minutes=1), now=now)
    meeting = board.held_meeting()
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-09", title_ka="x")
    with pytest.raises(ValidationError, match="Only a blocked item"):
        services.procedure_open(actor=board.manager, lag=board.lag, origin=item,
                                closes_at=now + dt.timedelta(days=1), now=now)


def test_close_before_deadline_refused_and_quorum_counts_voters(board):
    now = timezone.now()
    item = _procedure(board, now)
    with pytest.raises(ValidationError, match="open until"):
        services.procedure_close(actor=board.manager, item=item, now=now)
    for name in ["M5", "M6", "M9"]:
        services.procedure_vote(actor=None, item=item, member=board.m[name], choice="for", now=now)
    closed = services.procedure_close(actor=board.manager, item=item, now=item.closes_at + dt.timedelta(seconds=1))
    assert closed.status == ItemStatus.BLOCKED
    assert closed.outcome["problems"][0]["code"] == "quorum"
    with pytest.raises(ValidationError, match="already closed"):
        services.procedure_close(actor=board.manager, item=item, now=now + dt.timedelta(days=1))


def test_close_due_procedures_command(board):
    now = timezone.now()
    due = _procedure(board, now - dt.timedelta(hours=2))
    services.procedure_vote(actor=None, item=due, member=board.m["M1"], choice="for", now=now - dt.timedelta(hours=2))
    later = services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="WP-2",
                                    title_ka="x", closes_at=now + dt.timedelta(hours=1), now=now)
    call_command("close_due_procedures", stdout=open("/dev/null", "w"))
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == ItemStatus.BLOCKED and due.decided_at  # 1 of 11 voted: no quorum
    assert later.status == ItemStatus.VOTING


def test_minutes_publish_needs_every_item_decided_and_freezes_the_record(board):
    meeting = board.meeting()
    with pytest.raises(ValidationError, match="attendance"):
        services.minutes_publish(actor=board.manager, meeting=meeting)
    services.attendance_record(actor=board.manager, meeting=meeting, present_member_ids=board.ids("M1", "M5"))
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-1", title_ka="x")
    with pytest.raises(ValidationError, match="still open: A-1"):
        services.minutes_publish(actor=board.manager, meeting=meeting)
    services.item_decide(actor=board.manager, item=item)  # no quorum: blocked
    services.minutes_publish(actor=board.manager, meeting=meeting)
    with pytest.raises(ValidationError, match="published"):
        services.item_add(actor=board.manager, meeting=meeting, code="A-2", title_ka="y")
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_manager_overview_counts(board):
    from sopeli.governance.selectors import manager_overview

    now = timezone.now()
    board.meeting()  # upcoming
    board.held_meeting()  # held, minutes to publish
    due = _procedure(board, now - dt.timedelta(hours=2))
    assert due.closes_at < now
    _procedure(board, now)
    counts = manager_overview(board.lag)
    assert counts["upcoming_meetings"] == 1 and counts["minutes_to_publish"] == 1
    assert counts["open_procedures"] == 2 and counts["procedures_due_to_close"] == 1
