"""Monitoring reads: indicator roll-up, money over time, call funnels, participation, bodies, flags
and durations, for one LAG or the whole network. Each function costs a fixed number of queries.

Roll-up rule (documented for donors)
------------------------------------
- A project's achievement for an indicator is the value in its approved final report, or else in its
  approved interim report: reports state what was achieved to date.
- Project values roll up to the LAG's indicator of the same code with the indicator's aggregation:
  ``sum`` adds the projects' contributions to the baseline; ``average``, ``max`` and ``latest``
  take the mean, the largest or the most recently approved value.
- Progress to target = contribution / (target − baseline) for ``sum``; (value − baseline) /
  (target − baseline) otherwise. Shown as a whole percentage, the bar capped at 100%.
- Breakdowns: gender and age band come from the report's breakdown rows; village and sector from
  the project (contract). Jobs are in FTE (``projects.rules``), so S3's 1.5 FTE adds 1.5.
- Measures show their output indicators, objectives their result indicators; the network sums the
  FTE of every LAG and shows each LAG's money and progress.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from sopeli.core.models import Lag, Settlement
from sopeli.grants.models import Application, Call, CallMeasure, Stage
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects.models import (
    AgeBand,
    Claim,
    ClaimStatus,
    Contract,
    ContractStatus,
    Gender,
    IndicatorValue,
    Payment,
    PlannedIndicator,
    Recovery,
    Report,
    ReportStatus,
)
from sopeli.projects.rules import q2
from sopeli.projects.services import fte_unit, is_fte
from sopeli.strategy.models import Aggregation, Indicator
from sopeli.strategy.selectors import indicators_for_monitoring

ZERO = Decimal("0.00")


def _percent(part: Decimal, whole: Decimal) -> int | None:
    if not whole:
        return None
    return int((Decimal(100) * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- project achievements ------------------------------------------------------------------------


def current_values(lag: Lag | None = None):
    """Indicator values of the report that counts for each project of ``lag`` (None: the network):
    its approved final report, or else its approved interim report. The conditions sit on the
    value's own join to its report (no list of report ids to match), and "has an approved final
    report" is one set of contracts the database hashes once, not a lookup per value."""
    where = {} if lag is None else {"contract__lag": lag}
    with_final = Report.objects.filter(kind="final", status=ReportStatus.APPROVED, **where).values("contract_id")
    return (IndicatorValue.objects.filter(report__status=ReportStatus.APPROVED, **{f"report__{k}": v for k, v in where.items()})
            .exclude(report__kind="interim", report__contract__in=with_final).order_by())


@dataclass
class IndicatorProgress:
    indicator: Indicator
    fte: bool
    contribution: Decimal = ZERO  # what projects add (sum) or the aggregated project value
    value: Decimal | None = None  # current value of the indicator (baseline + contribution for sum)
    planned: Decimal = ZERO  # what contracts promised
    projects: int = 0
    percent: int | None = None
    by_gender: dict = field(default_factory=dict)
    by_age: dict = field(default_factory=dict)
    by_village: dict = field(default_factory=dict)
    by_sector: dict = field(default_factory=dict)

    @property
    def bar(self) -> int:
        return max(0, min(100, self.percent or 0))


def _latest_values(values, codes: list[str]) -> dict:
    """The most recently approved project value of each (LAG, indicator code) (one query; ties: the last recorded)."""
    from django.db.models import F, Window
    from django.db.models.functions import FirstValue

    if not codes:
        return {}
    partition = [F("report__contract__lag_id"), F("indicator__code")]
    return {(lag_id, code): latest for lag_id, code, latest in values.filter(indicator__code__in=codes).annotate(latest=Window(
        FirstValue("value"), partition_by=partition, order_by=[F("report__decided_at").desc(), F("pk").desc()]))
        .values_list("report__contract__lag_id", "indicator__code", "latest").distinct()}


def indicator_progress(lag: Lag) -> list[IndicatorProgress]:
    """Every indicator of the LAG's approved strategy with its roll-up and breakdowns.

    The database adds the values up (one grouped query for totals and breakdowns alike), so the cost
    does not grow with projects: four queries, five when an indicator takes the latest value."""
    return indicators_rollup(list(indicators_for_monitoring(lag)), lag=lag)


