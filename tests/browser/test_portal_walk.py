"""A resident walks a LAG's public portal on a phone, in real Chromium (the demo LAG, Kazbegi).

For every page: the first load (HTML, CSS, JS, images, fonts) weighs at most 60 KB compressed; the
page's main content shows with JavaScript turned off; axe-core finds no serious or critical violation.
A record table turned into cards on a phone (``table.stack``) fits the screen, and each cell's
``data-label`` (the column name a phone shows above the value) is its column header's text.

How the weight is measured: every response of the page's first load (a fresh browser context, empty
cache) is counted. A response the server compressed (the HTML: Django's GZipMiddleware) counts with
what Chromium reports as transferred (``request.sizes()``: body as encoded on the wire plus headers).
The test server hands static files over uncompressed (Django's live server, not WhiteNoise's
collectstatic output, which serves them pre-compressed), so an uncompressed response counts as its
headers plus the gzip size (level 6) of its body: what a production browser would receive. The table
is written to ``test-artifacts/portal-walk.txt``.
"""

import gzip
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMIT = 60 * 1024
# For each table.stack on the page: is it wider than its box (a column off-screen), and which cells
# carry a data-label other than their column's header text (colspans counted).
STACKED_TABLE_PROBLEMS = """() => [...document.querySelectorAll("main table.stack")].flatMap(table => {
  const heads = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim());
  const problems = heads.length ? [] : ["no header row"];
  if (table.scrollWidth > table.parentElement.clientWidth + 1) problems.push(`${table.scrollWidth}px wide on a phone`);
  for (const row of table.querySelectorAll("tbody tr")) {
    let column = 0;
    for (const cell of row.cells) {
      const label = cell.getAttribute("data-label");
      if (label !== null && label.trim() !== heads[column]) problems.push(`cell labelled "${label}" under "${heads[column]}"`);
      column += cell.colSpan;
    }
  }
  return [...new Set(problems)];
})"""
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
COMPRESSIBLE = re.compile(r"text/|javascript|json|xml|svg")


def portal_pages(lag) -> list[tuple[str, str]]:
    from django.urls import reverse
    from django.utils.translation import override

    from sopeli.governance.models import Meeting, MeetingStatus
    from sopeli.grants.models import Call
    from sopeli.membership.models import Body
    from sopeli.portal.models import News
    from sopeli.strategy.models import StrategyVersion

    s = lag.slug
    with override("ka"):
        pages = [("network home", reverse("core:home")), ("LAG home", reverse("core:lag_home", args=[s])),
                 ("members", reverse("membership:members", args=[s]))]
        body = Body.objects.filter(lag=lag).order_by("pk").first()
        if body:
            pages.append(("a body", reverse("membership:body", args=[s, body.pk])))
        pages.append(("decisions", reverse("governance:decisions", args=[s])))
        meeting = Meeting.objects.filter(lag=lag, status=MeetingStatus.PUBLISHED).order_by("pk").first()
        if meeting:
            pages.append(("minutes", reverse("governance:minutes", args=[s, meeting.pk])))
        if StrategyVersion.objects.filter(lag=lag, status="approved").exists():
            pages.append(("strategy", reverse("strategy:strategy", args=[s])))
        pages.append(("calls", reverse("grants:calls", args=[s])))
        call = Call.objects.filter(lag=lag, status="results_published").order_by("pk").first()
        if call:
            pages += [("a call", reverse("grants:call", args=[s, call.pk])),
                      ("results", reverse("grants:results", args=[s, call.pk]))]
        pages += [("funded projects", reverse("public:projects", args=[s])),
                  ("contracts and payments", reverse("projects:public_list", args=[s])),
                  ("money", reverse("public:money", args=[s])),
                  ("map", reverse("public:map", args=[s])),
                  ("trainings", reverse("trainings:list", args=[s])),
                  ("news", reverse("portal:news", args=[s]))]
        news = News.objects.filter(lag=lag, is_published=True).order_by("pk").first()
        if news:
            pages.append(("a news item", reverse("portal:news_detail", args=[s, news.pk])))
        pages += [("ledger", reverse("portal:ledger", args=[s])),
                  ("how we decide", reverse("portal:how_we_decide", args=[s])),
                  ("search", reverse("public_network:search") + "?q=" + "სასტუმრო")]
    return pages


