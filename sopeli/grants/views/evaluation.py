"""Evaluators' pages (their queue, one assignment: declaration, content, score sheet) and the manager's
evaluation page (pool, assignment, progress, reminders). Plain forms, POST/redirect/GET.

Who sees what
- An evaluator sees only their own assignments (404 otherwise), and an application's content only
  after declaring independence for it; other evaluators' scores only after submitting their own.
- Managers run the evaluation; network officers read the manager's page (403 on any POST).
- Nobody but its author ever sees a draft score sheet.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sopeli.accounts.models import Role, User
from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require, roles_in
from sopeli.core.tenancy import with_lag
from sopeli.grants import permissions
from sopeli.grants.models import CriterionKind, EvaluatorPool
from sopeli.grants.selectors import evaluation as selectors
from sopeli.grants.services import evaluation as services
from sopeli.grants.workflow import ApplicationStatus

PAGE_SIZE = 50  # an evaluator of a big call may have hundreds of assignments


def can_evaluate(user, lag) -> bool:
    """Evaluators and board members (a LAG whose board scores) have an evaluation queue."""
    return bool(roles_in(user, lag) & {Role.EVALUATOR, Role.BOARD})


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- evaluators ----------------------------------------------------------------------------------


@with_lag
@require(can_evaluate)
def queue(request, lag):
    page = Paginator(selectors.my_assignments(request.user, lag), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grants/evaluation/queue.html", {
        "page": page, "counts": selectors.my_assignment_counts(request.user, lag)})


def _sheet_input(request, criteria) -> dict[int, dict[str, str]]:
    scores = {}
    for c in criteria:
        key = "points" if c.kind == CriterionKind.SCORED else "passed"
        scores[c.pk] = {key: request.POST.get(f"{key}_{c.pk}", ""),
                        "justification": request.POST.get(f"justification_{c.pk}", "")}
    return scores


@with_lag
@require(can_evaluate)
@require_http_methods(["GET", "POST"])
def assignment(request, lag, pk):
    a = selectors.assignment_for_evaluator(request.user, lag, pk)
    criteria = list(a.application.call.criteria.all())
    posted = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "independent":
                services.assignment_declare(actor=request.user, assignment=a, independent=True)
                messages.success(request, _("Thank you. The application is open for you to score."))
            elif action == "conflict":
                services.assignment_declare(actor=request.user, assignment=a, independent=False,
                                            reason=request.POST.get("reason", ""))
                messages.success(request, _("Your conflict of interest is recorded; another evaluator will score this application."))
                return redirect("grants:evaluations", lag.slug)
            elif action in ("save", "submit"):
                services.sheet_save(actor=request.user, assignment=a, scores=_sheet_input(request, criteria),
                                    comment=request.POST.get("comment", ""), submit=action == "submit")
                messages.success(request, _("Your scores are submitted.") if action == "submit" else _("Draft saved."))
            else:
                raise ValidationError(_("The form was changed on the way; reload the page and try again."))
            return redirect("grants:evaluation", lag.slug, a.pk)
        except ValidationError as exc:
            _errors(request, exc)
            posted = request.POST
    a.refresh_from_db()
    sheet = selectors.own_sheet(a) if a.independence_declared_at else None
    by_criterion = {s.criterion_id: s for s in sheet.scores.all()} if sheet else {}
    rows = []
    for c in criteria:
        s = by_criterion.get(c.pk)
        if posted is not None:
            value = posted.get(f"points_{c.pk}" if c.kind == CriterionKind.SCORED else f"passed_{c.pk}", "")
            why = posted.get(f"justification_{c.pk}", "")
        else:
            value = ("" if s is None or s.points is None else s.points) if c.kind == CriterionKind.SCORED else (
                "" if s is None or s.passed is None else ("yes" if s.passed else "no"))
            why = s.justification if s else ""
        rows.append({"criterion": c, "value": value, "justification": why, "scored": c.kind == CriterionKind.SCORED})
    open_content = bool(a.independence_declared_at) and not a.conflict_declared
    return render(request, "grants/evaluation/assignment.html", {
        "a": a, "app": selectors.application_content(a.application) if open_content else a.application,
        "call": a.application.call, "open_content": open_content, "sheet": sheet, "rows": rows,
        "locked": bool(sheet and sheet.submitted_at) or a.application.status != ApplicationStatus.UNDER_EVALUATION,
        "others": selectors.others_sheets(a) if sheet and sheet.submitted_at else [],
        "comment": posted.get("comment", "") if posted is not None else (sheet.comment if sheet else ""),
    })


# --- manager -------------------------------------------------------------------------------------


@with_lag
@require(can_read_staff_pages)
@require_http_methods(["GET", "POST"])
def progress(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    if request.method == "POST":
        if not can_manage(request.user, lag):
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                report = services.evaluation_assign(actor=request.user, call=call)
                messages.success(request, _("%(n)s assignments made.") % {"n": report.assigned})
                if report.short:
                    messages.warning(request, _("No free evaluator for: %(refs)s. Add evaluators to the pool.")
                                     % {"refs": ", ".join(report.short)})
            elif action == "remind":
                n = services.evaluation_remind(actor=request.user, call=call)
                messages.success(request, _("%(n)s evaluators reminded by e-mail.") % {"n": n})
            elif action == "finish":
                services.evaluation_finish(actor=request.user, call=call)
                messages.success(request, _("The evaluation is finished; the ranking can be computed."))
            elif action == "pool_fill":
                roles = [r for r in request.POST.getlist("roles") if r in (Role.EVALUATOR, Role.BOARD)]
                n = services.pool_fill(actor=request.user, call=call, roles=roles)
                messages.success(request, _("%(n)s people added to the pool.") % {"n": n})
            elif action in ("pool_add", "pool_remove"):
                try:
                    user_id = int(request.POST.get("user", ""))
                except ValueError:
                    raise ValidationError(_("Choose a person.")) from None
                if action == "pool_add":
                    user = selectors.pool_candidates(call).filter(pk=user_id).first()
                    if user is None:
                        raise ValidationError(_("Only people with the evaluator or board role in this LAG can evaluate."))
                    services.pool_add(actor=request.user, call=call, evaluator=user,
                                      is_external=request.POST.get("external") == "on")
                else:
                    row = EvaluatorPool.objects.filter(call=call, evaluator_id=user_id).first()
                    if row is None:
                        raise Http404
                    services.pool_remove(actor=request.user, call=call, evaluator=User.objects.get(pk=row.evaluator_id))
                messages.success(request, _("The pool is updated."))
            else:
                raise ValidationError(_("The form was changed on the way; reload the page and try again."))
            return redirect("grants:evaluation_progress", lag.slug, call.pk)
        except ValidationError as exc:
            _errors(request, exc)
    return render(request, "grants/evaluation/progress.html", {
        "call": call, "apps": selectors.progress(call), "counts": selectors.progress_counts(call),
        "pool": selectors.pool(call), "candidates": selectors.pool_candidates(call),
        "can_edit": can_manage(request.user, lag), "status": request.POST.get("action") if request.method == "POST" else "",
    })
