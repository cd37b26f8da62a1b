"""Training pages: public list and details, registration, a person's own trainings and
certificates, certificate verification; the staff's list, editing, registrations, walk-ins,
attendance, certificates, materials, feedback summary and CSV. Thin: parse, check, call, render."""

import csv
import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import can_manage, can_read_staff_pages
from sopeli.core.tenancy import with_lag
from sopeli.trainings import rules, selectors, services
from sopeli.trainings.forms import (
    FeedbackForm,
    MaterialForm,
    PeriodForm,
    PersonForm,
    StatusForm,
    TrainingForm,
)
from sopeli.trainings.models import (
    AgeBand,
    Gender,
    Material,
    Registration,
    RegistrationStatus,
    TrainingStatus,
)
from sopeli.trainings.permissions import can_download_material, can_see_phones, require_login, require_staff

PAGE_SIZE = 30


def _form_error(form, exc: ValidationError) -> None:
    """Put a service's error on the matching fields of the form, or on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- public --------------------------------------------------------------------------------------


@with_lag
def trainings(request, lag):
    page = Paginator(selectors.past_trainings(lag), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.decorate(page.object_list)
    return render(request, "trainings/list.html", {
        "upcoming": selectors.upcoming_trainings(lag), "page": page, "is_staff_reader": can_read_staff_pages(request.user, lag),
    })


def _person_initial(lag, user) -> dict:
    initial = {"full_name": user.full_name, "phone": user.phone}
    if user.village_id:
        initial["village"] = user.village_id
    last = (Registration.objects.filter(user=user, training__lag=lag).order_by("-created_at")
            .values("gender", "age_band", "village_id").first())
    if last:
        initial.update(gender=last["gender"], age_band=last["age_band"])
        initial.setdefault("village", last["village_id"])
    return initial


def _render_training(request, lag, training_id, *, form=None, status=200, action_error=None):
    t = selectors.training_public(lag, training_id)
    mine = selectors.registration_of(t, request.user)
    now = timezone.now()
    registration_open = t.status in rules.REGISTRATION_OPEN and now < t.registration_deadline
    if form is None and request.user.is_authenticated and registration_open and (mine is None or mine.status == RegistrationStatus.CANCELLED):
        form = PersonForm(lag=lag, initial=_person_initial(lag, request.user))
    staff = can_read_staff_pages(request.user, lag)
    active = mine is not None and mine.status != RegistrationStatus.CANCELLED
    materials = [m for m in t.materials.all() if m.is_public or staff or active]
    return render(request, "trainings/detail.html", {
        "t": t, "mine": mine, "form": form, "registration_open": registration_open, "action_error": action_error,
        "materials": materials, "hidden_materials": len(t.materials.all()) - len(materials),
        "show_link": t.online and (staff or (mine is not None and mine.status == RegistrationStatus.CONFIRMED)),
        "can_cancel": active and t.status in rules.ACTIVE,
        "can_give_feedback": mine is not None and mine.attended is True and t.ends_at <= now and not hasattr(mine, "feedback"),
        "is_staff_reader": staff, "now": now,
    }, status=status)


@with_lag
def training(request, lag, training_id):
    return _render_training(request, lag, training_id)


@with_lag
def material_download(request, lag, training_id, material_id):
    training = selectors.scoped_training(lag, training_id)
    material = get_object_or_404(Material.objects.filter(training=training), pk=material_id)
    if not material.is_public and not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    mine = selectors.registration_of(training, request.user)
    if not can_download_material(request.user, lag, material, mine):
        raise PermissionDenied
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("This file is no longer available.")) from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(material.file.name))


@with_lag
def certificate_lookup(request, lag):
    code = (request.GET.get("code") or "").strip()
    if code:
        return redirect("trainings:certificate_verify", lag.slug, code)
    return render(request, "trainings/certificate_verify.html", {"lookup": True})


@with_lag
def certificate_verify(request, lag, code):
    certificate = selectors.certificate_public(lag, code)
    if certificate is None:
        return render(request, "trainings/certificate_verify.html", {"code": code, "certificate": None}, status=404)
    return render(request, "trainings/certificate_verify.html", {"code": certificate.code, "certificate": certificate})


# --- a person's own ------------------------------------------------------------------------------


@require_POST
@with_lag
@require_login
def register(request, lag, training_id):
    training = selectors.scoped_training(lag, training_id)
    form = PersonForm(request.POST, lag=lag)
    if form.is_valid():
        try:
            r = services.registration_register(actor=request.user, training=training, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _render_training(request, lag, training_id, status=400, action_error=exc.messages)
            _form_error(form, exc)
        else:
            if r.status == RegistrationStatus.CONFIRMED:
                messages.success(request, _("You are registered. We have sent you an e-mail."))
            else:
                messages.info(request, _("The training is full: you are on the waiting list. We will write to you if a seat becomes free."))
            return redirect("trainings:detail", lag.slug, training.pk)
    return _render_training(request, lag, training_id, form=form, status=400)


@require_POST
@with_lag
@require_login
def cancel(request, lag, training_id):
    training = selectors.scoped_training(lag, training_id)
    mine = get_object_or_404(Registration.objects.filter(training=training, user=request.user))
    try:
        services.registration_cancel(actor=request.user, registration=mine)
    except ValidationError as exc:
        return _render_training(request, lag, training_id, status=400, action_error=exc.messages)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("trainings:detail", lag.slug, training.pk)


@with_lag
@require_login
def feedback(request, lag, training_id):
    training = selectors.scoped_training(lag, training_id)
    mine = Registration.objects.filter(training=training, user=request.user).select_related("training", "training__lag").first()
    if mine is None or mine.attended is not True:
        return render(request, "trainings/feedback.html", {
            "t": training, "closed": _("Feedback is for people who attended the training."),
        }, status=403)
    if hasattr(mine, "feedback"):
        return render(request, "trainings/feedback.html", {
            "t": training, "closed": _("You have already given feedback on this training. Thank you!"),
        })
    if training.ends_at > timezone.now():
        return render(request, "trainings/feedback.html", {"t": training, "closed": _("Feedback opens when the training has ended.")})
    form = FeedbackForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.feedback_submit(actor=request.user, registration=mine, **form.cleaned_data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect("trainings:my", lag.slug)
        return render(request, "trainings/feedback.html", {"t": training, "form": form}, status=400)
    return render(request, "trainings/feedback.html", {"t": training, "form": form})


@with_lag
@require_login
def my_trainings(request, lag):
    rows = list(selectors.my_registrations(lag, request.user))
    return render(request, "trainings/my.html", {"rows": rows, "now": timezone.now()})


def _certificate_pdf(request, lag, registration) -> HttpResponse:
    from weasyprint import HTML

    certificate = getattr(registration, "certificate", None)
    if certificate is None or not certificate.is_valid:
        raise Http404(_("There is no certificate for this registration."))
    verify_url = request.build_absolute_uri(reverse("trainings:certificate_verify", args=[lag.slug, certificate.code]))
    html = render_to_string("trainings/certificate_pdf.html", {
        "lag": lag, "r": registration, "t": registration.training, "certificate": certificate, "verify_url": verify_url,
    }, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}-{get_language()}.pdf"'
    return response


@with_lag
@require_login
def my_certificate_pdf(request, lag, registration_id):
    registration = selectors.my_registration_scoped(lag, request.user, registration_id)
    return _certificate_pdf(request, lag, registration)


# --- staff ---------------------------------------------------------------------------------------


@with_lag
@require_staff
def manage_list(request, lag):
    page = Paginator(selectors.manage_trainings(lag), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.decorate(page.object_list)
    return render(request, "trainings/manage_list.html", {"page": page, "can_change": can_manage(request.user, lag)})


def _training_values(form) -> dict:
    return dict(form.cleaned_data)


@with_lag
@require_staff
def manage_create(request, lag):
    form = TrainingForm(request.POST or None, lag=lag)
    if request.method == "POST":
        if form.is_valid():
            try:
                t = services.training_create(actor=request.user, lag=lag, **_training_values(form))
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The training is saved as planned. Open registration when you are ready."))
                return redirect("trainings:manage_detail", lag.slug, t.pk)
        return render(request, "trainings/manage_form.html", {"form": form, "creating": True}, status=400)
    return render(request, "trainings/manage_form.html", {"form": form, "creating": True})


@with_lag
@require_staff
def manage_edit(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    form = TrainingForm(request.POST or None, lag=lag, initial=TrainingForm.initial_from(t))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.training_update(actor=request.user, training=t, **_training_values(form))
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The training is saved."))
                return redirect("trainings:manage_detail", lag.slug, t.pk)
        return render(request, "trainings/manage_form.html", {"form": form, "t": t}, status=400)
    return render(request, "trainings/manage_form.html", {"form": form, "t": t})


def _render_manage(request, lag, training_id, *, status=200, action_error=None, walk_in_form=None, material_form=None):
    t = selectors.training_public(lag, training_id)
    rows = selectors.staff_registrations(t)
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITING]
    cancelled = [r for r in rows if r.status == RegistrationStatus.CANCELLED]
    now = timezone.now()
    return render(request, "trainings/manage_detail.html", {
        "t": t, "confirmed": confirmed, "waiting": waiting, "cancelled": cancelled,
        "attended": sum(1 for r in confirmed if r.attended), "certificates": sum(1 for r in confirmed if hasattr(r, "certificate")),
        "to_certify": sum(1 for r in confirmed if r.attended and not hasattr(r, "certificate")),
        "feedback": selectors.feedback_summary(t), "materials": list(t.materials.all()),
        "can_change": can_manage(request.user, lag), "show_phones": can_see_phones(request.user, lag),
        "can_take_attendance": t.starts_at <= now and t.status != TrainingStatus.CANCELLED,
        "walk_in_form": walk_in_form or PersonForm(lag=lag, prefix="walkin"),
        "material_form": material_form or MaterialForm(),
        "action_error": action_error,
        "status_actions": [s for s in rules.MANAGER_TARGETS if rules.can_move(t.status, s, "manager")],
    }, status=status)


@with_lag
@require_staff
def manage_detail(request, lag, training_id):
    return _render_manage(request, lag, training_id)


@require_POST
@with_lag
@require_staff
def manage_status(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, lag, training_id, status=400, action_error=[_("Choose a valid action.")])
    try:
        services.training_set_status(actor=request.user, training=t, status=form.cleaned_data["status"])
    except ValidationError as exc:
        return _render_manage(request, lag, training_id, status=400, action_error=exc.messages)
    messages.success(request, _("The training's status is changed."))
    return redirect("trainings:manage_detail", lag.slug, t.pk)


@require_POST
@with_lag
@require_staff
def manage_walk_in(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    form = PersonForm(request.POST, lag=lag, prefix="walkin")
    if form.is_valid():
        try:
            r = services.walk_in_add(actor=request.user, training=t, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": r.full_name})
            return redirect("trainings:manage_detail", lag.slug, t.pk)
    return _render_manage(request, lag, training_id, status=400, walk_in_form=form)


@require_POST
@with_lag
@require_staff
def manage_attendance(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    raw = request.POST.getlist("attended")
    try:
        ids = {int(v) for v in raw}
    except ValueError:
        return _render_manage(request, lag, training_id, status=400, action_error=[_("The attendance list was not understood. Reload the page and try again.")])
    try:
        result = services.attendance_record(actor=request.user, training=t, attended_ids=ids)
    except ValidationError as exc:
        return _render_manage(request, lag, training_id, status=400, action_error=exc.messages)
    messages.success(request, _("Attendance is saved: %(present)s present, %(absent)s absent.") % result)
    return redirect("trainings:manage_detail", lag.slug, t.pk)


@require_POST
@with_lag
@require_staff
def manage_certificates(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    try:
        n = services.certificates_issue(actor=request.user, training=t)
    except ValidationError as exc:
        return _render_manage(request, lag, training_id, status=400, action_error=exc.messages)
    messages.success(request, _("Certificates issued: %(n)s.") % {"n": n})
    return redirect("trainings:manage_detail", lag.slug, t.pk)


@require_POST
@with_lag
@require_staff
def manage_registration_cancel(request, lag, training_id, registration_id):
    t = selectors.scoped_training(lag, training_id)
    r = selectors.staff_registration_scoped(t, registration_id)
    try:
        promoted = services.registration_cancel(actor=request.user, registration=r)
    except ValidationError as exc:
        return _render_manage(request, lag, training_id, status=400, action_error=exc.messages)
    msg = _("The registration of %(name)s is cancelled.") % {"name": r.full_name}
    if promoted:
        msg += " " + _("From the waiting list: %(names)s.") % {"names": ", ".join(p.full_name for p in promoted)}
    messages.success(request, msg)
    return redirect("trainings:manage_detail", lag.slug, t.pk)


@with_lag
@require_staff
def manage_certificate_pdf(request, lag, training_id, registration_id):
    t = selectors.scoped_training(lag, training_id)
    return _certificate_pdf(request, lag, selectors.staff_registration_scoped(t, registration_id))


@require_POST
@with_lag
@require_staff
def manage_material_add(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_add(actor=request.user, training=t, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The material is added."))
            return redirect("trainings:manage_detail", lag.slug, t.pk)
    return _render_manage(request, lag, training_id, status=400, material_form=form)


@require_POST
@with_lag
@require_staff
def manage_material_delete(request, lag, training_id, material_id):
    t = selectors.scoped_training(lag, training_id)
    material = get_object_or_404(Material.objects.filter(training=t), pk=material_id)
    services.material_delete(actor=request.user, material=material)
    messages.success(request, _("The material is removed."))
    return redirect("trainings:manage_detail", lag.slug, t.pk)


@with_lag
@require_staff
def manage_attendance_csv(request, lag, training_id):
    t = selectors.scoped_training(lag, training_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lag.slug}-training-{t.pk}-attendance.csv"'
    response.write("\ufeff")  # so that Excel reads the Georgian letters as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Village"), _("Gender"), _("Age"), _("Status"), _("Walk-in"), _("Attended"), _("Certificate")])
    yes, no = _("yes"), _("no")
    for r in selectors.attendance_rows(t):
        certificate = getattr(r, "certificate", None)
        writer.writerow([
            r.full_name, r.village.name if r.village_id else "", Gender(r.gender).label, AgeBand(r.age_band).label,
            r.get_status_display(), yes if r.walk_in else no,
            "" if r.attended is None else (yes if r.attended else no),
            certificate.code if certificate and certificate.is_valid else "",
        ])
    return response


@with_lag
@require_staff
def manage_participation(request, lag):
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else {}
    status = 400 if request.GET and not form.is_valid() else 200
    figures = selectors.training_participation(lag, period.get("date_from"), period.get("date_to"))
    return render(request, "trainings/manage_participation.html", {"form": form, "figures": figures}, status=status)
