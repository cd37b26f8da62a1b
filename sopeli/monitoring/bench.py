"""Benchmark of the monitoring reads at network scale: prints figures, not a test.

    .venv/bin/python -m sopeli.monitoring.bench            # 100 LAGs, 20,000 projects, 100,000 values
    BENCH_LAGS=10 BENCH_PROJECTS=2000 .venv/bin/python -m sopeli.monitoring.bench

It creates a throwaway test database (Django's test runner: SQLite in memory, or a ``test_…``
database beside ``DATABASE_URL`` on PostgreSQL), fills it with ``bulk_create`` and times the LAG
dashboard, the network dashboard and the donor report (XLSX and PDF) with their query counts and
peak Python memory (tracemalloc). Nothing is written to the real database.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import tracemalloc
from decimal import Decimal

D = Decimal


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sopeli.settings")
    import django

    django.setup()


def build(lags: int, projects: int) -> list:
    from django.utils import timezone

    from sopeli.accounts.models import User
    from sopeli.core.models import Lag, Settlement
    from sopeli.grants.models import Application, Call, CallMeasure
    from sopeli.grants.testing import approved_version
    from sopeli.projects.models import Contract, IndicatorValue, Payment, Report
    from sopeli.strategy.models import Indicator, Measure, Objective

    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    Lag.objects.bulk_create([Lag(slug=f"lag{i}", name_ka=f"ჯგუფი {i}", name_en=f"LAG {i}", municipality_ka="მ", municipality_en="M")
                             for i in range(lags)])
    all_lags = list(Lag.objects.order_by("pk"))
    user = User.objects.create_user("bench@example.ge", "x", full_name="Bench")
    per_lag = projects // lags
    out = []
    for lag in all_lags:
        version = approved_version(lag)
        village = Settlement.objects.create(lag=lag, name_ka="სოფელი", name_en="Village")
        objective = Objective.objects.create(version=version, code="O1", title_ka="ო", title_en="O")
        measure = Measure.objects.create(version=version, code="M1", title_ka="ღ", title_en="M", max_grant=D(40000), budget=D(per_lag * 40000))
        measure.objectives.add(objective)
        jobs = Indicator.objects.create(version=version, code="R1.1", kind="result", objective=objective, name_ka="ს", name_en="Jobs",
                                        unit_ka="სრული განაკვეთი", unit_en="full-time equivalents", baseline_value=0, target_value=40)
        output = Indicator.objects.create(version=version, code="P1", kind="output", measure=measure, name_ka="პ", name_en="Output",
                                          unit_ka="ე", unit_en="units", baseline_value=0, target_value=20)
        call = Call.objects.create(lag=lag, strategy_version=version, code="B/1", title_ka="კ", title_en="C", max_grant=D(40000),
                                   opens_at=now - datetime.timedelta(days=400), closes_at=now - datetime.timedelta(days=350),
                                   status="results_published", published_at=now - datetime.timedelta(days=400))
        cm = CallMeasure.objects.create(call=call, measure=measure, budget=D(per_lag * 40000))
        apps = Application.objects.bulk_create([Application(
            lag=lag, call=call, measure=cm, applicant=user, applicant_type="business", applicant_name=f"Grantee {n}", settlement=village,
            title=f"Project {n}", total_budget=D(50000), requested_grant=D(40000), own_contribution=D(10000), status="funded",
            number=n + 1, submitted_at=now - datetime.timedelta(days=380), decided_at=now - datetime.timedelta(days=340),
            awarded_grant=D(40000)) for n in range(per_lag)])
        contracts = Contract.objects.bulk_create([Contract(
            lag=lag, application=a, call=call, call_measure=cm, grantee=user, number=f"B/1-{a.number:05d}", grantee_name=a.applicant_name,
            title=a.title, settlement=village, applicant_type="business", sector="business", awarded_grant=D(40000), grant=D(40000),
            total_budget=D(50000), aid_rate=D("0.8000"), starts_on=today - datetime.timedelta(days=300), ends_on=today,
            status="signed", eligibility_ok=True, eligibility_at=now, signed_by_grantee_on=today - datetime.timedelta(days=300 - a.number % 200),
            signed_by_lag_on=today - datetime.timedelta(days=300 - a.number % 200), paid_total=D(16000)) for a in apps])
        Payment.objects.bulk_create([Payment(contract=c, paid_on=c.signed_by_lag_on, amount=D(16000), reference="B") for c in contracts])
        reports = Report.objects.bulk_create([Report(contract=c, kind="final", due_on=today, status="approved", narrative="x",
                                                     submitted_at=now, decided_at=now) for c in contracts])
        values = []
        for r in reports:
            values += [IndicatorValue(report=r, indicator=jobs, value=D("1.50")),
                       IndicatorValue(report=r, indicator=jobs, gender="female", value=D("1.00")),
                       IndicatorValue(report=r, indicator=jobs, gender="male", value=D("0.50")),
                       IndicatorValue(report=r, indicator=output, value=D(1)),
                       IndicatorValue(report=r, indicator=output, gender="female", value=D(1))]
        IndicatorValue.objects.bulk_create(values, batch_size=2000)
        out.append(lag)
    return out


def measure(name: str, fn) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"name": name, "seconds": round(elapsed, 3), "queries": len(ctx.captured_queries), "peak_mb": round(peak / 2**20, 1)}


def main() -> int:
    _setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment, teardown_test_environment

    lags = int(os.environ.get("BENCH_LAGS", "100"))
    projects = int(os.environ.get("BENCH_PROJECTS", "20000"))
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from sopeli.monitoring import reports, selectors
        from sopeli.projects.models import IndicatorValue

        started = time.perf_counter()
        built = build(lags, projects)
        print(f"built {lags} LAGs, {projects} projects, {IndicatorValue.objects.count()} indicator values "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        lag = built[0]
        rows = [
            measure("LAG dashboard (one LAG)", lambda: selectors.lag_dashboard(lag)),
            measure("network dashboard", selectors.network_dashboard),
            measure("donor report XLSX (one LAG)", lambda: reports.donor_xlsx(lag)),
            measure("donor report PDF (one LAG)", lambda: reports.donor_pdf(lag)),
        ]
        print(f"{'read':32} {'seconds':>8} {'queries':>8} {'peak MB':>8}")
        for r in rows:
            print(f"{r['name']:32} {r['seconds']:>8} {r['queries']:>8} {r['peak_mb']:>8}")
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
