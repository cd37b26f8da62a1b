"""Reads for the strategy pages, each a fixed number of queries whatever the number of rows.

``version_contents`` loads a whole version in a fixed set of queries; the public page, the PDF,
the manager's overview and the comparison all build on it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sopeli.core.models import Lag, Settlement
from sopeli.strategy import rules
from sopeli.strategy.models import (
    PUBLIC_STATUSES,
    AidRate,
    ApplicantType,
    FinanceKind,
    FinancialPlanRow,
    Indicator,
    IndicatorKind,
    KeyFigure,
    Measure,
    Objective,
    PlannedCall,
    Strategy,
    StrategySection,
    StrategyVersion,
    SwotItem,
    SwotKind,
    VersionStatus,
)

LANGS = ("ka", "en")
SWOT_HEADINGS = {
    SwotKind.STRENGTH: gettext_lazy("Strengths"),
    SwotKind.WEAKNESS: gettext_lazy("Weaknesses"),
    SwotKind.OPPORTUNITY: gettext_lazy("Opportunities"),
    SwotKind.THREAT: gettext_lazy("Threats"),
}


def strategy_for(lag: Lag) -> Strategy | None:
    return Strategy.objects.filter(lag=lag).first()


def versions(lag: Lag, *, include_drafts: bool):
    qs = StrategyVersion.objects.filter(lag=lag).select_related("approved_by_item")
    if not include_drafts:
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    return qs.order_by("-number")


def current_version(lag: Lag) -> StrategyVersion | None:
    return StrategyVersion.objects.filter(lag=lag, status=VersionStatus.APPROVED).select_related("strategy").first()


def version_for(lag: Lag, number: int, *, include_drafts: bool) -> StrategyVersion:
    """The version with that number in ``lag``; drafts only for staff. 404 otherwise."""
    qs = StrategyVersion.objects.filter(lag=lag, number=number).select_related("strategy", "approved_by_item")
    if not include_drafts:
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    version = qs.first()
    if version is None:
        raise Http404
    return version


def measures_for_calls(lag: Lag):
    """Measures of the LAG's current approved strategy version, for calls (grants) to hang on.

    Each has its aid rates, objectives and output indicators prefetched. Empty when no version is
    approved. Match measures across versions by ``code``.
    """
    return (
        Measure.objects.filter(version__lag=lag, version__status=VersionStatus.APPROVED)
        .prefetch_related("aid_rates", "objectives", Prefetch("indicators", queryset=Indicator.objects.order_by("order", "code")))
        .order_by("order", "code")
    )


def indicators_for_monitoring(lag: Lag):
    """Result and output indicators of the current approved version, by code."""
    return (
        Indicator.objects.filter(version__lag=lag, version__status=VersionStatus.APPROVED)
        .select_related("version", "objective", "measure")
        .order_by("kind", "order", "code")
    )


@dataclass
class InvolvementSummary:
    """How the community was involved, generated from the consultation record.

    Filled by ``community_involvement(version)`` from the consultations held on ``version`` (or on
    the version it amends): ideas, comments, survey responses, village meetings, people, villages,
    women, men, inputs taken up.
    """

    inputs: int = 0
    people: int = 0
    villages: int = 0
    women: int = 0
    men: int = 0
    taken_up: int = 0
    meetings: int = 0
    survey_responses: int = 0
    consultations: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.inputs or self.meetings or self.survey_responses or self.consultations)


def community_involvement(version: StrategyVersion) -> InvolvementSummary:
    """Read from the consultation record (``sopeli.consultation.selectors.involvement_summary``)."""
    from sopeli.consultation.selectors import involvement_summary

    return involvement_summary(version.lag_id, version)


@dataclass
class FinancialPlan:
    years: list[int]
    rows: list[dict]  # {"measure": Measure|None, "label": str, "by_year": [Decimal|None], "total": Decimal}
    year_totals: list[Decimal]
    measures_total: Decimal
    running_total: Decimal
    total: Decimal
    check: rules.RunningCostsCheck
    warnings: list[str]


def _financial_plan(measures: list[Measure], rows: list[FinancialPlanRow], calls: list[PlannedCall]) -> FinancialPlan:
    years = sorted({r.year for r in rows})
    by_key: dict = defaultdict(dict)
    for r in rows:
        by_key[r.measure_id if r.kind == FinanceKind.MEASURE else None][r.year] = r.amount
    table = []
    for m in measures:
        amounts = by_key.get(m.pk, {})
        table.append({"measure": m, "label": f"{m.code} {m.title}", "by_year": [amounts.get(y) for y in years],
                      "total": sum(amounts.values(), Decimal("0.00"))})
    running = by_key.get(None, {})
    running_total = sum(running.values(), Decimal("0.00"))
    measures_total = sum((r["total"] for r in table), Decimal("0.00"))
    year_totals = [sum((r.amount for r in rows if r.year == y), Decimal("0.00")) for y in years]
    check = rules.running_costs_check(running=running_total, measures=measures_total)
    codes = {m.pk: m.code for m in measures}
    budget_issues = rules.budget_warnings(
        budgets={m.code: m.budget for m in measures},
        plan=[(codes[r.measure_id], r.amount) for r in rows if r.kind == FinanceKind.MEASURE],
        calls=[(codes[c.measure_id], c.amount) for c in calls],
        max_grants={m.code: m.max_grant for m in measures},
    )
    return FinancialPlan(
        years=years, rows=table, year_totals=year_totals, measures_total=measures_total,
        running_total=running_total, total=measures_total + running_total, check=check,
        warnings=([] if check.ok else [running_costs_message(check)]) + [budget_message(w) for w in budget_issues],
    )


def money(value: Decimal) -> str:
    """12,345.00 — the format used in warnings (templates use floatformat)."""
    return f"{value:,.2f}"


def running_costs_message(check: rules.RunningCostsCheck) -> str:
    return _(
        "Running costs are %(running)s GEL, which is %(share)s%% of the strategy's public money "
        "(%(total)s GEL, running costs included); the limit is %(cap)s%%. Cut running costs by at "
        "least %(cut)s GEL (to at most %(max)s GEL), or add %(increase)s GEL to the measures."
    ) % {
        "running": money(check.running), "share": check.share_percent, "total": money(check.total_public),
        "cap": check.cap_percent, "cut": money(check.cut_needed), "max": money(check.max_running),
        "increase": money(check.measures_increase_needed),
    }


def budget_message(w: rules.BudgetWarning) -> str:
    values = {"code": w.measure, "budget": money(w.budget), "amount": money(w.amount), "diff": money(abs(w.difference))}
    if w.kind == "unplanned":
        return _("Measure %(code)s has an indicative budget of %(budget)s GEL but no row in the financial plan.") % values
    if w.kind == "plan_differs":
        if w.difference > 0:
            return _("Measure %(code)s: the financial plan gives %(amount)s GEL, %(diff)s GEL more than its indicative budget of %(budget)s GEL.") % values
        return _("Measure %(code)s: the financial plan gives %(amount)s GEL, %(diff)s GEL less than its indicative budget of %(budget)s GEL.") % values
    if w.kind == "calls_exceed":
        return _("Measure %(code)s: planned calls total %(amount)s GEL, more than its indicative budget of %(budget)s GEL.") % values
    return _("Measure %(code)s: the maximum grant (%(amount)s GEL) is larger than its whole budget (%(budget)s GEL).") % values


def version_contents(version: StrategyVersion) -> dict:
    """Everything in a version, loaded in a fixed number of queries (10)."""
    key_figures = list(KeyFigure.objects.filter(version=version))
    swot_items = list(SwotItem.objects.filter(version=version))
    indicators = list(Indicator.objects.filter(version=version).order_by("order", "code"))
    objectives = list(Objective.objects.filter(version=version))
    measures = list(
        Measure.objects.filter(version=version).prefetch_related(
            Prefetch("aid_rates", queryset=AidRate.objects.all()),
            Prefetch("objectives", queryset=Objective.objects.order_by("order", "code")),
        )
    )
    calls = list(PlannedCall.objects.filter(version=version).select_related("measure"))
    finance_rows = list(FinancialPlanRow.objects.filter(version=version).select_related("measure"))
    by_objective = defaultdict(list)
    by_measure = defaultdict(list)
    objectives_by_pk = {o.pk: o for o in objectives}
    measures_by_pk = {m.pk: m for m in measures}
    for ind in indicators:
        # Attach the loaded owners so reading ind.objective / ind.measure costs no query.
        if ind.objective_id:
            ind.objective = objectives_by_pk[ind.objective_id]
        if ind.measure_id:
            ind.measure = measures_by_pk[ind.measure_id]
        (by_objective[ind.objective_id] if ind.kind == IndicatorKind.RESULT else by_measure[ind.measure_id]).append(ind)
    for o in objectives:
        o.result_indicators = by_objective[o.pk]
    type_order = {value: i for i, value in enumerate(ApplicantType.values)}
    for m in measures:
        m.output_indicators = by_measure[m.pk]
        m.rates = sorted(m.aid_rates.all(), key=lambda r: type_order.get(r.applicant_type, 99))
    swot = [
        {"kind": kind, "label": label, "items": [s for s in swot_items if s.kind == kind]}
        for kind, label in SWOT_HEADINGS.items()
    ]
    financial = _financial_plan(measures, finance_rows, calls)
    running_rows = sorted((r for r in finance_rows if r.kind == FinanceKind.RUNNING), key=lambda r: r.year)
    running_by_year = {r.year: r.amount for r in running_rows}
    financial.running = [running_by_year.get(y) for y in financial.years]
    settlements = list(Settlement.objects.filter(lag_id=version.lag_id).order_by("-is_centre", "-population", "name"))
    return {
        "version": version,
        "sections": StrategySection,
        "settlements": settlements,
        "key_figures": key_figures,
        "swot": swot,
        "swot_items": swot_items,
        "objectives": objectives,
        "measures": measures,
        "indicators": indicators,
        "calls": calls,
        "finance_rows": finance_rows,
        "running_rows": running_rows,
        "financial": financial,
        "involvement": community_involvement(version),
    }


# --- Serialising a version for comparison ------------------------------------------------------

FIELD_LABELS = {
    "code": gettext_lazy("code"),
    "value": gettext_lazy("value"),
    "year": gettext_lazy("year"),
    "kind": gettext_lazy("kind"),
    "min_grant": gettext_lazy("minimum grant"),
    "max_grant": gettext_lazy("maximum grant"),
    "budget": gettext_lazy("indicative budget"),
    "objectives": gettext_lazy("objectives served"),
    "baseline_value": gettext_lazy("baseline value"),
    "baseline_date": gettext_lazy("baseline date"),
    "target_value": gettext_lazy("target value"),
    "target_date": gettext_lazy("target date"),
    "aggregation": gettext_lazy("aggregation"),
    "owner": gettext_lazy("belongs to"),
    "measure": gettext_lazy("measure"),
    "planned_on": gettext_lazy("planned opening"),
    "amount": gettext_lazy("amount"),
    "period": gettext_lazy("period"),
}
TRANSLATED_LABELS = {
    "territory_profile": gettext_lazy("territory profile"),
    "needs_analysis": gettext_lazy("needs analysis"),
    "vision": gettext_lazy("vision"),
    "monitoring": gettext_lazy("monitoring and evaluation"),
    "change_summary": gettext_lazy("what this version changes"),
    "label": gettext_lazy("figure"),
    "unit": gettext_lazy("unit"),
    "source": gettext_lazy("source"),
    "text": gettext_lazy("text"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "beneficiaries": gettext_lazy("eligible beneficiaries"),
    "name": gettext_lazy("name"),
    "note": gettext_lazy("note"),
}


def field_label(name: str) -> str:
    if name.startswith("rate:"):
        return _("aid rate: %(type)s") % {"type": ApplicantType(name[5:]).label}
    base, _sep, lang = name.rpartition("_")
    if lang in LANGS and base in TRANSLATED_LABELS:
        return f"{TRANSLATED_LABELS[base]} ({lang})"
    return str(FIELD_LABELS.get(name, name))


def _s(value) -> str:
    return "" if value is None else str(value)


def _tr(obj, *names) -> dict[str, str]:
    return {f"{n}_{lang}": _s(getattr(obj, f"{n}_{lang}")) for n in names for lang in LANGS}


def _item(label: str, fields: dict[str, str]) -> dict:
    return {"label": label, "fields": fields}


def serialise(contents: dict) -> dict:
    """A version as plain strings, section → {"text", "items"}, for ``rules.diff_versions``."""
    v = contents["version"]
    S = StrategySection
    period = f"{_s(v.period_start)}–{_s(v.period_end)}" if v.period_start or v.period_end else ""
    return {
        S.PROFILE: {
            "text": {**_tr(v, "territory_profile"), **({"period": period} if period else {})},
            "items": {k.code: _item(k.label, {**_tr(k, "label", "unit", "source"), "value": k.value, "year": _s(k.year)})
                      for k in contents["key_figures"]},
        },
        S.NEEDS: {"text": _tr(v, "needs_analysis"), "items": {}},
        S.SWOT: {
            "text": {},
            "items": {s.code: _item(s.text, {"kind": s.get_kind_display(), **_tr(s, "text")}) for s in contents["swot_items"]},
        },
        S.VISION: {"text": _tr(v, "vision"), "items": {}},
        S.OBJECTIVES: {
            "text": {},
            "items": {
                **{o.code: _item(o.title, _tr(o, "title", "description")) for o in contents["objectives"]},
                **{i.code: _item(i.name, _indicator_fields(i)) for o in contents["objectives"] for i in o.result_indicators},
            },
        },
        S.MEASURES: {
            "text": {},
            "items": {
                **{m.code: _item(m.title, _measure_fields(m)) for m in contents["measures"]},
                **{i.code: _item(i.name, _indicator_fields(i)) for m in contents["measures"] for i in m.output_indicators},
            },
        },
        S.ACTION_PLAN: {
            "text": {},
            "items": {c.code: _item(f"{c.measure.code} {c.planned_on}", {
                "measure": c.measure.code, "planned_on": _s(c.planned_on), "amount": _s(c.amount), **_tr(c, "note"),
            }) for c in contents["calls"]},
        },
        S.FINANCIAL_PLAN: {
            "text": {},
            "items": {
                r.code: _item(f"{r.measure.code if r.measure_id else _('LAG running costs')} {r.year}", {"amount": _s(r.amount)})
                for r in contents["finance_rows"]
            },
        },
        S.MONITORING: {"text": _tr(v, "monitoring"), "items": {}},
    }


def _indicator_fields(i: Indicator) -> dict[str, str]:
    owner = i.objective if i.kind == IndicatorKind.RESULT else i.measure
    return {
        **_tr(i, "name", "unit"), "owner": owner.code if owner else "",
        "baseline_value": _s(i.baseline_value), "baseline_date": _s(i.baseline_date),
        "target_value": _s(i.target_value), "target_date": _s(i.target_date), "aggregation": i.get_aggregation_display(),
    }


def _measure_fields(m: Measure) -> dict[str, str]:
    return {
        **_tr(m, "title", "description", "beneficiaries"),
        "min_grant": _s(m.min_grant), "max_grant": _s(m.max_grant), "budget": _s(m.budget),
        "objectives": ", ".join(o.code for o in m.objectives.all()),
        **{f"rate:{r.applicant_type}": _s(r.max_rate) for r in m.rates},
    }


def compare(a: StrategyVersion, b: StrategyVersion) -> list[dict]:
    """Section-by-section differences from ``a`` to ``b``, with readable field names."""
    ca, cb = version_contents(a), version_contents(b)
    labels = dict(StrategySection.choices)
    out = []
    for diff in rules.diff_versions(serialise(ca), serialise(cb)):
        out.append({
            "key": diff.section, "title": labels.get(diff.section, diff.section), "diff": diff,
            "text_changes": [(field_label(c.field), c) for c in diff.text_changes],
            "changed": [(item, [(field_label(c.field), c) for c in item.changes]) for item in diff.changed],
        })
    return out


def approvable_items(lag: Lag):
    """Approved agenda items of the LAG's general assembly not yet used to approve a version."""
    from sopeli.governance.models import AgendaItem, ItemStatus
    from sopeli.membership.models import BodyKind

    return (
        AgendaItem.objects.filter(lag=lag, body__kind=BodyKind.ASSEMBLY, status=ItemStatus.APPROVED)
        .filter(Q(approved_strategy_versions__isnull=True))
        .select_related("body", "meeting")
        .order_by("-decided_at", "-id")
    )
