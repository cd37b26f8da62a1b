"""The LEADER decision rules, as pure functions with no Django import.

What the law says (EU Reg. 1303/2013 Art. 32(2)(b) and 34(3)(b); Reg. 2021/1060 Art. 31(2)(b)):
at the decision-making level neither public authorities nor any single interest group may hold
more than 49% of the votes, and selection decisions need at least 50% of the votes from
non-public partners. Sopeli checks this for every agenda item on the members actually voting
after recusals, in integer arithmetic: a share is valid when ``100 × count ≤ 49 × voters``.

Decisions made here, and why:
- *Quorum* is strictly more than ``quorum_percent`` of the body's seats (default 50: "more than
  half"), counted on the members who take part in the item, i.e. present and not recused. A
  member who steps out of an item cannot make it quorate.
- *Majority*: an item passes when more than half of those taking part vote for it; abstentions
  and members who took part without voting count as not-for (the usual LAG statute wording:
  "a majority of the members present").
- The stricter *votes-for variant* (a LAG setting) additionally requires that neither the public
  sector nor one interest group holds more than 49% of the votes *for*; failing it rejects the
  proposal (scenario S1, item A-03), it does not block it.
- A failed composition, quorum or selection test **blocks** the item: no result may be
  recorded. ``decide`` then proposes valid ways on: a written procedure among every member who
  has no conflict, and the fewest members of the over-represented category stepping out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PUBLIC = "public"
LIMIT_PERCENT = 49

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
APPROVED, REJECTED, BLOCKED = "approved", "rejected", "blocked"


@dataclass(frozen=True)
class Voter:
    id: Hashable
    sector: str  # "public" | "business" | "civil"
    group: str  # the LAG's interest group code, e.g. "tourism"


@dataclass(frozen=True)
class Share:
    kind: str  # "sector" or "group"
    key: str
    count: int
    total: int

    @property
    def ok(self) -> bool:
        return share_within_limit(self.count, self.total)

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class Composition:
    total: int
    public: Share
    groups: tuple[Share, ...]

    @property
    def failures(self) -> tuple[Share, ...]:
        return tuple(s for s in (self.public, *self.groups) if not s.ok)

    @property
    def ok(self) -> bool:
        return self.total > 0 and not self.failures


@dataclass(frozen=True)
class Tally:
    for_: int = 0
    against: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.for_ + self.against + self.abstain


@dataclass(frozen=True)
class Problem:
    """Why an item is blocked or rejected; ``count``/``total``/``needed`` carry the numbers to show."""

    code: str  # quorum | no_voters | composition | selection | majority | for_composition | for_needs_roll_call | tally_mismatch
    key: str = ""
    count: int = 0
    total: int = 0
    needed: int = 0


@dataclass(frozen=True)
class Remedy:
    """A valid way on for a blocked item, with the figures it would produce."""

    code: str  # written_procedure | step_out
    voters: int
    public: int
    largest_group: str
    largest_group_count: int
    groups: tuple[tuple[str, int], ...] = ()
    step_out: int = 0
    step_out_kind: str = ""
    step_out_key: str = ""


@dataclass(frozen=True)
class DecisionOutcome:
    result: str  # approved | rejected | blocked
    seats: int
    participants: int
    tally: Tally
    composition: Composition
    problems: tuple[Problem, ...] = ()
    remedies: tuple[Remedy, ...] = ()
    for_composition: Composition | None = None
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """A JSON-ready record of the outcome, stored with the item and shown in the minutes."""

        def comp(c: Composition | None):
            if c is None:
                return None
            return {
                "total": c.total,
                "public": [c.public.count, c.public.total],
                "groups": {s.key: [s.count, s.total] for s in c.groups},
            }

        return {
            "result": self.result,
            "seats": self.seats,
            "participants": self.participants,
            "tally": {"for": self.tally.for_, "against": self.tally.against, "abstain": self.tally.abstain},
            "composition": comp(self.composition),
            "for_composition": comp(self.for_composition),
            "problems": [p.__dict__ for p in self.problems],
            "remedies": [r.__dict__ for r in self.remedies],
        }


def share_within_limit(count: int, total: int, limit_percent: int = LIMIT_PERCENT) -> bool:
    """True when ``count`` of ``total`` votes is at most ``limit_percent`` %, in integer arithmetic."""
    if total <= 0:
        return count == 0
    return 100 * count <= limit_percent * total


def quorum_needed(seats: int, quorum_percent: int = 50) -> int:
    """The smallest number of participants that is strictly more than ``quorum_percent`` % of seats."""
    return (quorum_percent * seats) // 100 + 1


def quorum_met(participants: int, seats: int, quorum_percent: int = 50) -> bool:
    return participants >= quorum_needed(seats, quorum_percent)


def composition(voters: Iterable[Voter]) -> Composition:
    voters = list(voters)
    total = len(voters)
    public = sum(1 for v in voters if v.sector == PUBLIC)
    groups = Counter(v.group for v in voters)
    return Composition(
        total=total,
        public=Share("sector", PUBLIC, public, total),
        groups=tuple(Share("group", g, n, total) for g, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def selection_majority_met(voters: Sequence[Voter]) -> bool:
    """At least 50% of the votes in a selection decision come from non-public partners."""
    non_public = sum(1 for v in voters if v.sector != PUBLIC)
    return 2 * non_public >= len(voters)


def valid_composition(voters: Sequence[Voter], *, is_selection: bool) -> bool:
    return composition(voters).ok and (not is_selection or selection_majority_met(voters))


def _largest_group(comp: Composition) -> tuple[str, int]:
    return (comp.groups[0].key, comp.groups[0].count) if comp.groups else ("", 0)


def _remedy(code: str, voters: Sequence[Voter], **extra) -> Remedy:
    comp = composition(voters)
    group, count = _largest_group(comp)
    return Remedy(code=code, voters=comp.total, public=comp.public.count, largest_group=group,
                  largest_group_count=count, groups=tuple((s.key, s.count) for s in comp.groups), **extra)


def fewest_to_step_out(
    voters: Sequence[Voter], *, seats: int, quorum_percent: int, is_selection: bool
) -> tuple[list[Voter], Share] | None:
    """The fewest voters of one over-represented category whose stepping out makes the item valid.

    Tries each failing category (the public sector, then over-limit groups); within a category it
    removes first the members who also belong to another over-limit category, so one departure
    fixes both where it can. Returns ``None`` when no such set keeps the quorum.
    """
    comp = composition(voters)
    best: tuple[list[Voter], Share] | None = None
    # A failed selection test always means the public share is over 49% too, so it is covered here.
    for failing in comp.failures:
        in_category = [v for v in voters if (v.sector if failing.kind == "sector" else v.group) == failing.key]
        other_failing = {s.key for s in comp.failures if s.kind == "group"}
        # Prefer removing voters that also sit in another over-limit group, then public ones.
        in_category.sort(key=lambda v: (v.group not in other_failing, v.sector != PUBLIC, str(v.id)))
        for r in range(1, len(in_category) + 1):
            remaining = [v for v in voters if v not in in_category[:r]]
            if not quorum_met(len(remaining), seats, quorum_percent):
                break
            if valid_composition(remaining, is_selection=is_selection):
                if best is None or r < len(best[0]):
                    best = (in_category[:r], failing)
                break
    return best


def decide(
    *,
    seats: int,
    participants: Sequence[Voter],
    votes: Mapping[Hashable, str] | None = None,
    tally: Tally | None = None,
    is_selection: bool = False,
    votes_for_variant: bool = False,
    quorum_percent: int = 50,
    others_without_conflict: Sequence[Voter] = (),
) -> DecisionOutcome:
    """Check an agenda item and give its result.

    ``participants`` are the members taking part after recusals (present at the meeting, or who
    voted in a written procedure). Give either ``votes`` (member id → "for"/"against"/"abstain",
    a roll call) or ``tally`` (a show of hands). ``others_without_conflict`` are the body's other
    members with no declared conflict who did not take part; they make up the written-procedure
    remedy when the item is blocked.
    """
    participants = list(participants)
    comp = composition(participants)
    problems: list[Problem] = []

    if votes is not None:
        ids = {v.id for v in participants}
        counted = Counter(choice for member_id, choice in votes.items() if member_id in ids)
        tally = Tally(counted[FOR], counted[AGAINST], counted[ABSTAIN])
        if any(member_id not in ids for member_id in votes):
            problems.append(Problem("tally_mismatch", count=len(votes), total=len(participants)))
    tally = tally or Tally()
    if tally.cast > len(participants):
        problems.append(Problem("tally_mismatch", count=tally.cast, total=len(participants)))

    if not participants:
        problems.append(Problem("no_voters"))
    needed = quorum_needed(seats, quorum_percent)
    if len(participants) < needed:
        problems.append(Problem("quorum", count=len(participants), total=seats, needed=needed))
    for share in comp.failures:
        problems.append(Problem("composition", key=share.key, count=share.count, total=share.total,
                                needed=_max_allowed(share.total)))
    if is_selection and participants and not selection_majority_met(participants):
        non_public = comp.total - comp.public.count
        problems.append(Problem("selection", count=non_public, total=comp.total, needed=(comp.total + 1) // 2))

    if problems:
        return DecisionOutcome(
            result=BLOCKED, seats=seats, participants=len(participants), tally=tally, composition=comp,
            problems=tuple(problems),
            remedies=_remedies(participants, others_without_conflict, seats, quorum_percent, is_selection),
        )

    for_comp = None
    if votes_for_variant:
        if votes is None:
            return DecisionOutcome(
                result=BLOCKED, seats=seats, participants=len(participants), tally=tally, composition=comp,
                problems=(Problem("for_needs_roll_call"),),
            )
        for_voters = [v for v in participants if votes.get(v.id) == FOR]
        for_comp = composition(for_voters)
        for share in for_comp.failures:
            problems.append(Problem("for_composition", key=share.key, count=share.count, total=share.total,
                                    needed=_max_allowed(share.total)))

    if 2 * tally.for_ <= len(participants):
        problems.append(Problem("majority", count=tally.for_, total=len(participants), needed=len(participants) // 2 + 1))

    return DecisionOutcome(
        result=REJECTED if problems else APPROVED, seats=seats, participants=len(participants), tally=tally,
        composition=comp, problems=tuple(problems), for_composition=for_comp,
    )


def _max_allowed(total: int) -> int:
    """The largest count that is still within 49% of ``total``."""
    return (LIMIT_PERCENT * total) // 100


def _remedies(
    participants: list[Voter],
    others_without_conflict: Sequence[Voter],
    seats: int,
    quorum_percent: int,
    is_selection: bool,
) -> tuple[Remedy, ...]:
    remedies: list[Remedy] = []
    everyone = participants + [v for v in others_without_conflict if v not in participants]
    if (
        len(everyone) > len(participants)
        and quorum_met(len(everyone), seats, quorum_percent)
        and valid_composition(everyone, is_selection=is_selection)
    ):
        remedies.append(_remedy("written_procedure", everyone))
    stepping = fewest_to_step_out(participants, seats=seats, quorum_percent=quorum_percent, is_selection=is_selection)
    if stepping is not None:
        leaving, category = stepping
        remaining = [v for v in participants if v not in leaving]
        remedies.append(_remedy("step_out", remaining, step_out=len(leaving), step_out_kind=category.kind,
                                step_out_key=category.key))
    return tuple(remedies)


def body_can_ever_decide(seat_holders: Sequence[Voter]) -> Composition:
    """The composition at full attendance; if it fails, no decision of the body can ever be valid."""
    return composition(seat_holders)
