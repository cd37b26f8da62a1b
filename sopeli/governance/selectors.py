"""Reads for governance pages, each a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sopeli.governance import rules
from sopeli.governance.models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Procedure,
    RecusalKind,
    Vote,
    VotingMethod,
)
from sopeli.membership.models import Body, Member, MemberStatus
from sopeli.membership.selectors import seat_holders as membership_seat_holders


# --- who sits on a body ----------------------------------------------------------------------
def seat_holders(body: Body, on: dt.date | None = None) -> list[Member]:
    """The members who sit on ``body`` on ``on`` (default: today in Asia/Tbilisi), by name, with groups joined.

    The meaning is the membership app's (``sopeli.membership.selectors.seat_holders``): every
    member of the LAG for the general assembly, seat holders whose term covers the day otherwise.
    """
    return list(membership_seat_holders(body, on=on or timezone.localdate()))


def meeting_date(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.starts_at).date()


def item_seat_date(item: AgendaItem) -> dt.date:
    """The date whose seats count for the item: the meeting's day, or the day a procedure opened."""
    if item.meeting_id:
        return meeting_date(item.meeting)
    return timezone.localtime(item.opens_at or item.created_at).date()


def voter(member: Member) -> rules.Voter:
    return rules.Voter(member.pk, member.sector, member.interest_group.code)


