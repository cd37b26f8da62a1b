"""Received list and the administrative and eligibility check.

- ``received_list_publish``: the list of received applications (number, title, applicant type,
  village, amount requested — no names, no contact data) goes on the public page and the ledger.
  It is due within ``call.received_list_days`` **working days** (Monday–Friday) after the deadline
  (``received_list_due_on``); the ``grants_due`` command publishes every list that is due, so
  nobody has to remember. A manager may publish earlier.
- ``check_save``: the per-call checklist, item by item, with notes (staff only; never public).
- ``fix_request``: ask the applicant to fix missing items by a deadline; the application goes to
  ``needs_fixes`` and is editable again; ``applications.application_resubmit`` sends it back.
  ``fix_deadlines_expire`` (run by ``grants_due``) makes unfixed ones ineligible with a reason.
- ``check_decide``: eligible or ineligible, with the reason (required for ineligible); the
  applicant is notified by e-mail and sees it on their timeline. A check reopened by an upheld
  appeal is decided the same way, and the appeal records the new decision beside the original
  (``appeals.check_decided_again``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.accounts.models import User
from sopeli.core.audit import audit_record
from sopeli.grants import notify, rules, workflow
from sopeli.grants.models import (
    Application,
    Call,
    CheckItemResult,
    ChecklistAnswer,
    CheckOutcome,
    EligibilityCheck,
    FixRequest,
)
from sopeli.grants.services import appeals
from sopeli.grants.services.applications import local
from sopeli.grants.services.calls import call_close, closable, ensure_closable
from sopeli.grants.workflow import ApplicationStatus, CallStatus


def received_list_due_on(call: Call) -> date:
    """The last day (Tbilisi) by which the received list must be published."""
    return rules.add_working_days(timezone.localtime(call.closes_at).date(), call.received_list_days)


def received_rows(call: Call) -> list[dict[str, Any]]:
    """The public facts of each received application: never the applicant's name or contact data."""
    apps = (
        Application.objects.filter(call=call, number__isnull=False)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("settlement", "measure__measure")
        .order_by("number")
    )
    return [
        {"number": a.number, "reference": f"{call.code}-{a.number:03d}", "title": a.title, "applicant_type": a.applicant_type,
         "village": a.settlement.name if a.settlement_id else "", "measure": a.measure.measure.code,
         "requested": str(a.requested_grant), "submitted_at": a.submitted_at.isoformat(), "stage": a.stage}
        for a in apps
    ]


@transaction.atomic
def received_list_publish(*, actor: User | None, call: Call, now: datetime | None = None) -> Call:
    """Publish the list of received applications once the deadline has passed (idempotent)."""
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.received_list_published_at:
        return call
    if call.status == CallStatus.DRAFT or rules.is_on_time(now, call.closes_at):
        raise ValidationError(_("The list of received applications is published after the deadline."))
    ensure_closable(call, now)
    rows = received_rows(call)
    call.received_list_published_at = now
    call.save(update_fields=["received_list_published_at", "updated_at"])
    audit_record(
        actor=actor, lag=call.lag, action="grants.received_list_publish", target=call, public=True,
        summary=f"Call {call.code}: {len(rows)} applications received",
        data={"call": call.pk, "code": call.code, "count": len(rows),
              "applications": [{k: r[k] for k in ("reference", "title", "applicant_type", "village", "requested")} for r in rows]},
    )
    return call


def _check_for(app: Application) -> EligibilityCheck:
    check, _created = EligibilityCheck.objects.get_or_create(application=app)
    return check


def _locked(app: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("call", "lag").get(pk=app.pk)


def _ensure_checkable(app: Application) -> None:
    if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.NEEDS_FIXES):
        raise ValidationError(_("This application is not waiting for the eligibility check."), code="not_checkable")


@transaction.atomic
def check_save(*, actor: User | None, application: Application, results: dict[int, tuple[str, str]]) -> EligibilityCheck:
    """Record the checklist: item id → (yes/no/na, note). Items of other calls are refused."""
    app = _locked(application)
    _ensure_checkable(app)
    items = set(app.call.checklist.values_list("pk", flat=True))
    if set(results) - items:
        raise ValidationError(_("The form was changed on the way; reload the page and try again."), code="tampered")
    check = _check_for(app)
    for item_id, (answer, note) in results.items():
        if answer not in ChecklistAnswer.values:
            raise ValidationError(_("Answer each line with yes, no or not applicable."))
        CheckItemResult.objects.update_or_create(
            check_record=check, item_id=item_id, defaults={"answer": answer, "note": (note or "")[:300]}
        )
    check.checked_by = actor
    check.save(update_fields=["checked_by"])
    audit_record(actor=actor, lag=app.lag, action="grants.check_save", target=app,
                 summary=f"Checklist of {app.reference} saved", data={"application": app.pk, "items": len(results)})
    return check


