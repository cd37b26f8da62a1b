"""Reads for the public portal pages: funded projects, the money, the map, the LAG overview and the
search across LAGs. Each is a fixed number of queries whatever the number of rows.

What is public about a funded project: it is funded (application status ``funded``) and its call's
results are published. The grantee is shown only through ``sopeli.core.privacy.public_grant_recipient``
(the name as typed on the application, or the generic name); never the applicant's account, ID number,
phone, address or e-mail: those columns are not even read (``.only``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from sopeli.core.models import Lag, Settlement
from sopeli.core.privacy import public_grant_recipient
from sopeli.grants.models import Application
from sopeli.grants.workflow import PUBLIC_CALL_STATUSES, ApplicationStatus, CallStatus

ZERO = Decimal("0.00")

# Columns of an application a public page never needs (free text of the form, the aid check's workings).
DEFERRED_APPLICATION_FIELDS: tuple[str, ...] = ("aid_check", "partners", "withdrawal_reason", "summary")
# Columns of the call a project row never needs: the frozen rules (a large JSON) and the long texts.
DEFERRED_CALL_FIELDS: tuple[str, ...] = ("snapshot", "summary", "summary_ka", "summary_en", "who_can_apply",
                                         "who_can_apply_ka", "who_can_apply_en", "how_to_apply", "how_to_apply_ka",
                                         "how_to_apply_en", "tie_breaks")


def _has(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return True


def funded_projects(lag: Lag | None = None) -> QuerySet:
    """Funded applications whose call's results are published, with call, measure, village and LAG joined,
    and the contract's status, dates and payments annotated (one query)."""
    from sopeli.projects.models import ContractStatus

    where = Q(status=ApplicationStatus.FUNDED, call__status=CallStatus.RESULTS_PUBLISHED)
    if lag is not None:
        where &= Q(lag=lag)
    return (Application.objects.filter(where)
            .select_related("call", "measure__measure", "settlement", "lag")
            .defer(*DEFERRED_APPLICATION_FIELDS, *(f"call__{name}" for name in DEFERRED_CALL_FIELDS))
            .annotate(contract_status=F("contract__status"), contract_paid=F("contract__paid_total"),
                      contract_recovered=F("contract__recovered_total"), contract_starts_on=F("contract__starts_on"),
                      contract_ends_on=F("contract__ends_on"))
            .exclude(contract__status=ContractStatus.CANCELLED)
            .order_by("-decided_at", "-id"))


@dataclass
class ProjectFilters:
    measures: list = field(default_factory=list)  # strategy measures with at least one funded project
    villages: list = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def project_filters(lag: Lag) -> ProjectFilters:
    """The choices of the filter form (three queries)."""
    from sopeli.strategy.models import Measure

    base = funded_projects(lag)
    measures = list(Measure.objects.filter(call_measures__applications__in=base.values("pk")).distinct().order_by("code"))
    villages = list(Settlement.objects.filter(lag=lag).order_by("name"))
    years = sorted({d.year for d in base.values_list("decided_at", flat=True) if d}, reverse=True)
    return ProjectFilters(measures=measures, villages=villages, years=years)


def filter_projects(qs: QuerySet, *, measure: int | None = None, village: int | None = None, year: int | None = None) -> QuerySet:
    if measure:
        qs = qs.filter(measure__measure_id=measure)
    if village:
        qs = qs.filter(settlement_id=village)
    if year:
        start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        qs = qs.filter(decided_at__gte=start, decided_at__lt=start.replace(year=year + 1))
    return qs


def project_row(app) -> dict:
    """The public face of one funded project (needs a row from ``funded_projects``)."""
    recipient = public_grant_recipient(applicant_type=app.applicant_type, applicant_name=app.applicant_name)
    paid = None
    if app.contract_status:
        paid = (app.contract_paid or ZERO) - (app.contract_recovered or ZERO)
    measure = app.measure.measure
    return {
        "id": app.pk,
        "title": app.title,
        "grantee": recipient["name"],
        "individual": recipient["individual"],
        "village": app.settlement,
        "measure": measure,
        "call_code": app.call.code,
        "awarded": app.awarded_grant or ZERO,
        "status": app.contract_status or "",
        "status_label": _status_label(app.contract_status),
        "paid": paid,
        "year": app.decided_at.year if app.decided_at else None,
        "lag": app.lag,
    }


def _status_label(value: str | None) -> str:
    from django.utils.translation import gettext as _

    from sopeli.projects.models import ContractStatus

    if not value:
        return _("selected: contract being prepared")
    try:
        return str(ContractStatus(value).label)
    except ValueError:
        return value


def search_projects(q: str) -> QuerySet:
    """Funded projects of every LAG whose title or summary contains ``q``, case-insensitively.

    ``icontains`` (never upper-casing in Python: Georgian has no case, ``str.upper`` maps it to Mtavruli).
    """
    q = (q or "").strip()
    qs = funded_projects(None)
    if not q:
        return qs.none()
    return qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))


# --- money ---------------------------------------------------------------------------------------


