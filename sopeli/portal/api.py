"""The open-data API, version 1: read-only, paginated (``limit``/``offset``), filterable.

Mounted at ``/api/v1/``; the OpenAPI document is ``/api/v1/openapi.json``. Every list answers
``{"count", "limit", "offset", "items"}`` and costs a fixed number of queries whatever ``limit``.
People appear only through ``sopeli.core.privacy`` (public fields of active members).
Translated content comes in both languages (``name_ka``/``name_en``, ``title_ka``/``title_en``).

Version 1 is stable: fields may be added, never renamed or removed; a breaking change is /api/v2/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from pydantic import BaseModel, Field

from sopeli.core.models import Lag
from sopeli.core.privacy import (
    public_decision,
    public_grant_recipient,
    public_member,
    public_member_ref,
    public_payment,
    public_received_application,
    public_village,
)
from sopeli.governance.models import AgendaItem, Meeting
from sopeli.membership.models import Body
from sopeli.portal import selectors

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_ID = 2**31 - 1
SLUG = r"^[-a-zA-Z0-9_]{1,40}$"
CODE = r"^[-a-zA-Z0-9_.]{1,20}$"  # a strategy measure's code, stable across versions: M1, P-M1, R1.1


class Utf8JSONRenderer(JSONRenderer):
    """Georgian text as itself (UTF-8), not as \\u escapes: half the bytes on a phone."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="Sopeli open data",
    version="1",
    description=(
        "Public data of LEADER Local Action Groups run with Sopeli: LAGs and their villages, members "
        "(public fields only), bodies and their current seat holders, meetings, and decisions with their "
        "tally, each member's vote in roll calls, recusals with reasons and the checks of the 49% rule; "
        "calls for projects with their measures, budgets, limits, dates, criteria and amendments; the "
        "applications received (once the call's list is published: no names); the results (once "
        "published: funded and reserve projects in rank order with their scores, counts of the rest); "
        "funded projects with their contracts; payments; and the strategy's indicators with their "
        "targets and the totals the projects reported. Amounts are decimal strings in the LAG's currency. "
        "Read-only; lists are paginated with limit (at most 200) and offset."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)


# --- schemas -----------------------------------------------------------------------------------
class Out(BaseModel):
    """Answers are built as plain dicts: plain pydantic models validate them without ninja's per-object
    Django attribute lookup (a fifth of the time of a page of decisions or calls)."""


class Error(Out):
    detail: str


class ValidationErrorItem(Out):
    model_config = {"extra": "allow"}
    type: str | None = None
    loc: list[str | int] = []
    msg: str


class ValidationErrors(Out):
    detail: list[ValidationErrorItem]


class SettlementOut(Out):
    id: int
    name_ka: str
    name_en: str
    population: int | None
    latitude: float | None
    longitude: float | None
    elevation_m: int | None
    is_centre: bool


class LagOut(Out):
    slug: str
    name_ka: str
    name_en: str
    municipality_ka: str
    municipality_en: str
    region_ka: str
    region_en: str
    currency: str
    votes_for_variant: bool
    settlements: list[SettlementOut]


class Ref(Out):
    id: int
    name: str


class GroupRef(Out):
    id: int
    code: str
    name: str


class MemberOut(Out):
    id: int
    lag: str
    name: str
    kind: str
    organisation_type: str
    sector: str
    interest_group: GroupRef | None
    village: Ref | None


class MemberRef(Out):
    id: int
    name: str
    sector: str


class SeatOut(Out):
    member: MemberRef
    role: str
    starts_on: dt.date
    ends_on: dt.date | None


class BodyOut(Out):
    id: int
    lag: str
    kind: str
    name_ka: str
    name_en: str
    quorum_percent: int = Field(description="Quorum: strictly more than this percentage of the seats take part.")
    all_members_sit: bool = Field(description="The general assembly: every active member sits; see /members.")
    seat_holders: list[SeatOut] = Field(description="Current seats (empty when all members sit).")


