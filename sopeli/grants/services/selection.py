"""Ranking, the board's selection decision, results and the reserve list.

Decisions
---------
Ranking
    Each measure of the call is ranked on its own budget with the pure rules (``rules.rank``,
    ``rules.select_for_budget``) under the call's frozen tie-breaks and budget rule; ``border_partial``
    uses the call's minimum grant as the smallest partial grant worth offering. A run is stored as a
    ``Selection`` with one ``RankingResult`` per application (funded / reserve proposals with their
    rank, rejected with every shortfall, ineligible). A new run is allowed until the run is put to the
    board. The "what if" of other rules is ``selectors.selection.what_if`` and is never saved.
The board's decision
    Each proposed application (funded or reserve) is one agenda item of the board with
    ``is_selection=True``, at a meeting or by written procedure, so that members recuse **per
    application** and governance checks quorum, the 49% rule and the ≥50% non-public rule per item.
    Board members visibly linked to the applicant (same checks as for evaluators) are recused
    automatically with the reason; others declare their conflicts through governance as usual.
    The item links back through ``RankingResult.decision_item`` (migration 0002).
    Before the decision the board may lower a proposed grant with a reason (S3: 42,000 → 40,000);
    never raise it above the request, never to zero.
    ``selection_decide`` records the outcomes once every item is approved or rejected: an approved
    item gets its proposed outcome; a rejected one is "not funded" (reason: the board did not approve
    it) and the money it frees goes down the reserve list in rank order.
Results
    ``results_publish`` publishes every measure's decided selection: the funded projects with
    applicant, amount and score; the reserve list in order with its validity; counts of the rest.
    Applicants are e-mailed. Each applicant then sees their own sheets (``selectors.selection``);
    evaluators' names stay hidden unless the call's ``show_evaluator_names`` is set.
Reserve
    ``reserve_activate`` frees the grants of funded or reserve applications that have since been
    withdrawn, adds money that became free, and funds the reserve in rank order via
    ``rules.activate_reserve`` — only while the reserve list is valid (``reserve_valid_days`` from
    the decision). A grant the board lowered is treated as that project's full grant (it is not topped
    up); a partial grant from the budget rule is topped up first, as the rules say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from sopeli.accounts.models import User
from sopeli.core.audit import audit_record
from sopeli.governance import services as governance
from sopeli.governance.models import ItemStatus, Meeting
from sopeli.grants import rules, workflow
from sopeli.grants.models import (
    Application,
    AssignmentRound,
    Call,
    CallMeasure,
    Outcome,
    RankingResult,
    Score,
    ScoreSheet,
    Selection,
    Stage,
)
from sopeli.grants.services.calls import criteria_scheme
from sopeli.grants.services.evaluation import LinkIndex, final_score, link_reason
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.membership.models import Body, BodyKind

RANKED_STATUSES = (ApplicationStatus.SCORED, ApplicationStatus.FUNDED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED)


# --- inputs for the pure rules -------------------------------------------------------------------


def tie_breaks(call: Call, override_: list[dict] | None = None) -> tuple[rules.TieBreak, ...]:
    return tuple(rules.TieBreak(tb["kind"], tb.get("criterion")) for tb in (override_ if override_ is not None else call.tie_breaks or []))


@dataclass(frozen=True)
class MeasureInputs:
    applications: list[rules.Application]
    by_ref: dict[str, Application]
    finals: dict[str, Any]  # ref -> FinalScore | None
    waiting: int  # applications still being checked or scored


@dataclass(frozen=True)
class _SubmittedSheet:
    """What ``final_score`` reads of a submitted sheet: plain rows, not model instances, because
    ranking a big call reads tens of thousands of sheets and scores."""

    pk: int
    total: Decimal
    submitted_at: datetime
    score_list: list


@dataclass(frozen=True)
class _SheetScore:
    criterion_id: int
    points: Decimal | None
    passed: bool | None


def measure_inputs(call_measure: CallMeasure) -> MeasureInputs:
    """The measure's full applications as ``rules.Application`` (four queries whatever their number)."""
    call = call_measure.call
    ranked = (Application.objects.filter(measure=call_measure, stage=Stage.FULL, number__isnull=False)
              .exclude(status__in=(ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)))
    apps = list(ranked.defer("summary", "aid_check", "withdrawal_reason").order_by("number"))
    criteria = list(call.criteria.all())
    scheme = criteria_scheme(criteria, call.min_total)  # once for the call, not once per application
    counted = ScoreSheet.objects.filter(
        assignment__application__in=ranked.values("pk"), assignment__conflict_declared=False,
        assignment__round__in=(AssignmentRound.ORIGINAL, AssignmentRound.EXTRA), submitted_at__isnull=False)
    scores: dict[int, list] = {}
    for sheet_id, criterion_id, points, passed in (Score.objects.filter(sheet__in=counted.values("pk"))
                                                   .values_list("sheet_id", "criterion_id", "points", "passed")):
        scores.setdefault(sheet_id, []).append(_SheetScore(criterion_id, points, passed))
    sheets: dict[int, list] = {}
    for pk, app_id, total, submitted in (counted.order_by("assignment__assigned_at", "assignment_id")
                                         .values_list("pk", "assignment__application_id", "total", "submitted_at")):
        sheets.setdefault(app_id, []).append(_SubmittedSheet(pk, total, submitted, scores.get(pk, [])))
    inputs, by_ref, finals, waiting = [], {}, {}, 0
    for app in apps:
        app.call = call  # pages show the reference (the call's code): no query per application
        ref = f"{app.number:05d}"
        by_ref[ref] = app
        if app.status == ApplicationStatus.INELIGIBLE:
            inputs.append(rules.Application(ref, max(app.requested_grant, Decimal("0.01")), app.submitted_at, eligible=False))
            finals[ref] = None
            continue
        if app.status not in RANKED_STATUSES:
            waiting += 1
            continue
        final = final_score(call, criteria, sheets.get(app.pk, []), scheme=scheme)
        if final is None:
            waiting += 1
            continue
        finals[ref] = final
        meets = not any(s.kind != rules.ShortfallKind.BELOW_MINIMUM_TOTAL for s in final.assessment.shortfalls)
        inputs.append(rules.Application(ref, app.requested_grant, app.submitted_at, score=final.total,
                                        meets_criteria=meets, criterion_points=final.points))
    return MeasureInputs(inputs, by_ref, finals, waiting)


