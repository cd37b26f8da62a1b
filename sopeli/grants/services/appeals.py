"""Appeals: filed within the call's window, rejected with reasons or re-evaluated by other evaluators.

Decisions
---------
Window
    From the publication of the results (for an application found ineligible: from that decision, or
    the results, whichever came first) until ``appeal_days`` later, to the second by the server clock
    (``rules.is_on_time`` against the deadline second). One appeal per application.
Who
    The applicant files it (with grounds and optional documents); the manager rejects it with reasons
    or orders a re-evaluation.
Re-evaluation
    ``call.evaluators_per_application`` evaluators from the pool who never assessed the application
    before (nor declared a conflict on it) score it again (round ``appeal``; the divergence rule
    applies among them). The original decision, score and grant are copied onto the appeal and the
    original sheets stay untouched. When the last new sheet is in, ``appeal_resolve`` computes the
    new score and the new outcome: not fundable → not funded; fundable → back on the measure's
    reserve list at its new rank, and funded if the free money reaches it in rank order (the same
    ``rules.activate_reserve`` walk as any reserve activation; grants already given are never taken
    back).
Ineligibility
    An appeal against an ineligibility decision is rejected with reasons (the application stays
    ineligible) or upheld: the eligibility check is reopened (the application is "submitted" again and
    the check pending) and the manager decides it again with ``checks.check_decide``. The reason of
    the original decision is copied onto the appeal when it is filed, so it stays visible beside the
    new one. Ineligible again → the appeal is resolved "ineligible" with the new reason. Eligible →
    the application is scored like any other (``evaluation_assign``; its evaluators never assessed
    it); if the measure's selection is not decided yet the appeal is resolved "eligible" at once and
    the application is ranked with the others; if it is, the appeal stays open until the scoring is
    finished and ``appeal_resolve`` ranks it into the decided selection as above.
Locks
    In the grants order (package README): selection → appeal → application. ``appeal_resolve`` is
    reached from a score sheet's submission, which already holds the application; it takes the
    selection before re-ranking, so it never holds ranking rows while waiting for the selection.
Publicity
    Filing, the manager's decision and the new outcome are public facts (ledger) with the reference
    and outcomes only; the grounds and reasons are shown to the applicant and staff.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.accounts.models import User
from sopeli.core.audit import audit_record
from sopeli.grants import rules, workflow
from sopeli.grants.models import (
    APPEAL_ELIGIBLE,
    Appeal,
    AppealStatus,
    Application,
    Assignment,
    AssignmentRound,
    AttachmentPurpose,
    CheckOutcome,
    EligibilityCheck,
    EvaluatorPool,
    Outcome,
    RankingResult,
    Selection,
)
from sopeli.grants.services.applications import _store
from sopeli.grants.services.evaluation import ORIGINAL_ROUNDS, LinkIndex, _load, _pick, final_score
from sopeli.grants.workflow import ApplicationStatus

OPEN_STATUSES = (AppealStatus.FILED, AppealStatus.REEVALUATION)
APPEALABLE = (ApplicationStatus.FUNDED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED, ApplicationStatus.INELIGIBLE)


def current_result(app: Application) -> RankingResult | None:
    """The application's row in the latest decided selection of its measure."""
    return (RankingResult.objects.filter(application=app, selection__decided_at__isnull=False)
            .select_related("selection").order_by("-selection__run").first())


def window(app: Application) -> tuple[datetime | None, datetime | None]:
    """(opens, deadline) of the appeal window; (None, None) while nothing can be appealed yet."""
    starts = app.call.results_published_at
    if app.status == ApplicationStatus.INELIGIBLE:
        decided = getattr(getattr(app, "eligibility", None), "decided_at", None)
        starts = min(d for d in (starts, decided) if d) if (starts or decided) else None
    if starts is None:
        return None, None
    return starts, (starts + timedelta(days=app.call.appeal_days)).replace(microsecond=0)


