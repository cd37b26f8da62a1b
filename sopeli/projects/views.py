"""Projects pages. Staff: ``manage/projects/…`` (managers change, network officers read);
grantee: ``my/projects/…`` (own contracts only, 404 otherwise); public: ``projects/…``."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import require
from sopeli.core.tenancy import with_lag
from sopeli.grants.models import Application
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects import forms, permissions, selectors, services
from sopeli.projects.models import (
    ContractScan,
    Receipt,
    Recovery,
    ReportPhoto,
    ReportStatus,
    SiteVisitPhoto,
    StoryPhoto,
    Tranche,
)
from sopeli.projects.pdf import contract_pdf

READ = permissions.can_read_projects
WRITE = permissions.can_manage_projects
PAGE_SIZE = 50


def _page(request, rows):
    """One page of ``rows`` and the other query parameters, for core/_pagination.html."""
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), query.urlencode()


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _back(lag, contract):
    return redirect("projects:manage_contract", lag.slug, contract.pk)


def _post_only_managers(request, lag):
    if request.method == "POST" and not WRITE(request.user, lag):
        raise PermissionDenied


# --- staff ---------------------------------------------------------------------------------------


@with_lag
@require(READ)
def manage_list(request, lag):
    status = request.GET.get("status", "")
    page, query = _page(request, selectors.staff_contracts(lag, status=status))
    return render(request, "projects/manage_list.html", {
        "lag": lag, "contracts": page.object_list, "page": page, "query": query,
        "waiting": list(selectors.funded_without_contract(lag)), "status": status,
        "statuses": selectors.ContractStatus.choices, "can_write": WRITE(request.user, lag),
        "generate_form": forms.GenerateForm(),
    })


@with_lag
@require(READ)
def manage_template(request, lag):
    _post_only_managers(request, lag)
    template = services.template_for(lag)
    if request.method == "POST":
        form = forms.TemplateForm(request.POST)
        if form.is_valid():
            try:
                services.contract_template_save(actor=request.user, lag=lag, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Contract template saved."))
                return redirect("projects:manage_template", lag.slug)
    else:
        form = forms.TemplateForm(initial={n: getattr(template, n) for n in ("body_ka", "body_en", "obligations_ka", "obligations_en")})
    return render(request, "projects/manage_template.html", {
        "lag": lag, "form": form, "placeholders": services.PLACEHOLDERS, "can_write": WRITE(request.user, lag)})


@with_lag
@require(WRITE)
@require_POST
def manage_generate(request, lag, application_id):
    app = Application.objects.filter(lag=lag, pk=application_id, status=ApplicationStatus.FUNDED).first()
    if app is None:
        raise Http404
    form = forms.GenerateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("projects:manage_list", lag.slug)
    try:
        contract = services.contract_generate(actor=request.user, application=app, starts_on=form.cleaned_data["starts_on"],
                                              ends_on=form.cleaned_data["ends_on"], percentages=form.cleaned_data["tranches"])
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("projects:manage_list", lag.slug)
    messages.success(request, _("Contract drafted. Next: the accountable body's final eligibility check."))
    return _back(lag, contract)


@with_lag
@require(READ)
def manage_contract(request, lag, pk):
    contract = permissions.contract_for_staff(lag, pk)
    page = selectors.contract_page(contract)
    payable = [(t, services.payable(contract, t)) for t in page["tranches"]]
    return render(request, "projects/manage_contract.html", {
        "lag": lag, **page, "can_write": WRITE(request.user, lag), "payable": payable,
        "check_form": forms.CheckForm(), "sign_form": forms.SignForm(), "amend_form": forms.AmendForm(),
        "payment_form": forms.PaymentForm(tranches=[t for t, amount in payable if amount > 0],
                                          initial={"paid_on": timezone.localdate()}),
        "visit_form": forms.VisitForm(initial={"visited_on": timezone.localdate()}), "visit_items": services.VISIT_CHECKLIST,
        "indicators": list(services.indicator_choices(contract)),
        "planned_map": {p.indicator_id: p.planned for p in page["planned"]},
    })


def _contract_action(view):
    """POST-only staff action on a contract: managers only; ValidationError → message, redirect back."""

    @with_lag
    @require(WRITE)
    @require_POST
    def wrapper(request, lag, pk, *args, **kwargs):
        contract = permissions.contract_for_staff(lag, pk)
        try:
            message = view(request, lag, contract, *args, **kwargs)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if message:
                messages.success(request, message)
        return _back(lag, contract)

    wrapper.__name__ = view.__name__
    return wrapper


def _form_or_raise(form):
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label if name in form.fields else ''}: {e}".lstrip(": ")
                               for name, errors in form.errors.items() for e in errors])
    return form.cleaned_data


@_contract_action
def manage_check(request, lag, contract):
    data = _form_or_raise(forms.CheckForm(request.POST))
    services.contract_eligibility_check(actor=request.user, contract=contract, eligible=data["eligible"], note=data["note"])
    return _("Final eligibility check recorded.")


@_contract_action
def manage_sign(request, lag, contract):
    data = _form_or_raise(forms.SignForm(request.POST, request.FILES))
    services.contract_sign(actor=request.user, contract=contract, grantee_on=data["grantee_on"], lag_on=data["lag_on"],
                           scan=data.get("scan"))
    return _("Signatures recorded. The first tranche can now be paid.")


@_contract_action
def manage_planned(request, lag, contract):
    values = {}
    for indicator in services.indicator_choices(contract):
        key = f"planned-{indicator.pk}"
        if key in request.POST:
            values[indicator.pk] = request.POST[key]
    services.planned_indicators_save(actor=request.user, contract=contract, values=values)
    return _("Planned values saved.")


@_contract_action
def manage_amend(request, lag, contract):
    data = _form_or_raise(forms.AmendForm(request.POST))
    services.contract_amend(actor=request.user, contract=contract, reason=data["reason"], grant=data["grant"],
                            starts_on=data["starts_on"], ends_on=data["ends_on"], budget_lines=data["budget_lines"])
    return _("Amendment recorded.")


@_contract_action
def manage_payment(request, lag, contract):
    form = forms.PaymentForm(request.POST, tranches=list(contract.tranches.all()))
    data = _form_or_raise(form)
    tranche = Tranche.objects.filter(contract=contract, pk=data["tranche"]).first()
    if tranche is None:
        raise ValidationError(_("Choose a tranche of this contract."))
    services.payment_record(actor=request.user, tranche=tranche, paid_on=data["paid_on"], amount=data["amount"],
                            reference=data["reference"])
    return _("Payment recorded.")


@_contract_action
def manage_recovery(request, lag, contract):
    data = _form_or_raise(forms.RecoveryForm(request.POST))
    recovery = Recovery.objects.filter(contract=contract, pk=data["recovery"]).first()
    if recovery is None:
        raise ValidationError(_("Choose an amount to recover of this contract."))
    services.recovery_receive(actor=request.user, recovery=recovery, received_on=data["received_on"], reference=data["reference"])
    return _("Returned amount recorded.")


@_contract_action
def manage_visit(request, lag, contract):
    data = _form_or_raise(forms.VisitForm(request.POST, request.FILES))
    checklist = [{"item": item, "ok": request.POST.get(f"check-{i}") == "on"} for i, item in enumerate(services.VISIT_CHECKLIST)]
    services.site_visit_record(actor=request.user, contract=contract, visited_on=data["visited_on"], checklist=checklist,
                               notes=data["notes"], photos=[data.get("photo")])
    return _("Site visit recorded.")


@_contract_action
def manage_settle(request, lag, contract):
    contract = services.contract_settle(actor=request.user, contract=contract)
    if contract.recovery_due:
        return _("Settled: %(amount)s is to be recovered from the grantee.") % {"amount": services.gel(contract.recovery_due)}
    return _("Settled: the final payment is %(amount)s.") % {"amount": services.gel(contract.final_payment_due)}


@with_lag
@require(READ)
def manage_claim(request, lag, pk, claim_id):
    _post_only_managers(request, lag)
    contract = permissions.contract_for_staff(lag, pk)
    claim = selectors.claim_for(contract, claim_id)
    if request.method == "POST":
        eligible = {line.pk: request.POST.get(f"eligible-{line.pk}", "") for line in claim.lines.all()}
        notes = {line.pk: request.POST.get(f"note-{line.pk}", "") for line in claim.lines.all()}
        try:
            services.claim_verify(actor=request.user, claim=claim, eligible=eligible, notes=notes)
        except ValidationError as exc:
            _errors(request, exc)
            return render(request, "projects/manage_claim.html", {
                "lag": lag, "contract": contract, "claim": claim, "can_write": True, "posted": request.POST}, status=400)
        messages.success(request, _("Claim verified."))
        return _back(lag, contract)
    return render(request, "projects/manage_claim.html", {"lag": lag, "contract": contract, "claim": claim,
                                                          "can_write": WRITE(request.user, lag), "posted": {}})


@with_lag
@require(READ)
def manage_report(request, lag, pk, report_id):
    _post_only_managers(request, lag)
    contract = permissions.contract_for_staff(lag, pk)
    report = selectors.report_for(contract, report_id)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_review(actor=request.user, report=report, approve=form.cleaned_data["decision"] == "approve",
                                       note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Decision recorded."))
                return _back(lag, contract)
    return render(request, "projects/manage_report.html", {
        "lag": lag, "contract": contract, "report": report, "form": form, "can_write": WRITE(request.user, lag),
        "planned": {p.indicator_id: p.planned for p in contract.planned_indicators.all()},
    }, status=400 if form.errors else 200)


@with_lag
@require(READ)
def manage_story(request, lag, pk):
    _post_only_managers(request, lag)
    contract = permissions.contract_for_staff(lag, pk)
    story = selectors.Story.objects.filter(contract=contract).prefetch_related("photos").first()
    if request.method == "POST":
        form = forms.StoryForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.story_save(actor=request.user, contract=contract, data=data, photos=[data.get("photo")],
                                    publish=data["publish"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Story saved."))
                return redirect("projects:manage_story", lag.slug, contract.pk)
    else:
        initial = {n: getattr(story, n) for n in ("title_ka", "title_en", "body_ka", "body_en")} if story else {}
        initial["publish"] = story.is_published if story else False
        form = forms.StoryForm(initial=initial)
    return render(request, "projects/manage_story.html", {"lag": lag, "contract": contract, "story": story, "form": form,
                                                          "can_write": WRITE(request.user, lag)},
                  status=400 if form.errors else 200)


@with_lag
@require(READ)
def manage_ledger(request, lag):
    return render(request, "projects/manage_ledger.html", {"lag": lag, "ledger": selectors.commitments(lag)})


@with_lag
@require(READ)
def manage_ledger_export(request, lag, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header, rows = selectors.ledger_table(selectors.commitments(lag))
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[str(v) for v in row] for row in rows])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="commitments-{lag.slug}-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Commitments")[:31]
    ws.append(header)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2, min_col=3):
        for cell in row:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="commitments-{lag.slug}-{stamp}.xlsx"'
    return response


# --- contract PDF and private files --------------------------------------------------------------


def _contract_readable(request, lag, pk):
    contract = permissions.contract_for_staff(lag, pk)
    if not permissions.can_read_contract(request.user, lag, contract):
        raise Http404
    return contract


@with_lag
def contract_document(request, lag, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    contract = _contract_readable(request, lag, pk)
    page = selectors.contract_page(contract)
    pdf = contract_pdf(page, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contract-{contract.number.replace("/", "-")}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


FILE_KINDS = {
    "scan": (ContractScan, "contract"),
    "receipt": (Receipt, "line__claim__contract"),
    "report-photo": (ReportPhoto, "report__contract"),
    "visit-photo": (SiteVisitPhoto, "visit__contract"),
}


@with_lag
def file_download(request, lag, kind, file_id):
    """Private files (scans, receipts, report and visit photos): staff readers or the contract's grantee; 404 otherwise."""
    if kind == "story-photo":
        photo = StoryPhoto.objects.filter(story__lag=lag, story__is_published=True, pk=file_id).first()
        if photo is None:
            raise Http404
        return _serve(photo, public=True)
    if kind not in FILE_KINDS:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    model, path = FILE_KINDS[kind]
    obj = model.objects.filter(pk=file_id, **{f"{path}__lag": lag}).select_related(path).first()
    if obj is None:
        raise Http404
    contract = obj
    for part in path.split("__"):
        contract = getattr(contract, part)
    if not permissions.can_read_contract(request.user, lag, contract):
        raise Http404
    return _serve(obj)


