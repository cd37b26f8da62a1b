"""Ranking and selection pages: the manager's ranking (with "what if"), the board's view of the
proposal, the public results page, and an applicant's own scores after publication."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sopeli.accounts.models import Role
from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require, roles_in
from sopeli.core.tenancy import with_lag
from sopeli.governance.models import Meeting, MeetingStatus
from sopeli.grants import permissions
from sopeli.grants.models import Appeal, AppealStatus, RankingResult, Selection
from sopeli.grants.selectors import selection as selectors
from sopeli.grants.services import selection as services
from sopeli.membership.models import BodyKind

PAGE_SIZE = 50


def can_read_selection(user, lag) -> bool:
    """The board reads what it votes on; managers and network officers read everything staff read."""
    return can_read_staff_pages(user, lag) or Role.BOARD in roles_in(user, lag)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("The form was changed on the way; reload the page and try again.")) from None


def _deadline(raw: str) -> datetime:
    value = parse_datetime((raw or "").strip())
    if value is None:
        raise ValidationError(_("Enter the deadline for the votes as a date and time, e.g. 2026-06-10 17:30."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _board_meetings(lag):
    return Meeting.objects.filter(lag=lag, body__kind=BodyKind.BOARD, status=MeetingStatus.PLANNED).order_by("starts_at")


@with_lag
@require(can_read_staff_pages)
@require_http_methods(["GET", "POST"])
def ranking(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    measures = list(call.call_measures.select_related("measure"))
    if request.method == "POST":
        if not can_manage(request.user, lag):
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "compute":
                cm = next((m for m in measures if m.pk == _int(request.POST.get("measure"))), None)
                if cm is None:
                    raise Http404
                services.selection_compute(actor=request.user, call_measure=cm)
                messages.success(request, _("The ranking is computed."))
            elif action == "activate":
                cm = next((m for m in measures if m.pk == _int(request.POST.get("measure"))), None)
                if cm is None:
                    raise Http404
                funded = services.reserve_activate(actor=request.user, call_measure=cm, added_money=request.POST.get("added_money") or 0)
                messages.success(request, _("Funded from the reserve list: %(refs)s.") % {"refs": ", ".join(funded)} if funded
                                 else _("No reserve project fits in the money that is free."))
            elif action == "publish":
                services.results_publish(actor=request.user, call=call)
                messages.success(request, _("The results are published."))
            elif action == "fix_amount":
                result = RankingResult.objects.filter(pk=_int(request.POST.get("result")), selection__call=call).first()
                if result is None:
                    raise Http404
                services.selection_fix_amount(actor=request.user, result=result, amount=request.POST.get("amount", ""),
                                              reason=request.POST.get("reason", ""))
                messages.success(request, _("The grant is changed."))
            elif action in ("to_board", "decide"):
                sel = Selection.objects.filter(pk=_int(request.POST.get("selection")), call=call).first()
                if sel is None:
                    raise Http404
                if action == "decide":
                    services.selection_decide(actor=request.user, selection=sel)
                    messages.success(request, _("The board's decision is recorded."))
                else:
                    meeting_id = request.POST.get("meeting")
                    if meeting_id:
                        meeting = _board_meetings(lag).filter(pk=_int(meeting_id)).first()
                        if meeting is None:
                            raise ValidationError(_("Choose a planned meeting of the board."))
                        services.selection_to_board(actor=request.user, selection=sel, meeting=meeting)
                    else:
                        services.selection_to_board(actor=request.user, selection=sel,
                                                    closes_at=_deadline(request.POST.get("closes_at", "")))
                    messages.success(request, _("The proposal is on the board's agenda."))
            else:
                raise ValidationError(_("The form was changed on the way; reload the page and try again."))
            return redirect("grants:ranking", lag.slug, call.pk)
        except ValidationError as exc:
            _errors(request, exc)
    what_if = None
    if request.GET.get("measure"):
        cm = next((m for m in measures if str(m.pk) == request.GET["measure"]), None)
        if cm is not None:
            what_if = {"measure": cm, **selectors.what_if(cm, variant=request.GET.get("variant"),
                                                           tie_break=request.GET.get("tie_break"))}
    return render(request, "grants/selection/ranking.html", {
        "call": call, "measures": measures,
        "selections": selectors.selections_for_staff(call, rows_of=request.GET.get("rows"), page=request.GET.get("page")),
        "what_if": what_if, "variants": [(v, label) for v, label in _variant_choices()],
        "meetings": list(_board_meetings(lag)), "can_edit": can_manage(request.user, lag),
    })


def _variant_choices():
    from sopeli.grants.models import BudgetVariant

    return BudgetVariant.choices


@with_lag
@require(can_read_selection)
def board(request, lag, call_id):
    call = permissions.call_for_staff(lag, call_id)
    if call.status == "draft":
        raise Http404
    selections = [s for s in selectors.selections_for_staff(call, rows_of=request.GET.get("rows"), page=request.GET.get("page"))
                  if s.decision_item_id]
    return render(request, "grants/selection/board.html", {"call": call, "selections": selections})


@with_lag
def results(request, lag, call_id):
    """Public once published: funded (applicant, amount, score), reserve in order, counts of the rest, appeals."""
    call = permissions.call_for_public(lag, call_id)
    if not call.results_published_at:
        raise Http404
    appeals = list(Appeal.objects.filter(application__call=call).exclude(status=AppealStatus.FILED)
                   .select_related("application__call").order_by("filed_at"))
    return render(request, "grants/selection/results.html", {
        "call": call, "selections": selectors.public_results(call), "appeals": appeals,
    })


@with_lag
def results_reserve(request, lag, call_id, measure_id):
    """Public once published: one measure's whole reserve list, in order, a page at a time."""
    call = permissions.call_for_public(lag, call_id)
    if not call.results_published_at:
        raise Http404
    selection = selectors.published_selection(call, measure_id)
    if selection is None:
        raise Http404
    page = Paginator(selectors.reserve_list(selection), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grants/selection/reserve.html", {"call": call, "selection": selection, "page": page})


@with_lag
def my_scores(request, lag, pk):
    app = permissions.application_for_applicant(request.user, lag, pk)
    published = bool(app.call.results_published_at)
    data = selectors.own_scores(app, show_names=app.call.show_evaluator_names) if published else {}
    from sopeli.grants.services.appeals import window

    opens, deadline = window(app)
    return render(request, "grants/selection/my_scores.html", {
        "app": app, "call": app.call, "published": published, **data,
        "appeal": app.appeals.order_by("-filed_at").first(), "appeal_deadline": deadline,
        "can_appeal": bool(deadline) and timezone.now() <= deadline and not app.appeals.exists()
        and app.status in ("funded", "reserve", "rejected", "ineligible"),
    })
