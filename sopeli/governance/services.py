"""Every write about meetings, agenda items, conflicts, votes, written procedures and minutes.

Each service is keyword-only, runs in one transaction, records one audit event and raises
``ValidationError`` with a plain, translated message for anything a user did wrong. Messages go
through the outbox (``sopeli.notifications``), written in the same transaction. ``now`` may be passed to pin the server clock (tests, the close command);
deadlines are compared to the second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.core.audit import audit_record
from sopeli.core.ledger import ledger_head
from sopeli.core.privacy import public_decision
from sopeli.governance import selectors
from sopeli.governance.models import (
    DECIDED_STATUSES,
    AgendaItem,
    Attendance,
    Choice,
    ConflictDeclaration,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Procedure,
    RecusalKind,
    Vote,
    VotingMethod,
)
from sopeli.governance.rules import APPROVED, BLOCKED, REJECTED
from sopeli.membership.models import Body, Member
from sopeli.membership.services import member_recipient
from sopeli.notifications.services import channels_for, notify

FINAL_STATUSES = (ItemStatus.APPROVED, ItemStatus.REJECTED)
RESULT_STATUS = {APPROVED: ItemStatus.APPROVED, REJECTED: ItemStatus.REJECTED, BLOCKED: ItemStatus.BLOCKED}


# --- helpers -----------------------------------------------------------------------------------
def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def is_past_deadline(closes_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    """True once the deadline's second has passed: a vote at 17:29:59 or 17:30:00 counts, 17:30:01 does not."""
    return _now(now).replace(microsecond=0) > closes_at


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _require_lag(obj, lag, message: str) -> None:
    if obj is None or obj.lag_id != lag.pk:
        raise ValidationError(message)


def _meeting_is_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ValidationError(_("The minutes of this meeting are published; its record can no longer change."))


def _locked_meeting(meeting: Meeting) -> Meeting:
    """The meeting as it is now in the database, locked for this transaction (the caller's copy may be stale)."""
    return Meeting.objects.select_for_update(of=("self",)).select_related("lag", "body").get(pk=meeting.pk)


def _fresh_item(item: AgendaItem, *, lock: bool = True) -> AgendaItem:
    qs = AgendaItem.objects.select_related("lag", "body", "meeting")
    return (qs.select_for_update(of=("self",)) if lock else qs).get(pk=item.pk)


def _item_is_open(item: AgendaItem) -> None:
    if item.status in FINAL_STATUSES or (item.procedure == Procedure.WRITTEN and item.decided_at):
        raise ValidationError(_("Item %(code)s is already decided; its record can no longer change.")
                              % {"code": item.code})
    if item.meeting_id:
        _meeting_is_open(Meeting.objects.only("status").get(pk=item.meeting_id))


def _meeting_item(item: AgendaItem) -> None:
    if item.procedure != Procedure.MEETING:
        raise ValidationError(_("Item %(code)s is decided by written procedure, not at a meeting.")
                              % {"code": item.code})


def _present_and_not_recused(item: AgendaItem) -> list[Member]:
    return selectors.item_situation(item).participants


def _tell_members(members: Iterable[Member], *, lag, template: str, context: dict) -> int:
    """Queue an invitation (meeting or written procedure) to each member, in this transaction: e-mail,
    SMS to a member on paper with only a phone, a notice in Sopeli to one with an account. Returns how
    many members can be reached at all."""
    members = list(members)
    prefetch_related_objects(members, "user")
    people = [member_recipient(m) for m in members]
    reached = [p for p in people if channels_for(kind_name="governance.invitation", recipient=p)]
    notify(kind="governance.invitation", lag=lag, recipients=reached, template=template,
           context={"lag": lag, **context}, link=reverse("governance:my_votes", args=[lag.slug]))
    return len(reached)


def _both_titles(obj) -> str:
    ka, en = getattr(obj, "title_ka", "") or "", getattr(obj, "title_en", "") or ""
    return ka if not en or en == ka else f"{ka} / {en}"


