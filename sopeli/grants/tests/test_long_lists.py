"""The long lists of a big call (thousands of applications) stay small pages: the received list, the
manager's applications, the evaluator's queue, the public results and the whole reserve list show a
page of rows at a time with the same number of queries whatever the size, and nothing is lost on the
way (every row is on some page; a number can be found; the results keep every funded project)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sopeli.grants.models import Application, Assignment, Outcome, RankingResult, ScoreSheet, Selection
from sopeli.grants.selectors.selection import RESERVE_ON_RESULTS, STAFF_ROWS
from sopeli.grants.testing import published_call
from sopeli.grants.views.checks import PAGE_SIZE
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.testing.factories import SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
ROW = re.compile(r"<tr[ >]")


def url(name, lag, *args):
    return reverse(f"grants:{name}", args=[lag.slug, *args])


def get(client, page):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page)
    assert response.status_code == 200, page
    return response.content.decode(), len(ctx.captured_queries)


def body_rows(html: str) -> int:
    """Rows of the first table's body."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(ROW.findall(body))


def add_applications(call, n, *, start=1, status=ApplicationStatus.SUBMITTED):
    user, village = UserFactory(), SettlementFactory(lag=call.lag)
    measure = call.call_measures.first()
    now = timezone.now()
    return Application.objects.bulk_create([
        Application(lag=call.lag, call=call, measure=measure, applicant=user, applicant_type="business",
                    applicant_name=f"Applicant {i}", settlement=village, title=f"Project number {i}",
                    total_budget=D(5000), requested_grant=D(4000), own_contribution=D(1000), status=status,
                    number=i, submitted_at=now - timedelta(minutes=10000 - i))
        for i in range(start, start + n)])


@pytest.fixture
def closed_call(lag):
    call = published_call(lag)
    call.received_list_published_at = timezone.now()
    call.save(update_fields=["received_list_published_at"])
    return call


def test_received_list_is_paginated_and_finds_a_number(client, lag, closed_call):
    add_applications(closed_call, 3)
    html, few = get(client, url("received", lag, closed_call.pk))
    assert body_rows(html) == 3 and "3 applications received." in html
    assert 'name="number"' not in html  # one page: nothing to search

    add_applications(closed_call, 2 * PAGE_SIZE + 7, start=4)
    html, many = get(client, url("received", lag, closed_call.pk))
    assert many == few
    assert body_rows(html) == PAGE_SIZE and f"{2 * PAGE_SIZE + 10} applications received." in html
    assert "Page 1 of 3" in html and "Project number 1<" in html and f"Project number {PAGE_SIZE + 1}<" not in html
    last, _ = get(client, url("received", lag, closed_call.pk) + "?page=3")
    assert body_rows(last) == 10 and f"Project number {2 * PAGE_SIZE + 10}<" in last

    # "Find a number": the page holding it, the row marked; the whole reference works too.
    for query in ("?number=77", f"?number={closed_call.code}-077"):
        found, _ = get(client, url("received", lag, closed_call.pk) + query)
        assert "Page 2 of 3" in found
        assert re.search(r'<tr class="found" aria-current="true"><td>[^<]*-077</td><td>Project number 77<', found)
    missing, _ = get(client, url("received", lag, closed_call.pk) + "?number=9999")
    assert "No application has the number 9999." in missing and 'class="found"' not in missing
    bad, _ = get(client, url("received", lag, closed_call.pk) + "?number=abc")
    assert "Enter the number of an application" in bad and "Page 1 of 3" in bad


def test_manager_list_is_paginated_and_keeps_the_status_filter(client, lag, persona, closed_call):
    client.force_login(persona("manager"))
    add_applications(closed_call, 2)
    _, few = get(client, url("manage_applications", lag, closed_call.pk))
    add_applications(closed_call, PAGE_SIZE + 5, start=3, status=ApplicationStatus.ELIGIBLE)
    add_applications(closed_call, 5, start=PAGE_SIZE + 8, status=ApplicationStatus.INELIGIBLE)
    html, many = get(client, url("manage_applications", lag, closed_call.pk))
    assert many == few
    assert body_rows(html) == PAGE_SIZE and "Page 1 of 2" in html
    eligible, _ = get(client, url("manage_applications", lag, closed_call.pk) + "?status=eligible")
    assert body_rows(eligible) == PAGE_SIZE and "eligible (55)" in eligible
    assert 'href="?status=eligible&amp;page=2"' in eligible
    second, _ = get(client, url("manage_applications", lag, closed_call.pk) + "?status=eligible&page=2")
    assert body_rows(second) == 5 and "Project number 57<" in second and "Project number 1<" not in second


