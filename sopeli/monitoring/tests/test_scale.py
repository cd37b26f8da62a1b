"""Monitoring at scale: the synthetic network the benchmark uses adds up (figures a donor would
check), and every dashboard and projects list costs the same number of queries with few projects
and with many, with one LAG and with several."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from sopeli.monitoring import selectors, synthetic
from sopeli.projects.models import IndicatorValue
from sopeli.projects.selectors import commitments
from sopeli.testing.factories import BodyFactory, LagFactory, MemberFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def jobs_of(n: int) -> Decimal:
    """FTE the synthetic builder reports for n projects: 0.5, 1.0, 1.5, 0.5, … each."""
    return sum((D("0.50") * (k % 3 + 1) for k in range(n)), D("0.00"))


def test_synthetic_projects_add_up(lag):
    other = LagFactory(slug="borjomi")
    counts = synthetic.build({lag: 12, other: 5}, grantee=UserFactory())
    assert counts["projects"] == 17 and counts["indicator values"] == 85 == IndicatorValue.objects.count()
    with translation.override("en"):
        jobs = next(p for p in selectors.indicator_progress(lag) if p.indicator.code == "R1.1")
    assert jobs.contribution == jobs_of(12) == D("12.00") and jobs.projects == 12 and jobs.planned == D("24.00")
    assert jobs.by_gender == {"women": D("6.00"), "men": D("6.00")}  # each project: total − 0.5 women, 0.5 men
    ledger = commitments(lag)
    assert ledger.total.contracted == D("480000.00") and all(r.balances for r in ledger.rows)
    network = selectors.network_dashboard()
    by_slug = {r["lag"].slug: r for r in network["rows"]}
    assert by_slug["kazbegi"]["jobs"] == D("12.00") and by_slug["borjomi"]["jobs"] == jobs_of(5)
    assert network["total"]["contracts"] == 17 and network["total"]["grant"] == D("680000.00")


def test_durations_of_the_synthetic_projects(lag):
    synthetic.build({lag: 12}, grantee=UserFactory())
    d = selectors.durations(lag)
    # 18 applications in two calls, each decided 60 days and 0 to 8 hours after it was submitted.
    assert d["to_decision"] == {"count": 18, "median": 60.2, "mean": 60.2, "max": 60.3}
    # Nine claims paid 12 days later; the one claim still to verify has no payment after it and does not count.
    assert d["claim_to_payment"] == {"count": 9, "median": 12.0, "mean": 12.0, "max": 12.0}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def staff_lists(slug: str) -> list[str]:
    with translation.override("en"):
        return [reverse(name, args=[slug]) for name in
                ("monitoring:dashboard", "projects:manage_ledger", "projects:manage_list", "projects:public_list")] + [
            reverse("monitoring:donor_report", args=[slug, "xlsx"])]


def grow(lag, grantee) -> None:
    """More of everything a dashboard counts: projects here and in other LAGs, bodies with seats, a
    general assembly, members (one with a grantee's name), consultation-free LAG data."""
    from sopeli.membership.models import BodyKind
    from sopeli.projects.models import Contract

    others = [LagFactory(slug=f"lag-{i}") for i in range(3)]
    synthetic.build({lag: 30, **dict.fromkeys(others, 4)}, grantee=grantee)
    BodyFactory(lag=lag, kind=BodyKind.ASSEMBLY, name_en="General assembly", name_ka="საერთო კრება", all_members_sit=True)
    for kind in (BodyKind.BOARD, BodyKind.WORKING_GROUP, BodyKind.WORKING_GROUP):
        body = BodyFactory(lag=lag, kind=kind)
        for _i in range(3):
            SeatFactory(body=body)
    MemberFactory(lag=lag, name=Contract.objects.filter(lag=lag).first().grantee_name)


@pytest.mark.parametrize("who", ["manager", "network_officer"])
def test_query_counts_do_not_grow_with_projects(client, persona, lag, who):
    client.force_login(persona(who))
    grantee = UserFactory()
    synthetic.build({lag: 2}, grantee=grantee)
    pages = [*staff_lists(lag.slug), *(["/en/network/monitoring/"] if who == "network_officer" else [])]
    small = {url: count_queries(client, url) for url in pages}
    grow(lag, grantee)
    large = {url: count_queries(client, url) for url in pages}
    assert large == small
    body = client.get(staff_lists(lag.slug)[0]).content.decode()
    assert "General assembly" in body and "1 grant went to a LAG member." in body


def test_project_lists_come_in_pages_that_keep_the_filter(client, persona, lag):
    from sopeli.projects.models import Contract

    synthetic.build({lag: 80}, grantee=UserFactory())  # 60 signed, 20 settled
    client.force_login(persona("manager"))
    manage, public = staff_lists(lag.slug)[2:4]
    signed = [c.number for c in Contract.objects.filter(lag=lag, status="signed").order_by("call__code", "number")]
    first = client.get(manage, {"status": "signed"}).content.decode()
    assert all(n in first for n in signed[:50]) and not any(n in first for n in signed[50:])
    assert "Page 1 of 2" in first and "?status=signed&amp;page=2" in first
    second = client.get(manage, {"status": "signed", "page": 2}).content.decode()
    assert all(n in second for n in signed[50:]) and "Page 2 of 2" in second
    settled = client.get(manage, {"status": "settled"}).content.decode()
    assert "Page 1 of" not in settled and settled.count("/manage/projects/") > 20
    assert client.get(manage, {"page": "nonsense"}).status_code == 200
    client.logout()
    page = client.get(public, {"page": 2}).content.decode()
    assert "Page 2 of 2" in page