def member_for_user(user, lag) -> Member | None:
    """The logged-in user's active membership in ``lag`` (None for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(lag=lag, user=user, status=MemberStatus.ACTIVE).first()


# --- the check of one item, as it stands -----------------------------------------------------
@dataclass
class ItemSituation:
    """Everything ``rules.decide`` needs for an item, read from the record."""

    seats: list[Member]
    participants: list[Member]
    others_without_conflict: list[Member]
    recused: list[ConflictDeclaration]
    votes: dict[int, str] | None
    tally: rules.Tally | None

    @property
    def has_votes(self) -> bool:
        return bool(self.votes) if self.votes is not None else self.tally is not None


def item_situation(item: AgendaItem, *, seats: list[Member] | None = None,
                   present_ids: set[int] | None = None) -> ItemSituation:
    """Who sits, who takes part, who stepped out, and the votes recorded so far.

    At a meeting the participants are the seat holders present who have not stepped out; in a
    written procedure they are the seat holders who voted. ``seats``/``present_ids`` may be given
    by a caller that already read them (a page showing many items of one meeting).
    """
    if seats is None:
        seats = seat_holders(item.body, on=item_seat_date(item))
    recused = list(item.conflicts.all())
    recused_ids = {c.member_id for c in recused}
    conflict_ids = {c.member_id for c in recused if c.kind == RecusalKind.CONFLICT}
    votes = list(item.votes.all())
    if item.procedure == Procedure.WRITTEN:
        voted = {v.member_id: v.choice for v in votes if v.member_id not in recused_ids}
        participants = [m for m in seats if m.pk in voted]
        taking_part = {m.pk for m in participants}
        others = [m for m in seats if m.pk not in taking_part and m.pk not in conflict_ids]
        return ItemSituation(seats, participants, others, recused,
                             {k: v for k, v in voted.items() if k in taking_part}, None)
    if present_ids is None:
        present_ids = set(
            Attendance.objects.filter(meeting_id=item.meeting_id, present=True).values_list("member_id", flat=True)
        )
    participants = [m for m in seats if m.pk in present_ids and m.pk not in recused_ids]
    taking_part = {m.pk for m in participants}
    # Members who only stepped out to keep the balance may vote in a written procedure; a conflict may not.
    others = [m for m in seats if m.pk not in taking_part and m.pk not in conflict_ids]
    if item.voting_method == VotingMethod.SHOW_OF_HANDS and item.hands_for is not None:
        tally = rules.Tally(item.hands_for, item.hands_against or 0, item.hands_abstain or 0)
        return ItemSituation(seats, participants, others, recused, None, tally)
    return ItemSituation(seats, participants, others, recused,
                         {v.member_id: v.choice for v in votes if v.member_id in taking_part}, None)


def item_check(item: AgendaItem, situation: ItemSituation | None = None) -> rules.DecisionOutcome:
    """Run the LEADER checks on the item as it stands, without recording anything."""
    s = situation or item_situation(item)
    return rules.decide(
        seats=len(s.seats),
        participants=[voter(m) for m in s.participants],
        votes=s.votes if s.votes is not None else None,
        tally=s.tally,
        is_selection=item.is_selection,
        votes_for_variant=item.lag.votes_for_variant,
        quorum_percent=item.body.quorum_percent,
        others_without_conflict=[voter(m) for m in s.others_without_conflict],
    )


# --- pages -----------------------------------------------------------------------------------
def _items_with_record():
    return AgendaItem.objects.select_related("body", "origin").prefetch_related(
        Prefetch("conflicts", queryset=ConflictDeclaration.objects.select_related("member").order_by("declared_at", "id")),
        Prefetch("votes", queryset=Vote.objects.select_related("member").order_by("member__name", "id")),
    )


def public_decisions(lag):
    """Published minutes and closed written procedures, newest first, as (kind, id, at) rows."""
    meetings = (
        Meeting.objects.filter(lag=lag, status=MeetingStatus.PUBLISHED)
        .annotate(kind=Value("meeting"), at=F("starts_at"))
        .order_by()
        .values_list("kind", "id", "at")
    )
    procedures = (
        AgendaItem.objects.filter(lag=lag, procedure=Procedure.WRITTEN, decided_at__isnull=False)
        .exclude(status=ItemStatus.VOTING)
        .annotate(kind=Value("procedure"), at=F("closes_at"))
        .order_by()
        .values_list("kind", "id", "at")
    )
    return meetings.union(procedures, all=True).order_by("-at", "-id")


def decisions_page_objects(lag, rows) -> list[tuple[str, object]]:
    """The meetings and procedures of one page of ``public_decisions``, in its order (2 queries)."""
    rows = list(rows)
    meeting_ids = [r[1] for r in rows if r[0] == "meeting"]
    item_ids = [r[1] for r in rows if r[0] == "procedure"]
    meetings = {}
    if meeting_ids:
        meetings = {
            m.pk: m for m in Meeting.objects.filter(lag=lag, pk__in=meeting_ids).select_related("body").annotate(
                n_items=Count("items", distinct=True),
                n_approved=Count("items", filter=Q(items__status=ItemStatus.APPROVED), distinct=True),
                n_rejected=Count("items", filter=Q(items__status=ItemStatus.REJECTED), distinct=True),
                n_blocked=Count("items", filter=Q(items__status=ItemStatus.BLOCKED), distinct=True),
            )
        }
    items = {}
    if item_ids:
        items = {i.pk: i for i in AgendaItem.objects.filter(lag=lag, pk__in=item_ids).select_related("body")}
    out = []
    for kind, pk, _at in rows:
        obj = meetings.get(pk) if kind == "meeting" else items.get(pk)
        if obj is not None:
            out.append((kind, obj))
    return out


def meetings_for_manager(lag):
    return (
        Meeting.objects.filter(lag=lag)
        .select_related("body")
        .annotate(
            n_items=Count("items", distinct=True),
            n_open=Count("items", filter=~Q(items__status__in=[ItemStatus.APPROVED, ItemStatus.REJECTED,
                                                              ItemStatus.BLOCKED]), distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def meeting_for_manager(lag, meeting_id: int) -> Meeting:
    return Meeting.objects.select_related("body", "lag").get(lag=lag, pk=meeting_id)


def meeting_record(meeting: Meeting) -> dict:
    """Attendance, items with their conflicts and votes, and each item's check: a fixed number of queries."""
    seats = seat_holders(meeting.body, on=meeting_date(meeting))
    attendance = list(Attendance.objects.filter(meeting=meeting).select_related("member__interest_group")
                      .order_by("member__name", "member_id"))
    present_ids = {a.member_id for a in attendance if a.present}
    recorded = bool(attendance)
    items = list(_items_with_record().filter(meeting=meeting).order_by("code", "id"))
    follow_ups = {}
    for fu in AgendaItem.objects.filter(origin__in=items).order_by("created_at"):
        follow_ups.setdefault(fu.origin_id, []).append(fu)
    checks = []
    for item in items:
        item.lag = meeting.lag
        item.meeting = meeting
        situation = item_situation(item, seats=seats, present_ids=present_ids)
        item.situation = situation
        item.preview = item_check(item, situation) if recorded else None
        item.continued_by = follow_ups.get(item.pk, [])
        checks.append(item.preview)
    seat_ids = {m.pk for m in seats}
    present = [a.member for a in attendance if a.present]
    absent = [a.member for a in attendance if not a.present]
    not_recorded = [m for m in seats if m.pk not in {a.member_id for a in attendance}]
    return {
        "meeting": meeting,
        "seats": seats,
        "seat_ids": seat_ids,
        "attendance_recorded": recorded,
        "present": present,
        "present_ids": present_ids,
        "absent": absent,
        "not_recorded": not_recorded,
        "items": items,
        "quorum_needed": rules.quorum_needed(len(seats), meeting.body.quorum_percent),
    }


