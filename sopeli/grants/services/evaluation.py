"""Evaluation: the evaluator pool, balanced assignment, independence, score sheets, divergence.

Decisions
---------
Pool
    A call's pool holds users with the *evaluator* or *board* role in the LAG (a LAG whose board
    scores adds its board members; an outside expert is given the evaluator role first and is marked
    ``is_external``). ``pool_fill`` adds every holder of the chosen roles at once.
Assignment
    ``evaluation_assign`` gives each eligible application ``call.evaluators_per_application``
    evaluators who have not declared a conflict on it and are not linked to the applicant, choosing
    the least-loaded evaluator of the call each time (ties by user id: the same data always gives the
    same assignment). It also adds the extra evaluator of the divergence rule where one is missing.
    It may be run again: it only fills gaps (after a conflict, or after the pool grows).
Linked to the applicant (never assigned) — what the data lets us check
    1. the evaluator *is* the applicant (same user);
    2. the evaluator's name is the applicant's name, or one of the named partners (one per line);
    3. a LAG member record of the evaluator (``Member.user``) has the applicant's name or a partner's
       name (the evaluator represents the applicant organisation or a partner);
    4. the evaluator and the applicant are both linked to the same member record (one organisation).
    Names are compared after folding case and spaces. Family and business links cannot be seen in the
    data: the evaluator declares them (``assignment_declare``), and is then replaced automatically.
Independence
    An evaluator sees an application's content only after declaring independence for it; declaring a
    conflict (with a reason) ends the assignment and another evaluator is assigned at once.
Score sheets
    Points per scored criterion (0..max, two places) and met / not met per pass/fail criterion, each
    with a written justification (required on submission, not for a draft). Submitting locks the
    sheet; a repeated submission (double click, retry) changes nothing. Unsubmitted sheets are read by
    their author only: every selector that shows scores to anyone else filters ``submitted_at``.
Divergence and aggregation
    When the first two submitted totals diverge under the call's rule (``rules.needs_extra_evaluator``),
    an extra evaluator is assigned automatically. The final score follows the call's aggregation
    (``rules.aggregate_scores``); per-criterion points are the mean over the sheets used
    (``rules.mean_points``); a pass/fail criterion is met when more than half of the sheets used say so.
    When every sheet needed is in, the application moves to *scored*.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.accounts.models import Role, RoleGrant, User
from sopeli.core.audit import audit_record
from sopeli.grants import rules, workflow
from sopeli.grants.models import (
    Application,
    Assignment,
    AssignmentRound,
    Call,
    Criterion,
    CriterionKind,
    EvaluatorPool,
    Score,
    ScoreSheet,
)
from sopeli.grants.services.calls import criteria_scheme
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.membership.models import Member
from sopeli.notifications.services import notify

POOL_ROLES = (Role.EVALUATOR, Role.BOARD)
# Applications that are (or are about to be) scored in the original evaluation.
EVALUATED_STATUSES = (ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_EVALUATION)
ORIGINAL_ROUNDS = (AssignmentRound.ORIGINAL, AssignmentRound.EXTRA)


# --- the pool ------------------------------------------------------------------------------------


def _ensure_published(call: Call) -> None:
    if call.status == CallStatus.DRAFT:
        raise ValidationError(_("The call is not published yet."))


@transaction.atomic
def pool_add(*, actor: User | None, call: Call, evaluator: User, is_external: bool = False) -> EvaluatorPool:
    """Add one user with the evaluator or board role in the call's LAG to its pool (idempotent)."""
    _ensure_published(call)
    if not RoleGrant.objects.filter(user=evaluator, lag_id=call.lag_id, role__in=POOL_ROLES).exists():
        raise ValidationError(_("Only people with the evaluator or board role in this LAG can evaluate."))
    row, created = EvaluatorPool.objects.get_or_create(
        call=call, evaluator=evaluator, defaults={"is_external": is_external, "added_by": actor}
    )
    if created:
        audit_record(actor=actor, lag=call.lag, action="grants.pool_add", target=call,
                     summary=f"Call {call.code}: evaluator added to the pool",
                     data={"call": call.pk, "evaluator": evaluator.pk, "external": is_external})
    return row


