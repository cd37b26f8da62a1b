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
from django.template import Context
from django.template.loader import get_template
from django.urls import translate_url
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


def reachable_email(address: str) -> bool:
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
        EMAIL: reachable_email(recipient.email),
        SMS: bool(recipient.phone),
        INAPP: recipient.user is not None,
    }
    return [c for c in (EMAIL, SMS, INAPP) if c in chosen and reachable[c]]


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template for a message: no HTML escaping (an apostrophe stays one)."""
    return get_template(template_name).template.render(Context(context, autoescape=False)).strip()


def _render(template: str, suffix: str, context: dict) -> str:
    return render_text(f"{template}{suffix}.txt", context)


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
    per_recipient_headers=None,
) -> list[Message]:
    """Queue one message of ``kind`` to each recipient (users or ``Recipient``); returns the rows.

    Must run inside the transaction of the fact it tells about. ``per_recipient(recipient)`` may
    return extra context for one recipient (an unsubscribe link), ``per_recipient_headers(recipient)``
    extra e-mail headers (List-Unsubscribe). With ``dedupe_key`` a message that
    was already queued for the same recipient and channel is not queued again.
    """
    kind_of(kind)  # fail early on an undeclared kind
    people = [recipient_for(r) for r in recipients]
    preferences = _preferences(kind, people)
    rows: list[Message] = []
    for person in people:
        channels = channels_for(kind_name=kind, recipient=person, preferences=preferences)
        if not channels:
            continue
        language = _language(person.language)
        own_link = _in_language(link, language)
        ctx = {**(context or {}), **(per_recipient(person) if per_recipient else {}),
               "recipient": person, "link": _absolute(own_link)}
        with translation.override(language):
            subject = _render(template, "_subject", ctx)
            body = _render(template, "", ctx)
            sms_text = _render(template, "_sms", ctx) if SMS in channels else ""
        own_headers = {**(headers or {}), **(per_recipient_headers(person) if per_recipient_headers else {})}
        rows += _rows(kind=kind, lag=lag, person=person, channels=channels, language=language, subject=subject,
                      body=body, sms_text=sms_text, link=own_link, headers=own_headers, attachment=attachment,
                      attachment_arg=attachment_arg, dedupe_key=dedupe_key)
    return _write(rows, dedupe_key=dedupe_key)


def notify_rendered(
    *,
    kind: str,
    recipient,
    subject: str,
    body: str,
    sms_text: str = "",
    language: str = "",
    lag=None,
    link: str = "",
    headers: dict | None = None,
    dedupe_key: str = "",
) -> list[Message]:
    """Queue a message whose text is already rendered (allauth renders its own e-mails), to one
    recipient (a user or ``Recipient``), on the channels of ``kind`` they can be reached by.

    ``language`` is the language the text was rendered in (the recipient's when empty).
    """
    kind_of(kind)
    person = recipient_for(recipient)
    channels = channels_for(kind_name=kind, recipient=person, preferences=_preferences(kind, [person]))
    if SMS in channels and not sms_text:
        channels.remove(SMS)
    rows = _rows(kind=kind, lag=lag, person=person, channels=channels, language=_language(language or person.language),
                 subject=subject, body=body.strip(), sms_text=sms_text.strip(), link=link, headers=headers,
                 dedupe_key=dedupe_key)
    return _write(rows, dedupe_key=dedupe_key)


def _preferences(kind: str, people: list[Recipient]) -> dict:
    user_ids = [p.user.pk for p in people if p.user is not None]
    if not user_ids:
        return {}
    return {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids, kind=kind)}


def _language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _rows(*, kind, lag, person: Recipient, channels, language, subject, body, sms_text, link, headers,
          attachment="", attachment_arg="", dedupe_key="") -> list[Message]:
    """The outbox rows of one message to one person: one per channel (the only place rows are made)."""
    now = timezone.now()
    subject = " ".join(subject.split())
    rows = []
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
    return rows


def _write(rows: list[Message], *, dedupe_key: str) -> list[Message]:
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


def _in_language(link: str, language: str) -> str:
    """A page of the site (/ka/kazbegi/...) in the recipient's language (/en/kazbegi/...)."""
    prefix = link.split("/")[1] if link.startswith("/") and link.count("/") > 1 else ""
    if prefix not in dict(settings.LANGUAGES) or prefix == language:
        return link
    with translation.override(prefix):  # i18n_patterns resolve a path in its own language
        return translate_url(link, language)


def site_url(path: str) -> str:
    """The address of a page of the site for a message (the worker has no request to take it from)."""
    return _absolute(path)


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


def outbox_discard_demo() -> int:
    """Forget the e-mails and SMS that loading the demo data queued (its people are made up); the
    in-app notices stay, to be seen in the demo. Returns how many were discarded."""
    return Message.objects.filter(status=Status.PENDING).exclude(channel=INAPP).delete()[0]


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
