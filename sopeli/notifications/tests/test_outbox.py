"""The outbox end to end: a fact and its message commit together; the worker delivers to a real SMTP
server (aiosmtpd on a local port), retries while it is down and delivers once it is back."""

import socket
import threading
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from sopeli.notifications import sms
from sopeli.notifications.delivery import _claim, deliver_due
from sopeli.notifications.models import Message, Preference, Status
from sopeli.notifications.services import Recipient, message_resend, notices_mark_read, notify
from sopeli.testing.factories import UserFactory

TEMPLATE = "notifications/test/hello"


class Sink:
    """Collects what a real SMTP conversation delivered."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    sink.start = controller.start
    sink.stop = controller.stop
    yield sink
    try:
        controller.stop()
    except (AssertionError, RuntimeError):
        pass  # already stopped by the test


@pytest.fixture
def templates(tmp_path, settings):
    folder = tmp_path / "notifications" / "test"
    folder.mkdir(parents=True)
    (folder / "hello_subject.txt").write_text("{% load i18n %}{% translate 'Application received' %}")
    (folder / "hello.txt").write_text("{% load i18n %}{% translate 'Application received' %}: {{ number }}\n{{ link }}")
    (folder / "hello_sms.txt").write_text("განაცხადი {{ number }} მიღებულია.")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]


def _queue(user, **kwargs):
    return notify(kind="grants.receipt", recipients=[user], template=TEMPLATE,
                  context={"number": "2026/1-004"}, link="/ka/kazbegi/my/", **kwargs)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_fact_sends_nothing_and_committed_one_is_delivered(smtp, templates):
    smtp.start()
    user = UserFactory(email="nino@example.ge", phone="")
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue(user)
        raise RuntimeError("the fact failed")
    assert Message.objects.count() == 0

    with transaction.atomic():
        _queue(user)
    # The commit enqueued the delivery (run in-process in tests): one real SMTP delivery.
    assert [m["To"] for m in smtp.messages] == ["nino@example.ge"]
    assert "2026/1-004" in smtp.messages[0].get_payload(decode=True).decode()
    assert smtp.messages[0]["Message-ID"].startswith("<sopeli-message-")
    email = Message.objects.get(channel="email")
    assert email.status == Status.SENT and email.attempts == 1 and email.sent_at


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_makes_nothing_fail_and_the_message_arrives_once_it_is_back(smtp, templates):
    user = UserFactory(email="giorgi@example.ge", phone="")
    with transaction.atomic():
        _queue(user)  # the server is not started: the commit must still succeed
    email = Message.objects.get(channel="email")
    assert email.status == Status.PENDING and email.attempts == 1 and "Connection refused" in email.last_error
    assert email.next_attempt_at <= timezone.now() + timedelta(minutes=1)  # first retry within a minute

    smtp.start()
    assert deliver_due()["sent"] == 0  # not due yet: the backoff is respected
    Message.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert deliver_due() == {"sent": 1, "retrying": 0, "failed": 0, "requeued": 0}
    assert deliver_due()["sent"] == 0  # never twice
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_failed_after_every_try_then_sent_again_by_a_manager(settings, templates, lag, persona):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    user = UserFactory(email="eka@example.ge", phone="")
    _queue(user, lag=lag)
    email = Message.objects.get(channel="email")
    for _ in range(20):
        Message.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        deliver_due()
    email.refresh_from_db()
    assert email.status == Status.FAILED and email.attempts == 9

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message_resend(actor=persona("manager"), lag=lag, message_id=email.pk)
    deliver_due()
    email.refresh_from_db()
    assert email.status == Status.SENT and [m.to for m in mail.outbox] == [["eka@example.ge"]]


@pytest.mark.django_db
def test_a_message_is_claimed_by_one_worker_only(templates):
    user = UserFactory(email="c@example.ge", phone="")
    _queue(user)
    row = Message.objects.get(channel="email")
    assert _claim(row.pk) is not None
    assert _claim(row.pk) is None  # the second worker's compare-and-set finds it taken


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_exactly_once(templates, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers are a PostgreSQL matter; SQLite serialises writers itself")
    monkeypatch.setattr("sopeli.notifications.services.kick_delivery", lambda: None)  # leave them to the two workers
    users = [UserFactory(email=f"p{i}@example.ge", phone="") for i in range(40)]
    notify(kind="grants.receipt", recipients=users, template=TEMPLATE, context={"number": "1"})
    results, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(deliver_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["sent"] for r in results) == 40
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


@pytest.mark.django_db
def test_a_villager_with_only_a_phone_gets_a_short_georgian_sms_and_an_in_app_notice(templates):
    user = UserFactory(email="walkin-7@phone.invalid", phone="+995555123456")
    _queue(user)
    deliver_due()
    assert mail.outbox == []
    assert [(s.to, s.text, s.segments) for s in sms.outbox] == [("+995555123456", "განაცხადი 2026/1-004 მიღებულია.", 1)]
    row = Message.objects.get(channel="sms")
    assert row.status == Status.SENT and row.segments == 1 and row.cost > 0
    notice = Message.objects.get(channel="inapp")
    user.refresh_from_db()
    assert notice.status == Status.SENT and user.unread_notices == 1
    assert notices_mark_read(user=user) == 1
    user.refresh_from_db()
    assert user.unread_notices == 0


@pytest.mark.django_db
def test_preferences_choose_the_channels_and_language_follows_the_recipient(templates):
    user = UserFactory(email="ana@example.ge", phone="+995555000111", language="en")
    Preference.objects.create(user=user, kind="grants.receipt", email=True, sms=False, inapp=False)
    _queue(user)
    assert list(Message.objects.values_list("channel", "language", "subject")) == [("email", "en", "Application received")]
    notify(kind="portal.announcement", recipients=[Recipient(email="sub@example.ge", language="ka")],
           template=TEMPLATE, context={"number": "x"})
    assert Message.objects.filter(address="sub@example.ge", channel="email").exists()


@pytest.mark.django_db
def test_dedupe_key_queues_a_message_once(templates):
    user = UserFactory(email="d@example.ge", phone="")
    _queue(user, dedupe_key="report:5:7d")
    _queue(user, dedupe_key="report:5:7d")
    assert Message.objects.filter(channel="email").count() == 1


@pytest.mark.django_db
def test_a_worker_killed_mid_send_gives_the_message_back(templates):
    user = UserFactory(email="k@example.ge", phone="")
    _queue(user)
    row = Message.objects.get(channel="email")
    Message.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1))
    counts = deliver_due()
    assert counts["requeued"] == 1 and counts["sent"] == 1
    assert len(mail.outbox) == 1


def test_http_gateway_backend_posts_and_counts_cost(settings):
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append((self.headers["Authorization"], json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            status = 400 if received[-1][1]["to"] == "bad" else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b'{"cost": "0.12"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SOPELI_SMS_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SOPELI_SMS_KEY, settings.SOPELI_SMS_SENDER = "secret", "KazbegiLAG"
    try:
        sent = sms.HttpGatewayBackend().send(to="+995555123456", text="ა" * 100)
        assert (sent.segments, str(sent.cost)) == (2, "0.12")
        assert received[0] == ("Bearer secret", {"to": "+995555123456", "from": "KazbegiLAG", "text": "ა" * 100})
        with pytest.raises(sms.SmsError) as refused:
            sms.HttpGatewayBackend().send(to="bad", text="x")
        assert refused.value.permanent
    finally:
        server.shutdown()
    settings.SOPELI_SMS_URL = "http://127.0.0.1:9/unreachable"
    with pytest.raises(sms.SmsError) as down:
        sms.HttpGatewayBackend().send(to="+995555123456", text="x")
    assert not down.value.permanent