def compute(call_measure: CallMeasure, *, variant: str | None = None, tie_break_list: list[dict] | None = None,
            max_raise: Decimal | None = None, budget: Decimal | None = None, inputs: MeasureInputs | None = None
            ) -> tuple[rules.Selection, MeasureInputs]:
    """The ranking and budget selection under the call's rules (or others given for a "what if")."""
    call = call_measure.call
    inputs = inputs or measure_inputs(call_measure)
    ranking = rules.rank(inputs.applications, min_score=call.min_total, tie_breaks=tie_breaks(call, tie_break_list))
    chosen = variant or call.budget_variant
    result = rules.select_for_budget(
        ranking, budget=budget if budget is not None else call_measure.budget, variant=chosen,
        max_raise=max_raise if max_raise is not None else (call.max_raise if chosen == rules.BudgetVariant.BORDER_RAISE else None),
        min_partial=(call.min_grant or None) if chosen == rules.BudgetVariant.BORDER_PARTIAL else None,
    )
    return result, inputs


def shortfall_text(shortfall: rules.Shortfall) -> str:
    if shortfall.kind is rules.ShortfallKind.FAILED_PASS_FAIL:
        return _("Criterion %(code)s is not met.") % {"code": shortfall.criterion}
    if shortfall.kind is rules.ShortfallKind.BELOW_CRITERION_MINIMUM:
        return _("Criterion %(code)s: %(value)s points, at least %(required)s are needed.") % {
            "code": shortfall.criterion, "value": shortfall.value, "required": shortfall.required}
    return _("Total score %(value)s, at least %(required)s are needed.") % {"value": shortfall.value, "required": shortfall.required}


# --- a ranking run -------------------------------------------------------------------------------


def _latest(call_measure: CallMeasure) -> Selection | None:
    return Selection.objects.filter(call_measure=call_measure).order_by("-run").first()


