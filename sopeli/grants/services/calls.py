"""Every write to a call: draft editing, publication (validate, freeze, announce), amendments, closing.

A call is edited freely while it is a draft. ``call_publish`` checks that it is complete
(``call_problems``), stores the frozen ``snapshot`` of every rule and announces it on the public
ledger. After that the only change is ``call_amend``: a reason and the values before/after, shown
publicly beside the original. What an amendment may change is deliberately narrow
(``AMENDABLE_FIELDS`` and measure budgets): the deadline may only be extended, and criteria,
weights, thresholds, aid rates and selection rules never change once published (call integrity).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.accounts.models import User
from sopeli.core.audit import audit_record
from sopeli.core.models import Lag, Settlement
from sopeli.grants import rules, workflow
from sopeli.grants.models import (
    Call,
    CallAidRate,
    CallAmendment,
    CallCounter,
    CallDocument,
    CallMeasure,
    CallQuestion,
    ChecklistItem,
    Criterion,
    CriterionKind,
    QuestionKind,
)
from sopeli.grants.workflow import CallStatus
from sopeli.strategy.models import Measure, StrategyVersion, VersionStatus

LANGS = ("ka", "en")
TRANSLATED = ("title", "summary", "who_can_apply", "how_to_apply", "contact")
PLAIN_FIELDS = (
    "code", "min_grant", "max_grant", "min_duration_months", "max_duration_months", "opens_at", "closes_at",
    "has_idea_stage", "ideas_close_at", "min_total", "evaluators_per_application", "divergence_share",
    "aggregation", "tie_breaks", "budget_variant", "max_raise", "reserve_valid_days", "appeal_days",
    "received_list_days", "show_evaluator_names",
)
CALL_FIELDS = tuple(f"{name}_{lang}" for name in TRANSLATED for lang in LANGS) + PLAIN_FIELDS
# What an amendment may change after publication (texts, and the deadlines — only later).
AMENDABLE_FIELDS = tuple(f"{name}_{lang}" for name in ("summary", "who_can_apply", "how_to_apply", "contact") for lang in LANGS) + (
    "closes_at", "ideas_close_at",
)

PART_MODELS = {
    "questions": CallQuestion,
    "criteria": Criterion,
    "documents": CallDocument,
    "checklist": ChecklistItem,
}


# --- helpers -------------------------------------------------------------------------------------


def _ensure_draft(call: Call) -> None:
    if call.status != CallStatus.DRAFT:
        raise ValidationError(
            _("This call is published and frozen. Changes are made as amendments with a reason."), code="frozen"
        )


def _current_version(lag: Lag) -> StrategyVersion:
    version = StrategyVersion.objects.filter(lag=lag, status=VersionStatus.APPROVED).first()
    if version is None:
        raise ValidationError(_("A call needs an approved strategy: approve the strategy first."), code="no_strategy")
    return version


def _save(obj, *, exclude=()) -> None:
    """full_clean then save, turning database constraint violations into form errors."""
    obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a race past full_clean: still a clear message, never a 500
        raise ValidationError(_("These values conflict with another entry. Check the numbers and codes.")) from exc


def _locked(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


# --- draft call ------------------------------------------------------------------------------------


@transaction.atomic
def call_create(*, actor: User | None, lag: Lag, data: dict[str, Any]) -> Call:
    """A new draft call under the LAG's current approved strategy version."""
    version = _current_version(lag)
    call = Call(lag=lag, strategy_version=version, created_by=actor)
    for name in CALL_FIELDS:
        if name in data:
            setattr(call, name, data[name])
    _validate_tie_breaks(call.tie_breaks, codes=None)
    _save(call, exclude=("strategy_version", "lag", "created_by", "published_by"))
    audit_record(actor=actor, lag=lag, action="grants.call_create", target=call,
                 summary=f"Draft call {call.code} created", data={"call": call.pk, "code": call.code})
    return call


