"""Decisions, minutes, members' votes and the manager's meeting pages. Thin: parse, check, call, render."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sopeli.accounts.permissions import require
from sopeli.core.tenancy import with_lag
from sopeli.governance import forms, presentation, selectors, services
from sopeli.governance.models import AgendaItem, ItemStatus, Meeting, Procedure, RecusalKind
from sopeli.governance.permissions import (
    can_manage_meetings,
    can_read_meetings,
    is_signed_in,
    minutes_are_public,
    procedure_record_is_public,
)

PAGE_SIZE = 20


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _form_errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _require_manage_for_post(request, lag) -> None:
    if request.method == "POST" and not can_manage_meetings(request.user, lag):
        raise PermissionDenied


# --- public ----------------------------------------------------------------------------------
@with_lag
def decisions(request, lag):
    page = Paginator(selectors.public_decisions(lag), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = selectors.decisions_page_objects(lag, page.object_list)
    return render(request, "governance/decisions.html", {"page": page, "entries": entries})


def _meeting_or_404(lag, meeting_id) -> Meeting:
    try:
        return selectors.published_meeting(lag, meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _check_minutes_access(request, lag, meeting):
    """Public once published; before that a preview for the LAG's staff only."""
    if minutes_are_public(meeting):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_read_meetings(request.user, lag):
        raise PermissionDenied
    return None


def _minutes_context(lag, meeting) -> dict:
    record = selectors.meeting_record(meeting)
    names = presentation.group_names(lag)
    for item in record["items"]:
        item.explanation = presentation.explain(item.outcome, names) if item.is_decided else None
        item.conflicts_declared = [c for c in item.situation.recused if c.kind == RecusalKind.CONFLICT]
        item.stepped_out = [c for c in item.situation.recused if c.kind == RecusalKind.STEP_OUT]
    declarations = [(item, c) for item in record["items"] for c in item.situation.recused]
    return {**record, "names": names, "is_preview": not minutes_are_public(meeting), "declarations": declarations,
            # The public ledger's head when the minutes were approved (None in a preview).
            "ledger_head": (f"#{meeting.minutes_ledger_seq} {meeting.minutes_ledger_hash}"
                            if meeting.minutes_ledger_hash else None)}


@with_lag
def minutes(request, lag, meeting_id):
    meeting = _meeting_or_404(lag, meeting_id)
    denied = _check_minutes_access(request, lag, meeting)
    if denied:
        return denied
    return render(request, "governance/minutes.html", _minutes_context(lag, meeting))


@with_lag
def minutes_pdf(request, lag, meeting_id):
    from weasyprint import HTML

    meeting = _meeting_or_404(lag, meeting_id)
    denied = _check_minutes_access(request, lag, meeting)
    if denied:
        return denied
    html = render_to_string("governance/minutes_pdf.html", {**_minutes_context(lag, meeting), "lag": lag},
                            request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{lag.slug}-{meeting.pk}.pdf"'
    if not minutes_are_public(meeting):
        response["Cache-Control"] = "private, no-store"
    return response


@with_lag
def procedure(request, lag, item_id):
    try:
        item = selectors.procedure_record(lag, item_id)
    except AgendaItem.DoesNotExist:
        raise Http404 from None
    is_public = procedure_record_is_public(item)
    staff = can_read_meetings(request.user, lag)
    names = presentation.group_names(lag)
    return render(request, "governance/procedure.html", {
        "item": item,
        "show_record": is_public,
        "staff": staff,
        "vote_count": len(item.votes.all()) if staff else None,
        "explanation": presentation.explain(item.outcome, names) if item.is_decided else None,
        "conflicts_declared": list(item.conflicts.all()) if is_public else [],
        "votes": list(item.votes.all()) if is_public else [],
    })


# --- a member's own votes --------------------------------------------------------------------
@with_lag
@require(is_signed_in)
@require_http_methods(["GET", "POST"])
def my_votes(request, lag):
    member = selectors.member_for_user(request.user, lag)
    errors: list[str] = []
    error_item = None
    if request.method == "POST":
        if member is None:
            raise PermissionDenied
        item = AgendaItem.objects.filter(lag=lag, procedure=Procedure.WRITTEN,
                                         pk=_int(request.POST.get("item"))).first()
        if item is None:
            messages.error(request, _("This vote does not exist or is not open to you."))
            return redirect("governance:my_votes", lag.slug)
        action = request.POST.get("action")
        try:
            if action == "conflict":
                form = forms.OwnConflictForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_form_errors(form))
                services.conflict_declare(actor=request.user, item=item, member=member,
                                          reason=form.cleaned_data["reason"])
                messages.success(request, _("Your conflict of interest on %(code)s is recorded; you do not vote on "
                                            "it.") % {"code": item.code})
            else:
                form = forms.VoteForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_form_errors(form))
                vote, created = services.procedure_vote(actor=request.user, item=item, member=member,
                                                        choice=form.cleaned_data["choice"])
                if created:
                    messages.success(request, _("Your vote on %(code)s is recorded: %(choice)s.")
                                     % {"code": item.code, "choice": vote.get_choice_display()})
                else:
                    messages.info(request, _("You had already voted on %(code)s (%(choice)s); that vote stands.")
                                  % {"code": item.code, "choice": vote.get_choice_display()})
            return redirect("governance:my_votes", lag.slug)
        except ValidationError as error:
            errors, error_item = _messages_of(error), item.pk
    items = list(selectors.open_procedures_for_member(member)) if member else []
    past = list(selectors.past_votes_of_member(member)[:50]) if member else []
    return render(request, "governance/my_votes.html", {
        "member": member, "items": items, "past": past, "errors": errors, "error_item": error_item,
        "error_shown": any(i.pk == error_item for i in items), "now": timezone.now(),
        "choices": forms.VoteForm.base_fields["choice"].choices,
    }, status=400 if errors else 200)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- staff: meetings -------------------------------------------------------------------------