@transaction.atomic
def selection_compute(*, actor: User | None, call_measure: CallMeasure, now: datetime | None = None) -> Selection:
    """Rank the measure under the call's rules and store the proposal (a new run)."""
    call = Call.objects.select_for_update().get(pk=call_measure.call_id)
    if call.status != CallStatus.EVALUATED:
        raise ValidationError(_("The ranking is computed once the evaluation is finished."))
    latest = _latest(call_measure)
    if latest is not None and latest.decision_item_id:
        raise ValidationError(_("This ranking has been put to the board; it can no longer be recomputed."))
    try:
        result, inputs = compute(call_measure)
    except ValueError as exc:
        raise ValidationError(_("The ranking cannot be computed: %(reason)s") % {"reason": exc}) from None
    if inputs.waiting:
        raise ValidationError(_("%(n)s applications are still being checked or scored.") % {"n": inputs.waiting})
    run = (Selection.objects.filter(call_measure=call_measure).aggregate(m=Max("run"))["m"] or 0) + 1
    selection = Selection.objects.create(
        call=call, call_measure=call_measure, run=run, budget=result.budget, allocation_raise=result.allocation_raise,
        total_funded=result.total_funded, computed_by=actor,
        rules_used={"min_score": str(call.min_total), "tie_breaks": call.tie_breaks or [], "variant": call.budget_variant,
                    "max_raise": str(call.max_raise) if call.max_raise is not None else None,
                    "min_partial": str(call.min_grant) if call.budget_variant == rules.BudgetVariant.BORDER_PARTIAL else None,
                    "budget": str(result.budget), "aggregation": call.aggregation,
                    "divergence_share": str(call.divergence_share) if call.divergence_share is not None else None},
    )
    rows = []
    awards = {a.ref: a for a in result.funded}
    reserve_pos = {ref: i for i, ref in enumerate(result.reserve_refs, 1)}
    for position, app in enumerate(result.ranked, 1):
        award = awards.get(app.ref)
        rows.append(RankingResult(
            selection=selection, application=inputs.by_ref[app.ref], rank=position, score=app.score,
            outcome=Outcome.FUNDED if award else Outcome.RESERVE, requested=app.requested,
            proposed_amount=award.amount if award else None, partial=bool(award and award.partial),
            reserve_position=reserve_pos.get(app.ref),
        ))
    for app in result.rejected:
        final = inputs.finals[app.ref]
        rows.append(RankingResult(
            selection=selection, application=inputs.by_ref[app.ref], score=app.score, outcome=Outcome.REJECTED,
            requested=app.requested, shortfalls=[_shortfall_json(s) for s in final.assessment.shortfalls],
        ))
    for app in result.ineligible:
        rows.append(RankingResult(selection=selection, application=inputs.by_ref[app.ref], outcome=Outcome.INELIGIBLE,
                                  requested=inputs.by_ref[app.ref].requested_grant))
    RankingResult.objects.bulk_create(rows)
    audit_record(actor=actor, lag=call.lag, action="grants.selection_compute", target=call,
                 summary=f"Call {call.code}, measure {call_measure.measure.code}: ranking run {run}",
                 data={"call": call.pk, "measure": call_measure.pk, "selection": selection.pk, "run": run,
                       "funded": list(result.funded_refs), "reserve": list(result.reserve_refs),
                       "total_funded": str(result.total_funded), "raise": str(result.allocation_raise)})
    return selection


def _shortfall_json(s: rules.Shortfall) -> dict[str, Any]:
    return {"kind": str(s.kind), "criterion": s.criterion,
            "value": str(s.value) if s.value is not None else None,
            "required": str(s.required) if s.required is not None else None}


def shortfall_from_json(data: dict[str, Any]) -> str:
    return shortfall_text(rules.Shortfall(
        rules.ShortfallKind(data["kind"]), data.get("criterion"),
        Decimal(data["value"]) if data.get("value") is not None else None,
        Decimal(data["required"]) if data.get("required") is not None else None,
    ))