@transaction.atomic
def pool_fill(*, actor: User | None, call: Call, roles: Iterable[str] = (Role.EVALUATOR,)) -> int:
    """Add every holder of ``roles`` (evaluator, board) in the LAG to the pool; returns how many were added."""
    _ensure_published(call)
    roles = [r for r in roles if r in POOL_ROLES]
    if not roles:
        raise ValidationError(_("Choose evaluators, board members or both."))
    user_ids = set(RoleGrant.objects.filter(lag_id=call.lag_id, role__in=roles).values_list("user_id", flat=True))
    present = set(EvaluatorPool.objects.filter(call=call).values_list("evaluator_id", flat=True))
    new = sorted(user_ids - present)
    EvaluatorPool.objects.bulk_create([EvaluatorPool(call=call, evaluator_id=pk, added_by=actor) for pk in new])
    audit_record(actor=actor, lag=call.lag, action="grants.pool_fill", target=call,
                 summary=f"Call {call.code}: {len(new)} evaluators added to the pool",
                 data={"call": call.pk, "roles": [str(r) for r in roles], "added": new})
    return len(new)


@transaction.atomic
def pool_remove(*, actor: User | None, call: Call, evaluator: User) -> None:
    """Take someone out of the pool; their unscored assignments go to others at the next assignment."""
    row = EvaluatorPool.objects.filter(call=call, evaluator=evaluator).first()
    if row is None:
        return
    if Assignment.objects.filter(application__call=call, evaluator=evaluator, sheet__submitted_at__isnull=False).exists():
        raise ValidationError(_("This evaluator has submitted scores in this call and stays in its pool."))
    open_ids = list(Assignment.objects.filter(application__call=call, evaluator=evaluator).values_list("pk", flat=True))
    Assignment.objects.filter(pk__in=open_ids).delete()
    row.delete()
    audit_record(actor=actor, lag=call.lag, action="grants.pool_remove", target=call,
                 summary=f"Call {call.code}: evaluator removed from the pool",
                 data={"call": call.pk, "evaluator": evaluator.pk, "assignments_removed": open_ids})


# --- links between an evaluator and an applicant -----------------------------------------------


