"""Reads for the projects pages, each a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from sopeli.core.models import Lag
from sopeli.grants.models import Application, CallMeasure
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects import rules
from sopeli.projects.models import (
    Claim,
    ClaimLine,
    ClaimStatus,
    Contract,
    ContractStatus,
    IndicatorValue,
    Payment,
    Recovery,
    Report,
    ReportKind,
    ReportStatus,
    SiteVisit,
    Story,
    StoryPhoto,
    Tranche,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
RUNNING = (ContractStatus.SIGNED, ContractStatus.SETTLED)
PENDING = (ContractStatus.DRAFT, ContractStatus.CHECKED)


def _q(value) -> Decimal:
    """Sums from the database as Decimal with two places (SQLite returns 0 for an empty sum)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _sum(expr: str, **filter_kwargs):
    f = Q(**filter_kwargs) if filter_kwargs else None
    return Coalesce(Sum(expr, filter=f), Value(ZERO), output_field=MONEY_FIELD)


# --- staff lists ---------------------------------------------------------------------------------


def _count_of(model, **filters):
    """How many ``model`` rows of the contract match, as a subquery (joining claims and reports both
    would multiply the rows of each contract)."""
    rows = model.objects.filter(contract=OuterRef("pk"), **filters).order_by().values("contract").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), Value(0))


def staff_contracts(lag: Lag, *, status: str = ""):
    """The LAG's contracts with what waits for the staff; paginate the result."""
    qs = (Contract.objects.filter(lag=lag).select_related("call", "call_measure__measure", "settlement")
          .annotate(open_claims=_count_of(Claim, status=ClaimStatus.SUBMITTED),
                    reports_to_review=_count_of(Report, status=ReportStatus.SUBMITTED))
          .order_by("call__code", "number", "pk"))
    if status in ContractStatus.values:
        qs = qs.filter(status=status)
    return qs


def funded_without_contract(lag: Lag):
    # NOT EXISTS (an anti-join on the contract's unique application) rather than a join of every contract.
    return (Application.objects.filter(lag=lag, status=ApplicationStatus.FUNDED)
            .exclude(Exists(Contract.objects.filter(application=OuterRef("pk"))))
            .select_related("call", "measure__measure", "settlement").order_by("call__code", "number"))


def contract_page(contract: Contract) -> dict:
    """Everything the staff and grantee contract pages show (fixed number of queries)."""
    tranches = list(contract.tranches.annotate(paid=_sum("payments__amount")).order_by("number"))
    reports = list(contract.reports.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")), "photos", "jobs").order_by("due_on"))
    claims = list(contract.claims.prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.prefetch_related("receipts"))))
    payments = list(contract.payments.select_related("tranche").order_by("paid_on", "id"))
    recoveries = list(contract.recoveries.all())
    visits = list(contract.visits.prefetch_related("photos"))
    planned = list(contract.planned_indicators.select_related("indicator"))
    approved = {r.kind for r in reports if r.status == ReportStatus.APPROVED}
    # The approved final report, or else the approved interim one (as monitoring.selectors.current_reports).
    latest = max((r for r in reports if r.status == ReportStatus.APPROVED), key=lambda r: r.kind == ReportKind.FINAL, default=None)
    achieved = {v.indicator_id: v.value for v in latest.values.all() if not v.gender and not v.age_band} if latest else {}
    achievements = []
    for p in planned:
        value = achieved.get(p.indicator_id)
        percent = rules.fte_achievement(value, p.planned) if value is not None and p.planned > 0 else None
        achievements.append({"planned": p, "achieved": value, "percent": percent})
    return {
        "contract": contract, "tranches": tranches, "reports": reports, "claims": claims, "payments": payments,
        "recoveries": recoveries, "visits": visits, "planned": planned, "budget_lines": list(contract.budget_lines.all()),
        "amendments": list(contract.amendments.all()), "scans": list(contract.scans.all()),
        "final_approved": ReportKind.FINAL in approved, "achievements": achievements,
        "verified_cost": sum((c.eligible_total or ZERO for c in claims if c.status == ClaimStatus.VERIFIED), ZERO),
        "story": Story.objects.filter(contract=contract).first(),
    }


