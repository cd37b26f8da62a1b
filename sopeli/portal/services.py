"""Every write of the portal: news posts and e-mail subscriptions to a LAG's announcements.

Keyword-only, one transaction, one audit event each; e-mails are queued in the outbox
(``sopeli.notifications``) in that transaction. Their links point at ``SOPELI_SITE_URL``.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import override

from sopeli.core.audit import audit_record
from sopeli.core.models import Lag
from sopeli.notifications.services import Recipient, notify, site_url
from sopeli.portal.models import News, Subscription


def _clean_news(title_ka: str, body_ka: str) -> None:
    if not (title_ka or "").strip() or not (body_ka or "").strip():
        raise ValidationError(_("Give the news a title and a text in Georgian."))


def _path(name: str, *args, lang: str = "ka") -> str:
    with override(lang):
        return reverse(name, args=args)


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
def news_publish(*, actor, news: News, now=None) -> News:
    """Publish a post; the first time, announce it to the LAG's confirmed subscribers (queued now, sent
    by the worker after the commit)."""
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
        _announce(news)
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


def _announce(news: News) -> None:
    page = _path("portal:news_detail", news.lag.slug, news.pk)
    announce_to_subscribers(
        lag=news.lag, subject_ka=news.title_ka, link=page,
        text="\n\n".join(filter(None, [news.title_ka, news.body_ka, site_url(page), "—", news.title_en, news.body_en])),
    )


def announce_to_subscribers(*, lag: Lag, subject_ka: str, text: str, link: str = "") -> int:
    """Queue ``text`` to the LAG's confirmed subscribers in this transaction; returns how many.

    One message per subscriber, each with its own unsubscribe link and List-Unsubscribe header, in
    both languages (a subscriber has no language of their own). Used for news posts and for published
    calls (grants.notify.call_published).
    """
    tokens = dict(Subscription.objects.filter(lag=lag, confirmed_at__isnull=False).values_list("email", "token"))
    if not tokens:
        return 0

    def unsubscribe(person: Recipient) -> str:
        return site_url(_path("portal:unsubscribe", lag.slug, tokens[person.email]))

    notify(
        kind="portal.announcement", lag=lag, recipients=[Recipient(email=email) for email in tokens],
        template="portal/messages/announcement", link=link,
        context={"lag_name": lag.name_ka or lag.name, "subject": subject_ka, "text": text},
        per_recipient=lambda person: {"unsubscribe": unsubscribe(person)},
        per_recipient_headers=lambda person: {"List-Unsubscribe": f"<{unsubscribe(person)}>"},
    )
    return len(tokens)


@transaction.atomic
def subscription_request(*, lag: Lag, email: str) -> Subscription:
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
        # The person is asking now, on a page in their language: the confirmation is in it.
        confirm = _path("portal:subscription_confirm", lag.slug, sub.token, lang=translation.get_language() or "ka")
        notify(kind="portal.subscription", lag=lag, recipients=[Recipient(email=email, language=translation.get_language() or "")],
               template="portal/messages/subscription_confirm", context={"lag": lag, "confirm": site_url(confirm)})
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
