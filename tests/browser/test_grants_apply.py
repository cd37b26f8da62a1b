"""Applying for a grant on a phone in real Chromium: the call page, the five steps (the live
aid-rate check flags 84% while typing), a photo of a document, submission, receipt; and a late
applicant refused with the deadline in Tbilisi time."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from sopeli.grants.models import Application, Call
from sopeli.grants.testing import published_call
from sopeli.testing.factories import SettlementFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_a_resident_applies_from_a_phone(live_server, page, lag, log_in, screenshot, tmp_path):
    call = published_call(lag)
    SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta")
    url = f"{live_server.url}/en/{lag.slug}"
    page.goto(f"{url}/calls/")
    page.get_by_role("link", name=call.title_en).click()
    expect(page.get_by_text("Tbilisi time").first).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "grants-call-phone")

    user = UserFactory(email="eka@example.ge", full_name="Eka Sujashvili")
    log_in(page, user)
    page.goto(f"{url}/calls/{call.pk}/apply/")
    page.get_by_role("button", name="Start my application").click()
    page.get_by_label("You apply as").select_option("business")
    page.get_by_label("Applicant (person or organisation)").fill("Eka's guesthouse")
    page.get_by_label("Village of the project").select_option(label="Juta")
    page.get_by_label("Project title").fill("Three rooms for hikers")
    page.get_by_label("Project summary").fill("Rooms with a view of Chaukhi.")
    page.get_by_label("Duration (months)").fill("12")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("What problem does the project solve?").fill("Hikers sleep in tents.")
    page.get_by_role("button", name="Save and continue").click()

    page.locator("#desc_1").fill("Rooms")
    page.locator("#amount_1").fill("50000")
    page.locator("#requested_grant").fill("42000")
    expect(page.locator("#budget-check")).to_contain_text("84.00%", timeout=15000)  # htmx, while typing
    no_sideways_scroll(page)
    screenshot(page, "grants-budget-phone")
    page.locator("#requested_grant").fill("40000")
    expect(page.locator("#budget-check")).to_contain_text("Within the call", timeout=15000)
    page.get_by_role("button", name="Save and continue").click()

    photo = tmp_path / "extract.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 2000)
    page.locator("input[type=file]").first.set_input_files(str(photo))
    page.get_by_role("button", name="Upload").first.click()
    expect(page.get_by_text("File attached.")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Everything needed is there.")).to_be_visible()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("Your application was received")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "grants-submitted-phone")
    app = Application.objects.get(applicant=user)
    assert app.number == 1 and app.requested_grant == 40000

    # Another resident is ready to submit, but the deadline passes before they press the button.
    from django.utils import timezone

    from sopeli.grants.testing import ready_application

    late = UserFactory(email="late@example.ge")
    draft = ready_application(call, late)
    log_in(page, late)
    page.goto(f"{url}/my/applications/{draft.pk}/step/review/")
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - dt.timedelta(seconds=1))
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("can no longer be accepted")).to_be_visible()
    expect(page.get_by_text("Tbilisi time").first).to_be_visible()
    screenshot(page, "grants-late-phone")
    assert Application.objects.get(pk=draft.pk).status == "draft"
