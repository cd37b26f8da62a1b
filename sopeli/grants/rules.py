"""LEADER rules for small-grant calls: scores, criteria, ranking, budget selection, deadlines.

Pure functions over small frozen dataclasses, with no Django import: services, management commands
and property tests all call the same code. Services turn the ``ValueError`` raised here for impossible
input into a translated ``ValidationError``; ``Shortfall`` carries a machine-readable ``kind`` so a view
can show a translated reason.

Decisions (each one is tested in ``sopeli/grants/tests/test_rules.py``)
------------------------------------------------------------------------
Numbers
    Scores and money are ``Decimal`` with two places. A result that can gain places (a mean, a weighted
    total) is rounded once, at the end, with ``ROUND_HALF_UP`` to two places (``q2``). Inputs with more
    than two places are refused rather than rounded silently: a score sheet or an amount that needs
    rounding is a data error. Floats are refused (``TypeError``).

Divergence
    Two scores diverge when ``|a - b| > share x max(a, b)`` (default share 0.30, the EEA-grants rule).
    "More than": a gap of exactly 30% does not call a third evaluator. S2's C: 74 and 50, gap 24 >
    22.2, so a third evaluator scores. Only the first two scores are compared; once three or more scores
    exist, no further evaluator is called (the rule asks for one extra evaluator, not a chain).

Closest pair
    With the ``closest_pair`` aggregation and three or more scores, the two scores with the smallest gap
    are averaged (C: 74, 50, 68 -> 74 and 68 -> 71.00). When two pairs are equally close (80, 70, 60)
    the pair with the **higher mean** is taken (75.00): the result is still the mean of two real scores
    the applicant can check on their own score sheet, it does not depend on which evaluator scored
    first, and where the published rule is ambiguous the doubt goes to the applicant. Equal gap and
    equal mean means the same two values, so the result is always unique. Aggregating while a third
    evaluator is still needed is refused.

Criteria
    Pass/fail criteria must all pass. A criterion minimum is compared with the criterion's own points
    (before weighting), as calls publish it ("at least 5 of 15"). Weighted total = sum(points x weight).
    The minimum total is inclusive: a total equal to the minimum is fundable. Every shortfall is
    reported, not only the first, so the applicant sees all the reasons.

Ranking
    Eligible applications that meet the criteria and reach ``min_score`` (inclusive) are sorted by score,
    highest first; equal scores by the call's tie-breaks in their configured order (lower requested
    amount, earlier submission, higher points on a named criterion); then, always, by earlier
    submission and finally by ``ref``. Submission times are compared at the precision stored (the
    second rule applies to the deadline only). Refs are unique, so this is a total order and the
    ranking does not depend on the input order. (The fallback uses submission time because order of receipt is what
    a paper register would use; ``ref`` only separates applications submitted in the same microsecond.)

Budget
    ``strict`` funds in rank order and stops at the first application that does not fit; ``skip`` passes
    over it and continues; ``border_raise`` funds that first non-fitting application in full by raising
    the allocation by the shortfall, then stops; ``border_partial`` offers it the remaining money as a
    partial grant, then stops. A border project exists only when some money remains (> 0): when the
    budget is used up exactly there is nothing to straddle, so the raise is always smaller than the
    border project's request, and a partial grant is always > 0 and < the request. ``max_raise`` caps
    the raise and ``min_partial`` (e.g. the call's minimum grant) is the smallest partial grant worth
    offering; when they are not met, the variant behaves like ``strict`` at that point.
    Every application above the threshold and not funded is on the reserve list, in rank order.

Reserve activation
    When projects withdraw or money is added (savings, variant 4 "top up later"), the reserve is walked
    in rank order under the call's variant, with the money now free. Funded projects keep their grants;
    a partial grant (it outranks the whole reserve) is topped up first. The allocation raise is
    recomputed: it stays only as far as the projects still funded need it, so it never grows beyond one
    border project's shortfall.

Deadline
    The deadline is a whole second in Asia/Tbilisi time (S2: 10 June 2016 17:30:00). A submission is on
    time when its timestamp, truncated to the second, is **at or before** the deadline second: so
    17:30:00.999 is accepted and 17:30:01 is late. Receipts and the published list show times to the
    second; with this rule every receipt reading 17:30:00 or earlier is on time and every one reading
    17:30:01 or later is late, so anyone can check the decision from what is shown, and sub-second clock
    jitter on the server cannot turn a receipt that says "17:30:00" into a refusal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import combinations
from types import MappingProxyType
from zoneinfo import ZoneInfo

TBILISI = ZoneInfo("Asia/Tbilisi")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# --- numbers -------------------------------------------------------------------------------------


def q2(value: Decimal) -> Decimal:
    """Round to two places, half up: the one rounding rule for scores and money in this module."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: object, name: str) -> Decimal:
    # bool is an int subclass; True as an amount is always a bug.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def _two_places(value: object, name: str) -> Decimal:
    number = _decimal(value, name)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    rounded = q2(number)
    if rounded != number:
        raise ValueError(f"{name} has more than two decimal places: {number}")
    return rounded


