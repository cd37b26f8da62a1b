"""Reads for membership pages, each a fixed number of queries whatever the number of rows.

``seat_holders(body, on=date)`` is the one answer to "who sits on this body on that day", for a
body with seats and for a general assembly (``all_members_sit``) alike; governance counts quorum
and composition from it (``voters_for(members)`` turns the result into ``rules.Voter`` values).
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import ngettext

from sopeli.core.models import Lag, Settlement
from sopeli.core.privacy import PUBLIC_MEMBER_FIELDS
from sopeli.governance.rules import Voter, body_can_ever_decide, share_within_limit
from sopeli.membership.models import (
    Body,
    Gender,
    InterestGroup,
    Member,
    MembershipEvent,
    MemberStatus,
    Seat,
    Sector,
)


def current_seat_filter(prefix: str = "seats__", today=None) -> Q:
    today = today or timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def member_on_filter(on: datetime.date, prefix: str = "") -> Q:
    """Members whose membership had not ended by the day ``on``: active ones, and those who resigned later.

    The approval date is deliberately not a lower bound: LAGs enter members who joined on paper
    years ago, and a meeting may be recorded after the day it was held. Seats carry their own
    dates, so for boards and working groups the seat term decides.
    """
    return Q(**{f"{prefix}status": MemberStatus.ACTIVE}) | Q(
        **{f"{prefix}status": MemberStatus.RESIGNED, f"{prefix}ended_at__date__gt": on}
    )


def seat_holders(body: Body, on: datetime.date | None = None) -> QuerySet[Member]:
    """The members who sit on ``body`` on the day ``on`` (default: today, Asia/Tbilisi), by name.

    - a body with ``all_members_sit`` (the general assembly): every member of the body's LAG whose
      membership had not ended by that day (see ``member_on_filter``); no ``Seat`` rows are involved;
    - any other body: members holding a seat whose term covers that day (first and last days
      included) and whose membership covers it too (a member who resigned no longer sits).

    Returns a lazy QuerySet of ``Member`` with ``interest_group`` and ``village`` joined: one query
    when evaluated. Chain ``.filter``/``.only`` as needed; the pk list suits ``__in`` lookups.
    """
    on = on or timezone.localdate()
    members = Member.objects.filter(lag_id=body.lag_id).filter(member_on_filter(on))
    if not body.all_members_sit:
        seated = Seat.objects.filter(body=body).filter(current_seat_filter(prefix="", today=on)).values("member_id")
        members = members.filter(pk__in=seated)
    return members.select_related("interest_group", "village").order_by("name", "pk")


def voters_for(members) -> list[Voter]:
    """``rules.Voter`` values for members (needs ``interest_group`` loaded to stay at one query)."""
    return [Voter(id=m.pk, sector=m.sector, group=m.interest_group.code) for m in members]


def bodies_with_seat_counts(lag: Lag) -> list[Body]:
    """The LAG's bodies with ``seat_count`` (current seats; every active member for an assembly). Two queries."""
    bodies = list(
        Body.objects.filter(lag=lag).annotate(seat_count=Count("seats", filter=current_seat_filter(), distinct=True))
    )
    if any(b.all_members_sit for b in bodies):
        active = Member.objects.filter(lag=lag).filter(member_on_filter(timezone.localdate())).count()
        for b in bodies:
            if b.all_members_sit:
                b.seat_count = active
    return bodies


# --- member lists --------------------------------------------------------------------------------


def public_members(lag: Lag, *, sector: str = "", group_id: int | None = None, village_id: int | None = None) -> QuerySet[Member]:
    """Active members with their public fields only, filterable; paginate the result."""
    qs = (
        Member.objects.filter(lag=lag, status=MemberStatus.ACTIVE)
        .select_related("interest_group", "village")
        .only(*PUBLIC_MEMBER_FIELDS)
        .order_by("name", "pk")
    )
    if sector in Sector.values:
        qs = qs.filter(sector=sector)
    if group_id:
        qs = qs.filter(interest_group_id=group_id)
    if village_id:
        qs = qs.filter(village_id=village_id)
    return qs


def filter_choices(lag: Lag) -> dict:
    """The LAG's interest groups and villages, for filters and forms (two queries)."""
    return {
        "groups": list(InterestGroup.objects.filter(lag=lag).order_by("name", "pk")),
        "villages": list(Settlement.objects.filter(lag=lag).order_by("-is_centre", "name")),
    }


