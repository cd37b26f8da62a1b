"""A funded project from contract to settlement in real Chromium (S3): the manager drafts the
contract, records the final eligibility check and the signatures, pays the advance; the grantee
reports from a phone (jobs), the manager approves and pays; the grantee claims with a receipt and
sends the final report; the manager verifies, visits, settles; the dashboard shows the new totals
and the donor XLSX opens with those figures (read back with openpyxl)."""

import datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from sopeli.projects.models import Contract
from sopeli.projects.testing import funded_application, indicators_for
from sopeli.testing.factories import UserFactory, make_persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def test_contract_to_settlement(live_server, page, desktop_page, lag, log_in, screenshot, tmp_path):
    grantee = UserFactory(email="mariam@example.ge", full_name="მარიამ გუდუშაური")
    app = funded_application(lag, user=grantee)
    indicators_for(app.call)
    manager = make_persona("manager", lag)
    base = f"{live_server.url}/en/{lag.slug}"
    today = datetime.date.today()
    m = desktop_page
    log_in(m, manager)
    log_in(page, grantee)

    # Manager: draft, final eligibility check, signatures, planned jobs, advance.
    m.goto(f"{base}/manage/projects/")
    m.locator(f"#s{app.pk}").fill((today - datetime.timedelta(days=30)).isoformat())
    m.locator(f"#e{app.pk}").fill((today + datetime.timedelta(days=150)).isoformat())
    m.get_by_role("button", name="Draft").click()
    expect(m.get_by_text("accountable body's final eligibility check").first).to_be_visible()
    contract = Contract.objects.get(application=app)
    m.get_by_label("eligible: the contract may be signed").check()
    m.get_by_role("button", name="Record the check").click()
    m.get_by_label("Signed by the grantee on").fill(today.isoformat())
    m.get_by_label("Signed for the LAG on").fill(today.isoformat())
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed contract")
    m.get_by_label("Scan of the signed contract (PDF, JPG, PNG)").set_input_files(str(scan))
    m.get_by_role("button", name="Record the signatures").click()
    expect(m.get_by_text("Signatures recorded")).to_be_visible()
    jobs = contract.planned_indicators.model._meta.apps.get_model("strategy", "Indicator").objects.get(code="R1.1")
    m.locator(f"#p{jobs.pk}").fill("2.0")
    m.get_by_role("button", name="Save planned values").click()

    def pay(amount, ref):
        m.get_by_label("Amount (GEL)").fill(amount)
        m.get_by_label("Bank reference").first.fill(ref)
        m.get_by_role("button", name="Record the payment").click()
        expect(m.get_by_text("Payment recorded")).to_be_visible()

    pay("16000.00", "BOG-1")
    screenshot(m, "projects-contract-desktop")

    # Grantee, on a phone: the interim report with one six-month job.
    page.goto(f"{base}/my/projects/{contract.pk}/")
    page.get_by_role("link", name="interim report").click()
    page.get_by_label("What was done").fill("ოთახები მზადაა. / The rooms are ready.")
    page.locator("#jd0").fill("Cook")
    page.locator("#jg0").select_option("female")
    page.locator("#jm0").fill("6")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("Report submitted")).to_be_visible()

    # Manager approves, pays the interim tranche.
    m.goto(f"{base}/manage/projects/{contract.pk}/")
    m.get_by_role("link", name="interim report").click()
    m.get_by_label("approve").check()
    m.get_by_role("button", name="Record the decision").click()
    pay("20000.00", "BOG-2")

    # Grantee: a claim with its receipt, then the final report with both jobs.
    page.goto(f"{base}/my/projects/{contract.pk}/claims/new/")
    page.locator("#d0").fill("Windows and doors")
    page.locator("#a0").fill("45000.00")
    receipt = tmp_path / "invoice.pdf"
    receipt.write_bytes(b"%PDF-1.4 invoice")
    page.locator("#r0").set_input_files(str(receipt))
    page.get_by_role("button", name="Send the claim").click()
    expect(page.get_by_text("Claim sent")).to_be_visible()
    page.get_by_role("link", name="final report").click()
    page.get_by_label("What was done").fill("დასრულდა. / Finished.")
    page.locator("#jd0").fill("Cook")
    page.locator("#jg0").select_option("female")
    page.locator("#jd1").fill("Guide")
    page.locator("#jg1").select_option("male")
    page.locator("#jm1").fill("6")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("Report submitted")).to_be_visible()
    screenshot(page, "projects-grantee-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Manager: verify the claim, approve the final report, visit, settle.
    m.goto(f"{base}/manage/projects/{contract.pk}/")
    m.get_by_role("link", name="1", exact=True).click()
    m.get_by_role("button", name="Verify the claim").click()
    expect(m.get_by_text("Claim verified")).to_be_visible()
    m.get_by_role("link", name="final report").click()
    m.get_by_label("approve").check()
    m.get_by_role("button", name="Record the decision").click()
    m.get_by_text("Record a site visit").click()
    m.get_by_label("Visited on").fill(today.isoformat())
    m.get_by_role("button", name="Record the visit").click()
    m.get_by_role("button", name="Settle the contract").click()
    expect(m.get_by_text("Settled: the final payment is 0.00 GEL")).to_be_visible()

    # The dashboard shows the new totals; the donor XLSX has them.
    m.goto(f"{base}/manage/monitoring/")
    expect(m.get_by_text("Jobs created (full-time equivalents)")).to_be_visible()
    expect(m.locator("dl.facts").first).to_contain_text("1.50")
    expect(m.locator("dl.facts").first).to_contain_text("36,000.00 GEL")
    screenshot(m, "monitoring-dashboard-desktop")
    with m.expect_download() as info:
        m.get_by_role("link", name="Donor report (XLSX)").click()
    path = tmp_path / "donor.xlsx"
    info.value.save_as(path)
    wb = load_workbook(path)
    rows = list(wb.worksheets[0].values)
    header = rows[2]
    r11 = next(r for r in rows[3:] if r[0] == "R1.1")
    assert r11[header.index("Achieved by projects")] == 1.5
    total = list(wb.worksheets[1].values)[-1]
    assert total[5] == 36000