def _undecided(selection: Selection) -> Selection:
    selection = Selection.objects.select_for_update(of=("self",)).select_related("call__lag", "call_measure__measure").get(pk=selection.pk)
    if selection.decided_at:
        raise ValidationError(_("The board has already decided on this ranking."))
    return selection


@transaction.atomic
def selection_fix_amount(*, actor: User | None, result: RankingResult, amount: Any, reason: str) -> RankingResult:
    """The board lowers a proposed grant, with a reason (before recording the decision)."""
    selection = _undecided(result.selection)
    result = RankingResult.objects.select_for_update(of=("self",)).select_related("application").get(pk=result.pk, selection=selection)
    if result.outcome not in (Outcome.FUNDED, Outcome.RESERVE):
        raise ValidationError(_("Only the grant of a proposed or reserve project can be fixed."))
    try:
        value = Decimal(str(amount).strip().replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter the grant as an amount in GEL, e.g. 40000.")) from None
    if not value.is_finite() or rules.q2(value) != value:
        raise ValidationError(_("Enter the grant as an amount in GEL with at most two decimal places."))
    if value <= 0 or value > result.requested:
        raise ValidationError(_("The grant must be more than 0 and at most the amount requested (%(max)s GEL).")
                              % {"max": result.requested})
    call = selection.call
    if value > call.max_grant:
        raise ValidationError(_("The grant cannot exceed the call's maximum grant (%(max)s GEL).") % {"max": call.max_grant})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for changing the amount."))
    before = result.awarded_amount or result.proposed_amount or result.requested
    result.awarded_amount, result.amount_reason = value, reason[:2000]
    result.save(update_fields=["awarded_amount", "amount_reason"])
    audit_record(actor=actor, lag=call.lag, action="grants.amount_fixed", target=result.application,
                 summary=f"Application {result.application.reference}: grant {before} → {value}",
                 data={"selection": selection.pk, "application": result.application_id, "before": str(before),
                       "after": str(value), "reason": reason[:300]})
    return result


def board_of(lag) -> Body:
    body = Body.objects.filter(lag=lag, kind=BodyKind.BOARD).order_by("pk").first()
    if body is None:
        raise ValidationError(_("The LAG has no board to decide on the selection."))
    return body


def money_text(amount: Decimal) -> str:
    """An amount as the pages show it (``intcomma`` in the active language: 20,000.00 / 20 000.00)."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    return intcomma(amount)


def item_title(result: RankingResult, lang: str) -> str:
    """The board item's title in ``lang``: the project and what the board approves for it. The item's
    number is the application's reference already, so the title does not repeat it."""
    with override(lang):
        if result.outcome == Outcome.FUNDED:
            what = _("fund with %(amount)s GEL") % {"amount": money_text(result.proposed_amount)}
        else:
            what = _("reserve list, position %(n)s") % {"n": result.reserve_position}
        return f"{result.application.title}: {what}"


def item_description(result: RankingResult, lang: str) -> str:
    with override(lang):
        return _("Rank %(rank)s, score %(score)s, requested %(requested)s GEL.") % {
            "rank": result.rank, "score": result.score, "requested": money_text(result.requested)}


@transaction.atomic
def selection_to_board(*, actor: User | None, selection: Selection, meeting: Meeting | None = None,
                       closes_at: datetime | None = None, now: datetime | None = None) -> list:
    """Put the proposal to the board: one selection item per proposed application, at ``meeting`` or in writing."""
    selection = _undecided(selection)
    if selection.decision_item_id:
        raise ValidationError(_("This ranking has already been put to the board."))
    latest = _latest(selection.call_measure)
    if latest.pk != selection.pk:
        raise ValidationError(_("Only the latest ranking can be put to the board."))
    call = selection.call
    if (meeting is None) == (closes_at is None):
        raise ValidationError(_("Choose a meeting of the board, or a deadline for a written procedure."))
    if meeting is not None and meeting.lag_id != call.lag_id:
        raise ValidationError(_("Choose one of this LAG's meetings."))
    body = meeting.body if meeting is not None else board_of(call.lag)
    if body.kind != BodyKind.BOARD:
        raise ValidationError(_("The selection is decided by the board."))
    results = list(selection.results.filter(outcome__in=(Outcome.FUNDED, Outcome.RESERVE))
                   .select_related("application__call").order_by("rank"))
    if not results:
        raise ValidationError(_("Nothing to decide: no application reaches the threshold."))
    from sopeli.membership.selectors import seat_holders

    seats = list(seat_holders(body))
    index = LinkIndex.load(call.lag_id, {m.user_id for m in seats if m.user_id} | {r.application.applicant_id for r in results})
    items = []
    for r in results:
        app = r.application
        kwargs = {"code": app.reference[:20], "title_ka": item_title(r, "ka"), "title_en": item_title(r, "en"),
                  "description_ka": item_description(r, "ka"), "description_en": item_description(r, "en"),
                  "is_selection": True}
        if meeting is not None:
            item = governance.item_add(actor=actor, meeting=meeting, **kwargs)
        else:
            item = governance.procedure_open(actor=actor, lag=call.lag, body=body, closes_at=closes_at, now=now, **kwargs)
        for member in seats:
            reason = _member_link(index, member, app)
            if reason:
                governance.conflict_declare(actor=actor, item=item, member=member, reason=reason, now=now)
        r.decision_item = item
        r.save(update_fields=["decision_item"])
        items.append(item)
    selection.decision_item = items[0]
    selection.save(update_fields=["decision_item"])
    audit_record(actor=actor, lag=call.lag, action="grants.selection_to_board", target=call, public=True,
                 summary=f"Call {call.code}, measure {selection.call_measure.measure.code}: proposal put to the board",
                 data={"call": call.pk, "selection": selection.pk, "items": [i.pk for i in items],
                       "procedure": "meeting" if meeting else "written"})
    return items


def _member_link(index: LinkIndex, member, app: Application) -> str:
    from sopeli.grants.services.evaluation import applicant_names, fold

    if member.user_id:
        reason = link_reason(index, member.user_id, app)
        if reason:
            return _("Linked to the applicant: %(why)s") % {"why": reason}
    if fold(member.name) in applicant_names(app):
        return _("Linked to the applicant: the member is the applicant or a partner")
    return ""


# --- the decision --------------------------------------------------------------------------------


def _set_status(app: Application, action: str, *, now: datetime, **fields) -> None:
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, action)
    app.status, app.status_changed_at = move.target, now
    for k, v in fields.items():
        setattr(app, k, v)
    app.save(update_fields=["status", "status_changed_at", "updated_at", *fields])