def manager_members(lag: Lag, *, status: str = "", q: str = "") -> QuerySet[Member]:
    """The register: applications waiting first (oldest first), then everyone by name."""
    qs = (
        Member.objects.filter(lag=lag)
        .select_related("interest_group", "village")
        .annotate(waiting=Case(When(status=MemberStatus.APPLIED, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("waiting", "applied_at", "name", "pk")
    )
    if status in MemberStatus.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(representative__icontains=q) | Q(email__icontains=q))
    return qs


def status_counts(lag: Lag) -> dict[str, int]:
    rows = Member.objects.filter(lag=lag).values("status").annotate(n=Count("pk")).order_by()
    counts = {s: 0 for s in MemberStatus.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def _history_prefetches():
    return (
        Prefetch("history", queryset=MembershipEvent.objects.select_related("actor").order_by("at", "id")),
        Prefetch("seats", queryset=Seat.objects.select_related("body").order_by("-starts_on", "pk")),
    )


def member_for_staff(lag: Lag, member_id: int) -> Member:
    """One member of ``lag`` with history and seats (404 for another LAG's member). Three queries."""
    qs = Member.objects.filter(lag=lag).select_related("interest_group", "village", "user").prefetch_related(*_history_prefetches())
    return get_object_or_404(qs, pk=member_id)


def memberships_of_user(lag: Lag, user) -> list[Member]:
    """The user's own memberships (and applications) in ``lag``, with history and seats."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Member.objects.filter(lag=lag, user=user)
        .select_related("interest_group", "village")
        .prefetch_related(*_history_prefetches())
        .order_by("-applied_at", "-pk")
    )


# --- bodies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    total: int
    limited: bool = False  # the 49% rule applies to this category

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0

    @property
    def width(self) -> str:
        """CSS width, with a dot whatever the locale."""
        return f"{(100 * self.count / self.total) if self.total else 0:.1f}%"

    @property
    def over(self) -> bool:
        return self.limited and not share_within_limit(self.count, self.total)


def _bars(counter: Counter, labels: dict, total: int, *, limited=lambda key: False) -> list[Bar]:
    rows = [Bar(key=str(k), label=str(labels.get(k, k)), count=n, total=total, limited=limited(k)) for k, n in counter.items()]
    return sorted(rows, key=lambda b: (-b.count, b.label))


def composition_warnings(members) -> list[str]:
    """Plain sentences for each share that makes the 49% rule impossible even at full attendance."""
    members = list(members)
    names = {m.interest_group.code: m.interest_group.name for m in members}
    return _warnings(body_can_ever_decide(voters_for(members)), names)


def _warnings(comp, group_names: dict[str, str]) -> list[str]:
    if comp.total == 0:
        return []
    allowed = 49 * comp.total // 100
    warnings = []
    for share in comp.failures:
        figures = {"count": share.count, "total": comp.total, "percent": round(100 * share.count / comp.total), "allowed": allowed}
        if share.kind == "sector":
            warnings.append(ngettext(
                "The public sector holds %(count)s of %(total)s seat (%(percent)s%%): at most %(allowed)s may be public.",
                "The public sector holds %(count)s of %(total)s seats (%(percent)s%%): at most %(allowed)s may be public.",
                comp.total,
            ) % figures)
        else:
            warnings.append(ngettext(
                "The interest group “%(group)s” holds %(count)s of %(total)s seat (%(percent)s%%): at most %(allowed)s may come from one group.",
                "The interest group “%(group)s” holds %(count)s of %(total)s seats (%(percent)s%%): at most %(allowed)s may come from one group.",
                comp.total,
            ) % {**figures, "group": group_names.get(share.key, share.key)})
    return warnings


def body_composition(lag: Lag, body_id: int, *, on: datetime.date | None = None) -> dict:
    """A body of ``lag`` on the day ``on``: counts and shares, the 49% warnings, and its seats.

    Counting is done by the database (one grouped query), so a general assembly of thousands
    costs the same as a board of eleven: five queries in all.
    """
    on = on or timezone.localdate()
    body = get_object_or_404(Body.objects.filter(lag=lag), pk=body_id)
    rows = list(
        seat_holders(body, on).order_by().values("sector", "interest_group_id", "gender", "village_id").annotate(n=Count("pk"))
    )
    groups = {g.pk: g for g in InterestGroup.objects.filter(lag=lag)}
    villages = {v.pk: v.name for v in Settlement.objects.filter(lag=lag)}
    seats = []
    if not body.all_members_sit:
        seats = list(
            Seat.objects.filter(body=body).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
            .select_related("member__interest_group", "member__village", "election")
            .only("id", "body", "role", "starts_on", "ends_on", "member", "election", "election__id", "election__held_on",
                  *[f"member__{f}" for f in PUBLIC_MEMBER_FIELDS])
            .order_by("starts_on", "member__name", "pk")
        )
    return {"body": body, "on": on, "seats": seats, **_composition(rows, groups, villages)}


def _composition(rows, groups: dict, villages: dict) -> dict:
    """Counts, shares and 49% warnings from grouped rows {sector, interest_group_id, gender, village_id, n}."""
    by_sector, by_group, by_gender, by_village = Counter(), Counter(), Counter(), Counter()
    voters = []
    for row in rows:
        code = groups[row["interest_group_id"]].code
        by_sector[row["sector"]] += row["n"]
        by_group[code] += row["n"]
        by_gender[row["gender"]] += row["n"]
        by_village[row["village_id"]] += row["n"]
        voters += [Voter(id=(len(voters) + i), sector=row["sector"], group=code) for i in range(row["n"])]
    total = len(voters)
    group_names = {g.code: g.name for g in groups.values()}
    return {
        "total": total,
        "by_sector": _bars(by_sector, dict(Sector.choices), total, limited=lambda k: k == Sector.PUBLIC),
        "by_group": _bars(by_group, group_names, total, limited=lambda k: True),
        "by_gender": _bars(by_gender, dict(Gender.choices), total),
        "by_village": _bars(by_village, villages, total),
        "warnings": _warnings(body_can_ever_decide(voters), group_names),
    }


def bodies_composition(lag: Lag, *, on: datetime.date | None = None) -> list[dict]:
    """Every body of ``lag`` with its composition on the day ``on`` (as ``body_composition``, without
    the seat list): five queries whatever the number of bodies and members."""
    on = on or timezone.localdate()
    bodies = list(Body.objects.filter(lag=lag))
    shape = ("sector", "interest_group_id", "gender", "village_id")
    seated: dict[int, list] = {}
    # One member counts once per body, however many of its seats are current (as seat_holders).
    for row in (Seat.objects.filter(body__lag=lag, body__all_members_sit=False, member__lag=lag)
                .filter(current_seat_filter(prefix="", today=on)).filter(member_on_filter(on, prefix="member__"))
                .order_by().values("body_id", *[f"member__{f}" for f in shape]).annotate(n=Count("member_id", distinct=True))):
        seated.setdefault(row["body_id"], []).append({f: row[f"member__{f}"] for f in shape} | {"n": row["n"]})
    # Asked even without an assembly, so the count of queries does not depend on the bodies.
    assembly = list(Member.objects.filter(lag=lag).filter(member_on_filter(on)).order_by().values(*shape).annotate(n=Count("pk")))
    groups = {g.pk: g for g in InterestGroup.objects.filter(lag=lag)}
    villages = {v.pk: v.name for v in Settlement.objects.filter(lag=lag)}
    return [{"body": b, "on": on, **_composition(assembly if b.all_members_sit else seated.get(b.pk, []), groups, villages)}
            for b in bodies]


def body_for_staff(lag: Lag, body_id: int) -> dict:
    """Everything the manager's body page shows: composition today, every seat ever, elections."""
    data = body_composition(lag, body_id)
    body = data["body"]
    data["all_seats"] = list(
        Seat.objects.filter(body=body).select_related("member", "election").order_by("-starts_on", "member__name", "pk")
    )
    data["elections"] = list(body.elections.annotate(elected=Count("seats")).order_by("-held_on", "-pk"))
    return data


def active_members_for_choice(lag: Lag) -> QuerySet[Member]:
    return Member.objects.filter(lag=lag, status=MemberStatus.ACTIVE).only("id", "name", "lag_id").order_by("name", "pk")