def application_has_contract(application) -> bool:
    """For grants: a funded application under a signed (or settled) contract can no longer be withdrawn."""
    return Contract.objects.filter(application=application, status__in=RUNNING).exists()


def my_contracts(user, lag: Lag):
    return (Contract.objects.filter(lag=lag, grantee=user).exclude(status=ContractStatus.CANCELLED)
            .select_related("call", "settlement").order_by("-created_at"))


def report_for(contract: Contract, pk: int) -> Report:
    from django.http import Http404

    report = Report.objects.filter(contract=contract, pk=pk).prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")), "photos", "jobs").first()
    if report is None:
        raise Http404
    return report


def claim_for(contract: Contract, pk: int) -> Claim:
    from django.http import Http404

    claim = Claim.objects.filter(contract=contract, pk=pk).prefetch_related(
        Prefetch("lines", queryset=ClaimLine.objects.select_related("budget_line").prefetch_related("receipts"))).first()
    if claim is None:
        raise Http404
    return claim


# --- commitments ledger --------------------------------------------------------------------------


@dataclass
class LedgerRow:
    call_code: str
    call_title: str
    measure_code: str
    measure_title: str
    allocated: Decimal = ZERO
    selected: Decimal = ZERO  # grants the LAG fixed for funded applications
    pending: Decimal = ZERO  # selected, contract not signed yet (committed at the awarded grant)
    contracted: Decimal = ZERO  # grants of signed and settled contracts
    committed: Decimal = ZERO  # pending + signed grants + settled entitlements
    paid: Decimal = ZERO
    recovered: Decimal = ZERO
    still_to_pay: Decimal = ZERO  # signed: grant - net paid; settled: final payment due
    to_recover: Decimal = ZERO  # settlement recoveries not received yet
    call_id: int = 0
    measure_id: int = 0

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.recovered

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.committed

    @property
    def balances(self) -> bool:
        """allocated = remaining + pending + net paid + still to pay - to recover."""
        return self.allocated == self.remaining + self.pending + self.net_paid + self.still_to_pay - self.to_recover

    def add(self, other: LedgerRow) -> None:
        for name in ("allocated", "selected", "pending", "contracted", "committed", "paid", "recovered", "still_to_pay", "to_recover"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Ledger:
    rows: list[LedgerRow]
    total: LedgerRow
    by_call: list[LedgerRow] = field(default_factory=list)


LEDGER_COLUMNS = ("allocated", "selected", "contracted", "paid", "recovered", "remaining")


def commitments(lag: Lag | None = None) -> Ledger:
    """Per call and measure (and totals): allocated, selected, contracted, paid, recovered, remaining. Three queries.

    ``lag=None`` gives the whole network.
    """
    where = {} if lag is None else {"call__lag": lag}
    measures = list(CallMeasure.objects.filter(**where).select_related("call", "measure").order_by("call__lag_id", "call__code", "order", "id"))
    app_where = {"status": ApplicationStatus.FUNDED} if lag is None else {"lag": lag, "status": ApplicationStatus.FUNDED}
    apps = {
        r["measure"]: r for r in Application.objects.filter(**app_where).values("measure").annotate(
            selected=_sum("awarded_grant"),
            pending=_sum("awarded_grant", contract__isnull=True) + _sum("awarded_grant", contract__status__in=PENDING),
        )
    }
    con_where = {} if lag is None else {"lag": lag}
    cons = {
        r["call_measure"]: r for r in Contract.objects.filter(**con_where).values("call_measure").annotate(
            contracted=_sum("grant", status__in=RUNNING),
            signed_grant=_sum("grant", status=ContractStatus.SIGNED),
            settled_ent=_sum("entitlement", status=ContractStatus.SETTLED),
            paid=_sum("paid_total"), recovered=_sum("recovered_total"),
            signed_net=_sum("paid_total", status=ContractStatus.SIGNED) - _sum("recovered_total", status=ContractStatus.SIGNED),
            final_due=_sum("final_payment_due", status=ContractStatus.SETTLED),
            to_recover=_sum("recovery_due"),
        )
    }
    rows = []
    for cm in measures:
        a, c = apps.get(cm.pk, {}), cons.get(cm.pk, {})
        row = LedgerRow(call_code=cm.call.code, call_title=cm.call.title, measure_code=cm.measure.code, measure_title=cm.measure.title,
                        call_id=cm.call_id, measure_id=cm.pk, allocated=cm.budget)
        a = {k: _q(v) for k, v in a.items() if k != "measure"}
        c = {k: _q(v) for k, v in c.items() if k != "call_measure"}
        row.selected = a.get("selected", ZERO)
        row.pending = a.get("pending", ZERO)
        row.contracted = c.get("contracted", ZERO)
        row.committed = row.pending + c.get("signed_grant", ZERO) + c.get("settled_ent", ZERO)
        row.paid, row.recovered = c.get("paid", ZERO), c.get("recovered", ZERO)
        row.still_to_pay = c.get("signed_grant", ZERO) - c.get("signed_net", ZERO) + c.get("final_due", ZERO)
        row.to_recover = c.get("to_recover", ZERO)
        rows.append(row)
    total = LedgerRow(call_code="", call_title="", measure_code="", measure_title="")
    by_call: dict[int, LedgerRow] = {}
    for row in rows:
        total.add(row)
        by_call.setdefault(row.call_id, LedgerRow(call_code=row.call_code, call_title=row.call_title, measure_code="",
                                                  measure_title="", call_id=row.call_id)).add(row)
    return Ledger(rows=rows, total=total, by_call=list(by_call.values()))


def ledger_table(ledger: Ledger) -> tuple[list[str], list[list]]:
    """Header and rows for the XLSX/CSV export (amounts as Decimal)."""
    from django.utils.translation import gettext as _

    header = [_("Call"), _("Measure"), _("Allocated"), _("Selected"), _("Contracted"), _("Paid"), _("Recovered"),
              _("Still to pay"), _("Remaining")]
    rows = [[r.call_code, f"{r.measure_code} {r.measure_title}", r.allocated, r.selected, r.contracted, r.paid, r.recovered,
             r.still_to_pay, r.remaining] for r in ledger.rows]
    t = ledger.total
    rows.append([_("Total"), "", t.allocated, t.selected, t.contracted, t.paid, t.recovered, t.still_to_pay, t.remaining])
    return header, rows


# --- public --------------------------------------------------------------------------------------


def public_projects(lag: Lag):
    """Funded projects under a signed contract, with what was paid (public: the grantee's name as on the
    results); paginate the result."""
    return (Contract.objects.filter(lag=lag, status__in=RUNNING).select_related("settlement", "call", "call_measure__measure")
            .only("pk", "number", "title", "grantee_name", "grant", "paid_total", "recovered_total", "status", "settlement__name",
                  "settlement__name_ka", "settlement__name_en", "call__code", "call_measure__measure__code",
                  "call_measure__measure__title", "call_measure__measure__title_ka", "call_measure__measure__title_en", "lag_id")
            .order_by("call__code", "number", "pk"))


def public_stories(lag: Lag):
    return (Story.objects.filter(lag=lag, is_published=True).select_related("contract__settlement")
            .prefetch_related(Prefetch("photos", queryset=StoryPhoto.objects.order_by("id"))).order_by("-published_at", "-id"))


def public_story(lag: Lag, pk: int) -> Story:
    from django.http import Http404

    story = public_stories(lag).filter(pk=pk).first()
    if story is None:
        raise Http404
    return story


__all__ = ["Payment", "Recovery", "SiteVisit", "Tranche"]
