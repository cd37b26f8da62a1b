"""Projects, money and indicator values at network scale, written fast with ``bulk_create``.

``build(projects_per_lag, grantee=user)`` gives each LAG (``{lag: number of projects}``) an approved
strategy version (reused if there is one) with a jobs indicator (R1.1, FTE, of objective O1) and an
output indicator (P-M1, of measure M1), two calls whose measure budgets cover the projects, and per
project:

- a funded application under a contract (every fourth one settled, the others signed), its three
  tranches (40/50/10%), its payments (one or two while running, three once settled), a payment
  claim (verified for the paid ones, one in three running projects with a claim still to verify),
  its planned indicators (2.0 FTE, one unit);
- an interim and a final report: the *current* one (the approved interim report of a running project,
  the approved final report of a settled one) holds five indicator values — jobs 0.5/1.0/1.5 FTE
  with women's and men's rows, one output unit with its women's row; one in five running projects has
  a final report waiting for review, which must not count;
- for every two projects one application that was not funded, and for every fifty one funded
  application still waiting for its contract.

So 20,000 projects carry exactly 100,000 indicator values. Signature and payment dates spread over
two years, so money-over-time has two dozen months. Only rows go in: no service runs and no audit
event is written. Used by ``make bench`` (bench/monitoring_pages.py) and the monitoring tests.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

D = Decimal
BATCH = 2000
GRANT, BUDGET = D("40000.00"), D("50000.00")
TRANCHES = ((1, D("40.00"), D("16000.00"), "signed"), (2, D("50.00"), D("20000.00"), "interim"),
            (3, D("10.00"), D("4000.00"), "final"))
APPLICANT_TYPES = ("business", "person", "cooperative", "ngo", "business", "municipality")
SECTOR_OF_TYPE = {"business": "business", "cooperative": "business", "person": "civil", "ngo": "civil",
                  "municipality": "public"}


def _part(model, version, code: str, **fields):
    """The version's objective, measure or indicator with ``code``, created if missing (a strategy may exist already)."""
    found = model.objects.filter(version=version, code=code).first()
    return found or model.objects.create(version=version, code=code, **fields)


def _strategy(lag, projects: int) -> dict:
    from sopeli.grants.testing import approved_version
    from sopeli.strategy.models import Indicator, Measure, Objective

    version = approved_version(lag)
    objective = _part(Objective, version, "O1", title_ka="სამუშაო ადგილები", title_en="Jobs")
    measure = _part(Measure, version, "M1", title_ka="მცირე ინვესტიციები", title_en="Small investments",
                    max_grant=GRANT, budget=GRANT * max(projects, 1))
    measure.objectives.add(objective)
    jobs = _part(Indicator, version, "R1.1", kind="result", objective=objective, name_ka="ახალი სამუშაო ადგილები",
                 name_en="New jobs", unit_ka="სრული განაკვეთი", unit_en="full-time equivalents", baseline_value=D(0),
                 target_value=D(max(projects, 1) * 2), aggregation="sum")
    output = _part(Indicator, version, "P-M1", kind="output", measure=measure, name_ka="გაუმჯობესებული სასტუმროები",
                   name_en="Guesthouses improved", unit_ka="სასტუმრო", unit_en="guesthouses", baseline_value=D(0),
                   target_value=D(max(projects, 1)))
    return {"version": version, "measure": measure, "jobs": jobs, "output": output}