def _share(value: object, name: str) -> Decimal:
    number = _decimal(value, name)
    if not Decimal(0) <= number <= Decimal(1):
        raise ValueError(f"{name} must be between 0 and 1, got {number}")
    return number


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


# --- scores from several evaluators ------------------------------------------------------------


class Aggregation(StrEnum):
    MEAN = "mean"
    CLOSEST_PAIR = "closest_pair"


@dataclass(frozen=True)
class ScoringRule:
    """How a call combines evaluators' total scores. ``divergence_share=None``: never a third evaluator."""

    divergence_share: Decimal | None = Decimal("0.30")
    aggregation: Aggregation = Aggregation.CLOSEST_PAIR

    def __post_init__(self) -> None:
        if self.divergence_share is not None:
            object.__setattr__(self, "divergence_share", _share(self.divergence_share, "divergence share"))
        object.__setattr__(self, "aggregation", Aggregation(self.aggregation))


EEA_SCORING = ScoringRule()


def _scores(scores: Iterable[Decimal]) -> tuple[Decimal, ...]:
    values = tuple(_two_places(score, f"score #{number}") for number, score in enumerate(scores, 1))
    if not values:
        raise ValueError("no scores given: at least one evaluator must score the application")
    return values


def scores_diverge(first: Decimal, second: Decimal, share: Decimal = Decimal("0.30")) -> bool:
    """True when the gap is more than ``share`` of the higher score (exactly ``share`` is not)."""
    a, b = _two_places(first, "first score"), _two_places(second, "second score")
    return abs(a - b) > _share(share, "divergence share") * max(a, b)


def needs_extra_evaluator(scores: Sequence[Decimal], rule: ScoringRule = EEA_SCORING) -> bool:
    """True when exactly two scores exist and they diverge under the call's rule."""
    values = _scores(scores)
    return (
        rule.divergence_share is not None
        and len(values) == 2
        and scores_diverge(values[0], values[1], rule.divergence_share)
    )


def scores_used(scores: Sequence[Decimal], rule: ScoringRule = EEA_SCORING) -> tuple[int, ...]:
    """Positions (0-based) of the scores that make up the final score, e.g. to average their sheets."""
    values = _scores(scores)
    if needs_extra_evaluator(values, rule):
        raise ValueError(
            f"scores {values[0]} and {values[1]} differ by more than {rule.divergence_share:%} of the "
            "higher one: a third evaluator must score before the score can be aggregated"
        )
    if rule.aggregation is Aggregation.MEAN or len(values) <= 2:
        return tuple(range(len(values)))
    # Smallest gap; equal gaps -> higher mean (benefit of the doubt); positions only as a last resort,
    # where the two candidate pairs hold the same values and give the same score.
    return min(
        combinations(range(len(values)), 2),
        key=lambda pair: (abs(values[pair[0]] - values[pair[1]]), -(values[pair[0]] + values[pair[1]]), pair),
    )