@transaction.atomic
def call_update(*, actor: User | None, call: Call, data: dict[str, Any]) -> Call:
    call = _locked(call)
    _ensure_draft(call)
    changed = []
    for name in CALL_FIELDS:
        if name in data and getattr(call, name) != data[name]:
            setattr(call, name, data[name])
            changed.append(name)
    codes = set(call.criteria.values_list("code", flat=True))
    _validate_tie_breaks(call.tie_breaks, codes=codes)
    _save(call, exclude=("strategy_version", "lag", "created_by", "published_by"))
    audit_record(actor=actor, lag=call.lag, action="grants.call_update", target=call,
                 summary=f"Draft call {call.code} edited", data={"call": call.pk, "fields": changed})
    return call


def _validate_tie_breaks(value: Any, *, codes: set[str] | None) -> None:
    if not isinstance(value, list):
        raise ValidationError({"tie_breaks": _("The tie-break order is a list.")})
    for entry in value:
        try:
            tie = rules.TieBreak(rules.TieBreakKind(entry.get("kind")), entry.get("criterion") or None)
        except (AttributeError, ValueError) as exc:
            raise ValidationError({"tie_breaks": _("Unknown tie-break.")}) from exc
        if codes is not None and tie.criterion and tie.criterion not in codes:
            raise ValidationError({"tie_breaks": _("The tie-break names criterion %(code)s, which this call does not have.")
                                   % {"code": tie.criterion}})
    kinds = [(e.get("kind"), e.get("criterion")) for e in value]
    if len(set(kinds)) != len(kinds):
        raise ValidationError({"tie_breaks": _("A tie-break is listed twice.")})


@transaction.atomic
def call_measure_set(*, actor: User | None, call: Call, measure: Measure, budget: Decimal) -> CallMeasure:
    """Add a measure of the current approved strategy with its budget, or change its budget."""
    call = _locked(call)
    _ensure_draft(call)
    if measure.version_id != call.strategy_version_id:
        raise ValidationError(_("Choose a measure of the approved strategy this call runs under."), code="measure")
    if budget is None or budget < 0:
        raise ValidationError({"budget": _("The budget cannot be negative.")})
    cm, _created = CallMeasure.objects.update_or_create(
        call=call, measure=measure, defaults={"budget": budget, "order": measure.order}
    )
    audit_record(actor=actor, lag=call.lag, action="grants.call_measure_set", target=call,
                 summary=f"Call {call.code}: measure {measure.code} budget {budget}",
                 data={"call": call.pk, "measure": measure.code, "budget": str(budget)})
    return cm


@transaction.atomic
def call_measure_remove(*, actor: User | None, call: Call, call_measure: CallMeasure) -> None:
    call = _locked(call)
    _ensure_draft(call)
    if call_measure.call_id != call.pk:
        raise ValidationError(_("This measure is not part of the call."))
    code = call_measure.measure.code
    call_measure.delete()
    audit_record(actor=actor, lag=call.lag, action="grants.call_measure_remove", target=call,
                 summary=f"Call {call.code}: measure {code} removed", data={"call": call.pk, "measure": code})


@transaction.atomic
def call_aid_rates_set(*, actor: User | None, call: Call, rates: dict[str, Decimal | None]) -> None:
    """Maximum aid rate (percent) per applicant type; ``None`` makes the type ineligible."""
    call = _locked(call)
    _ensure_draft(call)
    for applicant_type, rate in rates.items():
        if rate is None:
            CallAidRate.objects.filter(call=call, applicant_type=applicant_type).delete()
            continue
        if not Decimal(0) <= rate <= Decimal(100):
            raise ValidationError(_("An aid rate is a percentage between 0 and 100."))
        CallAidRate.objects.update_or_create(call=call, applicant_type=applicant_type, defaults={"max_rate": rate})
    audit_record(actor=actor, lag=call.lag, action="grants.call_aid_rates_set", target=call,
                 summary=f"Call {call.code}: aid rates set",
                 data={"call": call.pk, "rates": {k: (str(v) if v is not None else None) for k, v in rates.items()}})


