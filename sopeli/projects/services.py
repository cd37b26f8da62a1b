"""Every write of the projects app: keyword-only, atomic, one audit event each.

Money rules come from ``sopeli.projects.rules`` (tranches, settlement, FTE); this module never
computes them itself. ``ValueError`` from the rules becomes a translated ``ValidationError``.
Money-changing services lock the contract row (``select_for_update``) so running totals and the
database check constraints stay consistent under concurrent requests.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sopeli.core.audit import audit_record
from sopeli.core.models import Lag
from sopeli.grants.models import Application
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects import rules
from sopeli.projects.models import (
    Amendment,
    Claim,
    ClaimLine,
    ClaimStatus,
    Condition,
    Contract,
    ContractBudgetLine,
    ContractScan,
    ContractStatus,
    ContractTemplate,
    IndicatorValue,
    JobRecord,
    Payment,
    PlannedIndicator,
    Receipt,
    Recovery,
    ReminderSent,
    Report,
    ReportKind,
    ReportPhoto,
    ReportStatus,
    SiteVisit,
    SiteVisitPhoto,
    Story,
    StoryPhoto,
    Tranche,
)

ZERO = Decimal("0.00")
DEFAULT_PERCENTAGES = (Decimal(40), Decimal(50), Decimal(10))
MAX_CLAIM_LINES = 30
DOCUMENT_KINDS = {".pdf", ".jpg", ".jpeg", ".png"}
PHOTO_KINDS = {".jpg", ".jpeg", ".png"}
SECTOR_OF_TYPE = {
    "municipality": "public", "public_institution": "public",
    "business": "business", "cooperative": "business",
    "ngo": "civil", "person": "civil",
}

# --- helpers -------------------------------------------------------------------------------------


def money(value: Any, label: str, *, positive: bool = False) -> Decimal:
    """A user's amount as Decimal with two places, or a clear message (never a 500)."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value if value is not None else "").strip().replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError(_("%(label)s: write an amount such as 1200.50.") % {"label": label}) from None
    if not number.is_finite():
        raise ValidationError(_("%(label)s: write an amount such as 1200.50.") % {"label": label})
    if number < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": label})
    if positive and number == 0:
        raise ValidationError(_("%(label)s must be more than zero.") % {"label": label})
    if number >= Decimal("1000000000000"):
        raise ValidationError(_("%(label)s is too large.") % {"label": label})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("%(label)s: at most two decimal places (tetri).") % {"label": label})
    return number.quantize(Decimal("0.01"))


def gel(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f} GEL".replace(",", "\u00a0")


def validate_file(upload: UploadedFile, kinds: set[str]) -> str:
    """Content type of an accepted file, or a clear ValidationError (wrong kind, empty, too big, fake)."""
    from sopeli.grants.services.applications import validate_upload

    ext = PurePath(upload.name or "").suffix.lower()
    if ext not in kinds:
        if kinds == PHOTO_KINDS:
            raise ValidationError(_("This kind of file is not accepted. Send a photo (JPG or PNG)."), code="file_type")
        raise ValidationError(_("This kind of file is not accepted. Send a PDF or a photo (JPG, PNG)."), code="file_type")
    _ext, content_type = validate_upload(upload)
    return content_type


def _store(model, upload: UploadedFile, kinds: set[str], **fields):
    content_type = validate_file(upload, kinds)
    obj = model(original_name=PurePath(upload.name).name[-200:], content_type=content_type, size=upload.size, **fields)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    obj.file.save(upload.name, upload, save=False)
    obj.save()
    return obj


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _locked_with_funded_application(contract: Contract) -> Contract:
    """Lock the application, then the contract (grants' lock order: application before contract), and
    refuse if the applicant withdrew meanwhile: a contract for a withdrawn grant is never confirmed or
    signed (grants' withdrawal checks for a signed contract under the same application lock)."""
    app = Application.objects.select_for_update().get(pk=contract.application_id)
    if app.status != ApplicationStatus.FUNDED:
        raise ValidationError(_("The applicant withdrew this application, so its contract was cancelled."))
    return _locked(contract)


def _rules_error(exc: ValueError) -> ValidationError:
    return ValidationError(_("These amounts are not possible: %(detail)s") % {"detail": str(exc)})


def _require_status(contract: Contract, *statuses: str, message: str) -> None:
    if contract.status not in statuses:
        raise ValidationError(message)


# --- contract template ---------------------------------------------------------------------------

PLACEHOLDERS = ("lag", "number", "grantee", "project", "village", "grant", "total_budget", "own_contribution",
                "aid_rate", "starts_on", "ends_on", "call")