@dataclass
class MoneyRow:
    code: str
    title: str
    budget: Decimal | None = None  # the strategy's indicative budget of the measure
    allocated: Decimal = ZERO  # put into calls
    awarded: Decimal = ZERO  # grants fixed for funded applications
    committed: Decimal = ZERO
    paid: Decimal = ZERO  # net of recoveries

    def add(self, other: MoneyRow) -> None:
        for name in ("allocated", "awarded", "committed", "paid"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.budget is not None:
            self.budget = (self.budget or ZERO) + other.budget


@dataclass
class Money:
    rows: list[MoneyRow]
    total: MoneyRow
    by_call: list = field(default_factory=list)


def lag_money(lag: Lag) -> Money:
    """Per strategy measure: budget (current approved strategy), allocated to calls, awarded, committed and
    paid — from ``projects.selectors.commitments`` (three queries) plus one for the strategy's measures and
    one for the calls whose results are published.

    Only calls whose results are published count towards "awarded" — a call still being decided shows its
    allocation only. (``commitments`` counts funded applications; before publication there are none public.)
    A draft call is not public at all: neither its allocation nor its name shows.
    """
    from sopeli.grants.models import Call
    from sopeli.projects.selectors import commitments
    from sopeli.strategy.models import Measure, VersionStatus

    ledger = commitments(lag)
    # A call's awards are public once its results are; until then only its allocation shows.
    statuses = dict(Call.objects.filter(lag=lag).values_list("pk", "status"))
    published = {pk for pk, status in statuses.items() if status == CallStatus.RESULTS_PUBLISHED}
    public = {pk for pk, status in statuses.items() if status in PUBLIC_CALL_STATUSES}
    budgets = {m.code: m for m in Measure.objects.filter(version__lag=lag, version__status=VersionStatus.APPROVED)
               .order_by("code")} if _has(Measure, "version") else {}
    rows: dict[str, MoneyRow] = {}
    for code, m in budgets.items():
        rows[code] = MoneyRow(code=code, title=m.title, budget=m.budget)
    for r in ledger.rows:
        if r.call_id not in public:
            continue
        row = rows.setdefault(r.measure_code, MoneyRow(code=r.measure_code, title=r.measure_title))
        row.allocated += r.allocated
        if r.call_id in published:
            row.awarded += r.selected
            row.committed += r.committed
            row.paid += r.net_paid
    ordered = sorted(rows.values(), key=lambda r: r.code)
    total = MoneyRow(code="", title="")
    for row in ordered:
        total.add(row)
    by_call = []
    for c in ledger.by_call:
        if c.call_id not in public:
            continue
        if c.call_id not in published:
            c.selected = c.committed = c.paid = c.recovered = ZERO
        by_call.append(c)
    return Money(rows=ordered, total=total, by_call=by_call)


# --- map -----------------------------------------------------------------------------------------


def map_points(lag: Lag) -> dict:
    """Villages with their funded projects (two queries), and the JSON the map script draws from."""
    villages = list(Settlement.objects.filter(lag=lag).order_by("-is_centre", "name"))
    projects = [project_row(a) for a in funded_projects(lag)]
    by_village: dict[int | None, list] = {}
    for p in projects:
        by_village.setdefault(p["village"].pk if p["village"] else None, []).append(p)
    rows = [{"village": v, "projects": by_village.get(v.pk, [])} for v in villages]
    markers = [
        {"name": v.name, "lat": float(v.latitude), "lng": float(v.longitude),
         "projects": [{"title": p["title"], "grantee": p["grantee"], "awarded": str(p["awarded"])} for p in by_village.get(v.pk, [])]}
        for v in villages if v.latitude is not None and v.longitude is not None
    ]
    return {"rows": rows, "markers": markers, "unplaced": by_village.get(None, [])}


# --- the LAG home --------------------------------------------------------------------------------


def lag_overview(lag: Lag, *, now: dt.datetime | None = None) -> dict:
    """What the LAG home brings together: open and upcoming calls, latest news, latest decisions, the
    newest funded projects and the money's totals. A fixed number of queries."""
    from sopeli.grants.selectors.calls import public_calls
    from sopeli.portal.selectors import published_news

    calls = public_calls(lag, now=now)
    news = list(published_news(lag)[:3])
    decisions = latest_decisions(lag)
    projects = [project_row(a) for a in funded_projects(lag)[:5]]
    money = lag_money(lag)
    return {"open_calls": calls.open, "upcoming_calls": calls.upcoming, "news": news, "decisions": decisions,
            "projects": projects, "money": money.total, "funded_count": funded_projects(lag).count()}


OVERVIEW_CACHE_SECONDS = 60


def cached_lag_overview(lag: Lag) -> dict:
    """``lag_overview``, kept for a minute and for as long as the LAG's public record is unchanged.

    Everything the home page shows is a public fact, and every public fact is appended to the LAG's
    ledger, so the key carries the ledger's newest sequence number: a new call, decision, payment or
    news post shows at once. Time alone moves a call from "opening soon" to "open" and staff edit
    villages outside the ledger: the key changes every minute, so those show within a minute. The
    money totals are the costly part (they add up every application and contract of the LAG).
    """
    from django.core.cache import cache

    from sopeli.core.models import LedgerEntry

    seq = LedgerEntry.objects.filter(lag=lag).order_by("-seq").values_list("seq", flat=True).first() or 0
    minute = int(timezone.now().timestamp() // OVERVIEW_CACHE_SECONDS)
    key = f"lag-overview:{lag.pk}:{seq}:{minute}"
    overview = cache.get(key)
    if overview is None:
        overview = lag_overview(lag)
        cache.set(key, overview, OVERVIEW_CACHE_SECONDS)
    return overview


def latest_decisions(lag: Lag, limit: int = 5) -> list[tuple[str, object]]:
    """The latest published minutes and closed written procedures, as (kind, object) (two queries)."""
    from sopeli.governance.selectors import decisions_page_objects, public_decisions

    return decisions_page_objects(lag, public_decisions(lag)[:limit])