@transaction.atomic
def selection_decide(*, actor: User | None, selection: Selection, now: datetime | None = None) -> Selection:
    """Record the board's decision once every selection item is approved or rejected."""
    now = now or timezone.now()
    selection = _undecided(selection)
    if not selection.decision_item_id:
        raise ValidationError(_("Put the ranking to the board first."))
    results = list(selection.results.select_related("application__lag", "application__call", "decision_item").order_by("rank", "id"))
    open_items = [r.decision_item.code for r in results if r.decision_item_id
                  and r.decision_item.status not in (ItemStatus.APPROVED, ItemStatus.REJECTED)]
    if open_items:
        raise ValidationError(_("The board has not decided yet on: %(codes)s.") % {"codes": ", ".join(open_items)})
    not_approved, withdrawn_now = [], False
    for r in results:
        app = r.application
        if r.outcome == Outcome.INELIGIBLE or app.status == ApplicationStatus.WITHDRAWN:
            withdrawn_now = withdrawn_now or app.status == ApplicationStatus.WITHDRAWN
            continue  # a proposal withdrawn meanwhile leaves through the reserve activation below
        if r.outcome == Outcome.REJECTED:
            _set_status(app, "reject", now=now, decided_at=now)
            continue
        if r.decision_item.status == ItemStatus.REJECTED:
            not_approved.append(r)
            r.outcome = Outcome.REJECTED
            r.amount_reason = r.amount_reason or _("The board did not approve it.")
            r.awarded_amount = None
            r.save(update_fields=["outcome", "amount_reason", "awarded_amount"])
            _set_status(app, "reject", now=now, decided_at=now)
            continue
        if r.outcome == Outcome.FUNDED:
            amount = r.awarded_amount or r.proposed_amount
            r.awarded_amount = amount
            r.save(update_fields=["awarded_amount"])
            _set_status(app, "fund", now=now, decided_at=now, awarded_grant=amount)
        else:
            _set_status(app, "reserve", now=now, decided_at=now)
    selection.decided_at = now
    selection.total_funded = sum((r.awarded_amount or Decimal(0) for r in results if r.outcome == Outcome.FUNDED), Decimal("0.00"))
    selection.save(update_fields=["decided_at", "total_funded"])
    activated: list[str] = []
    if not_approved or withdrawn_now:
        activated = _activate(selection, actor=actor, now=now, extra_gone=[r.application_id for r in not_approved])
    audit_record(actor=actor, lag=selection.call.lag, action="grants.selection_decide", target=selection.call, public=True,
                 summary=f"Call {selection.call.code}, measure {selection.call_measure.measure.code}: selection decided",
                 data={"call": selection.call_id, "selection": selection.pk, "total_funded": str(selection.total_funded),
                       "not_approved": [r.application.reference for r in not_approved], "activated": activated})
    return selection


