"""Monitoring pages: the LAG dashboard, donor report downloads, research studies (staff), and the
network dashboard (network officers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.accounts.permissions import require
from sopeli.consultation.forms import ResponseForm
from sopeli.consultation.models import Survey
from sopeli.consultation.selectors import survey_questions
from sopeli.consultation.services import response_submit
from sopeli.core.tenancy import with_lag
from sopeli.monitoring import forms, permissions, reports, selectors, services

READ = permissions.can_read_monitoring
WRITE = permissions.can_manage_research


def _post_only_managers(request, lag):
    if request.method == "POST" and not WRITE(request.user, lag):
        raise PermissionDenied


@with_lag
@require(READ)
def dashboard(request, lag):
    return render(request, "monitoring/dashboard.html", {"lag": lag, **selectors.lag_dashboard(lag)})


@with_lag
@require(READ)
def donor_report(request, lag, fmt):
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(reports.donor_xlsx(lag),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="donor-report-{lag.slug}-{stamp}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(reports.donor_pdf(lag, request=request), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="donor-report-{lag.slug}-{stamp}.pdf"'
        return response
    from django.http import Http404

    raise Http404


def _free_surveys(lag):
    return Survey.objects.filter(lag=lag, consultation__isnull=True, baseline_of__isnull=True, endline_of__isnull=True)


@with_lag
@require(READ)
def research(request, lag):
    _post_only_managers(request, lag)
    surveys = list(_free_surveys(lag))
    form = forms.StudyForm(request.POST or None, surveys=surveys)
    if request.method == "POST":
        if form.is_valid():
            baseline = next(s for s in surveys if s.pk == form.cleaned_data["baseline"])
            try:
                services.study_create(actor=request.user, lag=lag, title_ka=form.cleaned_data["title_ka"],
                                      title_en=form.cleaned_data["title_en"], baseline=baseline)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Study created."))
                return redirect("monitoring:research", lag.slug)
    return render(request, "monitoring/research.html", {"lag": lag, "studies": list(selectors.studies(lag)), "form": form,
                                                        "has_surveys": bool(surveys), "can_write": WRITE(request.user, lag)},
                  status=400 if form.errors else 200)


@with_lag
@require(READ)
def study(request, lag, pk):
    _post_only_managers(request, lag)
    found = selectors.study_for(lag, pk)
    form = forms.EndlineForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.endline_create(actor=request.user, study=found, opens_at=form.cleaned_data["opens_at"],
                                        closes_at=form.cleaned_data["closes_at"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Endline survey created with the baseline's questions."))
                return redirect("monitoring:study", lag.slug, found.pk)
    return render(request, "monitoring/study.html", {"lag": lag, **selectors.research_comparison(found), "form": form,
                                                     "can_write": WRITE(request.user, lag)}, status=400 if form.errors else 200)


@with_lag
@require(READ)
def study_entry(request, lag, pk, which):
    """Enter a household form on paper into the baseline or endline (the consultation engine's paper entry)."""
    _post_only_managers(request, lag)
    found = selectors.study_for(lag, pk)
    survey = found.baseline if which == "baseline" else found.endline if which == "endline" else None
    if survey is None:
        from django.http import Http404

        raise Http404
    questions = survey_questions(survey)
    form = ResponseForm(request.POST or None, survey=survey, questions=questions, paper=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            response_submit(actor=request.user, survey=survey, answers=form.answers(), village=d.get("village"),
                            gender=d.get("gender", ""), age_band=d.get("age_band", ""), submission_key=d.get("submission_key"),
                            paper_reference=d["paper_reference"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Household form recorded. Enter the next one."))
            return redirect("monitoring:study_entry", lag.slug, found.pk, which)
    return render(request, "monitoring/study_entry.html", {"lag": lag, "study": found, "survey": survey, "form": form,
                                                           "which": which, "can_write": WRITE(request.user, lag)},
                  status=400 if form.errors else 200)


def network(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_read_network(request.user):
        raise PermissionDenied
    if request.method == "POST":
        raise PermissionDenied
    return render(request, "monitoring/network.html", selectors.network_dashboard())
