"""Every write to a strategy. Approved and superseded versions never change: each service that
touches a version's parts first calls ``_ensure_editable``.

Version workflow (declared as data in ``TRANSITIONS``):
draft → consultation → approved → superseded, and consultation → draft to return to drafting.
A version is approved only by an approved agenda item of the LAG's general assembly; the
previously approved version then becomes superseded, so one approved version is current.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, ProtectedError, RestrictedError, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.core.audit import audit_record
from sopeli.core.models import Lag
from sopeli.strategy import rules
from sopeli.strategy.models import (
    AidRate,
    FinanceKind,
    FinancialPlanRow,
    Indicator,
    IndicatorKind,
    KeyFigure,
    Measure,
    Objective,
    PlannedCall,
    Strategy,
    StrategyVersion,
    SwotItem,
    VersionStatus,
)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str


TRANSITIONS = (
    Transition(VersionStatus.DRAFT, VersionStatus.CONSULTATION, "submit"),
    Transition(VersionStatus.CONSULTATION, VersionStatus.DRAFT, "reopen"),
    Transition(VersionStatus.CONSULTATION, VersionStatus.APPROVED, "approve"),
    Transition(VersionStatus.APPROVED, VersionStatus.SUPERSEDED, "supersede"),
)


def allowed_actions(version: StrategyVersion) -> set[str]:
    return {t.action for t in TRANSITIONS if t.source == version.status}


def _transition(version: StrategyVersion, action: str) -> None:
    for t in TRANSITIONS:
        if t.action == action and t.source == version.status:
            version.status = t.target
            return
    raise ValidationError(
        _("Version %(number)s is %(status)s; it cannot be changed this way.")
        % {"number": version.number, "status": version.get_status_display()}
    )


def _ensure_editable(version: StrategyVersion) -> None:
    # Re-read the status under the transaction so a concurrent approval cannot slip through.
    status = StrategyVersion.objects.select_for_update().values_list("status", flat=True).get(pk=version.pk)
    if status not in (VersionStatus.DRAFT, VersionStatus.CONSULTATION):
        raise ValidationError(
            _("Version %(number)s is approved or superseded and cannot be changed. Create an amendment instead.")
            % {"number": version.number}
        )


# --- Strategy and versions ---------------------------------------------------------------------


@transaction.atomic
def strategy_create(*, actor, lag: Lag, title_ka: str, title_en: str = "") -> StrategyVersion:
    """Start the LAG's strategy with an empty draft version 1."""
    if Strategy.objects.filter(lag=lag).exists():
        raise ValidationError(_("This LAG already has a strategy."))
    if not title_ka.strip():
        raise ValidationError(_("Give the strategy a title in Georgian."))
    strategy = Strategy.objects.create(lag=lag, title_ka=title_ka.strip(), title_en=title_en.strip())
    version = StrategyVersion.objects.create(lag=lag, strategy=strategy, number=1)
    audit_record(actor=actor, lag=lag, action="strategy.create", target=strategy,
                 summary=f"Strategy started: {strategy.title}", public=True)
    return version


TEXT_FIELDS = ("territory_profile", "needs_analysis", "vision", "monitoring", "change_summary")


@transaction.atomic
def strategy_version_update(*, actor, version: StrategyVersion, data: dict[str, Any]) -> StrategyVersion:
    """Change a version's own fields: its texts (both languages) and its period."""
    _ensure_editable(version)
    allowed = {f"{name}_{lang}" for name in TEXT_FIELDS for lang in ("ka", "en")} | {"period_start", "period_end"}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"not version fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(version, name, value)
    _clean_and_save(version)
    audit_record(actor=actor, lag=version.lag, action="strategy.version_update", target=version,
                 summary=f"Strategy version {version.number} edited", data={"fields": sorted(data)})
    return version