def indicators_rollup(indicators: list[Indicator], *, lag: Lag | None = None) -> list[IndicatorProgress]:
    """The roll-up of ``indicators``, each from its own LAG's projects: one LAG's (``lag``), or a page of
    indicators of several LAGs (the open-data API). The same queries whatever the number of LAGs."""
    from django.db.models import Max

    if not indicators:
        return []
    lag_ids = sorted({i.version.lag_id for i in indicators})
    keys = {(i.version.lag_id, i.code) for i in indicators}
    values = current_values(lag)
    if lag is None:
        values = values.filter(report__contract__lag_id__in=lag_ids)
    rows = (values.filter(indicator__code__in={code for _lag, code in keys})
            .values("report__contract__lag_id", "indicator__code", "gender", "age_band", "report__contract__settlement_id",
                    "report__contract__sector")
            .annotate(total=Sum("value"), n=Count("pk"), top=Max("value"))
            .values_list("report__contract__lag_id", "indicator__code", "gender", "age_band",
                         "report__contract__settlement_id", "report__contract__sector", "total", "n", "top"))
    planned = {(lag_id, code): total for lag_id, code, total in
               PlannedIndicator.objects.filter(contract__lag_id__in=lag_ids).exclude(contract__status=ContractStatus.CANCELLED)
               .order_by().values("contract__lag_id", "indicator__code").annotate(s=Sum("planned"))
               .values_list("contract__lag_id", "indicator__code", "s")}
    villages = {s.pk: s.name for s in Settlement.objects.filter(lag_id__in=lag_ids)}
    # Per (LAG, code): the sum, number and largest of the projects' total rows (no gender, no age band).
    totals: dict[tuple, list] = defaultdict(lambda: [ZERO, 0, None])
    breakdown: dict[tuple, dict[str, dict]] = defaultdict(lambda: {"gender": defaultdict(Decimal), "age": defaultdict(Decimal),
                                                                    "village": defaultdict(Decimal), "sector": defaultdict(Decimal)})
    for lag_id, code, gender, age, village, sector, total, n, top in rows:
        key = (lag_id, code)
        if key not in keys:
            continue
        b = breakdown[key]
        if not gender and not age:
            t = totals[key]
            t[0] += total
            t[1] += n
            t[2] = top if t[2] is None else max(t[2], top)
            b["village"][villages.get(village, "—")] += total
            b["sector"][sector or "—"] += total
        elif gender and not age:
            b["gender"][gender] += total
        elif age and not gender:
            b["age"][age] += total
    latest = _latest_values(values.filter(gender="", age_band=""),
                            [i.code for i in indicators if i.aggregation == Aggregation.LATEST
                             and (i.version.lag_id, i.code) in totals])
    out = []
    from sopeli.membership.models import Sector

    gender_labels, age_labels, sector_labels = dict(Gender.choices), dict(AgeBand.choices), dict(Sector.choices)
    for ind in indicators:
        key = (ind.version.lag_id, ind.code)
        total, n, top = totals[key] if key in totals else (ZERO, 0, None)
        p = IndicatorProgress(indicator=ind, fte=is_fte(ind), planned=planned.get(key) or ZERO, projects=n)
        agg = None
        if n:
            agg = {Aggregation.AVERAGE: q2(total / n) if n else None, Aggregation.MAX: top,
                   Aggregation.LATEST: latest.get(key)}.get(ind.aggregation, total)
        baseline = ind.baseline_value or ZERO
        span = ind.target_value - baseline
        if agg is not None:
            if ind.aggregation == Aggregation.SUM:
                p.contribution, p.value = agg, baseline + agg
                p.percent = _percent(agg, span)
            else:
                p.contribution, p.value = agg, agg
                p.percent = _percent(agg - baseline, span)
        else:
            p.value = baseline if ind.baseline_value is not None else None
            p.percent = 0 if span else None
        b = breakdown.get(key)
        if b:
            p.by_gender = {str(gender_labels.get(k, k)): v for k, v in b["gender"].items()}
            p.by_age = {str(age_labels.get(k, k)): v for k, v in b["age"].items()}
            p.by_village = dict(sorted(b["village"].items(), key=lambda kv: -kv[1]))
            p.by_sector = {str(sector_labels.get(k, k)): v for k, v in b["sector"].items()}
        out.append(p)
    return out


def progress_by_owner(progress: list[IndicatorProgress]) -> dict:
    """Measures with their output indicators, objectives with their result indicators."""
    measures: dict = {}
    objectives: dict = {}
    for p in progress:
        if p.indicator.measure_id:
            measures.setdefault(p.indicator.measure, []).append(p)
        elif p.indicator.objective_id:
            objectives.setdefault(p.indicator.objective, []).append(p)
    return {"measures": list(measures.items()), "objectives": list(objectives.items())}


