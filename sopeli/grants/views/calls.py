"""Call pages: the public list and call page (with its PDF), and the manager's editing, publication
and amendments. Staff GET pages: managers and network officers (read only); every POST: managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sopeli.accounts.permissions import require
from sopeli.core.models import Settlement
from sopeli.core.tenancy import with_lag
from sopeli.grants import forms, permissions
from sopeli.grants.models import CallMeasure
from sopeli.grants.selectors import calls as selectors
from sopeli.grants.services import calls as services
from sopeli.grants.services.calls import PART_MODELS
from sopeli.grants.services.checks import received_list_due_on
from sopeli.grants.workflow import CallStatus
from sopeli.strategy.selectors import measures_for_calls


def add_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _post_needs_manager(request, lag) -> None:
    if request.method == "POST" and not permissions.can_manage_calls(request.user, lag):
        raise PermissionDenied


# --- public --------------------------------------------------------------------------------------


@with_lag
def calls(request, lag):
    return render(request, "grants/calls.html", {"calls": selectors.public_calls(lag)})


@with_lag
def call(request, lag, call_id):
    c = permissions.call_for_public(lag, call_id)
    return render(request, "grants/call.html", selectors.call_contents(c))


@with_lag
def call_pdf(request, lag, call_id):
    from sopeli.grants.pdf import call_pdf as make_pdf

    c = permissions.call_for_public(lag, call_id)
    response = HttpResponse(make_pdf(c, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{lag.slug}-call-{c.code.replace("/", "-")}-{get_language()}.pdf"'
    return response


# --- staff ---------------------------------------------------------------------------------------


@with_lag
@require(permissions.can_read_call_staff_pages)
def manage_calls(request, lag):
    return render(request, "grants/manage_calls.html", {
        "calls": selectors.staff_calls(lag), "can_edit": permissions.can_manage_calls(request.user, lag),
    })


def _call_form(request, lag, call=None):
    measures = list(measures_for_calls(lag))
    settlements = Settlement.objects.filter(lag=lag)
    kwargs = {"measures": measures, "settlements": settlements}
    if call is not None:
        kwargs["budgets"] = {cm.measure_id: cm.budget for cm in call.call_measures.all()}
        kwargs["rates"] = {r.applicant_type: r.max_rate for r in call.aid_rates.all()}
        kwargs["chosen_settlements"] = call.eligible_settlements.all()
        kwargs["criteria_codes"] = list(call.criteria.values_list("code", flat=True))
    data = request.POST if request.method == "POST" else None
    return forms.CallForm(data, instance=call, **kwargs), measures


@with_lag
@require(permissions.can_manage_calls)
@require_http_methods(["GET", "POST"])
def manage_new(request, lag):
    form, measures = _call_form(request, lag)
    if not measures:
        messages.warning(request, _("A call needs an approved strategy with measures. Approve the strategy first."))
    if request.method == "POST" and form.is_valid():
        try:
            c = services.call_save_draft(
                actor=request.user, lag=lag, call=None, data=_call_data(form), budgets=form.budgets(), rates=form.rates(),
                settlements=list(form.cleaned_data["settlements"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Draft call saved. Add its questions, criteria and checklist, then publish it."))
            return redirect("grants:manage_call", lag.slug, c.pk)
    return render(request, "grants/manage_call_form.html", {"form": form, "call": None})


def _call_data(form) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if k in form.Meta.fields}
    data["tie_breaks"] = form.cleaned_data["tie_breaks"]
    for name in ("summary_en", "who_can_apply_en", "how_to_apply_ka", "how_to_apply_en", "contact_ka", "contact_en", "title_en", "summary_ka"):
        data[name] = data.get(name) or ""
    return data


@with_lag
@require(permissions.can_manage_calls)
@require_http_methods(["GET", "POST"])
def manage_edit(request, lag, call_id):
    c = permissions.call_for_staff(lag, call_id)
    if c.is_frozen:
        messages.info(request, _("This call is published and frozen. Changes are made as amendments with a reason."))
        return redirect("grants:manage_amend", lag.slug, c.pk)
    form, _measures = _call_form(request, lag, c)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_save_draft(
                actor=request.user, lag=lag, call=c, data=_call_data(form), budgets=form.budgets(), rates=form.rates(),
                settlements=list(form.cleaned_data["settlements"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Draft call saved."))
            return redirect("grants:manage_call", lag.slug, c.pk)
    return render(request, "grants/manage_call_form.html", {"form": form, "call": c})


@with_lag
@require(permissions.can_read_call_staff_pages)
def manage_call(request, lag, call_id):
    c = permissions.call_for_staff(lag, call_id)
    context = selectors.call_contents(c)
    context.update({
        "problems": services.call_problems(c) if c.status == CallStatus.DRAFT else [],
        "can_edit": permissions.can_manage_calls(request.user, lag),
        "received_due_on": received_list_due_on(c) if c.status != CallStatus.DRAFT else None,
        "deadline_passed": c.status == CallStatus.PUBLISHED and c.closes_at is not None and c.closes_at < request.arrived_at,
    })
    return render(request, "grants/manage_call.html", context)


@with_lag
@require(permissions.can_manage_calls)
@require_http_methods(["GET", "POST"])
def manage_part(request, lag, call_id, kind, pk=None):
    if kind not in PART_MODELS:
        raise Http404
    c = permissions.call_for_staff(lag, call_id)
    instance = None
    if pk is not None:
        instance = PART_MODELS[kind].objects.filter(call=c, pk=pk).first()
        if instance is None:
            raise Http404
    form_class = forms.PART_FORMS[kind]
    form = form_class(request.POST or None, instance=instance)
    if c.is_frozen:
        form.add_error(None, _("This call is published and frozen. Changes are made as amendments with a reason."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.call_part_save(actor=request.user, call=c, kind=kind, data=form.service_data(), instance=instance)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("grants:manage_call", args=[lag.slug, c.pk]) + f"#{kind}")
    return render(request, "grants/manage_part_form.html", {
        "form": form, "call": c, "kind": kind, "title": forms.PART_TITLES[kind], "instance": instance,
    })


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_part_delete(request, lag, call_id, kind, pk):
    if kind not in PART_MODELS:
        raise Http404
    c = permissions.call_for_staff(lag, call_id)
    instance = PART_MODELS[kind].objects.filter(call=c, pk=pk).first()
    if instance is None:
        raise Http404
    try:
        services.call_part_delete(actor=request.user, call=c, kind=kind, instance=instance)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deleted."))
    return redirect(reverse("grants:manage_call", args=[lag.slug, c.pk]) + f"#{kind}")


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_publish(request, lag, call_id):
    c = permissions.call_for_staff(lag, call_id)
    try:
        services.call_publish(actor=request.user, call=c)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The call is published. Its rules are now frozen."))
    return redirect("grants:manage_call", lag.slug, c.pk)


@with_lag
@require(permissions.can_manage_calls)
@require_POST
def manage_close(request, lag, call_id):
    """Close the call by hand once its deadline has passed (the worker does it within minutes anyway)."""
    c = permissions.call_for_staff(lag, call_id)
    try:
        services.call_close(actor=request.user, call=c, now=request.arrived_at)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The call is closed. Evaluators can now be assigned."))
    return redirect("grants:manage_call", lag.slug, c.pk)


@with_lag
@require(permissions.can_manage_calls)
@require_http_methods(["GET", "POST"])
def manage_amend(request, lag, call_id):
    c = permissions.call_for_staff(lag, call_id)
    if not c.is_frozen:
        return redirect("grants:manage_edit", lag.slug, c.pk)
    call_measures = list(CallMeasure.objects.filter(call=c).select_related("measure"))
    initial = {"closes_at": c.closes_at, "ideas_close_at": c.ideas_close_at, "summary_ka": c.summary_ka, "summary_en": c.summary_en,
               "how_to_apply_ka": c.how_to_apply_ka, "how_to_apply_en": c.how_to_apply_en}
    form = forms.AmendForm(request.POST or None, initial=initial, call_measures=call_measures)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_amend(
                actor=request.user, call=c, reason_ka=form.cleaned_data["reason_ka"], reason_en=form.cleaned_data["reason_en"],
                changes=form.changes(c), budgets=form.budgets(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The amendment is published beside the original call."))
            return redirect("grants:manage_call", lag.slug, c.pk)
    return render(request, "grants/manage_amend.html", {"form": form, "call": c})