DEFAULT_BODY = {
    "ka": (
        "ხელშეკრულება {number}\n\n"
        "მხარეები: {lag} (შემდგომში „ჯგუფი“) და {grantee} (შემდგომში „გრანტის მიმღები“).\n\n"
        "1. საგანი. ჯგუფი გადასცემს გრანტს პროექტისთვის „{project}“ ({village}) კონკურსის {call} ფარგლებში.\n"
        "2. თანხა. გრანტი: {grant}; პროექტის სრული ბიუჯეტი: {total_budget}; საკუთარი შენატანი: {own_contribution} "
        "(დაფინანსების წილი {aid_rate}).\n"
        "3. ვადები. პროექტი ხორციელდება {starts_on}-დან {ends_on}-მდე.\n"
        "4. გადახდა. გრანტი გადაიხდება ქვემოთ მოცემული გრაფიკით, შესაბამისი პირობების შესრულების შემდეგ. "
        "საბოლოო თანხა = მინიმუმი(გრანტი, დაფინანსების წილი × დადასტურებული დანახარჯი); ზედმეტად გადახდილი თანხა უბრუნდება ჯგუფს.\n"
    ),
    "en": (
        "Contract {number}\n\n"
        "Parties: {lag} (the LAG) and {grantee} (the grantee).\n\n"
        "1. Subject. The LAG grants support to the project “{project}” ({village}) under call {call}.\n"
        "2. Amount. Grant: {grant}; total budget of the project: {total_budget}; own contribution: {own_contribution} "
        "(aid rate {aid_rate}).\n"
        "3. Dates. The project runs from {starts_on} to {ends_on}.\n"
        "4. Payment. The grant is paid in the tranches below once their conditions are met. The final amount is "
        "min(grant, aid rate × verified eligible cost); any overpayment is returned to the LAG.\n"
    ),
}
DEFAULT_OBLIGATIONS = {
    "ka": "გრანტის მიმღები ვალდებულია: განახორციელოს პროექტი ბიუჯეტის მიხედვით; წარადგინოს შუალედური და საბოლოო ანგარიში "
          "ვადაში; შეინახოს ქვითრები 5 წლის განმავლობაში; დაუშვას ადგილზე ვიზიტი; გამოაქვეყნოს დაფინანსების წყარო.",
    "en": "The grantee shall: carry out the project according to the budget; submit the interim and final reports on time; "
          "keep receipts for 5 years; allow site visits; show who funded the project.",
}


def template_for(lag: Lag) -> ContractTemplate:
    """The LAG's template, or an unsaved default one (both languages)."""
    found = ContractTemplate.objects.filter(lag=lag).first()
    if found:
        return found
    return ContractTemplate(lag=lag, body_ka=DEFAULT_BODY["ka"], body_en=DEFAULT_BODY["en"],
                            obligations_ka=DEFAULT_OBLIGATIONS["ka"], obligations_en=DEFAULT_OBLIGATIONS["en"])


@transaction.atomic
def contract_template_save(*, actor, lag: Lag, data: dict[str, str]) -> ContractTemplate:
    template = template_for(lag)
    for name in ("body_ka", "body_en", "obligations_ka", "obligations_en"):
        if name in data:
            setattr(template, name, (data[name] or "").strip())
    if not template.body_ka or not template.body_en:
        raise ValidationError(_("Write the contract text in both languages."))
    unknown = sorted({m for text in (template.body_ka, template.body_en) for m in re.findall(r"\{(\w+)\}", text)} - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(_("Unknown placeholders: %(names)s. Use only: %(allowed)s.") % {
            "names": ", ".join(f"{{{n}}}" for n in unknown), "allowed": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)})
    template.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    template.save()
    audit_record(actor=actor, lag=lag, action="projects.template_save", target=template, summary="Contract template saved")
    return template


def _fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _values(contract: Contract, lang: str) -> dict[str, str]:
    with translation.override(lang):
        lag_name = getattr(contract.lag, f"name_{lang}", None) or contract.lag.name
        village = ""
        if contract.settlement_id:
            village = getattr(contract.settlement, f"name_{lang}", None) or contract.settlement.name
        return {
            "lag": lag_name, "number": contract.number, "grantee": contract.grantee_name, "project": contract.title,
            "village": village, "grant": gel(contract.grant), "total_budget": gel(contract.total_budget),
            "own_contribution": gel(contract.total_budget - contract.grant), "aid_rate": f"{contract.aid_rate * 100:.2f}%",
            "starts_on": contract.starts_on.isoformat(), "ends_on": contract.ends_on.isoformat(), "call": contract.call.code,
        }


def _render_text(contract: Contract) -> None:
    template = template_for(contract.lag)
    for lang in ("ka", "en"):
        values = _values(contract, lang)
        setattr(contract, f"text_{lang}", _fill(getattr(template, f"body_{lang}") or "", values))
        setattr(contract, f"obligations_{lang}", _fill(getattr(template, f"obligations_{lang}") or "", values))


# --- contracts -----------------------------------------------------------------------------------


def _conditions(count: int) -> list[str]:
    if count == 1:
        return [Condition.FINAL]
    return [Condition.SIGNED] + [Condition.INTERIM] * (count - 2) + [Condition.FINAL]


def _aid_rate(grant: Decimal, total: Decimal) -> Decimal:
    return rules.aid_rate(total, grant)