@transaction.atomic
def fix_request(*, actor: User | None, application: Application, items: str, deadline: datetime,
                now: datetime | None = None) -> FixRequest:
    """Ask the applicant to fix missing items by ``deadline`` (a whole second, in the future)."""
    now = now or timezone.now()
    app = _locked(application)
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "request_fixes")
    if not (items or "").strip():
        raise ValidationError({"items": _("Say what is missing.")})
    if deadline is None or deadline <= now:
        raise ValidationError({"deadline": _("The deadline to fix must be in the future.")})
    deadline = deadline.replace(microsecond=0)
    check = _check_for(app)
    fix = FixRequest.objects.create(check_record=check, items=items.strip(), deadline=deadline, requested_by=actor)
    app.status = move.target
    app.status_changed_at = now
    app.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(actor=actor, lag=app.lag, action="grants.fix_request", target=app,
                 summary=f"{app.reference}: missing items requested by {local(deadline)}",
                 data={"application": app.pk, "deadline": deadline.isoformat()})
    notify.application_event(app, "fixes_requested")
    return fix


@transaction.atomic
def check_decide(*, actor: User | None, application: Application, eligible: bool, reason: str = "",
                 now: datetime | None = None) -> EligibilityCheck:
    """Eligible or ineligible (with a reason), the end of the administrative check."""
    now = now or timezone.now()
    appeal = appeals.open_check_appeal(application, lock=True)  # an upheld appeal reopened this check; locked first
    app = _locked(application)
    action = "declare_eligible" if eligible else "declare_ineligible"
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, action)
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("Give the reason why the application is ineligible.")})
    check = _check_for(app)
    check.outcome = CheckOutcome.ELIGIBLE if eligible else CheckOutcome.INELIGIBLE
    check.reason = reason
    check.checked_by = actor
    check.decided_at = now
    check.save(update_fields=["outcome", "reason", "checked_by", "decided_at"])
    app.status = move.target
    app.status_changed_at = now
    app.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(actor=actor, lag=app.lag, action="grants.check_decide", target=app,
                 summary=f"{app.reference}: {'eligible' if eligible else 'ineligible'}",
                 data={"application": app.pk, "eligible": eligible, "reason": reason})
    if appeal is not None:
        appeals.check_decided_again(actor=actor, appeal=appeal, app=app, eligible=eligible, reason=reason, now=now)
    notify.application_event(app, "eligible" if eligible else "ineligible")
    return check


@transaction.atomic
def fix_deadlines_expire(*, actor: User | None = None, now: datetime | None = None) -> int:
    """Applications whose fix deadline passed unfixed become ineligible, with the reason."""
    now = now or timezone.now()
    expired = 0
    open_fixes = (
        FixRequest.objects.filter(fixed_at__isnull=True, check_record__application__status=ApplicationStatus.NEEDS_FIXES)
        .select_related("check_record__application")
    )
    for fix in open_fixes:
        if rules.is_on_time(now, fix.deadline.replace(microsecond=0)):
            continue
        app = _locked(fix.check_record.application)
        move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "fix_deadline_missed")
        check = fix.check_record
        check.outcome = CheckOutcome.INELIGIBLE
        check.reason = _("The missing items were not sent by %(deadline)s.") % {"deadline": local(fix.deadline)}
        check.decided_at = now
        check.save(update_fields=["outcome", "reason", "decided_at"])
        app.status = move.target
        app.status_changed_at = now
        app.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(actor=actor, lag=app.lag, action="grants.fix_deadline_missed", target=app,
                     summary=f"{app.reference}: ineligible, missing items not sent in time", data={"application": app.pk})
        notify.application_event(app, "ineligible")
        expired += 1
    return expired


def due_work(*, now: datetime | None = None) -> dict[str, int]:
    """What the ``grants_due`` command does: close calls past their deadline, publish due received
    lists (as soon as a call closes, so always within the configured days), expire fix deadlines."""
    now = now or timezone.now()
    closed = published = 0
    for call in Call.objects.filter(status=CallStatus.PUBLISHED, closes_at__lt=now):
        if closable(call, now):
            try:
                call_close(actor=None, call=call, now=now)
            except ValidationError:
                continue  # a manager closed it by hand a moment ago
            closed += 1
    for call in Call.objects.filter(received_list_published_at__isnull=True).exclude(status=CallStatus.DRAFT):
        if closable(call, now):
            received_list_publish(actor=None, call=call, now=now)
            published += 1
    return {"closed": closed, "received_lists": published, "fixes_expired": fix_deadlines_expire(now=now)}