@transaction.atomic
def strategy_version_submit(*, actor, version: StrategyVersion) -> StrategyVersion:
    """Open the draft for public consultation (it becomes visible to everyone)."""
    _transition(version, "submit")
    version.save(update_fields=["status"])
    audit_record(actor=actor, lag=version.lag, action="strategy.version_submit", target=version,
                 summary=f"Strategy version {version.number} opened for public consultation", public=True)
    return version


@transaction.atomic
def strategy_version_reopen(*, actor, version: StrategyVersion) -> StrategyVersion:
    """Take a version under consultation back to drafting."""
    _transition(version, "reopen")
    version.save(update_fields=["status"])
    audit_record(actor=actor, lag=version.lag, action="strategy.version_reopen", target=version,
                 summary=f"Strategy version {version.number} back to drafting", public=True)
    return version


@transaction.atomic
def strategy_version_approve(*, actor, version: StrategyVersion, agenda_item) -> StrategyVersion:
    """Record the general assembly's approval; the previously approved version is superseded."""
    from sopeli.governance.models import ItemStatus
    from sopeli.membership.models import BodyKind

    version = StrategyVersion.objects.select_for_update().get(pk=version.pk)
    if agenda_item is None or agenda_item.lag_id != version.lag_id:
        raise ValidationError(_("Choose an agenda item of this LAG's general assembly."))
    if agenda_item.body.kind != BodyKind.ASSEMBLY:
        raise ValidationError(_("Only the general assembly approves the strategy; this item belongs to another body."))
    if agenda_item.status != ItemStatus.APPROVED:
        raise ValidationError(
            _("Agenda item %(code)s is not approved (it is %(status)s).")
            % {"code": agenda_item.code, "status": agenda_item.get_status_display()}
        )
    if StrategyVersion.objects.filter(approved_by_item=agenda_item).exclude(pk=version.pk).exists():
        raise ValidationError(_("This decision already approved another version."))
    _ensure_within_running_costs_cap(version)
    _transition(version, "approve")
    previous = list(
        StrategyVersion.objects.select_for_update().filter(strategy_id=version.strategy_id, status=VersionStatus.APPROVED)
    )
    for old in previous:
        _transition(old, "supersede")
        old.save(update_fields=["status"])
    version.approved_at = timezone.now()
    version.approved_by_item = agenda_item
    version.save(update_fields=["status", "approved_at", "approved_by_item"])
    audit_record(
        actor=actor, lag=version.lag, action="strategy.version_approve", target=version,
        summary=f"Strategy version {version.number} approved by the general assembly ({agenda_item.code})",
        data={"agenda_item": agenda_item.pk, "superseded": [old.number for old in previous]}, public=True,
    )
    return version


def _ensure_within_running_costs_cap(version: StrategyVersion) -> None:
    """LEADER caps running costs at 25% of the strategy's public money: no approval above it."""
    from sopeli.strategy.selectors import running_costs_message

    totals = dict(
        FinancialPlanRow.objects.filter(version=version).values_list("kind").annotate(total=Sum("amount")).order_by()
    )
    check = rules.running_costs_check(
        running=totals.get(FinanceKind.RUNNING) or Decimal("0.00"), measures=totals.get(FinanceKind.MEASURE) or Decimal("0.00")
    )
    if not check.ok:
        raise ValidationError(running_costs_message(check))


@transaction.atomic
def strategy_version_create_amendment(*, actor, strategy: Strategy) -> StrategyVersion:
    """A new draft version: a deep copy of the current approved version, codes kept."""
    source = StrategyVersion.objects.filter(strategy=strategy, status=VersionStatus.APPROVED).first()
    if source is None:
        raise ValidationError(_("There is no approved version to amend yet."))
    open_version = StrategyVersion.objects.filter(
        strategy=strategy, status__in=[VersionStatus.DRAFT, VersionStatus.CONSULTATION]
    ).first()
    if open_version is not None:
        raise ValidationError(
            _("Version %(number)s is still being prepared; finish or approve it before starting another.")
            % {"number": open_version.number}
        )
    number = (StrategyVersion.objects.filter(strategy=strategy).aggregate(m=Max("number"))["m"] or 0) + 1
    version = _copy_version(source, number)
    audit_record(actor=actor, lag=strategy.lag, action="strategy.version_amend", target=version,
                 summary=f"Strategy amendment: version {number} drafted from version {source.number}", public=True)
    return version