@transaction.atomic
def contract_generate(
    *, actor, application: Application, starts_on: datetime.date, ends_on: datetime.date,
    percentages: Sequence[Decimal] = DEFAULT_PERCENTAGES, interim_due_on: datetime.date | None = None,
    final_due_on: datetime.date | None = None,
) -> Contract:
    """Draft contract from a funded application: budget lines, tranches (rules.tranche_amounts), reports due."""
    app = Application.objects.select_for_update(of=("self",)).select_related("call", "measure", "lag", "settlement").get(pk=application.pk)
    if app.status != ApplicationStatus.FUNDED or app.awarded_grant is None:
        raise ValidationError(_("Only a funded application with a grant fixed by the LAG can get a contract."))
    if Contract.objects.filter(application=app).exists():
        raise ValidationError(_("This application already has a contract."))
    if ends_on < starts_on:
        raise ValidationError(_("The project cannot end before it starts."))
    if app.total_budget <= 0:
        raise ValidationError(_("The application has no total budget."))
    grant = min(app.awarded_grant, app.total_budget)
    try:
        amounts = rules.tranche_amounts(grant, [Decimal(p) for p in percentages])
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("The tranches must be positive percentages that add up to 100.")) from exc
    number = f"{app.call.code}-{app.number or app.pk:03d}"
    contract = Contract(
        lag=app.lag, application=app, call=app.call, call_measure=app.measure, grantee=app.applicant,
        number=number, grantee_name=app.applicant_name, title=app.title, settlement=app.settlement,
        applicant_type=app.applicant_type, sector=SECTOR_OF_TYPE.get(app.applicant_type, ""),
        awarded_grant=app.awarded_grant, grant=grant, total_budget=app.total_budget, aid_rate=_aid_rate(grant, app.total_budget),
        starts_on=starts_on, ends_on=ends_on, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _render_text(contract)
    contract.save()
    ContractBudgetLine.objects.bulk_create([
        ContractBudgetLine(contract=contract, description=line.description, amount=line.amount, order=line.order)
        for line in app.budget_lines.all()
    ])
    Tranche.objects.bulk_create([
        Tranche(contract=contract, number=i, percent=Decimal(p), amount=a, condition=c)
        for i, (p, a, c) in enumerate(zip(percentages, amounts, _conditions(len(amounts)), strict=True), start=1)
    ])
    middle = starts_on + (ends_on - starts_on) / 2
    reports = []
    if len(amounts) > 2 or interim_due_on:
        reports.append(Report(contract=contract, kind=ReportKind.INTERIM, due_on=interim_due_on or middle))
    reports.append(Report(contract=contract, kind=ReportKind.FINAL, due_on=final_due_on or ends_on + datetime.timedelta(days=30)))
    Report.objects.bulk_create(reports)
    audit_record(actor=actor, lag=app.lag, action="projects.contract_generate", target=contract,
                 summary=f"Contract {contract.number} drafted", data={"grant": str(grant), "application": app.pk})
    return contract


def indicator_choices(contract: Contract):
    """Indicators a project may plan and report: its measure's outputs and its objectives' results."""
    from django.db.models import Q

    from sopeli.strategy.models import Indicator

    measure = contract.call_measure.measure
    return Indicator.objects.filter(Q(measure=measure) | Q(objective__in=measure.objectives.all())).distinct().order_by("kind", "order", "code")


def fte_unit(*units: str | None) -> bool:
    """A unit in full-time equivalents ("full-time equivalents", "FTE")."""
    text = " ".join(str(u or "") for u in units).lower()
    return "full-time" in text or "fte" in text.split()


def is_fte(indicator) -> bool:
    """Jobs are counted in full-time equivalents when the indicator's (English) unit says so."""
    return fte_unit(getattr(indicator, "unit_en", ""), getattr(indicator, "unit", ""))


@transaction.atomic
def planned_indicators_save(*, actor, contract: Contract, values: dict[int, Any]) -> list[PlannedIndicator]:
    allowed = {i.pk: i for i in indicator_choices(contract)}
    rows = []
    for pk, raw in values.items():
        if pk not in allowed:
            raise ValidationError(_("This indicator does not belong to the project's measure."))
        if raw in (None, ""):
            PlannedIndicator.objects.filter(contract=contract, indicator_id=pk).delete()
            continue
        planned = money(raw, str(allowed[pk].code))
        row, _created = PlannedIndicator.objects.update_or_create(contract=contract, indicator_id=pk, defaults={"planned": planned})
        rows.append(row)
    audit_record(actor=actor, lag=contract.lag, action="projects.planned_save", target=contract,
                 summary=f"Planned indicator values of {contract.number}")
    return rows


@transaction.atomic
def contract_eligibility_check(*, actor, contract: Contract, eligible: bool, note: str = "") -> Contract:
    """The accountable body's final eligibility check: a step of its own, after the LAG's selection."""
    contract = _locked_with_funded_application(contract) if eligible else _locked(contract)
    _require_status(contract, ContractStatus.DRAFT, message=_("The final eligibility check is already done."))
    note = (note or "").strip()
    if not eligible and not note:
        raise ValidationError(_("Give the reason why the project is not eligible."))
    contract.eligibility_ok = eligible
    contract.eligibility_note = note
    contract.eligibility_by = actor if getattr(actor, "is_authenticated", False) else None
    contract.eligibility_at = timezone.now()
    contract.status = ContractStatus.CHECKED if eligible else ContractStatus.CANCELLED
    contract.save()
    audit_record(actor=actor, lag=contract.lag, action="projects.contract_check", target=contract,
                 summary=f"Final eligibility check of {contract.number}: {'eligible' if eligible else 'not eligible'}",
                 data={"contract": contract.number, "eligible": eligible}, public=not eligible)
    return contract


def contracts_cancel_unsigned(*, actor, application: Application) -> int:
    """Grants' withdrawal calls this inside its transaction, holding the application's lock: a contract
    not yet signed (draft or checked) ends with the withdrawn grant. Returns how many were cancelled."""
    cancelled = 0
    for contract in Contract.objects.select_for_update().filter(
            application=application, status__in=(ContractStatus.DRAFT, ContractStatus.CHECKED)):
        contract.status = ContractStatus.CANCELLED
        contract.eligibility_note = "\n".join(filter(None, [contract.eligibility_note,
                                                             _("Cancelled: the applicant withdrew the application.")]))
        contract.save(update_fields=["status", "eligibility_note"])
        audit_record(actor=actor, lag=contract.lag, action="projects.contract_cancel", target=contract,
                     summary=f"Contract {contract.number} cancelled: application withdrawn",
                     data={"contract": contract.number})
        cancelled += 1
    return cancelled


@transaction.atomic
def contract_sign(
    *, actor, contract: Contract, grantee_on: datetime.date, lag_on: datetime.date, scan: UploadedFile | None = None,
    today: datetime.date | None = None,
) -> Contract:
    contract = _locked_with_funded_application(contract)
    _require_status(contract, ContractStatus.CHECKED,
                    message=_("The contract can be signed only after the accountable body's final eligibility check."))
    today = today or timezone.localdate()
    if grantee_on > today or lag_on > today:
        raise ValidationError(_("A signature date cannot be in the future."))
    if scan is None and not contract.scans.exists():
        raise ValidationError(_("Attach the scan of the signed contract."))
    if scan is not None:
        _store(ContractScan, scan, DOCUMENT_KINDS, contract=contract)
    contract.signed_by_grantee_on = grantee_on
    contract.signed_by_lag_on = lag_on
    contract.status = ContractStatus.SIGNED
    contract.save()
    audit_record(actor=actor, lag=contract.lag, action="projects.contract_sign", target=contract,
                 summary=f"Contract {contract.number} signed",
                 data={"contract": contract.number, "grantee": contract.grantee_name, "project": contract.title,
                       "grant": str(contract.grant), "signed_on": max(grantee_on, lag_on).isoformat()}, public=True)
    return contract


@transaction.atomic
def contract_amend(
    *, actor, contract: Contract, reason: str, grant: Any = None, starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None, budget_lines: list[tuple[str, Any]] | None = None,
) -> Amendment:
    """Change the amount, dates or budget lines, with the reason and before/after values kept."""
    contract = _locked(contract)
    _require_status(contract, ContractStatus.DRAFT, ContractStatus.CHECKED, ContractStatus.SIGNED,
                    message=_("A settled or cancelled contract cannot be amended."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the amendment."))
    changes: list[dict[str, str]] = []
    if grant not in (None, ""):
        new = money(grant, _("Grant"), positive=True)
        if new != contract.grant:
            if new > contract.awarded_grant:
                raise ValidationError(_("The grant cannot exceed the %(award)s the LAG fixed.") % {"award": gel(contract.awarded_grant)})
            if new > contract.total_budget:
                raise ValidationError(_("The grant cannot exceed the total budget."))
            if new < contract.net_paid:
                raise ValidationError(_("The grant cannot be less than what was already paid (%(paid)s).") % {"paid": gel(contract.net_paid)})
            tranches = list(contract.tranches.all())
            amounts = rules.tranche_amounts(new, [t.percent for t in tranches])
            paid = dict(Payment.objects.filter(contract=contract, tranche__isnull=False).values("tranche").annotate(s=Sum("amount")).values_list("tranche", "s"))
            for t, amount in zip(tranches, amounts, strict=True):
                if t.condition != Condition.FINAL and paid.get(t.pk, ZERO) > amount:
                    raise ValidationError(_("Tranche %(n)s was already paid above its new amount.") % {"n": t.number})
                t.amount = amount
            Tranche.objects.bulk_update(tranches, ["amount"])
            changes.append({"field": "grant", "label": str(_("Grant")), "before": str(contract.grant), "after": str(new)})
            contract.grant = new
            contract.aid_rate = _aid_rate(new, contract.total_budget)
    for field, value, label in (("starts_on", starts_on, _("Project start")), ("ends_on", ends_on, _("Project end"))):
        if value and value != getattr(contract, field):
            changes.append({"field": field, "label": str(label), "before": getattr(contract, field).isoformat(), "after": value.isoformat()})
            setattr(contract, field, value)
    if contract.ends_on < contract.starts_on:
        raise ValidationError(_("The project cannot end before it starts."))
    if budget_lines is not None:
        cleaned = [(d.strip()[:200], money(a, d.strip() or _("Amount"))) for d, a in budget_lines if (d or "").strip()]
        before = "; ".join(f"{b.description}: {b.amount}" for b in contract.budget_lines.all())
        after = "; ".join(f"{d}: {a}" for d, a in cleaned)
        if before != after:
            contract.budget_lines.all().delete()
            ContractBudgetLine.objects.bulk_create([ContractBudgetLine(contract=contract, description=d, amount=a, order=i)
                                                    for i, (d, a) in enumerate(cleaned)])
            changes.append({"field": "budget_lines", "label": str(_("Budget lines")), "before": before, "after": after})
    if not changes:
        raise ValidationError(_("Nothing was changed."))
    _render_text(contract)
    contract.save()
    number = (contract.amendments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    amendment = Amendment.objects.create(contract=contract, number=number, reason=reason, changes=changes,
                                         made_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, lag=contract.lag, action="projects.contract_amend", target=amendment,
                 summary=f"Contract {contract.number} amended (#{number})",
                 data={"contract": contract.number, "reason": reason, "changes": changes}, public=True)
    return amendment


# --- claims --------------------------------------------------------------------------------------


@transaction.atomic
def claim_submit(*, actor, contract: Contract, lines: Iterable[dict[str, Any]], note: str = "") -> Claim:
    """A payment claim by the grantee: expense lines, each with at least one receipt (PDF or photo)."""
    contract = _locked(contract)
    _require_status(contract, ContractStatus.SIGNED, message=_("Claims can be sent only while the project runs under a signed contract."))
    cleaned = []
    for line in lines:
        description = (line.get("description") or "").strip()
        if not description and line.get("amount") in (None, "") and not line.get("receipt"):
            continue
        if not description:
            raise ValidationError(_("Say what each expense was."))
        amount = money(line.get("amount"), description, positive=True)
        receipt = line.get("receipt")
        if receipt is None:
            raise ValidationError(_("Attach the receipt for: %(line)s") % {"line": description})
        validate_file(receipt, DOCUMENT_KINDS)
        cleaned.append((description[:200], (line.get("supplier") or "").strip()[:200], amount, receipt, line.get("budget_line")))
    if not cleaned:
        raise ValidationError(_("Add at least one expense."))
    if len(cleaned) > MAX_CLAIM_LINES:
        raise ValidationError(_("At most %(n)s expenses per claim.") % {"n": MAX_CLAIM_LINES})
    total = sum((c[2] for c in cleaned), ZERO)
    already = Claim.objects.filter(contract=contract).aggregate(s=Sum("claimed_total"))["s"] or ZERO
    if already + total > contract.total_budget:
        raise ValidationError(_("The claims (%(total)s) would exceed the project's total budget of %(budget)s.") % {
            "total": gel(already + total), "budget": gel(contract.total_budget)})
    number = (contract.claims.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    claim = Claim.objects.create(contract=contract, number=number, note=(note or "").strip(), submitted_at=timezone.now(),
                                 submitted_by=actor if getattr(actor, "is_authenticated", False) else None, claimed_total=total)
    budget_ids = set(contract.budget_lines.values_list("pk", flat=True))
    for description, supplier, amount, receipt, budget_line in cleaned:
        bl = budget_line if getattr(budget_line, "pk", budget_line) in budget_ids else None
        row = ClaimLine.objects.create(claim=claim, description=description, supplier=supplier, amount=amount,
                                       budget_line_id=getattr(bl, "pk", bl))
        _store(Receipt, receipt, DOCUMENT_KINDS, line=row)
    audit_record(actor=actor, lag=contract.lag, action="projects.claim_submit", target=claim,
                 summary=f"Claim {number} of {contract.number}: {total}", data={"contract": contract.number, "claimed": str(total)})
    return claim


@transaction.atomic
def claim_verify(*, actor, claim: Claim, eligible: dict[int, Any], notes: dict[int, str] | None = None) -> Claim:
    """The manager fixes the eligible cost of every line (0..claimed); the claim's eligible total follows."""
    _locked(claim.contract)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status == ClaimStatus.VERIFIED:
        raise ValidationError(_("This claim is already verified."))
    if claim.contract.status != ContractStatus.SIGNED:
        raise ValidationError(_("Claims can be verified only while the project runs."))
    notes = notes or {}
    lines = list(claim.lines.all())
    total = ZERO
    for line in lines:
        if line.pk not in eligible or eligible[line.pk] in (None, ""):
            raise ValidationError(_("Give the eligible amount of every expense."))
        value = money(eligible[line.pk], line.description)
        if value > line.amount:
            raise ValidationError(_("%(line)s: the eligible amount cannot exceed the %(amount)s claimed.") % {
                "line": line.description, "amount": gel(line.amount)})
        note = (notes.get(line.pk) or "").strip()[:300]
        if value < line.amount and not note:
            raise ValidationError(_("%(line)s: say why not all of it is eligible.") % {"line": line.description})
        line.eligible, line.verifier_note = value, note
        total += value
    ClaimLine.objects.bulk_update(lines, ["eligible", "verifier_note"])
    claim.eligible_total = total
    claim.status = ClaimStatus.VERIFIED
    claim.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    claim.verified_at = timezone.now()
    claim.save()
    audit_record(actor=actor, lag=claim.contract.lag, action="projects.claim_verify", target=claim,
                 summary=f"Claim {claim.number} of {claim.contract.number} verified: {total} eligible",
                 data={"contract": claim.contract.number, "claimed": str(claim.claimed_total), "eligible": str(total)})
    return claim


def verified_cost(contract: Contract) -> Decimal:
    return Claim.objects.filter(contract=contract, status=ClaimStatus.VERIFIED).aggregate(s=Sum("eligible_total"))["s"] or ZERO


# --- payments ------------------------------------------------------------------------------------


def tranche_paid(tranche: Tranche) -> Decimal:
    return tranche.payments.aggregate(s=Sum("amount"))["s"] or ZERO


def condition_met(contract: Contract, tranche: Tranche) -> bool:
    """Whether the tranche may be paid now. Once the contract is settled only the final payment
    (the settlement's result) is left: earlier tranches not paid by then are absorbed by it."""
    if tranche.condition == Condition.FINAL:
        return contract.status == ContractStatus.SETTLED
    if contract.status != ContractStatus.SIGNED:
        return False
    if tranche.condition == Condition.INTERIM:
        return contract.reports.filter(kind=ReportKind.INTERIM, status=ReportStatus.APPROVED).exists()
    return True


def payable(contract: Contract, tranche: Tranche) -> Decimal:
    """What may be paid on this tranche now (0 if its condition is not met)."""
    if not condition_met(contract, tranche):
        return ZERO
    if tranche.condition == Condition.FINAL:
        return contract.final_payment_due
    room = contract.grant + contract.recovered_total - contract.paid_total
    return max(ZERO, min(tranche.amount - tranche_paid(tranche), room))


@transaction.atomic
def payment_record(*, actor, tranche: Tranche, paid_on: datetime.date, amount: Any, reference: str,
                   today: datetime.date | None = None) -> Payment:
    contract = _locked(tranche.contract)
    tranche = Tranche.objects.get(pk=tranche.pk, contract=contract)
    value = money(amount, _("Amount"), positive=True)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(_("Give the bank reference of the payment."))
    if paid_on > (today or timezone.localdate()):
        raise ValidationError(_("A payment date cannot be in the future."))
    if not condition_met(contract, tranche):
        raise ValidationError(_("Tranche %(n)s cannot be paid yet: its condition (%(condition)s) is not met.") % {
            "n": tranche.number, "condition": tranche.get_condition_display()})
    limit = payable(contract, tranche)
    if value > limit:
        raise ValidationError(_("At most %(limit)s can be paid on tranche %(n)s.") % {"limit": gel(limit), "n": tranche.number})
    payment = Payment.objects.create(contract=contract, tranche=tranche, paid_on=paid_on, amount=value, reference=reference[:100],
                                     recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    contract.paid_total += value
    if tranche.condition == Condition.FINAL:
        contract.final_payment_due -= value
    contract.save(update_fields=["paid_total", "final_payment_due"])
    audit_record(actor=actor, lag=contract.lag, action="projects.payment_record", target=payment,
                 summary=f"Payment of {value} to {contract.number}",
                 data={"contract": contract.number, "grantee": contract.grantee_name, "tranche": tranche.number,
                       "amount": str(value), "paid_on": paid_on.isoformat()}, public=True)
    return payment


@transaction.atomic
def contract_settle(*, actor, contract: Contract, today: datetime.date | None = None) -> Contract:
    """S3: entitlement = min(grant, aid rate x verified eligible cost); final payment or recovery."""
    contract = _locked(contract)
    _require_status(contract, ContractStatus.SIGNED, message=_("Only a running contract can be settled."))
    if not contract.reports.filter(kind=ReportKind.FINAL, status=ReportStatus.APPROVED).exists():
        raise ValidationError(_("Approve the final report before the settlement."))
    if not contract.visits.exists():
        raise ValidationError(_("Record a site visit before the settlement."))
    if contract.claims.filter(status=ClaimStatus.SUBMITTED).exists():
        raise ValidationError(_("Verify every claim before the settlement."))
    cost = verified_cost(contract)
    try:
        result = rules.settle(approved_grant=contract.grant, aid_rate=contract.aid_rate, verified_cost=cost,
                              paid_so_far=contract.net_paid)
    except ValueError as exc:
        raise _rules_error(exc) from exc
    contract.verified_cost = cost
    contract.entitlement = result.entitlement
    contract.final_payment_due = result.final_payment
    contract.recovery_due = result.to_recover
    contract.settled_at = timezone.now()
    contract.status = ContractStatus.SETTLED
    contract.save()
    if result.to_recover:
        Recovery.objects.create(
            contract=contract, amount=result.to_recover, requested_on=today or timezone.localdate(),
            reason=_("Settlement: entitlement %(ent)s, paid %(paid)s.") % {"ent": gel(result.entitlement), "paid": gel(result.paid_so_far)},
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    audit_record(actor=actor, lag=contract.lag, action="projects.contract_settle", target=contract,
                 summary=f"Contract {contract.number} settled",
                 data={"contract": contract.number, "verified_cost": str(cost), "entitlement": str(result.entitlement),
                       "final_payment": str(result.final_payment), "to_recover": str(result.to_recover)}, public=True)
    return contract


@transaction.atomic
def recovery_receive(*, actor, recovery: Recovery, received_on: datetime.date, reference: str,
                     today: datetime.date | None = None) -> Recovery:
    contract = _locked(recovery.contract)
    recovery = Recovery.objects.select_for_update().get(pk=recovery.pk, contract=contract)
    if recovery.received_on:
        raise ValidationError(_("This amount was already received."))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(_("Give the bank reference of the returned amount."))
    if received_on > (today or timezone.localdate()):
        raise ValidationError(_("The date cannot be in the future."))
    if contract.recovered_total + recovery.amount > contract.paid_total:
        raise ValidationError(_("More cannot be recovered than was paid."))
    recovery.received_on, recovery.reference = received_on, reference[:100]
    recovery.save()
    contract.recovered_total += recovery.amount
    contract.recovery_due = max(ZERO, contract.recovery_due - recovery.amount)
    contract.save(update_fields=["recovered_total", "recovery_due"])
    audit_record(actor=actor, lag=contract.lag, action="projects.recovery_receive", target=recovery,
                 summary=f"{recovery.amount} recovered from {contract.number}",
                 data={"contract": contract.number, "amount": str(recovery.amount), "received_on": received_on.isoformat()}, public=True)
    return recovery


# --- reports -------------------------------------------------------------------------------------


@transaction.atomic
def report_save(
    *, actor, report: Report, narrative: str, values: Iterable[dict[str, Any]] = (), jobs: Iterable[dict[str, Any]] = (),
    photos: Iterable[UploadedFile] = (), submit: bool = False,
) -> Report:
    """The grantee writes (and optionally submits) a report: narrative, indicator values with evidence, jobs, photos.

    ``values``: {"indicator": Indicator, "value": ..., "gender": "", "age_band": "", "evidence": ""}; a total row
    has no gender and age band. ``jobs``: {"description", "gender", "age_band", "hours_share", "months"}; when
    jobs are given, every FTE indicator's total row is their ``rules.total_fte``.
    """
    contract = _locked(report.contract)
    report = Report.objects.select_for_update().get(pk=report.pk, contract=contract)
    _require_status(contract, ContractStatus.SIGNED, message=_("Reports are written while the project runs."))
    if report.status not in (ReportStatus.DUE, ReportStatus.CHANGES):
        raise ValidationError(_("This report was already submitted."))
    allowed = {i.pk: i for i in indicator_choices(contract)}
    rows: dict[tuple, IndicatorValue] = {}
    for v in values:
        indicator = v.get("indicator")
        if indicator is None or getattr(indicator, "pk", None) not in allowed:
            raise ValidationError(_("This indicator does not belong to the project's measure."))
        if v.get("value") in (None, ""):
            continue
        value = money(v["value"], indicator.code)
        gender, age = v.get("gender") or "", v.get("age_band") or ""
        rows[(indicator.pk, gender, age)] = IndicatorValue(report=report, indicator=indicator, gender=gender, age_band=age,
                                                           value=value, evidence=(v.get("evidence") or "").strip())
    job_rows = []
    job_rules = []
    for j in jobs:
        description = (j.get("description") or "").strip()
        if not description:
            continue
        try:
            share = Decimal(str(j.get("hours_share") or "1"))
            months = Decimal(str(j.get("months") or "12"))
            job_rules.append(rules.Job(hours_share=share, months=months))
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError(_("%(job)s: the share of full time is between 0 and 1 and the months between 0 and 12.") % {
                "job": description}) from None
        job_rows.append(JobRecord(report=report, description=description[:200], gender=j.get("gender") or "",
                                  age_band=j.get("age_band") or "", hours_share=share, months=months))
    if job_rows:
        fte_total = rules.total_fte(job_rules)
        by_gender: dict[str, list] = {}
        for row, rule in zip(job_rows, job_rules, strict=True):
            by_gender.setdefault(row.gender, []).append(rule)
        for indicator in allowed.values():
            if is_fte(indicator):
                rows[(indicator.pk, "", "")] = IndicatorValue(report=report, indicator=indicator, value=fte_total,
                                                              evidence=str(_("jobs listed in the report")))
                for gender, group in by_gender.items():
                    if gender:
                        rows[(indicator.pk, gender, "")] = IndicatorValue(report=report, indicator=indicator, gender=gender,
                                                                          value=rules.total_fte(group))
    photos = [p for p in photos if p]
    for p in photos:
        validate_file(p, PHOTO_KINDS)
    report.narrative = (narrative or "").strip()
    if submit:
        if not report.narrative:
            raise ValidationError(_("Describe what was done before submitting the report."))
        planned = set(contract.planned_indicators.values_list("indicator_id", flat=True))
        for pk in planned:
            if pk in allowed and is_fte(allowed[pk]) and (pk, "", "") not in rows:
                # Jobs are counted from the job list; none listed yet is 0 FTE.
                rows[(pk, "", "")] = IndicatorValue(report=report, indicator=allowed[pk], value=ZERO,
                                                    evidence=str(_("no jobs listed in this report")))
        missing = [allowed[pk].code for pk in planned if (pk, "", "") not in rows and pk in allowed]
        if missing:
            raise ValidationError(_("Give the value achieved for: %(codes)s.") % {"codes": ", ".join(sorted(missing))})
    report.values.all().delete()
    IndicatorValue.objects.bulk_create(rows.values())
    if job_rows:
        report.jobs.all().delete()
        JobRecord.objects.bulk_create(job_rows)
    for p in photos:
        _store(ReportPhoto, p, PHOTO_KINDS, report=report)
    if submit:
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
    report.save()
    audit_record(actor=actor, lag=contract.lag, action="projects.report_submit" if submit else "projects.report_save", target=report,
                 summary=f"{report.get_kind_display()} of {contract.number} {'submitted' if submit else 'saved'}")
    return report


@transaction.atomic
def report_review(*, actor, report: Report, approve: bool, note: str = "") -> Report:
    contract = _locked(report.contract)
    report = Report.objects.select_for_update().get(pk=report.pk, contract=contract)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved or sent back."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(_("Say what needs to change."))
    report.status = ReportStatus.APPROVED if approve else ReportStatus.CHANGES
    report.review_note = note
    report.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    report.decided_at = timezone.now()
    report.save()
    audit_record(actor=actor, lag=contract.lag, action="projects.report_review", target=report,
                 summary=f"{report.get_kind_display()} of {contract.number}: {'approved' if approve else 'changes requested'}",
                 data={"contract": contract.number, "report": report.kind, "approved": approve}, public=approve)
    return report


@transaction.atomic
def site_visit_record(
    *, actor, contract: Contract, visited_on: datetime.date, checklist: list[dict[str, Any]], notes: str = "",
    satisfactory: bool = True, photos: Iterable[UploadedFile] = (), today: datetime.date | None = None,
) -> SiteVisit:
    contract = _locked(contract)
    _require_status(contract, ContractStatus.SIGNED, ContractStatus.SETTLED, message=_("Visits are recorded for signed contracts."))
    if visited_on > (today or timezone.localdate()):
        raise ValidationError(_("A visit date cannot be in the future."))
    photos = [p for p in photos if p]
    for p in photos:
        validate_file(p, PHOTO_KINDS)
    items = [{"item": str(c["item"])[:200], "ok": bool(c.get("ok"))} for c in checklist if str(c.get("item", "")).strip()]
    visit = SiteVisit.objects.create(contract=contract, visited_on=visited_on, checklist=items, notes=(notes or "").strip(),
                                     satisfactory=satisfactory and all(i["ok"] for i in items),
                                     visited_by=actor if getattr(actor, "is_authenticated", False) else None)
    for p in photos:
        _store(SiteVisitPhoto, p, PHOTO_KINDS, visit=visit)
    audit_record(actor=actor, lag=contract.lag, action="projects.site_visit", target=visit,
                 summary=f"Site visit to {contract.number} on {visited_on}")
    return visit


VISIT_CHECKLIST = (
    "The investment is in place as in the budget",
    "The equipment or works match the receipts",
    "The project is in use",
    "The funders are shown (plaque or sticker)",
)


# --- reminders (background task) -----------------------------------------------------------------

REMINDER_OFFSETS = ((7, "before_7"), (1, "before_1"), (0, "due"), (-7, "overdue_7"))


def _reminder_kind(days_left: int) -> str | None:
    for offset, kind in REMINDER_OFFSETS:
        if days_left == offset:
            return kind
    return None


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind grantees of reports due in 7 days, tomorrow, today and 7 days late. Each reminder once.

    Idempotent per (report, kind): running the task twice on the same day sends nothing more.
    """
    from sopeli.notifications.services import notify

    today = timezone.localdate(now or timezone.now())
    sent = 0
    window = [today + datetime.timedelta(days=o) for o, _k in REMINDER_OFFSETS]
    reports = (Report.objects.filter(status__in=[ReportStatus.DUE, ReportStatus.CHANGES], due_on__in=window,
                                     contract__status=ContractStatus.SIGNED)
               .select_related("contract__grantee", "contract__lag"))
    for report in reports:
        kind = _reminder_kind((report.due_on - today).days)
        if kind is None:
            continue
        with transaction.atomic():
            _obj, created = ReminderSent.objects.get_or_create(report=report, kind=kind)
            if not created:
                continue
            contract = report.contract
            # Once per report and reminder, however often the task runs (the outbox keeps the key too).
            notify(kind="projects.reminder", lag=contract.lag, recipients=[contract.grantee],
                   template="projects/messages/report_reminder", context={"report": report, "contract": contract},
                   link=reverse("projects:my_report", args=[contract.lag.slug, contract.pk, report.pk]),
                   dedupe_key=f"report-reminder:{report.pk}:{kind}")
            audit_record(actor=None, lag=contract.lag, action="projects.report_reminder", target=report,
                         summary=f"Reminder {kind} for {contract.number}")
            sent += 1
    return sent


# --- stories -------------------------------------------------------------------------------------


@transaction.atomic
def story_save(*, actor, contract: Contract, data: dict[str, str], photos: Iterable[UploadedFile] = (),
               publish: bool | None = None) -> Story:
    if contract.status not in (ContractStatus.SIGNED, ContractStatus.SETTLED):
        raise ValidationError(_("Only a funded project under a signed contract can become a story."))
    story = Story.objects.filter(contract=contract).first() or Story(lag=contract.lag, contract=contract)
    for name in ("title_ka", "title_en", "body_ka", "body_en"):
        if name in data:
            setattr(story, name, (data[name] or "").strip())
    if not story.title_ka or not story.body_ka:
        raise ValidationError(_("Write the story's title and text at least in Georgian."))
    photos = [p for p in photos if p]
    for p in photos:
        validate_file(p, PHOTO_KINDS)
    if publish is not None:
        story.is_published = publish
        if publish and story.published_at is None:
            story.published_at = timezone.now()
    story.save()
    for p in photos:
        _store(StoryPhoto, p, PHOTO_KINDS, story=story)
    audit_record(actor=actor, lag=contract.lag, action="projects.story_save", target=story,
                 summary=f"Story of {contract.number}{' published' if story.is_published else ''}",
                 data={"contract": contract.number, "title": story.title_ka}, public=bool(publish))
    return story