class MeetingOut(Out):
    id: int
    lag: str
    body: int
    title_ka: str
    title_en: str
    starts_at: dt.datetime
    place: str
    status: str
    minutes_published_at: dt.datetime | None


class Composition(Out):
    total: int
    public: list[int] = Field(description="[public votes, all votes]")
    groups: dict[str, list[int]] = Field(description="interest group code: [votes, all votes]")


class Checks(Out):
    seats: int | None = None
    participants: int | None = None
    composition: Composition | None = None
    for_composition: Composition | None = None
    problems: list[dict[str, Any]] = []
    remedies: list[dict[str, Any]] = []


class VoteOut(Out):
    member: MemberRef
    choice: str


class RecusalOut(Out):
    member: MemberRef
    kind: str
    reason: str


class DecisionOut(Out):
    id: int
    lag: str
    body: int
    meeting: int | None
    procedure: str
    code: str
    title_ka: str
    title_en: str
    is_selection: bool
    voting_method: str
    result: str
    decided_at: dt.datetime | None
    tally: dict[str, int] = Field(description='{"for": n, "against": n, "abstain": n}')
    votes: list[VoteOut] = Field(description="Each member's vote (roll calls only).")
    recusals: list[RecusalOut]
    checks: Checks


def page_of(schema):
    name = f"{schema.__name__.removesuffix('Out')}Page"
    return type(name, (Out,), {"__annotations__": {"count": int, "limit": int, "offset": int,
                                                       "items": list[schema]}})


LagPage, MemberPage, BodyPage, MeetingPage, DecisionPage = (
    page_of(s) for s in (LagOut, MemberOut, BodyOut, MeetingOut, DecisionOut)
)

ERRORS = {400: Error, 404: Error, 422: ValidationErrors}


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_ID)


def _page(qs, paging: Paging, serialise) -> dict:
    count = qs.count()
    rows = list(qs[paging.offset:paging.offset + paging.limit]) if paging.offset < count else []
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": [serialise(r) for r in rows]}


def _where(qs, **lookups):
    """``qs`` filtered by the query parameters that were given; one left out (None or empty) filters nothing."""
    # "is not None" rather than truthiness: a subquery's truth would run it.
    given = {field: value for field, value in lookups.items() if value is not None and value != ""}
    return qs.filter(**given) if given else qs


def _calls_under(measure: str | None):
    """The ids of calls that fund the measure with this code (None when no measure was asked for)."""
    from sopeli.grants.models import Call

    return Call.objects.filter(call_measures__measure__code=measure).values("pk") if measure else None


def _lag(slug: str | None) -> Lag | None:
    if slug is None:
        return None
    lag = Lag.objects.filter(slug=slug).first()
    if lag is None:
        raise HttpError(404, f"No LAG with the address {slug!r}.")
    return lag


# --- serialisers -------------------------------------------------------------------------------
def _lag_out(lag: Lag) -> dict:
    return {
        "slug": lag.slug, "name_ka": lag.name_ka or "", "name_en": lag.name_en or "",
        "municipality_ka": lag.municipality_ka or "", "municipality_en": lag.municipality_en or "",
        "region_ka": lag.region_ka or "", "region_en": lag.region_en or "",
        "currency": lag.currency, "votes_for_variant": lag.votes_for_variant,
        "settlements": [
            {"id": s.pk, "name_ka": s.name_ka or "", "name_en": s.name_en or "", "population": s.population,
             "latitude": float(s.latitude) if s.latitude is not None else None,
             "longitude": float(s.longitude) if s.longitude is not None else None,
             "elevation_m": s.elevation_m, "is_centre": s.is_centre}
            for s in lag.settlements.all()
        ],
    }


def _member_out(member) -> dict:
    return {**public_member(member), "lag": member.lag.slug}


def _body_out(body: Body) -> dict:
    return {
        "id": body.pk, "lag": body.lag.slug, "kind": body.kind, "name_ka": body.name_ka or "",
        "name_en": body.name_en or "", "quorum_percent": body.quorum_percent, "all_members_sit": body.all_members_sit,
        "seat_holders": [] if body.all_members_sit else [
            {"member": public_member_ref(s.member), "role": s.role, "starts_on": s.starts_on, "ends_on": s.ends_on}
            for s in body.current_seats
        ],
    }


