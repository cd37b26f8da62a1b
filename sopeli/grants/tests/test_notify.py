"""Messages through the outbox, queued in the service's transaction and delivered at its commit: the
receipt (with its PDF, rendered by the worker), fix requests and eligibility decisions, by SMS to a
paper applicant with only a phone; and a two-stage call: ideas first, then full applications from
invited ideas only."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sopeli.grants.models import Application, Stage
from sopeli.grants.services import applications as apps
from sopeli.grants.services import checks
from sopeli.grants.testing import published_call, ready_application
from sopeli.grants.workflow import ApplicationStatus
from sopeli.notifications import sms
from sopeli.notifications.models import Message, Status
from sopeli.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _english_applicant(call, **user):
    """Messages reach a person in their language: these applicants read English, the source text."""
    return ready_application(call, user=UserFactory(language="en", **user))


def test_submission_mails_the_receipt_with_its_pdf(lag, mailoutbox, django_capture_on_commit_callbacks):
    call = published_call(lag)
    app = _english_applicant(call)
    with django_capture_on_commit_callbacks(execute=True):
        app = apps.application_submit(actor=app.applicant, application=app)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [app.applicant.email] and app.reference in mail.subject
    assert "(Tbilisi time)" in mail.body and timezone.localtime(app.submitted_at).strftime("%H:%M:%S") in mail.body
    name, content, mimetype = mail.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF") and name.endswith("-001.pdf")


def test_fix_request_and_decision_are_mailed(lag, persona, mailoutbox, django_capture_on_commit_callbacks):
    manager = persona("manager")
    call = published_call(lag)
    app = apps.application_submit(actor=(a := _english_applicant(call)).applicant, application=a)
    with django_capture_on_commit_callbacks(execute=True):
        checks.fix_request(actor=manager, application=app, items="The registry extract", deadline=timezone.now() + timedelta(days=3))
    assert "The registry extract" in mailoutbox[-1].body and "missing" in mailoutbox[-1].subject
    apps.application_resubmit(actor=app.applicant, application=app)
    with django_capture_on_commit_callbacks(execute=True):
        checks.check_decide(actor=manager, application=app, eligible=False, reason="The land is outside the territory")
    assert "The land is outside the territory" in mailoutbox[-1].body and "appeal" in mailoutbox[-1].body


def test_the_receipt_pdf_is_rendered_by_the_worker_not_in_the_request(lag, monkeypatch, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    from sopeli.grants import pdf

    call = published_call(lag)
    app = _english_applicant(call)
    rendered = []
    real = pdf.receipt_pdf
    monkeypatch.setattr(pdf, "receipt_pdf", lambda a, **kw: rendered.append(a.pk) or real(a, **kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        app = apps.application_submit(actor=app.applicant, application=app)
    assert rendered == []  # the submitting request renders no PDF
    row = Message.objects.get(kind="grants.receipt", channel="email")
    assert (row.attachment, row.attachment_arg, row.status) == ("grants.receipt", str(app.pk), Status.PENDING)
    for callback in callbacks:
        callback()  # the commit: the worker delivers, rendering the receipt
    assert rendered == [app.pk] and mailoutbox[0].attachments[0][2] == "application/pdf"


def test_a_rolled_back_submission_queues_nothing(lag, monkeypatch):
    from sopeli.grants.services import applications as module

    call = published_call(lag)
    app = _english_applicant(call)

    def fail(**kwargs):
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(module, "audit_record", fail)
    with pytest.raises(RuntimeError):
        apps.application_submit(actor=app.applicant, application=app)
    assert not Message.objects.exists() and Application.objects.get(pk=app.pk).number is None


def test_an_applicant_with_only_a_phone_gets_short_sms(lag, persona, mailoutbox, django_capture_on_commit_callbacks):
    call = published_call(lag)
    app = _english_applicant(call, email="walkin-3@phone.invalid", phone="+995 555 12 34 56")
    with django_capture_on_commit_callbacks(execute=True):
        app = apps.application_submit(actor=app.applicant, application=app)
    with django_capture_on_commit_callbacks(execute=True):
        checks.fix_request(actor=persona("manager"), application=app, items="The registry extract",
                           deadline=timezone.now() + timedelta(days=3))
    assert mailoutbox == []
    assert [s.to for s in sms.outbox] == ["+995 555 12 34 56"] * 2
    receipt, fixes = (s.text for s in sms.outbox)
    deadline = timezone.localtime(app.eligibility.fix_requests.get().deadline).strftime("%d.%m.%Y %H:%M")
    assert app.reference in receipt and app.reference in fixes and deadline in fixes
    assert all(len(s.text) <= 134 for s in sms.outbox)  # two UCS-2 segments once in Georgian


def test_paper_applicants_without_email_get_no_mail(lag, persona, mailoutbox, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    call = published_call(lag)
    village = ready_application(call).settlement
    with django_capture_on_commit_callbacks(execute=True):
        app = apps.application_assisted_submit(
            actor=persona("manager"), call=call, resident_name="Resident", village=village,
            data={"applicant_type": "person", "title": "Barn"}, lines=[("Barn", "1000")], requested_grant="800",
            scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4"),
        )
    assert app.number == 1 and mailoutbox == []


def test_two_stage_call_ideas_then_invited_full_applications(lag, persona):
    now = timezone.now().replace(microsecond=0)
    call = published_call(lag, has_idea_stage=True, ideas_close_at=now + timedelta(days=3))
    user = UserFactory()
    with pytest.raises(ValidationError, match="invited"):
        apps.application_start(actor=user, call=call, stage=Stage.FULL)
    idea = apps.application_start(actor=user, call=call, stage=Stage.IDEA)
    apps.application_update(actor=user, application=idea, data={"title": "Horse trail", "summary": "Guided rides", "applicant_name": user.full_name,
                                                                  "settlement": ready_application(call).settlement, "duration_months": 6})
    idea.refresh_from_db()
    idea = apps.application_submit(actor=user, application=idea)
    assert idea.stage == Stage.IDEA and idea.number == 1
    # after the ideas deadline no more ideas
    with pytest.raises(ValidationError, match="deadline was"):
        apps.application_start(actor=UserFactory(), call=call, stage=Stage.IDEA, now=call.ideas_close_at + timedelta(seconds=1))
    checks.check_decide(actor=persona("manager"), application=idea, eligible=True)
    idea.refresh_from_db()
    assert idea.status == ApplicationStatus.ELIGIBLE
    full = apps.application_start(actor=user, call=call, stage=Stage.FULL, idea=idea, now=call.ideas_close_at + timedelta(days=1))
    assert full.idea == idea and full.title == "Horse trail" and full.stage == Stage.FULL
    with pytest.raises(ValidationError, match="invited"):
        apps.application_start(actor=UserFactory(), call=call, stage=Stage.FULL, idea=idea)
