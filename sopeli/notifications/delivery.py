"""The worker's side of the outbox: take what is due, deliver it, record the outcome.

Several workers on several machines may run ``deliver_due`` at once: each message is claimed by one
compare-and-set UPDATE (pending → sending), so only one of them sends it. A message left "sending"
by a worker that died is given back after ``SOPELI_OUTBOX_STALE_SECONDS``. Failures are retried with the delays of
``rules.RETRY_DELAYS`` and marked failed after the last try; a manager can send it again.
E-mails carry a stable Message-ID (``<sopeli-message-ID@host>``) so a receiving system can drop
the duplicate in the one case left: a worker killed after the mail server accepted the message and
before the row was marked sent.
"""

import logging
import os
import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from sopeli.notifications import attachments, sms
from sopeli.notifications.kinds import EMAIL, SMS
from sopeli.notifications.models import Message, Status, WorkerHeartbeat
from sopeli.notifications.rules import retry_delay

log = logging.getLogger(__name__)

BATCH = 200


class PermanentError(Exception):
    """Retrying cannot help (the address or number is refused)."""


def deliver_due(*, limit: int = 2000) -> dict[str, int]:
    """Deliver every message that is due; returns the counts (the scheduled sweep shows them)."""
    now = timezone.now()
    heartbeat()
    requeued = Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=settings.SOPELI_OUTBOX_STALE_SECONDS)).update(
        status=Status.PENDING, next_attempt_at=now)
    counts = {"sent": 0, "retrying": 0, "failed": 0, "requeued": requeued}
    connection = None
    done = 0
    while done < limit:
        ids = list(Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
                   .order_by("next_attempt_at", "id").values_list("id", flat=True)[:BATCH])
        if not ids:
            break
        for message_id in ids:
            message = _claim(message_id)
            if message is None:
                continue  # another worker took it
            done += 1
            if message.channel == EMAIL and connection is None:
                connection = get_connection()
            counts[_deliver(message, connection)] += 1
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
    return counts


def _claim(message_id: int) -> Message | None:
    now = timezone.now()
    taken = Message.objects.filter(pk=message_id, status=Status.PENDING).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return Message.objects.get(pk=message_id) if taken else None


def _deliver(message: Message, connection) -> str:
    try:
        if message.channel == EMAIL:
            _send_email(message, connection)
        elif message.channel == SMS:
            sent = sms.backend().send(to=message.address, text=message.body)
            message.segments, message.cost = sent.segments, sent.cost
        Message.objects.filter(pk=message.pk).update(
            status=Status.SENT, sent_at=timezone.now(), last_error="",
            segments=message.segments, cost=message.cost)
        return "sent"
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the message
        permanent = isinstance(error, PermanentError | smtplib.SMTPRecipientsRefused) or getattr(error, "permanent", False)
        delay = None if permanent else retry_delay(message.attempts)
        log.warning("message %s (%s, try %s) failed: %s", message.pk, message.channel, message.attempts, error)
        if delay is None:
            Message.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error=str(error)[:2000])
            return "failed"
        Message.objects.filter(pk=message.pk).update(
            status=Status.PENDING, next_attempt_at=timezone.now() + delay, last_error=str(error)[:2000])
        return "retrying"


def _send_email(message: Message, connection) -> None:
    if not message.address:
        raise PermanentError("no e-mail address")
    email = EmailMessage(
        subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address], connection=connection,
        headers={**message.headers, "Message-ID": f"<sopeli-message-{message.pk}@{settings.SOPELI_MAIL_DOMAIN}>"},
    )
    if message.attachment:
        rendered = attachments.render(message.attachment, message.attachment_arg)
        if rendered:
            email.attach(*rendered)
    email.send()


def heartbeat() -> None:
    name = f"{socket.gethostname()}:{os.getpid()}"
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
