"""Atom feeds for news and decisions are well-formed Atom with the public items only."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, name, lag):
    response = client.get(reverse(f"portal:{name}", args=[lag.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}author/{ATOM}name").text
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return entries


def test_news_feed(client, world):
    entries = _feed(client, "news_feed", world.lag)
    assert [e.find(f"{ATOM}title").text for e in entries] in ([world.news.title_ka], [world.news.title_en])
    assert _feed(client, "news_feed", world.lag)  # stable


def test_decisions_feed_has_published_decisions_only(client, world):
    entries = _feed(client, "decisions_feed", world.lag)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert len(titles) == 3
    assert any(t.startswith("A-03") for t in titles) and not any(t.startswith("B-01") for t in titles)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)


def test_feeds_in_english(client, world):
    response = client.get(f"/en/{world.lag.slug}/feeds/decisions.atom")
    assert "Road repair" in response.content.decode()


def test_feeds_of_an_empty_lag_are_valid(client, lag):
    assert _feed(client, "news_feed", lag) == []
    assert _feed(client, "decisions_feed", lag) == []


def test_feed_of_an_unknown_lag_is_404(client):
    assert client.get("/ka/nowhere/feeds/news.atom").status_code == 404
