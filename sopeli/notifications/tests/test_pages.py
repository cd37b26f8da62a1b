"""My notices, my message preferences, and the manager's messages page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sopeli.notifications.models import Message, Preference, Status
from sopeli.notifications.services import notify
from sopeli.testing.factories import PERSONAS, UserFactory

pytestmark = pytest.mark.django_db


def _notice(user, n=1, lag=None):
    for i in range(n):
        notify(kind="grants.result", recipients=[user], lag=lag, template="grants/messages/application_eligible",
               context=_app_context(i), link="/en/kazbegi/")


def _app_context(i):
    class App:
        number, title = i + 1, f"Greenhouse {i}"
        reference = f"2026/1-{i + 1:03d}"

        class call:
            code, title = "2026/1", "Small grants"

    return {"app": App, "call": App.call, "lag": None}


def test_notices_show_newest_first_mark_read_and_the_header_counts_them(client):
    user = UserFactory(phone="")
    _notice(user, 2)
    client.force_login(user)
    home = client.get("/en/").content.decode()
    assert 'aria-label="2 unread"' in home
    page = client.get(reverse("notifications:notices")).content.decode()
    assert page.count('class="card unread"') == 2
    user.refresh_from_db()
    assert user.unread_notices == 0
    assert 'unread"' not in client.get("/en/").content.decode().split("<main")[0]
    assert 'class="card unread"' not in client.get(reverse("notifications:notices")).content.decode()


def test_notices_page_costs_the_same_queries_with_many_notices(client):
    user = UserFactory(phone="")
    _notice(user, 1)
    client.force_login(user)
    client.get(reverse("notifications:notices"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notifications:notices"))
    _notice(user, 80)
    client.get(reverse("notifications:notices"))  # marks the first page read
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:notices"))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_someone_sees_only_their_own_notices(client):
    mine, theirs = UserFactory(phone=""), UserFactory(phone="")
    _notice(theirs, 1)
    client.force_login(mine)
    assert "Greenhouse" not in client.get(reverse("notifications:notices")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("notifications:notices", "notifications:preferences"):
        answer = client.get(reverse(name))
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_preferences_show_defaults_save_choices_and_the_language(client):
    user = UserFactory(phone="+995555123456", language="ka")
    client.force_login(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Results of your application" in page and "add a phone number" not in page
    answer = client.post(reverse("notifications:preferences"), {"language": "en", "kind:grants.result": ["sms"]})
    assert answer.status_code == 302
    pref = Preference.objects.get(user=user, kind="grants.result")
    assert (pref.email, pref.sms, pref.inapp) == (False, True, False)
    user.refresh_from_db()
    assert user.language == "en"
    _notice(user)
    assert list(Message.objects.filter(user=user).values_list("channel", flat=True)) == ["sms"]


def test_without_a_phone_sms_is_not_offered(client):
    client.force_login(UserFactory(phone=""))
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "add a phone number" in page and 'value="sms"' not in page


def test_a_bad_preferences_post_is_answered_not_a_500(client):
    client.force_login(UserFactory(phone=""))
    answer = client.post(reverse("notifications:preferences"), {"language": "xx", "kind:grants.result": ["pigeon"]})
    assert answer.status_code == 200 and "Select a valid choice" in answer.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_messages_page_by_role(client, lag, persona, who):
    user = persona(who)
    if user:
        client.force_login(user)
    answer = client.get(reverse("notifications:manage_messages", args=[lag.slug]))
    if who == "anonymous":
        assert answer.status_code == 302
    else:
        assert answer.status_code == (200 if who in {"manager", "network_officer"} else 403)


@pytest.mark.parametrize("who", PERSONAS)
def test_only_a_manager_sends_a_failed_message_again(client, lag, persona, who):
    failed = Message.objects.create(lag=lag, kind="grants.result", channel="email", address="nino@example.ge",
                                    language="ka", subject="s", body="b", status=Status.FAILED, attempts=9)
    user = persona(who)
    if user:
        client.force_login(user)
    client.post(reverse("notifications:manage_resend", args=[lag.slug, failed.pk]))
    failed.refresh_from_db()
    assert (failed.status != Status.FAILED) == (who == "manager")


def test_messages_page_masks_addresses_filters_and_stays_at_fixed_queries(client, lag, persona):
    client.force_login(persona("manager"))
    Message.objects.create(lag=lag, kind="grants.result", channel="sms", address="+995555123456", language="ka",
                           body="x", status=Status.SENT, segments=1, cost="0.05")
    url = reverse("notifications:manage_messages", args=[lag.slug])
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert "+995555123456" not in page and "+9955••••••56" in page
    Message.objects.bulk_create([Message(lag=lag, kind="grants.result", channel="email", address=f"p{i}@example.ge",
                                         language="ka", subject="s", body="b", status=Status.FAILED) for i in range(70)])
    with CaptureQueriesContext(connection) as many:
        page = client.get(url + "?status=failed").content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
    assert "p1@example.ge" not in page and "Send again" in page
    assert client.get(url + "?status=nonsense&page=zzz").status_code == 200


def test_resending_a_message_of_another_lag_is_refused(client, lag, persona):
    from sopeli.testing.factories import LagFactory

    other = LagFactory(slug="borjomi")
    failed = Message.objects.create(lag=other, kind="grants.result", channel="email", address="a@example.ge",
                                    language="ka", body="b", status=Status.FAILED)
    client.force_login(persona("manager"))
    answer = client.post(reverse("notifications:manage_resend", args=[lag.slug, failed.pk]), follow=True)
    assert "There is no such message" in answer.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