# --- reserve -------------------------------------------------------------------------------------


def reserve_valid_until(selection: Selection) -> datetime | None:
    if not selection.decided_at:
        return None
    return selection.decided_at + timedelta(days=selection.call.reserve_valid_days)


def _rules_selection(selection: Selection, results: list[RankingResult], leaving_ids: set[int]
                     ) -> tuple[rules.Selection, dict[str, RankingResult]]:
    """The stored selection as the pure rules see it.

    A grant the board lowered counts as the project's full grant (never topped up); ``leaving_ids``
    are applications leaving now (withdrawn, or not approved by the board), still in their proposed place.
    """
    used = selection.rules_used or {}
    min_partial = Decimal(used["min_partial"]) if used.get("min_partial") else None
    policy = rules.BudgetPolicy(
        used.get("variant") or selection.call.budget_variant,
        Decimal(used["max_raise"]) if used.get("max_raise") else None,
        min_partial if min_partial and min_partial > 0 else None,
    )
    ranked, funded, reserve, out, by_ref = [], [], [], [], {}
    for r in sorted((r for r in results if r.rank is not None), key=lambda r: r.rank):
        ref = f"{r.application.number:05d}"
        by_ref[ref] = r
        leaving = r.application_id in leaving_ids
        was_funded = r.outcome == Outcome.FUNDED or (leaving and r.outcome == Outcome.REJECTED and r.proposed_amount is not None)
        was_reserve = r.outcome == Outcome.RESERVE or (leaving and r.outcome == Outcome.REJECTED and r.proposed_amount is None)
        amount = r.awarded_amount or r.proposed_amount
        lowered = was_funded and r.awarded_amount is not None and not r.partial and r.awarded_amount < r.requested
        app = rules.Application(ref, r.awarded_amount if lowered else r.requested, r.application.submitted_at, score=r.score)
        ranked.append(app)
        if was_funded:
            funded.append(rules.Award(app, amount))
        elif was_reserve:
            reserve.append(app)
        else:
            out.append(app)  # withdrawn or not approved earlier: out of the running
    state = rules.Selection(
        policy=policy, budget=selection.budget, added_money=selection.added_money, allocation_raise=selection.allocation_raise,
        ranked=tuple(ranked), funded=tuple(funded), reserve=tuple(reserve), rejected=(), ineligible=(), withdrawn=tuple(out),
    )
    return state, by_ref


