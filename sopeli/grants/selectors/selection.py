"""Reads for the ranking, the board's view of the proposal, the public results and an applicant's scores.

Only *submitted* score sheets are ever read here (``sheet__submitted_at__isnull=False``): a draft is
its author's alone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from sopeli.grants import rules
from sopeli.grants.models import (
    Application,
    Assignment,
    Call,
    CallMeasure,
    CriterionKind,
    Outcome,
    RankingResult,
    Score,
    Selection,
)
from sopeli.grants.services import selection as services

VARIANTS = [v.value for v in rules.BudgetVariant]
TIE_BREAKS = {"amount": [{"kind": "lower_amount"}], "time": [{"kind": "earlier_submission"}]}


def what_if(call_measure: CallMeasure, *, variant: str | None = None, tie_break: str | None = None,
            budget: Decimal | None = None) -> dict[str, Any]:
    """The ranking under the call's rules or others (never saved), as rows for a page."""
    variant = variant if variant in VARIANTS else None
    tie = TIE_BREAKS.get(tie_break or "")
    try:
        result, inputs = services.compute(call_measure, variant=variant, tie_break_list=tie, budget=budget)
    except ValueError as exc:
        return {"error": str(exc), "rows": [], "selection": None, "waiting": 0}
    awards = {a.ref: a.amount for a in result.funded}
    rows = []
    for position, app in enumerate(result.ranked, 1):
        rows.append({"rank": position, "app": inputs.by_ref[app.ref], "score": app.score, "requested": app.requested,
                     "amount": awards.get(app.ref), "outcome": Outcome.FUNDED if app.ref in awards else Outcome.RESERVE})
    for app in result.rejected:
        rows.append({"rank": None, "app": inputs.by_ref[app.ref], "score": app.score, "requested": app.requested,
                     "amount": None, "outcome": Outcome.REJECTED,
                     "reasons": [services.shortfall_text(s) for s in inputs.finals[app.ref].assessment.shortfalls]})
    for app in result.ineligible:
        rows.append({"rank": None, "app": inputs.by_ref[app.ref], "score": None, "requested": inputs.by_ref[app.ref].requested_grant,
                     "amount": None, "outcome": Outcome.INELIGIBLE})
    return {"selection": result, "rows": rows, "waiting": inputs.waiting, "error": "",
            "variant": variant or call_measure.call.budget_variant, "tie_break": tie_break or ""}


def selections_for_staff(call: Call) -> list[Selection]:
    """Every measure's latest run with its results, applications and board items (fixed queries)."""
    latest = {}
    for s in (Selection.objects.filter(call=call).select_related("call_measure__measure", "decision_item")
              .order_by("call_measure_id", "-run")):
        latest.setdefault(s.call_measure_id, s)
    selections = list(latest.values())
    results = (RankingResult.objects.filter(selection__in=selections)
               .select_related("application__settlement", "application__call", "decision_item").order_by("rank", "id"))
    by_sel: dict[int, list[RankingResult]] = {}
    for r in results:
        by_sel.setdefault(r.selection_id, []).append(r)
    for s in selections:
        s.rows = by_sel.get(s.pk, [])
        s.valid_until = services.reserve_valid_until(s) if s.decided_at else None
        for r in s.rows:
            r.reasons = [services.shortfall_from_json(x) for x in r.shortfalls]
    return selections


def public_results(call: Call) -> list[Selection]:
    """The published results per measure: funded (applicant, amount, score), reserve in order, counts of the rest."""
    selections = [s for s in selections_for_staff(call) if s.published_at]
    for s in selections:
        s.funded = [r for r in s.rows if r.outcome == Outcome.FUNDED]
        s.reserve = sorted((r for r in s.rows if r.outcome == Outcome.RESERVE), key=lambda r: r.reserve_position or 0)
        s.rejected_count = sum(1 for r in s.rows if r.outcome == Outcome.REJECTED)
        s.ineligible_count = sum(1 for r in s.rows if r.outcome == Outcome.INELIGIBLE)
        s.withdrawn_count = sum(1 for r in s.rows if r.outcome == Outcome.WITHDRAWN)
    return selections


def own_scores(app: Application, *, show_names: bool) -> dict[str, Any]:
    """An applicant's own submitted sheets per criterion with justifications (names only if the call says so)."""
    criteria = list(app.call.criteria.all())
    assignments = list(
        Assignment.objects.filter(application=app, conflict_declared=False, sheet__submitted_at__isnull=False)
        .select_related("sheet", "evaluator")
        .prefetch_related(Prefetch("sheet__scores", queryset=Score.objects.select_related("criterion")))
        .order_by("assigned_at", "id")
    )
    sheets = []
    for n, a in enumerate(assignments, 1):
        by_criterion = {s.criterion_id: s for s in a.sheet.scores.all()}
        sheets.append({
            "label": a.evaluator.full_name if show_names else None, "number": n, "round": a.get_round_display(),
            "round_code": a.round, "total": a.sheet.total, "comment": a.sheet.comment,
            "rows": [{"criterion": c, "score": by_criterion.get(c.pk), "scored": c.kind == CriterionKind.SCORED} for c in criteria],
        })
    result = (RankingResult.objects.filter(application=app, selection__published_at__isnull=False)
              .select_related("selection").order_by("-selection__run").first())
    if result is not None:
        result.reasons = [services.shortfall_from_json(x) for x in result.shortfalls]
    return {"sheets": sheets, "result": result, "criteria": criteria}


def local(dt: datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M:%S") if dt else ""
