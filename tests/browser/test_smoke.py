"""The network home on a phone, in real Chromium: Georgian first, styled, and one tap to English."""

import re

import pytest
from playwright.sync_api import expect

from sopeli.testing.factories import LagFactory, SettlementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_network_home_on_a_phone_is_georgian_and_switches_to_english(live_server, page, screenshot):
    lag = LagFactory(slug="kazbegi", name_ka="ყაზბეგის ადგილობრივი სამოქმედო ჯგუფი", name_en="Kazbegi LAG")
    SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno")
    stylesheets = []
    page.on("response", lambda r: stylesheets.append(r) if r.request.resource_type == "stylesheet" else None)

    page.goto(f"{live_server.url}/ka/")

    expect(page.locator("html")).to_have_attribute("lang", "ka")
    expect(page.locator("h1")).to_be_visible()
    heading = page.get_by_role("heading", name="ყაზბეგის ადგილობრივი სამოქმედო ჯგუფი")
    expect(heading).to_be_visible()
    # The stylesheet is served (through the static files handler) and applied.
    assert stylesheets, "no stylesheet was requested"
    assert all(r.status == 200 for r in stylesheets), [(r.url, r.status) for r in stylesheets]
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 0
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "network-home-phone-ka")

    page.locator('nav.lang a[hreflang="en"]').tap()

    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Kazbegi LAG")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Local Action Groups")
    screenshot(page, "network-home-phone-en")


def test_a_manager_reaches_the_audit_trail_on_a_phone(live_server, page, persona, lag, log_in, screenshot):
    manager = persona("manager")
    log_in(page, manager)

    response = page.goto(f"{live_server.url}/ka/{lag.slug}/manage/audit/")

    assert response.status == 200
    expect(page).to_have_url(re.compile(rf"/ka/{lag.slug}/manage/audit/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "audit-trail-phone-ka")