@transaction.atomic
def call_settlements_set(*, actor: User | None, call: Call, settlements: list[Settlement]) -> None:
    """Eligible villages; an empty list means the whole territory."""
    call = _locked(call)
    _ensure_draft(call)
    if any(s.lag_id != call.lag_id for s in settlements):
        raise ValidationError(_("Choose villages of this LAG's territory."))
    call.eligible_settlements.set(settlements)
    audit_record(actor=actor, lag=call.lag, action="grants.call_settlements_set", target=call,
                 summary=f"Call {call.code}: eligible villages set",
                 data={"call": call.pk, "settlements": [s.pk for s in settlements]})


@transaction.atomic
def call_part_save(*, actor: User | None, call: Call, kind: str, data: dict[str, Any], instance=None):
    """Create or edit a question, criterion, required document or checklist line of a draft call."""
    model = PART_MODELS[kind]
    call = _locked(call)
    _ensure_draft(call)
    if instance is not None and instance.call_id != call.pk:
        raise ValidationError(_("This entry belongs to another call."))
    obj = instance or model(call=call)
    for name, value in data.items():
        setattr(obj, name, value)
    if kind == "criteria" and obj.kind == CriterionKind.PASS_FAIL:
        obj.max_points = None
        obj.min_points = None
    if kind == "questions":
        _validate_question(obj)
    _save(obj, exclude=("call",))
    audit_record(actor=actor, lag=call.lag, action="grants.call_part_save", target=call,
                 summary=f"Call {call.code}: {kind} entry saved", data={"call": call.pk, "kind": kind, "id": obj.pk})
    return obj


def _validate_question(question: CallQuestion) -> None:
    if question.kind == QuestionKind.CHOICE:
        choices = question.choices if isinstance(question.choices, list) else []
        values = [c.get("value") for c in choices if isinstance(c, dict)]
        if len(values) < 2 or len(set(values)) != len(values) or not all(values):
            raise ValidationError({"choices": _("A choice question needs at least two different choices.")})
    else:
        question.choices = []


@transaction.atomic
def call_part_delete(*, actor: User | None, call: Call, kind: str, instance) -> None:
    call = _locked(call)
    _ensure_draft(call)
    if instance.call_id != call.pk:
        raise ValidationError(_("This entry belongs to another call."))
    pk = instance.pk
    instance.delete()
    audit_record(actor=actor, lag=call.lag, action="grants.call_part_delete", target=call,
                 summary=f"Call {call.code}: {kind} entry deleted", data={"call": call.pk, "kind": kind, "id": pk})


# --- completeness and publication ----------------------------------------------------------------


def criteria_scheme(criteria: list[Criterion], min_total: Decimal) -> rules.CriteriaScheme:
    """The call's criteria as the pure rules see them (raises ValueError if inconsistent)."""
    return rules.CriteriaScheme(
        scored=tuple(
            rules.ScoredCriterion(c.code, c.max_points, c.weight, c.min_points)
            for c in criteria if c.kind == CriterionKind.SCORED
        ),
        pass_fail=tuple(c.code for c in criteria if c.kind == CriterionKind.PASS_FAIL),
        min_total=min_total,
    )


