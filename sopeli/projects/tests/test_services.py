"""Projects services: scenario S3 end to end, the separate final eligibility check, amendments,
claims, payments, recoveries, reminders, stories, and bad input answered with a clear message."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sopeli.core.models import AuditEvent, LedgerEntry
from sopeli.projects import services
from sopeli.projects.models import (
    ContractStatus,
    IndicatorValue,
    Recovery,
    ReminderSent,
    ReportKind,
    ReportStatus,
)
from sopeli.projects.selectors import commitments
from sopeli.projects.testing import (
    claim,
    funded_application,
    indicators_for,
    pay,
    pdf,
    png,
    report,
    signed_contract,
    visit,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def s3_contract(lag):
    return signed_contract(lag)


def test_s3_contract_from_the_funded_application(lag):
    app = funded_application(lag)
    today = timezone.localdate()
    contract = services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today + datetime.timedelta(days=180))
    assert contract.status == ContractStatus.DRAFT
    assert contract.grant == D("40000.00") and contract.total_budget == D("50000.00")
    assert contract.aid_rate == D("0.8000")
    assert [t.amount for t in contract.tranches.order_by("number")] == [D("16000.00"), D("20000.00"), D("4000.00")]
    assert [t.condition for t in contract.tranches.order_by("number")] == ["signed", "interim", "final"]
    assert "10\u00a0000.00 GEL" in contract.text_en  # own contribution filled in
    assert "{" not in contract.text_ka
    assert set(contract.reports.values_list("kind", flat=True)) == {"interim", "final"}
    # Generating twice is refused.
    with pytest.raises(ValidationError, match="already has a contract"):
        services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today)


@pytest.mark.parametrize(("verified", "entitlement", "final", "recover"), [
    (D("45000.00"), D("36000.00"), D("0.00"), D("0.00")),
    (D("42000.00"), D("33600.00"), D("0.00"), D("2400.00")),
    (D("50000.00"), D("40000.00"), D("4000.00"), D("0.00")),
])
def test_s3_payments_and_settlement_end_to_end(lag, verified, entitlement, final, recover):
    app = funded_application(lag)
    ind = indicators_for(app.call)
    contract = signed_contract(lag, app=app)
    services.planned_indicators_save(actor=None, contract=contract, values={ind["R1.1"].pk: "2.0"})
    # 16,000 at contract
    pay(contract, 1, "16000.00")
    # interim report approved → 20,000
    with pytest.raises(ValidationError, match="condition"):
        pay(contract, 2, "20000.00")
    report(contract, ReportKind.INTERIM, values=[], jobs=[{"description": "Cook", "gender": "female"}])
    pay(contract, 2, "20000.00")
    contract.refresh_from_db()
    assert contract.paid_total == D("36000.00")
    # expenses verified
    claim(contract, [verified], eligible=[verified])
    # final report with jobs: one full time + one six-month job = 1.5 FTE
    report(contract, ReportKind.FINAL, jobs=[{"description": "Cook", "gender": "female"},
                                             {"description": "Guide", "gender": "male", "months": "6"}])
    with pytest.raises(ValidationError, match="site visit"):
        services.contract_settle(actor=None, contract=contract)
    visit(contract)
    contract = services.contract_settle(actor=None, contract=contract)
    assert contract.status == ContractStatus.SETTLED
    assert contract.verified_cost == verified
    assert contract.entitlement == entitlement
    assert contract.final_payment_due == final
    assert contract.recovery_due == recover
    if final:
        pay(contract, 3, final)
    if recover:
        r = Recovery.objects.get(contract=contract)
        assert r.amount == recover
        services.recovery_receive(actor=None, recovery=r, received_on=timezone.localdate(), reference="BACK-1")
    contract.refresh_from_db()
    assert contract.net_paid == entitlement
    assert contract.final_payment_due == 0 and contract.recovery_due == 0
    fte = IndicatorValue.objects.get(report__contract=contract, report__kind="final", indicator=ind["R1.1"], gender="", age_band="")
    assert fte.value == D("1.50")
    row = commitments(lag).rows
    assert all(r.balances for r in row)


def test_s3_final_tranche_cannot_be_paid_before_settlement(lag):
    contract = s3_contract(lag)
    pay(contract, 1, "16000.00")
    with pytest.raises(ValidationError, match="condition"):
        pay(contract, 3, "4000.00")


def test_final_eligibility_check_is_its_own_step(lag, persona):
    manager = persona("manager")
    app = funded_application(lag)
    today = timezone.localdate()
    contract = services.contract_generate(actor=manager, application=app, starts_on=today, ends_on=today)
    with pytest.raises(ValidationError, match="final eligibility check"):
        services.contract_sign(actor=manager, contract=contract, grantee_on=today, lag_on=today, scan=pdf())
    with pytest.raises(ValidationError, match="reason"):
        services.contract_eligibility_check(actor=manager, contract=contract, eligible=False)
    contract = services.contract_eligibility_check(actor=manager, contract=contract, eligible=False, note="Land not owned")
    assert contract.status == ContractStatus.CANCELLED and contract.eligibility_by == manager
    assert AuditEvent.objects.filter(action="projects.contract_check").count() == 1


def test_signing_is_public_and_needs_the_scan(lag):
    app = funded_application(lag)
    today = timezone.localdate()
    contract = services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today)
    services.contract_eligibility_check(actor=None, contract=contract, eligible=True)
    with pytest.raises(ValidationError, match="scan"):
        services.contract_sign(actor=None, contract=contract, grantee_on=today, lag_on=today)
    with pytest.raises(ValidationError, match="not accepted"):
        services.contract_sign(actor=None, contract=contract, grantee_on=today, lag_on=today,
                               scan=SimpleUploadedFile("scan.exe", b"MZ...."))
    with pytest.raises(ValidationError, match="future"):
        services.contract_sign(actor=None, contract=contract, grantee_on=today + datetime.timedelta(days=1), lag_on=today, scan=pdf())
    services.contract_sign(actor=None, contract=contract, grantee_on=today, lag_on=today, scan=pdf())
    fact = LedgerEntry.objects.filter(lag=lag, kind="projects.contract_sign").get().fact
    assert fact["data"]["grant"] == "40000.00"


def test_payment_bad_input(lag):
    contract = s3_contract(lag)
    for amount, message in (("-5", "negative"), ("abc", "amount such as"), ("0", "more than zero"), ("10.001", "two decimal"),
                            ("16000.01", "At most")):
        with pytest.raises(ValidationError, match=message):
            pay(contract, 1, amount)
    with pytest.raises(ValidationError, match="future"):
        pay(contract, 1, "100", on=timezone.localdate() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="reference"):
        services.payment_record(actor=None, tranche=contract.tranches.get(number=1), paid_on=timezone.localdate(), amount="100", reference=" ")


def test_claims_bad_input(lag):
    contract = s3_contract(lag)
    with pytest.raises(ValidationError, match="at least one"):
        services.claim_submit(actor=None, contract=contract, lines=[])
    with pytest.raises(ValidationError, match="receipt"):
        services.claim_submit(actor=None, contract=contract, lines=[{"description": "Wood", "amount": "100"}])
    with pytest.raises(ValidationError, match="negative"):
        services.claim_submit(actor=None, contract=contract, lines=[{"description": "Wood", "amount": "-100", "receipt": pdf()}])
    with pytest.raises(ValidationError, match="not accepted"):
        services.claim_submit(actor=None, contract=contract, lines=[{"description": "Wood", "amount": "100",
                                                                     "receipt": SimpleUploadedFile("r.txt", b"hello")}])
    with pytest.raises(ValidationError, match="does not match"):
        services.claim_submit(actor=None, contract=contract, lines=[{"description": "Wood", "amount": "100",
                                                                     "receipt": SimpleUploadedFile("r.pdf", b"not a pdf")}])
    with pytest.raises(ValidationError, match="exceed the project's total budget"):
        claim(contract, [D("50000.01")])
    c = claim(contract, [D("1000.00"), D("500.00")])
    ids = list(c.lines.order_by("id").values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="cannot exceed"):
        services.claim_verify(actor=None, claim=c, eligible={ids[0]: "1000.01", ids[1]: "500"})
    with pytest.raises(ValidationError, match="say why"):
        services.claim_verify(actor=None, claim=c, eligible={ids[0]: "900", ids[1]: "500"})
    services.claim_verify(actor=None, claim=c, eligible={ids[0]: "900", ids[1]: "500"}, notes={ids[0]: "VAT not eligible"})
    c.refresh_from_db()
    assert c.eligible_total == D("1400.00")


def test_amendment_with_reason_and_before_after(lag):
    contract = s3_contract(lag)
    with pytest.raises(ValidationError, match="reason"):
        services.contract_amend(actor=None, contract=contract, reason="", grant="30000")
    with pytest.raises(ValidationError, match="exceed"):
        services.contract_amend(actor=None, contract=contract, reason="More rooms", grant="41000")
    with pytest.raises(ValidationError, match="Nothing"):
        services.contract_amend(actor=None, contract=contract, reason="Same", grant="40000")
    new_end = contract.ends_on + datetime.timedelta(days=60)
    a = services.contract_amend(actor=None, contract=contract, reason="Late delivery of windows; fewer rooms", grant="35000.00",
                                ends_on=new_end, budget_lines=[("Rooms", "35000"), ("Furniture", "8750")])
    assert {c["field"] for c in a.changes} == {"grant", "ends_on", "budget_lines"}
    contract.refresh_from_db()
    assert contract.grant == D("35000.00") and contract.aid_rate == D("0.7000")
    assert [t.amount for t in contract.tranches.order_by("number")] == [D("14000.00"), D("17500.00"), D("3500.00")]
    assert LedgerEntry.objects.filter(lag=lag, kind="projects.contract_amend").count() == 1
    pay(contract, 1, "14000.00")
    with pytest.raises(ValidationError, match="already paid above"):
        services.contract_amend(actor=None, contract=contract, reason="Smaller", grant="30000")
    with pytest.raises(ValidationError, match="less than what was already paid"):
        services.contract_amend(actor=None, contract=contract, reason="Smaller", grant="10000")


def test_report_review_and_changes(lag):
    contract = s3_contract(lag)
    r = contract.reports.get(kind="interim")
    with pytest.raises(ValidationError, match="Describe"):
        services.report_save(actor=None, report=r, narrative=" ", submit=True)
    with pytest.raises(ValidationError, match="photo"):
        services.report_save(actor=None, report=r, narrative="x", photos=[pdf()])
    with pytest.raises(ValidationError, match="share of full time"):
        services.report_save(actor=None, report=r, narrative="x", jobs=[{"description": "Cook", "hours_share": "2"}])
    services.report_save(actor=None, report=r, narrative="Rooms done", photos=[png()], submit=True)
    with pytest.raises(ValidationError, match="Say what"):
        services.report_review(actor=None, report=r, approve=False)
    services.report_review(actor=None, report=r, approve=False, note="Add the photos of the bathroom")
    r.refresh_from_db()
    assert r.status == ReportStatus.CHANGES
    services.report_save(actor=None, report=r, narrative="Rooms and bathroom done", submit=True)
    services.report_review(actor=None, report=r, approve=True)
    r.refresh_from_db()
    assert r.status == ReportStatus.APPROVED and r.photos.count() == 1


def test_planned_values_required_in_submitted_report(lag):
    app = funded_application(lag)
    ind = indicators_for(app.call)
    contract = signed_contract(lag, app=app)
    services.planned_indicators_save(actor=None, contract=contract, values={ind["output"].pk: "1"})
    r = contract.reports.get(kind="interim")
    with pytest.raises(ValidationError, match=ind["output"].code):
        services.report_save(actor=None, report=r, narrative="x", submit=True)
    with pytest.raises(ValidationError, match="negative"):
        services.report_save(actor=None, report=r, narrative="x", values=[{"indicator": ind["output"], "value": "-1"}], submit=True)
    services.report_save(actor=None, report=r, narrative="x", submit=True,
                         values=[{"indicator": ind["output"], "value": "1", "evidence": "photo"},
                                 {"indicator": ind["output"], "gender": "female", "value": "1"}])
    assert r.values.count() == 2


def test_reminders_once_per_reminder(lag, mailoutbox, django_capture_on_commit_callbacks):
    contract = s3_contract(lag)
    r = contract.reports.get(kind="interim")
    today = timezone.localdate()
    r.due_on = today + datetime.timedelta(days=7)
    r.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [contract.grantee.email]
    assert ReminderSent.objects.filter(report=r, kind="before_7").count() == 1
    # A day later nothing is due; on the due day the "due" reminder goes out once.
    tomorrow = timezone.now() + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=tomorrow) == 1
        assert services.reminders_send(now=tomorrow) == 0


def test_reminders_command_idempotent(lag, mailoutbox):
    from django.core.management import call_command

    contract = s3_contract(lag)
    r = contract.reports.get(kind="interim")
    r.due_on = timezone.localdate() + datetime.timedelta(days=1)
    r.save()
    call_command("send_report_reminders")
    call_command("send_report_reminders")
    assert ReminderSent.objects.count() == 1


def test_story_needs_signed_contract_and_georgian(lag):
    app = funded_application(lag)
    today = timezone.localdate()
    draft = services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today)
    with pytest.raises(ValidationError, match="signed"):
        services.story_save(actor=None, contract=draft, data={"title_ka": "ა", "body_ka": "ბ"})
    contract = s3_contract(lag)
    with pytest.raises(ValidationError, match="Georgian"):
        services.story_save(actor=None, contract=contract, data={"title_en": "Story"})
    story = services.story_save(actor=None, contract=contract, data={"title_ka": "სასტუმრო ჯუთაში", "title_en": "A guesthouse in Juta",
                                                                   "body_ka": "ტექსტი", "body_en": "Text"}, photos=[png()], publish=True)
    assert story.is_published and story.published_at and story.photos.count() == 1


def test_template_placeholders_checked(lag):
    with pytest.raises(ValidationError, match="Unknown placeholders"):
        services.contract_template_save(actor=None, lag=lag, data={"body_ka": "{grantee} {phone}", "body_en": "x"})
    with pytest.raises(ValidationError, match="both languages"):
        services.contract_template_save(actor=None, lag=lag, data={"body_ka": "", "body_en": "x"})
    services.contract_template_save(actor=None, lag=lag, data={"body_ka": "ხელშეკრულება {number}: {grantee}",
                                                               "body_en": "Contract {number}: {grantee}"})
    app = funded_application(lag, applicant_name="ნინო გელაშვილი")
    today = timezone.localdate()
    contract = services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today)
    assert contract.text_ka == f"ხელშეკრულება {contract.number}: ნინო გელაშვილი"


def test_only_funded_applications_get_contracts(lag):
    app = funded_application(lag)
    app.status = "reserve"
    app.save()
    with pytest.raises(ValidationError, match="Only a funded"):
        services.contract_generate(actor=None, application=app, starts_on=timezone.localdate(), ends_on=timezone.localdate())


def test_bad_tranches(lag):
    app = funded_application(lag)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="add up to 100"):
        services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today, percentages=[D(40), D(50)])
    with pytest.raises(ValidationError, match="end before"):
        services.contract_generate(actor=None, application=app, starts_on=today, ends_on=today - datetime.timedelta(days=1))


def test_application_has_contract_for_grants(lag):
    from sopeli.projects.selectors import application_has_contract

    app = funded_application(lag)
    assert not application_has_contract(app)
    contract = signed_contract(lag, app=app)
    assert application_has_contract(contract.application)