def _serve(obj, *, public: bool = False):
    response = FileResponse(obj.file.open("rb"), content_type=obj.content_type, as_attachment=not public,
                            filename=obj.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


# --- grantee -------------------------------------------------------------------------------------


def _login_required(view):
    def wrapper(request, lag, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, lag, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@with_lag
@_login_required
def my_list(request, lag):
    return render(request, "projects/my_list.html", {"lag": lag, "contracts": list(selectors.my_contracts(request.user, lag))})


@with_lag
@_login_required
def my_contract(request, lag, pk):
    contract = permissions.contract_for_grantee(request.user, lag, pk)
    return render(request, "projects/my_contract.html", {"lag": lag, **selectors.contract_page(contract)})


@with_lag
@_login_required
def my_claim_new(request, lag, pk):
    contract = permissions.contract_for_grantee(request.user, lag, pk)
    rows = range(int(request.GET.get("rows", 5)) if str(request.GET.get("rows", "5")).isdigit() else 5)
    rows = range(min(max(len(rows), 1), services.MAX_CLAIM_LINES))
    status = 200
    if request.method == "POST":
        count = min(int(request.POST.get("rows", 5)) if str(request.POST.get("rows", "5")).isdigit() else 5, services.MAX_CLAIM_LINES)
        budget = {b.pk: b for b in contract.budget_lines.all()}
        lines = []
        for i in range(count):
            bl = request.POST.get(f"line-{i}-budget_line", "")
            lines.append({"description": request.POST.get(f"line-{i}-description", ""),
                          "supplier": request.POST.get(f"line-{i}-supplier", ""),
                          "amount": request.POST.get(f"line-{i}-amount", ""),
                          "budget_line": budget.get(int(bl)) if bl.isdigit() else None,
                          "receipt": request.FILES.get(f"line-{i}-receipt")})
        try:
            services.claim_submit(actor=request.user, contract=contract, lines=lines, note=request.POST.get("note", ""))
        except ValidationError as exc:
            _errors(request, exc)
            status = 400
            rows = range(count)
        else:
            messages.success(request, _("Claim sent. The LAG will verify each expense."))
            return redirect("projects:my_contract", lag.slug, contract.pk)
    return render(request, "projects/my_claim.html", {"lag": lag, "contract": contract, "rows": rows,
                                                      "budget_lines": list(contract.budget_lines.all()), "posted": request.POST},
                  status=status)


@with_lag
@_login_required
def my_report(request, lag, pk, report_id):
    contract = permissions.contract_for_grantee(request.user, lag, pk)
    report = selectors.report_for(contract, report_id)
    indicators = list(services.indicator_choices(contract))
    status = 200
    if request.method == "POST":
        values = []
        for ind in indicators:
            values.append({"indicator": ind, "value": request.POST.get(f"value-{ind.pk}", ""),
                           "evidence": request.POST.get(f"evidence-{ind.pk}", "")})
            for g in ("female", "male"):
                values.append({"indicator": ind, "gender": g, "value": request.POST.get(f"value-{ind.pk}-{g}", "")})
        jobs = [{"description": request.POST.get(f"job-{i}-description", ""), "gender": request.POST.get(f"job-{i}-gender", ""),
                 "hours_share": request.POST.get(f"job-{i}-hours_share", "") or "1",
                 "months": request.POST.get(f"job-{i}-months", "") or "12"} for i in range(5)]
        try:
            services.report_save(actor=request.user, report=report, narrative=request.POST.get("narrative", ""), values=values,
                                 jobs=jobs, photos=request.FILES.getlist("photos"), submit="submit" in request.POST)
        except ValidationError as exc:
            _errors(request, exc)
            status = 400
        else:
            messages.success(request, _("Report submitted.") if "submit" in request.POST else _("Report saved."))
            return redirect("projects:my_contract", lag.slug, contract.pk)
    current = {(v.indicator_id, v.gender): v for v in report.values.all()}
    rows = [{"indicator": i, "total": current.get((i.pk, "")), "female": current.get((i.pk, "female")),
             "male": current.get((i.pk, "male")), "fte": services.is_fte(i)} for i in indicators]
    return render(request, "projects/my_report.html", {
        "lag": lag, "contract": contract, "report": report, "rows": rows, "jobs": list(report.jobs.all()),
        "editable": report.status in (ReportStatus.DUE, ReportStatus.CHANGES) and contract.is_running,
        "job_slots": range(5), "genders": forms.Gender.choices,
    }, status=status)


# --- public --------------------------------------------------------------------------------------


@with_lag
def public_list(request, lag):
    page, query = _page(request, selectors.public_projects(lag))
    return render(request, "projects/public_list.html", {
        "lag": lag, "projects": page.object_list, "page": page, "query": query, "stories": list(selectors.public_stories(lag))})


@with_lag
def public_story(request, lag, pk):
    return render(request, "projects/public_story.html", {"lag": lag, "story": selectors.public_story(lag, pk)})
