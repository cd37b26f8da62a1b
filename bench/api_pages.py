"""Issue 6's open-data API for `make bench`: its list endpoints, anonymous, as raw paths, on the base
network (100 LAGs, 10,000 members, 2,000 meetings) and whatever the other suites added.

Own rows (bulk-created, so the benchmark measures reading them): every LAG gets a call whose received
list and results are published, with its criteria, one public amendment and a ranking (funded,
reserve, rejected, ineligible); the measured LAG's call has BENCH_API_APPLICATIONS [1000] applications,
the others 20 each. When no suite made projects yet (bench/monitoring_pages.py makes 20,000), it adds
BENCH_API_PROJECTS [2000] on the measured LAG through ``sopeli.monitoring.synthetic`` (contracts,
payments, reports with indicator values), so /projects, /payments and /indicators have content.
"""

import os
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

D = Decimal
BATCH = 2000
SMALL = 20  # applications per call in the other LAGs


def _call(lag, version, measure, *, code: str, applications: int, applicant, villages, now) -> dict:
    """One published call with its ranking; returns row counts."""
    from sopeli.grants.models import (
        Application,
        Call,
        CallAidRate,
        CallAmendment,
        CallMeasure,
        Criterion,
        RankingResult,
        Selection,
    )

    opens = now - timedelta(days=120)
    call = Call.objects.create(
        lag=lag, strategy_version=version, code=code, title_ka="მცირე გრანტები სოფლის ტურიზმისთვის",
        title_en="Small grants for rural tourism", summary_ka="ვაფინანსებთ საოჯახო სასტუმროებს.",
        summary_en="We fund guesthouses.", min_grant=D("1000.00"), max_grant=D("40000.00"), opens_at=opens,
        closes_at=opens + timedelta(days=45), min_total=D("50.00"), status="results_published", published_at=opens,
        received_list_published_at=opens + timedelta(days=48), results_published_at=opens + timedelta(days=100))
    cm = CallMeasure.objects.create(call=call, measure=measure, budget=D("20000.00") * max(applications // 10, 1))
    CallAidRate.objects.bulk_create([CallAidRate(call=call, applicant_type=t, max_rate=D(r))
                                     for t, r in (("person", 80), ("business", 80), ("ngo", 90))])
    Criterion.objects.bulk_create([
        Criterion(call=call, code="E1", kind="pass_fail", title_ka="ტერიტორიაზეა", title_en="In the territory", order=0),
        Criterion(call=call, code="C1", title_ka="სტრატეგიასთან კავშირი", title_en="Fit with the strategy", max_points=60, order=1),
        Criterion(call=call, code="C2", title_ka="მდგრადობა", title_en="Sustainability", max_points=40, order=2),
    ])
    CallAmendment.objects.create(call=call, number=1, reason_ka="ვადა გაგრძელდა", reason_en="Deadline extended",
                                 changes=[{"field": "closes_at", "label": "Deadline", "before": "…", "after": "…"}])
    funded, reserve = max(applications // 10, 1), max(applications // 10, 1)
    ineligible = applications // 50
    apps = []
    for k in range(applications):
        outcome = ("funded" if k < funded else "reserve" if k < funded + reserve
                   else "ineligible" if k >= applications - ineligible else "rejected")
        apps.append(Application(
            lag=lag, call=call, measure=cm, applicant=applicant, applicant_type=("business", "person", "ngo")[k % 3],
            applicant_name=f"განმცხადებელი {code}-{k + 1}", settlement=villages[k % len(villages)],
            title=f"პროექტი {code}-{k + 1}", total_budget=D("25000.00"), requested_grant=D("20000.00"),
            own_contribution=D("5000.00"), number=k + 1, submitted_at=opens + timedelta(days=40, minutes=k),
            decided_at=opens + timedelta(days=95), status=outcome,
            awarded_grant=D("20000.00") if outcome == "funded" else None))
    apps = Application.objects.bulk_create(apps, batch_size=BATCH)
    selection = Selection.objects.create(call=call, call_measure=cm, budget=cm.budget, total_funded=D("20000.00") * funded,
                                         decided_at=opens + timedelta(days=95), published_at=call.results_published_at)
    results = []
    for k, app in enumerate(apps):
        ranked = app.status != "ineligible"
        results.append(RankingResult(
            selection=selection, application=app, rank=k + 1 if ranked else None,
            score=D(90) - D(k * 40) / D(applications) if ranked else None, outcome=app.status, requested=app.requested_grant,
            proposed_amount=app.awarded_grant, awarded_amount=app.awarded_grant,
            reserve_position=k - funded + 1 if app.status == "reserve" else None))
    RankingResult.objects.bulk_create(results, batch_size=BATCH)
    return {"calls": 1, "applications": len(apps), "ranking rows": len(results)}


@transaction.atomic
def build(world: dict) -> dict:
    from sopeli.accounts.models import User
    from sopeli.core.models import Lag, Settlement
    from sopeli.grants.testing import approved_version
    from sopeli.projects.models import Contract, Payment
    from sopeli.strategy.models import Measure

    focus = world["lag"]
    now = timezone.now().replace(microsecond=0)
    big = int(os.environ.get("BENCH_API_APPLICATIONS", "1000"))
    applicant = User.objects.create_user("api-applicant@bench.example.ge", "bench-password-not-secret",
                                         full_name="განმცხადებელი")
    villages: dict[int, list] = {}
    for s in Settlement.objects.order_by("pk"):
        villages.setdefault(s.lag_id, []).append(s)
    counts = {"calls": 0, "applications": 0, "ranking rows": 0}
    for n, lag in enumerate([focus, *Lag.objects.exclude(pk=focus.pk).order_by("pk")]):
        version = approved_version(lag)
        measure = (Measure.objects.filter(version=version, code="M1").first()
                   or Measure.objects.create(version=version, code="M1", title_ka="მცირე ინვესტიციები",
                                             title_en="Small investments", max_grant=D("40000.00"), budget=D("1000000.00")))
        places = villages.get(lag.pk) or [Settlement.objects.create(lag=lag, name_ka="სოფელი", name_en="Village")]
        made = _call(lag, version, measure, code=f"API-{n + 1}", applications=big if lag == focus else SMALL,
                     applicant=applicant, villages=places, now=now)
        for key, value in made.items():
            counts[key] += value

    projects = 0
    if not Contract.objects.exists():  # bench/monitoring_pages.py did not run: projects, payments, indicators of our own
        from sopeli.monitoring import synthetic

        projects = int(os.environ.get("BENCH_API_PROJECTS", "2000"))
        synthetic.build({focus: projects}, grantee=applicant)
    world["counts"].update({"API calls (with results)": counts["calls"], "API applications": counts["applications"],
                            "API ranking rows": counts["ranking rows"]})
    if projects:
        world["counts"]["API projects"] = projects
    return {"slug": focus.slug, "big": big, "projects": Contract.objects.filter(lag=focus).count(),
            "payments": Payment.objects.filter(contract__lag=focus).count(), "calls": counts["calls"],
            "members": world["counts"].get("members")}


def pages(world: dict, extra: dict) -> list[tuple[str, str, list, bool]]:
    slug = extra["slug"]
    lag = f"lag={slug}"
    rows = [
        ("API lags (100 with villages)", "/api/v1/lags", [], False),
        ("API members of a LAG", f"/api/v1/members?{lag}", [], False),
        ("API members, every LAG", "/api/v1/members", [], False),
        ("API members, every LAG, offset 5,000", "/api/v1/members?offset=5000", [], False),
        ("API bodies of a LAG", f"/api/v1/bodies?{lag}", [], False),
        ("API meetings of a LAG", f"/api/v1/meetings?{lag}", [], False),
        ("API decisions of a LAG", f"/api/v1/decisions?{lag}", [], False),
        ("API decisions, every LAG", "/api/v1/decisions", [], False),
        (f"API calls, every LAG ({extra['calls']} calls)", "/api/v1/calls", [], False),
        (f"API received of a LAG ({extra['big']:,})", f"/api/v1/received?{lag}", [], False),
        ("API results of a LAG", f"/api/v1/results?{lag}", [], False),
        ("API results, every LAG", "/api/v1/results", [], False),
        (f"API projects of a LAG ({extra['projects']:,})", f"/api/v1/projects?{lag}", [], False),
        ("API projects, every LAG", "/api/v1/projects", [], False),
        (f"API payments of a LAG ({extra['payments']:,})", f"/api/v1/payments?{lag}", [], False),
        ("API indicators, every LAG", "/api/v1/indicators", [], False),
        ("calls feed (Atom)", "portal:calls_feed", [slug], False),
        ("open data page", "portal:open_data", [slug], False),
    ]
    return rows