def fte_by_lag() -> dict[int, Decimal]:
    """FTE created by each LAG's projects: the current reports' total rows of FTE indicators, summed
    by the database per LAG (FTE indicators are picked first, by their unit, so the sum groups by an id)."""
    fte_ids = [pk for pk, unit, unit_en in Indicator.objects.values_list("pk", "unit_ka", "unit_en") if fte_unit(unit, unit_en)]
    return dict(current_values().filter(indicator__in=fte_ids, gender="", age_band="").values("report__contract__lag_id")
                .annotate(s=Sum("value")).values_list("report__contract__lag_id", "s"))


# --- money over time -----------------------------------------------------------------------------


@dataclass
class MoneyPoint:
    month: str
    allocated: Decimal
    committed: Decimal
    paid: Decimal


def money_over_time(lag: Lag | None) -> list[MoneyPoint]:
    """Cumulative allocated (calls' measure budgets when the call opens), committed (contract grants
    when signed) and paid (payments minus recoveries received), by month. Four grouped queries."""
    from django.db.models.functions import TruncMonth

    where_call = {} if lag is None else {"call__lag": lag}
    where = {} if lag is None else {"contract__lag": lag}
    events: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])

    def add(qs, field: str, amount: str, index: int, sign: int = 1):
        for month, total in (qs.order_by().annotate(m=TruncMonth(field)).values("m").annotate(t=Sum(amount))
                             .values_list("m", "t")):
            if month is not None and total is not None:
                events[month.strftime("%Y-%m")][index] += sign * total

    add(CallMeasure.objects.filter(**where_call).exclude(call__status="draft"), "call__opens_at", "budget", 0)
    add(Contract.objects.filter(**({} if lag is None else {"lag": lag}), status__in=[ContractStatus.SIGNED, ContractStatus.SETTLED]),
        "signed_by_lag_on", "grant", 1)
    add(Payment.objects.filter(**where), "paid_on", "amount", 2)
    add(Recovery.objects.filter(**where, received_on__isnull=False), "received_on", "amount", 2, -1)
    points, running = [], [ZERO, ZERO, ZERO]
    for month in sorted(events):
        running = [running[i] + events[month][i] for i in range(3)]
        points.append(MoneyPoint(month, *running))
    return points


def money_chart(points: list[MoneyPoint], width: int = 600, height: int = 200) -> dict:
    """SVG polylines (server-rendered; no JavaScript) for the three cumulative series."""
    if not points:
        return {"width": width, "height": height, "series": [], "labels": [], "max": ZERO}
    if len(points) == 1:  # a line needs two points: start from nothing
        points = [MoneyPoint("", ZERO, ZERO, ZERO), *points]
    top = max(max(p.allocated, p.committed, p.paid) for p in points) or Decimal(1)
    n = len(points)
    pad = 4

    def xy(i, v):
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * float(v / top)
        return f"{x:.1f},{y:.1f}"

    series = []
    for name, css in (("allocated", "s-allocated"), ("committed", "s-committed"), ("paid", "s-paid")):
        series.append({"name": name, "css": css, "points": " ".join(xy(i, getattr(p, name)) for i, p in enumerate(points))})
    step = max(1, n // 6)
    labels = [{"x": pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5), "text": p.month} for i, p in enumerate(points) if i % step == 0]
    return {"width": width, "height": height, "series": series, "labels": labels, "max": top}


# --- call funnels --------------------------------------------------------------------------------

ELIGIBLE_OR_LATER = [ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_EVALUATION, ApplicationStatus.SCORED,
                     ApplicationStatus.FUNDED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED]


def call_funnels(lag: Lag) -> list[dict]:
    """ideas → applications → eligible → funded, per call. One query."""
    calls = (Call.objects.filter(lag=lag).exclude(status="draft").annotate(
        ideas=Count("applications", filter=Q(applications__stage=Stage.IDEA) & ~Q(applications__status=ApplicationStatus.DRAFT)),
        full=Count("applications", filter=Q(applications__stage=Stage.FULL) & ~Q(applications__status=ApplicationStatus.DRAFT)),
        eligible=Count("applications", filter=Q(applications__stage=Stage.FULL, applications__status__in=ELIGIBLE_OR_LATER)),
        funded=Count("applications", filter=Q(applications__stage=Stage.FULL, applications__status=ApplicationStatus.FUNDED)),
    ).order_by("opens_at"))
    out = []
    for c in calls:
        top = max(c.ideas, c.full, 1)
        steps = [(label, n, _percent(Decimal(n), Decimal(top)) or 0) for label, n in
                 (("ideas", c.ideas), ("applications", c.full), ("eligible", c.eligible), ("funded", c.funded))]
        out.append({"call": c, "steps": steps})
    return out


