"""The open-data API, version 1: read-only, paginated (``limit``/``offset``), filterable.

Mounted at ``/api/v1/``; the OpenAPI document is ``/api/v1/openapi.json``. Every list answers
``{"count", "limit", "offset", "items"}`` and costs a fixed number of queries whatever ``limit``.
People appear only through ``sopeli.core.privacy`` (public fields of active members).
Translated content comes in both languages (``name_ka``/``name_en``, ``title_ka``/``title_en``).

Version 1 is stable: fields may be added, never renamed or removed; a breaking change is /api/v2/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from pydantic import Field

from sopeli.core.models import Lag
from sopeli.core.privacy import public_decision, public_member, public_member_ref
from sopeli.governance.models import AgendaItem, Meeting
from sopeli.membership.models import Body
from sopeli.portal import selectors

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_ID = 2**31 - 1
SLUG = r"^[-a-zA-Z0-9_]{1,40}$"



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
        "tally, each member's vote in roll calls, recusals with reasons and the checks of the 49% rule. "
        "Read-only; lists are paginated with limit (at most 200) and offset."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)


# --- schemas -----------------------------------------------------------------------------------
class Error(Schema):
    detail: str


class ValidationErrorItem(Schema):
    model_config = {"extra": "allow"}
    type: str | None = None
    loc: list[str | int] = []
    msg: str


class ValidationErrors(Schema):
    detail: list[ValidationErrorItem]


class SettlementOut(Schema):
    id: int
    name_ka: str
    name_en: str
    population: int | None
    latitude: float | None
    longitude: float | None
    elevation_m: int | None
    is_centre: bool


class LagOut(Schema):
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


class Ref(Schema):
    id: int
    name: str


class GroupRef(Schema):
    id: int
    code: str
    name: str


class MemberOut(Schema):
    id: int
    lag: str
    name: str
    kind: str
    organisation_type: str
    sector: str
    interest_group: GroupRef | None
    village: Ref | None


class MemberRef(Schema):
    id: int
    name: str
    sector: str


class SeatOut(Schema):
    member: MemberRef
    role: str
    starts_on: dt.date
    ends_on: dt.date | None


class BodyOut(Schema):
    id: int
    lag: str
    kind: str
    name_ka: str
    name_en: str
    quorum_percent: int = Field(description="Quorum: strictly more than this percentage of the seats take part.")
    all_members_sit: bool = Field(description="The general assembly: every active member sits; see /members.")
    seat_holders: list[SeatOut] = Field(description="Current seats (empty when all members sit).")


class MeetingOut(Schema):
    id: int
    lag: str
    body: int
    title_ka: str
    title_en: str
    starts_at: dt.datetime
    place: str
    status: str
    minutes_published_at: dt.datetime | None


class Composition(Schema):
    total: int
    public: list[int] = Field(description="[public votes, all votes]")
    groups: dict[str, list[int]] = Field(description="interest group code: [votes, all votes]")


class Checks(Schema):
    seats: int | None = None
    participants: int | None = None
    composition: Composition | None = None
    for_composition: Composition | None = None
    problems: list[dict[str, Any]] = []
    remedies: list[dict[str, Any]] = []


class VoteOut(Schema):
    member: MemberRef
    choice: str


class RecusalOut(Schema):
    member: MemberRef
    kind: str
    reason: str


class DecisionOut(Schema):
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
    return type(name, (Schema,), {"__annotations__": {"count": int, "limit": int, "offset": int,
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
