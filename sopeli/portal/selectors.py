"""Reads for the portal's pages, feeds and API; each a fixed number of queries whatever the rows."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sopeli.core.models import Lag, LedgerEntry
from sopeli.core.privacy import PUBLIC_MEMBER_STATUSES, public_member_queryset
from sopeli.governance.models import (
    DECIDED_STATUSES,
    AgendaItem,
    ConflictDeclaration,
    Meeting,
    MeetingStatus,
    Procedure,
    Vote,
)
from sopeli.membership.models import Body, Member, Seat
from sopeli.portal.models import News


# --- news --------------------------------------------------------------------------------------
def published_news(lag: Lag) -> QuerySet[News]:
    return News.objects.filter(lag=lag, is_published=True).order_by("-published_at", "-id")


def published_news_item(lag: Lag, news_id: int) -> News:
    return get_object_or_404(News, lag=lag, pk=news_id, is_published=True)


def news_for_manager(lag: Lag) -> QuerySet[News]:
    return News.objects.filter(lag=lag).order_by("is_published", "-published_at", "-created_at", "-id")


def news_for_staff(lag: Lag, news_id: int) -> News:
    return get_object_or_404(News, lag=lag, pk=news_id)


# --- decisions ---------------------------------------------------------------------------------
def public_decision_filter(prefix: str = "") -> Q:
    """Agenda items whose result is public: a meeting's items once its minutes are published, a
    written procedure once it is closed (the same rule as the governance decisions page)."""
    p = prefix
    return Q(**{f"{p}status__in": DECIDED_STATUSES}) & (
        Q(**{f"{p}procedure": Procedure.MEETING, f"{p}meeting__status": MeetingStatus.PUBLISHED})
        | Q(**{f"{p}procedure": Procedure.WRITTEN, f"{p}decided_at__isnull": False})
    )


def public_decisions(*, lag: Lag | None = None, body_id: int | None = None, result: str | None = None,
                     meeting_id: int | None = None) -> QuerySet[AgendaItem]:
    """Decided agenda items the public may see, newest first, with body, recusals and votes joined
    (three queries when evaluated). Members appear through ``core.privacy``'s public fields only."""
    qs = (
        AgendaItem.objects.filter(public_decision_filter())
        .select_related("lag", "body", "meeting")
        .prefetch_related(
            Prefetch("conflicts", queryset=ConflictDeclaration.objects.select_related("member")
                     .only("id", "item_id", "kind", "reason", "member__id", "member__name", "member__sector")
                     .order_by("declared_at", "id")),
            Prefetch("votes", queryset=Vote.objects.filter(item__voting_method="roll_call")
                     .select_related("member")
                     .only("id", "item_id", "choice", "member__id", "member__name", "member__sector")
                     .order_by("member__name", "id")),
        )
        .order_by("-decided_at", "-id")
    )
    if lag is not None:
        qs = qs.filter(lag=lag)
    if body_id is not None:
        qs = qs.filter(body_id=body_id)
    if result:
        qs = qs.filter(status=result)
    if meeting_id is not None:
        qs = qs.filter(meeting_id=meeting_id)
    return qs


# --- members, bodies, meetings -----------------------------------------------------------------
def public_members(*, lag: Lag | None = None, sector: str | None = None, village_id: int | None = None,
                   group_code: str | None = None) -> QuerySet[Member]:
    qs = public_member_queryset(Member.objects.filter(status__in=PUBLIC_MEMBER_STATUSES)).order_by("lag_id", "name", "pk")
    if lag is not None:
        qs = qs.filter(lag=lag)
    if sector:
        qs = qs.filter(sector=sector)
    if village_id is not None:
        qs = qs.filter(village_id=village_id)
    if group_code:
        qs = qs.filter(interest_group__code=group_code)
    return qs


def public_bodies(*, lag: Lag | None = None, kind: str | None = None) -> QuerySet[Body]:
    """Bodies with their current seats (today, Asia/Tbilisi) and the seat holders' public fields."""
    today = timezone.localdate()
    current = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    seats = (
        Seat.objects.filter(current, member__status__in=PUBLIC_MEMBER_STATUSES)
        .select_related("member")
        .only("id", "body_id", "role", "starts_on", "ends_on", "member__id", "member__name", "member__sector")
        .order_by("member__name", "id")
    )
    qs = Body.objects.select_related("lag").prefetch_related(Prefetch("seats", queryset=seats, to_attr="current_seats"))
    if lag is not None:
        qs = qs.filter(lag=lag)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("lag_id", "kind", "name", "id")


def public_meetings(*, lag: Lag | None = None, body_id: int | None = None, status: str | None = None):
    qs = Meeting.objects.select_related("lag", "body").order_by("-starts_at", "-id")
    if lag is not None:
        qs = qs.filter(lag=lag)
    if body_id is not None:
        qs = qs.filter(body_id=body_id)
    if status:
        qs = qs.filter(status=status)
    return qs


# --- ledger ------------------------------------------------------------------------------------
def ledger_page_entries(lag: Lag) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(lag=lag).order_by("-seq")


# --- how decisions are made --------------------------------------------------------------------
def how_we_decide(lag: Lag) -> dict:
    """The LAG's own settings and bodies, for the plain-words page (three queries)."""
    from sopeli.core.ledger import ledger_head
    from sopeli.governance.rules import LIMIT_PERCENT, quorum_needed
    from sopeli.membership.models import InterestGroup
    from sopeli.membership.selectors import bodies_with_seat_counts

    bodies = bodies_with_seat_counts(lag)
    for body in bodies:
        body.quorum_needed = quorum_needed(body.seat_count, body.quorum_percent) if body.seat_count else None
    return {
        "limit": LIMIT_PERCENT,
        "votes_for_variant": lag.votes_for_variant,
        "bodies": bodies,
        "groups": list(InterestGroup.objects.filter(lag=lag).order_by("name")),
        "head": ledger_head(lag),
    }