# --- members' organisations, durations -----------------------------------------------------------


def grants_to_members(lag: Lag) -> list[dict]:
    """Contracts whose grantee is a LAG member (same user account, or the same name as a member). Two
    queries. Names are compared in Python (strip and casefold, alike on every database) over plain
    rows, and a Contract is made only for the few found."""
    from sopeli.membership.models import Member

    members = list(Member.objects.filter(lag=lag).values_list("user_id", "name"))
    by_user = {u for u, _n in members if u}
    by_name = {n.strip().casefold() for _u, n in members if n}
    fields = ("pk", "number", "title", "grantee_name", "grantee_id", "grant", "status")
    out = []
    for row in Contract.objects.filter(lag=lag).exclude(status=ContractStatus.CANCELLED).order_by("number").values_list(*fields):
        c = dict(zip(fields, row, strict=True))
        reason = "account" if c["grantee_id"] in by_user else ("name" if c["grantee_name"].strip().casefold() in by_name else None)
        if reason:
            out.append({"contract": Contract(lag=lag, **c), "reason": reason})
    return out


def _days_summary(qs, days_between) -> dict:
    """Count, median, mean and longest of ``days_between`` (a duration; rows where it is null do not
    count) over ``qs``, in days to a tenth. The database counts and averages; the median reads only the
    one or two middle rows. Two queries."""
    from django.db.models import Avg, Max

    qs = qs.annotate(days_between=days_between).order_by()
    figures = qs.aggregate(count=Count("days_between"), mean=Avg("days_between"), longest=Max("days_between"))
    n = figures["count"]
    first = max(0, (n - 1) // 2)
    middle = [d.total_seconds() / 86400 for d in qs.filter(days_between__isnull=False).order_by("days_between")
              .values_list("days_between", flat=True)[first:first + 2]]
    if not n:
        return {"count": 0, "median": None, "mean": None, "max": None}
    median = middle[0] if n % 2 else (middle[0] + middle[1]) / 2
    return {"count": n, "median": round(median, 1), "mean": round(figures["mean"].total_seconds() / 86400, 1),
            "max": round(figures["longest"].total_seconds() / 86400, 1)}


def durations(lag: Lag) -> dict:
    """Days from submission to decision (applications decided) and from a payment claim (its local
    date) to the next payment on the contract on or after that day (claims not paid yet do not count).
    Four queries."""
    from django.db.models import DurationField, ExpressionWrapper, F
    from django.db.models.functions import TruncDate

    decided = Application.objects.filter(lag=lag, submitted_at__isnull=False, decided_at__isnull=False,
                                         decided_at__gte=F("submitted_at"))
    # Each claim with the first of its contract's payments on or after its day: one grouped join, not
    # a lookup per claim.
    claims = (Claim.objects.filter(contract__lag=lag).annotate(claimed_on=TruncDate("submitted_at")).values("pk", "claimed_on")
              .annotate(paid_on=Min("contract__payments__paid_on", filter=Q(contract__payments__paid_on__gte=F("claimed_on")))))
    return {
        "to_decision": _days_summary(decided, ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())),
        "claim_to_payment": _days_summary(claims, ExpressionWrapper(F("paid_on") - F("claimed_on"), output_field=DurationField())),
    }


# --- bodies --------------------------------------------------------------------------------------


def bodies_balance(lag: Lag) -> list[dict]:
    """Each body's composition by sector and gender today (membership's own counting, all bodies at once)."""
    from sopeli.membership.selectors import bodies_composition

    return bodies_composition(lag)


# --- participation -------------------------------------------------------------------------------


def participation(lag: Lag) -> dict:
    from sopeli.consultation.selectors import participation_figures

    out = {"consultation": participation_figures(lag), "trainings": None}
    try:
        from sopeli.trainings.selectors import training_participation
    except ImportError:  # pragma: no cover - trainings app not installed
        return out
    out["trainings"] = training_participation(lag)
    return out


# --- dashboards ----------------------------------------------------------------------------------