# --- meetings --------------------------------------------------------------------------------
@transaction.atomic
def meeting_create(*, actor, lag, body: Body, title_ka: str, title_en: str = "", starts_at: dt.datetime,
                   place: str) -> Meeting:
    _require_lag(body, lag, _("Choose one of this LAG's bodies."))
    if not (title_ka or "").strip():
        raise ValidationError(_("Give the meeting a title in Georgian."))
    if not (place or "").strip():
        raise ValidationError(_("Say where the meeting takes place."))
    meeting = Meeting.objects.create(
        lag=lag, body=body, title_ka=title_ka.strip(), title_en=(title_en or "").strip(),
        starts_at=starts_at, place=place.strip(),
    )
    audit_record(actor=actor, lag=lag, action="meeting.created", target=meeting,
                 summary=f"{_both_titles(meeting)} · {_local(starts_at)}", data={"body": body.pk})
    return meeting


@transaction.atomic
def meeting_send_invitations(*, actor, meeting: Meeting, now: dt.datetime | None = None) -> int:
    """Invite every seat holder who can be reached (e-mail, SMS, notice); a resend is allowed and
    recorded. Returns how many were invited."""
    meeting = _locked_meeting(meeting)
    _meeting_is_open(meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The meeting has already been held; invitations can no longer be sent."))
    members = selectors.seat_holders(meeting.body, on=selectors.meeting_date(meeting))
    items = list(meeting.items.order_by("code", "id"))
    resend = meeting.invitations_sent_at is not None
    meeting.invitations_sent_at = _now(now)
    meeting.save(update_fields=["invitations_sent_at"])
    told = _tell_members(members, lag=meeting.lag, template="governance/messages/invitation",
                         context={"meeting": meeting, "items": items, "when": _local(meeting.starts_at)})
    if not told:  # the whole transaction is undone: nothing is queued, nothing recorded
        raise ValidationError(_("None of the body's members has an e-mail address, a phone number or an account."))
    audit_record(
        actor=actor, lag=meeting.lag, action="meeting.invitations_resent" if resend else "meeting.invitations_sent",
        target=meeting, summary=_both_titles(meeting), data={"recipients": told},
    )
    return told


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, present_member_ids: Iterable[int]) -> list[Attendance]:
    """Record who of the body's seat holders is present; everyone else who sits on it is absent."""
    meeting = _locked_meeting(meeting)
    _meeting_is_open(meeting)
    # A blocked item records no result, so attendance may still change (a member arrives late);
    # once an item is approved or rejected the attendance it was decided on is fixed.
    if meeting.items.filter(status__in=FINAL_STATUSES).exists():
        raise ValidationError(_("Items of this meeting are already decided; attendance can no longer change."))
    seats = selectors.seat_holders(meeting.body, on=selectors.meeting_date(meeting))
    seat_ids = {m.pk for m in seats}
    try:
        present = {int(pk) for pk in present_member_ids}
    except (TypeError, ValueError):
        raise ValidationError(_("Attendance lists only the members who sit on the body.")) from None
    strangers = present - seat_ids
    if strangers:
        raise ValidationError(_("Attendance lists only the members who sit on the body."))
    Attendance.objects.filter(meeting=meeting).delete()
    rows = Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m, present=m.pk in present) for m in seats]
    )
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    audit_record(actor=actor, lag=meeting.lag, action="meeting.attendance_recorded", target=meeting,
                 summary=_("%(present)s of %(seats)s present") % {"present": len(present), "seats": len(seats)},
                 data={"present": sorted(present)})
    return rows


@transaction.atomic
def item_add(*, actor, meeting: Meeting, code: str, title_ka: str, title_en: str = "", description_ka: str = "",
             description_en: str = "", is_selection: bool = False) -> AgendaItem:
    meeting = _locked_meeting(meeting)
    _meeting_is_open(meeting)
    code = (code or "").strip()
    if not code:
        raise ValidationError(_("Give the item a number, e.g. A-07."))
    if not (title_ka or "").strip():
        raise ValidationError(_("Give the item a title in Georgian."))
    if meeting.items.filter(code=code).exists():
        raise ValidationError(_("This meeting already has an item numbered %(code)s.") % {"code": code})
    item = AgendaItem.objects.create(
        lag=meeting.lag, body=meeting.body, meeting=meeting, procedure=Procedure.MEETING, code=code,
        title_ka=title_ka.strip(), title_en=(title_en or "").strip(),
        description_ka=description_ka or "", description_en=description_en or "", is_selection=is_selection,
    )
    audit_record(actor=actor, lag=meeting.lag, action="item.added", target=item,
                 summary=f"{code} {_both_titles(item)}", data={"meeting": meeting.pk, "selection": is_selection})
    return item