def _meeting_out(m: Meeting) -> dict:
    return {
        "id": m.pk, "lag": m.lag.slug, "body": m.body_id, "title_ka": m.title_ka or "", "title_en": m.title_en or "",
        "starts_at": m.starts_at, "place": m.place, "status": m.status, "minutes_published_at": m.minutes_published_at,
    }


def _composition(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    return {"total": value.get("total", 0), "public": list(value.get("public") or [0, 0]),
            "groups": {str(k): list(v) for k, v in (value.get("groups") or {}).items()}}


def decision_out(item: AgendaItem) -> dict:
    fact = public_decision(item)
    checks = fact["checks"]
    return {
        **fact, "lag": item.lag.slug, "meeting": item.meeting_id, "procedure": item.procedure,
        "is_selection": item.is_selection, "voting_method": item.voting_method, "decided_at": item.decided_at,
        "checks": {
            "seats": checks["seats"], "participants": checks["participants"],
            "composition": _composition(checks["composition"]),
            "for_composition": _composition(checks["for_composition"]),
            "problems": list(checks["problems"] or []), "remedies": list(checks["remedies"] or []),
        },
    }


# --- endpoints ---------------------------------------------------------------------------------
LagSlug = Query(None, pattern=SLUG, description="Only this LAG (its address, e.g. kazbegi).")


@api.get("/lags", response={200: LagPage, **ERRORS}, tags=["LAGs"], summary="Local Action Groups and their villages")
def list_lags(request: HttpRequest, paging: Query[Paging]):
    from django.db.models import Prefetch

    from sopeli.core.models import Settlement

    qs = Lag.objects.prefetch_related(Prefetch("settlements", queryset=Settlement.objects.order_by("-is_centre", "name", "id"))).order_by("slug")
    return _page(qs, paging, _lag_out)


@api.get("/lags/{slug}", response={200: LagOut, **ERRORS}, tags=["LAGs"], summary="One LAG")
def get_lag(request: HttpRequest, slug: str = Path(..., pattern=SLUG)):
    lag = _lag(slug)
    return _lag_out(lag)


@api.get("/members", response={200: MemberPage, **ERRORS}, tags=["Members"],
         summary="Active members (public fields only)")
def list_members(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                 sector: Literal["public", "business", "civil"] | None = None,
                 interest_group: str | None = Query(None, pattern=r"^[-a-zA-Z0-9_]{1,40}$"),
                 village: int | None = Query(None, ge=1, le=MAX_ID)):
    qs = selectors.public_members(lag=_lag(lag), sector=sector, village_id=village, group_code=interest_group)
    return _page(qs.select_related("lag"), paging, _member_out)


@api.get("/bodies", response={200: BodyPage, **ERRORS}, tags=["Bodies"],
         summary="Bodies (assembly, board, working groups) with their current seat holders")
def list_bodies(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                kind: Literal["assembly", "board", "working_group"] | None = None):
    return _page(selectors.public_bodies(lag=_lag(lag), kind=kind), paging, _body_out)


@api.get("/bodies/{body_id}", response={200: BodyOut, **ERRORS}, tags=["Bodies"], summary="One body")
def get_body(request: HttpRequest, body_id: int = Path(..., ge=1, le=MAX_ID)):
    return _body_out(get_object_or_404(selectors.public_bodies(), pk=body_id))


@api.get("/meetings", response={200: MeetingPage, **ERRORS}, tags=["Meetings"], summary="Meetings of the bodies")
def list_meetings(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                  body: int | None = Query(None, ge=1, le=MAX_ID),
                  status: Literal["planned", "held", "published"] | None = None):
    return _page(selectors.public_meetings(lag=_lag(lag), body_id=body, status=status), paging, _meeting_out)


@api.get("/decisions", response={200: DecisionPage, **ERRORS}, tags=["Decisions"],
         summary="Decisions: items of published minutes and closed written procedures, newest first")
def list_decisions(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                   body: int | None = Query(None, ge=1, le=MAX_ID),
                   meeting: int | None = Query(None, ge=1, le=MAX_ID),
                   result: Literal["approved", "rejected", "blocked"] | None = None):
    qs = selectors.public_decisions(lag=_lag(lag), body_id=body, result=result, meeting_id=meeting)
    return _page(qs, paging, decision_out)


@api.get("/decisions/{decision_id}", response={200: DecisionOut, **ERRORS}, tags=["Decisions"], summary="One decision")
def get_decision(request: HttpRequest, decision_id: int = Path(..., ge=1, le=MAX_ID)):
    item = selectors.public_decisions().filter(pk=decision_id).first()
    if item is None:
        raise HttpError(404, f"No public decision with the id {decision_id}.")
    return decision_out(item)


# --- calls, received applications, results, projects, payments, indicators ----------------------
# What each may show, and from when, is core.privacy's (see "applications, results, projects and
# payments in the open-data API" there); the reads are the public pages' selectors.
Money = Decimal
MeasureCode = Query(None, pattern=CODE, description="Only this strategy measure (its code, e.g. M1).")
Village = Query(None, ge=1, le=MAX_ID, description="Only this village (its id, see /lags).")


class MeasureRef(Out):
    code: str
    title_ka: str
    title_en: str


class CallMeasureOut(MeasureRef):
    budget: Money


class AidRateOut(Out):
    applicant_type: str
    max_rate: Money = Field(description="Maximum aid rate, percent of the project's total budget.")


class CriterionOut(Out):
    code: str
    kind: Literal["pass_fail", "scored"]
    title_ka: str
    title_en: str
    guidance_ka: str
    guidance_en: str
    max_points: Money | None
    weight: Money
    min_points: Money | None


class AmendmentOut(Out):
    number: int
    reason_ka: str
    reason_en: str
    made_at: dt.datetime
    changes: list[dict[str, Any]] = Field(description='[{"field", "label", "before", "after"}]')


class CallOut(Out):
    id: int
    lag: str
    code: str
    title_ka: str
    title_en: str
    summary_ka: str
    summary_en: str
    who_can_apply_ka: str
    who_can_apply_en: str
    status: Literal["published", "closed", "evaluated", "results_published"]
    published_at: dt.datetime
    opens_at: dt.datetime
    closes_at: dt.datetime
    has_idea_stage: bool
    ideas_close_at: dt.datetime | None
    min_grant: Money
    max_grant: Money
    total_budget: Money
    min_duration_months: int | None
    max_duration_months: int | None
    measures: list[CallMeasureOut]
    aid_rates: list[AidRateOut] = Field(description="An applicant type may apply if and only if it has a rate.")
    eligible_villages: list[int] = Field(description="Ids of the villages where projects may be; empty: the whole territory.")
    criteria: list[CriterionOut]
    min_total: Money = Field(description="The minimum total score to be funded.")
    evaluators_per_application: int
    aggregation: str
    budget_variant: str
    received_list_published_at: dt.datetime | None
    results_published_at: dt.datetime | None
    amendments: list[AmendmentOut]


class RecipientOut(Out):
    individual: bool
    name: str


class ReceivedOut(Out):
    id: int
    lag: str
    call: int
    reference: str
    number: int
    title: str
    stage: str
    applicant_type: str
    measure: str
    village: Ref | None
    requested_grant: Money


class FundedOut(Out):
    rank: int | None
    application: int
    reference: str
    title: str
    recipient: RecipientOut
    village: Ref | None
    score: Money | None
    requested: Money
    awarded: Money | None
    partial: bool
    amount_reason: str


class ReserveOut(Out):
    position: int | None
    rank: int | None
    application: int
    reference: str
    title: str
    village: Ref | None
    score: Money | None
    requested: Money


class MeasureResultsOut(Out):
    measure: MeasureRef
    budget: Money
    total_funded: Money
    reserve_valid_until: dt.datetime | None
    funded: list[FundedOut] = Field(description="In rank order.")
    reserve: list[ReserveOut] = Field(description="In the order reserve projects are funded when money frees up.")
    rejected: int = Field(description="How many did not reach the minimum score.")
    ineligible: int
    withdrawn: int


class AppealOut(Out):
    reference: str
    status: str
    original_outcome: str
    original_score: Money | None
    new_outcome: str
    new_score: Money | None


class ResultsOut(Out):
    call: int
    lag: str
    code: str
    title_ka: str
    title_en: str
    results_published_at: dt.datetime
    measures: list[MeasureResultsOut]
    appeals: list[AppealOut] = Field(description="Decided appeals; the original decision stays beside the new one.")


class ProjectOut(Out):
    id: int
    lag: str
    call: int
    reference: str
    title: str
    recipient: RecipientOut
    village: Ref | None
    measure: MeasureRef
    awarded: Money
    decided_at: dt.datetime | None
    contract_status: Literal["draft", "checked", "signed", "settled"] | None = Field(
        description="None: selected, the contract is being prepared.")
    starts_on: dt.date | None
    ends_on: dt.date | None
    paid: Money | None = Field(description="Paid minus recovered, once there is a contract.")


class PaymentOut(Out):
    id: int
    lag: str
    project: int = Field(description="The project's id (see /projects).")
    call: int
    paid_on: dt.date
    amount: Money
    tranche: int | None


class IndicatorOut(Out):
    id: int
    lag: str
    code: str
    kind: Literal["result", "output"]
    name_ka: str
    name_en: str
    unit_ka: str
    unit_en: str
    measure: str | None = Field(description="The measure's code (output indicators).")
    objective: str | None = Field(description="The objective's code (result indicators).")
    aggregation: str
    full_time_equivalents: bool
    baseline_value: Money | None
    baseline_date: dt.date | None
    target_value: Money
    target_date: dt.date | None
    value: Money | None = Field(description="The current value: the baseline plus what projects reported (approved reports).")
    contribution: Money
    percent: int | None = Field(description="Progress to the target, whole percent.")
    projects: int = Field(description="Projects with an approved report on it.")
    planned: Money = Field(description="What the projects' contracts promised.")


CallPage, ReceivedPage, ResultsPage, ProjectPage, PaymentPage, IndicatorPage = (
    page_of(s) for s in (CallOut, ReceivedOut, ResultsOut, ProjectOut, PaymentOut, IndicatorOut)
)


class SmallPaging(Paging):
    """Results carry every funded and reserve project of a call: fewer calls a page."""

    limit: int = Field(10, ge=1, le=50)


def _measure_ref(measure) -> dict:
    return {"code": measure.code, "title_ka": measure.title_ka or "", "title_en": measure.title_en or ""}


def _call_out(call) -> dict:
    measures = call.measure_list
    return {
        "id": call.pk, "lag": call.lag.slug, "code": call.code, "title_ka": call.title_ka or "",
        "title_en": call.title_en or "", "summary_ka": call.summary_ka or "", "summary_en": call.summary_en or "",
        "who_can_apply_ka": call.who_can_apply_ka or "", "who_can_apply_en": call.who_can_apply_en or "",
        "status": call.status, "published_at": call.published_at, "opens_at": call.opens_at, "closes_at": call.closes_at,
        "has_idea_stage": call.has_idea_stage, "ideas_close_at": call.ideas_close_at,
        "min_grant": call.min_grant, "max_grant": call.max_grant,
        "total_budget": sum((m.budget for m in measures), Decimal("0.00")),
        "min_duration_months": call.min_duration_months, "max_duration_months": call.max_duration_months,
        "measures": [{**_measure_ref(m.measure), "budget": m.budget} for m in measures],
        "aid_rates": [{"applicant_type": r.applicant_type, "max_rate": r.max_rate} for r in call.aid_rate_list],
        "eligible_villages": [s.pk for s in call.village_list],
        "criteria": [{"code": c.code, "kind": c.kind, "title_ka": c.title_ka or "", "title_en": c.title_en or "",
                      "guidance_ka": c.guidance_ka or "", "guidance_en": c.guidance_en or "", "max_points": c.max_points,
                      "weight": c.weight, "min_points": c.min_points} for c in call.criterion_list],
        "min_total": call.min_total, "evaluators_per_application": call.evaluators_per_application,
        "aggregation": call.aggregation, "budget_variant": call.budget_variant,
        "received_list_published_at": call.received_list_published_at, "results_published_at": call.results_published_at,
        "amendments": [{"number": a.number, "reason_ka": a.reason_ka or "", "reason_en": a.reason_en or "",
                        "made_at": a.made_at, "changes": [c for c in (a.changes or []) if isinstance(c, dict)]}
                       for a in call.public_amendments],
    }


def _calls(*, lag: Lag | None, status: str | None, measure: str | None, year: int | None, village: int | None):
    from django.db.models import Q

    from sopeli.grants.models import Call
    from sopeli.grants.selectors.calls import published_calls

    qs = _where(published_calls(), lag=lag, status=status, pk__in=_calls_under(measure), opens_at__year=year)
    if village:
        restricted = Call.eligible_settlements.through.objects.values("call_id")
        qs = qs.filter(~Q(pk__in=restricted) | Q(pk__in=restricted.filter(settlement_id=village)))
    return qs


@api.get("/calls", response={200: CallPage, **ERRORS}, tags=["Calls"],
         summary="Calls for projects with their measures, budgets, limits, dates, criteria and amendments")
def list_calls(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
               status: Literal["published", "closed", "evaluated", "results_published"] | None = None,
               measure: str | None = MeasureCode, year: int | None = Query(None, ge=1900, le=2200, description="Opened in this year."),
               village: int | None = Query(None, ge=1, le=MAX_ID, description="Open to projects in this village.")):
    return _page(_calls(lag=_lag(lag), status=status, measure=measure, year=year, village=village), paging, _call_out)


@api.get("/calls/{call_id}", response={200: CallOut, **ERRORS}, tags=["Calls"], summary="One call")
def get_call(request: HttpRequest, call_id: int = Path(..., ge=1, le=MAX_ID)):
    from sopeli.grants.selectors.calls import published_calls

    call = published_calls().filter(pk=call_id).first()
    if call is None:
        raise HttpError(404, f"No public call with the id {call_id}.")
    return _call_out(call)


def _received_out(app) -> dict:
    return {**public_received_application(app), "lag": app.lag.slug, "call": app.call_id}


@api.get("/received", response={200: ReceivedPage, **ERRORS}, tags=["Received applications"],
         summary="Applications received, once the call's list is published: no names, no contact data")
def list_received(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                  call: int | None = Query(None, ge=1, le=MAX_ID), measure: str | None = MeasureCode,
                  village: int | None = Village,
                  applicant_type: Literal["person", "business", "cooperative", "ngo", "municipality",
                                          "public_institution"] | None = None,
                  year: int | None = Query(None, ge=1900, le=2200, description="Submitted in this year.")):
    from sopeli.grants.selectors.checks import published_received

    qs = published_received()
    qs = _where(qs, lag=_lag(lag), call_id=call, measure__measure__code=measure, settlement_id=village,
                applicant_type=applicant_type, submitted_at__year=year)
    return _page(qs, paging, _received_out)


def _results_page(qs, paging: Paging) -> dict:
    """Calls with published results, and their results in three more queries (``published_results``)."""
    from sopeli.grants.models import Appeal, AppealStatus
    from sopeli.grants.selectors.selection import published_results

    count = qs.count()
    calls = list(qs[paging.offset:paging.offset + paging.limit]) if paging.offset < count else []
    results = published_results(calls) if calls else {}
    appeals: dict[int, list] = {}
    if calls:
        for a in (Appeal.objects.filter(application__call__in=calls).exclude(status=AppealStatus.FILED)
                  .select_related("application__call").order_by("filed_at", "id")):
            appeals.setdefault(a.application.call_id, []).append(a)
    items = [_results_out(c, results.get(c.pk, []), appeals.get(c.pk, [])) for c in calls]
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}