def call_problems(call: Call, *, now: datetime | None = None) -> list[str]:
    """Everything that stops a draft call from being published, in plain words (empty: ready)."""
    now = now or timezone.now()
    problems: list[str] = []
    for name in ("title", "summary", "who_can_apply"):
        for lang in LANGS:
            if not (getattr(call, f"{name}_{lang}") or "").strip():
                label = str(Call._meta.get_field(name).verbose_name)
                problems.append(_("Missing in %(language)s: %(field)s.") % {
                    "field": label, "language": _("Georgian") if lang == "ka" else _("English")})
    measures = list(call.call_measures.select_related("measure__version").prefetch_related("measure__aid_rates"))
    if not measures:
        problems.append(_("Add at least one measure with its budget."))
    if measures and sum((m.budget for m in measures), Decimal(0)) <= 0:
        problems.append(_("The call's budget is zero."))
    rates = {r.applicant_type: r.max_rate for r in call.aid_rates.all()}
    if not rates:
        problems.append(_("Set the maximum aid rate for at least one applicant type (the types that may apply)."))
    for cm in measures:
        m = cm.measure
        if m.version.status != VersionStatus.APPROVED:
            problems.append(_("Measure %(code)s is not part of the current approved strategy.") % {"code": m.code})
        if call.max_grant > m.max_grant or call.min_grant < m.min_grant:
            problems.append(_("The call's grant limits must stay within those of measure %(code)s (%(min)s – %(max)s).")
                            % {"code": m.code, "min": m.min_grant, "max": m.max_grant})
        measure_rates = {r.applicant_type: r.max_rate for r in m.aid_rates.all()}
        for kind, rate in rates.items():
            if kind in measure_rates and rate > measure_rates[kind]:
                problems.append(_("The aid rate for %(type)s (%(rate)s%%) is above the strategy's %(max)s%% for measure %(code)s.")
                                % {"type": kind, "rate": rate, "max": measure_rates[kind], "code": m.code})
    criteria = list(call.criteria.all())
    if not any(c.kind == CriterionKind.SCORED for c in criteria):
        problems.append(_("Add at least one scored criterion."))
    else:
        try:
            criteria_scheme(criteria, call.min_total)
        except ValueError:
            problems.append(_("The minimum total score is higher than the criteria's maximum total."))
    try:
        _validate_tie_breaks(call.tie_breaks, codes={c.code for c in criteria})
    except ValidationError as exc:
        problems.extend(exc.messages)
    for q in call.questions.all():
        if not (q.label_ka and q.label_en):
            problems.append(_("A question needs its text in both languages: %(label)s") % {"label": q.label})
    for c in criteria:
        if not (c.title_ka and c.title_en):
            problems.append(_("Criterion %(code)s needs its text in both languages.") % {"code": c.code})
    for d in call.documents.all():
        if not (d.name_ka and d.name_en):
            problems.append(_("A required document needs its name in both languages: %(name)s") % {"name": d.name})
    if not call.checklist.exists():
        problems.append(_("Add at least one line to the eligibility checklist."))
    if call.closes_at <= now:
        problems.append(_("The deadline has already passed."))
    if call.closes_at.microsecond or (call.ideas_close_at and call.ideas_close_at.microsecond):
        problems.append(_("A deadline is a whole second."))
    return problems


def call_snapshot(call: Call) -> dict[str, Any]:
    """Every rule of the call as plain JSON: what the competition is bound by from publication."""

    def text(obj, name):
        return {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGS}

    return {
        "code": call.code,
        "title": text(call, "title"),
        "summary": text(call, "summary"),
        "who_can_apply": text(call, "who_can_apply"),
        "how_to_apply": text(call, "how_to_apply"),
        "strategy_version": call.strategy_version.number,
        "measures": [
            {"code": cm.measure.code, "title": text(cm.measure, "title"), "budget": str(cm.budget)}
            for cm in call.call_measures.select_related("measure")
        ],
        "min_grant": str(call.min_grant),
        "max_grant": str(call.max_grant),
        "aid_rates": {r.applicant_type: str(r.max_rate) for r in call.aid_rates.all()},
        "eligible_settlements": [s.name for s in call.eligible_settlements.all()],
        "duration_months": [call.min_duration_months, call.max_duration_months],
        "opens_at": call.opens_at.isoformat(),
        "closes_at": call.closes_at.isoformat(),
        "idea_stage": {"enabled": call.has_idea_stage,
                       "closes_at": call.ideas_close_at.isoformat() if call.ideas_close_at else None},
        "questions": [
            {"id": q.pk, "kind": q.kind, "label": text(q, "label"), "required": q.required, "stage": q.stage,
             "choices": q.choices}
            for q in call.questions.all()
        ],
        "documents": [{"id": d.pk, "name": text(d, "name"), "required": d.required, "stage": d.stage}
                      for d in call.documents.all()],
        "criteria": [
            {"code": c.code, "kind": c.kind, "title": text(c, "title"),
             "max_points": str(c.max_points) if c.max_points is not None else None, "weight": str(c.weight),
             "min_points": str(c.min_points) if c.min_points is not None else None}
            for c in call.criteria.all()
        ],
        "checklist": [text(i, "text") for i in call.checklist.all()],
        "min_total": str(call.min_total),
        "evaluators_per_application": call.evaluators_per_application,
        "divergence_share": str(call.divergence_share) if call.divergence_share is not None else None,
        "aggregation": call.aggregation,
        "tie_breaks": call.tie_breaks,
        "budget_variant": call.budget_variant,
        "max_raise": str(call.max_raise) if call.max_raise is not None else None,
        "reserve_valid_days": call.reserve_valid_days,
        "appeal_days": call.appeal_days,
        "received_list_days": call.received_list_days,
    }


