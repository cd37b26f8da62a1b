"""The public list of received applications, and the staff pages for checking applications:
the call's list, one application with its checklist, fix requests and the eligibility decision,
the received list's publication, and paper applications entered for residents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sopeli.accounts.permissions import require
from sopeli.core.tenancy import with_lag
from sopeli.grants import forms, permissions
from sopeli.grants.models import Application, ChecklistAnswer
from sopeli.grants.selectors import applications as app_selectors
from sopeli.grants.selectors import checks as selectors
from sopeli.grants.services import applications as app_services
from sopeli.grants.services import checks as services
from sopeli.grants.views.calls import add_errors
from sopeli.grants.workflow import ApplicationStatus, CallStatus

# Rows per page of the long lists (a call may receive thousands of applications): small enough for a
# phone on a weak connection, big enough to scan.
PAGE_SIZE = 50


def _number(raw) -> int | None:
    try:
        value = int(str(raw or "").strip().rsplit("-", 1)[-1])
    except ValueError:
        return None
    return value if value > 0 else None


@with_lag
def received(request, lag, call_id):
    """Public once published: number, title, applicant type, village, amount — nothing personal."""
    call = permissions.call_for_public(lag, call_id)
    if not call.received_list_published_at and not permissions.can_read_call_staff_pages(request.user, lag):
        raise Http404
    rows = selectors.received_list(call)
    wanted, page_number = _number(request.GET.get("number")), request.GET.get("page")
    if wanted:  # "find my number": open the page that holds it
        page_number = selectors.position_of_number(rows, wanted) // PAGE_SIZE + 1
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    return render(request, "grants/received.html", {
        "call": call, "page": page, "wanted": wanted, "searched": "number" in request.GET,
        "found": bool(wanted) and any(a.number == wanted for a in page.object_list)})


@with_lag
@require(permissions.can_read_call_staff_pages)
def manage_applications(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    status = request.GET.get("status") or None
    if status and status not in ApplicationStatus.values:
        status = None
    counts = dict(
        Application.objects.filter(call=call).exclude(status=ApplicationStatus.DRAFT)
        .values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return render(request, "grants/manage_applications.html", {
        "call": call, "status": status,
        "page": Paginator(app_selectors.staff_applications(call, status=status), PAGE_SIZE).get_page(request.GET.get("page")),
        "counts": [(s, label, counts.get(s, 0)) for s, label in ApplicationStatus.choices if s != ApplicationStatus.DRAFT],
        "can_edit": permissions.can_manage_calls(request.user, lag),
        "due_on": services.received_list_due_on(call),
    })


@with_lag
@require(permissions.can_read_call_staff_pages)
def manage_application(request, lag, pk):
    app = app_selectors.application_full(permissions.application_for_staff(lag, pk))
    check = selectors.check_for(app)
    results = {r.item_id: r for r in check.items.all()} if check else {}
    checklist = [{"item": i, "result": results.get(i.pk)} for i in app.call.checklist.all()]
    return render(request, "grants/manage_application.html", {
        "app": app, "call": app.call, "check": check, "checklist": checklist, "answers": ChecklistAnswer.choices,
        "can_edit": permissions.can_manage_calls(request.user, lag),
        "checkable": app.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.NEEDS_FIXES),
        "decision_form": forms.DecisionForm(), "fix_form": forms.FixRequestForm(), "timeline": app_selectors.timeline(app),
        "problems": app_services.application_problems(app, assisted=bool(app.assisted_by_id)),
    })


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_checklist(request, lag, pk):
    app = permissions.application_for_staff(lag, pk)
    results = {}
    for item in app.call.checklist.all():
        answer = request.POST.get(f"item_{item.pk}")
        if answer:
            results[item.pk] = (answer, request.POST.get(f"note_{item.pk}", ""))
    try:
        services.check_save(actor=request.user, application=app, results=results)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Checklist saved."))
    return redirect("grants:manage_application", lag.slug, app.pk)


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_fix(request, lag, pk):
    app = permissions.application_for_staff(lag, pk)
    form = forms.FixRequestForm(request.POST)
    if form.is_valid():
        try:
            services.fix_request(actor=request.user, application=app, items=form.cleaned_data["items"], deadline=form.cleaned_data["deadline"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The applicant was asked to fix the missing items."))
            return redirect("grants:manage_application", lag.slug, app.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("grants:manage_application", lag.slug, app.pk)


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_decide(request, lag, pk):
    app = permissions.application_for_staff(lag, pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.check_decide(actor=request.user, application=app, eligible=form.cleaned_data["eligible"],
                                  reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded; the applicant is notified."))
            return redirect("grants:manage_application", lag.slug, app.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("grants:manage_application", lag.slug, app.pk)


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_publish_received(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    try:
        services.received_list_publish(actor=request.user, call=call)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The list of received applications is published."))
    return redirect("grants:manage_applications", lag.slug, call.pk)


@with_lag
@require(permissions.can_manage_calls)
@require_http_methods(["GET", "POST"])
def manage_paper(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    if call.status != CallStatus.PUBLISHED:
        messages.error(request, _("Paper applications are entered while the call is open."))
        return redirect("grants:manage_call", lag.slug, call.pk)
    eligible = call.eligible_settlements.all()
    settlements = eligible if eligible.exists() else lag.settlements.all()
    form = forms.PaperForm(request.POST or None, request.FILES or None, call=call, settlements=settlements)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = app_services.application_assisted_submit(
                actor=request.user, call=call, resident_name=d["resident_name"], resident_email=d["resident_email"],
                village=d["village"], data={k: d[k] for k in ("measure", "applicant_type", "applicant_name", "title", "summary") if d.get(k)},
                lines=[(str(_("Total cost as on the paper form")), d["total_budget"])], requested_grant=d["requested_grant"],
                scan=d["scan"], received_at=d["received_at"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Paper application entered as %(ref)s.") % {"ref": app.reference})
            return redirect("grants:manage_application", lag.slug, app.pk)
    return render(request, "grants/manage_paper.html", {"form": form, "call": call})
