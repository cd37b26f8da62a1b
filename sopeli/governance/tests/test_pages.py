"""The governance pages: the S1 journey through the forms, minutes and PDF, bad input, permissions."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from sopeli.governance import services
from sopeli.governance.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, Vote
from sopeli.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def url(name, *args, lang="en"):
    from django.utils import translation

    with translation.override(lang):
        return reverse(f"governance:{name}", args=["kazbegi", *args])


def _text(response) -> str:
    return response.content.decode()


def test_s1_through_the_pages(board, client, monkeypatch, django_capture_on_commit_callbacks):
    client.force_login(board.manager)
    start = timezone.localtime() + dt.timedelta(days=1)
    r = client.post(url("manage_meetings"), {
        "body": board.body.pk, "title_ka": "გამგეობის სხდომა", "title_en": "Board meeting",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "place": "სტეფანწმინდა"})
    meeting = Meeting.objects.get(lag=board.lag)
    assert r.status_code == 302 and r["Location"] == url("manage_meeting", meeting.pk)
    page = url("manage_meeting", meeting.pk)
    r = client.post(page, {"action": "add_item", "code": "A-07", "title_ka": "სასტუმრო ჯუთაში",
                           "title_en": "Guesthouse in Juta", "is_selection": "on"})
    assert r.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page, {"action": "invite"}).status_code == 302
    assert len(mail.outbox) == 11
    present = [board.m[n].pk for n in board.m if n not in {"M8", "M10"}]
    assert client.post(page, {"action": "attendance", "present": present}).status_code == 302
    r = client.post(page, {"action": "conflict", "item": item.pk, "member": board.m["M5"].pk, "kind": "conflict",
                           "reason": "His brother owns the guesthouse"})
    assert r.status_code == 302
    # Before anything is recorded the manager sees why the item is blocked and the ways on.
    text = _text(client.get(page))
    assert "public sector: 4 of 8 voters (50%); at most 3 may be public." in text
    assert "a written procedure among the 10 members without a conflict" in text
    assert "one more public-sector member stepping out: public 3 of 7" in text
    votes = {f"vote_{pk}": "for" for pk in present if pk != board.m["M5"].pk}
    assert client.post(page, {"action": "votes", "item": item.pk, **votes}).status_code == 302
    r = client.post(page, {"action": "decide", "item": item.pk}, follow=True)
    assert "A-07 is blocked" in _text(r)
    item.refresh_from_db()
    assert item.status == ItemStatus.BLOCKED
    assert "Open a written procedure among the members without a conflict" in _text(r)

    # The remedy button opens a written procedure continuing the blocked item.
    closes = timezone.localtime() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url("manage_procedures"), {"action": "open", "origin": item.pk,
                                                   "closes_at": closes.strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302, _text(r)
    procedure = AgendaItem.objects.get(origin=item)
    assert procedure.status == ItemStatus.VOTING and len(mail.outbox) == 22

    # Members vote from their phones; M5 has the conflict copied over.
    for name in ["M1", "M2", "M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"]:
        client.force_login(board.m[name].user)
        r = client.post(url("my_votes"), {"item": procedure.pk, "action": "vote", "choice": "for"})
        assert r.status_code == 302
    again = client.post(url("my_votes"), {"item": procedure.pk, "action": "vote", "choice": "against"}, follow=True)
    assert "You had already voted on A-07 (for); that vote stands." in _text(again)
    assert Vote.objects.filter(item=procedure).count() == 10
    client.force_login(board.m["M5"].user)
    assert "You declared a conflict of interest" in _text(client.get(url("my_votes")))

    # After the deadline the manager closes it.
    client.force_login(board.manager)
    later = procedure.closes_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    r = client.post(url("manage_procedures"), {"action": "close", "item": procedure.pk}, follow=True)
    assert "A-07 closed: approved." in _text(r)

    # Minutes: a staff preview, then published for everyone.
    client.logout()
    assert client.get(url("minutes", meeting.pk)).status_code == 302
    assert client.get(url("minutes_pdf", meeting.pk)).status_code == 302
    client.force_login(board.manager)
    assert client.post(page, {"action": "publish", "notes": "Chair: M1"}).status_code == 302
    client.logout()
    minutes = _text(client.get(url("minutes", meeting.pk)))
    assert "M5: conflict of interest — His brother owns the guesthouse" in minutes
    assert "public sector: 4 of 8 voters (50%)" in minutes and "Continued by written procedure" in minutes
    assert "ledger-head" in minutes
    decisions = _text(client.get(url("decisions")))
    assert "Board meeting" in decisions and "A-07 Guesthouse in Juta" in decisions
    record = _text(client.get(url("procedure", procedure.pk)))
    assert "approved" in record and "M5: His brother owns the guesthouse" in record

    pdf = client.get(url("minutes_pdf", meeting.pk, lang="ka"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "გამგეობის სხდომა" in text and "სტეფანწმინდა" in text


def test_unpublished_minutes_pdf_is_not_public(board, client, persona):
    meeting = board.held_meeting()
    assert client.get(url("minutes_pdf", meeting.pk)).status_code == 302
    client.force_login(persona("member"))
    assert client.get(url("minutes_pdf", meeting.pk)).status_code == 403
    assert client.get(url("minutes", meeting.pk)).status_code == 403
    client.force_login(board.manager)
    preview = client.get(url("minutes_pdf", meeting.pk))
    assert preview.status_code == 200 and preview["Cache-Control"] == "private, no-store"


def test_open_procedure_page_hides_votes_until_closed(board, client):
    now = timezone.now()
    item = services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="WP-1",
                                   title_ka="კენჭისყრა", closes_at=now + dt.timedelta(hours=2), now=now)
    services.procedure_vote(actor=None, item=item, member=board.m["M1"], choice="against", now=now)
    page = _text(client.get(url("procedure", item.pk)))
    assert "Voting is open" in page and "M1" not in page


# --- bad input: a clear message, never a 500 ---------------------------------------------------------
def test_bad_meeting_form_input(board, client):
    client.force_login(board.manager)
    r = client.post(url("manage_meetings"), {"body": 999999, "title_ka": "", "starts_at": "tomorrow", "place": ""})
    assert r.status_code == 400
    text = _text(r)
    assert "Choose one of this LAG&#x27;s bodies." in text and "Enter a date and time" in text


def test_bad_meeting_page_input(board, client):
    meeting = board.meeting()
    client.force_login(board.manager)
    page = url("manage_meeting", meeting.pk)
    stranger = MemberFactory(lag=board.lag)
    r = client.post(page, {"action": "attendance", "present": [stranger.pk]})
    assert r.status_code == 400 and "Attendance lists only the members who sit on the body." in _text(r)
    r = client.post(page, {"action": "attendance", "present": ["abc"]})
    assert r.status_code == 400 and "Attendance lists only the members who sit on the body." in _text(r)
    r = client.post(page, {"action": "decide", "item": 999999})
    assert r.status_code == 400 and "not on the meeting" in _text(r)
    r = client.post(page, {"action": "nonsense"})
    assert r.status_code == 400 and "Unknown action." in _text(r)
    r = client.post(page, {"action": "add_item", "code": "", "title_ka": ""})
    assert r.status_code == 400 and "This field is required." in _text(r)
    item = services.item_add(actor=board.manager, meeting=meeting, code="A-1", title_ka="x")
    r = client.post(page, {"action": "decide", "item": item.pk})
    assert r.status_code == 400 and "Record the attendance first." in _text(r)
    present = [board.m[n].pk for n in board.m if n not in {"M8", "M10"}]
    client.post(page, {"action": "attendance", "present": present})
    r = client.post(page, {"action": "hands", "item": item.pk, "for_": 9, "against": 1, "abstain": 0})
    assert r.status_code == 400 and "10 hands were counted but only 9 members take part in A-1." in _text(r)
    r = client.post(page, {"action": "hands", "item": item.pk, "for_": "x", "against": -1, "abstain": 0})
    assert r.status_code == 400
    r = client.post(page, {"action": "votes", "item": item.pk, f"vote_{board.m['M1'].pk}": "maybe"})
    assert r.status_code == 400 and "Select a valid choice" in _text(r)
    r = client.post(page, {"action": "conflict", "item": item.pk, "member": stranger.pk, "reason": "x"})
    assert r.status_code == 400 and "Choose a member who sits on the body." in _text(r)
    r = client.post(page, {"action": "publish"})
    assert r.status_code == 400 and "still open: A-1" in _text(r)
    # A vote for an item already decided.
    client.post(page, {"action": "hands", "item": item.pk, "for_": 9, "against": 0, "abstain": 0})
    client.post(page, {"action": "decide", "item": item.pk})
    r = client.post(page, {"action": "hands", "item": item.pk, "for_": 1, "against": 0, "abstain": 0})
    assert r.status_code == 400 and "already decided" in _text(r)


def test_bad_procedure_input(board, client, monkeypatch):
    client.force_login(board.manager)
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url("manage_procedures"), {"action": "open", "body": board.body.pk, "code": "WP",
                                               "title_ka": "x", "closes_at": past})
    assert r.status_code == 400 and "The deadline must be in the future." in _text(r)
    r = client.post(url("manage_procedures"), {"action": "open", "closes_at": "soon"})
    assert r.status_code == 400 and "Choose the body that votes." in _text(r)
    r = client.post(url("manage_procedures"), {"action": "open", "origin": 424242, "closes_at": past})
    assert r.status_code == 400 and "Only a blocked item can continue" in _text(r)
    r = client.post(url("manage_procedures"), {"action": "close", "item": 424242})
    assert r.status_code == 400 and "does not exist" in _text(r)
    now = timezone.now()
    item = services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="WP-1",
                                   title_ka="x", closes_at=now + dt.timedelta(hours=1), now=now)
    r = client.post(url("manage_procedures"), {"action": "close", "item": item.pk})
    assert r.status_code == 400 and "is open until" in _text(r)

    # Members: late vote, a bad choice, a conflict without a reason, an unknown item.
    client.force_login(board.m["M1"].user)
    r = client.post(url("my_votes"), {"item": item.pk, "action": "vote", "choice": "perhaps"})
    assert r.status_code == 400 and "A vote is for, against or abstain." in _text(r)
    r = client.post(url("my_votes"), {"item": item.pk, "action": "conflict", "reason": ""})
    assert r.status_code == 400 and "Say briefly what links you to this item." in _text(r)
    r = client.post(url("my_votes"), {"item": 999999, "action": "vote", "choice": "for"}, follow=True)
    assert "This vote does not exist" in _text(r)
    monkeypatch.setattr(timezone, "now", lambda: item.closes_at + dt.timedelta(seconds=1))
    r = client.post(url("my_votes"), {"item": item.pk, "action": "vote", "choice": "for"})
    assert r.status_code == 400 and "your vote was not counted" in _text(r)
    assert not Vote.objects.filter(item=item).exists()


def test_a_non_seat_holder_cannot_vote_from_the_page(board, client, persona):
    now = timezone.now()
    item = services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="WP-1",
                                   title_ka="x", closes_at=now + dt.timedelta(hours=1), now=now)
    user = persona("member")
    MemberFactory(lag=board.lag, user=user)
    client.force_login(user)
    assert "A-" not in _text(client.get(url("my_votes")))
    r = client.post(url("my_votes"), {"item": item.pk, "action": "vote", "choice": "for"})
    assert r.status_code == 400 and "Only members of" in _text(r)
    # A logged-in user with no membership cannot post at all.
    client.force_login(persona("outsider"))
    assert client.post(url("my_votes"), {"item": item.pk, "action": "vote", "choice": "for"}).status_code == 403


def test_meeting_of_another_lag_is_not_found(board, client):
    from sopeli.testing.factories import BodyFactory, LagFactory

    other = LagFactory(slug="borjomi")
    foreign = Meeting.objects.create(lag=other, body=BodyFactory(lag=other), title_ka="x", place="y",
                                     starts_at=timezone.now(), status=MeetingStatus.PUBLISHED)
    client.force_login(board.manager)
    assert client.get(url("manage_meeting", foreign.pk)).status_code == 404
    assert client.get(url("minutes", foreign.pk)).status_code == 404


def test_manager_home_shows_the_governance_counts(board, client):
    now = timezone.now()
    board.meeting()
    services.procedure_open(actor=board.manager, lag=board.lag, body=board.body, code="WP-1", title_ka="x",
                            closes_at=now + dt.timedelta(hours=1), now=now - dt.timedelta(hours=3))
    client.force_login(board.manager)
    with translation.override("en"):
        home = reverse("core:manage_home", args=["kazbegi"])
    text = _text(client.get(home))
    assert "1 meeting coming up" in text and "1 written procedure open" in text
