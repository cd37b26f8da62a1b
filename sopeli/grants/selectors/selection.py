"""Reads for the ranking, the board's view of the proposal, the public results and an applicant's scores.

Only *submitted* score sheets are ever read here (``sheet__submitted_at__isnull=False``): a draft is
its author's alone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When, Window
from django.db.models.functions import RowNumber

from sopeli.core.privacy import public_grant_recipient
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
# Columns of an application the public results never show (free text and the aid check's workings).
PUBLIC_DEFERRED_APPLICATION_FIELDS = ("summary", "partners", "aid_check", "withdrawal_reason")
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


# Rows of a run shown at a time on the staff ranking and the board's view (a big call has thousands).
STAFF_ROWS = 50


def _page_number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def selections_for_staff(call: Call, *, rows_of: Any = None, page: Any = None) -> list[Selection]:
    """Every measure's latest run with one page of its results (``STAFF_ROWS`` rows in rank order, then
    the unranked), their applications and board items: 4 queries whatever the number of applications.

    ``page`` is the page of the run ``rows_of`` (a selection id); every other run shows its first page.
    Each selection gets ``rows``, ``row_count``, ``page_number`` and ``num_pages``.
    """
    latest = {}
    for s in (Selection.objects.filter(call=call).select_related("call_measure__measure", "decision_item")
              .order_by("call_measure_id", "-run")):
        latest.setdefault(s.call_measure_id, s)
    selections = list(latest.values())
    counts = dict(RankingResult.objects.filter(selection__in=selections).order_by()
                  .values_list("selection_id").annotate(n=Count("id")).values_list("selection_id", "n"))
    wanted = _page_number(page)
    first_row = {}
    for s in selections:
        s.call = call
        s.valid_until = services.reserve_valid_until(s) if s.decided_at else None
        s.row_count = counts.get(s.pk, 0)
        s.num_pages = max(1, -(-s.row_count // STAFF_ROWS))
        s.page_number = min(wanted, s.num_pages) if str(s.pk) == str(rows_of) else 1
        first_row[s.pk] = (s.page_number - 1) * STAFF_ROWS
    in_order = [F("rank").asc(nulls_last=True), F("id").asc()]
    skip = Case(*[When(selection_id=pk, then=Value(n)) for pk, n in first_row.items()], default=Value(0),
                output_field=IntegerField())
    # The page's ids first (one table, numbered per run), then only those rows with their joins.
    page_ids = (RankingResult.objects.filter(selection__in=selections)
                .annotate(row=Window(RowNumber(), partition_by=[F("selection_id")], order_by=in_order), skip=skip)
                .filter(row__gt=F("skip"), row__lte=F("skip") + STAFF_ROWS).values_list("id", flat=True))
    results = (RankingResult.objects.filter(id__in=list(page_ids))
               .select_related("application__settlement", "application__call", "decision_item").order_by(*in_order))
    by_sel: dict[int, list[RankingResult]] = {}
    for r in results:
        by_sel.setdefault(r.selection_id, []).append(r)
    for s in selections:
        s.rows = by_sel.get(s.pk, [])
        for r in s.rows:
            r.reasons = [services.shortfall_from_json(x) for x in r.shortfalls]
    return selections


# The public results page lists every funded project but only the head of each reserve list (which
# can run to thousands in a big call); the whole list is on its own paginated page.
RESERVE_ON_RESULTS = 10


def public_results(call: Call) -> list[Selection]:
    """The published results per measure: funded (applicant, amount, score), the head of the reserve list
    in order (``RESERVE_ON_RESULTS``; ``reserve_count`` says how long it is), counts of the rest."""
    return published_results([call], reserve_head=RESERVE_ON_RESULTS).get(call.pk, [])


def published_results(calls: list[Call], *, reserve_head: int | None = None) -> dict[int, list[Selection]]:
    """``public_results`` for many calls at once, by call id, in three queries whatever the number of
    calls or applications: each measure's latest run if it is published, its funded and reserve rows
    (application and village joined, the call given; the reserve only down to ``reserve_head`` when given) and
    the counts per outcome (``reserve_count``, ``rejected_count``, ``ineligible_count``, ``withdrawn_count``)."""
    by_id = {c.pk: c for c in calls}
    latest: dict[int, Selection] = {}
    for s in (Selection.objects.filter(call_id__in=list(by_id)).select_related("call_measure__measure")
              .order_by("call_measure__call_id", "call_measure__order", "call_measure_id", "-run")):
        latest.setdefault(s.call_measure_id, s)
    selections = [s for s in latest.values() if s.published_at]
    shown = Q(outcome=Outcome.RESERVE) if reserve_head is None else Q(outcome=Outcome.RESERVE, reserve_position__lte=reserve_head)
    rows: dict[int, list[RankingResult]] = {}
    for r in (RankingResult.objects.filter(selection__in=selections).filter(Q(outcome=Outcome.FUNDED) | shown)
              .select_related("application__settlement")
              .defer("shortfalls", *(f"application__{name}" for name in PUBLIC_DEFERRED_APPLICATION_FIELDS))
              .order_by("rank", "id")):
        r.application.call = by_id[r.application.call_id]  # known already: no heavy call row per result
        rows.setdefault(r.selection_id, []).append(r)
    counts: dict[tuple[int, str], int] = {
        (c["selection"], c["outcome"]): c["n"] for c in
        RankingResult.objects.filter(selection__in=selections).order_by().values("selection", "outcome").annotate(n=Count("id"))
    }
    out: dict[int, list[Selection]] = {}
    for s in selections:
        s.call = by_id[s.call_id]
        s.valid_until = services.reserve_valid_until(s) if s.decided_at else None
        s.rows = rows.get(s.pk, [])
        s.funded = [r for r in s.rows if r.outcome == Outcome.FUNDED]
        for r in s.funded:  # who receives the money, as core.privacy decides (a person's name may be withheld)
            r.recipient = public_grant_recipient(applicant_type=r.application.applicant_type,
                                                 applicant_name=r.application.applicant_name)
        s.reserve = sorted((r for r in s.rows if r.outcome == Outcome.RESERVE), key=lambda r: r.reserve_position or 0)
        s.reserve_count = counts.get((s.pk, Outcome.RESERVE), 0)
        s.rejected_count = counts.get((s.pk, Outcome.REJECTED), 0)
        s.ineligible_count = counts.get((s.pk, Outcome.INELIGIBLE), 0)
        s.withdrawn_count = counts.get((s.pk, Outcome.WITHDRAWN), 0)
        out.setdefault(s.call_id, []).append(s)
    return out


def published_selection(call: Call, call_measure_id: int) -> Selection | None:
    """One measure's latest run, if published (1 query), for its whole reserve list."""
    latest = (Selection.objects.filter(call=call, call_measure_id=call_measure_id)
              .select_related("call_measure__measure").order_by("-run").first())
    if latest is None or not latest.published_at:
        return None
    latest.call = call
    latest.valid_until = services.reserve_valid_until(latest) if latest.decided_at else None
    return latest


def reserve_list(selection: Selection):
    """A published selection's whole reserve list in order; paginate the result."""
    return (RankingResult.objects.filter(selection=selection, outcome=Outcome.RESERVE)
            .select_related("application__settlement", "application__call").order_by("reserve_position", "id"))


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