@transaction.atomic
def build(projects_per_lag: dict, *, grantee) -> dict:
    """Bulk-create the projects of each LAG in ``projects_per_lag`` ({Lag: count}); returns the row counts."""
    from sopeli.core.models import Settlement
    from sopeli.grants.models import Application, Call, CallMeasure
    from sopeli.projects.models import (
        Claim,
        Contract,
        IndicatorValue,
        Payment,
        PlannedIndicator,
        Report,
        Tranche,
    )

    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    villages: dict[int, list] = {}
    for s in Settlement.objects.filter(lag__in=list(projects_per_lag)).order_by("pk"):
        villages.setdefault(s.lag_id, []).append(s)
    counts = dict.fromkeys(("projects", "applications", "tranches", "payments", "claims", "reports",
                            "indicator values", "planned indicators"), 0)
    for lag, n in projects_per_lag.items():
        if lag.pk not in villages:
            villages[lag.pk] = [Settlement.objects.create(lag=lag, name_ka="სოფელი", name_en="Village")]
        places = villages[lag.pk]
        strategy = _strategy(lag, n)
        calls = []
        run = Call.objects.filter(lag=lag, code__startswith="PRJ-2024/").count() + 1  # a second build adds calls
        for year, share in ((2024, n - n // 2), (2025, n // 2)):
            opens = now - datetime.timedelta(days=1000 if year == 2024 else 600)
            call = Call.objects.create(
                lag=lag, strategy_version=strategy["version"], code=f"PRJ-{year}/{run}", title_ka=f"მცირე გრანტები {year}",
                title_en=f"Small grants {year}", max_grant=GRANT, opens_at=opens, closes_at=opens + datetime.timedelta(days=45),
                status="results_published", published_at=opens, results_published_at=opens + datetime.timedelta(days=90))
            # Budget for every project, the waiting ones and a tenth left over.
            budget = GRANT * (share + share // 50 + 1) * D("1.1")
            calls.append((call, CallMeasure.objects.create(call=call, measure=strategy["measure"], budget=budget.quantize(D("0.01"))),
                          share, opens))

        funded, waiting, rejected = [], [], []
        for call, cm, share, opens in calls:
            submitted, decided = opens + datetime.timedelta(days=40), opens + datetime.timedelta(days=40 + 60)
            number = 0
            for k in range(share + share // 50 + share // 2):
                number += 1
                kind = "funded" if k < share else ("waiting" if k < share + share // 50 else "rejected")
                t = APPLICANT_TYPES[k % len(APPLICANT_TYPES)]
                app = Application(
                    lag=lag, call=call, measure=cm, applicant=grantee, applicant_type=t, applicant_name=f"გრანტის მიმღები {call.code}-{number}",
                    settlement=places[k % len(places)], title=f"პროექტი {call.code}-{k + 1}", total_budget=BUDGET,
                    requested_grant=GRANT, own_contribution=BUDGET - GRANT, number=number,
                    submitted_at=submitted - datetime.timedelta(hours=k % 500), decided_at=decided,
                    status="rejected" if kind == "rejected" else "funded", awarded_grant=None if kind == "rejected" else GRANT)
                {"funded": funded, "waiting": waiting, "rejected": rejected}[kind].append(app)
        Application.objects.bulk_create(funded + waiting + rejected, batch_size=BATCH)
        counts["applications"] += len(funded) + len(waiting) + len(rejected)

        contracts = []
        for k, app in enumerate(funded):
            settled = k % 4 == 1
            signed_on = today - datetime.timedelta(days=240 + (k * 7) % 720)
            contracts.append(Contract(
                lag=lag, application=app, call=app.call, call_measure=app.measure, grantee=grantee,
                number=f"{app.call.code}-{app.number:05d}", grantee_name=app.applicant_name, title=app.title,
                settlement=app.settlement, applicant_type=app.applicant_type, sector=SECTOR_OF_TYPE[app.applicant_type],
                awarded_grant=GRANT, grant=GRANT, total_budget=BUDGET, aid_rate=D("0.8000"), starts_on=signed_on,
                ends_on=signed_on + datetime.timedelta(days=210), status="settled" if settled else "signed",
                eligibility_ok=True, eligibility_at=now, signed_by_grantee_on=signed_on, signed_by_lag_on=signed_on,
                paid_total=GRANT if settled else (D("36000.00") if k % 2 == 0 else D("16000.00")),
                verified_cost=BUDGET if settled else None, entitlement=GRANT if settled else None,
                settled_at=now - datetime.timedelta(days=k % 30) if settled else None))
        contracts = Contract.objects.bulk_create(contracts, batch_size=BATCH)
        counts["projects"] += len(contracts)

        tranches, payments, claims, planned, reports = [], [], [], [], []
        for k, c in enumerate(contracts):
            settled = c.status == "settled"
            paid = 3 if settled else (2 if k % 2 == 0 else 1)
            for number, percent, amount, condition in TRANCHES:
                tranches.append(Tranche(contract=c, number=number, percent=percent, amount=amount, condition=condition))
            planned += [PlannedIndicator(contract=c, indicator=strategy["jobs"], planned=D("2.00")),
                        PlannedIndicator(contract=c, indicator=strategy["output"], planned=D("1.00"))]
            start = datetime.datetime.combine(c.signed_by_lag_on, datetime.time(10), tzinfo=datetime.UTC)
            if paid >= 2:
                claims.append(Claim(contract=c, number=1, status="verified", submitted_at=start + datetime.timedelta(days=100),
                                    verified_at=start + datetime.timedelta(days=110), claimed_total=BUDGET, eligible_total=BUDGET))
            elif k % 3 == 0:
                claims.append(Claim(contract=c, number=1, status="submitted", submitted_at=now - datetime.timedelta(days=k % 20),
                                    claimed_total=D("20000.00")))
            interim_on, final_on = c.signed_by_lag_on + datetime.timedelta(days=180), c.ends_on
            interim_at = start + datetime.timedelta(days=185)
            final_status = "approved" if settled else ("submitted" if k % 5 == 0 else "due")
            reports += [
                Report(contract=c, kind="interim", due_on=interim_on, status="approved", narrative="შუალედური ანგარიში",
                       submitted_at=interim_at, decided_at=interim_at + datetime.timedelta(days=3)),
                Report(contract=c, kind="final", due_on=final_on, status=final_status,
                       narrative="" if final_status == "due" else "საბოლოო ანგარიში",
                       submitted_at=None if final_status == "due" else start + datetime.timedelta(days=215),
                       decided_at=start + datetime.timedelta(days=220) if settled else None),
            ]
        tranches = Tranche.objects.bulk_create(tranches, batch_size=BATCH)
        for k, c in enumerate(contracts):
            paid = 3 if c.status == "settled" else (2 if k % 2 == 0 else 1)
            for number in range(paid):
                _n, _p, amount, _c = TRANCHES[number]
                payments.append(Payment(contract=c, tranche=tranches[3 * k + number], amount=amount, reference=f"PRJ-{c.pk}-{number + 1}",
                                        paid_on=c.signed_by_lag_on + datetime.timedelta(days=(0, 112, 222)[number])))
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        Claim.objects.bulk_create(claims, batch_size=BATCH)
        PlannedIndicator.objects.bulk_create(planned, batch_size=BATCH)
        reports = Report.objects.bulk_create(reports, batch_size=BATCH)

        values = []
        for k, c in enumerate(contracts):
            current = reports[2 * k + (1 if c.status == "settled" else 0)]
            jobs = D("0.50") * (k % 3 + 1)
            values += [
                IndicatorValue(report=current, indicator=strategy["jobs"], value=jobs),
                IndicatorValue(report=current, indicator=strategy["jobs"], gender="female", value=jobs - D("0.50")),
                IndicatorValue(report=current, indicator=strategy["jobs"], gender="male", value=D("0.50")),
                IndicatorValue(report=current, indicator=strategy["output"], value=D("1.00")),
                IndicatorValue(report=current, indicator=strategy["output"], gender="female", value=D("1.00")),
            ]
        IndicatorValue.objects.bulk_create(values, batch_size=BATCH)
        for name, rows in (("tranches", tranches), ("payments", payments), ("claims", claims), ("reports", reports),
                           ("indicator values", values), ("planned indicators", planned)):
            counts[name] += len(rows)
    return counts