def published_meeting(lag, meeting_id: int) -> Meeting:
    return Meeting.objects.select_related("body", "lag").get(lag=lag, pk=meeting_id)


def written_procedures(lag, *, open_: bool):
    qs = AgendaItem.objects.filter(lag=lag, procedure=Procedure.WRITTEN).select_related("body", "origin")
    if open_:
        return qs.filter(status=ItemStatus.VOTING).annotate(
            n_votes=Count("votes", distinct=True), n_conflicts=Count("conflicts", distinct=True)
        ).order_by("closes_at", "id")
    return qs.exclude(status=ItemStatus.VOTING).annotate(
        n_votes=Count("votes", distinct=True), n_conflicts=Count("conflicts", distinct=True)
    ).order_by("-closes_at", "-id")


def procedure_record(lag, item_id: int) -> AgendaItem:
    item = _items_with_record().select_related("lag").get(lag=lag, pk=item_id, procedure=Procedure.WRITTEN)
    return item


def blocked_items(lag):
    """Blocked items a written procedure may continue (for the 'open a procedure' form)."""
    return AgendaItem.objects.filter(lag=lag, status=ItemStatus.BLOCKED).select_related("body").order_by("-decided_at")


def open_procedures_for_member(member: Member, now=None):
    """Open written procedures on bodies the member sits on, with the member's own conflict or vote."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    seat_bodies = Body.objects.filter(lag_id=member.lag_id).filter(
        Q(all_members_sit=True)
        | Q(seats__member=member, seats__starts_on__lte=today)
        & (Q(seats__ends_on__isnull=True) | Q(seats__ends_on__gte=today))
    ).values("pk")
    items = (
        AgendaItem.objects.filter(
            lag_id=member.lag_id, procedure=Procedure.WRITTEN, status=ItemStatus.VOTING, body__in=seat_bodies
        )
        .select_related("body")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.filter(member=member), to_attr="my_votes"),
            Prefetch("conflicts", queryset=ConflictDeclaration.objects.filter(member=member), to_attr="my_conflicts"),
        )
        .order_by("closes_at", "id")
    )
    return items


def past_votes_of_member(member: Member):
    return (
        Vote.objects.filter(member=member, item__procedure=Procedure.WRITTEN)
        .exclude(item__status=ItemStatus.VOTING)
        .select_related("item", "item__body")
        .order_by("-cast_at", "-id")
    )


def manager_overview(lag) -> dict:
    now = timezone.now()
    meetings = Meeting.objects.filter(lag=lag).aggregate(
        upcoming=Coalesce(Count("id", filter=Q(status=MeetingStatus.PLANNED, starts_at__gte=now)), 0,
                          output_field=IntegerField()),
        minutes_to_publish=Coalesce(Count("id", filter=Q(status=MeetingStatus.HELD)), 0,
                                    output_field=IntegerField()),
    )
    procedures = AgendaItem.objects.filter(lag=lag, procedure=Procedure.WRITTEN, status=ItemStatus.VOTING).aggregate(
        open=Count("id"), due=Count("id", filter=Q(closes_at__lt=now.replace(microsecond=0))),
    )
    return {
        "pending_applications": Member.objects.filter(lag=lag, status=MemberStatus.APPLIED).count(),
        "open_procedures": procedures["open"],
        "procedures_due_to_close": procedures["due"],
        "upcoming_meetings": meetings["upcoming"],
        "minutes_to_publish": meetings["minutes_to_publish"],
    }