def _ref(app) -> str:
    return f"{app.call.code}-{app.number:03d}" if app.number is not None else ""


def _results_out(call, selections, appeals) -> dict:
    def funded(r) -> dict:
        app = r.application
        return {"rank": r.rank, "application": app.pk, "reference": _ref(app), "title": app.title,
                "recipient": r.recipient, "village": public_village(app.settlement), "score": r.score,
                "requested": r.requested, "awarded": r.awarded_amount, "partial": r.partial, "amount_reason": r.amount_reason}

    def reserve(r) -> dict:
        app = r.application
        return {"position": r.reserve_position, "rank": r.rank, "application": app.pk, "reference": _ref(app),
                "title": app.title, "village": public_village(app.settlement), "score": r.score, "requested": r.requested}

    return {
        "call": call.pk, "lag": call.lag.slug, "code": call.code, "title_ka": call.title_ka or "",
        "title_en": call.title_en or "", "results_published_at": call.results_published_at,
        "measures": [{
            "measure": _measure_ref(s.call_measure.measure), "budget": s.budget, "total_funded": s.total_funded,
            "reserve_valid_until": s.valid_until, "funded": [funded(r) for r in s.funded],
            "reserve": [reserve(r) for r in s.reserve], "rejected": s.rejected_count, "ineligible": s.ineligible_count,
            "withdrawn": s.withdrawn_count,
        } for s in selections],
        "appeals": [{"reference": _ref(a.application), "status": a.status, "original_outcome": a.original_outcome,
                     "original_score": a.original_score, "new_outcome": a.new_outcome, "new_score": a.new_score}
                    for a in appeals],
    }