def _copy_row(row: models.Model, **changes) -> models.Model:
    row.pk = None
    row.id = None
    row._state.adding = True
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return row


def _copy_version(source: StrategyVersion, number: int) -> StrategyVersion:
    objectives = list(source.objectives.all())
    measures = list(source.measures.prefetch_related("objectives", "aid_rates"))
    indicators = list(source.indicators.all())
    calls = list(source.planned_calls.all())
    finance = list(source.financial_rows.all())
    key_figures = list(source.key_figures.all())
    swot = list(source.swot_items.all())
    measure_objectives = {m.pk: [o.pk for o in m.objectives.all()] for m in measures}
    measure_rates = {m.pk: list(m.aid_rates.all()) for m in measures}

    version = _copy_row(
        StrategyVersion.objects.get(pk=source.pk), number=number, status=VersionStatus.DRAFT, based_on=source,
        approved_at=None, approved_by_item=None, created_at=None,
    )
    # created_at is auto_now_add: saving with None lets Django fill it.
    for row in key_figures:
        _copy_row(row, version=version)
    for row in swot:
        _copy_row(row, version=version)
    objective_map = {}
    for row in objectives:
        old = row.pk
        objective_map[old] = _copy_row(row, version=version)
    measure_map = {}
    for row in measures:
        old = row.pk
        measure_map[old] = _copy_row(row, version=version)
        measure_map[old].objectives.set([objective_map[pk] for pk in measure_objectives[old]])
        AidRate.objects.bulk_create(
            AidRate(measure=measure_map[old], applicant_type=r.applicant_type, max_rate=r.max_rate)
            for r in measure_rates[old]
        )
    for row in indicators:
        _copy_row(
            row, version=version,
            objective=objective_map.get(row.objective_id), measure=measure_map.get(row.measure_id),
        )
    for row in calls:
        _copy_row(row, version=version, measure=measure_map[row.measure_id])
    for row in finance:
        _copy_row(row, version=version, measure=measure_map.get(row.measure_id))
    return version


# --- Parts of a version ------------------------------------------------------------------------