@transaction.atomic
def call_publish(*, actor: User | None, call: Call, now: datetime | None = None) -> Call:
    """Validate completeness, freeze every rule into the snapshot, publish and announce.

    The announcement to the LAG's confirmed subscribers is queued in the outbox in this transaction;
    its links point at ``SOPELI_SITE_URL``.
    """
    call = _locked(call)
    move = workflow.transition(workflow.CALL_TRANSITIONS, call.status, "publish")
    problems = call_problems(call, now=now)
    if problems:
        raise ValidationError(problems, code="incomplete")
    call.snapshot = call_snapshot(call)
    call.status = move.target
    call.published_at = now or timezone.now()
    call.published_by = actor
    call.save(update_fields=["snapshot", "status", "published_at", "published_by", "updated_at"])
    CallCounter.objects.get_or_create(call=call)  # reference numbers start here (services.applications)
    audit_record(
        actor=actor, lag=call.lag, action="grants.call_publish", target=call, public=True,
        summary=f"Call {call.code} published",
        data={"call": call.pk, "code": call.code, "title": call.snapshot["title"],
              "closes_at": call.snapshot["closes_at"], "measures": call.snapshot["measures"]},
    )
    from sopeli.grants import notify

    notify.call_published(call)
    return call


# --- amendments ----------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