def _published_result_calls():
    from sopeli.grants.models import Call
    from sopeli.grants.workflow import CallStatus

    return (Call.objects.filter(status=CallStatus.RESULTS_PUBLISHED, results_published_at__isnull=False)
            .select_related("lag").defer("snapshot").order_by("-results_published_at", "-id"))


@api.get("/results", response={200: ResultsPage, **ERRORS}, tags=["Results"],
         summary="Published results per call and measure: funded and reserve in rank order with scores, counts of the rest")
def list_results(request: HttpRequest, paging: Query[SmallPaging], lag: str | None = LagSlug,
                 measure: str | None = MeasureCode,
                 year: int | None = Query(None, ge=1900, le=2200, description="Results published in this year.")):
    qs = _where(_published_result_calls(), lag=_lag(lag), pk__in=_calls_under(measure),
                results_published_at__year=year)
    return _results_page(qs, paging)


@api.get("/results/{call_id}", response={200: ResultsOut, **ERRORS}, tags=["Results"], summary="One call's results")
def get_results(request: HttpRequest, call_id: int = Path(..., ge=1, le=MAX_ID)):
    page = _results_page(_published_result_calls().filter(pk=call_id), SmallPaging(limit=1, offset=0))
    if not page["items"]:
        raise HttpError(404, f"No published results for a call with the id {call_id}.")
    return page["items"][0]


