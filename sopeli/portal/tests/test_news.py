"""The manager's news pages (every persona), publishing, announcements by e-mail, public news pages."""

import pytest
from django.core import mail
from django.urls import reverse

from sopeli.portal.models import News, Subscription
from sopeli.testing.factories import PERSONAS, LagFactory, make_persona

pytestmark = pytest.mark.django_db

READERS = {"manager", "network_officer"}
EDITORS = {"manager"}


def _login(client, user):
    if user:
        client.force_login(user)


def _expect(response, who, allowed):
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif who in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", PERSONAS)
def test_news_list_for_staff_by_role(client, lag, persona, who):
    _login(client, persona(who))
    _expect(client.get(reverse("portal:manage_news", args=[lag.slug])), who, READERS)


@pytest.mark.parametrize("who", PERSONAS)
def test_writing_news_by_role(client, lag, persona, who):
    _login(client, persona(who))
    url = reverse("portal:manage_news_new", args=[lag.slug])
    _expect(client.get(url), who, EDITORS)
    response = client.post(url, {"title_ka": "სიახლე", "body_ka": "ტექსტი", "title_en": "News", "body_en": "Text"})
    _expect(response, who, EDITORS)
    assert News.objects.filter(lag=lag).exists() == (who in EDITORS)


@pytest.mark.parametrize("who", PERSONAS)
def test_editing_publishing_and_unpublishing_by_role(client, lag, persona, who):
    news = News.objects.create(lag=lag, title_ka="სათაური", body_ka="ტექსტი")
    _login(client, persona(who))
    edit = reverse("portal:manage_news_edit", args=[lag.slug, news.pk])
    _expect(client.get(edit), who, EDITORS)
    _expect(client.post(edit, {"title_ka": "ახალი", "body_ka": "ტექსტი"}), who, EDITORS)
    _expect(client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk])), who, EDITORS)
    news.refresh_from_db()
    assert news.is_published == (who in EDITORS)
    assert (news.title_ka == "ახალი") == (who in EDITORS)
    _expect(client.post(reverse("portal:manage_news_unpublish", args=[lag.slug, news.pk])), who, EDITORS)
    news.refresh_from_db()
    assert not news.is_published


def test_a_manager_cannot_reach_another_lags_news(client, lag):
    other = LagFactory(slug="borjomi")
    news = News.objects.create(lag=other, title_ka="სხვა", body_ka="ტექსტი")
    client.force_login(make_persona("manager", lag))
    assert client.get(reverse("portal:manage_news_edit", args=[lag.slug, news.pk])).status_code == 404
    assert client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk])).status_code == 404
    news.refresh_from_db()
    assert not news.is_published


def test_bad_news_input_gets_a_clear_message(client, lag, persona):
    client.force_login(persona("manager"))
    response = client.post(reverse("portal:manage_news_new", args=[lag.slug]), {"title_ka": "", "body_ka": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode() or "აუცილებელია" in response.content.decode()
    assert not News.objects.exists()


def test_publishing_twice_is_a_clear_message_not_an_error(client, lag, persona):
    news = News.objects.create(lag=lag, title_ka="სათაური", body_ka="ტექსტი", is_published=True)
    client.force_login(persona("manager"))
    response = client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk]), follow=True)
    assert response.status_code == 200
    assert "already published" in response.content.decode() or "გამოქვეყნ" in response.content.decode()


def test_publishing_announces_to_confirmed_subscribers_once_after_commit(client, lag, persona,
                                                                          django_capture_on_commit_callbacks):
    Subscription.objects.create(lag=lag, email="yes@example.ge", token="t-yes", confirmed_at="2026-01-01T00:00Z")
    Subscription.objects.create(lag=lag, email="pending@example.ge", token="t-pending")
    Subscription.objects.create(lag=LagFactory(slug="borjomi"), email="other@example.ge", token="t-other",
                                confirmed_at="2026-01-01T00:00Z")
    news = News.objects.create(lag=lag, title_ka="კონკურსი", body_ka="ტექსტი", title_en="Call", body_en="Text")
    client.force_login(persona("manager"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk]))
    assert [m.to for m in mail.outbox] == [["yes@example.ge"]]
    message = mail.outbox[0]
    assert "კონკურსი" in message.subject and "Text" in message.body
    assert f"/ka/{lag.slug}/unsubscribe/t-yes/" in message.body
    assert message.extra_headers["List-Unsubscribe"].endswith(f"/ka/{lag.slug}/unsubscribe/t-yes/>")
    # Unpublish and publish again: no second announcement.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:manage_news_unpublish", args=[lag.slug, news.pk]))
        client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk]))
    assert len(mail.outbox) == 1


def test_publishing_enters_the_public_record(client, lag, persona):
    news = News.objects.create(lag=lag, title_ka="კონკურსი", body_ka="ტექსტი")
    client.force_login(persona("manager"))
    client.post(reverse("portal:manage_news_publish", args=[lag.slug, news.pk]))
    entry = lag.ledger_entries.get()
    assert entry.kind == "news.published" and entry.fact["data"] == {"news": news.pk, "title_ka": "კონკურსი",
                                                                      "title_en": ""}


def test_public_news_pages_show_published_news_only(client, world):
    lag = world.lag
    page = client.get(f"/ka/{lag.slug}/news/").content.decode()
    assert world.news.title_ka in page and "New call" in client.get(f"/en/{lag.slug}/news/").content.decode()
    assert world.news.title_ka in page and world.draft.title_ka not in page and "გაუქმებული" not in page
    assert client.get(reverse("portal:news_detail", args=[lag.slug, world.news.pk])).status_code == 200
    assert client.get(reverse("portal:news_detail", args=[lag.slug, world.draft.pk])).status_code == 404
    assert client.get(reverse("portal:news_detail", args=[lag.slug, world.withdrawn.pk])).status_code == 404
    assert client.get(reverse("portal:news", args=[lag.slug]) + "?page=abc").status_code == 200


def _count(django_assert_num_queries, client, url, n):
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


def test_news_list_costs_a_fixed_number_of_queries(client, lag, django_assert_num_queries):
    url = reverse("portal:news", args=[lag.slug])
    News.objects.create(lag=lag, title_ka="1", body_ka="x", is_published=True, published_at="2026-01-01T00:00Z")
    _count(django_assert_num_queries, client, url, 3)  # lag, count, page
    News.objects.bulk_create([News(lag=lag, title_ka=str(i), body_ka="x", is_published=True,
                                   published_at="2026-01-02T00:00Z") for i in range(40)])
    _count(django_assert_num_queries, client, url, 3)


def test_staff_news_list_costs_a_fixed_number_of_queries(client, lag, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(persona("manager"))
    url = reverse("portal:manage_news", args=[lag.slug])
    News.objects.create(lag=lag, title_ka="1", body_ka="x")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    News.objects.bulk_create([News(lag=lag, title_ka=str(i), body_ka="x") for i in range(40)])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
