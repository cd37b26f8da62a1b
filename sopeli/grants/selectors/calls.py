"""Reads for the call pages; each costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from sopeli.core.models import Lag, Settlement
from sopeli.grants import rules
from sopeli.grants.models import Call, CallAmendment, CallMeasure, Criterion
from sopeli.grants.workflow import PUBLIC_CALL_STATUSES, ApplicationStatus, CallStatus


def _with_measures(qs):
    return qs.prefetch_related(
        Prefetch("call_measures", queryset=CallMeasure.objects.select_related("measure").order_by("order", "id"))
    )


def _totals(calls: list[Call]) -> list[Call]:
    for call in calls:
        call.total_budget = sum((m.budget for m in call.call_measures.all()), Decimal("0.00"))
    return calls


@dataclass
class PublicCalls:
    open: list[Call]
    upcoming: list[Call]
    closed: list[Call]


def public_calls(lag: Lag, *, now: datetime | None = None) -> PublicCalls:
    """Published calls split into open, upcoming and closed (2 queries)."""
    now = now or timezone.now()
    calls = _totals(list(_with_measures(Call.objects.filter(lag=lag, status__in=PUBLIC_CALL_STATUSES)).order_by("closes_at", "id")))
    result = PublicCalls([], [], [])
    for call in calls:
        if call.status == CallStatus.PUBLISHED and now < call.opens_at:
            result.upcoming.append(call)
        elif call.status == CallStatus.PUBLISHED and rules.is_on_time(now, call.closes_at):
            result.open.append(call)
        else:
            result.closed.append(call)
    result.closed.reverse()
    return result


def call_is_open(call: Call, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return call.status == CallStatus.PUBLISHED and call.opens_at <= now and rules.is_on_time(now, call.closes_at)


def call_contents(call: Call) -> dict:
    """Everything the public call page and its PDF show (fixed number of queries)."""
    measures = list(
        CallMeasure.objects.filter(call=call).select_related("measure").prefetch_related("measure__objectives").order_by("order", "id")
    )
    criteria = list(Criterion.objects.filter(call=call).order_by("order", "id"))
    scored = [c for c in criteria if c.kind == "scored"]
    max_total = sum((c.max_points * c.weight for c in scored), Decimal(0))
    aid_rates = list(call.aid_rates.all())
    for r in aid_rates:
        r.own_share = Decimal(100) - r.max_rate
    return {
        "call": call,
        "measures": measures,
        "total_budget": sum((m.budget for m in measures), Decimal("0.00")),
        "aid_rates": aid_rates,
        "settlements": list(call.eligible_settlements.all()),
        "questions": list(call.questions.all()),
        "documents": list(call.documents.all()),
        "criteria": criteria,
        "pass_fail": [c for c in criteria if c.kind == "pass_fail"],
        "scored": scored,
        "max_total": rules.q2(max_total) if scored else None,
        "checklist": list(call.checklist.all()),
        "amendments": list(CallAmendment.objects.filter(call=call, is_public=True).order_by("number")),
        "is_open": call_is_open(call),
        "tie_breaks": _tie_breaks(call, {c.code: c for c in criteria}),
        "divergence_percent": call.divergence_share * 100 if call.divergence_share is not None else None,
    }


def _tie_breaks(call: Call, criteria: dict[str, Criterion]) -> list[dict]:
    out = []
    for entry in call.tie_breaks or []:
        out.append({"kind": entry.get("kind"), "criterion": criteria.get(entry.get("criterion") or "")})
    return out


def staff_calls(lag: Lag):
    """Every call of the LAG with counts of applications by stage (one query + measures)."""
    return _totals(list(_with_measures(Call.objects.filter(lag=lag)).annotate(
        received=Count("applications", filter=~Q(applications__status__in=[ApplicationStatus.DRAFT]), distinct=True),
        drafts=Count("applications", filter=Q(applications__status=ApplicationStatus.DRAFT), distinct=True),
        to_check=Count("applications", filter=Q(applications__status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.NEEDS_FIXES]), distinct=True),
    ).order_by("-opens_at", "-id")))


def published_calls():
    """Every call the public may read (published or later), with its LAG, measures, aid rates, eligible
    villages, criteria and public amendments as lists (``measure_list``, ``aid_rate_list``, ``village_list``,
    ``criterion_list``, ``public_amendments``): six queries when evaluated, whatever the number of calls.
    For the open-data API and the calls feed; newest first."""
    from sopeli.grants.models import CallAidRate

    return (
        Call.objects.filter(status__in=PUBLIC_CALL_STATUSES)
        .select_related("lag")
        .defer("snapshot")  # the frozen rules: the tables below say the same, without decoding a large JSON per call
        .prefetch_related(
            # Lists (to_attr), not managers: a related manager per call and relation costs more than its rows.
            Prefetch("call_measures", queryset=CallMeasure.objects.select_related("measure").order_by("order", "id"),
                     to_attr="measure_list"),
            Prefetch("aid_rates", queryset=CallAidRate.objects.order_by("applicant_type"), to_attr="aid_rate_list"),
            Prefetch("eligible_settlements", queryset=Settlement.objects.only("id").order_by("id"), to_attr="village_list"),
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id"), to_attr="criterion_list"),
            Prefetch("amendments", queryset=CallAmendment.objects.filter(is_public=True).order_by("number"),
                     to_attr="public_amendments"),
        )
        .order_by("-published_at", "-id")
    )
