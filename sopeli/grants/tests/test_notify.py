"""E-mails go out after commit: the receipt (with its PDF), fix requests and eligibility decisions;
and a two-stage call: ideas first, then full applications from invited ideas only."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sopeli.grants.models import Stage
from sopeli.grants.services import applications as apps
from sopeli.grants.services import checks
from sopeli.grants.testing import published_call, ready_application
from sopeli.grants.workflow import ApplicationStatus
from sopeli.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_in_english(settings):
    """E-mails go out in the site's default language; assert the English source text here."""
    settings.LANGUAGE_CODE = "en"


def test_submission_mails_the_receipt_with_its_pdf(lag, mailoutbox, django_capture_on_commit_callbacks):
    call = published_call(lag)
    app = ready_application(call)
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
    app = apps.application_submit(actor=(a := ready_application(call)).applicant, application=a)
    with django_capture_on_commit_callbacks(execute=True):
        checks.fix_request(actor=manager, application=app, items="The registry extract", deadline=timezone.now() + timedelta(days=3))
    assert "The registry extract" in mailoutbox[-1].body and "missing" in mailoutbox[-1].subject
    apps.application_resubmit(actor=app.applicant, application=app)
    with django_capture_on_commit_callbacks(execute=True):
        checks.check_decide(actor=manager, application=app, eligible=False, reason="The land is outside the territory")
    assert "The land is outside the territory" in mailoutbox[-1].body and "appeal" in mailoutbox[-1].body


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
