"""Membership pages: public list, joining, body composition; the manager's register and bodies; a
member's own membership. Thin: parse the form, check permission, call a service or selector."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import can_manage
from sopeli.core.tenancy import with_lag
from sopeli.membership import selectors, services
from sopeli.membership.forms import (
    BodyForm,
    ElectionForm,
    InterestGroupForm,
    JoinForm,
    MemberEditForm,
    MemberFilterForm,
    OwnResignForm,
    RegisterFilterForm,
    RejectForm,
    ResignForm,
    SeatEndForm,
    SeatForm,
)
from sopeli.membership.models import Body, InterestGroup, Member, MemberStatus, Seat
from sopeli.membership.permissions import require_staff

PAGE_SIZE = 50


def _querystring(request) -> str:
    """The current filters without the page number, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _add_errors(form, exc: ValidationError) -> None:
    form.add_error(None, exc)


# --- public --------------------------------------------------------------------------------------


@with_lag
def members(request, lag):
    choices = selectors.filter_choices(lag)
    form = MemberFilterForm(request.GET or None, **choices)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.public_members(
        lag, sector=filters.get("sector") or "", group_id=filters.get("group"), village_id=filters.get("village")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "membership/members.html", {"page": page, "form": form, "query": _querystring(request),
                                                       "filtered": bool(filters and any(filters.values()))})