@transaction.atomic
def appeal_file(*, actor: User, application: Application, grounds: str, uploads: list[UploadedFile] = (),
                now: datetime | None = None) -> Appeal:
    """The applicant appeals the decision, within the window (to the second)."""
    now = now or timezone.now()  # arrival time, read before any lock
    app = Application.objects.select_for_update(of=("self",)).select_related("call", "lag").get(pk=application.pk)
    if actor is None or app.applicant_id != actor.pk:
        raise ValidationError(_("Only the applicant can appeal."))
    if app.status not in APPEALABLE:
        raise ValidationError(_("There is no decision on this application to appeal yet."))
    starts, deadline = window(app)
    if starts is None:
        raise ValidationError(_("There is no decision on this application to appeal yet."))
    if not rules.is_on_time(now, deadline):
        raise ValidationError(_("The appeal window closed on %(when)s (Tbilisi time); the appeal was not accepted.")
                              % {"when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S")})
    if app.appeals.exists():
        raise ValidationError(_("You have already appealed this decision."))
    grounds = (grounds or "").strip()
    if len(grounds) < 20:
        raise ValidationError(_("Explain the grounds of your appeal (at least a few sentences)."))
    if len(uploads) > 5:
        raise ValidationError(_("At most 5 files with an appeal."))
    result = current_result(app)
    ineligible = app.status == ApplicationStatus.INELIGIBLE
    check = getattr(app, "eligibility", None) if ineligible else None
    appeal = Appeal.objects.create(
        application=app, filed_by=actor, grounds=grounds[:10000], filed_at=now,
        original_outcome=Outcome.INELIGIBLE if ineligible or not result else result.outcome,
        original_score=result.score if result and not ineligible else None,
        original_amount=result.awarded_amount if result and result.outcome == Outcome.FUNDED else None,
        original_reason=check.reason if check is not None else "",
    )
    for upload in uploads:
        _store(app, upload, actor=actor, purpose=AttachmentPurpose.APPEAL, appeal=appeal)
    audit_record(actor=actor, lag=app.lag, action="grants.appeal_file", target=app, public=True,
                 summary=f"Application {app.reference}: appeal filed",
                 data={"application": app.pk, "reference": app.reference, "appeal": appeal.pk,
                       "original_outcome": appeal.original_outcome})
    return appeal


def _open(appeal: Appeal) -> Appeal:
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("application__call", "application__lag").get(pk=appeal.pk)
    if appeal.status != AppealStatus.FILED:
        raise ValidationError(_("This appeal has already been decided."))
    return appeal


