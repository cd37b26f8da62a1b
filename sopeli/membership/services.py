"""Every write in membership: applications, decisions, resignations, bodies, seats and elections.

Each service is keyword-only, runs in one transaction and records one audit event through
``sopeli.core.audit.audit_record``. Roles that follow from membership (``Role.MEMBER`` for an
active member, ``Role.BOARD`` for a current or future seat on a board) are granted and revoked
through ``sopeli.accounts.services``, which leave their own audit entries beside ours.

Seat terms include both their first and their last day. A membership ends at the moment of
resignation (``Member.ended_at``); ``selectors.seat_holders`` therefore no longer counts a member
on the day they resign.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sopeli.accounts.models import Role, User, phone_validator
from sopeli.accounts.services import role_grant, role_revoke
from sopeli.core.audit import audit_record
from sopeli.core.models import Lag, Settlement
from sopeli.membership.models import (
    Body,
    BodyKind,
    Election,
    Gender,
    InterestGroup,
    Member,
    MemberKind,
    MembershipEvent,
    MembershipEventKind,
    MemberStatus,
    OrganisationType,
    Seat,
    SeatRole,
    Sector,
)
from sopeli.notifications.services import Recipient, notify

OPEN_STATUSES = (MemberStatus.APPLIED, MemberStatus.ACTIVE)

# Fields a manager may change with ``member_update`` (the rest follow from decisions).
EDITABLE_FIELDS = (
    "kind", "name", "representative", "organisation_type", "sector", "interest_group", "gender",
    "village", "email", "phone", "id_number", "address",
)


# --- helpers -------------------------------------------------------------------------------------


def member_recipient(member: Member, *, language: str = "") -> Recipient:
    """Whom to tell about a member: the address and phone on the membership record, and the account
    when there is one (its language, its in-app notices, its phone when the record has none). A member
    registered on paper has no account and perhaps only a phone."""
    user = member.user
    return Recipient(
        email=member.email or (user.email if user else ""), phone=member.phone or (user.phone if user else ""),
        language=(user.language if user else "") or language, user=user,
    )


def _tell(member: Member, name: str, *, language: str = "", **context) -> None:
    """Queue the membership message ``name`` to the member, in this transaction."""
    link = reverse("membership:my_membership", args=[member.lag.slug]) if member.user_id else ""
    notify(kind="membership.update", lag=member.lag, recipients=[member_recipient(member, language=language)],
           template=f"membership/messages/{name}", context={"member": member, "lag": member.lag, **context}, link=link)


def _event(*, member: Member, kind: str, actor, reason: str = "", data: dict | None = None) -> MembershipEvent:
    return MembershipEvent.objects.create(
        member=member, kind=kind, reason=reason, data=data or {},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _check_choice(value: str, choices, label: str) -> None:
    if value not in choices.values:
        raise ValidationError(_("Choose a valid %(field)s.") % {"field": label})


def _check_member_fields(*, lag: Lag, fields: Mapping[str, Any]) -> None:
    """The checks the database cannot make: choices, the LAG's own groups and villages."""
    if not (fields.get("name") or "").strip():
        raise ValidationError(_("Enter the name."))
    if not (fields.get("email") or "").strip():
        raise ValidationError(_("Enter an e-mail address."))
    if fields.get("phone"):
        phone_validator(fields["phone"])
    _check_choice(fields["kind"], MemberKind, _("kind of member"))
    _check_choice(fields["sector"], Sector, _("sector"))
    _check_choice(fields["gender"], Gender, _("gender"))
    _check_choice(fields["organisation_type"], OrganisationType, _("type"))
    if fields["kind"] == MemberKind.ORGANISATION and not (fields.get("representative") or "").strip():
        raise ValidationError(_("An organisation needs a representative: enter the person who acts for it."))
    group = fields["interest_group"]
    if not isinstance(group, InterestGroup) or group.lag_id != lag.pk:
        raise ValidationError(_("Choose one of this LAG's interest groups."))
    village = fields["village"]
    if not isinstance(village, Settlement) or village.lag_id != lag.pk:
        raise ValidationError(_("Choose one of this LAG's villages."))