def _activate(selection: Selection, *, actor, now: datetime, added_money: Decimal = Decimal(0),
              extra_gone: list[int] = ()) -> list[str]:
    results = list(selection.results.select_related("application__call").order_by("rank", "id"))
    leaving_ids = {r.application_id for r in results if r.rank is not None
                   and r.application.status == ApplicationStatus.WITHDRAWN
                   and r.outcome in (Outcome.FUNDED, Outcome.RESERVE)} | set(extra_gone)
    state, by_ref = _rules_selection(selection, results, leaving_ids)
    leaving = [ref for ref, r in by_ref.items() if r.application_id in leaving_ids]
    after = rules.activate_reserve(state, withdrawn=leaving, added_money=added_money)
    amounts = {a.ref: a.amount for a in after.funded}
    for ref in leaving:
        r = by_ref[ref]
        if r.application.status == ApplicationStatus.WITHDRAWN:
            r.outcome = Outcome.WITHDRAWN
            r.reserve_position = None
            r.save(update_fields=["outcome", "reserve_position"])
    activated = []
    for ref in after.activated:
        r = by_ref[ref]
        app = r.application
        was_reserve = r.outcome == Outcome.RESERVE
        r.outcome, r.awarded_amount, r.reserve_position = Outcome.FUNDED, amounts[ref], None
        r.partial = amounts[ref] < r.requested
        r.save(update_fields=["outcome", "awarded_amount", "partial", "reserve_position"])
        if was_reserve and app.status == ApplicationStatus.RESERVE:
            _set_status(app, "activate_reserve", now=now, awarded_grant=amounts[ref])
        elif app.status == ApplicationStatus.FUNDED:
            app.awarded_grant = amounts[ref]
            app.save(update_fields=["awarded_grant", "updated_at"])
        activated.append(app.reference)
    positions = {ref: i for i, ref in enumerate(after.reserve_refs, 1)}
    for ref, r in by_ref.items():
        if r.outcome == Outcome.RESERVE and r.reserve_position != positions.get(ref):
            r.reserve_position = positions.get(ref)
            r.save(update_fields=["reserve_position"])
    selection.added_money = after.added_money
    selection.allocation_raise = after.allocation_raise
    selection.total_funded = after.total_funded
    selection.save(update_fields=["added_money", "allocation_raise", "total_funded"])
    if activated:
        ids = [by_ref[ref].application_id for ref in after.activated]
        _tell_outcomes(ids)
    return activated


def decided_selection(call_measure_id: int, *, lock: bool = False) -> Selection | None:
    """The measure's latest decided selection; ``lock``: locked for update (the grants lock order puts
    the selection before any application, see the package README)."""
    qs = Selection.objects.filter(call_measure_id=call_measure_id, decided_at__isnull=False).order_by("-run")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.select_related("call__lag", "call_measure__measure").first()


def _activate_and_record(selection: Selection, *, actor, now: datetime, added_money: Decimal = Decimal(0),
                         withdrawn: Application | None = None) -> list[str]:
    activated = _activate(selection, actor=actor, now=now, added_money=added_money)
    call = selection.call
    why = f" after {withdrawn.reference} withdrew" if withdrawn is not None else ""
    audit_record(actor=actor, lag=call.lag, action="grants.reserve_activate", target=call, public=True,
                 summary=f"Call {call.code}, measure {selection.call_measure.measure.code}: reserve list activated{why}"
                 + (f" ({', '.join(activated)})" if activated else " (nothing fits)"),
                 data={"call": call.pk, "selection": selection.pk, "added_money": str(added_money), "funded": activated,
                       "total_funded": str(selection.total_funded),
                       "withdrawn": withdrawn.reference if withdrawn is not None else None})
    return activated