def _project_out(app) -> dict:
    paid = None
    if app.contract_status:
        paid = (app.contract_paid or Decimal("0.00")) - (app.contract_recovered or Decimal("0.00"))
    return {
        "id": app.pk, "lag": app.lag.slug, "call": app.call_id, "reference": _ref(app), "title": app.title,
        "recipient": public_grant_recipient(applicant_type=app.applicant_type, applicant_name=app.applicant_name),
        "village": public_village(app.settlement), "measure": _measure_ref(app.measure.measure),
        "awarded": app.awarded_grant or Decimal("0.00"), "decided_at": app.decided_at,
        "contract_status": app.contract_status or None, "starts_on": app.contract_starts_on,
        "ends_on": app.contract_ends_on, "paid": paid,
    }


@api.get("/projects", response={200: ProjectPage, **ERRORS}, tags=["Projects"],
         summary="Funded projects (results published) with their contract's status, dates and what was paid")
def list_projects(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                  call: int | None = Query(None, ge=1, le=MAX_ID), measure: str | None = MeasureCode,
                  village: int | None = Village,
                  year: int | None = Query(None, ge=1900, le=2200, description="Selected in this year."),
                  status: Literal["selected", "draft", "checked", "signed", "settled"] | None = Query(
                      None, description="selected: no contract yet; else the contract's status.")):
    from sopeli.portal.public_selectors import funded_projects

    qs = _where(funded_projects(_lag(lag)), call_id=call, measure__measure__code=measure, settlement_id=village,
                decided_at__year=year)
    if status == "selected":
        qs = qs.filter(contract__isnull=True)
    elif status:
        qs = qs.filter(contract__status=status)
    return _page(qs, paging, _project_out)