@with_lag
def join(request, lag):
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.full_name, "email": request.user.email}
        if request.user.village_id and request.user.village.lag_id == lag.pk:
            initial["village"] = request.user.village_id
    form = JoinForm(request.POST or None, lag=lag, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "consent"}
        try:
            services.member_apply(lag=lag, user=request.user if request.user.is_authenticated else None, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("membership:join_thanks", lag.slug)
    has_groups = form.fields["interest_group"].queryset.exists()
    already = request.user.is_authenticated and Member.objects.filter(
        lag=lag, user=request.user, status__in=services.OPEN_STATUSES
    ).exists()
    return render(request, "membership/join.html", {"form": form, "has_groups": has_groups, "already": already})


@with_lag
def join_thanks(request, lag):
    return render(request, "membership/join_thanks.html")


@with_lag
def body(request, lag, body_id):
    return render(request, "membership/body.html", selectors.body_composition(lag, body_id))


# --- a member's own ------------------------------------------------------------------------------


@with_lag
def my_membership(request, lag):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    memberships = selectors.memberships_of_user(lag, request.user)
    return render(request, "membership/my_membership.html", {"memberships": memberships, "resign_form": OwnResignForm(), "blank_resign_form": OwnResignForm()})


@require_POST
@with_lag
def my_membership_resign(request, lag, member_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = get_object_or_404(Member.objects.filter(lag=lag, user=request.user), pk=member_id)
    form = OwnResignForm(request.POST)
    action_error = None
    if form.is_valid():
        try:
            services.member_resign(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            action_error = exc.messages
        else:
            messages.success(request, _("Your membership has ended. Thank you for your part in the LAG."))
            return redirect("membership:my_membership", lag.slug)
    memberships = selectors.memberships_of_user(lag, request.user)
    return render(request, "membership/my_membership.html",
                  {"memberships": memberships, "resign_form": form, "resign_for": member.pk,
                   "blank_resign_form": OwnResignForm(), "action_error": action_error})


# --- staff: members ------------------------------------------------------------------------------


@with_lag
@require_staff
def manage_members(request, lag):
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.manager_members(lag, status=filters.get("status") or "", q=filters.get("q") or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "membership/manage_members.html", {
        "page": page, "form": form, "query": _querystring(request), "counts": selectors.status_counts(lag),
        "can_change": can_manage(request.user, lag),
    })


def _render_member(request, lag, member_id, *, status=200, **forms):
    member = selectors.member_for_staff(lag, member_id)
    context = {
        "member": member,
        "reject_form": forms.get("reject_form") or RejectForm(),
        "resign_form": forms.get("resign_form") or ResignForm(),
        "action_error": forms.get("action_error"),
        "can_change": can_manage(request.user, lag),
    }
    return render(request, "membership/manage_member.html", context, status=status)


@with_lag
@require_staff
def manage_member(request, lag, member_id):
    return _render_member(request, lag, member_id)


def _scoped_member(lag, member_id) -> Member:
    return get_object_or_404(Member.objects.filter(lag=lag), pk=member_id)


@require_POST
@with_lag
@require_staff
def manage_member_approve(request, lag, member_id):
    member = _scoped_member(lag, member_id)
    try:
        services.member_approve(actor=request.user, member=member)
    except ValidationError as exc:
        return _render_member(request, lag, member_id, action_error=exc.messages)
    messages.success(request, _("%(name)s is now a member.") % {"name": member.name})
    return redirect("membership:manage_member", lag.slug, member.pk)


@require_POST
@with_lag
@require_staff
def manage_member_reject(request, lag, member_id):
    member = _scoped_member(lag, member_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.member_reject(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The application is rejected; the applicant has been told why."))
            return redirect("membership:manage_member", lag.slug, member.pk)
    return _render_member(request, lag, member_id, reject_form=form)


@require_POST
@with_lag
@require_staff
def manage_member_resign(request, lag, member_id):
    member = _scoped_member(lag, member_id)
    form = ResignForm(request.POST)
    if form.is_valid():
        try:
            services.member_resign(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The membership of %(name)s has ended.") % {"name": member.name})
            return redirect("membership:manage_member", lag.slug, member.pk)
    return _render_member(request, lag, member_id, resign_form=form)


@with_lag
@require_staff
def manage_member_edit(request, lag, member_id):
    member = _scoped_member(lag, member_id)
    form = MemberEditForm(request.POST or None, instance=member, lag=lag)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, changes=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The details are saved."))
            return redirect("membership:manage_member", lag.slug, member.pk)
    return render(request, "membership/manage_member_edit.html", {"member": member, "form": form, "can_change": can_manage(request.user, lag)})


# --- staff: interest groups ----------------------------------------------------------------------


@with_lag
@require_staff
def manage_groups(request, lag):
    form = InterestGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_group_create(actor=request.user, lag=lag, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The interest group is added."))
            return redirect("membership:manage_groups", lag.slug)
    groups = InterestGroup.objects.filter(lag=lag).order_by("name", "pk")
    from django.db.models import Count, Q

    groups = groups.annotate(member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)))
    return render(request, "membership/manage_groups.html",
                  {"groups": groups, "form": form, "can_change": can_manage(request.user, lag)})


@with_lag
@require_staff
def manage_group_edit(request, lag, group_id):
    group = get_object_or_404(InterestGroup.objects.filter(lag=lag), pk=group_id)
    form = InterestGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_group_update(actor=request.user, group=group, name_ka=form.cleaned_data["name_ka"],
                                           name_en=form.cleaned_data["name_en"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The interest group is saved."))
            return redirect("membership:manage_groups", lag.slug)
    return render(request, "membership/manage_group_edit.html",
                  {"group": group, "form": form, "can_change": can_manage(request.user, lag)})


# --- staff: bodies -------------------------------------------------------------------------------


@with_lag
@require_staff
def manage_bodies(request, lag):
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.body_create(actor=request.user, lag=lag, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The body is created."))
            return redirect("membership:manage_body", lag.slug, new.pk)
    return render(request, "membership/manage_bodies.html", {
        "bodies": selectors.bodies_with_seat_counts(lag), "form": form, "can_change": can_manage(request.user, lag),
    })


def _render_body(request, lag, body_id, **forms):
    data = selectors.body_for_staff(lag, body_id)
    members = selectors.active_members_for_choice(lag)
    data.update({
        "body_form": forms.get("body_form") or BodyForm(instance=data["body"]),
        "seat_form": forms.get("seat_form") or SeatForm(members=members),
        "election_form": forms.get("election_form") or ElectionForm(members=members),
        "end_form": forms.get("end_form") or SeatEndForm(),
        "end_error_seat": forms.get("end_error_seat"),
        "can_change": can_manage(request.user, lag),
    })
    return render(request, "membership/manage_body.html", data)


def _scoped_body(lag, body_id) -> Body:
    return get_object_or_404(Body.objects.filter(lag=lag), pk=body_id)


@with_lag
@require_staff
def manage_body(request, lag, body_id):
    return _render_body(request, lag, body_id)


@require_POST
@with_lag
@require_staff
def manage_body_edit(request, lag, body_id):
    body = _scoped_body(lag, body_id)
    form = BodyForm(request.POST, instance=body)
    if form.is_valid():
        try:
            services.body_update(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The body's details are saved."))
            return redirect("membership:manage_body", lag.slug, body.pk)
    return _render_body(request, lag, body_id, body_form=form)


@require_POST
@with_lag
@require_staff
def manage_seat_assign(request, lag, body_id):
    body = _scoped_body(lag, body_id)
    form = SeatForm(request.POST, members=selectors.active_members_for_choice(lag))
    if form.is_valid():
        try:
            services.seat_assign(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The seat is assigned."))
            return redirect("membership:manage_body", lag.slug, body.pk)
    return _render_body(request, lag, body_id, seat_form=form)


@require_POST
@with_lag
@require_staff
def manage_seat_end(request, lag, body_id, seat_id):
    body = _scoped_body(lag, body_id)
    seat = get_object_or_404(Seat.objects.filter(body=body), pk=seat_id)
    form = SeatEndForm(request.POST)
    if form.is_valid():
        try:
            services.seat_end(actor=request.user, seat=seat, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The term is ended."))
            return redirect("membership:manage_body", lag.slug, body.pk)
    return _render_body(request, lag, body_id, end_form=form, end_error_seat=seat.pk)


@require_POST
@with_lag
@require_staff
def manage_election(request, lag, body_id):
    body = _scoped_body(lag, body_id)
    form = ElectionForm(request.POST, members=selectors.active_members_for_choice(lag))
    if form.is_valid():
        try:
            services.election_record(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The election is recorded and the seats are assigned."))
            return redirect("membership:manage_body", lag.slug, body.pk)
    return _render_body(request, lag, body_id, election_form=form)
