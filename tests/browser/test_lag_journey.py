"""Issue 2's main journey on a phone, in real Chromium, through Sopeli's own pages:

a resident applies for membership → the manager approves → a board meeting with a recusal →
a blocked item (scenario S1's A-07) → a written procedure → members vote from their phones →
the result is recorded → the minutes are published with their PDF.
"""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from sopeli.governance.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, Procedure
from sopeli.membership.models import Member, MemberStatus
from sopeli.testing.factories import SettlementFactory, UserFactory
from sopeli.testing.s1 import S1, Board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_membership_then_a_board_decision_from_recusal_to_published_minutes(
    live_server, page, lag, log_in, screenshot
):
    board = Board(lag)
    SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno")
    url = f"{live_server.url}/en/{lag.slug}"

    # 1. A resident applies for membership from a phone.
    resident = UserFactory(email="nino@example.ge", full_name="Nino Chopikashvili")
    log_in(page, resident)
    page.goto(f"{url}/members/join/")
    page.get_by_label("a person").check()
    page.locator("#id_name").fill("Nino Chopikashvili")
    page.get_by_label("Type").select_option("farmer")
    page.get_by_label("Sector").select_option("business")
    page.get_by_label("Interest group").select_option(label="agriculture")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Village").select_option(label="Sno")
    page.get_by_label("E-mail").fill("nino@example.ge")
    page.get_by_label("Phone").fill("+995 599 11 22 33")
    page.get_by_label(re.compile("I agree")).check()
    no_sideways_scroll(page)
    screenshot(page, "journey-1-join-phone")
    page.get_by_role("button", name="Send my application").click()
    expect(page).to_have_url(re.compile(r"/members/join/thanks/$"))
    applicant = Member.objects.get(lag=lag, email="nino@example.ge")
    assert applicant.status == MemberStatus.APPLIED

    # 2. The manager approves it.
    page.context.clear_cookies()
    log_in(page, board.manager)
    page.goto(f"{url}/manage/members/")
    page.get_by_role("link", name="Nino Chopikashvili").first.click()
    page.get_by_role("button", name="Approve the application").click()
    applicant.refresh_from_db()
    assert applicant.status == MemberStatus.ACTIVE
    page.goto(f"{url}/members/")
    expect(page.get_by_text("Nino Chopikashvili")).to_be_visible()
    expect(page.get_by_text("599 11 22 33")).to_have_count(0)  # the phone stays private

    # 3. A board meeting: M8 and M10 absent, M5 steps out of A-07 (his brother's guesthouse).
    page.goto(f"{url}/manage/meetings/")
    page.get_by_label("Body").select_option(label="Board")
    page.get_by_label("Title (Georgian)").fill("გამგეობის სხდომა")
    page.get_by_label("Date and time (Tbilisi time)").fill(
        timezone.localtime(timezone.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place").fill("სტეფანწმინდა")
    page.get_by_role("button", name=re.compile("Create|Plan|Add", re.I)).first.click()
    meeting = Meeting.objects.get(lag=lag)
    expect(page).to_have_url(re.compile(rf"/manage/meetings/{meeting.pk}/$"))

    page.get_by_label("Number").fill("A-07")
    page.locator("#id_title_ka").fill("საოჯახო სასტუმროს გაფართოება სნოში")
    page.get_by_label("Selection decision (selecting projects)").check()
    page.get_by_role("button", name="Add to the agenda").click()
    item = AgendaItem.objects.get(meeting=meeting, code="A-07")

    for name in S1:
        if name not in {"M8", "M10"}:
            page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Record the attendance").click()
    expect(page.get_by_text("9 of 11 present")).to_be_visible()

    card = page.locator(f"#item-{item.pk}")
    card.get_by_text("Conflict of interest or stepping out").click()
    card.get_by_label("Member").select_option(label="M5")
    card.get_by_label("Reason (for the minutes)").fill("The applicant is his brother.")
    card.get_by_role("button", name="Record: this member steps out").click()

    # 4. Checking the item blocks it and explains why, and what would make it valid.
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=re.compile("Check")).click()
    card = page.locator(f"#item-{item.pk}")
    expect(card).to_contain_text("4 of 8")
    expect(card).to_contain_text("written procedure")
    expect(card).to_contain_text("3 of 7")
    item.refresh_from_db()
    assert item.status == ItemStatus.BLOCKED
    no_sideways_scroll(page)
    screenshot(page, "journey-2-blocked-item-phone")

    # 5. It continues by written procedure among the ten members without a conflict.
    closes = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    card.locator("input[type=datetime-local]").fill(closes)
    card.get_by_role("button", name="Open a written procedure among the members without a conflict").click()
    written = AgendaItem.objects.get(origin=item, procedure=Procedure.WRITTEN)
    assert written.status == ItemStatus.VOTING

    # 6. Members vote from their phones; a double tap counts once; M5 cannot vote.
    voter_page = page
    for name in ["M1", "M2", "M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"]:
        voter_page.context.clear_cookies()
        log_in(voter_page, board.m[name].user)
        voter_page.goto(f"{url}/my/votes/")
        choice = "against" if name == "M6" else "for"
        button = voter_page.locator(f"button[name=choice][value={choice}]").first
        if name == "M1":
            no_sideways_scroll(voter_page)
            screenshot(voter_page, "journey-3-my-votes-phone")
            with voter_page.expect_navigation():
                button.dblclick()
        else:
            with voter_page.expect_navigation():
                button.click()
        voter_page.wait_for_load_state()
    assert written.votes.count() == 10
    voter_page.context.clear_cookies()
    log_in(voter_page, board.m["M5"].user)
    voter_page.goto(f"{url}/my/votes/")
    expect(voter_page.locator("button[name=choice]")).to_have_count(0)

    # The deadline passes (moved, rather than waiting two days), and the manager closes the vote.
    AgendaItem.objects.filter(pk=written.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    page.context.clear_cookies()
    log_in(page, board.manager)
    page.goto(f"{url}/manage/procedures/")
    page.get_by_role("button", name="Close and record the result").click()
    written.refresh_from_db()
    assert written.status == ItemStatus.APPROVED

    # 7. The manager approves and publishes the minutes; the public sees them and their PDF.
    page.goto(f"{url}/manage/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Approve and publish").click()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/ka/{lag.slug}/decisions/")
    page.locator(f"a[href$='/decisions/meetings/{meeting.pk}/']").first.click()
    expect(page.locator("main")).to_contain_text("M5")
    expect(page.locator("main")).to_contain_text("A-07")
    no_sideways_scroll(page)
    screenshot(page, "journey-4-minutes-phone-ka")
    pdf = page.request.get(f"{live_server.url}/ka/{lag.slug}/decisions/meetings/{meeting.pk}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "A-07" in text and "სნოში" in text