def _weight(responses) -> tuple[int, list[str]]:
    total, lines = 0, []
    for r in responses:
        try:
            sizes = r.request.sizes()
        except Exception:  # noqa: BLE001 - a response without a finished request (aborted)
            continue
        headers = {k.lower(): v for k, v in r.headers.items()}
        if headers.get("content-encoding"):
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            how = "wire"
        else:
            try:
                body = r.body()
            except Exception:  # noqa: BLE001 - redirects have no body
                body = b""
            compressible = COMPRESSIBLE.search(headers.get("content-type", ""))
            size = sizes["responseHeadersSize"] + (len(gzip.compress(body, 6)) if compressible and body else len(body))
            how = "gzip" if compressible else "raw"
        total += size
        lines.append(f"    {size:>7} {how:4} {r.request.resource_type:10} {r.url}")
    return total, lines


def test_a_resident_walks_the_portal_on_a_phone(live_server, browser, browser_context_args, screenshot):
    call_command("seed_demo", "--if-empty")
    from sopeli.core.models import Lag

    lag = Lag.objects.get(slug="kazbegi")
    pages = portal_pages(lag)
    axe = Axe()
    report, problems = [], []
    for label, path in pages:
        url = live_server.url + path
        # First load: a fresh context (empty cache), every response of the load counted.
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        responses = []
        page.on("response", lambda r, seen=responses: seen.append(r))
        answer = page.goto(url, wait_until="load")
        assert answer is not None and answer.status == 200, (label, url, answer and answer.status)
        page.wait_for_load_state("networkidle")
        weight, lines = _weight(responses)
        expect(page.locator("main h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")  # noted, not asserted here
        stacked = page.evaluate(STACKED_TABLE_PROBLEMS)
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        minor = [v for v in results.response["violations"] if v["impact"] not in ("serious", "critical")]
        screenshot(page, f"portal-walk-{re.sub(r'[^a-z]+', '-', label)}")
        context.close()

        # Without JavaScript the main content is there.
        nojs = browser.new_context(**browser_context_args, java_script_enabled=False)
        plain = nojs.new_page()
        plain_answer = plain.goto(url)
        assert plain_answer is not None and plain_answer.status == 200
        expect(plain.locator("main h1")).to_be_visible()
        main_text = plain.locator("main").inner_text()
        nojs.close()

        report.append(f"{label:24} {weight / 1024:6.1f} KB  axe serious/critical: {len(bad)}  other: "
                      f"{', '.join(v['id'] + '(' + str(v['impact']) + ')' for v in minor) or '-'}  width {width}px  {path}")
        report += lines
        if weight > LIMIT:
            problems.append(f"{label}: {weight / 1024:.1f} KB > 60 KB")
        for v in bad:
            problems.append(f"{label}: axe {v['id']} ({v['impact']}): {v['help']} — "
                            + "; ".join(n["html"][:160] for n in v["nodes"][:3]))
        problems += [f"{label}: record table: {p}" for p in stacked]
        if len(main_text.strip()) < 20:
            problems.append(f"{label}: no main content without JavaScript")

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "portal-walk.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n".join(r for r in report if not r.startswith("    ")))
    assert not problems, "\n".join(problems)


def test_the_map_draws_markers_when_asked(live_server, page):
    call_command("seed_demo", "--if-empty")
    from django.urls import reverse

    from sopeli.core.models import Settlement

    if not Settlement.objects.filter(lag__slug="kazbegi", latitude__isnull=False).exists():
        pytest.fail("the demo's villages lost their coordinates: the map has nothing to draw")
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(live_server.url + reverse("public:map", args=["kazbegi"]))
    assert not any("leaflet" in u for u in scripts), "Leaflet must not be part of the first load"
    page.locator("#show-map").tap()
    expect(page.locator("#project-map .leaflet-interactive").first).to_be_attached()
    assert any("leaflet/leaflet.js" in u for u in scripts)
