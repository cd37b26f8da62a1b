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


def test_calls_feed_has_each_published_call_and_public_amendment_and_nothing_private(client, lag):
    import re

    from sopeli.grants.models import CallAmendment
    from sopeli.portal.tests.world_grants import build_competition

    comp = build_competition(lag)
    CallAmendment.objects.create(call=comp.call, number=1, reason_ka="ვადა გაგრძელდა", reason_en="Deadline extended",
                                 changes=[{"field": "closes_at", "label": "Deadline", "before": "10 June", "after": "17 June"}])
    CallAmendment.objects.create(call=comp.call, number=2, reason_ka="შიდა შენიშვნა", reason_en="Internal note", is_public=False)
    response = client.get(f"/en/{lag.slug}/feeds/calls.atom")
    entries = _feed(client, "calls_feed", lag)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert len(titles) == 3  # two public calls published, one public amendment; never the draft call
    assert any(t.startswith(f"{comp.call.code} ") or comp.call.code in t for t in titles)
    english = response.content.decode()
    assert f"Call {comp.call.code} amended (amendment 1)" in english and "Deadline extended" in english
    assert "17 June" in english and "Internal note" not in english
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert any(link.endswith(f"/calls/{comp.call.pk}/#amendment-1") for link in links)
    assert len(set(e.find(f"{ATOM}id").text for e in entries)) == 3
    assert not re.search(r"zq[123]0\d\d", english)


def test_calls_page_links_its_feed(client, lag):
    from html.parser import HTMLParser

    class Alternates(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/atom+xml":
                self.found.append(a["href"])

    parser = Alternates()
    parser.feed(client.get(reverse("grants:calls", args=[lag.slug])).content.decode())
    assert parser.found == [reverse("portal:calls_feed", args=[lag.slug])]
    assert _feed(client, "calls_feed", lag) == []  # a LAG with no call yet: a valid, empty feed
