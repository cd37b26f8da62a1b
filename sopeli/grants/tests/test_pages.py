"""Grants pages: permissions over every persona, the phone journey without JavaScript, bad input,
private files, frozen calls, public amendments, the received list's privacy and query counts."""

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sopeli.grants.models import Application, Attachment, Call
from sopeli.grants.services import applications as app_services
from sopeli.grants.services import checks as check_services
from sopeli.grants.testing import ApplicationFactory, CallFactory, published_call, ready_application
from sopeli.grants.workflow import ApplicationStatus
from sopeli.testing.factories import PERSONAS, LagFactory, SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db
STAFF_READERS = {"manager", "network_officer"}


def url(name, lag, *args):
    return reverse(f"grants:{name}", args=[lag.slug, *args])


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def call(lag):
    return published_call(lag)


@pytest.fixture
def submitted(lag, call, persona):
    owner = persona("applicant")
    app = ready_application(call, owner)
    return app_services.application_submit(actor=owner, application=app)


# --- permissions over all personas ---------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_pages_are_for_managers_and_network_officers(client, lag, persona, submitted, name):
    user = persona(name) if name != "applicant" else UserFactory(email="other-applicant@example.ge")
    client_for(client, user)
    call = submitted.call
    draft = CallFactory(lag=lag)
    pages = [url("manage_calls", lag), url("manage_call", lag, call.pk), url("manage_call", lag, draft.pk),
             url("manage_applications", lag, call.pk), url("manage_application", lag, submitted.pk)]
    for page in pages:
        response = client.get(page)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], page
        elif name in STAFF_READERS:
            assert response.status_code == 200, page
        else:
            assert response.status_code == 403, (page, name)
    # every change is for managers only: the network officer reads but gets 403 on POST
    for page in (url("manage_new", lag), url("manage_publish", lag, draft.pk), url("manage_decide", lag, submitted.pk),
                 url("manage_checklist", lag, submitted.pk), url("manage_publish_received", lag, call.pk)):
        response = client.post(page, {"eligible": "1"})
        if name == "anonymous":
            assert response.status_code == 302
        elif name == "manager":
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == 403, (page, name)
    assert Application.objects.get(pk=submitted.pk).status == (
        ApplicationStatus.ELIGIBLE if name == "manager" else ApplicationStatus.SUBMITTED
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_an_application_is_seen_only_by_its_author(client, lag, call, persona, name):
    owner = UserFactory(email="owner@example.ge")
    app = ready_application(call, owner)
    user = persona(name)
    client_for(client, user)
    for page in (url("my_application", lag, app.pk), url("step", lag, app.pk, "project"), url("step", lag, app.pk, "review")):
        response = client.get(page)
        if name == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 404, (page, name)  # not even staff, evaluators or the board see a draft
    assert client.post(url("submit", lag, app.pk)).status_code in (302, 404)
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DRAFT
    # and the author does
    client.force_login(owner)
    assert client.get(url("my_application", lag, app.pk)).status_code == 200


def test_a_draft_is_not_on_any_staff_page(client, lag, call, persona):
    draft = ready_application(call, UserFactory())
    client.force_login(persona("manager"))
    assert client.get(url("manage_application", lag, draft.pk)).status_code == 404
    assert draft.title not in client.get(url("manage_applications", lag, call.pk)).content.decode()


@pytest.mark.parametrize("name", PERSONAS)
def test_private_files_only_for_the_author_and_staff_after_submission(client, lag, call, persona, submitted, name):
    att = submitted.attachments.first()
    client_for(client, persona(name) if name != "applicant" else UserFactory(email="nosy@example.ge"))
    response = client.get(url("attachment", lag, att.pk))
    if name == "anonymous":
        assert response.status_code == 302
    elif name in STAFF_READERS:
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.status_code == 404
    client.force_login(submitted.applicant)
    assert client.get(url("attachment", lag, att.pk)).status_code == 200


def test_files_of_another_lag_are_not_served(client, lag, submitted, persona):
    other = LagFactory(slug="borjomi")
    att = submitted.attachments.first()
    client.force_login(submitted.applicant)
    assert client.get(url("attachment", other, att.pk)).status_code == 404
    # and the stored path is not under any public URL: MEDIA is never routed
    assert client.get("/media/" + att.file.name).status_code == 404


# --- the journey on a phone, without JavaScript --------------------------------------------------


def test_apply_step_by_step_submit_receipt_and_timeline(client, lag, call):
    user = UserFactory(email="resident@example.ge")
    client.force_login(user)
    village = SettlementFactory(lag=lag)
    # public page tells the deadline in Tbilisi time and links to apply
    page = client.get(url("call", lag, call.pk)).content.decode()
    local_deadline = timezone.localtime(call.closes_at).strftime("%H:%M:%S")
    assert local_deadline in page and url("apply", lag, call.pk) in page
    response = client.post(url("apply", lag, call.pk))
    app = Application.objects.get(applicant=user)
    assert response["Location"] == url("step", lag, app.pk, "project")
    response = client.post(url("step", lag, app.pk, "project"), {
        "measure": call.call_measures.first().pk, "applicant_type": "business", "applicant_name": "Juta guesthouse",
        "settlement": village.pk, "title": "Two rooms for hikers", "summary": "Rooms.", "partners": "Juta NGO", "next": "1",
    })
    assert response.status_code == 302 and response["Location"].endswith("/questions/")
    question = call.questions.first()
    client.post(url("step", lag, app.pk, "questions"), {f"q{question.pk}": "No beds in Juta.", "save_exit": "1"})
    # left and resumed: the draft keeps the answer
    assert "No beds in Juta." in client.get(url("step", lag, app.pk, "questions")).content.decode()
    response = client.post(url("step", lag, app.pk, "budget"), {
        "rows": "3", "desc_1": "Beds", "amount_1": "20000", "desc_2": "Bathroom", "amount_2": "30000", "desc_3": "", "amount_3": "",
        "requested_grant": "40000", "next": "1",
    })
    assert response.status_code == 302
    doc = call.documents.first()
    client.post(url("step", lag, app.pk, "documents"), {"document": doc.pk, "file": SimpleUploadedFile("extract.pdf", b"%PDF-1.4 x")})
    review = client.get(url("step", lag, app.pk, "review")).content.decode()
    assert "Everything needed is there." in review
    response = client.post(url("submit", lag, app.pk))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.number == 1
    assert client.post(url("submit", lag, app.pk)).status_code == 302  # a second click: same submission
    assert Application.objects.filter(call=call, number__isnull=False).count() == 1
    detail = client.get(url("my_application", lag, app.pk)).content.decode()
    assert app.reference in detail and "What happens next" in detail and "Submitted" in detail
    pdf = client.get(url("receipt", lag, app.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # editing after submission is refused by redirecting to the read-only page
    assert client.get(url("step", lag, app.pk, "budget"))["Location"] == url("my_application", lag, app.pk)


def test_budget_live_check_flags_s3_84_percent(client, lag, call):
    app = ApplicationFactory(call=call)
    client.force_login(app.applicant)
    response = client.post(url("budget_check", lag, app.pk), {"rows": "1", "desc_1": "Rooms", "amount_1": "50000", "requested_grant": "42000"},
                           HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and "84.00%" in text and "40000.00" in text and "<html" not in text
    ok = client.post(url("budget_check", lag, app.pk), {"rows": "1", "desc_1": "Rooms", "amount_1": "50000", "requested_grant": "40000"})
    assert "Within the call" in ok.content.decode()


@pytest.mark.parametrize("amount, requested, message", [
    ("abc", "10", "Enter an amount"),
    ("-5", "0", "cannot be negative"),
    ("10.555", "1", "two decimals"),
    ("100", "200", "cannot be more than the total"),
    ("1e400", "1", "too large"),
    ("12,5.5", "1", "Enter an amount"),
])
def test_bad_budget_input_is_answered_clearly(client, lag, call, amount, requested, message):
    app = ApplicationFactory(call=call)
    client.force_login(app.applicant)
    response = client.post(url("step", lag, app.pk, "budget"), {"rows": "1", "desc_1": "x", "amount_1": amount, "requested_grant": requested})
    assert response.status_code == 200 and message in response.content.decode()
    live = client.post(url("budget_check", lag, app.pk), {"rows": "1", "desc_1": "x", "amount_1": amount, "requested_grant": requested})
    assert live.status_code == 200


def test_tampered_row_count_and_unknown_step_do_not_break(client, lag, call):
    app = ApplicationFactory(call=call)
    client.force_login(app.applicant)
    assert client.post(url("step", lag, app.pk, "budget"), {"rows": "99999999", "requested_grant": "0"}).status_code in (200, 302)
    assert client.post(url("step", lag, app.pk, "budget"), {"rows": "-1", "requested_grant": "x"}).status_code == 200
    assert client.get(url("step", lag, app.pk, "nope")).status_code == 404
    response = client.post(url("step", lag, app.pk, "documents"), {"document": "999999", "file": SimpleUploadedFile("a.pdf", b"%PDF-")})
    assert response.status_code == 302 and not Attachment.objects.filter(application=app).exists()


def test_wrong_file_is_refused_with_a_message(client, lag, call):
    app = ApplicationFactory(call=call)
    client.force_login(app.applicant)
    response = client.post(url("step", lag, app.pk, "documents"), {"file": SimpleUploadedFile("virus.exe", b"MZ")}, follow=True)
    assert response.status_code == 200 and "not accepted" in response.content.decode()
    response = client.post(url("step", lag, app.pk, "documents"), {"file": SimpleUploadedFile("cv.pdf", b"GIF89a")}, follow=True)
    assert "does not match" in response.content.decode()
    assert not Attachment.objects.filter(application=app).exists()


def test_late_submission_is_refused_with_the_deadline_in_tbilisi_time(client, lag, call):
    app = ready_application(call)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - timedelta(seconds=1))
    client.force_login(app.applicant)
    response = client.post(url("submit", lag, app.pk), follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and "can no longer be accepted" in text and "Tbilisi" in text
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DRAFT


def _stamp(when) -> str:
    return f"t={when.timestamp():.3f}"  # nginx: proxy_set_header X-Request-Start "t=${msec}";


def test_arrival_before_the_deadline_counts_even_when_answered_after_it(client, lag, call, settings):
    """The deadline passed while the request waited (for a thread, a lock): it arrived on time, so it is accepted.

    The front proxy's arrival stamp is injected; the server's clock is already past the deadline."""
    settings.SOPELI_TRUST_REQUEST_START = True
    deadline = timezone.now().replace(microsecond=0) - timedelta(seconds=3)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    on_time, late = ready_application(call), ready_application(call)
    client.force_login(on_time.applicant)
    response = client.post(url("submit", lag, on_time.pk), HTTP_X_REQUEST_START=_stamp(deadline + timedelta(milliseconds=999)))
    assert response.status_code == 302 and response["Location"] == url("my_application", lag, on_time.pk)
    on_time.refresh_from_db()
    assert on_time.status == ApplicationStatus.SUBMITTED and on_time.number == 1
    assert on_time.submitted_at == deadline + timedelta(milliseconds=999)  # the arrival, not the time it was answered
    client.force_login(late.applicant)
    response = client.post(url("submit", lag, late.pk), HTTP_X_REQUEST_START=_stamp(deadline + timedelta(seconds=1)), follow=True)
    assert "can no longer be accepted" in response.content.decode()
    assert Application.objects.get(pk=late.pk).status == ApplicationStatus.DRAFT


def test_a_forged_arrival_stamp_is_ignored_unless_the_proxy_is_trusted(client, lag, call, settings):
    settings.SOPELI_TRUST_REQUEST_START = False
    deadline = timezone.now().replace(microsecond=0) - timedelta(seconds=3)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    app = ready_application(call)
    client.force_login(app.applicant)
    response = client.post(url("submit", lag, app.pk), HTTP_X_REQUEST_START=_stamp(deadline - timedelta(seconds=1)), follow=True)
    assert "can no longer be accepted" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DRAFT


def test_withdraw_from_the_applicant_page(client, lag, submitted):
    client.force_login(submitted.applicant)
    assert client.get(url("withdraw", lag, submitted.pk)).status_code == 200
    client.post(url("withdraw", lag, submitted.pk), {"reason": "Moved away"})
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.WITHDRAWN


# --- calls: frozen, amendments, PDF ----------------------------------------------------------------


def test_manager_creates_a_call_in_both_languages_and_publishes_it(client, lag, persona):
    manager = persona("manager")
    client.force_login(manager)
    base = CallFactory(lag=lag)  # gives the approved version and a measure
    measure = base.call_measures.first().measure
    opens = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    closes = timezone.localtime(timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT17:30:00")
    response = client.post(url("manage_new", lag), {
        "code": "2027/1", "title_ka": "ახალი კონკურსი", "title_en": "New call", "summary_ka": "ტურიზმი", "summary_en": "Tourism",
        "who_can_apply_ka": "მცხოვრებლები", "who_can_apply_en": "Residents", "opens_at": opens, "closes_at": closes,
        "min_grant": "1000", "max_grant": "20000", "min_total": "50", "evaluators_per_application": "2", "divergence_share": "0.30",
        "aggregation": "closest_pair", "budget_variant": "strict", "reserve_valid_days": "180", "appeal_days": "14",
        "received_list_days": "5", f"budget_{measure.pk}": "60000", "rate_business": "80", "tie_break_1": "lower_amount",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(lag=lag, code="2027/1")
    assert call.call_measures.get().budget == Decimal("60000.00") and call.aid_rates.get().max_rate == Decimal("80.00")
    assert timezone.localtime(call.closes_at).strftime("%H:%M:%S") == "17:30:00"
    page = client.get(url("manage_call", lag, call.pk)).content.decode()
    assert "Before it can be published" in page and "scored criterion" in page
    client.post(url("manage_part_new", lag, call.pk, "criteria"), {"code": "C1", "kind": "scored", "title_ka": "კავშირი", "title_en": "Fit",
                                                                    "max_points": "100", "weight": "1", "order": "1"})
    client.post(url("manage_part_new", lag, call.pk, "checklist"), {"text_ka": "სრულია", "text_en": "Complete", "order": "1"})
    client.post(url("manage_part_new", lag, call.pk, "questions"), {"label_ka": "რატომ?", "label_en": "Why?", "kind": "choice",
                                                                    "stage": "full", "order": "1", "choices_text": "კი | Yes\nარა | No"})
    client.post(url("manage_publish", lag, call.pk))
    call.refresh_from_db()
    assert call.status == "published" and call.snapshot["questions"][0]["choices"][0]["label_en"] == "Yes"


def test_publishing_a_call_announces_it_to_confirmed_subscribers_only(
        client, lag, persona, mailoutbox, django_capture_on_commit_callbacks, settings):
    from sopeli.portal.models import Subscription

    Subscription.objects.create(lag=lag, email="farmer@example.ge", token="t-yes", confirmed_at=timezone.now())
    Subscription.objects.create(lag=lag, email="pending@example.ge", token="t-pending")
    call = CallFactory(lag=lag)
    client.force_login(persona("manager"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("manage_publish", lag, call.pk))
    call.refresh_from_db()
    assert call.status == "published"
    assert [m.to for m in mailoutbox] == [["farmer@example.ge"]]
    mail = mailoutbox[0]
    assert call.title_ka in mail.subject
    page = settings.SOPELI_SITE_URL + reverse("grants:call", args=[lag.slug, call.pk])  # the worker has no request
    assert page in mail.body and call.title_en in mail.body and "Tbilisi time" in mail.body
    assert "t-yes" in mail.extra_headers["List-Unsubscribe"] and "t-yes" in mail.body


def test_a_call_that_fails_to_publish_announces_nothing(client, lag, persona, mailoutbox, django_capture_on_commit_callbacks):
    from sopeli.portal.models import Subscription

    Subscription.objects.create(lag=lag, email="farmer@example.ge", token="t-yes", confirmed_at=timezone.now())
    call = CallFactory(lag=lag)
    call.criteria.all().delete()  # incomplete: publishing is refused
    client.force_login(persona("manager"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("manage_publish", lag, call.pk))
    call.refresh_from_db()
    assert call.status == "draft" and mailoutbox == []


def test_frozen_call_cannot_be_edited_through_the_pages(client, lag, call, persona):
    client.force_login(persona("manager"))
    assert client.get(url("manage_edit", lag, call.pk))["Location"] == url("manage_amend", lag, call.pk)
    criterion = call.criteria.first()
    response = client.post(url("manage_part", lag, call.pk, "criteria", criterion.pk), {
        "code": criterion.code, "kind": "scored", "title_ka": "x", "title_en": "x", "max_points": "1", "weight": "1", "order": "0"})
    assert response.status_code == 200 and "frozen" in response.content.decode()
    assert call.criteria.get(pk=criterion.pk).title_en == criterion.title_en
    client.post(url("manage_part_delete", lag, call.pk, "criteria", criterion.pk))
    assert call.criteria.filter(pk=criterion.pk).exists()


def test_amendment_is_shown_publicly_beside_the_original(client, lag, call, persona):
    manager = persona("manager")
    client.force_login(manager)
    new = timezone.localtime(call.closes_at + timedelta(days=7))
    response = client.post(url("manage_amend", lag, call.pk), {
        "reason_ka": "გზა ჩაკეტილი იყო", "reason_en": "The road was closed", "closes_at": new.strftime("%Y-%m-%dT%H:%M:%S"),
        "summary_ka": call.summary_ka, "summary_en": call.summary_en, "how_to_apply_ka": "", "how_to_apply_en": "",
        f"budget_{call.call_measures.first().pk}": "100000.00",
    })
    assert response.status_code == 302
    client.logout()
    page = client.get(url("call", lag, call.pk)).content.decode()
    assert "Changes to this call" in page and "The road was closed" in page or "გზა ჩაკეტილი იყო" in page
    assert new.strftime("%H:%M:%S") in page
    # an earlier deadline is refused with a message, not a 500
    client.force_login(manager)
    response = client.post(url("manage_amend", lag, call.pk), {"reason_ka": "x", "closes_at": "2020-01-01T10:00:00",
                                                                f"budget_{call.call_measures.first().pk}": "100000.00"})
    assert response.status_code == 200 and "only be extended" in response.content.decode()


def test_call_pdf_renders_georgian(client, lag, call, tmp_path):
    response = client.get(reverse("grants:call_pdf", args=[lag.slug, call.pk]).replace("/en/", "/ka/"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "call.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "მცირე გრანტები" in text


def test_draft_calls_are_not_public(client, lag):
    draft = CallFactory(lag=lag)
    assert client.get(url("call", lag, draft.pk)).status_code == 404
    assert client.get(url("call_pdf", lag, draft.pk)).status_code == 404
    assert draft.title_en not in client.get(url("calls", lag)).content.decode()


# --- received list: privacy ---------------------------------------------------------------------


def test_received_list_shows_no_personal_data(client, lag, call):
    user = UserFactory(full_name="Secret Person", email="secret@example.ge", phone="+995 599 00 11 22")
    app = app_services.application_submit(actor=user, application=ready_application(call, user, applicant_name="Secret Person LLC"))
    assert client.get(url("received", lag, call.pk)).status_code == 404  # not yet published
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - timedelta(minutes=3))
    check_services.due_work()
    page = client.get(url("received", lag, call.pk)).content.decode()
    assert app.title in page and "40,000" in page or "40000" in page
    for secret in ("Secret", "secret@example.ge", "599", user.email):
        assert secret not in page


# --- query counts --------------------------------------------------------------------------------


def _count(django_assert_max_num_queries, client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_cost_the_same_with_1_or_many_rows(client, lag, persona, django_assert_max_num_queries):
    manager = persona("manager")
    call = published_call(lag)
    user = UserFactory()
    apps = [app_services.application_submit(actor=user, application=ready_application(call, user))]
    client.force_login(manager)
    pages = lambda: [url("calls", lag), url("manage_calls", lag), url("manage_applications", lag, call.pk), url("call", lag, call.pk)]  # noqa: E731
    before = [_count(django_assert_max_num_queries, client, p) for p in pages()]
    for _ in range(4):
        published_call(lag)
        apps.append(app_services.application_submit(actor=user, application=ready_application(call, user)))
    after = [_count(django_assert_max_num_queries, client, p) for p in pages()]
    assert before == after
    client.force_login(user)
    one = _count(django_assert_max_num_queries, client, url("my_applications", lag))
    ApplicationFactory(call=call, applicant=user)
    assert _count(django_assert_max_num_queries, client, url("my_applications", lag)) == one
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - timedelta(minutes=3))
    check_services.due_work()
    few = _count(django_assert_max_num_queries, client, url("received", lag, call.pk))
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) + timedelta(days=1), status="published")
    app_services.application_submit(actor=user, application=ready_application(call, user))
    assert _count(django_assert_max_num_queries, client, url("received", lag, call.pk)) == few


def test_paper_application_page(client, lag, call, persona):
    manager = persona("manager")
    client.force_login(manager)
    village = SettlementFactory(lag=lag)
    assert client.get(url("manage_paper", lag, call.pk)).status_code == 200
    response = client.post(url("manage_paper", lag, call.pk), {
        "resident_name": "ნინო", "village": village.pk, "measure": call.call_measures.first().pk, "applicant_type": "person",
        "title": "Hay barn", "total_budget": "50000", "requested_grant": "42000", "scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 x"),
    })
    assert response.status_code == 302
    app = Application.objects.get(title="Hay barn")
    assert app.assisted_by == manager and app.aid_check["rate_exceeded"]
    page = client.get(url("manage_application", lag, app.pk)).content.decode()
    assert "paper application entered by" in page and "40000.00" in page


def test_paper_entry_on_a_closed_call_is_refused_with_a_message(client, lag, call, persona):
    client.force_login(persona("manager"))
    Call.objects.filter(pk=call.pk).update(status="closed", closed_at=timezone.now())
    response = client.get(url("manage_paper", lag, call.pk), follow=True)
    assert response.status_code == 200 and "while the call is open" in response.content.decode()
