"""The public results of a call on a small phone (360 px), in real Chromium: every funded project's
score and grant are on the screen (the table reflows into labelled lines instead of scrolling them
out of sight), in Georgian, whose labels are the longest."""

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from playwright.sync_api import expect

from sopeli.grants.models import Application
from sopeli.grants.tests.test_long_lists import results_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
               "has_touch": True, "locale": "ka-GE", "timezone_id": "Asia/Tbilisi"}


def test_results_show_score_and_grant_on_a_360px_phone(live_server, browser, lag, screenshot):
    call, _selection = results_call(lag, funded=3, reserve=12, rejected=2)
    Application.objects.filter(call=call).update(
        title=Concat(Value("საოჯახო სასტუმროს გაფართოება და ახალი ოთახები სტუმრებისთვის, პროექტი "), F("number")),
        applicant_name=Value("შეზღუდული პასუხისმგებლობის საზოგადოება „მთის სახლი“"))
    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/ka/{lag.slug}/calls/{call.pk}/results/")
    rows = page.locator("table.stack tbody tr")
    expect(rows).to_have_count(3)
    for n in range(3):
        for cell in (rows.nth(n).locator("td").nth(4), rows.nth(n).locator("td").nth(5)):  # score, grant
            expect(cell).to_be_visible()
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, (n, box)
    expect(rows.first.locator("td").nth(4)).to_contain_text("90.00")
    expect(rows.first.locator("td").nth(5)).to_contain_text("4 000.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "grants-results-360-ka")
    page.locator("main a[href$='/reserve/']").click()
    expect(page.locator("table.stack tbody tr")).to_have_count(12)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "grants-reserve-360-ka")
    context.close()
