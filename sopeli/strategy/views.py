"""Strategy pages: public reading (current version, any public version, comparison, PDF) and the
manager's editing of a draft. Reading a draft or the staff overview needs ``can_read_staff_pages``;
every change needs ``can_manage``."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require
from sopeli.core.tenancy import with_lag
from sopeli.strategy import forms, selectors, services
from sopeli.strategy.models import (
    FinancialPlanRow,
    Indicator,
    IndicatorKind,
    KeyFigure,
    Measure,
    Objective,
    PlannedCall,
    StrategySection,
    SwotItem,
    VersionStatus,
)

# --- Public pages ------------------------------------------------------------------------------


def _can_see_drafts(request, lag) -> bool:
    return can_read_staff_pages(request.user, lag)


# An approved (or superseded) version never changes, so its body (table of contents and every
# section) is rendered once per language and process and kept for a while; drafts and versions in
# consultation are always rendered afresh. The body also shows the LAG's villages, which staff can
# edit: the cache expires so that such an edit shows within BODY_CACHE_SECONDS.
BODY_CACHE_SECONDS = 600


def _version_page(request, version, context: dict):
    if version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED):
        return render(request, "strategy/version.html", {**context, **selectors.version_contents(version)})
    approved = version.approved_at.timestamp() if version.approved_at else 0
    key = f"strategy-body:{version.pk}:{version.status}:{approved}:{get_language()}"
    body = cache.get(key)
    if body is None:
        body = render_to_string("strategy/_body.html", selectors.version_contents(version), request=request)
        cache.set(key, body, BODY_CACHE_SECONDS)
    return render(request, "strategy/version.html", {**context, "version": version, "cached_body": mark_safe(body)})  # noqa: S308 - our own rendered template


@with_lag
def strategy(request, lag):
    version = selectors.current_version(lag)
    context = {"strategy": selectors.strategy_for(lag), "is_current": True}
    if version is None:
        context["versions"] = selectors.versions(lag, include_drafts=_can_see_drafts(request, lag))
        return render(request, "strategy/none.html", context)
    return _version_page(request, version, context)


@with_lag
def version(request, lag, number):
    v = selectors.version_for(lag, number, include_drafts=_can_see_drafts(request, lag))
    return _version_page(request, v, {"strategy": v.strategy})


@with_lag
def versions(request, lag):
    return render(request, "strategy/versions.html", {
        "strategy": selectors.strategy_for(lag),
        "versions": selectors.versions(lag, include_drafts=_can_see_drafts(request, lag)),
    })


@with_lag
def version_pdf(request, lag, number):
    from weasyprint import HTML

    v = selectors.version_for(lag, number, include_drafts=_can_see_drafts(request, lag))
    html = render_to_string("strategy/version_pdf.html", {"lag": lag, "strategy": v.strategy, **selectors.version_contents(v)}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{lag.slug}-strategy-v{v.number}-{get_language()}.pdf"'
    return response


@with_lag
def compare(request, lag):
    include_drafts = _can_see_drafts(request, lag)
    all_versions = list(selectors.versions(lag, include_drafts=include_drafts))
    numbers = {v.number: v for v in all_versions}
    context = {"strategy": selectors.strategy_for(lag), "versions": all_versions, "sections": None}
    raw_a, raw_b = request.GET.get("a"), request.GET.get("b")
    if raw_a is None and raw_b is None:
        if len(all_versions) >= 2:
            raw_a, raw_b = str(all_versions[1].number), str(all_versions[0].number)
        else:
            return render(request, "strategy/compare.html", context)
    try:
        a, b = numbers[int(raw_a)], numbers[int(raw_b)]
    except (TypeError, ValueError, KeyError):
        context["error"] = _("Choose two versions from the list to compare.")
        return render(request, "strategy/compare.html", context, status=400)
    context.update({"a": a, "b": b, "sections": selectors.compare(a, b)})
    return render(request, "strategy/compare.html", context)


# --- Manager pages -----------------------------------------------------------------------------


@with_lag
@require(can_read_staff_pages)
def manage(request, lag):
    strategy_ = selectors.strategy_for(lag)
    return render(request, "strategy/manage.html", {
        "strategy": strategy_,
        "versions": selectors.versions(lag, include_drafts=True),
        "create_form": forms.StrategyCreateForm() if strategy_ is None else None,
        "can_edit": can_manage(request.user, lag),
    })


@with_lag
@require(can_manage)
@require_POST
def manage_create(request, lag):
    form = forms.StrategyCreateForm(request.POST)
    if form.is_valid():
        try:
            v = services.strategy_create(actor=request.user, lag=lag, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The strategy is started: version 1 is a draft."))
            return redirect("strategy:manage_version", lag.slug, v.number)
    else:
        messages.error(request, _("Give the strategy a title in Georgian."))
    return redirect("strategy:manage", lag.slug)


@with_lag
@require(can_manage)
@require_POST
def manage_amend(request, lag):
    strategy_ = selectors.strategy_for(lag)
    if strategy_ is None:
        raise Http404
    try:
        v = services.strategy_version_create_amendment(actor=request.user, strategy=strategy_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("strategy:manage", lag.slug)
    messages.success(request, _("Version %(number)s is a draft copy of the approved version.") % {"number": v.number})
    return redirect("strategy:manage_version", lag.slug, v.number)


@with_lag
@require(can_read_staff_pages)
def manage_version(request, lag, number):
    v = selectors.version_for(lag, number, include_drafts=True)
    return render(request, "strategy/manage_version.html", {
        "strategy": v.strategy, **selectors.version_contents(v),
        "can_edit": can_manage(request.user, lag) and v.is_editable,
        "can_act": can_manage(request.user, lag),
        "actions": services.allowed_actions(v),
        "text_sections": forms.TEXT_SECTIONS,
    })


def _editable_version_or_redirect(request, lag, number):
    v = selectors.version_for(lag, number, include_drafts=True)
    if not v.is_editable:
        messages.error(request, _("Version %(number)s is approved or superseded and cannot be changed. Create an amendment instead.")
                       % {"number": v.number})
        return v, redirect("strategy:manage_version", lag.slug, v.number)
    return v, None


@with_lag
@require(can_manage)
def edit_text(request, lag, number, section):
    if section not in forms.TEXT_SECTIONS:
        raise Http404
    v, stop = _editable_version_or_redirect(request, lag, number)
    if stop:
        return stop
    form = forms.text_form_class(section)(request.POST or None, instance=v)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.strategy_version_update(actor=request.user, version=v, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(reverse("strategy:manage_version", args=[lag.slug, v.number]) + f"#{section}")
        status = 400
    return render(request, "strategy/manage_form.html", {
        "form": form, "version": v, "title": forms.TEXT_SECTIONS[section][0], "anchor": section,
    }, status=status)


@dataclass(frozen=True)
class Part:
    model: type
    form: type
    save: object
    title: object
    anchor: str
    filters: dict


PARTS = {
    "key-figures": Part(KeyFigure, forms.KeyFigureForm, services.key_figure_save, gettext_lazy("Key figure"), StrategySection.PROFILE, {}),
    "swot": Part(SwotItem, forms.SwotItemForm, services.swot_item_save, gettext_lazy("SWOT item"), StrategySection.SWOT, {}),
    "objectives": Part(Objective, forms.ObjectiveForm, services.objective_save, gettext_lazy("Objective"), StrategySection.OBJECTIVES, {}),
    "result-indicators": Part(
        Indicator, forms.ResultIndicatorForm, services.indicator_save, gettext_lazy("Result indicator"),
        StrategySection.OBJECTIVES, {"kind": IndicatorKind.RESULT},
    ),
    "measures": Part(Measure, forms.MeasureForm, services.measure_save, gettext_lazy("Measure"), StrategySection.MEASURES, {}),
    "output-indicators": Part(
        Indicator, forms.OutputIndicatorForm, services.indicator_save, gettext_lazy("Output indicator"),
        StrategySection.MEASURES, {"kind": IndicatorKind.OUTPUT},
    ),
    "calls": Part(PlannedCall, forms.PlannedCallForm, services.planned_call_save, gettext_lazy("Planned call"), StrategySection.ACTION_PLAN, {}),
    "finance": Part(
        FinancialPlanRow, forms.FinancialRowForm, services.financial_row_save, gettext_lazy("Financial plan row"),
        StrategySection.FINANCIAL_PLAN, {},
    ),
}


def _part(kind: str) -> Part:
    if kind not in PARTS:
        raise Http404
    return PARTS[kind]


@with_lag
@require(can_manage)
def part_edit(request, lag, number, kind, pk=None):
    part = _part(kind)
    v, stop = _editable_version_or_redirect(request, lag, number)
    if stop:
        return stop
    instance = get_object_or_404(part.model, version=v, pk=pk, **part.filters) if pk else None
    form = part.form(request.POST or None, instance=instance or part.model(version=v), version=v)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                part.save(actor=request.user, version=v, instance=instance, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(reverse("strategy:manage_version", args=[lag.slug, v.number]) + f"#{part.anchor}")
        status = 400
    return render(request, "strategy/manage_form.html", {
        "form": form, "version": v, "title": part.title, "anchor": part.anchor, "instance": instance,
        "delete_url": reverse("strategy:part_delete", args=[lag.slug, v.number, kind, pk]) if pk else None,
    }, status=status)


@with_lag
@require(can_manage)
def part_delete(request, lag, number, kind, pk):
    part = _part(kind)
    v, stop = _editable_version_or_redirect(request, lag, number)
    if stop:
        return stop
    instance = get_object_or_404(part.model, version=v, pk=pk, **part.filters)
    if request.method == "POST":
        try:
            services.version_part_delete(actor=request.user, version=v, instance=instance)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deleted."))
        return redirect(reverse("strategy:manage_version", args=[lag.slug, v.number]) + f"#{part.anchor}")
    return render(request, "strategy/manage_delete.html", {"version": v, "title": part.title, "instance": instance, "anchor": part.anchor})


def _transition_view(service, done_message):
    @with_lag
    @require(can_manage)
    @require_POST
    def view(request, lag, number):
        v = selectors.version_for(lag, number, include_drafts=True)
        try:
            service(actor=request.user, version=v)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done_message())
        return redirect("strategy:manage_version", lag.slug, v.number)

    return view


submit = _transition_view(services.strategy_version_submit, lambda: _("The draft is open for public consultation."))
reopen = _transition_view(services.strategy_version_reopen, lambda: _("The version is back in drafting."))


@with_lag
@require(can_manage)
def approve(request, lag, number):
    v = selectors.version_for(lag, number, include_drafts=True)
    form = forms.ApproveForm(request.POST or None, items=selectors.approvable_items(lag))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.strategy_version_approve(actor=request.user, version=v, agenda_item=form.cleaned_data["agenda_item"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Version %(number)s is approved and now the LAG's strategy.") % {"number": v.number})
                return redirect("strategy:strategy", lag.slug)
        status = 400
    return render(request, "strategy/manage_approve.html", {"form": form, "version": v}, status=status)