def lag_dashboard(lag: Lag) -> dict:
    from sopeli.projects.selectors import commitments

    progress = indicator_progress(lag)
    points = money_over_time(lag)
    contracts = Contract.objects.filter(lag=lag).aggregate(
        running=Count("pk", filter=Q(status=ContractStatus.SIGNED)), settled=Count("pk", filter=Q(status=ContractStatus.SETTLED)))
    return {
        "progress": progress, "owners": progress_by_owner(progress), "ledger": commitments(lag),
        "money": points, "chart": money_chart(points), "funnels": call_funnels(lag), "participation": participation(lag),
        "bodies": bodies_balance(lag), "member_grants": grants_to_members(lag), "durations": durations(lag),
        "jobs": sum((p.contribution for p in progress if p.fte), ZERO), "contracts": contracts,
    }


def network_dashboard() -> dict:
    """Every LAG's contracts, money and jobs side by side, and the network's totals. Five queries."""
    lags = list(Lag.objects.order_by("name"))
    money = {r["lag"]: r for r in Contract.objects.exclude(status=ContractStatus.CANCELLED).order_by().values("lag").annotate(
        contracts=Count("pk"), grant=Sum("grant", filter=Q(status__in=[ContractStatus.SIGNED, ContractStatus.SETTLED])),
        paid=Sum("paid_total"), recovered=Sum("recovered_total"))}
    allocated = dict(CallMeasure.objects.exclude(call__status="draft").order_by().values("call__lag")
                     .annotate(s=Sum("budget")).values_list("call__lag", "s"))
    fte = fte_by_lag()
    rows = []
    total = {"allocated": ZERO, "grant": ZERO, "paid": ZERO, "contracts": 0, "jobs": ZERO}
    for lag in lags:
        m = money.get(lag.pk, {})
        row = {"lag": lag, "allocated": allocated.get(lag.pk) or ZERO, "contracts": m.get("contracts", 0),
               "grant": m.get("grant") or ZERO, "paid": (m.get("paid") or ZERO) - (m.get("recovered") or ZERO), "jobs": fte.get(lag.pk) or ZERO}
        rows.append(row)
        for k in total:
            total[k] += row[k]
    top = max([r["allocated"] for r in rows] + [Decimal(1)])
    for r in rows:
        r["allocated_bar"] = _percent(r["allocated"], top) or 0
        r["grant_bar"] = _percent(r["grant"], top) or 0
        r["paid_bar"] = _percent(r["paid"], top) or 0
    points = money_over_time(None)
    return {"rows": rows, "total": total, "money": points, "chart": money_chart(points)}


def today() -> datetime.date:
    return timezone.localdate()


__all__ = ["Min", "ClaimStatus"]


# --- research ------------------------------------------------------------------------------------


def studies(lag: Lag):
    """The LAG's studies with their numbers of baseline and endline responses (counted in subqueries:
    joining both surveys' responses would pair every baseline response with every endline one)."""
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from sopeli.consultation.models import Response
    from sopeli.monitoring.models import ResearchStudy

    def responses_of(survey: str):
        rows = Response.objects.filter(survey=OuterRef(survey)).order_by().values("survey").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return (ResearchStudy.objects.filter(lag=lag).select_related("baseline", "endline")
            .annotate(base_n=responses_of("baseline"), end_n=responses_of("endline")))


def study_for(lag: Lag, pk: int):
    from django.http import Http404

    study = studies(lag).filter(pk=pk).first()
    if study is None:
        raise Http404
    return study


def research_comparison(study) -> dict:
    """Baseline and endline answers side by side, question by question (the endline copies the
    baseline's questions and choices in the same order). About a dozen queries whatever the responses."""
    from sopeli.consultation.selectors import survey_results

    base = survey_results(study.baseline)
    end = survey_results(study.endline) if study.endline_id else None
    end_results = end["results"] if end else []
    rows = []
    for i, b in enumerate(base["results"]):
        e = end_results[i] if i < len(end_results) else None
        bars = []
        for j, bar in enumerate(b.bars):
            ebar = e.bars[j] if e is not None and j < len(e.bars) else None
            bars.append({"label": bar.label, "base_n": bar.count, "base_pct": bar.percent,
                         "end_n": ebar.count if ebar else None, "end_pct": ebar.percent if ebar else None,
                         "change": (ebar.percent - bar.percent) if ebar else None})
        rows.append({"question": b.question, "base_answered": b.answered, "end_answered": e.answered if e else None,
                     "base_mean": b.mean, "end_mean": e.mean if e else None, "bars": bars, "is_text": b.is_text})
    return {"study": study, "base_total": base["total"], "end_total": end["total"] if end else None, "rows": rows}