def _open_membership_exists(*, lag: Lag, email: str, exclude_pk: int | None = None) -> Member | None:
    qs = Member.objects.filter(lag=lag, email__iexact=email, status__in=OPEN_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _duplicate_message(existing: Member) -> str:
    if existing.status == MemberStatus.ACTIVE:
        return _("This e-mail address already belongs to a member of this LAG.")
    return _("An application with this e-mail address is already waiting for a decision.")


def _board_seat_remains(*, user: User, lag: Lag, today: datetime.date) -> bool:
    return Seat.objects.filter(
        member__user=user, member__lag=lag, member__status=MemberStatus.ACTIVE,
        body__kind=BodyKind.BOARD,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).exists()


def _sync_board_role(*, actor, user: User | None, lag: Lag) -> None:
    if user is None:
        return
    if _board_seat_remains(user=user, lag=lag, today=timezone.localdate()):
        role_grant(actor=actor, user=user, lag=lag, role=Role.BOARD)
    else:
        role_revoke(actor=actor, user=user, lag=lag, role=Role.BOARD)


def _sync_member_role(*, actor, user: User | None, lag: Lag) -> None:
    if user is None:
        return
    if Member.objects.filter(lag=lag, user=user, status=MemberStatus.ACTIVE).exists():
        role_grant(actor=actor, user=user, lag=lag, role=Role.MEMBER)
    else:
        role_revoke(actor=actor, user=user, lag=lag, role=Role.MEMBER)


def _display(member: Member, field: str, value) -> str:
    if value is None:
        return ""
    model_field = Member._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


# --- membership ----------------------------------------------------------------------------------


@transaction.atomic
def member_apply(
    *,
    lag: Lag,
    user: User | None = None,
    kind: str,
    name: str,
    representative: str = "",
    organisation_type: str,
    sector: str,
    interest_group: InterestGroup,
    gender: str,
    village: Settlement,
    email: str,
    phone: str = "",
    id_number: str = "",
    address: str = "",
    motivation: str = "",
) -> Member:
    """A person or organisation asks to join ``lag``; the manager decides later."""
    email = (email or "").strip().lower()
    fields = {
        "kind": kind, "name": name.strip(), "representative": representative.strip(),
        "organisation_type": organisation_type, "sector": sector, "interest_group": interest_group,
        "gender": gender, "village": village, "email": email, "phone": phone.strip(),
    }
    _check_member_fields(lag=lag, fields=fields)
    if kind == MemberKind.PERSON:
        fields["representative"] = ""
    existing = _open_membership_exists(lag=lag, email=email)
    if existing:
        raise ValidationError(_duplicate_message(existing))
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    try:
        with transaction.atomic():
            member = Member.objects.create(
                lag=lag, user=user, status=MemberStatus.APPLIED,
                id_number=id_number.strip(), address=address.strip(), motivation=motivation.strip(), **fields,
            )
    except IntegrityError as exc:  # a second submit that raced the first
        raise ValidationError(_("An application with this e-mail address is already waiting for a decision.")) from exc
    _event(member=member, kind=MembershipEventKind.APPLIED, actor=user)
    audit_record(
        actor=user, lag=lag, action="membership.applied", target=member,
        summary=_("%(name)s applied for membership") % {"name": member.name},
    )
    # The applicant is acting now, on a page in their language: tell them in it.
    _tell(member, "applied", language=translation.get_language() or "")
    return member


@transaction.atomic
def member_approve(*, actor: User, member: Member) -> Member:
    """Accept an application: the member becomes active, is listed publicly and gets the member role."""
    member = Member.objects.select_for_update(of=("self",)).select_related("lag").get(pk=member.pk)
    if member.status != MemberStatus.APPLIED:
        raise ValidationError(_("Only an application that waits for a decision can be approved."))
    lag = member.lag
    if member.user_id is None:
        member.user = User.objects.filter(email__iexact=member.email).first()
    member.status = MemberStatus.ACTIVE
    member.decided_at = timezone.now()
    member.save(update_fields=["status", "decided_at", "user"])
    _event(member=member, kind=MembershipEventKind.APPROVED, actor=actor)
    if member.user is not None:
        role_grant(actor=actor, user=member.user, lag=lag, role=Role.MEMBER)
    audit_record(
        actor=actor, lag=lag, action="membership.approved", target=member, public=True,
        summary=_("%(name)s joined the LAG") % {"name": member.name},
    )
    _tell(member, "approved")
    return member


@transaction.atomic
def member_reject(*, actor: User, member: Member, reason: str) -> Member:
    """Turn down an application, with a reason the applicant receives by e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the applicant receives it."))
    member = Member.objects.select_for_update(of=("self",)).select_related("lag").get(pk=member.pk)
    if member.status != MemberStatus.APPLIED:
        raise ValidationError(_("Only an application that waits for a decision can be rejected."))
    member.status = MemberStatus.REJECTED
    member.decided_at = timezone.now()
    member.save(update_fields=["status", "decided_at"])
    _event(member=member, kind=MembershipEventKind.REJECTED, actor=actor, reason=reason)
    audit_record(
        actor=actor, lag=member.lag, action="membership.rejected", target=member,
        summary=_("Application of %(name)s rejected") % {"name": member.name}, data={"reason": reason},
    )
    _tell(member, "rejected", reason=reason)
    return member


@transaction.atomic
def member_resign(*, actor: User, member: Member, reason: str = "") -> Member:
    """End an active membership (by the member or the manager): seats end today, roles follow."""
    member = Member.objects.select_for_update(of=("self",)).select_related("lag", "user").get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("Only an active membership can end."))
    today = timezone.localdate()
    lag = member.lag
    ended = []
    for seat in Seat.objects.filter(member=member).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).select_related("body"):
        if seat.starts_on > today:
            ended.append({"body": seat.body.name, "cancelled": True})
            seat.delete()
            continue
        seat.ends_on = today
        seat.save(update_fields=["ends_on"])
        ended.append({"body": seat.body.name, "ends_on": today.isoformat()})
    member.status = MemberStatus.RESIGNED
    member.ended_at = timezone.now()
    member.save(update_fields=["status", "ended_at"])
    _event(member=member, kind=MembershipEventKind.RESIGNED, actor=actor, reason=(reason or "").strip(),
           data={"seats_ended": ended})
    _sync_member_role(actor=actor, user=member.user, lag=lag)
    _sync_board_role(actor=actor, user=member.user, lag=lag)
    audit_record(
        actor=actor, lag=lag, action="membership.resigned", target=member, public=True,
        summary=_("%(name)s left the LAG") % {"name": member.name}, data={"seats_ended": ended},
    )
    _tell(member, "resigned")
    return member


@transaction.atomic
def member_update(*, actor: User, member: Member, changes: Mapping[str, Any]) -> Member:
    """A manager corrects or updates a member's details; the history records old and new values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"member_update cannot change {sorted(unknown)}")
    member = Member.objects.select_for_update(of=("self",)).select_related("lag", "interest_group", "village").get(pk=member.pk)
    lag = member.lag
    new = {f: getattr(member, f) for f in EDITABLE_FIELDS} | dict(changes)
    if "email" in changes:
        new["email"] = (new["email"] or "").strip().lower()
    _check_member_fields(lag=lag, fields=new)
    if member.status in OPEN_STATUSES and new["email"] != member.email:
        existing = _open_membership_exists(lag=lag, email=new["email"], exclude_pk=member.pk)
        if existing:
            raise ValidationError(_duplicate_message(existing))
    if new["kind"] == MemberKind.PERSON:
        new["representative"] = ""
    diff = {}
    for field in EDITABLE_FIELDS:
        old_value, new_value = getattr(member, field), new[field]
        if isinstance(new_value, str):
            new_value = new_value.strip()
        if old_value != new_value:
            diff[field] = [_display(member, field, old_value), _display(member, field, new_value)]
            setattr(member, field, new_value)
    if not diff:
        return member
    member.save(update_fields=list(diff))
    _event(member=member, kind=MembershipEventKind.CHANGED, actor=actor, data={"changes": diff})
    public_fields = set(diff) & {"kind", "name", "organisation_type", "sector", "interest_group", "village"}
    audit_record(
        actor=actor, lag=lag, action="membership.changed", target=member,
        summary=_("Details of %(name)s changed: %(fields)s") % {
            "name": member.name, "fields": ", ".join(str(Member._meta.get_field(f).verbose_name) for f in diff),
        },
        # The audit trail is staff-only, but keep private values out of it all the same.
        data={"fields": sorted(diff), "public_changes": {f: diff[f] for f in sorted(public_fields)}},
    )
    return member


# --- interest groups -----------------------------------------------------------------------------


def _check_group_names(name_ka: str, name_en: str) -> None:
    if not (name_ka or "").strip() and not (name_en or "").strip():
        raise ValidationError(_("Enter the group's name in at least one language."))


@transaction.atomic
def interest_group_create(*, actor: User, lag: Lag, code: str, name_ka: str, name_en: str) -> InterestGroup:
    _check_group_names(name_ka, name_en)
    code = (code or "").strip().lower()
    if not code:
        raise ValidationError(_("Enter a short code for the group, such as tourism."))
    if InterestGroup.objects.filter(lag=lag, code=code).exists():
        raise ValidationError(_("This LAG already has an interest group with the code %(code)s.") % {"code": code})
    group = InterestGroup.objects.create(lag=lag, code=code, name_ka=name_ka.strip(), name_en=name_en.strip())
    audit_record(
        actor=actor, lag=lag, action="membership.group_created", target=group, public=True,
        summary=_("New interest group: %(name)s") % {"name": group.name},
    )
    return group


@transaction.atomic
def interest_group_update(*, actor: User, group: InterestGroup, name_ka: str, name_en: str) -> InterestGroup:
    """Rename a group. The code stays: decisions and minutes refer to it."""
    _check_group_names(name_ka, name_en)
    group.name_ka, group.name_en = name_ka.strip(), name_en.strip()
    group.save(update_fields=["name_ka", "name_en"])
    audit_record(
        actor=actor, lag=group.lag, action="membership.group_renamed", target=group, public=True,
        summary=_("Interest group renamed: %(name)s") % {"name": group.name},
    )
    return group


# --- bodies, seats, elections --------------------------------------------------------------------


def _check_body_fields(*, kind: str, name_ka: str, name_en: str, quorum_percent: int) -> None:
    _check_choice(kind, BodyKind, _("kind of body"))
    if not (name_ka or "").strip() and not (name_en or "").strip():
        raise ValidationError(_("Enter the body's name in at least one language."))
    if quorum_percent is None or not 0 <= int(quorum_percent) <= 99:
        raise ValidationError(_("The quorum is a percentage from 0 to 99: more than that share of the seats must take part."))


@transaction.atomic
def body_create(
    *,
    actor: User,
    lag: Lag,
    kind: str,
    name_ka: str,
    name_en: str,
    description_ka: str = "",
    description_en: str = "",
    quorum_percent: int = 50,
    all_members_sit: bool | None = None,
) -> Body:
    """A new body. ``all_members_sit`` defaults to True for a general assembly and False otherwise."""
    _check_body_fields(kind=kind, name_ka=name_ka, name_en=name_en, quorum_percent=quorum_percent)
    if all_members_sit is None:
        all_members_sit = kind == BodyKind.ASSEMBLY
    body = Body.objects.create(
        lag=lag, kind=kind, name_ka=name_ka.strip(), name_en=name_en.strip(),
        description_ka=description_ka.strip(), description_en=description_en.strip(),
        quorum_percent=int(quorum_percent), all_members_sit=all_members_sit,
    )
    audit_record(
        actor=actor, lag=lag, action="membership.body_created", target=body, public=True,
        summary=_("New body: %(name)s") % {"name": body.name},
    )
    return body


@transaction.atomic
def body_update(
    *,
    actor: User,
    body: Body,
    kind: str,
    name_ka: str,
    name_en: str,
    description_ka: str = "",
    description_en: str = "",
    quorum_percent: int,
    all_members_sit: bool,
) -> Body:
    _check_body_fields(kind=kind, name_ka=name_ka, name_en=name_en, quorum_percent=quorum_percent)
    body = Body.objects.select_for_update().get(pk=body.pk)
    before = {"kind": body.kind, "quorum_percent": body.quorum_percent, "all_members_sit": body.all_members_sit}
    if all_members_sit and not body.all_members_sit and body.seats.exists():
        raise ValidationError(_("End the body's seats first: when all members sit on it, it has no seats of its own."))
    body.kind, body.quorum_percent, body.all_members_sit = kind, int(quorum_percent), all_members_sit
    body.name_ka, body.name_en = name_ka.strip(), name_en.strip()
    body.description_ka, body.description_en = description_ka.strip(), description_en.strip()
    body.save()
    if before["kind"] != kind and BodyKind.BOARD in (before["kind"], kind):
        # Sitting on a board carries the board role (and its second factor); follow the change.
        users = User.objects.filter(memberships__seats__body=body).distinct()
        for user in users:
            _sync_board_role(actor=actor, user=user, lag=body.lag)
    audit_record(
        actor=actor, lag=body.lag, action="membership.body_updated", target=body, public=True,
        summary=_("%(name)s: details updated (quorum: more than %(q)s%% of seats)") % {"name": body.name, "q": body.quorum_percent},
        data={"before": before, "after": {"kind": kind, "quorum_percent": body.quorum_percent, "all_members_sit": all_members_sit}},
    )
    return body


def _check_seat(*, body: Body, member: Member, starts_on: datetime.date, ends_on: datetime.date | None) -> None:
    if body.all_members_sit:
        raise ValidationError(_("Every active member sits on %(body)s: it has no seats to assign.") % {"body": body.name})
    if member.lag_id != body.lag_id:
        raise ValidationError(_("Only a member of this LAG can take a seat on its bodies."))
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("%(name)s is not an active member and cannot take a seat.") % {"name": member.name})
    if starts_on is None:
        raise ValidationError(_("Enter the date the term starts."))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The term cannot end before it starts."))
    overlapping = Seat.objects.filter(body=body, member=member).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    clash = overlapping.first()
    if clash:
        raise ValidationError(
            _("%(name)s already holds a seat on %(body)s from %(start)s%(end)s; the terms would overlap.") % {
                "name": member.name, "body": body.name, "start": clash.starts_on.strftime("%d.%m.%Y"),
                "end": _(" to %(d)s") % {"d": clash.ends_on.strftime("%d.%m.%Y")} if clash.ends_on else "",
            }
        )