def fold(name: str) -> str:
    """Compare names without case and spacing differences (casefold, never upper-case)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def applicant_names(app: Application) -> set[str]:
    names = {fold(app.applicant_name)} | {fold(line) for line in (app.partners or "").splitlines()}
    return {n for n in names if n}


@dataclass
class LinkIndex:
    """Member records by user, loaded once per assignment run (two queries whatever the size)."""

    member_names: dict[int, set[str]]
    member_ids: dict[int, set[int]]
    full_names: dict[int, str]

    @classmethod
    def load(cls, lag_id: int, user_ids: Iterable[int]) -> LinkIndex:
        ids = set(user_ids)
        names: dict[int, set[str]] = {}
        members: dict[int, set[int]] = {}
        for user_id, member_id, name in Member.objects.filter(lag_id=lag_id, user_id__in=ids).values_list("user_id", "pk", "name"):
            names.setdefault(user_id, set()).add(fold(name))
            members.setdefault(user_id, set()).add(member_id)
        full = dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))
        return cls(names, members, {k: fold(v) for k, v in full.items()})


def link_reason(index: LinkIndex, evaluator_id: int, app: Application) -> str:
    """Why ``evaluator_id`` is linked to the applicant (empty when no link is visible in the data)."""
    if evaluator_id == app.applicant_id:
        return _("the evaluator is the applicant")
    names = applicant_names(app)
    if index.full_names.get(evaluator_id) and index.full_names[evaluator_id] in names:
        return _("the evaluator is named as the applicant or a partner")
    if index.member_names.get(evaluator_id, set()) & names:
        return _("the evaluator represents the applicant organisation or a partner")
    if index.member_ids.get(evaluator_id, set()) & index.member_ids.get(app.applicant_id, set()):
        return _("the evaluator and the applicant act for the same member organisation")
    return ""


# --- assignment ----------------------------------------------------------------------------------


def _load(call: Call) -> Counter:
    """Assignments per evaluator in the call that still count (not ended by a conflict)."""
    return Counter(
        Assignment.objects.filter(application__call=call, conflict_declared=False).values_list("evaluator_id", flat=True)
    )


def _pick(app: Application, pool: list[int], load: Counter, taken: set[int], index: LinkIndex) -> int | None:
    candidates = [pk for pk in pool if pk not in taken and not link_reason(index, pk, app)]
    if not candidates:
        return None
    return min(candidates, key=lambda pk: (load[pk], pk))


def _create_assignment(app: Application, evaluator_id: int, *, round: str, actor, appeal=None) -> Assignment:
    return Assignment.objects.create(application=app, evaluator_id=evaluator_id, round=round, appeal=appeal, assigned_by=actor)


def _submitted_totals(assignments: list[Assignment]) -> list[Decimal]:
    return [a.sheet.total for a in assignments if _is_submitted(a)]


def _is_submitted(a: Assignment) -> bool:
    sheet = getattr(a, "sheet", None) if _has_sheet(a) else None
    return bool(sheet and sheet.submitted_at)


def _has_sheet(a: Assignment) -> bool:
    try:
        a.sheet  # noqa: B018 - reverse one-to-one: raises when missing
    except ScoreSheet.DoesNotExist:
        return False
    return True


def scoring_rule(call: Call) -> rules.ScoringRule:
    return rules.ScoringRule(divergence_share=call.divergence_share, aggregation=call.aggregation)


def needs_extra(call: Call, active: list[Assignment]) -> bool:
    """The first two submitted original sheets diverge and no extra evaluator is assigned yet."""
    originals = [a for a in active if a.round == AssignmentRound.ORIGINAL]
    if any(a.round == AssignmentRound.EXTRA for a in active):
        return False
    totals = _submitted_totals(originals)[:2]
    if len(totals) < 2:
        return False
    return rules.needs_extra_evaluator(totals, scoring_rule(call))


@dataclass(frozen=True)
class AssignmentReport:
    assigned: int
    short: list[str]  # references of applications still missing an evaluator


@transaction.atomic
def evaluation_assign(*, actor: User | None, call: Call, now: datetime | None = None) -> AssignmentReport:
    """Give every eligible application its evaluators (balanced, no conflicts, no links); fill gaps only."""
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status not in (CallStatus.CLOSED, CallStatus.EVALUATED, CallStatus.RESULTS_PUBLISHED):
        raise ValidationError(_("Applications are assigned to evaluators after the call has closed."))
    pool = sorted(EvaluatorPool.objects.filter(call=call).values_list("evaluator_id", flat=True))
    if not pool:
        raise ValidationError(_("Add evaluators to the call's pool first."))
    apps = list(
        Application.objects.select_for_update(of=("self",)).filter(call=call, status__in=EVALUATED_STATUSES)
        .order_by("number")
    )
    all_assignments: dict[int, list[Assignment]] = {}
    for a in Assignment.objects.filter(application__in=apps).select_related("sheet").order_by("assigned_at", "id"):
        all_assignments.setdefault(a.application_id, []).append(a)
    index = LinkIndex.load(call.lag_id, set(pool) | {a.applicant_id for a in apps})
    load = _load(call)
    assigned, short = 0, []
    for app in apps:
        existing = all_assignments.get(app.pk, [])
        taken = {a.evaluator_id for a in existing}
        active = [a for a in existing if not a.conflict_declared and a.round in ORIGINAL_ROUNDS]
        want = max(0, call.evaluators_per_application - sum(1 for a in active if a.round == AssignmentRound.ORIGINAL))
        rounds = [AssignmentRound.ORIGINAL] * want
        if not want and needs_extra(call, active):
            rounds.append(AssignmentRound.EXTRA)
        if not want and any(a.round == AssignmentRound.EXTRA for a in existing) and not any(
                a.round == AssignmentRound.EXTRA for a in active):
            rounds.append(AssignmentRound.EXTRA)  # the extra evaluator declared a conflict
        for round_ in rounds:
            pick = _pick(app, pool, load, taken, index)
            if pick is None:
                short.append(app.reference)
                break
            _create_assignment(app, pick, round=round_, actor=actor)
            taken.add(pick)
            load[pick] += 1
            assigned += 1
        if app.status == ApplicationStatus.ELIGIBLE:
            move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "start_evaluation")
            app.status, app.status_changed_at = move.target, now
            app.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(actor=actor, lag=call.lag, action="grants.evaluation_assign", target=call,
                 summary=f"Call {call.code}: {assigned} assignments made" + (f", {len(short)} short" if short else ""),
                 data={"call": call.pk, "assigned": assigned, "short": short})
    if assigned:
        _tell_evaluators(call)
    return AssignmentReport(assigned, short)


def _assign_replacement(app: Application, *, round: str, actor, appeal=None) -> Assignment | None:
    """One more evaluator for ``app`` (after a conflict, for divergence or an appeal); None if nobody is free."""
    call = app.call
    pool = sorted(EvaluatorPool.objects.filter(call=call).values_list("evaluator_id", flat=True))
    taken = set(Assignment.objects.filter(application=app).values_list("evaluator_id", flat=True))
    index = LinkIndex.load(call.lag_id, set(pool) | {app.applicant_id})
    pick = _pick(app, pool, _load(call), taken, index)
    if pick is None:
        return None
    return _create_assignment(app, pick, round=round, actor=actor, appeal=appeal)


def _tell_evaluators(call: Call) -> None:
    """Tell the evaluators who have applications of ``call`` waiting for them (in this transaction)."""
    users = list(User.objects.filter(
        grant_assignments__application__call=call, grant_assignments__conflict_declared=False,
        grant_assignments__sheet__isnull=True,
    ).distinct())
    notify(kind="grants.evaluation", lag=call.lag, recipients=users, template="grants/messages/evaluation_assigned",
           context={"call": call}, link=reverse("grants:evaluations", args=[call.lag.slug]))


# --- independence --------------------------------------------------------------------------------


def _own_assignment(actor, assignment: Assignment) -> Assignment:
    if actor is None or assignment.evaluator_id != actor.pk:
        raise ValidationError(_("Only the assigned evaluator can do this."), code="not_evaluator")
    return Assignment.objects.select_for_update(of=("self",)).select_related("application__call", "application__lag").get(pk=assignment.pk)


@transaction.atomic
def assignment_declare(*, actor: User, assignment: Assignment, independent: bool, reason: str = "",
                       now: datetime | None = None) -> Assignment:
    """Declare independence (content becomes visible) or a conflict (another evaluator is assigned)."""
    now = now or timezone.now()
    a = _own_assignment(actor, assignment)
    if a.independence_declared_at or a.conflict_declared:
        if independent and a.independence_declared_at:
            return a  # a repeat of the same declaration
        raise ValidationError(_("You have already made your declaration for this application."))
    app = a.application
    if independent:
        a.independence_declared_at = now
        a.save(update_fields=["independence_declared_at"])
        audit_record(actor=actor, lag=app.lag, action="grants.independence_declared", target=app,
                     summary=f"Application {app.reference}: evaluator declared independence",
                     data={"application": app.pk, "assignment": a.pk})
        return a
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say briefly what links you to the applicant (family, business, work, politics)."))
    if _has_sheet(a) and a.sheet.submitted_at:
        raise ValidationError(_("You have already submitted your scores for this application."))
    if _has_sheet(a):
        a.sheet.delete()  # a draft written before the conflict was recognised is not kept
    a.conflict_declared, a.conflict_reason, a.conflict_declared_at = True, reason[:2000], now
    a.save(update_fields=["conflict_declared", "conflict_reason", "conflict_declared_at"])
    replacement = _assign_replacement(app, round=a.round, actor=None, appeal=a.appeal)
    audit_record(actor=actor, lag=app.lag, action="grants.evaluator_conflict", target=app,
                 summary=f"Application {app.reference}: evaluator declared a conflict of interest",
                 data={"application": app.pk, "assignment": a.pk,
                       "replacement": replacement.pk if replacement else None})
    if replacement is not None:
        _tell_evaluators(app.call)
    return a


# --- score sheets --------------------------------------------------------------------------------


def _points(raw: Any, criterion: Criterion) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(code)s: enter the points as a number.") % {"code": criterion.code}) from None
    if not value.is_finite() or value < 0 or value > criterion.max_points:
        raise ValidationError(_("%(code)s: the points are between 0 and %(max)s.")
                              % {"code": criterion.code, "max": rules.q2(criterion.max_points)})
    if rules.q2(value) != value:
        raise ValidationError(_("%(code)s: at most two decimal places.") % {"code": criterion.code})
    return rules.q2(value)


def _passed(raw: Any, criterion: Criterion) -> bool | None:
    if raw in (None, ""):
        return None
    if raw in (True, "yes", "1", "true", "on"):
        return True
    if raw in (False, "no", "0", "false"):
        return False
    raise ValidationError(_("%(code)s: choose met or not met.") % {"code": criterion.code})


@transaction.atomic
def sheet_save(*, actor: User, assignment: Assignment, scores: Mapping[int, Mapping[str, Any]], comment: str = "",
               submit: bool = False, now: datetime | None = None) -> ScoreSheet:
    """Save the evaluator's draft (``scores``: criterion id → points/passed/justification); ``submit`` locks it.

    A submitted sheet is never changed: submitting again returns it as it is (a double click).
    """
    now = now or timezone.now()
    a = _own_assignment(actor, assignment)
    if a.conflict_declared:
        raise ValidationError(_("You declared a conflict of interest for this application."))
    if not a.independence_declared_at:
        raise ValidationError(_("Declare your independence for this application first."))
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(assignment=a)
    if sheet.submitted_at:
        if submit:
            return sheet
        raise ValidationError(_("Your scores are submitted and can no longer be changed."))
    app = a.application
    if app.status != ApplicationStatus.UNDER_EVALUATION:
        raise ValidationError(_("This application is not being scored any more."))
    criteria = {c.pk: c for c in app.call.criteria.all()}
    unknown = [k for k in scores if int(k) not in criteria]
    if unknown:
        raise ValidationError(_("The form was changed on the way; reload the page and try again."), code="tampered")
    existing = {s.criterion_id: s for s in sheet.scores.all()}
    for key, values in scores.items():
        c = criteria[int(key)]
        row = existing.get(c.pk) or Score(sheet=sheet, criterion=c)
        if c.kind == CriterionKind.SCORED:
            row.points, row.passed = _points(values.get("points"), c), None
        else:
            row.points, row.passed = None, _passed(values.get("passed"), c)
        row.justification = (values.get("justification") or "").strip()[:5000]
        row.save()
        existing[c.pk] = row
    sheet.comment = (comment or "").strip()[:5000]
    if not submit:
        sheet.save(update_fields=["comment", "updated_at"])
        return sheet
    problems = []
    for c in criteria.values():
        row = existing.get(c.pk)
        if row is None or (row.points is None and row.passed is None):
            problems.append(_("%(code)s: give the points.") % {"code": c.code} if c.kind == CriterionKind.SCORED
                            else _("%(code)s: say whether it is met.") % {"code": c.code})
        elif not row.justification:
            problems.append(_("%(code)s: write the justification.") % {"code": c.code})
    if problems:
        raise ValidationError(problems, code="incomplete")
    scheme = criteria_scheme(list(criteria.values()), app.call.min_total)
    sheet.total = rules.weighted_total(scheme, {
        criteria[pk].code: row.points for pk, row in existing.items() if criteria[pk].kind == CriterionKind.SCORED
    })
    sheet.submitted_at = now
    sheet.save(update_fields=["comment", "total", "submitted_at", "updated_at"])
    audit_record(actor=actor, lag=app.lag, action="grants.sheet_submit", target=app,
                 summary=f"Application {app.reference}: score sheet submitted",
                 data={"application": app.pk, "assignment": a.pk, "round": a.round})
    after_submission(app=app, round=a.round, appeal=a.appeal, actor=actor, now=now)
    return sheet


def _round_assignments(app: Application, *, appeal=None) -> list[Assignment]:
    qs = Assignment.objects.filter(application=app, conflict_declared=False).select_related("sheet").order_by("assigned_at", "id")
    if appeal is not None:
        return list(qs.filter(round=AssignmentRound.APPEAL, appeal=appeal))
    return list(qs.filter(round__in=ORIGINAL_ROUNDS))


def after_submission(*, app: Application, round: str, appeal, actor, now: datetime) -> None:
    """Bring in the extra evaluator when the first two scores diverge; mark the application scored when complete."""
    active = _round_assignments(app, appeal=appeal if round == AssignmentRound.APPEAL else None)
    call = app.call
    originals = [a for a in active if a.round in (AssignmentRound.ORIGINAL, AssignmentRound.APPEAL)]
    extras = [a for a in active if a.round == AssignmentRound.EXTRA]
    if round == AssignmentRound.APPEAL:
        # In a re-evaluation the divergence rule applies among the new evaluators: a third one is one more APPEAL assignment.
        totals = _submitted_totals(originals)
        if len(originals) == 2 and len(totals) == 2 and rules.needs_extra_evaluator(totals, scoring_rule(call)):
            extra = _assign_replacement(app, round=AssignmentRound.APPEAL, actor=None, appeal=appeal)
            _log_extra(app, extra, actor)
            return
    elif needs_extra(call, active):
        extra = _assign_replacement(app, round=AssignmentRound.EXTRA, actor=None)
        _log_extra(app, extra, actor)
        return
    if not all(_is_submitted(a) for a in originals + extras):
        return
    if len(originals) < (call.evaluators_per_application if round != AssignmentRound.APPEAL else 1):
        return
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "finish_scoring")
    Application.objects.filter(pk=app.pk).update(status=move.target, status_changed_at=now)
    app.status = move.target
    audit_record(actor=actor, lag=app.lag, action="grants.application_scored", target=app,
                 summary=f"Application {app.reference}: scoring finished",
                 data={"application": app.pk, "round": round})
    from sopeli.grants.services.appeals import appeal_resolve, open_check_appeal

    if round == AssignmentRound.APPEAL:
        appeal_resolve(actor=None, appeal=appeal, now=now)
    elif (upheld := open_check_appeal(app)) is not None:
        # Found eligible on appeal after the measure was decided: ranked into that decision now.
        appeal_resolve(actor=None, appeal=upheld, now=now)


def _log_extra(app: Application, extra: Assignment | None, actor) -> None:
    audit_record(actor=actor, lag=app.lag, action="grants.extra_evaluator", target=app,
                 summary=f"Application {app.reference}: scores diverged, extra evaluator "
                 + ("assigned" if extra else "needed (nobody free in the pool)"),
                 data={"application": app.pk, "assignment": extra.pk if extra else None})
    if extra is not None:
        _tell_evaluators(app.call)


# --- final score ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalScore:
    total: Decimal
    points: dict[str, Decimal]  # criterion code -> mean points over the sheets used
    passed: dict[str, bool]
    assessment: rules.Assessment
    sheets_used: tuple[int, ...]  # ScoreSheet ids


def final_score(call: Call, criteria: list[Criterion], sheets: list[ScoreSheet], *,
                scheme: rules.CriteriaScheme | None = None) -> FinalScore | None:
    """The application's score from its submitted sheets (in order of assignment), per the call's rules.

    ``sheets`` must carry their scores: prefetched as ``scores``, or as a list in ``score_list`` (a
    ``Prefetch(..., to_attr="score_list")``, much cheaper when a whole call is ranked). A caller
    scoring many applications passes the call's ``scheme`` once. None while a sheet is missing or a
    third evaluator is still needed.
    """
    sheets = [s for s in sheets if s.submitted_at]
    if not sheets:
        return None
    rule = scoring_rule(call)
    totals = [s.total for s in sheets]
    if rules.needs_extra_evaluator(totals, rule):
        return None
    used = [sheets[i] for i in rules.scores_used(totals, rule)]
    scheme = scheme or criteria_scheme(criteria, call.min_total)
    by_id = {c.pk: c for c in criteria}
    scores = [_sheet_scores(sheet) for sheet in used]
    per_sheet = [{by_id[s.criterion_id].code: s.points for s in sheet_scores
                  if by_id[s.criterion_id].kind == CriterionKind.SCORED} for sheet_scores in scores]
    points = rules.mean_points(scheme, per_sheet)
    passed = {}
    for code in scheme.pass_fail:
        votes = [s.passed for sheet_scores in scores for s in sheet_scores if by_id[s.criterion_id].code == code]
        passed[code] = sum(1 for v in votes if v) * 2 > len(used)
    total = rules.aggregate_scores(totals, rule)
    assessment = rules.assess(scheme, passed=passed, points=points, total=total)
    return FinalScore(total, points, passed, assessment, tuple(s.pk for s in used))


def _sheet_scores(sheet: ScoreSheet) -> list[Score]:
    found = getattr(sheet, "score_list", None)
    return found if found is not None else list(sheet.scores.all())


# --- progress and reminders ----------------------------------------------------------------------


@transaction.atomic
def evaluation_remind(*, actor: User | None, call: Call, now: datetime | None = None) -> int:
    """E-mail every evaluator with an unfinished assignment in the call; returns how many were reminded."""
    now = now or timezone.now()
    pending = list(
        Assignment.objects.filter(application__call=call, conflict_declared=False,
                                  application__status=ApplicationStatus.UNDER_EVALUATION)
        .exclude(sheet__submitted_at__isnull=False).select_related("evaluator")
    )
    users = {a.evaluator_id: a.evaluator for a in pending}
    Assignment.objects.filter(pk__in=[a.pk for a in pending]).update(reminded_at=now)
    counts = Counter(a.evaluator_id for a in pending)
    link = reverse("grants:evaluations", args=[call.lag.slug])
    for pk, user in users.items():
        notify(kind="grants.evaluation", lag=call.lag, recipients=[user], template="grants/messages/evaluation_reminder",
               context={"call": call, "n": counts[pk]}, link=link)
    audit_record(actor=actor, lag=call.lag, action="grants.evaluation_remind", target=call,
                 summary=f"Call {call.code}: {len(users)} evaluators reminded",
                 data={"call": call.pk, "evaluators": sorted(users)})
    return len(users)


@transaction.atomic
def evaluation_finish(*, actor: User | None, call: Call, now: datetime | None = None) -> Call:
    """Close the evaluation when every eligible application is scored (the call awaits the board)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    waiting = Application.objects.filter(
        call=call, status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.NEEDS_FIXES, *EVALUATED_STATUSES)
    ).count()
    if waiting:
        raise ValidationError(_("%(n)s applications are still being checked or scored.") % {"n": waiting})
    move = workflow.transition(workflow.CALL_TRANSITIONS, call.status, "finish_evaluation")
    call.status = move.target
    call.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, lag=call.lag, action="grants.evaluation_finish", target=call, public=True,
                 summary=f"Call {call.code}: evaluation finished", data={"call": call.pk, "code": call.code})
    return call


__all__ = [
    "AssignmentReport", "FinalScore", "LinkIndex", "after_submission", "assignment_declare", "evaluation_assign",
    "evaluation_finish", "evaluation_remind", "final_score", "fold", "link_reason", "needs_extra", "pool_add",
    "pool_fill", "pool_remove", "scoring_rule", "sheet_save",
]