@transaction.atomic
def appeal_reject(*, actor: User | None, appeal: Appeal, reason: str, now: datetime | None = None) -> Appeal:
    """The manager rejects the appeal with reasons; the original decision stands."""
    now = now or timezone.now()
    appeal = _open(appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reasons for rejecting the appeal."))
    appeal.status, appeal.decision_reason, appeal.decided_by, appeal.decided_at = AppealStatus.REJECTED, reason[:5000], actor, now
    appeal.new_outcome, appeal.new_score, appeal.new_amount = appeal.original_outcome, appeal.original_score, appeal.original_amount
    appeal.resolved_at = now
    appeal.save()
    app = appeal.application
    audit_record(actor=actor, lag=app.lag, action="grants.appeal_reject", target=app, public=True,
                 summary=f"Application {app.reference}: appeal rejected, the decision stands",
                 data={"application": app.pk, "reference": app.reference, "appeal": appeal.pk, "outcome": appeal.original_outcome})
    return appeal


@transaction.atomic
def appeal_order_reevaluation(*, actor: User | None, appeal: Appeal, reason: str = "", now: datetime | None = None) -> list[Assignment]:
    """Different evaluators score the application again (or, if it was ineligible, the check is reopened)."""
    now = now or timezone.now()
    appeal = _open(appeal)
    app = Application.objects.select_for_update(of=("self",)).select_related("call", "lag").get(pk=appeal.application_id)
    created: list[Assignment] = []
    if app.status == ApplicationStatus.INELIGIBLE:
        move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "reopen_check")
        # The check is decided again; its original reason is on the appeal (copied when filed).
        EligibilityCheck.objects.filter(application=app).update(outcome=CheckOutcome.PENDING, decided_at=None)
    else:
        move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "reevaluate")
        call = app.call
        pool = sorted(EvaluatorPool.objects.filter(call=call).values_list("evaluator_id", flat=True))
        taken = set(Assignment.objects.filter(application=app).values_list("evaluator_id", flat=True))
        index = LinkIndex.load(call.lag_id, set(pool) | {app.applicant_id})
        load = _load(call)
        for _n in range(call.evaluators_per_application):
            pick = _pick(app, pool, load, taken, index)
            if pick is None:
                break
            created.append(Assignment.objects.create(application=app, evaluator_id=pick, round=AssignmentRound.APPEAL,
                                                     appeal=appeal, assigned_by=actor))
            taken.add(pick)
            load[pick] += 1
        if len(created) < call.evaluators_per_application:
            raise ValidationError(_("Not enough evaluators who have not assessed this application yet: add evaluators to "
                                    "the call's pool first (%(n)s needed).") % {"n": call.evaluators_per_application})
    app.status, app.status_changed_at = move.target, now
    app.save(update_fields=["status", "status_changed_at", "updated_at"])
    appeal.status, appeal.decision_reason, appeal.decided_by, appeal.decided_at = AppealStatus.REEVALUATION, (reason or "").strip()[:5000], actor, now
    appeal.save()
    reopened = move.action == "reopen_check"
    audit_record(actor=actor, lag=app.lag, action="grants.appeal_reevaluation", target=app, public=True,
                 summary=f"Application {app.reference}: "
                 + ("eligibility check reopened after an appeal" if reopened else "re-evaluation ordered after an appeal"),
                 data={"application": app.pk, "reference": app.reference, "appeal": appeal.pk, "evaluators": len(created),
                       "check_reopened": reopened})
    if created:
        from sopeli.grants.services.evaluation import _tell_evaluators

        _tell_evaluators(app.call)
    return created


@transaction.atomic
def appeal_resolve(*, actor: User | None, appeal: Appeal, now: datetime | None = None) -> Appeal:
    """Record the re-evaluation's score and the new outcome beside the original (called when scoring ends)."""
    now = now or timezone.now()
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("application__call__lag").get(pk=appeal.pk)
    if appeal.status != AppealStatus.REEVALUATION:
        raise ValidationError(_("No re-evaluation is running for this appeal."))
    app = Application.objects.select_for_update(of=("self",)).select_related("call", "lag").get(pk=appeal.application_id)
    call = app.call
    # An ineligibility appeal: the application was never scored before, so its (first) sheets are the new ones.
    rounds = Assignment.objects.filter(appeal=appeal, round=AssignmentRound.APPEAL)
    if appeal.original_outcome == Outcome.INELIGIBLE:
        rounds = Assignment.objects.filter(application=app, round__in=ORIGINAL_ROUNDS)
    sheets = [a.sheet for a in rounds.filter(conflict_declared=False, sheet__submitted_at__isnull=False)
              .select_related("sheet").prefetch_related("sheet__scores").order_by("assigned_at", "id")]
    final = final_score(call, list(call.criteria.all()), sheets)
    if final is None:
        raise ValidationError(_("The re-evaluation is not finished yet."))
    result = current_result(app)
    selection: Selection | None = result.selection if result else None
    if selection is not None:
        # Before touching any ranking row: a reserve activation holds the selection while it writes them.
        selection = Selection.objects.select_for_update(of=("self",)).select_related("call__lag").get(pk=selection.pk)
    from sopeli.grants.services import selection as sel

    if not final.assessment.fundable or result is None:
        outcome, amount = Outcome.REJECTED, None
        sel._set_status(app, "reject", now=now)
        if result is not None:
            result.score, result.outcome, result.awarded_amount, result.reserve_position = final.total, Outcome.REJECTED, None, None
            result.shortfalls = [sel._shortfall_json(s) for s in final.assessment.shortfalls]
            result.save()
    else:
        # Back on the reserve list at its new rank; the walk in rank order decides whether money reaches it.
        kept_amount = result.awarded_amount if result.outcome == Outcome.FUNDED else None
        if kept_amount is not None:
            outcome, amount = Outcome.FUNDED, kept_amount  # a funded project keeps its grant
            result.score = final.total
            result.save(update_fields=["score"])
            sel._set_status(app, "fund", now=now)
        else:
            _rerank(selection, result, final.total)
            sel._set_status(app, "reserve", now=now)
            sel._activate(selection, actor=actor, now=now)
            result.refresh_from_db()
            app.refresh_from_db()
            outcome = result.outcome
            amount = result.awarded_amount if outcome == Outcome.FUNDED else None
    appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, now
    appeal.new_outcome, appeal.new_score, appeal.new_amount = outcome, final.total, amount
    appeal.save()
    audit_record(actor=actor, lag=app.lag, action="grants.appeal_resolve", target=app, public=True,
                 summary=f"Application {app.reference}: re-evaluated after an appeal: {outcome}",
                 data={"application": app.pk, "reference": app.reference, "appeal": appeal.pk,
                       "original": {"outcome": appeal.original_outcome, "score": str(appeal.original_score)},
                       "new": {"outcome": outcome, "score": str(final.total), "amount": str(amount) if amount else None}})
    return appeal