def _payment_out(p) -> dict:
    return {**public_payment(p), "lag": p.contract.lag.slug, "project": p.contract.application_id,
            "call": p.contract.call_id}


@api.get("/payments", response={200: PaymentPage, **ERRORS}, tags=["Payments"],
         summary="Payments made to funded projects: date, amount, tranche (never the bank reference)")
def list_payments(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                  project: int | None = Query(None, ge=1, le=MAX_ID), call: int | None = Query(None, ge=1, le=MAX_ID),
                  measure: str | None = MeasureCode, village: int | None = Village,
                  year: int | None = Query(None, ge=1900, le=2200, description="Paid in this year.")):
    from sopeli.portal.public_selectors import funded_projects
    from sopeli.projects.models import ContractStatus, Payment

    qs = (Payment.objects.filter(contract__application__in=funded_projects(None).values("pk"))
          .exclude(contract__status=ContractStatus.CANCELLED)
          .select_related("tranche", "contract__lag")
          .only("id", "paid_on", "amount", "tranche__id", "tranche__number", "contract__id", "contract__application_id",
                "contract__call_id", "contract__lag__slug")
          .order_by("-paid_on", "-id"))
    qs = _where(qs, contract__lag=_lag(lag), contract__application_id=project, contract__call_id=call,
                contract__call_measure__measure__code=measure, contract__settlement_id=village, paid_on__year=year)
    return _page(qs, paging, _payment_out)


