"""Appeals: the applicant's appeal page, and the manager's list and decision (reject with reasons or
order a re-evaluation by different evaluators). Network officers read the manager's pages (403 on POST)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require
from sopeli.core.arrival import arrival_time
from sopeli.core.tenancy import with_lag
from sopeli.grants import permissions
from sopeli.grants.models import Appeal, Assignment, AssignmentRound, Outcome, ScoreSheet
from sopeli.grants.services import appeals as services


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@with_lag
@require_http_methods(["GET", "POST"])
def appeal(request, lag, pk):
    app = permissions.application_for_applicant(request.user, lag, pk)
    existing = app.appeals.prefetch_related("attachments").order_by("-filed_at").first()
    grounds = ""
    if request.method == "POST":
        grounds = request.POST.get("grounds", "")
        try:
            services.appeal_file(actor=request.user, application=app, grounds=grounds,
                                 uploads=request.FILES.getlist("files"), now=arrival_time(request))
            messages.success(request, _("Your appeal is filed. The LAG answers it in writing."))
            return redirect("grants:appeal", lag.slug, app.pk)
        except ValidationError as exc:
            _errors(request, exc)
    _opens, deadline = services.window(app)
    return render(request, "grants/appeals/appeal.html", {
        "app": app, "call": app.call, "appeal": existing, "deadline": deadline, "grounds": grounds,
        "open": bool(deadline) and timezone.now() <= deadline and existing is None,
    })


@with_lag
@require(can_read_staff_pages)
def manage_list(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    appeals = list(Appeal.objects.filter(application__call=call).select_related("application__call").order_by("filed_at"))
    return render(request, "grants/appeals/manage_list.html", {"call": call, "appeals": appeals})


@with_lag
@require(can_read_staff_pages)
@require_http_methods(["GET", "POST"])
def manage_detail(request, lag, pk):
    appeal_ = (Appeal.objects.filter(pk=pk, application__lag=lag)
               .select_related("application__call", "application__applicant", "decided_by")
               .prefetch_related("attachments").first())
    if appeal_ is None:
        raise Http404
    if request.method == "POST":
        if not can_manage(request.user, lag):
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "reject":
                services.appeal_reject(actor=request.user, appeal=appeal_, reason=request.POST.get("reason", ""))
                messages.success(request, _("The appeal is rejected; the decision stands."))
            elif action == "reevaluate":
                services.appeal_order_reevaluation(actor=request.user, appeal=appeal_, reason=request.POST.get("reason", ""))
                if appeal_.original_outcome == Outcome.INELIGIBLE:
                    messages.success(request, _("The appeal is upheld: the eligibility check is reopened."))
                else:
                    messages.success(request, _("A re-evaluation by different evaluators is ordered."))
            else:
                raise ValidationError(_("The form was changed on the way; reload the page and try again."))
            return redirect("grants:manage_appeal", lag.slug, appeal_.pk)
        except ValidationError as exc:
            _errors(request, exc)
    assignments = list(Assignment.objects.filter(appeal=appeal_, round=AssignmentRound.APPEAL)
                       .select_related("evaluator", "sheet").order_by("assigned_at", "id"))
    for a in assignments:
        try:
            sheet = a.sheet
        except ScoreSheet.DoesNotExist:
            sheet = None
        a.submitted_total = sheet.total if sheet is not None and sheet.submitted_at else None
    return render(request, "grants/appeals/manage_detail.html", {
        "appeal": appeal_, "app": appeal_.application, "call": appeal_.application.call, "assignments": assignments,
        "can_edit": can_manage(request.user, lag),
    })