def test_evaluator_queue_is_paginated_with_work_to_do_first(client, lag, persona, closed_call):
    evaluator = persona("evaluator")
    client.force_login(evaluator)
    apps = add_applications(closed_call, PAGE_SIZE + 10, status=ApplicationStatus.UNDER_EVALUATION)
    rows = Assignment.objects.bulk_create([Assignment(application=apps[0], evaluator=evaluator)])
    _, few = get(client, url("evaluations", lag))
    rows += Assignment.objects.bulk_create([Assignment(application=a, evaluator=evaluator) for a in apps[1:]])
    done = rows[:PAGE_SIZE]  # the oldest are done; the ten newest are still to score
    ScoreSheet.objects.bulk_create([ScoreSheet(assignment=a, total=D(70), submitted_at=timezone.now()) for a in done])
    html, many = get(client, url("evaluations", lag))
    assert many == few
    assert "10 applications to score." in html and f"{PAGE_SIZE} done." in html
    assert body_rows(html) == PAGE_SIZE and "Page 1 of 2" in html
    first_rows = html.split("<tbody>", 1)[1].split("</tr>")[:10]
    assert all("declare independence" in row for row in first_rows)  # the work to do is on top


def results_call(lag, *, funded, reserve, rejected):
    call = published_call(lag)
    apps = add_applications(call, funded + reserve + rejected, status=ApplicationStatus.FUNDED)
    now = timezone.now()
    selection = Selection.objects.create(call=call, call_measure=call.call_measures.get(), run=1, budget=D(100000),
                                         decided_at=now, published_at=now)
    rows = []
    for i, app in enumerate(apps):
        if i < funded:
            rows.append(RankingResult(selection=selection, application=app, rank=i + 1, score=D(90) - i, requested=D(4000),
                                      outcome=Outcome.FUNDED, proposed_amount=D(4000), awarded_amount=D(4000)))
        elif i < funded + reserve:
            rows.append(RankingResult(selection=selection, application=app, rank=i + 1, score=D(80) - D(i) / 100,
                                      requested=D(4000), outcome=Outcome.RESERVE, reserve_position=i - funded + 1))
        else:
            rows.append(RankingResult(selection=selection, application=app, score=D(20), requested=D(4000),
                                      outcome=Outcome.REJECTED, shortfalls=[]))
    RankingResult.objects.bulk_create(rows)
    call.status, call.results_published_at = CallStatus.RESULTS_PUBLISHED, now
    call.save(update_fields=["status", "results_published_at"])
    return call, selection


def test_results_show_every_funded_project_and_the_head_of_the_reserve(client, lag):
    small, _ = results_call(lag, funded=2, reserve=3, rejected=1)
    html, few = get(client, url("results", lag, small.pk))
    assert "The whole reserve list" not in html  # all three are on the page
    big, selection = results_call(lag, funded=12, reserve=PAGE_SIZE + 15, rejected=40)
    html, many = get(client, url("results", lag, big.pk))
    assert many == few
    assert body_rows(html) == 12  # every funded project
    reserve = html.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert reserve.count("<li>") == RESERVE_ON_RESULTS and "Project number 13 " in reserve
    assert f"The whole reserve list: {PAGE_SIZE + 15} projects" in html and "40 applications did not reach" in html
    link = url("results_reserve", lag, big.pk, selection.call_measure_id)
    assert f'href="{link}"' in html

    first, n1 = get(client, link)
    assert body_rows(first) == PAGE_SIZE and "Page 1 of 2" in first
    second, n2 = get(client, link + "?page=2")
    assert n1 == n2 and body_rows(second) == 15
    assert f'data-label="Place">{PAGE_SIZE + 15}</td>' in second  # the last place, in order
    assert "Project number 1 " not in first + second  # funded and rejected are not on the reserve list
    # Not published, or a measure of another call: not there.
    assert client.get(url("results_reserve", lag, big.pk, 999999)).status_code == 404
    Selection.objects.filter(pk=selection.pk).update(published_at=None)
    assert client.get(link).status_code == 404


def test_results_tables_reflow_on_phones_instead_of_hiding_columns(client, lag):
    call, _ = results_call(lag, funded=1, reserve=1, rejected=0)
    html, _ = get(client, url("results", lag, call.pk))
    assert '<table class="stack">' in html
    assert 'data-label="Score">90.00</td>' in html and 'data-label="Grant (GEL)">4,000.00' in html


def test_staff_ranking_and_board_view_show_a_page_of_each_run(client, lag, persona):
    client.force_login(persona("manager"))
    small, _ = results_call(lag, funded=1, reserve=1, rejected=1)
    _, few = get(client, url("ranking", lag, small.pk))
    big, selection = results_call(lag, funded=5, reserve=STAFF_ROWS, rejected=20)
    html, many = get(client, url("ranking", lag, big.pk))
    assert many == few
    assert body_rows(html) == STAFF_ROWS and f"Page 1 of 2 ({STAFF_ROWS + 25} applications)" in html
    assert f'href="?rows={selection.pk}&amp;page=2"' in html
    second, n2 = get(client, url("ranking", lag, big.pk) + f"?rows={selection.pk}&page=2")
    assert n2 == few and body_rows(second) == 25
    assert f"Project number {STAFF_ROWS + 5}<" in second  # the last ranked, then every unranked one after it
    assert second.count(">not funded<") == 20 and "Project number 1<" not in second
    for bad in ("?rows=x&page=y", f"?rows={selection.pk}&page=999"):  # nonsense or too far: a page, not an error
        assert client.get(url("ranking", lag, big.pk) + bad).status_code == 200
    # The board reads the same pages of what it votes on.
    Selection.objects.filter(pk=selection.pk).update(decision_item=None)
    assert client.get(url("board_selection", lag, big.pk)).status_code == 200