# --- conflicts and votes ---------------------------------------------------------------------
@transaction.atomic
def conflict_declare(*, actor, item: AgendaItem, member: Member, reason: str,
                     kind: str = RecusalKind.CONFLICT, now: dt.datetime | None = None) -> ConflictDeclaration:
    """A member steps out of an item: a declared conflict, or (at a meeting) stepping out to keep the balance.

    At a meeting the manager enters it; in a written procedure the member declares it themself
    while the vote is open, and not after having voted. Once per member and item.
    """
    item = _fresh_item(item)
    _item_is_open(item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say briefly why the member steps out (e.g. a family link to the applicant)."))
    if kind not in RecusalKind.values:
        raise ValidationError(_("Choose whether this is a conflict of interest or stepping out."))
    if member.lag_id != item.lag_id or member.pk not in {m.pk for m in selectors.seat_holders(
            item.body, on=selectors.item_seat_date(item))}:
        raise ValidationError(_("%(member)s does not sit on %(body)s.") % {"member": member, "body": item.body})
    if item.procedure == Procedure.WRITTEN:
        if kind != RecusalKind.CONFLICT:
            raise ValidationError(_("In a written procedure only a conflict of interest can be declared."))
        if item.status != ItemStatus.VOTING or is_past_deadline(item.closes_at, now):
            raise ValidationError(_("Voting on %(code)s has closed.") % {"code": item.code})
        if Vote.objects.filter(item=item, member=member).exists():
            raise ValidationError(_("%(member)s has already voted on %(code)s; the vote stands.")
                                  % {"member": member, "code": item.code})
    elif Vote.objects.filter(item=item, member=member).exists():
        raise ValidationError(_("A vote of %(member)s is recorded on %(code)s. Record the votes again without it "
                                "first.") % {"member": member, "code": item.code})
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(
                item=item, member=member, reason=reason[:300], kind=kind, entered_by=actor
            )
    except IntegrityError:
        raise ValidationError(_("%(member)s has already stepped out of %(code)s.")
                              % {"member": member, "code": item.code}) from None
    audit_record(actor=actor, lag=item.lag, action="item.conflict_declared" if kind == RecusalKind.CONFLICT
                 else "item.member_stepped_out", target=item,
                 summary=f"{item.code} · {member} · {reason}"[:300], data={"member": member.pk, "kind": kind})
    return declaration


def _valid_choice(choice: str) -> str:
    if choice not in Choice.values:
        raise ValidationError(_("A vote is for, against or abstain."))
    return choice


@transaction.atomic
def votes_record(*, actor, item: AgendaItem, votes: Mapping[int, str]) -> list[Vote]:
    """A roll call at a meeting: each participating member's vote, entered by the manager.

    Replaces the votes entered before for this item (a correction before the result is recorded).
    A participant without a vote took part without voting (counts as not-for).
    """
    _meeting_item(item)
    item = _fresh_item(item)
    _item_is_open(item)
    participants = {m.pk: m for m in _present_and_not_recused(item)}
    if not participants:
        raise ValidationError(_("Record the attendance first: nobody takes part in this item yet."))
    cleaned: dict[int, str] = {}
    for member_id, choice in votes.items():
        if not choice:
            continue
        if int(member_id) not in participants:
            raise ValidationError(_("Only members present and without a conflict can vote on %(code)s.")
                                  % {"code": item.code})
        cleaned[int(member_id)] = _valid_choice(choice)
    if not cleaned:
        raise ValidationError(_("Enter at least one vote."))
    Vote.objects.filter(item=item).delete()
    rows = Vote.objects.bulk_create(
        [Vote(item=item, member_id=pk, choice=choice, entered_by=actor) for pk, choice in cleaned.items()]
    )
    item.voting_method = VotingMethod.ROLL_CALL
    item.hands_for = item.hands_against = item.hands_abstain = None
    item.save(update_fields=["voting_method", "hands_for", "hands_against", "hands_abstain"])
    counts = {c: sum(1 for v in cleaned.values() if v == c) for c in Choice.values}
    audit_record(actor=actor, lag=item.lag, action="item.votes_recorded", target=item,
                 summary=f"{item.code}: {counts['for']}-{counts['against']}-{counts['abstain']}",
                 data={"votes": {str(k): v for k, v in cleaned.items()}})
    return rows


@transaction.atomic
def hands_record(*, actor, item: AgendaItem, for_: int, against: int, abstain: int) -> AgendaItem:
    """A show of hands at a meeting: the counts only. Refused where the LAG checks the votes for."""
    _meeting_item(item)
    item = _fresh_item(item)
    _item_is_open(item)
    if item.lag.votes_for_variant:
        raise ValidationError(_(
            # xgettext:no-python-format
            "This LAG also checks who voted for a proposal (no sector or interest group above 49% of the "
            "votes for), so each member's vote must be recorded: use the roll call, not a show of hands."
        ))
    try:
        counts = [int(for_), int(against), int(abstain)]
    except (TypeError, ValueError):
        raise ValidationError(_("Enter the number of hands as whole numbers.")) from None
    if any(n < 0 for n in counts):
        raise ValidationError(_("The number of hands cannot be negative."))
    participants = len(_present_and_not_recused(item))
    if sum(counts) > participants:
        raise ValidationError(
            _("%(hands)s hands were counted but only %(n)s members take part in %(code)s.")
            % {"hands": sum(counts), "n": participants, "code": item.code}
        )
    if sum(counts) == 0:
        raise ValidationError(_("Enter the hands counted."))
    Vote.objects.filter(item=item).delete()
    item.voting_method = VotingMethod.SHOW_OF_HANDS
    item.hands_for, item.hands_against, item.hands_abstain = counts
    item.save(update_fields=["voting_method", "hands_for", "hands_against", "hands_abstain"])
    audit_record(actor=actor, lag=item.lag, action="item.hands_recorded", target=item,
                 summary=f"{item.code}: {counts[0]}-{counts[1]}-{counts[2]}", data={"hands": counts})
    return item


@transaction.atomic
def item_decide(*, actor, item: AgendaItem, now: dt.datetime | None = None) -> AgendaItem:
    """Check an item decided at a meeting and record its result.

    A blocked item records no result: it stays open to be decided again once the situation
    changes (another member steps out) or continues in a written procedure. An approved or
    rejected item is final.
    """
    _meeting_item(item)
    item = _fresh_item(item)
    _item_is_open(item)
    if item.meeting.status == MeetingStatus.PLANNED:
        raise ValidationError(_("Record the attendance first."))
    continued = item.follow_ups.first()
    if continued is not None:
        raise ValidationError(_("%(code)s continues in a written procedure; its result is recorded there.")
                              % {"code": item.code})
    situation = selectors.item_situation(item)
    outcome = selectors.item_check(item, situation)
    if outcome.result != BLOCKED and not situation.has_votes:
        raise ValidationError(_("Record the votes on %(code)s first.") % {"code": item.code})
    item.status = RESULT_STATUS[outcome.result]
    item.outcome = outcome.to_dict()
    item.decided_at = _now(now)
    item.save(update_fields=["status", "outcome", "decided_at"])
    audit_record(actor=actor, lag=item.lag, action=f"item.{outcome.result}", target=item,
                 summary=f"{item.code} {_both_titles(item)}", data={"outcome": item.outcome})
    return item


# --- written procedures ----------------------------------------------------------------------
@transaction.atomic
def procedure_open(*, actor, lag, body: Body | None = None, closes_at: dt.datetime, code: str = "",
                   title_ka: str = "", title_en: str = "", description_ka: str = "", description_en: str = "",
                   is_selection: bool | None = None, origin: AgendaItem | None = None,
                   now: dt.datetime | None = None) -> AgendaItem:
    """Open a written procedure (remote vote with a deadline) on a new item, or continuing a blocked one.

    Continuing ``origin`` takes its body, number, titles and selection flag unless given, and
    copies its declared conflicts (not members who only stepped out). Seat holders are notified.
    """
    now = _now(now)
    if origin is not None:
        _require_lag(origin, lag, _("Choose one of this LAG's items."))
        if origin.status != ItemStatus.BLOCKED:
            raise ValidationError(_("Only a blocked item can continue in a written procedure."))
        if origin.follow_ups.filter(status=ItemStatus.VOTING).exists():
            raise ValidationError(_("A written procedure on %(code)s is already open.") % {"code": origin.code})
        body = body or origin.body
        code = code or origin.code
        title_ka = title_ka or origin.title_ka or ""
        title_en = title_en or origin.title_en or ""
        description_ka = description_ka or origin.description_ka or ""
        description_en = description_en or origin.description_en or ""
        is_selection = origin.is_selection if is_selection is None else is_selection
    _require_lag(body, lag, _("Choose one of this LAG's bodies."))
    if origin is not None and origin.body_id != body.pk:
        raise ValidationError(_("A written procedure continuing an item is voted by the same body."))
    if not (code or "").strip() or not (title_ka or "").strip():
        raise ValidationError(_("Give the item a number and a title in Georgian."))
    if closes_at is None:
        raise ValidationError(_("Set the deadline for the votes."))
    closes_at = closes_at.replace(microsecond=0)
    if closes_at <= now:
        raise ValidationError(_("The deadline must be in the future."))
    item = AgendaItem.objects.create(
        lag=lag, body=body, meeting=None, procedure=Procedure.WRITTEN, code=code.strip(),
        title_ka=title_ka.strip(), title_en=(title_en or "").strip(), description_ka=description_ka or "",
        description_en=description_en or "", is_selection=bool(is_selection), opens_at=now, closes_at=closes_at,
        origin=origin, status=ItemStatus.VOTING,
    )
    seats = selectors.seat_holders(body, on=timezone.localdate(now))
    seat_ids = {m.pk for m in seats}
    if origin is not None:
        ConflictDeclaration.objects.bulk_create([
            ConflictDeclaration(item=item, member_id=c.member_id, reason=c.reason, kind=RecusalKind.CONFLICT,
                                entered_by=c.entered_by)
            for c in origin.conflicts.filter(kind=RecusalKind.CONFLICT) if c.member_id in seat_ids
        ])
    _tell_members(seats, lag=lag, template="governance/messages/procedure",
                  context={"item": item, "when": _local(closes_at)})
    audit_record(actor=actor, lag=lag, action="procedure.opened", target=item, public=True,
                 summary=f"{item.code} {_both_titles(item)} · {_local(closes_at)}",
                 data={"body": body.pk, "origin": origin.pk if origin else None, "closes_at": closes_at.isoformat()})
    return item


def _existing_vote(item: AgendaItem, member: Member) -> Vote | None:
    return Vote.objects.filter(item=item, member=member).first()


@transaction.atomic
def procedure_vote(*, actor, item: AgendaItem, member: Member, choice: str,
                   now: dt.datetime | None = None) -> tuple[Vote, bool]:
    """A member's own vote in a written procedure; exactly once.

    Returns ``(vote, created)``. A retry, a double click or a concurrent request returns the vote
    already cast and changes nothing (the unique constraint decides the race).
    """
    if item.procedure != Procedure.WRITTEN:
        raise ValidationError(_("Votes on items of a meeting are entered by the manager."))
    item = _fresh_item(item, lock=False)
    existing = _existing_vote(item, member)
    if existing is not None:
        audit_record(actor=actor, lag=item.lag, action="procedure.vote_repeated", target=item,
                     summary=f"{item.code} · {member}", data={"member": member.pk})
        return existing, False
    if item.status != ItemStatus.VOTING or is_past_deadline(item.closes_at, now):
        raise ValidationError(_("Voting on %(code)s closed at %(when)s (Tbilisi time); your vote was not counted.")
                              % {"code": item.code, "when": _local(item.closes_at)})
    choice = _valid_choice(choice)
    if member.lag_id != item.lag_id or member.pk not in {m.pk for m in selectors.seat_holders(
            item.body, on=selectors.item_seat_date(item))}:
        raise ValidationError(_("Only members of %(body)s vote on %(code)s.") % {"body": item.body, "code": item.code})
    if ConflictDeclaration.objects.filter(item=item, member=member).exists():
        raise ValidationError(_("You declared a conflict of interest on %(code)s, so you do not vote on it.")
                              % {"code": item.code})
    try:
        with transaction.atomic():
            vote = Vote.objects.create(item=item, member=member, choice=choice, entered_by=actor)
    except IntegrityError:
        vote = Vote.objects.get(item=item, member=member)
        audit_record(actor=actor, lag=item.lag, action="procedure.vote_repeated", target=item,
                     summary=f"{item.code} · {member}", data={"member": member.pk})
        return vote, False
    audit_record(actor=actor, lag=item.lag, action="procedure.vote_cast", target=item,
                 summary=f"{item.code} · {member}", data={"member": member.pk})
    return vote, True


@transaction.atomic
def procedure_close(*, actor, item: AgendaItem, now: dt.datetime | None = None) -> AgendaItem:
    """Close a written procedure after its deadline and record the result (by the manager or the clock).

    Participants are the members who voted; the quorum counts them against the body's seats.
    """
    item = _fresh_item(item)
    if item.procedure != Procedure.WRITTEN:
        raise ValidationError(_("Only a written procedure is closed this way."))
    if item.status != ItemStatus.VOTING:
        raise ValidationError(_("The written procedure on %(code)s is already closed.") % {"code": item.code})
    if not is_past_deadline(item.closes_at, now):
        raise ValidationError(_("Voting on %(code)s is open until %(when)s (Tbilisi time); close it after that.")
                              % {"code": item.code, "when": _local(item.closes_at)})
    situation = selectors.item_situation(item)
    outcome = selectors.item_check(item, situation)
    item.status = RESULT_STATUS[outcome.result]
    item.outcome = outcome.to_dict()
    item.decided_at = _now(now)
    item.save(update_fields=["status", "outcome", "decided_at"])
    decided = AgendaItem.objects.prefetch_related("votes__member", "conflicts__member").get(pk=item.pk)
    audit_record(actor=actor, lag=item.lag, action="procedure.closed", target=item, public=True,
                 summary=f"{item.code} {_both_titles(item)}: {item.get_status_display()}",
                 data={"decision": public_decision(decided)})
    return item


# --- minutes ---------------------------------------------------------------------------------
@transaction.atomic
def minutes_publish(*, actor, meeting: Meeting, notes: str | None = None,
                    now: dt.datetime | None = None) -> Meeting:
    """The manager approves the minutes of a held meeting whose items are all decided or blocked."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("lag", "body").get(pk=meeting.pk)
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ValidationError(_("These minutes are already published."))
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Record the attendance first: minutes are written for a meeting that was held."))
    undecided = list(meeting.items.exclude(status__in=DECIDED_STATUSES).values_list("code", flat=True))
    if undecided:
        raise ValidationError(_("Decide every item first (still open: %(codes)s).") % {"codes": ", ".join(undecided)})
    if notes is not None:
        meeting.minutes_notes = notes.strip()
    meeting.status = MeetingStatus.PUBLISHED
    meeting.minutes_published_at = _now(now)
    head = ledger_head(meeting.lag)
    meeting.minutes_ledger_seq, meeting.minutes_ledger_hash = (head.seq, head.hash) if head else (None, "")
    meeting.save(update_fields=["status", "minutes_published_at", "minutes_notes", "minutes_ledger_seq",
                                "minutes_ledger_hash"])
    items = meeting.items.prefetch_related("votes__member", "conflicts__member").order_by("code", "id")
    # Every decision of the meeting enters the public ledger with its votes and recusals.
    audit_record(actor=actor, lag=meeting.lag, action="meeting.minutes_published", target=meeting, public=True,
                 summary=f"{_both_titles(meeting)} · {_local(meeting.starts_at)}",
                 data={"meeting": meeting.pk, "body": meeting.body_id,
                       "decisions": [public_decision(i) for i in items]})
    return meeting


def close_due_procedures(*, now: dt.datetime | None = None) -> list[AgendaItem]:
    """Close every written procedure past its deadline (each in its own transaction). For the cron command."""
    now = _now(now)
    due = AgendaItem.objects.filter(
        procedure=Procedure.WRITTEN, status=ItemStatus.VOTING, closes_at__lt=now.replace(microsecond=0)
    ).values_list("pk", flat=True)
    closed = []
    for pk in list(due):
        try:
            closed.append(procedure_close(actor=None, item=AgendaItem(pk=pk), now=now))
        except ValidationError:
            continue  # closed meanwhile by the manager
    return closed
