"""The one way Sopeli sends a message: ``notify`` writes it to the outbox inside the caller's
transaction; the worker delivers it after the commit (``delivery.deliver_due``).

So a rolled-back fact sends nothing, a committed one is never lost, and no web request waits for a
mail server or an SMS gateway. Each recipient gets the message in their own language, on the channels
they chose for that kind (``kinds.py`` has the defaults), on those they can be reached by.

    notify(kind="grants.fixes", lag=app.lag, recipients=[app.applicant],
           template="grants/messages/fixes_requested", context={"app": app}, link=app_url)

renders ``<template>_subject.txt`` and ``<template>.txt`` (e-mail and in-app) and, when SMS is among
the channels, ``<template>_sms.txt`` (short Georgian: keep it within two segments, 134 characters).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sopeli.core.audit import audit_record
from sopeli.notifications.kinds import EMAIL, INAPP, SMS
from sopeli.notifications.kinds import kind as kind_of
from sopeli.notifications.models import Message, Preference, Status
from sopeli.notifications.rules import sms_segments

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Someone to tell who may have no account: a subscriber, a member on paper, a walk-in applicant."""

    email: str = ""
    phone: str = ""
    language: str = ""
    user: object = None  # an accounts.User, when there is one


def recipient_for(user_or_recipient) -> Recipient:
    if isinstance(user_or_recipient, Recipient):
        return user_or_recipient
    user = user_or_recipient
    return Recipient(email=user.email or "", phone=user.phone or "",
                     language=getattr(user, "language", "") or "", user=user)


def _reachable_email(address: str) -> bool:
    # ".invalid" marks a person registered on paper, without an address (RFC 2606).
    return bool(address) and not address.endswith(".invalid")


def channels_for(*, kind_name: str, recipient: Recipient, preferences: dict | None = None) -> list[str]:
    """The channels one message of this kind goes by to this recipient, in a stable order."""
    kind = kind_of(kind_name)
    chosen = set(kind.defaults)
    if kind.configurable and recipient.user is not None:
        pref = (preferences or {}).get(recipient.user.pk)
        if pref is not None:
            chosen = pref.channels()
    reachable = {
        EMAIL: _reachable_email(recipient.email),
        SMS: bool(recipient.phone),
        INAPP: recipient.user is not None,
    }
    return [c for c in (EMAIL, SMS, INAPP) if c in chosen and reachable[c]]


def _render(template: str, suffix: str, context: dict) -> str:
    return render_to_string(f"{template}{suffix}.txt", context).strip()


def notify(
    *,
    kind: str,
    recipients: Iterable,
    template: str,
    context: dict | None = None,
    lag=None,
    link: str = "",
    attachment: str = "",
    attachment_arg="",
    headers: dict | None = None,
    dedupe_key: str = "",
    per_recipient=None,
) -> list[Message]:
    """Queue one message of ``kind`` to each recipient (users or ``Recipient``); returns the rows.

    Must run inside the transaction of the fact it tells about. ``per_recipient(recipient)`` may
    return extra context for one recipient (an unsubscribe link). With ``dedupe_key`` a message that
    was already queued for the same recipient and channel is not queued again.
    """
    kind_of(kind)  # fail early on an undeclared kind
    people = [recipient_for(r) for r in recipients]
    user_ids = [p.user.pk for p in people if p.user is not None]
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids, kind=kind)} if user_ids else {}
    now = timezone.now()
    rows: list[Message] = []
    for person in people:
        channels = channels_for(kind_name=kind, recipient=person, preferences=preferences)
        if not channels:
            continue
        language = person.language if person.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        ctx = {**(context or {}), **(per_recipient(person) if per_recipient else {}),
               "recipient": person, "link": _absolute(link)}
        with translation.override(language):
            subject = " ".join(_render(template, "_subject", ctx).split())
            body = _render(template, "", ctx)
            sms_text = _render(template, "_sms", ctx) if SMS in channels else ""
        for channel in channels:
            text = sms_text if channel == SMS else body
            rows.append(Message(
                lag=lag, kind=kind, channel=channel, user=person.user, language=language,
                address={EMAIL: person.email, SMS: person.phone}.get(channel, ""),
                subject=subject[:300], body=text, link=link, headers=headers or {},
                attachment=attachment if channel == EMAIL else "",
                attachment_arg=str(attachment_arg) if channel == EMAIL and attachment else "",
                dedupe_key=dedupe_key,
                segments=sms_segments(text) if channel == SMS else None,
                # An in-app notice is delivered by being written.
                status=Status.SENT if channel == INAPP else Status.PENDING,
                sent_at=now if channel == INAPP else None,
                created_at=now, next_attempt_at=now,
            ))
    if dedupe_key:
        rows = [row for row in rows if _queue_once(row)]
    else:
        Message.objects.bulk_create(rows)
    if any(row.status == Status.PENDING for row in rows):
        transaction.on_commit(kick_delivery)
    _count_unread(rows)
    return rows