@transaction.atomic
def call_amend(
    *,
    actor: User | None,
    call: Call,
    reason_ka: str,
    reason_en: str = "",
    changes: dict[str, Any] | None = None,
    budgets: dict[int, Decimal] | None = None,
    now: datetime | None = None,
) -> CallAmendment:
    """Change a published call with a public reason; the deadline may only move later.

    ``changes``: field → new value (only ``AMENDABLE_FIELDS``); ``budgets``: CallMeasure id → new
    budget (a measure budget may rise or fall, but not below what it has already funded — checked
    by the selection module once selections exist).
    """
    now = now or timezone.now()
    call = _locked(call)
    if call.status == CallStatus.DRAFT:
        raise ValidationError(_("A draft call is edited directly; amendments are for published calls."))
    if call.status == CallStatus.RESULTS_PUBLISHED:
        raise ValidationError(_("The results of this call are published; it can no longer be amended."))
    if not (reason_ka or "").strip():
        raise ValidationError({"reason_ka": _("Give the reason for the amendment.")})
    changes = changes or {}
    budgets = budgets or {}
    unknown = sorted(set(changes) - set(AMENDABLE_FIELDS))
    if unknown:
        raise ValidationError(_("These rules are frozen and cannot be amended: %(fields)s") % {"fields": ", ".join(unknown)})
    recorded = []
    for name, value in changes.items():
        before = getattr(call, name)
        if before == value:
            continue
        if name in ("closes_at", "ideas_close_at"):
            if value is None or (before is not None and value < before):
                raise ValidationError(_("A deadline can only be extended, never brought forward."))
            if value <= now:
                raise ValidationError(_("The new deadline must be in the future."))
            if value.microsecond:
                raise ValidationError(_("A deadline is a whole second."))
        label = str(Call._meta.get_field(name).verbose_name)
        recorded.append({"field": name, "label": label, "before": _show(before), "after": _show(value)})
        setattr(call, name, value)
    for cm in CallMeasure.objects.filter(call=call, pk__in=list(budgets)).select_related("measure"):
        value = budgets[cm.pk]
        if value is None or value < 0:
            raise ValidationError(_("The budget cannot be negative."))
        if value != cm.budget:
            recorded.append({"field": f"budget:{cm.measure.code}", "label": str(_("Budget of measure %(code)s") % {"code": cm.measure.code}),
                             "before": str(cm.budget), "after": str(value)})
            cm.budget = value
            cm.save(update_fields=["budget"])
    if not recorded:
        raise ValidationError(_("Nothing was changed."))
    if call.status == CallStatus.CLOSED and any(r["field"] == "closes_at" for r in recorded):
        call.status = CallStatus.PUBLISHED  # the deadline was extended: the call reopens
        call.closed_at = None
    _save(call, exclude=("strategy_version", "lag", "created_by", "published_by"))
    number = (call.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = CallAmendment.objects.create(
        call=call, number=number, reason_ka=reason_ka, reason_en=reason_en or "", changes=recorded, made_by=actor,
    )
    audit_record(
        actor=actor, lag=call.lag, action="grants.call_amend", target=call, public=True,
        summary=f"Call {call.code} amended (#{number})",
        data={"call": call.pk, "code": call.code, "amendment": number, "reason": reason_ka, "changes": recorded},
    )
    return amendment


# --- closing -------------------------------------------------------------------------------------

# A submission is judged at its arrival (``sopeli.core.arrival``), so one that arrived in the deadline
# second can still be in progress a moment later (waiting for a server thread or the numbering lock).
# The call is closed, and its received list published, only once this much has passed after the
# deadline: the counts they make public then include every on-time submission, and an on-time request
# never meets a call that is no longer open.
CLOSING_GRACE = timedelta(minutes=2)  # > sopeli.core.arrival.MAX_PROXY_AGE


def closable(call: Call, now: datetime) -> bool:
    """Whether every submission that arrived on time has surely been recorded (see ``CLOSING_GRACE``)."""
    return not rules.is_on_time(now - CLOSING_GRACE, call.closes_at)


def ensure_closable(call: Call, now: datetime) -> None:
    if rules.is_on_time(now, call.closes_at):
        raise ValidationError(_("The deadline has not passed yet."), code="open")
    if not closable(call, now):
        raise ValidationError(
            _("Applications that arrived before the deadline may still be being recorded: try again after %(when)s.")
            % {"when": timezone.localtime(call.closes_at + CLOSING_GRACE).strftime("%H:%M:%S")},
            code="grace",
        )


@transaction.atomic
def call_close(*, actor: User | None, call: Call, now: datetime | None = None) -> Call:
    """Close a published call once its deadline has passed (by a manager or the ``grants_due`` command)."""
    now = now or timezone.now()
    call = _locked(call)
    move = workflow.transition(workflow.CALL_TRANSITIONS, call.status, "close")
    ensure_closable(call, now)
    call.status = move.target
    call.closed_at = now
    call.save(update_fields=["status", "closed_at", "updated_at"])
    count = call.applications.exclude(status__in=["draft", "withdrawn"]).count()
    audit_record(actor=actor, lag=call.lag, action="grants.call_close", target=call, public=True,
                 summary=f"Call {call.code} closed with {count} applications",
                 data={"call": call.pk, "code": call.code, "applications": count})
    return call


@transaction.atomic
def call_save_draft(
    *,
    actor: User | None,
    lag: Lag,
    call: Call | None,
    data: dict[str, Any],
    budgets: dict[int, Decimal | None],
    rates: dict[str, Decimal | None],
    settlements: list[Settlement],
) -> Call:
    """The manager's call form in one transaction: texts and rules, measure budgets, aid rates, villages."""
    call = call_create(actor=actor, lag=lag, data=data) if call is None else call_update(actor=actor, call=call, data=data)
    measures = {m.pk: m for m in Measure.objects.filter(version=call.strategy_version, pk__in=list(budgets))}
    for measure_id, budget in budgets.items():
        if measure_id not in measures:
            raise ValidationError(_("Choose a measure of the approved strategy this call runs under."))
        if budget is None:
            existing = CallMeasure.objects.filter(call=call, measure_id=measure_id).first()
            if existing is not None:
                call_measure_remove(actor=actor, call=call, call_measure=existing)
        else:
            call_measure_set(actor=actor, call=call, measure=measures[measure_id], budget=budget)
    call_aid_rates_set(actor=actor, call=call, rates=rates)
    call_settlements_set(actor=actor, call=call, settlements=settlements)
    return call
