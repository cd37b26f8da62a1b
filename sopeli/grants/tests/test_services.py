"""Services for calls, applications and checks: S2's deadline, idempotent submission, S3's aid rate,
attachments, frozen calls and public amendments, fix requests and the received list."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sopeli.accounts.models import Role, RoleGrant
from sopeli.core.models import AuditEvent, LedgerEntry
from sopeli.grants import rules
from sopeli.grants.models import Application, Call, CallAmendment, CallCounter, CallQuestion
from sopeli.grants.services import applications as apps
from sopeli.grants.services import calls, checks
from sopeli.grants.testing import CallFactory, published_call, ready_application
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.testing.factories import SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
TBILISI = rules.TBILISI
S2_DEADLINE = rules.deadline_at(date(2016, 6, 10), time(17, 30))


def pdf(name="doc.pdf", size=None):
    content = b"%PDF-1.4 " + (b"x" * (size - 9) if size else b"content")
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def call(lag):
    return published_call(lag)


@pytest.fixture
def s2_call(lag):
    from datetime import datetime

    c = CallFactory(lag=lag, opens_at=datetime(2016, 5, 1, 9, 0, tzinfo=TBILISI), closes_at=S2_DEADLINE)
    return calls.call_publish(actor=None, call=c, now=datetime(2016, 5, 1, 9, 0, tzinfo=TBILISI))


# --- calls ---------------------------------------------------------------------------------------


def test_publish_refuses_an_incomplete_call_and_lists_every_problem(lag, persona):
    manager = persona("manager")
    call = CallFactory(lag=lag, parts=False, summary_en="")
    with pytest.raises(ValidationError) as exc:
        calls.call_publish(actor=manager, call=call)
    text = " ".join(exc.value.messages)
    assert "measure" in text and "aid rate" in text and "scored criterion" in text and "English" in text
    assert Call.objects.get(pk=call.pk).status == CallStatus.DRAFT


def test_publish_freezes_the_rules_and_announces_on_the_ledger(lag, persona):
    manager = persona("manager")
    call = calls.call_publish(actor=manager, call=CallFactory(lag=lag))
    assert call.status == CallStatus.PUBLISHED and call.published_at
    snap = call.snapshot
    assert snap["min_total"] == "50.00" and snap["aid_rates"]["business"] == "80.00"
    assert [c["code"] for c in snap["criteria"]] == ["E1", "C1", "C2"]
    assert snap["title"]["ka"].startswith("მცირე")
    entry = LedgerEntry.objects.filter(lag=lag, kind="grants.call_publish").get()
    assert entry.fact["data"]["code"] == call.code
    # frozen: no draft edit, no part edit
    with pytest.raises(ValidationError, match="amendments"):
        calls.call_update(actor=manager, call=call, data={"min_total": D(10)})
    with pytest.raises(ValidationError, match="amendments"):
        calls.call_part_save(actor=manager, call=call, kind="criteria", data={"code": "C9", "title_ka": "x", "title_en": "x", "max_points": D(5)})
    with pytest.raises(ValidationError):
        calls.call_publish(actor=manager, call=call)  # twice


def test_call_limits_must_stay_within_the_strategy_measure(lag):
    call = CallFactory(lag=lag, max_grant=D("50000.00"))  # measure allows 40,000
    problems = calls.call_problems(call)
    assert any("grant limits" in p for p in problems)


def test_tie_break_naming_an_unknown_criterion_is_refused(lag):
    call = CallFactory(lag=lag)
    with pytest.raises(ValidationError):
        calls.call_update(actor=None, call=call, data={"tie_breaks": [{"kind": "higher_criterion", "criterion": "ZZ"}]})
    calls.call_update(actor=None, call=call, data={"tie_breaks": [{"kind": "lower_amount"}, {"kind": "higher_criterion", "criterion": "C1"}]})


def test_amendment_extends_the_deadline_publicly_and_keeps_the_original(lag, call, persona):
    manager = persona("manager")
    old = call.closes_at
    new = old + timedelta(days=7)
    amendment = calls.call_amend(actor=manager, call=call, reason_ka="ზამთარი", reason_en="Snow closed the pass",
                                 changes={"closes_at": new})
    call.refresh_from_db()
    assert call.closes_at == new and call.snapshot["closes_at"] == old.isoformat()  # the original stays
    assert amendment.number == 1 and amendment.changes[0]["field"] == "closes_at"
    assert LedgerEntry.objects.filter(lag=lag, kind="grants.call_amend").exists()
    with pytest.raises(ValidationError, match="extended"):
        calls.call_amend(actor=manager, call=call, reason_ka="x", changes={"closes_at": old})
    with pytest.raises(ValidationError, match="frozen"):
        calls.call_amend(actor=manager, call=call, reason_ka="x", changes={"min_total": D(10)})
    with pytest.raises(ValidationError):
        calls.call_amend(actor=manager, call=call, reason_ka="", changes={"closes_at": new + timedelta(days=1)})
    assert CallAmendment.objects.filter(call=call).count() == 1


# --- applying ------------------------------------------------------------------------------------


def test_first_application_grants_the_applicant_role(lag, call):
    user = UserFactory()
    app = apps.application_start(actor=user, call=call)
    assert app.status == ApplicationStatus.DRAFT and app.number is None
    assert RoleGrant.objects.filter(user=user, lag=lag, role=Role.APPLICANT).exists()


def test_s2_deadline_to_the_second(lag, s2_call):
    f = ready_application(s2_call)
    i = ready_application(s2_call)
    f = apps.application_submit(actor=f.applicant, application=f, now=S2_DEADLINE - timedelta(seconds=1))
    assert f.status == ApplicationStatus.SUBMITTED and f.number == 1
    with pytest.raises(ValidationError) as exc:
        apps.application_submit(actor=i.applicant, application=i, now=S2_DEADLINE + timedelta(seconds=1))
    assert "17:30:00" in exc.value.messages[0] and "17:30:01" in exc.value.messages[0]
    assert Application.objects.get(pk=i.pk).status == ApplicationStatus.DRAFT
    # the deadline second itself, to the last microsecond, is on time
    last = ready_application(s2_call)
    last = apps.application_submit(actor=last.applicant, application=last, now=S2_DEADLINE + timedelta(microseconds=999_999))
    assert last.number == 2


def test_double_submit_submits_once(lag, call):
    app = ready_application(call)
    first = apps.application_submit(actor=app.applicant, application=app)
    again = apps.application_submit(actor=app.applicant, application=app)
    assert first.number == again.number == 1 and first.submitted_at == again.submitted_at
    assert CallCounter.objects.get(call=call).last_number == 1
    assert AuditEvent.objects.filter(action="grants.application_submit").count() == 1


def test_numbers_are_sequential_per_call(lag, call):
    numbers = [apps.application_submit(actor=a.applicant, application=a).number for a in (ready_application(call) for _ in range(3))]
    assert numbers == [1, 2, 3]


def test_s3_84_percent_is_flagged_and_refused_with_the_largest_grant(lag, call):
    app = ready_application(call, requested=D("42000.00"), total=D("50000.00"))
    check = apps.check_limits(call=call, applicant_type="business", total_budget=D("50000.00"), requested=D("42000.00"))
    assert check.flagged and check.aid.rate_exceeded and check.aid.suggested_grant == D("40000.00")
    assert "84.00%" in check.messages[0] and "40000.00" in check.messages[0]
    with pytest.raises(ValidationError) as exc:
        apps.application_submit(actor=app.applicant, application=app)
    assert any("80.00%" in m for m in exc.value.messages)
    apps.application_budget_save(actor=app.applicant, application=app, lines=[("Two rooms", D("50000.00"))], requested_grant=D("40000.00"))
    app = apps.application_submit(actor=app.applicant, application=app)
    assert app.own_contribution == D("10000.00") and app.aid_check["flagged"] is False


def test_paper_application_is_marked_keeps_the_scan_and_records_the_flag(lag, call, persona):
    manager = persona("manager")
    village = SettlementFactory(lag=lag)
    app = apps.application_assisted_submit(
        actor=manager, call=call, resident_name="ნინო ბეროშვილი", village=village,
        data={"applicant_type": "business", "title": "Guesthouse in Juta", "measure": call.call_measures.first()},
        lines=[("Rooms", "50000")], requested_grant="42000", scan=pdf("scan.pdf"),
    )
    assert app.status == ApplicationStatus.SUBMITTED and app.assisted_by == manager
    assert app.aid_check["rate_exceeded"] is True and app.aid_check["suggested_grant"] == "40000.00"
    assert app.attachments.get().purpose == "scan"
    assert app.applicant.email.endswith(".invalid") and not app.applicant.has_usable_password()
    with pytest.raises(ValidationError):
        apps.application_assisted_submit(actor=persona("member"), call=call, resident_name="x", village=village,
                                         data={}, lines=[], requested_grant="0", scan=pdf())


def test_bad_amounts_and_tampered_answers_are_clear_errors(lag, call):
    app = ready_application(call)
    with pytest.raises(ValidationError, match="two decimals"):
        apps.application_budget_save(actor=app.applicant, application=app, lines=[("x", "10.555")], requested_grant="1")
    with pytest.raises(ValidationError, match="negative"):
        apps.application_budget_save(actor=app.applicant, application=app, lines=[("x", "-5")], requested_grant="0")
    with pytest.raises(ValidationError, match="more than the total"):
        apps.application_budget_save(actor=app.applicant, application=app, lines=[("x", "100")], requested_grant="200")
    other = CallQuestion.objects.create(call=CallFactory(lag=lag), label_ka="x", label_en="x")
    with pytest.raises(ValidationError, match="reload"):
        apps.application_answers_save(actor=app.applicant, application=app, answers={other.pk: "x"})
    with pytest.raises(ValidationError, match="Only the applicant"):
        apps.application_budget_save(actor=UserFactory(), application=app, lines=[], requested_grant="0")


def test_attachments_wrong_type_size_or_content_are_refused(lag, call, settings):
    app = ready_application(call)
    user = app.applicant
    with pytest.raises(ValidationError, match="kind of file"):
        apps.attachment_add(actor=user, application=app, upload=SimpleUploadedFile("run.exe", b"MZ..."))
    with pytest.raises(ValidationError, match="does not match"):
        apps.attachment_add(actor=user, application=app, upload=SimpleUploadedFile("fake.pdf", b"<html>"))
    with pytest.raises(ValidationError, match="too large"):
        apps.attachment_add(actor=user, application=app, upload=pdf(size=apps.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError, match="empty"):
        apps.attachment_add(actor=user, application=app, upload=SimpleUploadedFile("e.pdf", b""))
    att = apps.attachment_add(actor=user, application=app, upload=SimpleUploadedFile("photo.JPG", b"\xff\xd8\xff\xe0 jpeg"))
    assert att.content_type == "image/jpeg" and att.size == 9 and len(att.sha256) == 64
    assert "photo" not in att.file.name  # stored under a random name


def test_submitted_application_cannot_be_edited_and_can_be_withdrawn(lag, call):
    app = apps.application_submit(actor=(a := ready_application(call)).applicant, application=a)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        apps.application_update(actor=app.applicant, application=app, data={"title": "x"})
    app = apps.application_withdraw(actor=app.applicant, application=app, reason="Changed my mind")
    assert app.status == ApplicationStatus.WITHDRAWN and app.withdrawn_at
    with pytest.raises(ValidationError):
        apps.application_submit(actor=app.applicant, application=app)


def test_closed_call_refuses_new_drafts(lag):
    call = published_call(lag)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - timedelta(seconds=2))
    call.refresh_from_db()
    with pytest.raises(ValidationError, match="deadline was"):
        apps.application_start(actor=UserFactory(), call=call)


# --- checks --------------------------------------------------------------------------------------


def test_fix_request_resubmit_and_decide(lag, call, persona):
    manager = persona("manager")
    app = apps.application_submit(actor=(a := ready_application(call)).applicant, application=a)
    item = call.checklist.get()
    checks.check_save(actor=manager, application=app, results={item.pk: ("no", "Registry extract is old")})
    checks.fix_request(actor=manager, application=app, items="A registry extract from this year", deadline=timezone.now() + timedelta(days=5))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.NEEDS_FIXES and app.is_editable
    apps.attachment_add(actor=app.applicant, application=app, upload=pdf("new.pdf"))
    app = apps.application_resubmit(actor=app.applicant, application=app)
    assert app.status == ApplicationStatus.SUBMITTED and app.number == 1
    with pytest.raises(ValidationError, match="reason"):
        checks.check_decide(actor=manager, application=app, eligible=False)
    checks.check_decide(actor=manager, application=app, eligible=True)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ELIGIBLE and app.eligibility.outcome == "eligible"


def test_unfixed_items_make_the_application_ineligible_after_the_deadline(lag, call, persona):
    manager = persona("manager")
    app = apps.application_submit(actor=(a := ready_application(call)).applicant, application=a)
    fix = checks.fix_request(actor=manager, application=app, items="Extract", deadline=timezone.now() + timedelta(days=1))
    assert checks.fix_deadlines_expire(now=fix.deadline) == 0  # the deadline second is still on time
    assert checks.fix_deadlines_expire(now=fix.deadline + timedelta(seconds=1)) == 1
    app.refresh_from_db()
    assert app.status == ApplicationStatus.INELIGIBLE and "not sent" in app.eligibility.reason
    with pytest.raises(ValidationError):
        apps.application_resubmit(actor=app.applicant, application=app)


def test_received_list_has_no_personal_data_and_goes_on_the_ledger(lag, call):
    user = UserFactory(full_name="Tamar Secretname", phone="+995 555 12 34 56")
    app = apps.application_submit(actor=user, application=ready_application(call, user, applicant_name="Tamar Secretname LLC"))
    with pytest.raises(ValidationError, match="after the deadline"):
        checks.received_list_publish(actor=None, call=call)
    in_grace = call.closes_at + calls.CLOSING_GRACE  # on-time submissions may still be in progress
    assert checks.due_work(now=in_grace) == {"closed": 0, "received_lists": 0, "fixes_expired": 0}
    with pytest.raises(ValidationError, match="still be being recorded"):
        checks.received_list_publish(actor=None, call=call, now=in_grace)
    later = in_grace + timedelta(seconds=1)
    result = checks.due_work(now=later)
    assert result == {"closed": 1, "received_lists": 1, "fixes_expired": 0}
    entry = LedgerEntry.objects.get(lag=lag, kind="grants.received_list_publish")
    text = entry.canonical
    assert app.title in text and "Secretname" not in text and "555" not in text and user.email not in text
    assert checks.due_work(now=later) == {"closed": 0, "received_lists": 0, "fixes_expired": 0}


def test_received_list_is_due_in_working_days(lag):
    call = CallFactory(lag=lag, closes_at=rules.deadline_at(date(2026, 11, 27), time(17, 30)),
                       opens_at=rules.deadline_at(date(2026, 11, 1), time(9, 0)))
    assert checks.received_list_due_on(call) == date(2026, 12, 4)  # Friday + 5 working days
    assert rules.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 28)