def _create_seat(*, actor, body, member, role, starts_on, ends_on, election=None) -> Seat:
    if role not in SeatRole.values:
        raise ValidationError(_("Choose a valid role."))
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)  # current status
    _check_seat(body=body, member=member, starts_on=starts_on, ends_on=ends_on)
    seat = Seat.objects.create(body=body, member=member, role=role, starts_on=starts_on, ends_on=ends_on, election=election)
    _event(
        member=member, kind=MembershipEventKind.SEAT_TAKEN, actor=actor,
        data={"body": body.name, "body_id": body.pk, "role": role, "starts_on": starts_on.isoformat(),
              "ends_on": ends_on.isoformat() if ends_on else None},
    )
    if body.kind == BodyKind.BOARD:
        _sync_board_role(actor=actor, user=member.user, lag=body.lag)
    return seat


@transaction.atomic
def seat_assign(
    *,
    actor: User,
    body: Body,
    member: Member,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    role: str = SeatRole.MEMBER,
) -> Seat:
    """Give an active member of the body's LAG a seat for a term (no overlapping seat on the same body)."""
    seat = _create_seat(actor=actor, body=body, member=member, role=role, starts_on=starts_on, ends_on=ends_on)
    audit_record(
        actor=actor, lag=body.lag, action="membership.seat_assigned", target=seat, public=True,
        summary=_("%(name)s took a seat on %(body)s") % {"name": member.name, "body": body.name},
        data={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None, "role": role},
    )
    return seat


