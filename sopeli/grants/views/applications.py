"""The applicant's pages: start, a step form that works without JavaScript (each step saves and can
be resumed), the live aid-rate check (htmx), attachments, submission, receipt, withdrawal and the
timeline. Files are served only through ``attachment`` after a permission check."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sopeli.core.arrival import arrival_time
from sopeli.core.tenancy import with_lag
from sopeli.grants import forms, permissions
from sopeli.grants.models import Attachment, CallMeasure, QuestionKind, Stage
from sopeli.grants.selectors import applications as selectors
from sopeli.grants.services import applications as services
from sopeli.grants.views.calls import add_errors
from sopeli.grants.workflow import ApplicationStatus

STEPS = [
    ("project", gettext_lazy("Project")),
    ("questions", gettext_lazy("Questions")),
    ("budget", gettext_lazy("Budget")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Check and submit")),
]
STEP_SLUGS = [s for s, _label in STEPS]
BUDGET_ROWS_EXTRA = 3


def _login_required(view):
    def wrapper(request, lag, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, lag, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@with_lag
@_login_required
@require_http_methods(["GET", "POST"])
def start(request, lag, call_id):
    """GET: what applying means; POST: create the draft (applicant role granted) and go to step 1."""
    call = permissions.call_for_public(lag, call_id)
    ideas = []
    if call.has_idea_stage:
        ideas = list(selectors.my_applications(request.user, lag).filter(call=call, stage=Stage.IDEA, status=ApplicationStatus.ELIGIBLE))
    if request.method == "POST":
        stage = request.POST.get("stage", Stage.FULL)
        if stage not in Stage.values:
            stage = Stage.FULL
        idea = None
        if request.POST.get("idea"):
            idea = next((i for i in ideas if str(i.pk) == request.POST["idea"]), None)
        try:
            app = services.application_start(actor=request.user, call=call, stage=stage, idea=idea)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            return redirect("grants:step", lag.slug, app.pk, "project")
    drafts = selectors.my_applications(request.user, lag).filter(call=call, status=ApplicationStatus.DRAFT)
    return render(request, "grants/apply_start.html", {"call": call, "drafts": drafts, "ideas": ideas})


def _own(request, lag, pk):
    return permissions.application_for_applicant(request.user, lag, pk)


def _step_nav(app, current):
    return [{"slug": s, "label": label, "current": s == current, "number": n} for n, (s, label) in enumerate(STEPS, 1)]


def _next(lag, app, step):
    index = STEP_SLUGS.index(step)
    target = STEP_SLUGS[min(index + 1, len(STEP_SLUGS) - 1)]
    return redirect("grants:step", lag.slug, app.pk, target)


@with_lag
@_login_required
@require_http_methods(["GET", "POST"])
def step(request, lag, pk, step):
    if step not in STEP_SLUGS:
        raise Http404
    app = _own(request, lag, pk)
    if not app.is_editable:
        return redirect("grants:my_application", lag.slug, app.pk)
    call = app.call
    context = {"app": app, "call": call, "step": step, "steps": _step_nav(app, step), "step_number": STEP_SLUGS.index(step) + 1,
               "step_count": len(STEPS)}
    handler = {"project": _project, "questions": _questions, "budget": _budget, "documents": _documents, "review": _review}[step]
    return handler(request, lag, app, call, context)


def _project(request, lag, app, call, context):
    measures = CallMeasure.objects.filter(call=call).select_related("measure").order_by("order", "id")
    eligible = call.eligible_settlements.all()
    settlements = eligible if eligible.exists() else lag.settlements.all()
    types = list(call.aid_rates.values_list("applicant_type", flat=True))
    initial = {"measure": app.measure_id, "applicant_type": app.applicant_type, "applicant_name": app.applicant_name,
               "settlement": app.settlement_id, "title": app.title, "summary": app.summary, "partners": app.partners,
               "duration_months": app.duration_months}
    form = forms.ProjectForm(request.POST or None, initial=initial, call=call, measures=measures, settlements=settlements,
                             applicant_types=types)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application=app, data=form.cleaned_data, step=1)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _saved(request, lag, app, "project")
    return render(request, "grants/apply_project.html", {**context, "form": form})


def _saved(request, lag, app, step):
    if "save_exit" in request.POST:
        messages.success(request, _("Draft saved. You can come back and continue at any time."))
        return redirect("grants:my_application", lag.slug, app.pk)
    return _next(lag, app, step)


def _questions(request, lag, app, call, context):
    questions = [q for q in services.stage_questions(call, app.stage) if q.kind != QuestionKind.FILE]
    answers = {a.question_id: a for a in app.answers.all()}
    errors = {}
    values = {}
    for q in questions:
        a = answers.get(q.pk)
        values[q.pk] = "" if a is None else (a.choice if q.kind == QuestionKind.CHOICE else (
            "" if a.number is None and q.kind == QuestionKind.NUMBER else (a.number if q.kind == QuestionKind.NUMBER else a.text)))
    if request.method == "POST":
        submitted = {q.pk: request.POST.get(f"q{q.pk}", "") for q in questions}
        values.update(submitted)
        try:
            services.application_answers_save(actor=request.user, application=app, answers=submitted, step=2)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            return _saved(request, lag, app, "questions")
    rows = [{"q": q, "value": values.get(q.pk, ""), "errors": errors.get(f"q{q.pk}", [])} for q in questions]
    return render(request, "grants/apply_questions.html", {**context, "rows": rows, "errors": errors.get("__all__", [])},
                  status=200)


def _budget_rows(request, app):
    if request.method == "POST":
        count = min(int(request.POST.get("rows", "0") or 0) if str(request.POST.get("rows", "0")).isdigit() else 0, services.MAX_BUDGET_LINES)
        return [(request.POST.get(f"desc_{n}", ""), request.POST.get(f"amount_{n}", "")) for n in range(1, count + 1)]
    lines = [(b.description, b.amount) for b in app.budget_lines.all()]
    extra = BUDGET_ROWS_EXTRA
    if request.GET.get("more"):
        extra += BUDGET_ROWS_EXTRA
    return lines + [("", "")] * extra


def _amount(raw) -> Decimal | None:
    """A typed amount, or None when it is not a sensible amount (the save step explains why)."""

    text = str(raw if raw is not None else "").replace(",", ".").replace(" ", "").strip() or "0"
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12") or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def _live_check(call, applicant_type, lines, requested):
    amounts = [_amount(a) for _d, a in lines]
    asked = _amount(requested)
    if asked is None or any(a is None for a in amounts):
        return {"total": None, "messages": [_("Amounts must be positive numbers such as 1500 or 1500.50.")]}
    total = sum(amounts, Decimal("0.00"))
    check = services.check_limits(call=call, applicant_type=applicant_type, total_budget=total, requested=asked)
    own = total - asked if asked <= total else None
    return {"total": total, "requested": asked, "own": own, "check": check, "messages": list(check.messages),
            "rate": (asked / total * 100).quantize(Decimal("0.01")) if total > 0 else None}


def _budget(request, lag, app, call, context):
    rows = _budget_rows(request, app)
    requested = request.POST.get("requested_grant", "") if request.method == "POST" else app.requested_grant
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.application_budget_save(actor=request.user, application=app, lines=rows, requested_grant=requested, step=3)
        except ValidationError as exc:
            errors = exc.messages
        else:
            if "more" in request.POST:
                return redirect(reverse("grants:step", args=[lag.slug, app.pk, "budget"]) + "?more=1")
            return _saved(request, lag, app, "budget")
    numbered = [{"n": n, "desc": d, "amount": a} for n, (d, a) in enumerate(rows, 1)]
    check = _live_check(call, app.applicant_type, rows, requested)
    return render(request, "grants/apply_budget.html", {
        **context, "rows": numbered, "row_count": len(rows), "requested": requested, "errors": errors, "live": check,
        "rate": call.aid_rates.filter(applicant_type=app.applicant_type).first(),
    }, status=200)


@with_lag
@_login_required
@require_POST
def budget_check(request, lag, pk):
    """htmx: the aid rate and limits for the numbers being typed (nothing is saved)."""
    app = _own(request, lag, pk)
    rows = _budget_rows(request, app)
    live = _live_check(app.call, app.applicant_type, rows, request.POST.get("requested_grant", ""))
    return render(request, "grants/_budget_check.html", {"live": live, "app": app})


def _documents(request, lag, app, call, context):
    if request.method == "POST":
        if "next" in request.POST or "save_exit" in request.POST:
            return _saved(request, lag, app, "documents")
        upload = request.FILES.get("file")
        document = question = None
        if request.POST.get("document"):
            document = call.documents.filter(pk=request.POST["document"]).first()
            if document is None:
                messages.error(request, _("The form was changed on the way; reload the page and try again."))
                return redirect("grants:step", lag.slug, app.pk, "documents")
        if request.POST.get("question"):
            question = call.questions.filter(pk=request.POST["question"], kind=QuestionKind.FILE).first()
            if question is None:
                messages.error(request, _("The form was changed on the way; reload the page and try again."))
                return redirect("grants:step", lag.slug, app.pk, "documents")
        if upload is None:
            messages.error(request, _("Choose a file first."))
        else:
            try:
                services.attachment_add(actor=request.user, application=app, upload=upload, document=document, question=question)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("File attached."))
        return redirect("grants:step", lag.slug, app.pk, "documents")
    attachments = list(app.attachments.select_related("document", "question").order_by("uploaded_at"))
    docs = [{"doc": d, "files": [a for a in attachments if a.document_id == d.pk]} for d in services.stage_documents(call, app.stage)]
    file_questions = [{"q": q, "files": [a for a in attachments if a.question_id == q.pk]}
                      for q in services.stage_questions(call, app.stage) if q.kind == QuestionKind.FILE]
    others = [a for a in attachments if not a.document_id and not a.question_id]
    return render(request, "grants/apply_documents.html", {
        **context, "docs": docs, "file_questions": file_questions, "others": others,
        "max_mb": services.MAX_UPLOAD_BYTES // (1024 * 1024), "accept": ",".join(services.ALLOWED_UPLOADS),
    })


def _review(request, lag, app, call, context):
    full = selectors.application_full(app)
    return render(request, "grants/apply_review.html", {
        **context, "app": full, "problems": services.application_problems(full),
        "fix": selectors.open_fix_request(app) if app.status == ApplicationStatus.NEEDS_FIXES else None,
    })


@with_lag
@_login_required
@require_POST
def submit(request, lag, pk):
    app = _own(request, lag, pk)
    try:
        # Judged at arrival, not after waiting for a thread or a lock (sopeli/core/arrival.py).
        arrived = arrival_time(request)
        if app.status == ApplicationStatus.NEEDS_FIXES:
            app = services.application_resubmit(actor=request.user, application=app, now=arrived)
            messages.success(request, _("Thank you: the application was sent back with the missing items."))
        else:
            app = services.application_submit(actor=request.user, application=app, now=arrived)
            messages.success(request, _("Your application was received. Its number is %(ref)s.") % {"ref": app.reference})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        if app.is_editable:
            return redirect("grants:step", lag.slug, app.pk, "review")
    return redirect("grants:my_application", lag.slug, app.pk)


@with_lag
@_login_required
@require_POST
def attachment_delete(request, lag, pk, attachment_id):
    app = _own(request, lag, pk)
    att = Attachment.objects.filter(application=app, pk=attachment_id).first()
    if att is None:
        raise Http404
    try:
        services.attachment_remove(actor=request.user, attachment=att)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("File removed."))
    return redirect("grants:step", lag.slug, app.pk, "documents")


@with_lag
def attachment(request, lag, attachment_id):
    """Serve a private file after the permission check; 404 for anyone who may not see it."""
    att = Attachment.objects.filter(application__lag=lag, pk=attachment_id).select_related("application").first()
    if att is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_read_attachment(request.user, lag, att):
        raise Http404
    response = FileResponse(att.file.open("rb"), content_type=att.content_type, as_attachment=True, filename=att.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@with_lag
@_login_required
def my_applications(request, lag):
    return render(request, "grants/my_applications.html", {"applications": selectors.my_applications(request.user, lag)})


@with_lag
@_login_required
def my_application(request, lag, pk):
    app = selectors.application_full(_own(request, lag, pk))
    return render(request, "grants/my_application.html", {
        "app": app, "call": app.call, "timeline": selectors.timeline(app),
        "fix": selectors.open_fix_request(app) if app.status == ApplicationStatus.NEEDS_FIXES else None,
        "can_withdraw": app.status in services.workflow.WITHDRAWABLE_STATUSES and app.status != ApplicationStatus.DRAFT,
        "steps": _step_nav(app, None),
    })


@with_lag
@_login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, lag, pk):
    app = _own(request, lag, pk)
    if request.method == "POST":
        try:
            services.application_withdraw(actor=request.user, application=app, reason=request.POST.get("reason", ""),
                                         now=arrival_time(request))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The application is withdrawn."))
        return redirect("grants:my_application", lag.slug, app.pk)
    return render(request, "grants/withdraw.html", {"app": app})


@with_lag
@_login_required
def receipt(request, lag, pk):
    from sopeli.grants.pdf import receipt_pdf

    app = _own(request, lag, pk)
    if app.number is None:
        raise Http404
    response = HttpResponse(receipt_pdf(app, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{app.call.code.replace("/", "-")}-{app.number:03d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response