def _clean_and_save(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(_plain(error)) from error
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise ValidationError(_("This conflicts with another entry (is the code already used?).")) from error


def _plain(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        out = []
        for name, errors in error.message_dict.items():
            for message in errors:
                out.append(message if name == "__all__" else f"{name}: {message}")
        return out
    return error.messages


def _save_part(*, actor, version: StrategyVersion, model, instance, data: dict[str, Any], label: str):
    _ensure_editable(version)
    if instance is None:
        instance = model(version=version)
    elif instance.version_id != version.pk:
        raise ValidationError(_("This entry belongs to another version."))
    m2m = data.pop("objectives", None) if model is Measure else None
    for name, value in data.items():
        setattr(instance, name, value)
    _clean_and_save(instance, exclude=["objectives"] if model is Measure else None)
    if m2m is not None:
        if any(o.version_id != version.pk for o in m2m):
            raise ValidationError(_("A measure can only serve objectives of the same version."))
        instance.objectives.set(m2m)
    audit_record(
        actor=actor, lag=version.lag, action=f"strategy.{label}_save", target=instance,
        summary=f"Strategy v{version.number}: {model._meta.verbose_name} {getattr(instance, 'code', '')} saved",
    )
    return instance


@transaction.atomic
def key_figure_save(*, actor, version: StrategyVersion, instance: KeyFigure | None = None, data: dict) -> KeyFigure:
    return _save_part(actor=actor, version=version, model=KeyFigure, instance=instance, data=data, label="key_figure")


@transaction.atomic
def swot_item_save(*, actor, version: StrategyVersion, instance: SwotItem | None = None, data: dict) -> SwotItem:
    return _save_part(actor=actor, version=version, model=SwotItem, instance=instance, data=data, label="swot_item")


@transaction.atomic
def objective_save(*, actor, version: StrategyVersion, instance: Objective | None = None, data: dict) -> Objective:
    return _save_part(actor=actor, version=version, model=Objective, instance=instance, data=data, label="objective")


@transaction.atomic
def indicator_save(*, actor, version: StrategyVersion, instance: Indicator | None = None, data: dict) -> Indicator:
    owner = data.get("objective") or data.get("measure")
    if owner is not None and owner.version_id != version.pk:
        raise ValidationError(_("An indicator can only belong to an objective or measure of the same version."))
    if data.get("objective") is not None:
        data = {**data, "kind": IndicatorKind.RESULT, "measure": None}
    elif data.get("measure") is not None:
        data = {**data, "kind": IndicatorKind.OUTPUT, "objective": None}
    return _save_part(actor=actor, version=version, model=Indicator, instance=instance, data=data, label="indicator")


@transaction.atomic
def measure_save(
    *, actor, version: StrategyVersion, instance: Measure | None = None, data: dict,
    aid_rates: dict[str, Decimal | None] | None = None,
) -> Measure:
    """Save a measure; ``aid_rates`` maps applicant type → max rate (None removes the type)."""
    measure = _save_part(actor=actor, version=version, model=Measure, instance=instance, data=dict(data), label="measure")
    for applicant_type, rate in (aid_rates or {}).items():
        if rate is None:
            AidRate.objects.filter(measure=measure, applicant_type=applicant_type).delete()
            continue
        if not Decimal(0) <= rate <= Decimal(100):
            raise ValidationError(_("An aid rate is a percentage between 0 and 100."))
        AidRate.objects.update_or_create(measure=measure, applicant_type=applicant_type, defaults={"max_rate": rate})
    return measure


@transaction.atomic
def planned_call_save(*, actor, version: StrategyVersion, instance: PlannedCall | None = None, data: dict) -> PlannedCall:
    measure = data.get("measure")
    if measure is not None and measure.version_id != version.pk:
        raise ValidationError(_("Choose a measure of this version."))
    return _save_part(actor=actor, version=version, model=PlannedCall, instance=instance, data=data, label="planned_call")


@transaction.atomic
def financial_row_save(
    *, actor, version: StrategyVersion, instance: FinancialPlanRow | None = None, data: dict
) -> FinancialPlanRow:
    measure = data["measure"] if "measure" in data else getattr(instance, "measure", None)
    if measure is not None and measure.version_id != version.pk:
        raise ValidationError(_("Choose a measure of this version."))
    data = {**data, "kind": FinanceKind.MEASURE if measure is not None else FinanceKind.RUNNING}
    year = data["year"] if "year" in data else getattr(instance, "year", None)
    clash = FinancialPlanRow.objects.filter(version=version, measure=measure, year=year)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError(_("There is already a row for this measure and year; change that row instead."))
    return _save_part(actor=actor, version=version, model=FinancialPlanRow, instance=instance, data=data, label="financial_row")


@transaction.atomic
def version_part_delete(*, actor, version: StrategyVersion, instance: models.Model) -> None:
    _ensure_editable(version)
    if instance.version_id != version.pk:
        raise ValidationError(_("This entry belongs to another version."))
    code = getattr(instance, "code", "")
    audit_record(actor=actor, lag=version.lag, action="strategy.part_delete", target=instance,
                 summary=f"Strategy v{version.number}: {instance._meta.verbose_name} {code} deleted")
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _("%(code)s is used elsewhere (for example by a call) and cannot be deleted.") % {"code": code}
        ) from error
