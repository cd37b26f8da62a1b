"""A resident with only a phone, on a phone: from a call's application page to signing up with a mobile
number and the SMS code (read from the memory SMS backend that the root conftest sets, also under
live_server), back to the application page, and a notice in "My notices" once a fact tells them."""

import re
import time

import pytest
from django.db import transaction
from playwright.sync_api import expect

from sopeli.accounts.models import User
from sopeli.grants.testing import published_call
from sopeli.notifications import sms
from sopeli.notifications.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _sms_code(timeout=10.0) -> str:
    deadline = time.monotonic() + timeout
    while not sms.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sms.outbox, "no SMS was sent"
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)


def test_a_resident_signs_up_by_phone_and_reads_a_notice(live_server, page, lag, screenshot):
    call = published_call(lag)
    apply_path = f"/en/{lag.slug}/calls/{call.pk}/apply/"
    page.goto(live_server.url + apply_path)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # not logged in: the login page, next kept
    page.get_by_role("link", name="Log in or sign up with your phone number").click()
    page.get_by_label("Mobile number").fill("555 12 34 56")
    no_sideways_scroll(page)
    screenshot(page, "phone-start-phone")
    page.get_by_role("button", name="Send me a code").click()

    expect(page).to_have_url(re.compile(r"/accounts/phone/code/"))
    assert sms.outbox[-1].to == "+995555123456" and sms.outbox[-1].segments == 1
    page.get_by_label("The code from the SMS").fill(_sms_code())
    no_sideways_scroll(page)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/phone/welcome/"))
    page.get_by_label("Your name").fill("ნინო ჩოფიკაშვილი")
    screenshot(page, "phone-welcome-phone")
    page.get_by_role("button", name="Create my account").click()

    expect(page).to_have_url(re.compile(re.escape(apply_path) + "$"))
    user = User.objects.get(phone="+995555123456")
    assert user.email is None and user.phone_verified

    # A fact tells them (any service calling notify); the header counts it and links to the notices.
    with transaction.atomic():
        notify(kind="grants.fixes", lag=lag, recipients=[user], template="accounts/messages/login_link",
               link=f"/en/{lag.slug}/calls/")
    page.reload()
    page.get_by_role("link", name=re.compile(r"Notices.*1 unread")).click()
    expect(page.get_by_role("heading", name="My notices")).to_be_visible()
    expect(page.locator("li.card.unread")).to_have_count(1)
    no_sideways_scroll(page)
    screenshot(page, "my-notices-phone")
    page.reload()
    expect(page.locator("li.card.unread")).to_have_count(0)