@transaction.atomic
def reserve_activate(*, actor: User | None, call_measure: CallMeasure, added_money: Any = 0,
                     now: datetime | None = None) -> list[str]:
    """Fund the reserve in rank order with the money freed by withdrawals (and ``added_money``).

    Returns the references funded or topped up (empty when nothing fits).
    """
    now = now or timezone.now()
    selection = decided_selection(call_measure.pk, lock=True)
    if selection is None:
        raise ValidationError(_("The board has not decided on this measure yet."))
    try:
        money = Decimal(str(added_money or 0).strip().replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter the money added as an amount in GEL.")) from None
    if not money.is_finite() or money < 0 or rules.q2(money) != money:
        raise ValidationError(_("Enter the money added as an amount in GEL, not negative, at most two decimal places."))
    until = reserve_valid_until(selection)
    if now > until:
        raise ValidationError(_("The reserve list was valid until %(when)s.") % {
            "when": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")})
    return _activate_and_record(selection, actor=actor, now=now, added_money=money)


def application_left(*, actor, selection: Selection, application: Application, now: datetime) -> list[str]:
    """``application``, funded or on the reserve of ``selection``, was withdrawn in the caller's transaction.

    The caller holds the selection's lock (taken before the application's). While the reserve list is
    valid, the money it frees goes down the reserve list in rank order at once, by the same walk as
    ``reserve_activate`` (and a reserve project leaving moves the others up); once the list has
    expired nobody moves up and the results only record the withdrawal. Returns the references funded.
    """
    if now <= reserve_valid_until(selection):
        return _activate_and_record(selection, actor=actor, now=now, withdrawn=application)
    result = RankingResult.objects.filter(selection=selection, application=application,
                                          outcome__in=(Outcome.FUNDED, Outcome.RESERVE)).first()
    if result is not None:
        result.outcome, result.reserve_position = Outcome.WITHDRAWN, None
        result.save(update_fields=["outcome", "reserve_position"])
        selection.total_funded = (selection.results.filter(outcome=Outcome.FUNDED).aggregate(s=Sum("awarded_amount"))["s"]
                                  or Decimal("0.00"))
        selection.save(update_fields=["total_funded"])
    return []


# --- results -------------------------------------------------------------------------------------


def decided_selections(call: Call) -> list[Selection]:
    latest: dict[int, Selection] = {}
    for s in Selection.objects.filter(call=call).order_by("call_measure_id", "-run"):
        latest.setdefault(s.call_measure_id, s)
    return list(latest.values())


def results_facts(call: Call) -> dict[str, Any]:
    """The public facts of the results (what the ledger records)."""
    out = []
    for s in decided_selections(call):
        rows = list(s.results.select_related("application").order_by("rank", "id"))
        out.append({
            "measure": s.call_measure.measure.code,
            "funded": [{"reference": r.application.reference, "title": r.application.title, "applicant": r.application.applicant_name,
                        "score": str(r.score), "amount": str(r.awarded_amount)} for r in rows if r.outcome == Outcome.FUNDED],
            "reserve": [{"reference": r.application.reference, "title": r.application.title, "score": str(r.score),
                         "position": r.reserve_position} for r in rows if r.outcome == Outcome.RESERVE],
            "rejected": sum(1 for r in rows if r.outcome == Outcome.REJECTED),
            "ineligible": sum(1 for r in rows if r.outcome == Outcome.INELIGIBLE),
            "reserve_valid_until": reserve_valid_until(s).isoformat() if s.decided_at else None,
        })
    return {"call": call.pk, "code": call.code, "measures": out}


@transaction.atomic
def results_publish(*, actor: User | None, call: Call, now: datetime | None = None) -> Call:
    """Publish the decided results of every measure; applicants are told (e-mail) and see their scores."""
    now = now or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("lag").get(pk=call.pk)
    if call.results_published_at:
        return call
    selections = decided_selections(call)
    measures = list(call.call_measures.all())
    undecided = [m.measure.code for m in measures if not any(s.call_measure_id == m.pk and s.decided_at for s in selections)]
    if undecided:
        raise ValidationError(_("The board has not decided yet on measure(s): %(codes)s.") % {"codes": ", ".join(undecided)})
    move = workflow.transition(workflow.CALL_TRANSITIONS, call.status, "publish_results")
    call.status, call.results_published_at = move.target, now
    call.save(update_fields=["status", "results_published_at", "updated_at"])
    Selection.objects.filter(pk__in=[s.pk for s in selections]).update(published_at=now)
    facts = results_facts(call)
    audit_record(actor=actor, lag=call.lag, action="grants.results_publish", target=call, public=True,
                 summary=f"Call {call.code}: results published", data=facts)
    ids = list(RankingResult.objects.filter(selection__in=selections).values_list("application_id", flat=True))
    _tell_outcomes(ids)
    return call


def _tell_outcomes(application_ids: list[int]) -> None:
    """Tell each applicant the result for their application (in this transaction)."""
    from sopeli.grants import notify

    notify.application_results(
        Application.objects.filter(pk__in=application_ids).select_related("call", "lag", "applicant").order_by("pk"))
