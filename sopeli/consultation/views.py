"""Consultation pages. Public: list, consultation, ideas, idea, post an idea, comments on the
draft, survey, results, village meetings, report. Staff (``…/manage/consultation/…``): managers
change things; network officers read every staff page and get 403 on any POST."""

import csv
from functools import wraps
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import can_manage, can_read_staff_pages
from sopeli.consultation import forms, selectors, services
from sopeli.consultation.models import Comment, Idea, Phase, PhaseKind
from sopeli.core.tenancy import with_lag

PAGE_SIZE = 30


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def staff_page(view):
    """LAG staff pages: GET for managers and network officers, POST (any change) for managers only."""

    @wraps(view)
    def wrapper(request, lag, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_read_staff_pages(request.user, lag):
            raise PermissionDenied
        if request.method == "POST" and not can_manage(request.user, lag):
            raise PermissionDenied
        request.can_edit = can_manage(request.user, lag)
        return view(request, lag, *args, **kwargs)

    return with_lag(wrapper)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Public pages -----------------------------------------------------------------------------------


@with_lag
def consultation_list(request, lag):
    return render(request, "consultation/list.html", selectors.consultations_for_lag(lag))


@with_lag
def consultation_detail(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    return render(request, "consultation/detail.html", {
        "consultation": consultation, "report": selectors.consultation_report(consultation),
    })


@with_lag
def ideas(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    village, theme = _int(request.GET.get("village")), _int(request.GET.get("theme"))
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.SORTS else "support"
    answer = request.GET.get("answer") or None
    ideas_ = selectors.ideas_list(consultation, village=village, theme=theme, sort=sort, answer=answer)
    page = Paginator(ideas_, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "consultation/ideas.html", {
        "consultation": consultation, "page": page, "village": village, "theme": theme, "sort": sort, "answer": answer,
        "query": query.urlencode(), **selectors.filter_choices(consultation),
    })


@with_lag
def idea_detail(request, lag, pk, idea_pk):
    consultation = selectors.consultation_for(lag, pk)
    idea = selectors.idea_for(consultation, idea_pk)
    return render(request, "consultation/idea.html", {
        "consultation": consultation, **selectors.idea_page(consultation, idea, request.user),
    })


@with_lag
def idea_new(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    form = forms.IdeaForm(request.POST or None, lag=lag, user=request.user)
    is_open = PhaseKind.IDEAS in consultation.open_kinds
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                idea = services.idea_post(actor=request.user, consultation=consultation, **data)
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                if idea.confirmed:
                    messages.success(request, _("Thank you: your idea is published."))
                else:
                    messages.success(request, _("Thank you: your idea is published and marked 'not yet confirmed' until the LAG's staff confirm it."))
                return redirect("consultation:idea", lag.slug, consultation.pk, idea.pk)
        status = 400
    return render(request, "consultation/idea_form.html", {"consultation": consultation, "form": form, "is_open": is_open}, status=status)


@with_lag
@require_POST
def idea_support(request, lag, pk, idea_pk):
    consultation = selectors.consultation_for(lag, pk)
    idea = get_object_or_404(Idea.objects.select_related("merged_into", "consultation"), consultation=consultation, pk=idea_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("consultation:idea", args=[lag.slug, consultation.pk, idea.pk]))
    try:
        supported, added = services.idea_support(actor=request.user, idea=idea)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("consultation:idea", lag.slug, consultation.pk, idea.pk)
    if added:
        messages.success(request, _("Thank you for your support."))
    else:
        messages.info(request, _("You already support this idea."))
    return redirect("consultation:idea", lag.slug, consultation.pk, supported.pk)


@with_lag
def comments(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    sections = selectors.comments_by_section(consultation)
    is_open = PhaseKind.COMMENTS in consultation.open_kinds and consultation.version_id is not None
    form = forms.CommentForm(request.POST or None, sections=sections)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                comment = services.comment_post(actor=request.user, consultation=consultation, **data)
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Thank you: your comment is published."))
                return redirect(reverse("consultation:comments", args=[lag.slug, consultation.pk]) + f"#comment-{comment.pk}")
        status = 400
    return render(request, "consultation/comments.html", {
        "consultation": consultation, "sections": sections, "form": form, "is_open": is_open,
    }, status=status)


@with_lag
def survey(request, lag, pk, survey_pk):
    consultation = selectors.consultation_for(lag, pk)
    survey_ = selectors.survey_for(consultation, survey_pk)
    questions = selectors.survey_questions(survey_)
    form = forms.ResponseForm(request.POST or None, survey=survey_, questions=questions)
    status = 200
    answered = survey_.signed and request.user.is_authenticated and survey_.responses.filter(respondent=request.user).exists()
    if request.method == "POST":
        if survey_.signed and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.response_submit(actor=request.user, survey=survey_, answers=form.answers(), village=d.get("village"),
                                         gender=d.get("gender", ""), age_band=d.get("age_band", ""), submission_key=d.get("submission_key"))
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Thank you: your answers are recorded."))
                return redirect("consultation:survey_results", lag.slug, consultation.pk, survey_.pk)
        status = 400
    return render(request, "consultation/survey.html", {"consultation": consultation, "survey": survey_, "form": form,
                                                        "answered": answered}, status=status)


@with_lag
def survey_results(request, lag, pk, survey_pk):
    consultation = selectors.consultation_for(lag, pk)
    survey_ = selectors.survey_for(consultation, survey_pk)
    return render(request, "consultation/results.html", {"consultation": consultation, **selectors.survey_results(survey_)})


@with_lag
def meetings(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    return render(request, "consultation/meetings.html", {"consultation": consultation, "meetings": selectors.meetings_list(consultation)})


@with_lag
def report(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    return render(request, "consultation/report.html", {"consultation": consultation, **selectors.report_page(consultation)})


# --- Staff pages -------------------------------------------------------------------------------------


@staff_page
def manage_list(request, lag):
    form = forms.ConsultationForm(request.POST or None, lag=lag)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.consultation_create(actor=request.user, lag=lag, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Consultation created. Now add its phases."))
            return redirect("consultation:manage", lag.slug, c.pk)
    return render(request, "consultation/manage_list.html", {**selectors.consultations_for_lag(lag), "form": form},
                  status=400 if request.method == "POST" else 200)


@staff_page
def manage(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    form = forms.ConsultationForm(request.POST or None, lag=lag, instance=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(actor=request.user, consultation=consultation, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("consultation:manage", lag.slug, consultation.pk)
    return render(request, "consultation/manage.html", {
        "consultation": consultation, "form": form, "phase_form": forms.PhaseForm(),
        "report": selectors.consultation_report(consultation),
    }, status=400 if request.method == "POST" else 200)


@staff_page
@require_POST
def phase_new(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    form = forms.PhaseForm(request.POST)
    if form.is_valid():
        try:
            services.phase_create(actor=request.user, consultation=consultation, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Phase added."))
            return redirect("consultation:manage", lag.slug, consultation.pk)
    return render(request, "consultation/manage.html", {
        "consultation": consultation, "form": forms.ConsultationForm(lag=lag, instance=consultation), "phase_form": form,
        "report": selectors.consultation_report(consultation),
    }, status=400)


@staff_page
def phase_edit(request, lag, pk, phase_pk):
    consultation = selectors.consultation_for(lag, pk)
    phase = get_object_or_404(Phase, consultation=consultation, pk=phase_pk)
    form = forms.PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_update(actor=request.user, phase=phase, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Phase saved."))
            return redirect("consultation:manage", lag.slug, consultation.pk)
    return render(request, "consultation/manage_phase.html", {"consultation": consultation, "phase": phase, "form": form},
                  status=400 if request.method == "POST" else 200)


@staff_page
def manage_inputs(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    status = request.GET.get("status") or ""
    return render(request, "consultation/manage_inputs.html", {
        "consultation": consultation, "status": status, **selectors.manage_inputs(consultation, status=status),
    })


def _idea_context(consultation, idea, **overrides):
    context = {
        "consultation": consultation, "idea": idea, "merged": list(idea.merged_ideas.order_by("created_at")),
        "hide_form": forms.HideForm(), "merge_form": forms.MergeForm(idea=idea),
        "answer_form": forms.AnswerForm(consultation=consultation, initial={
            "status": idea.answer_status if idea.answer_status != "merged" else "pending", "text": idea.answer_text,
            "objective": idea.answer_objective_id, "measure": idea.answer_measure_id,
        }),
    }
    context.update(overrides)
    return context


@staff_page
def manage_idea(request, lag, pk, idea_pk):
    consultation = selectors.consultation_for(lag, pk)
    idea = selectors.idea_for(consultation, idea_pk)
    return render(request, "consultation/manage_idea.html", _idea_context(consultation, idea))


@staff_page
@require_POST
def manage_idea_action(request, lag, pk, idea_pk, action):
    consultation = selectors.consultation_for(lag, pk)
    idea = selectors.idea_for(consultation, idea_pk)
    overrides = {}
    try:
        if action == "hide":
            form = overrides["hide_form"] = forms.HideForm(request.POST)
            if form.is_valid():
                services.idea_hide(actor=request.user, idea=idea, reason=form.cleaned_data["reason"])
                messages.success(request, _("Hidden. The public sees only the reason."))
                return redirect("consultation:manage_idea", lag.slug, consultation.pk, idea.pk)
        elif action == "unhide":
            services.idea_unhide(actor=request.user, idea=idea)
            messages.success(request, _("Shown again."))
            return redirect("consultation:manage_idea", lag.slug, consultation.pk, idea.pk)
        elif action == "confirm":
            services.idea_confirm(actor=request.user, idea=idea)
            messages.success(request, _("Confirmed."))
            return redirect("consultation:manage_idea", lag.slug, consultation.pk, idea.pk)
        elif action == "merge":
            form = overrides["merge_form"] = forms.MergeForm(request.POST, idea=idea)
            if form.is_valid():
                kept = services.idea_merge(actor=request.user, duplicate=idea, kept=form.cleaned_data["kept"])
                messages.success(request, _("Merged. Its supports now count for the idea kept."))
                return redirect("consultation:manage_idea", lag.slug, consultation.pk, kept.pk)
        elif action == "answer":
            form = overrides["answer_form"] = forms.AnswerForm(request.POST, consultation=consultation)
            if form.is_valid():
                services.idea_answer(actor=request.user, idea=idea, **form.cleaned_data)
                messages.success(request, _("Answer saved."))
                return redirect("consultation:manage_idea", lag.slug, consultation.pk, idea.pk)
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return render(request, "consultation/manage_idea.html", _idea_context(consultation, idea, **overrides), status=400)


@staff_page
def manage_idea_new(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    form = forms.StaffIdeaForm(request.POST or None, consultation=consultation, initial={"meeting": _int(request.GET.get("meeting")),
                                                                                          "source": "meeting" if request.GET.get("meeting") else None})
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_post(actor=request.user, consultation=consultation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Idea recorded."))
            return redirect("consultation:manage_idea", lag.slug, consultation.pk, idea.pk)
    return render(request, "consultation/manage_form.html", {
        "consultation": consultation, "form": form, "title": _("Record an idea from a meeting or a paper form"),
    }, status=400 if request.method == "POST" else 200)


@staff_page
def manage_comment_new(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    sections = selectors.comments_by_section(consultation) if consultation.version_id else []
    form = forms.StaffCommentForm(request.POST or None, consultation=consultation, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_post(actor=request.user, consultation=consultation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Comment recorded."))
            return redirect("consultation:manage_comment", lag.slug, consultation.pk, comment.pk)
    return render(request, "consultation/manage_form.html", {
        "consultation": consultation, "form": form, "title": _("Record a comment on the draft from a meeting or a paper form"),
    }, status=400 if request.method == "POST" else 200)


def _comment_context(consultation, comment, **overrides):
    return {
        "consultation": consultation, "comment": comment, "hide_form": forms.HideForm(),
        "answer_form": forms.AnswerForm(consultation=consultation, initial={
            "status": comment.answer_status, "text": comment.answer_text,
            "objective": comment.answer_objective_id, "measure": comment.answer_measure_id,
        }), **overrides,
    }


@staff_page
def manage_comment(request, lag, pk, comment_pk, action=None):
    consultation = selectors.consultation_for(lag, pk)
    comment = get_object_or_404(Comment.objects.select_related("village", "answer_objective", "answer_measure"),
                                consultation=consultation, pk=comment_pk)
    overrides = {}
    if request.method == "POST":
        try:
            if action == "hide":
                form = overrides["hide_form"] = forms.HideForm(request.POST)
                if form.is_valid():
                    services.comment_hide(actor=request.user, comment=comment, reason=form.cleaned_data["reason"])
                    messages.success(request, _("Hidden. The public sees only the reason."))
                    return redirect("consultation:manage_comment", lag.slug, consultation.pk, comment.pk)
            elif action == "unhide":
                services.comment_unhide(actor=request.user, comment=comment)
                messages.success(request, _("Shown again."))
                return redirect("consultation:manage_comment", lag.slug, consultation.pk, comment.pk)
            elif action == "answer":
                form = overrides["answer_form"] = forms.AnswerForm(request.POST, consultation=consultation)
                if form.is_valid():
                    services.comment_answer(actor=request.user, comment=comment, **form.cleaned_data)
                    messages.success(request, _("Answer saved."))
                    return redirect("consultation:manage_comment", lag.slug, consultation.pk, comment.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return render(request, "consultation/manage_comment.html", _comment_context(consultation, comment, **overrides), status=400)
    return render(request, "consultation/manage_comment.html", _comment_context(consultation, comment))


@staff_page
def manage_meetings(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    form = forms.MeetingForm(request.POST or None, lag=lag)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(actor=request.user, consultation=consultation, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Village meeting recorded. Add the ideas collected there."))
            return redirect("consultation:manage_meetings", lag.slug, consultation.pk)
    return render(request, "consultation/manage_meetings.html", {
        "consultation": consultation, "form": form, "meetings": selectors.meetings_list(consultation),
    }, status=400 if request.method == "POST" else 200)


@staff_page
def manage_surveys(request, lag, pk):
    consultation = selectors.consultation_for(lag, pk)
    form = forms.SurveyForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.survey_create(actor=request.user, lag=lag, consultation=consultation, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Survey created. Add its questions."))
            return redirect("consultation:manage_survey", lag.slug, consultation.pk, s.pk)
    return render(request, "consultation/manage_surveys.html", {"consultation": consultation, "form": form},
                  status=400 if request.method == "POST" else 200)


@staff_page
def manage_survey(request, lag, pk, survey_pk):
    consultation = selectors.consultation_for(lag, pk)
    survey_ = selectors.survey_for(consultation, survey_pk)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.question_add(actor=request.user, survey=survey_, choices=d["choice_pairs"], data={
                "kind": d["kind"], "text_ka": d["text_ka"], "text_en": d["text_en"] or d["text_ka"], "required": d["required"],
            })
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Question added."))
            return redirect("consultation:manage_survey", lag.slug, consultation.pk, survey_.pk)
    return render(request, "consultation/manage_survey.html", {
        "consultation": consultation, "survey": survey_, "questions": selectors.survey_questions(survey_), "form": form,
        "response_count": survey_.responses.count(),
    }, status=400 if request.method == "POST" else 200)


@staff_page
def survey_paper(request, lag, pk, survey_pk):
    consultation = selectors.consultation_for(lag, pk)
    survey_ = selectors.survey_for(consultation, survey_pk)
    questions = selectors.survey_questions(survey_)
    form = forms.ResponseForm(request.POST or None, survey=survey_, questions=questions, paper=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.response_submit(actor=request.user, survey=survey_, answers=form.answers(), village=d.get("village"),
                                     gender=d.get("gender", ""), age_band=d.get("age_band", ""),
                                     submission_key=d.get("submission_key"), paper_reference=d["paper_reference"])
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Paper response recorded. Enter the next one."))
            return redirect("consultation:survey_paper", lag.slug, consultation.pk, survey_.pk)
    return render(request, "consultation/survey_paper.html", {"consultation": consultation, "survey": survey_, "form": form},
                  status=400 if request.method == "POST" else 200)


def _export(header, rows, *, fmt: str, filename: str, sheet: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=sheet[:31])
        ws.append(header)
        for row in rows:
            ws.append(row)
        buffer = BytesIO()
        wb.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # so spreadsheet programs read the Georgian text as UTF-8
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@staff_page
def survey_export(request, lag, pk, survey_pk, fmt):
    consultation = selectors.consultation_for(lag, pk)
    survey_ = selectors.survey_for(consultation, survey_pk)
    header, rows = selectors.export_rows(survey_)
    return _export(header, rows, fmt=fmt, filename=f"{lag.slug}-survey-{survey_.pk}", sheet="responses")


@staff_page
def inputs_export(request, lag, pk, fmt):
    consultation = selectors.consultation_for(lag, pk)
    header, rows = selectors.inputs_export_rows(consultation, _("hidden by the moderator"))
    return _export(header, rows, fmt=fmt, filename=f"{lag.slug}-consultation-{consultation.pk}-{slugify('inputs')}", sheet="inputs")