@transaction.atomic
def seat_end(*, actor: User, seat: Seat, ends_on: datetime.date | None = None) -> Seat:
    """End a seat's term on ``ends_on`` (default today; the last day is included)."""
    seat = Seat.objects.select_for_update(of=("self",)).select_related("body__lag", "member__user").get(pk=seat.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on < seat.starts_on:
        raise ValidationError(_("A term cannot end before it starts (%(start)s).") % {"start": seat.starts_on.strftime("%d.%m.%Y")})
    if seat.ends_on is not None and seat.ends_on <= ends_on:
        raise ValidationError(_("This term already ends on %(end)s.") % {"end": seat.ends_on.strftime("%d.%m.%Y")})
    seat.ends_on = ends_on
    seat.save(update_fields=["ends_on"])
    body, member = seat.body, seat.member
    _event(member=member, kind=MembershipEventKind.SEAT_ENDED, actor=actor,
           data={"body": body.name, "body_id": body.pk, "ends_on": ends_on.isoformat()})
    if body.kind == BodyKind.BOARD:
        _sync_board_role(actor=actor, user=member.user, lag=body.lag)
    audit_record(
        actor=actor, lag=body.lag, action="membership.seat_ended", target=seat, public=True,
        summary=_("%(name)s's seat on %(body)s ends on %(end)s") % {
            "name": member.name, "body": body.name, "end": ends_on.strftime("%d.%m.%Y")},
    )
    return seat


@transaction.atomic
def election_record(
    *,
    actor: User,
    body: Body,
    held_on: datetime.date,
    elected: Iterable[Member],
    term_starts: datetime.date | None = None,
    term_ends: datetime.date | None = None,
    chair: Member | None = None,
    notes: str = "",
) -> Election:
    """Record an election to ``body``: each elected member gets a seat for the term (from the day held)."""
    elected = list(elected)
    if not elected:
        raise ValidationError(_("Choose at least one elected member."))
    if body.all_members_sit:
        raise ValidationError(_("Every active member sits on %(body)s: there is no one to elect.") % {"body": body.name})
    if held_on is None:
        raise ValidationError(_("Enter the date of the election."))
    if held_on > timezone.localdate():
        raise ValidationError(_("An election is recorded after it has been held: the date is in the future."))
    term_starts = term_starts or held_on
    if term_starts < held_on:
        raise ValidationError(_("The term cannot start before the election."))
    if chair is not None and chair not in elected:
        raise ValidationError(_("The chair must be one of the elected members."))
    election = Election.objects.create(body=body, held_on=held_on, notes=(notes or "").strip())
    for member in elected:
        role = SeatRole.CHAIR if chair is not None and member.pk == chair.pk else SeatRole.MEMBER
        _create_seat(actor=actor, body=body, member=member, role=role, starts_on=term_starts, ends_on=term_ends,
                     election=election)
    audit_record(
        actor=actor, lag=body.lag, action="membership.election_recorded", target=election, public=True,
        summary=_("Election to %(body)s on %(date)s: %(names)s elected") % {
            "body": body.name, "date": held_on.strftime("%d.%m.%Y"), "names": ", ".join(m.name for m in elected)},
        data={"elected": [m.pk for m in elected], "term_starts": term_starts.isoformat(),
              "term_ends": term_ends.isoformat() if term_ends else None},
    )
    return election
