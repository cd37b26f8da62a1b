"""E-mail subscription to a LAG's announcements: double opt-in, unsubscribe, bad links."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from sopeli.portal.models import Subscription

pytestmark = pytest.mark.django_db


def _subscribe(client, lag, email, capture):
    with capture(execute=True):
        return client.post(reverse("portal:subscribe", args=[lag.slug]), {"email": email}, follow=True)


def _link(message, kind):
    # Links point at SOPELI_SITE_URL (the worker has no request); the test client takes the path.
    return re.search(rf"https?://[^/\s]+(/\S+/{kind}/\S+/)", message.body).group(1)


def test_subscribe_confirm_and_unsubscribe(client, lag, django_capture_on_commit_callbacks):
    response = _subscribe(client, lag, " Nino@Example.GE ", django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "nino@example.ge" in response.content.decode()
    sub = Subscription.objects.get(lag=lag)
    assert sub.email == "nino@example.ge" and sub.confirmed_at is None
    assert [m.to for m in mail.outbox] == [["nino@example.ge"]]
    confirm = _link(mail.outbox[0], "subscribe/confirm")
    # Opening the link (or a mail scanner opening it) only shows a button.
    page = client.get(confirm)
    assert page.status_code == 200 and "<form" in page.content.decode()
    sub.refresh_from_db()
    assert sub.confirmed_at is None
    assert client.post(confirm).status_code == 302
    sub.refresh_from_db()
    assert sub.confirmed_at is not None
    assert client.post(confirm).status_code == 302  # confirming twice is harmless
    unsubscribe = reverse("portal:unsubscribe", args=[lag.slug, sub.token])
    assert client.get(unsubscribe).status_code == 200
    assert client.post(unsubscribe).status_code == 302
    assert not Subscription.objects.exists()  # nothing kept


def test_subscribing_again_does_not_tell_who_is_subscribed(client, lag, django_capture_on_commit_callbacks):
    Subscription.objects.create(lag=lag, email="known@example.ge", token="tok", confirmed_at="2026-01-01T00:00Z")
    first = _subscribe(client, lag, "known@example.ge", django_capture_on_commit_callbacks).content.decode()
    second = _subscribe(client, lag, "new@example.ge", django_capture_on_commit_callbacks).content.decode()
    assert first.replace("known", "new") == second.replace("known", "new") or "known@example.ge" in first
    assert Subscription.objects.filter(email="known@example.ge").count() == 1
    assert [m.to for m in mail.outbox] == [["new@example.ge"]]


@pytest.mark.parametrize("email", ["", "not-an-address", "a@", "x" * 300 + "@example.ge"])
def test_a_bad_address_gets_a_clear_message(client, lag, email):
    response = client.post(reverse("portal:subscribe", args=[lag.slug]), {"email": email})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errorlist"' in page
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("name", ["portal:subscription_confirm", "portal:unsubscribe"])
def test_bad_tokens_get_a_clear_message(client, lag, name):
    url = reverse(name, args=[lag.slug, "no-such-token"])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 400
    page = response.content.decode()
    assert "not valid" in page or 'role="alert"' in page


def test_a_token_works_only_in_its_own_lag(client, lag):
    from sopeli.testing.factories import LagFactory

    other = LagFactory(slug="borjomi")
    Subscription.objects.create(lag=other, email="a@example.ge", token="tok-b")
    assert client.post(reverse("portal:subscription_confirm", args=[lag.slug, "tok-b"])).status_code == 400
    assert client.post(reverse("portal:unsubscribe", args=[lag.slug, "tok-b"])).status_code == 400
    assert Subscription.objects.get(token="tok-b").confirmed_at is None


def test_subscription_audit_events_hold_no_address(client, lag, django_capture_on_commit_callbacks):
    _subscribe(client, lag, "private@example.ge", django_capture_on_commit_callbacks)
    from sopeli.core.models import AuditEvent

    events = AuditEvent.objects.filter(lag=lag, action__startswith="subscription.")
    assert events.exists() and not events.filter(is_public=True).exists()
    assert all("private@" not in e.summary and "private@" not in str(e.data) for e in events)