def _indicators_page(qs, paging: Paging) -> dict:
    from sopeli.monitoring.selectors import indicators_rollup

    count = qs.count()
    rows = list(qs[paging.offset:paging.offset + paging.limit]) if paging.offset < count else []
    items = []
    for p in indicators_rollup(rows):
        i = p.indicator
        items.append({
            "id": i.pk, "lag": i.version.lag.slug, "code": i.code, "kind": i.kind, "name_ka": i.name_ka or "",
            "name_en": i.name_en or "", "unit_ka": i.unit_ka or "", "unit_en": i.unit_en or "",
            "measure": i.measure.code if i.measure_id else None, "objective": i.objective.code if i.objective_id else None,
            "aggregation": i.aggregation, "full_time_equivalents": p.fte, "baseline_value": i.baseline_value,
            "baseline_date": i.baseline_date, "target_value": i.target_value, "target_date": i.target_date,
            "value": p.value, "contribution": p.contribution, "percent": p.percent, "projects": p.projects,
            "planned": p.planned,
        })
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}


@api.get("/indicators", response={200: IndicatorPage, **ERRORS}, tags=["Indicators"],
         summary="Indicators of each LAG's approved strategy with targets and the totals projects reported")
def list_indicators(request: HttpRequest, paging: Query[Paging], lag: str | None = LagSlug,
                    kind: Literal["result", "output"] | None = None, measure: str | None = MeasureCode):
    from sopeli.strategy.models import Indicator, VersionStatus

    qs = (Indicator.objects.filter(version__status=VersionStatus.APPROVED)
          .select_related("version__lag", "objective", "measure").order_by("version__lag_id", "kind", "order", "code", "id"))
    qs = _where(qs, version__lag=_lag(lag), kind=kind, measure__code=measure)
    return _indicators_page(qs, paging)
