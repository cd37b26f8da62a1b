"""Every sender goes through the outbox: nothing else in the code sends mail, a rolled-back fact queues
nothing, and a mail server that is down makes no page fail (the messages wait with a retry time)."""

import re
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sopeli.notifications.models import Message, Status
from sopeli.notifications.tests.test_outbox import _free_port

SOPELI = Path(__file__).resolve().parents[2]
# Django's ways of sending mail. Only the worker (delivery.py) may use them; the account adapter's
# ``def send_mail`` is allauth's hook that queues instead, not a call.
SENDING = re.compile(
    r"(?<!def )\bsend_mail\b|\bsend_mass_mail\b|\bEmailMessage\b|\bEmailMultiAlternatives\b|\bget_connection\b"
    r"|\bmail_admins\b|\bmail_managers\b|\.send_messages\(|django\.core\.mail import|from django\.core import mail\b"
)
ALLOWED = {SOPELI / "notifications" / "delivery.py"}


def test_nothing_but_the_worker_sends_mail():
    offenders = []
    for path in sorted(SOPELI.rglob("*.py")):
        if {"tests", "testing"} & set(path.relative_to(SOPELI).parts) or path in ALLOWED or path.name == "testing.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SENDING.search(line):
                offenders.append(f"{path.relative_to(SOPELI.parent)}:{number}: {line.strip()}")
    assert not offenders, "send messages with sopeli.notifications.services.notify:\n" + "\n".join(offenders)


def test_the_scan_would_see_a_sender():
    assert SENDING.search("    send_mail(subject, body, None, [to])")
    assert SENDING.search("from django.core.mail import EmailMessage")
    assert SENDING.search("get_connection().send_messages(messages)")
    assert not SENDING.search("    def send_mail(self, template_prefix, email, context):")


# --- a rolled-back fact queues nothing --------------------------------------------------------------


def _rolled_back(service):
    with pytest.raises(RuntimeError), transaction.atomic():
        service()
        raise RuntimeError("something later in the same transaction failed")
    return Message.objects.count()


@pytest.mark.django_db
def test_rolled_back_membership_application_queues_nothing(lag):
    from sopeli.membership.services import member_apply
    from sopeli.testing.factories import InterestGroupFactory, SettlementFactory

    def apply():
        member_apply(lag=lag, kind="person", name="Nino", organisation_type="farmer", sector="business",
                     interest_group=InterestGroupFactory(lag=lag), gender="female", village=SettlementFactory(lag=lag),
                     email="nino@example.ge", phone="+995 555 11 22 33")
        assert Message.objects.count() == 1  # queued in the transaction...

    assert _rolled_back(apply) == 0  # ...and gone with it


@pytest.mark.django_db
def test_rolled_back_invitations_queue_nothing(lag):
    from sopeli.governance.services import meeting_send_invitations
    from sopeli.testing.s1 import Board

    board = Board(lag)
    meeting = board.meeting()
    assert _rolled_back(lambda: meeting_send_invitations(actor=board.manager, meeting=meeting)) == 0


@pytest.mark.django_db
def test_rolled_back_news_publication_announces_nothing(lag, persona):
    from sopeli.portal.models import News, Subscription
    from sopeli.portal.services import news_publish

    Subscription.objects.create(lag=lag, email="yes@example.ge", token="t-yes", confirmed_at=timezone.now())
    news = News.objects.create(lag=lag, title_ka="სიახლე", body_ka="ტექსტი")
    assert _rolled_back(lambda: news_publish(actor=persona("manager"), news=news)) == 0


# --- the mail server is down ------------------------------------------------------------------------


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2


def _waiting(rows):
    rows = list(rows)
    assert rows
    for row in rows:
        assert row.status == Status.PENDING and row.attempts == 1 and row.last_error
        assert row.next_attempt_at > row.created_at  # a retry time, backing off
    return rows


@pytest.mark.django_db
def test_publishing_a_call_with_the_mail_server_down_answers_and_keeps_the_announcements(
        client, lag, persona, smtp_down, django_capture_on_commit_callbacks):
    from sopeli.grants.testing import CallFactory
    from sopeli.portal.models import Subscription

    Subscription.objects.create(lag=lag, email="farmer@example.ge", token="t-yes", confirmed_at=timezone.now())
    call = CallFactory(lag=lag)
    client.force_login(persona("manager"))
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the worker tries, the server refuses
        response = client.post(reverse("grants:manage_publish", args=[lag.slug, call.pk]))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == "published"
    (row,) = _waiting(Message.objects.filter(kind="portal.announcement"))
    assert row.address == "farmer@example.ge" and "t-yes" in row.headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_publishing_news_with_the_mail_server_down_answers_and_keeps_the_announcements(
        client, lag, persona, smtp_down, django_capture_on_commit_callbacks):
    from sopeli.portal.models import News, Subscription

    Subscription.objects.create(lag=lag, email="yes@example.ge", token="t-yes", confirmed_at=timezone.now())
    news = News.objects.create(lag=lag, title_ka="კონკურსი", body_ka="ტექსტი")
    client.force_login(persona("manager"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk]), follow=True)
    assert response.status_code == 200
    news.refresh_from_db()
    assert news.is_published
    _waiting(Message.objects.filter(kind="portal.announcement"))
