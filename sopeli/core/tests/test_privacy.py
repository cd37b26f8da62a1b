"""No personal data on anything the public can reach.

A secret marker is planted in every private field (``portal.tests.world.SECRETS``: ID number,
phone, address, e-mail, motivation of a member; a user's phone and e-mail; applicants' and rejected
applicants' names; draft and withdrawn news; a subscriber's address; the record of a meeting whose
minutes are not published; a private audit event; a phone smuggled into a public fact), and in every
private field of a competition and its projects (``portal.tests.world_grants.COMPETITION_SECRETS``:
applicants' accounts, names of applications never funded, eligibility reasons, evaluators' comments
submitted or not, drafts, a call whose results are not published, appeals' grounds, contract texts,
bank references, claims, reports; and the open-data exports' world, ``GRANT_SECRETS``). Then every
public page, feed, API answer, data file and the ledger file is fetched and searched for the markers.

Public addresses come from each app's ``public_urls.py`` (``public_urls(lag) -> list[str]``) and
from crawling the links of every page reached, starting at the network and LAG home pages; so new
apps' pages are covered as soon as they are linked or registered.
"""

import importlib
import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from sopeli.core.privacy import PUBLIC_MEMBER_FIELDS, public_member, scrub
from sopeli.portal.public_urls import API_DETAILS
from sopeli.portal.standards.tests.world import GRANT_SECRETS, build_grants
from sopeli.portal.tests.world import SECRETS, build_world
from sopeli.portal.tests.world_grants import COMPETITION_SECRETS, build_competition

MARKER = re.compile(r"zq[123]0\d\d")
SKIP_PREFIXES = ("/static/", "/admin/", "/i18n/")
SKIP_PARTS = ("/accounts/", "/manage/", "/my/", "/me/")
MAX_PAGES = 1000


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag in {"a", "link"}:
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def registered_public_urls(lag) -> list[str]:
    urls = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("sopeli."):
            continue
        try:
            module = importlib.import_module(f"{app}.public_urls")
        except ModuleNotFoundError:
            continue
        urls += module.public_urls(lag)
    return urls


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def crawl(client: Client, start: list[str]) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = _body(response)
        seen[url] = (response.status_code, body)
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(body)
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(SKIP_PREFIXES) or any(p in path for p in SKIP_PARTS):
                continue
            if path not in seen:
                queue.append(path)
    return seen


@pytest.mark.django_db
def test_no_private_marker_on_any_public_page_feed_api_answer_or_ledger_file(lag):
    world = build_world(lag)
    competition = build_competition(lag)
    build_grants(lag)
    secrets = [*SECRETS.values(), *COMPETITION_SECRETS.values(), *GRANT_SECRETS.values()]
    assert all(MARKER.search(v) for v in secrets)
    client = Client(raise_request_exception=False)
    start = ["/ka/", "/en/", f"/ka/{lag.slug}/", f"/en/{lag.slug}/", *registered_public_urls(lag)]
    # Single answers of the API for every id the lists give, and what is not public asked for directly.
    for endpoint, key in API_DETAILS.items():
        items = json.loads(_body(client.get(f"/api/v1/{endpoint}?lag={lag.slug}&limit=50")))["items"]
        start += [f"/api/v1/{endpoint}/{item[key]}" for item in items]
    hidden = [f"/api/v1/decisions/{world.hidden.pk}", f"/api/v1/calls/{competition.draft_call.pk}",
              f"/api/v1/results/{competition.hidden_call.pk}"]
    start += hidden
    pages = crawl(client, start)

    # The crawl really reached the public record, and all of it.
    assert 20 < len(pages) < MAX_PAGES
    for must in (f"/en/{lag.slug}/ledger.jsonl", f"/en/{lag.slug}/feeds/decisions.atom", "/api/v1/members?limit=200",
                 f"/en/{lag.slug}/feeds/calls.atom", f"/en/{lag.slug}/data/", f"/en/{lag.slug}/data/360giving.json",
                 f"/api/v1/results/{competition.call.pk}", f"/en/{lag.slug}/calls/{competition.call.pk}/results/"):
        assert pages[must][0] == 200, must
    assert "Road repair" in pages[f"/en/{lag.slug}/feeds/decisions.atom"][1]
    assert "Nino Public" in pages[f"/api/v1/members?lag={lag.slug}&limit=200"][1]
    for endpoint in ("received", "results", "projects", "payments", "indicators"):  # the lists carry data
        assert json.loads(pages[f"/api/v1/{endpoint}?lag={lag.slug}&limit={50 if endpoint == 'results' else 200}"][1])["items"]
    assert all(pages[url][0] == 404 for url in hidden)

    leaks = {url: sorted(set(MARKER.findall(body))) for url, (_status, body) in pages.items() if MARKER.search(body)}
    names = {v.split()[0].lstrip("+").split("@")[0]: k for secrets_ in (SECRETS, COMPETITION_SECRETS, GRANT_SECRETS)
             for k, v in secrets_.items()}
    assert not leaks, {url: [names.get(m, m) for m in found] for url, found in leaks.items()}
    errors = {url: status for url, (status, _body_) in pages.items() if status >= 500}
    assert not errors, errors


def test_public_member_fields_leave_out_every_private_field():
    for private in ("id_number", "phone", "address", "email", "motivation", "user", "gender"):
        assert private not in PUBLIC_MEMBER_FIELDS


@pytest.mark.django_db
def test_public_member_serialises_public_fields_only(lag):
    world = build_world(lag)
    text = json.dumps(public_member(world.nino), ensure_ascii=False)
    assert "Nino Public" in text and not MARKER.search(text)


def test_scrub_drops_private_keys_at_any_depth():
    assert scrub({"a": 1, "phone": 2, "x": [{"Email": 3, "b": {"address": 4, "c": 5}}]}) == {"a": 1, "x": [{"b": {"c": 5}}]}


@pytest.mark.django_db
def test_public_decision_is_a_ledger_ready_fact(lag):
    from sopeli.core.audit import audit_record
    from sopeli.core.ledger import verify_lag
    from sopeli.core.privacy import public_decision

    world = build_world(lag)
    fact = public_decision(world.roll)
    assert fact["result"] == "approved" and fact["tally"] == {"for": 2, "against": 1, "abstain": 0}
    assert {v["member"]["name"] for v in fact["votes"]} == {"Nino Public", "Kazbegi Municipality", "Farmer Juta"}
    assert fact["recusals"][0]["reason"] == "the applicant is the owner's brother"
    assert public_decision(world.hands)["votes"] == []
    audit_record(actor=None, lag=lag, action="item.approved", target=world.roll, summary="A-03", public=True,
                 data={"decision": fact})
    entry = lag.ledger_entries.order_by("-seq").first()
    assert entry.fact["data"]["decision"]["votes"] == fact["votes"]
    assert not MARKER.search(entry.canonical) and verify_lag(lag) == []