def aggregate_scores(scores: Sequence[Decimal], rule: ScoringRule = EEA_SCORING) -> Decimal:
    """The application's final score: mean of the scores selected by the rule, two places half up."""
    values = _scores(scores)
    used = scores_used(values, rule)
    return q2(sum((values[i] for i in used), ZERO) / len(used))


# --- criteria ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredCriterion:
    code: str
    max_points: Decimal
    weight: Decimal = Decimal(1)
    min_points: Decimal | None = None  # in the criterion's own points, before weighting

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a criterion needs a code")
        max_points = _two_places(self.max_points, f"maximum points of {self.code}")
        if max_points == 0:
            raise ValueError(f"maximum points of {self.code} must be positive")
        weight = _decimal(self.weight, f"weight of {self.code}")
        if weight < 0:
            raise ValueError(f"weight of {self.code} must not be negative, got {weight}")
        object.__setattr__(self, "max_points", max_points)
        object.__setattr__(self, "weight", weight)
        if self.min_points is not None:
            min_points = _two_places(self.min_points, f"minimum points of {self.code}")
            if min_points > max_points:
                raise ValueError(
                    f"minimum points of {self.code} ({min_points}) exceed its maximum ({max_points})"
                )
            object.__setattr__(self, "min_points", min_points)


@dataclass(frozen=True)
class CriteriaScheme:
    """A call's published criteria, frozen when the call is published."""

    scored: tuple[ScoredCriterion, ...]
    pass_fail: tuple[str, ...] = ()
    min_total: Decimal = ZERO

    def __post_init__(self) -> None:
        object.__setattr__(self, "scored", tuple(self.scored))
        object.__setattr__(self, "pass_fail", tuple(self.pass_fail))
        codes = [c.code for c in self.scored] + list(self.pass_fail)
        if any(not code for code in self.pass_fail):
            raise ValueError("a pass/fail criterion needs a code")
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"criterion codes must be unique, repeated: {', '.join(duplicates)}")
        min_total = _two_places(self.min_total, "minimum total")
        if min_total > self.max_total:
            raise ValueError(f"minimum total {min_total} exceeds the maximum possible total {self.max_total}")
        object.__setattr__(self, "min_total", min_total)

    @property
    def max_total(self) -> Decimal:
        return q2(sum((c.max_points * c.weight for c in self.scored), ZERO))


def _points(scheme: CriteriaScheme, points: Mapping[str, Decimal]) -> dict[str, Decimal]:
    expected = {c.code for c in scheme.scored}
    missing = sorted(expected - set(points))
    if missing:
        raise ValueError(f"points missing for criteria: {', '.join(missing)}")
    unknown = sorted(set(points) - expected)
    if unknown:
        raise ValueError(f"points given for unknown criteria: {', '.join(unknown)}")
    checked = {}
    for criterion in scheme.scored:
        value = _two_places(points[criterion.code], f"points for {criterion.code}")
        if value > criterion.max_points:
            raise ValueError(
                f"points for {criterion.code} ({value}) exceed its maximum ({criterion.max_points})"
            )
        checked[criterion.code] = value
    return checked


def weighted_total(scheme: CriteriaScheme, points: Mapping[str, Decimal]) -> Decimal:
    """One evaluator's total: sum of points x weight, two places half up."""
    checked = _points(scheme, points)
    return q2(sum((checked[c.code] * c.weight for c in scheme.scored), ZERO))


