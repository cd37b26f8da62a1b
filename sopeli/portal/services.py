"""Every write of the portal: news posts and e-mail subscriptions to a LAG's announcements.

Keyword-only, one transaction, one audit event each; e-mails leave after commit. Links in
e-mails need the site's address: the caller passes ``base_url`` (e.g. ``https://sopeli.ge``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from sopeli.core.audit import audit_record
from sopeli.core.models import Lag
from sopeli.portal.models import News, Subscription


def _clean_news(title_ka: str, body_ka: str) -> None:
    if not (title_ka or "").strip() or not (body_ka or "").strip():
        raise ValidationError(_("Give the news a title and a text in Georgian."))


def _link(base_url: str, name: str, *args, lang: str = "ka") -> str:
    with override(lang):
        return base_url.rstrip("/") + reverse(name, args=args)


@transaction.atomic
def news_create(*, actor, lag: Lag, title_ka: str, body_ka: str, title_en: str = "", body_en: str = "") -> News:
    _clean_news(title_ka, body_ka)
    news = News.objects.create(
        lag=lag, author=actor if getattr(actor, "is_authenticated", False) else None,
        title_ka=title_ka.strip(), title_en=(title_en or "").strip(),
        body_ka=body_ka.strip(), body_en=(body_en or "").strip(),
    )
    audit_record(actor=actor, lag=lag, action="news.created", target=news, summary=news.title_ka)
    return news


@transaction.atomic
def news_update(*, actor, news: News, title_ka: str, body_ka: str, title_en: str = "", body_en: str = "") -> News:
    _clean_news(title_ka, body_ka)
    news = News.objects.select_for_update().get(pk=news.pk, lag_id=news.lag_id)
    news.title_ka, news.title_en = title_ka.strip(), (title_en or "").strip()
    news.body_ka, news.body_en = body_ka.strip(), (body_en or "").strip()
    news.save()
    audit_record(actor=actor, lag=news.lag, action="news.updated", target=news, summary=news.title_ka,
                 public=news.is_published,
                 data={"news": news.pk, "title_ka": news.title_ka, "title_en": news.title_en or ""} if news.is_published else {})
    return news


@transaction.atomic
def news_publish(*, actor, news: News, base_url: str, now=None) -> News:
    """Publish a post; the first time, announce it to the LAG's confirmed subscribers after commit."""
    news = News.objects.select_for_update(of=("self",)).select_related("lag").get(pk=news.pk, lag_id=news.lag_id)
    if news.is_published:
        raise ValidationError(_("This news is already published."))
    now = now or timezone.now()
    news.is_published = True
    news.published_at = news.published_at or now
    announce = news.announced_at is None
    if announce:
        news.announced_at = now
    news.save(update_fields=["is_published", "published_at", "announced_at", "updated_at"])
    if announce:
        _announce_after_commit(news, base_url)
    audit_record(actor=actor, lag=news.lag, action="news.published", target=news, public=True,
                 summary=news.title_ka,
                 data={"news": news.pk, "title_ka": news.title_ka, "title_en": news.title_en or ""})
    return news


@transaction.atomic
def news_unpublish(*, actor, news: News) -> News:
    news = News.objects.select_for_update(of=("self",)).select_related("lag").get(pk=news.pk, lag_id=news.lag_id)
    if not news.is_published:
        raise ValidationError(_("This news is not published."))
    news.is_published = False
    news.save(update_fields=["is_published", "updated_at"])
    audit_record(actor=actor, lag=news.lag, action="news.unpublished", target=news, public=True,
                 summary=news.title_ka, data={"news": news.pk})
    return news


def _announce_after_commit(news: News, base_url: str) -> None:
    announce_to_subscribers(
        lag=news.lag, subject_ka=news.title_ka,
        text="\n\n".join(filter(None, [news.title_ka, news.body_ka, _link(base_url, "portal:news_detail", news.lag.slug, news.pk),
                                        "—", news.title_en, news.body_en])),
        base_url=base_url,
    )


def announce_to_subscribers(*, lag: Lag, subject_ka: str, text: str, base_url: str) -> int:
    """E-mail ``text`` to the LAG's confirmed subscribers once the transaction commits; returns how many.

    One message per subscriber (each carries its own unsubscribe link and List-Unsubscribe header).
    Used for news posts and for published calls (grants.notify.call_published).
    """
    recipients = list(
        Subscription.objects.filter(lag=lag, confirmed_at__isnull=False).values_list("email", "token")
    )
    if not recipients:
        return 0
    messages = []
    for email, token in recipients:
        stop = _link(base_url, "portal:unsubscribe", lag.slug, token)
        with override("ka"):
            footer = _("You receive this because you subscribed to the announcements of %(lag)s. "
                       "To stop: %(link)s") % {"lag": lag.name_ka or lag.name, "link": stop}
        messages.append(EmailMessage(
            subject=f"{lag.name_ka or lag.name}: {subject_ka}", body=f"{text}\n\n{footer}\n",
            from_email=settings.DEFAULT_FROM_EMAIL, to=[email],
            headers={"List-Unsubscribe": f"<{stop}>"},
        ))
    transaction.on_commit(lambda: get_connection().send_messages(messages))
    return len(messages)


@transaction.atomic
def subscription_request(*, lag: Lag, email: str, base_url: str) -> Subscription:
    """Ask to receive a LAG's announcements: a confirmation link goes to the address (double opt-in).

    The same answer whatever the address's state, so the form does not tell who is subscribed.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid e-mail address, such as name@example.ge.")) from None
    sub, created = Subscription.objects.get_or_create(
        lag=lag, email=email, defaults={"token": secrets.token_urlsafe(32)}
    )
    if sub.confirmed_at is None:
        link = _link(base_url, "portal:subscription_confirm", lag.slug, sub.token)
        with override("ka"):
            subject = _("Confirm your subscription to %(lag)s") % {"lag": lag.name_ka or lag.name}
            body = _("Someone (we hope you) asked to receive the announcements of %(lag)s at this address.\n"
                     "To confirm, open this link: %(link)s\n"
                     "If it was not you, ignore this message; nothing will be sent.") % {
                "lag": lag.name_ka or lag.name, "link": link}
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email])
        transaction.on_commit(message.send)
    audit_record(actor=None, lag=lag, action="subscription.requested", target=sub,
                 summary=_("Subscription requested"))
    return sub


@transaction.atomic
def subscription_confirm(*, lag: Lag, token: str, now=None) -> Subscription:
    sub = Subscription.objects.select_for_update().filter(lag=lag, token=token or "").first()
    if sub is None:
        raise ValidationError(_("This confirmation link is not valid. It may be incomplete, or the subscription "
                                "was cancelled. Subscribe again from the LAG's page."))
    if sub.confirmed_at is None:
        sub.confirmed_at = now or timezone.now()
        sub.save(update_fields=["confirmed_at"])
        audit_record(actor=None, lag=lag, action="subscription.confirmed", target=sub,
                     summary=_("Subscription confirmed"))
    return sub


@transaction.atomic
def subscription_cancel(*, lag: Lag, token: str) -> None:
    """Unsubscribe: the address is deleted, nothing about it is kept."""
    sub = Subscription.objects.select_for_update().filter(lag=lag, token=token or "").first()
    if sub is None:
        raise ValidationError(_("This unsubscribe link is not valid, or the address is already unsubscribed. "
                                "No more announcements will be sent to it."))
    pk = sub.pk
    sub.delete()
    audit_record(actor=None, lag=lag, action="subscription.cancelled", target=None,
                 summary=_("Subscription cancelled"), data={"subscription": pk})