def open_check_appeal(app: Application, *, lock: bool = False) -> Appeal | None:
    """The application's upheld ineligibility appeal still waiting for the new check (or its scores)."""
    qs = Appeal.objects.filter(application=app, status=AppealStatus.REEVALUATION, original_outcome=Outcome.INELIGIBLE)
    return (qs.select_for_update(of=("self",)) if lock else qs).order_by("-filed_at").first()


def check_decided_again(*, actor: User | None, appeal: Appeal, app: Application, eligible: bool, reason: str,
                        now: datetime) -> None:
    """The reopened eligibility check has been decided (``checks.check_decide``, which holds both locks).

    Ineligible again: the appeal ends "ineligible" with the new reason. Eligible: the application is
    scored like the others; before the measure's selection is decided the appeal ends "eligible" now
    (it is ranked with the others), after it the appeal waits for the scores (``appeal_resolve``).
    """
    from sopeli.grants.services.selection import decided_selection

    if eligible and decided_selection(app.measure_id) is not None:
        return  # resolved by appeal_resolve once the scoring is finished
    appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, now
    appeal.new_outcome = APPEAL_ELIGIBLE if eligible else Outcome.INELIGIBLE
    appeal.new_reason = "" if eligible else reason
    appeal.save(update_fields=["status", "resolved_at", "new_outcome", "new_reason"])
    audit_record(actor=actor, lag=app.lag, action="grants.appeal_resolve", target=app, public=True,
                 summary=f"Application {app.reference}: eligibility checked again after an appeal: "
                 + ("eligible" if eligible else "ineligible"),
                 data={"application": app.pk, "reference": app.reference, "appeal": appeal.pk,
                       "original": {"outcome": appeal.original_outcome}, "new": {"outcome": appeal.new_outcome}})


def _rerank(selection: Selection, result: RankingResult, score: Decimal) -> None:
    """Put the appealing application back among the ranked ones with its new score (ranks renumbered)."""
    from sopeli.grants.services.selection import tie_breaks

    rows = list(selection.results.select_related("application").order_by("rank", "id"))
    result.score, result.outcome, result.shortfalls = score, Outcome.RESERVE, []
    ranked = [r for r in rows if r.rank is not None and r.pk != result.pk] + [result]

    def key(r):
        app = rules.Application(f"{r.application.number:05d}", r.requested, r.application.submitted_at, score=r.score)
        return rules.ranking_key(app, [t for t in tie_breaks(selection.call) if t.kind != rules.TieBreakKind.HIGHER_CRITERION])

    ranked.sort(key=key)
    RankingResult.objects.filter(pk__in=[r.pk for r in ranked]).update(rank=None)
    for position, r in enumerate(ranked, 1):
        r.rank = position
        if r.pk == result.pk:
            r.save()
        else:
            RankingResult.objects.filter(pk=r.pk).update(rank=position)