def mean_points(scheme: CriteriaScheme, sheets: Sequence[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Per-criterion mean over the given score sheets (pass those picked by ``scores_used``)."""
    checked = [_points(scheme, sheet) for sheet in sheets]
    if not checked:
        raise ValueError("no score sheets given")
    return {c.code: q2(sum((sheet[c.code] for sheet in checked), ZERO) / len(checked)) for c in scheme.scored}


class ShortfallKind(StrEnum):
    FAILED_PASS_FAIL = "failed_pass_fail"
    BELOW_CRITERION_MINIMUM = "below_criterion_minimum"
    BELOW_MINIMUM_TOTAL = "below_minimum_total"


@dataclass(frozen=True)
class Shortfall:
    kind: ShortfallKind
    criterion: str | None = None
    value: Decimal | None = None
    required: Decimal | None = None

    def __str__(self) -> str:
        if self.kind is ShortfallKind.FAILED_PASS_FAIL:
            return f"pass/fail criterion {self.criterion} is not met"
        if self.kind is ShortfallKind.BELOW_CRITERION_MINIMUM:
            return f"criterion {self.criterion}: {self.value} points, the minimum is {self.required}"
        return f"total {self.value} points, the minimum is {self.required}"


@dataclass(frozen=True)
class Assessment:
    total: Decimal
    shortfalls: tuple[Shortfall, ...]

    @property
    def fundable(self) -> bool:
        return not self.shortfalls

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(str(s) for s in self.shortfalls)


def assess(
    scheme: CriteriaScheme,
    *,
    passed: Mapping[str, bool],
    points: Mapping[str, Decimal],
    total: Decimal | None = None,
) -> Assessment:
    """Fundable or not, with every reason.

    ``points`` are the final per-criterion points (``mean_points`` of the sheets used); ``total`` is the
    final score from ``aggregate_scores`` when evaluators were combined (it can differ from the weighted
    total of mean points by rounding); without it the weighted total of ``points`` is used.
    """
    expected = set(scheme.pass_fail)
    if set(passed) != expected:
        missing, unknown = sorted(expected - set(passed)), sorted(set(passed) - expected)
        raise ValueError(
            "pass/fail results must cover exactly the call's pass/fail criteria"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    checked = _points(scheme, points)
    if total is None:
        final = weighted_total(scheme, checked)
    else:
        final = _two_places(total, "total score")
        if final > scheme.max_total:
            raise ValueError(f"total score {final} exceeds the maximum possible total {scheme.max_total}")
    shortfalls: list[Shortfall] = []
    for code in scheme.pass_fail:
        if not isinstance(passed[code], bool):
            raise TypeError(f"pass/fail result for {code} must be True or False")
        if not passed[code]:
            shortfalls.append(Shortfall(ShortfallKind.FAILED_PASS_FAIL, code))
    for criterion in scheme.scored:
        if criterion.min_points is not None and checked[criterion.code] < criterion.min_points:
            shortfalls.append(
                Shortfall(
                    ShortfallKind.BELOW_CRITERION_MINIMUM,
                    criterion.code,
                    checked[criterion.code],
                    criterion.min_points,
                )
            )
    if final < scheme.min_total:
        shortfalls.append(Shortfall(ShortfallKind.BELOW_MINIMUM_TOTAL, None, final, scheme.min_total))
    return Assessment(total=final, shortfalls=tuple(shortfalls))


# --- ranking within a measure --------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """What ranking and selection need to know about one application."""

    ref: str  # unique within the measure (the registration number)
    requested: Decimal
    submitted_at: datetime
    score: Decimal | None = None  # final score; None when never scored (ineligible)
    eligible: bool = True  # administrative and eligibility check passed
    meets_criteria: bool = True  # pass/fail and per-criterion minimums (``assess``)
    criterion_points: Mapping[str, Decimal] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.ref:
            raise ValueError("an application needs a ref")
        requested = _two_places(self.requested, f"requested amount of {self.ref}")
        if requested == 0:
            raise ValueError(f"requested amount of {self.ref} must be positive")
        object.__setattr__(self, "requested", requested)
        _aware(self.submitted_at, f"submission time of {self.ref}")
        if self.score is not None:
            object.__setattr__(self, "score", _two_places(self.score, f"score of {self.ref}"))
        points = {
            code: _two_places(value, f"points of {self.ref} on {code}")
            for code, value in self.criterion_points.items()
        }
        object.__setattr__(self, "criterion_points", MappingProxyType(points))


class TieBreakKind(StrEnum):
    LOWER_AMOUNT = "lower_amount"
    EARLIER_SUBMISSION = "earlier_submission"
    HIGHER_CRITERION = "higher_criterion"


@dataclass(frozen=True)
class TieBreak:
    kind: TieBreakKind
    criterion: str | None = None  # only for HIGHER_CRITERION

    def __post_init__(self) -> None:
        kind = TieBreakKind(self.kind)
        object.__setattr__(self, "kind", kind)
        if (kind is TieBreakKind.HIGHER_CRITERION) != bool(self.criterion):
            raise ValueError("a criterion is named for, and only for, the higher-criterion tie-break")


LOWER_AMOUNT = TieBreak(TieBreakKind.LOWER_AMOUNT)
EARLIER_SUBMISSION = TieBreak(TieBreakKind.EARLIER_SUBMISSION)


def higher_criterion(code: str) -> TieBreak:
    return TieBreak(TieBreakKind.HIGHER_CRITERION, code)


def ranking_key(application: Application, tie_breaks: Sequence[TieBreak] = ()) -> tuple[object, ...]:
    """Sort key, smaller is better: score desc, the configured tie-breaks, submission time, ref."""
    if application.score is None:
        raise ValueError(f"application {application.ref} has no score and cannot be ranked")
    key: list[object] = [-application.score]
    for tie_break in tie_breaks:
        if tie_break.kind is TieBreakKind.LOWER_AMOUNT:
            key.append(application.requested)
        elif tie_break.kind is TieBreakKind.EARLIER_SUBMISSION:
            key.append(application.submitted_at)
        else:
            points = application.criterion_points.get(tie_break.criterion or "")
            if points is None:
                raise ValueError(
                    f"application {application.ref} has no points on tie-break criterion {tie_break.criterion}"
                )
            key.append(-points)
    # Deterministic fallback whatever the configuration: order of receipt, then the unique ref.
    key += [application.submitted_at, application.ref]
    return tuple(key)


@dataclass(frozen=True)
class Ranking:
    ranked: tuple[Application, ...]  # eligible, meets the criteria and the threshold; best first
    rejected: tuple[Application, ...]  # eligible but below the threshold or failing a criterion
    ineligible: tuple[Application, ...]
    min_score: Decimal
    tie_breaks: tuple[TieBreak, ...]


def _unique_refs(applications: Sequence[Application]) -> None:
    duplicates = sorted(ref for ref, count in Counter(a.ref for a in applications).items() if count > 1)
    if duplicates:
        raise ValueError(f"application refs must be unique, repeated: {', '.join(duplicates)}")


def rank(
    applications: Iterable[Application],
    *,
    min_score: Decimal,
    tie_breaks: Sequence[TieBreak] = (),
) -> Ranking:
    """Rank one measure's applications; the result does not depend on the input order."""
    apps = tuple(applications)
    _unique_refs(apps)
    threshold = _two_places(min_score, "minimum score")
    tie_breaks = tuple(tie_breaks)
    if len(set(tie_breaks)) != len(tie_breaks):
        raise ValueError("a tie-break is listed twice")
    for app in apps:
        if app.eligible and app.score is None:
            raise ValueError(f"application {app.ref} is eligible but has no score")
    ineligible = sorted((a for a in apps if not a.eligible), key=lambda a: a.ref)
    scores = {a.ref: a.score for a in apps if a.eligible and a.score is not None}
    fundable = [a for a in apps if a.ref in scores and a.meets_criteria and scores[a.ref] >= threshold]
    fundable_refs = {a.ref for a in fundable}
    rejected = sorted(
        (a for a in apps if a.ref in scores and a.ref not in fundable_refs),
        key=lambda a: (-scores[a.ref], a.ref),
    )
    ranked = sorted(fundable, key=lambda a: ranking_key(a, tie_breaks))
    return Ranking(tuple(ranked), tuple(rejected), tuple(ineligible), threshold, tie_breaks)


# --- budget selection ----------------------------------------------------------------------------


class BudgetVariant(StrEnum):
    STRICT = "strict"
    SKIP = "skip"
    BORDER_RAISE = "border_raise"
    BORDER_PARTIAL = "border_partial"


@dataclass(frozen=True)
class BudgetPolicy:
    variant: BudgetVariant
    max_raise: Decimal | None = None  # border_raise: largest raise allowed; None = no cap
    min_partial: Decimal | None = None  # border_partial: smallest partial grant worth offering

    def __post_init__(self) -> None:
        object.__setattr__(self, "variant", BudgetVariant(self.variant))
        if self.max_raise is not None:
            object.__setattr__(self, "max_raise", _two_places(self.max_raise, "maximum raise"))
        if self.min_partial is not None:
            object.__setattr__(self, "min_partial", _two_places(self.min_partial, "minimum partial grant"))


@dataclass(frozen=True)
class Award:
    application: Application
    amount: Decimal

    @property
    def ref(self) -> str:
        return self.application.ref

    @property
    def partial(self) -> bool:
        return self.amount < self.application.requested


@dataclass(frozen=True)
class Selection:
    policy: BudgetPolicy
    budget: Decimal
    added_money: Decimal  # money added after the first selection (savings, top-ups)
    allocation_raise: Decimal  # border_raise only
    ranked: tuple[Application, ...]
    funded: tuple[Award, ...]  # rank order
    reserve: tuple[Application, ...]  # rank order
    rejected: tuple[Application, ...]  # below threshold or failing a criterion: never on the reserve
    ineligible: tuple[Application, ...]
    withdrawn: tuple[Application, ...] = ()
    activated: tuple[str, ...] = ()  # refs funded or topped up by the last reserve activation

    @property
    def allocation(self) -> Decimal:
        return self.budget + self.added_money + self.allocation_raise

    @property
    def total_funded(self) -> Decimal:
        return sum((award.amount for award in self.funded), ZERO)

    @property
    def unused(self) -> Decimal:
        return self.allocation - self.total_funded

    @property
    def funded_refs(self) -> tuple[str, ...]:
        return tuple(award.ref for award in self.funded)

    @property
    def reserve_refs(self) -> tuple[str, ...]:
        return tuple(a.ref for a in self.reserve)


def _allocate(
    candidates: Sequence[tuple[Application, Decimal]], available: Decimal, policy: BudgetPolicy
) -> tuple[dict[str, Decimal], Decimal]:
    """Walk (application, already awarded) in rank order; return the extra money per ref and the raise."""
    extra: dict[str, Decimal] = {}
    remaining = available
    for application, awarded in candidates:
        need = application.requested - awarded
        if need <= remaining:
            extra[application.ref] = need
            remaining -= need
            continue
        if policy.variant is BudgetVariant.SKIP:
            continue
        # A border project straddles the border: only when some money is left.
        if remaining > 0 and policy.variant is BudgetVariant.BORDER_RAISE:
            shortfall = need - remaining
            if policy.max_raise is None or shortfall <= policy.max_raise:
                extra[application.ref] = need
                return extra, shortfall
        if remaining > 0 and policy.variant is BudgetVariant.BORDER_PARTIAL:
            if policy.min_partial is None or awarded + remaining >= policy.min_partial:
                extra[application.ref] = remaining
        break
    return extra, ZERO


def _selection(
    previous: Ranking | Selection,
    *,
    policy: BudgetPolicy,
    budget: Decimal,
    added_money: Decimal,
    allocation_raise: Decimal,
    amounts: Mapping[str, Decimal],
    withdrawn: frozenset[str],
    activated: Iterable[str],
) -> Selection:
    ranked = previous.ranked
    activated_set = set(activated)
    return Selection(
        policy=policy,
        budget=budget,
        added_money=added_money,
        allocation_raise=allocation_raise,
        ranked=ranked,
        funded=tuple(Award(a, amounts[a.ref]) for a in ranked if a.ref in amounts),
        reserve=tuple(a for a in ranked if a.ref not in amounts and a.ref not in withdrawn),
        rejected=previous.rejected,
        ineligible=previous.ineligible,
        withdrawn=tuple(a for a in ranked if a.ref in withdrawn),
        activated=tuple(a.ref for a in ranked if a.ref in activated_set),
    )


def select_for_budget(
    ranking: Ranking,
    *,
    budget: Decimal,
    variant: BudgetVariant | str,
    max_raise: Decimal | None = None,
    min_partial: Decimal | None = None,
) -> Selection:
    """Fund the ranked applications from ``budget`` under the call's variant; the rest is reserve."""
    policy = BudgetPolicy(BudgetVariant(variant), max_raise, min_partial)
    money = _two_places(budget, "budget")
    extra, raised = _allocate([(a, ZERO) for a in ranking.ranked], money, policy)
    return _selection(
        ranking,
        policy=policy,
        budget=money,
        added_money=ZERO,
        allocation_raise=raised,
        amounts=extra,
        withdrawn=frozenset(),
        activated=(),
    )


def activate_reserve(
    selection: Selection,
    *,
    withdrawn: Iterable[str] = (),
    added_money: Decimal = ZERO,
) -> Selection:
    """Free the grants of ``withdrawn`` (funded or reserve refs), add money, and fund from the reserve."""
    leaving = tuple(withdrawn)
    if len(set(leaving)) != len(leaving):
        raise ValueError("an application is listed twice as withdrawn")
    open_refs = set(selection.funded_refs) | set(selection.reserve_refs)
    unknown = [ref for ref in leaving if ref not in open_refs]
    if unknown:
        raise ValueError(f"only funded or reserve applications can withdraw, not: {', '.join(unknown)}")
    added = selection.added_money + _two_places(added_money, "added money")
    gone = frozenset(leaving) | {a.ref for a in selection.withdrawn}
    amounts = {award.ref: award.amount for award in selection.funded if award.ref not in gone}
    base = selection.budget + added
    kept = sum(amounts.values(), ZERO)
    # The raise stays only as far as the projects still funded need it.
    carried_raise = max(ZERO, kept - base)
    candidates = [
        (a, amounts.get(a.ref, ZERO))
        for a in selection.ranked
        if a.ref not in gone and amounts.get(a.ref, ZERO) < a.requested
    ]
    extra, raised = _allocate(candidates, max(ZERO, base - kept), selection.policy)
    for ref, amount in extra.items():
        amounts[ref] = amounts.get(ref, ZERO) + amount
    return _selection(
        selection,
        policy=selection.policy,
        budget=selection.budget,
        added_money=added,
        allocation_raise=carried_raise + raised,
        amounts=amounts,
        withdrawn=gone,
        activated=extra,
    )


# --- deadline ------------------------------------------------------------------------------------


def deadline_at(day: date, at: time) -> datetime:
    """A call deadline: a wall-clock time in Asia/Tbilisi on ``day``, as an aware datetime."""
    if at.tzinfo is not None:
        raise ValueError("give the deadline as Tbilisi wall-clock time without a time zone")
    if at.microsecond:
        raise ValueError("a deadline is a whole second")
    return datetime.combine(day, at, tzinfo=TBILISI)


def is_on_time(submitted_at: datetime, deadline: datetime) -> bool:
    """On time when the submission's second is at or before the deadline second (see module docs)."""
    submitted = _aware(submitted_at, "submission time")
    limit = _aware(deadline, "deadline")
    if limit.microsecond:
        raise ValueError("a deadline is a whole second")
    # Truncate in UTC so the second is the true instant's second whatever the zone.
    return submitted.astimezone(UTC).replace(microsecond=0) <= limit


def add_working_days(day: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``day``; 0 gives ``day`` itself.

    Used for "the received list is published within 5 working days". Public holidays are not known
    to this module: a LAG that needs them counts them in the configured number of days.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"working days must be a non-negative integer, got {days!r}")
    current = day
    remaining = days
    while remaining:
        current = date.fromordinal(current.toordinal() + 1)
        if current.weekday() < 5:
            remaining -= 1
    return current
