"""Reads for the applicant's pages and the staff lists of applications (fixed query counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from sopeli.core.models import AuditEvent, Lag
from sopeli.grants import workflow
from sopeli.grants.models import Answer, Application, Attachment, BudgetLine, Call, FixRequest
from sopeli.grants.workflow import ApplicationStatus


def my_applications(user, lag: Lag):
    """The user's own applications in ``lag``, newest first (1 query)."""
    return (
        Application.objects.filter(lag=lag, applicant=user)
        .select_related("call", "measure__measure")
        .order_by("-created_at", "-id")
    )


def application_full(app: Application) -> Application:
    """The application with everything its page shows, loaded up front."""
    return (
        Application.objects.filter(pk=app.pk)
        .select_related("call", "lag", "measure__measure", "settlement", "applicant", "assisted_by", "idea")
        .prefetch_related(
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("order", "id")),
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("document", "question").order_by("uploaded_at", "id")),
        )
        .get()
    )


@dataclass
class TimelineEntry:
    at: datetime
    text: str
    done: bool = True




def timeline(app: Application) -> dict:
    """Dated steps so far (from the audit trail, 1 query) and what happens next."""
    from django.utils.translation import gettext as _

    labels = {
        "grants.application_start": _("Draft started"),
        "grants.application_submit": _("Submitted"),
        "grants.fix_request": _("The LAG asked for missing items"),
        "grants.application_resubmit": _("Missing items sent"),
        "grants.fix_deadline_missed": _("Missing items not sent in time"),
        "grants.application_withdraw": _("Withdrawn"),
    }
    events = AuditEvent.objects.filter(
        lag_id=app.lag_id, target_type="grants.application", target_id=str(app.pk), action__in=[*labels, "grants.check_decide"]
    ).order_by("created_at", "id").only("action", "created_at", "data")
    entries = []
    for e in events:
        if e.action == "grants.check_decide":
            text = _("Eligible") if e.data.get("eligible") else _("Ineligible: %(reason)s") % {"reason": e.data.get("reason", "")}
        else:
            text = labels[e.action]
        entries.append(TimelineEntry(e.created_at, str(text)))
    # Decisions recorded by the evaluation/selection modules appear through the status.
    if app.status in (ApplicationStatus.FUNDED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED) and app.decided_at:
        entries.append(TimelineEntry(app.decided_at, str(app.get_status_display())))
    return {"entries": entries, "next_step": workflow.next_step(app.status) if app.status != ApplicationStatus.DRAFT else ""}


def open_fix_request(app: Application) -> FixRequest | None:
    return FixRequest.objects.filter(check_record__application=app, fixed_at__isnull=True).order_by("-requested_at").first()


def staff_applications(call: Call, *, status: str | None = None):
    """Submitted applications of a call for staff (drafts stay private), 1 query."""
    qs = (
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("measure__measure", "settlement", "assisted_by")
        .order_by("number")
    )
    if status:
        qs = qs.filter(status=status)
    return qs