@with_lag
@require(can_read_meetings)
@require_http_methods(["GET", "POST"])
def manage_meetings(request, lag):
    _require_manage_for_post(request, lag)
    form = forms.MeetingForm(request.POST or None, lag=lag)
    errors = []
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, lag=lag, **form.cleaned_data)
                messages.success(request, _("Meeting created. Add its agenda, then send the invitations."))
                return redirect("governance:manage_meeting", lag.slug, meeting.pk)
            except ValidationError as error:
                errors = _messages_of(error)
        else:
            errors = _form_errors(form)
    page = Paginator(selectors.meetings_for_manager(lag), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/manage_meetings.html",
                  {"page": page, "form": form, "errors": errors, "can_change": can_manage_meetings(request.user, lag)},
                  status=400 if errors else 200)


MEETING_ACTIONS = {"invite", "attendance", "add_item", "conflict", "votes", "hands", "decide", "publish"}


@with_lag
@require(can_read_meetings)
@require_http_methods(["GET", "POST"])
def manage_meeting(request, lag, meeting_id):
    _require_manage_for_post(request, lag)
    try:
        meeting = selectors.meeting_for_manager(lag, meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None
    bound: dict = {}
    errors: list[str] = []
    error_item = None
    if request.method == "POST":
        action = request.POST.get("action")
        item = None
        try:
            if action not in MEETING_ACTIONS:
                raise ValidationError(_("Unknown action."))
            if action in {"conflict", "votes", "hands", "decide"}:
                item = meeting.items.select_related("lag", "body").filter(pk=_int(request.POST.get("item"))).first()
                if item is None:
                    raise ValidationError(_("This item is not on the meeting's agenda."))
                error_item = item.pk
            done = _meeting_action(request, lag, meeting, action, item, bound)
            messages.success(request, done)
            anchor = f"#item-{item.pk}" if item else ""
            return redirect(reverse("governance:manage_meeting", args=[lag.slug, meeting.pk]) + anchor)
        except ValidationError as error:
            errors = _messages_of(error)
        meeting = selectors.meeting_for_manager(lag, meeting_id)
    context = _manage_meeting_context(request, lag, meeting, bound, error_item)
    context["errors"] = errors
    return render(request, "governance/manage_meeting.html", context, status=400 if errors else 200)


def _meeting_action(request, lag, meeting, action, item, bound) -> str:
    user, post = request.user, request.POST
    if action == "invite":
        n = services.meeting_send_invitations(actor=user, meeting=meeting)
        return _("Invitations sent to %(n)s members.") % {"n": n}
    if action == "attendance":
        seats = selectors.seat_holders(meeting.body, on=selectors.meeting_date(meeting))
        form = bound["attendance"] = forms.AttendanceForm(post, seats=seats)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        services.attendance_record(actor=user, meeting=meeting, present_member_ids=form.cleaned_data["present"])
        return _("Attendance recorded.")
    if action == "add_item":
        form = bound["item"] = forms.ItemForm(post)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        services.item_add(actor=user, meeting=meeting, **form.cleaned_data)
        return _("Item added to the agenda.")
    if action == "publish":
        form = forms.MinutesForm(post)
        form.is_valid()
        services.minutes_publish(actor=user, meeting=meeting, notes=form.cleaned_data.get("notes"))
        return _("The minutes are published on the LAG's decisions page.")
    situation = selectors.item_situation(item)
    if action == "conflict":
        form = bound[("conflict", item.pk)] = forms.ConflictForm(post, members=situation.seats)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        member = next(m for m in situation.seats if m.pk == form.cleaned_data["member"])
        services.conflict_declare(actor=user, item=item, member=member, reason=form.cleaned_data["reason"],
                                  kind=form.cleaned_data["kind"])
        return _("%(member)s steps out of %(code)s; this goes into the minutes.") % {"member": member,
                                                                                     "code": item.code}
    if action == "votes":
        form = bound[("votes", item.pk)] = forms.RollCallForm(post, participants=situation.participants)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        services.votes_record(actor=user, item=item, votes=form.votes())
        return _("Votes on %(code)s recorded. Check and record the result.") % {"code": item.code}
    if action == "hands":
        form = bound[("hands", item.pk)] = forms.HandsForm(post)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        d = form.cleaned_data
        services.hands_record(actor=user, item=item, for_=d["for_"], against=d["against"], abstain=d["abstain"])
        return _("Hands on %(code)s recorded. Check and record the result.") % {"code": item.code}
    decided = services.item_decide(actor=user, item=item)
    if decided.status == ItemStatus.BLOCKED:
        return _("%(code)s is blocked: no result is recorded. See why and the ways on below.") % {"code": item.code}
    return _("%(code)s: %(result)s.") % {"code": item.code, "result": decided.get_status_display()}


def _manage_meeting_context(request, lag, meeting, bound, error_item) -> dict:
    record = selectors.meeting_record(meeting)
    names = presentation.group_names(lag)
    for item in record["items"]:
        s = item.situation
        item.explanation = (presentation.explain(item.outcome, names) if item.is_decided and item.outcome
                            else presentation.explain(item.preview, names) if item.preview else None)
        item.conflict_form = bound.get(("conflict", item.pk)) or forms.ConflictForm(
            members=[m for m in s.seats if m.pk not in {c.member_id for c in s.recused}])
        item.votes_form = bound.get(("votes", item.pk)) or forms.RollCallForm(
            participants=s.participants, votes=s.votes or {})
        item.hands_form = bound.get(("hands", item.pk)) or forms.HandsForm(initial={
            "for_": item.hands_for, "against": item.hands_against, "abstain": item.hands_abstain})
        item.can_change = item.status not in (ItemStatus.APPROVED, ItemStatus.REJECTED) and \
            meeting.status != "published"
        item.procedure_form = forms.ProcedureForm(lag=lag, initial={"origin": item.pk})
    seat_present = record["present_ids"] if record["attendance_recorded"] else set()
    attendance_form = bound.get("attendance") or forms.AttendanceForm(
        seats=record["seats"], initial={"present": sorted(seat_present)})
    all_decided = all(i.is_decided for i in record["items"])
    return {
        **record,
        "can_change": can_manage_meetings(request.user, lag),
        "attendance_form": attendance_form,
        "item_form": bound.get("item") or forms.ItemForm(),
        "minutes_form": forms.MinutesForm(initial={"notes": meeting.minutes_notes}),
        "can_publish": record["attendance_recorded"] and all_decided and meeting.status == "held",
        "error_item": error_item,
        "lag_checks_votes_for": lag.votes_for_variant,
    }


# --- staff: written procedures ---------------------------------------------------------------
@with_lag
@require(can_read_meetings)
@require_http_methods(["GET", "POST"])
def manage_procedures(request, lag):
    _require_manage_for_post(request, lag)
    form = forms.ProcedureForm(lag=lag, initial={"origin": _int(request.GET.get("origin"))})
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "close":
                item = AgendaItem.objects.filter(lag=lag, procedure=Procedure.WRITTEN,
                                                 pk=_int(request.POST.get("item"))).first()
                if item is None:
                    raise ValidationError(_("This written procedure does not exist."))
                closed = services.procedure_close(actor=request.user, item=item)
                messages.success(request, _("%(code)s closed: %(result)s.")
                                 % {"code": closed.code, "result": closed.get_status_display()})
                return redirect("governance:manage_procedures", lag.slug)
            if action != "open":
                raise ValidationError(_("Unknown action."))
            form = forms.ProcedureForm(request.POST, lag=lag)
            if not form.is_valid():
                raise ValidationError(_form_errors(form))
            d = form.cleaned_data
            item = services.procedure_open(
                actor=request.user, lag=lag, body=d.get("body"), origin=d.get("origin"), closes_at=d["closes_at"],
                code=d.get("code") or "", title_ka=d.get("title_ka") or "", title_en=d.get("title_en") or "",
                description_ka=d.get("description_ka") or "",
                is_selection=d.get("is_selection") if not d.get("origin") else None,
            )
            messages.success(request, _("Written procedure %(code)s is open; the members were notified by e-mail.")
                             % {"code": item.code})
            return redirect("governance:manage_procedures", lag.slug)
        except ValidationError as error:
            errors = _messages_of(error)
    now = timezone.now()
    open_items = list(selectors.written_procedures(lag, open_=True))
    for item in open_items:
        item.due = services.is_past_deadline(item.closes_at, now)
    closed = Paginator(selectors.written_procedures(lag, open_=False), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/manage_procedures.html", {
        "open_items": open_items, "page": closed, "form": form, "errors": errors,
        "can_change": can_manage_meetings(request.user, lag),
    }, status=400 if errors else 200)