def _queue_once(row: Message) -> bool:
    try:
        with transaction.atomic():
            row.save()
        return True
    except IntegrityError:
        return False


def _count_unread(rows: list[Message]) -> None:
    """One UPDATE per distinct increment (almost always one: each person gets one notice a call)."""
    from collections import Counter

    from sopeli.accounts.models import User

    per_user = Counter(row.user_id for row in rows if row.channel == INAPP and row.pk)
    by_increment: dict[int, list[int]] = {}
    for user_id, count in per_user.items():
        by_increment.setdefault(count, []).append(user_id)
    for increment, user_ids in by_increment.items():
        User.objects.filter(pk__in=user_ids).update(unread_notices=F("unread_notices") + increment)


def _absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SOPELI_SITE_URL.rstrip("/") + link


def kick_delivery() -> None:
    """Ask a worker to deliver what is due now (after the commit). If the queue cannot be reached,
    the worker's every-minute sweep delivers it anyway: nothing is lost."""
    from django_q.tasks import async_task

    try:
        async_task("sopeli.notifications.delivery.deliver_due", task_name="deliver messages", group="outbox")
    except Exception:  # noqa: BLE001 - the sweep picks the messages up
        log.exception("could not enqueue message delivery; the every-minute sweep will deliver")


@transaction.atomic
def message_resend(*, actor, lag, message_id: int) -> Message:
    """A manager's "send again" for a failed message of their LAG: it gets a fresh set of tries."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    message = Message.objects.select_for_update().filter(lag=lag, pk=message_id).first()
    if message is None:
        raise ValidationError(_("There is no such message."))
    if message.status != Status.FAILED:
        raise ValidationError(_("Only a message that failed can be sent again."))
    message.status, message.attempts, message.next_attempt_at = Status.PENDING, 0, timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    audit_record(actor=actor, lag=lag, action="message.resent", target=message,
                 summary=_("A failed message was queued to be sent again"))
    transaction.on_commit(kick_delivery)
    return message


@transaction.atomic
def notices_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the person's in-app notices read (all of them, or those ``ids``); returns how many."""
    from sopeli.accounts.models import User

    unread = Message.objects.filter(user=user, channel=INAPP, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    left = Message.objects.filter(user=user, channel=INAPP, read_at__isnull=True).count()
    User.objects.filter(pk=user.pk).update(unread_notices=left)
    return count


@transaction.atomic
def preferences_set(*, user, choices: dict[str, set[str]]) -> None:
    """Save a person's channels per kind (only configurable kinds; unknown kinds are refused)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    for name, channels in choices.items():
        kind = kind_of(name)
        if not kind.configurable:
            raise ValidationError(_("This kind of message cannot be switched off."))
        Preference.objects.update_or_create(
            user=user, kind=name,
            defaults={"email": EMAIL in channels, "sms": SMS in channels, "inapp": INAPP in channels},
        )
    audit_record(actor=user, lag=None, action="notifications.preferences_set", target=user,
                 summary=_("Message preferences changed"))
