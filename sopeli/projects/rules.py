"""LEADER rules for funded projects: aid rate and co-financing, tranches, settlement, jobs in FTE.

Pure functions over small frozen dataclasses, with no Django import. Services turn the ``ValueError``
raised here for impossible input (negative amounts, a rate outside 0..1, tranche percentages that do
not sum to 100) into a translated ``ValidationError``.

Decisions (each one is tested in ``sopeli/projects/tests/test_rules.py``)
--------------------------------------------------------------------------
Numbers
    Money is ``Decimal`` with two places; inputs with more places are refused, floats are refused
    (``TypeError``). An aid rate is a fraction between 0 and 1 (0.80 = 80%).

Rounding
    A general result is rounded once, at the end, half up to two places (``q2``): FTE, percentages
    shown to people. **A ceiling is rounded down** (``floor2``): the largest allowed grant
    (rate x budget) and the entitlement (rate x verified cost). Rounding a ceiling half up could let
    the aid rate be exceeded by up to half a tetri; rounding down keeps "never more than the rate"
    true to the tetri, which is what an auditor checks.

Aid rate
    The rate is exceeded when ``requested > max rate x total budget``, compared exactly (no rounding).
    A request above the budget is simply a rate above 100% (flagged, not an error). The largest allowed
    grant is ``min(floor2(max rate x budget), max grant)``; the suggested grant is
    ``min(requested, largest allowed)`` when that still reaches the minimum grant, otherwise none
    (the LAG never raises a request, and cannot fund below the minimum). S3: 50,000 budget, 42,000
    asked (84%) at 80% / 40,000 max -> flagged, suggested 40,000 (80%), own contribution 10,000.

Tranches
    Every tranche but the last is rounded down to the tetri and the last one absorbs the rest, so the
    sum is exactly the grant, no tranche is ever negative and no advance exceeds its percentage.
    Percentages are positive and sum to exactly 100. 40/50/10 of 40,000 -> 16,000 / 20,000 / 4,000.

Settlement
    Entitlement = ``min(approved grant, floor2(aid rate x verified eligible cost))``; the aid rate is
    the contract's. Given what was paid so far, the result is either a final payment or an amount to
    recover (never both), so that paid so far + final payment - recovery = entitlement exactly.

Jobs
    A job's FTE = share of full-time hours x months worked / 12, over one reporting year; one person's
    job counts at most 1 FTE (hours above full time do not count twice). The total is summed exactly
    and rounded once. S3: one full-time job + one six-month job = 1.50 FTE, 75.00% of 2.0 planned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MONTHS_IN_YEAR = Decimal(12)


# --- numbers -------------------------------------------------------------------------------------


def q2(value: Decimal) -> Decimal:
    """Round half up to two places: the general rounding rule."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def floor2(value: Decimal) -> Decimal:
    """Round down to the tetri: for ceilings, which must never be exceeded (``value`` is >= 0 here)."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def _decimal(value: object, name: str) -> Decimal:
    # bool is an int subclass; True as an amount is always a bug.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def _money(value: object, name: str) -> Decimal:
    number = _decimal(value, name)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    rounded = q2(number)
    if rounded != number:
        raise ValueError(f"{name} has more than two decimal places: {number}")
    return rounded


def _rate(value: object, name: str) -> Decimal:
    number = _decimal(value, name)
    if not Decimal(0) <= number <= Decimal(1):
        raise ValueError(f"{name} must be between 0 and 1 (e.g. 0.80 for 80%), got {number}")
    return number


# --- aid rate and co-financing -------------------------------------------------------------------


@dataclass(frozen=True)
class GrantLimits:
    """The call's limits for one applicant type."""

    max_aid_rate: Decimal  # 0..1; business projects in S3: 0.80 (at least 20% own contribution)
    min_grant: Decimal | None = None
    max_grant: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_aid_rate", _rate(self.max_aid_rate, "maximum aid rate"))
        if self.min_grant is not None:
            object.__setattr__(self, "min_grant", _money(self.min_grant, "minimum grant"))
        if self.max_grant is not None:
            object.__setattr__(self, "max_grant", _money(self.max_grant, "maximum grant"))
        if self.min_grant is not None and self.max_grant is not None and self.min_grant > self.max_grant:
            raise ValueError(f"minimum grant {self.min_grant} exceeds maximum grant {self.max_grant}")


def _budget(total_budget: Decimal) -> Decimal:
    total = _money(total_budget, "total budget")
    if total == 0:
        raise ValueError("total budget must be positive")
    return total


def largest_allowed_grant(total_budget: Decimal, limits: GrantLimits) -> Decimal:
    """The most the call allows for this budget: rate ceiling (rounded down), capped by the max grant."""
    ceiling = floor2(limits.max_aid_rate * _budget(total_budget))
    return ceiling if limits.max_grant is None else min(ceiling, limits.max_grant)


def aid_rate(total_budget: Decimal, grant: Decimal) -> Decimal:
    """grant / total budget as a fraction with four places (0.8400), half up; for display."""
    total = _budget(total_budget)
    return (_money(grant, "grant") / total).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def own_contribution(total_budget: Decimal, grant: Decimal) -> Decimal:
    """What the beneficiary pays: total budget minus grant."""
    total, money = _budget(total_budget), _money(grant, "grant")
    if money > total:
        raise ValueError(f"grant {money} exceeds the total budget {total}")
    return total - money


@dataclass(frozen=True)
class AidCheck:
    total_budget: Decimal
    requested: Decimal
    requested_rate: Decimal  # requested / total budget, four places, for display
    rate_exceeded: bool
    above_max_grant: bool
    below_min_grant: bool
    largest_allowed_grant: Decimal
    suggested_grant: Decimal | None  # None: no grant within the limits is possible for this request

    @property
    def flagged(self) -> bool:
        return self.rate_exceeded or self.above_max_grant or self.below_min_grant


def check_aid(*, total_budget: Decimal, requested: Decimal, limits: GrantLimits) -> AidCheck:
    """Flags for a request against the call's limits, and the grant the LAG could fix instead."""
    total = _budget(total_budget)
    asked = _money(requested, "requested grant")
    largest = largest_allowed_grant(total, limits)
    suggested: Decimal | None = min(asked, largest)
    if suggested == 0 or (limits.min_grant is not None and suggested < limits.min_grant):
        suggested = None
    return AidCheck(
        total_budget=total,
        requested=asked,
        requested_rate=(asked / total).quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        # Exact comparison: 80.004% is over an 80% limit even though it shows as 80.00%.
        rate_exceeded=asked > limits.max_aid_rate * total,
        above_max_grant=limits.max_grant is not None and asked > limits.max_grant,
        below_min_grant=limits.min_grant is not None and asked < limits.min_grant,
        largest_allowed_grant=largest,
        suggested_grant=suggested,
    )


# --- tranches ------------------------------------------------------------------------------------


def tranche_amounts(grant: Decimal, percentages: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Split ``grant`` by percentages (e.g. 40/50/10); the last tranche absorbs the rounding."""
    money = _money(grant, "grant")
    shares = [_decimal(p, f"tranche #{number} percentage") for number, p in enumerate(percentages, 1)]
    if not shares:
        raise ValueError("at least one tranche is needed")
    for number, share in enumerate(shares, 1):
        if share <= 0:
            raise ValueError(f"tranche #{number} percentage must be positive, got {share}")
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise ValueError(f"tranche percentages must sum to 100, they sum to {total}")
    # Round the earlier tranches down so the last one can never go negative.
    amounts = [floor2(money * share / HUNDRED) for share in shares[:-1]]
    amounts.append(money - sum(amounts, ZERO))
    return tuple(amounts)


# --- settlement ----------------------------------------------------------------------------------


def entitlement(*, approved_grant: Decimal, aid_rate: Decimal, verified_cost: Decimal) -> Decimal:
    """min(approved grant, aid rate x verified eligible cost), the product rounded down to the tetri."""
    grant = _money(approved_grant, "approved grant")
    rate = _rate(aid_rate, "aid rate")
    cost = _money(verified_cost, "verified eligible cost")
    return min(grant, floor2(rate * cost))


@dataclass(frozen=True)
class Settlement:
    entitlement: Decimal
    paid_so_far: Decimal
    final_payment: Decimal  # to pay the beneficiary now (>= 0)
    to_recover: Decimal  # to claim back from the beneficiary (>= 0); never both non-zero

    @property
    def paid_after(self) -> Decimal:
        return self.paid_so_far + self.final_payment - self.to_recover


def settle(
    *, approved_grant: Decimal, aid_rate: Decimal, verified_cost: Decimal, paid_so_far: Decimal
) -> Settlement:
    """Final payment or recovery, so that the beneficiary ends up with exactly the entitlement."""
    due = entitlement(approved_grant=approved_grant, aid_rate=aid_rate, verified_cost=verified_cost)
    paid = _money(paid_so_far, "amount paid so far")
    return Settlement(
        entitlement=due,
        paid_so_far=paid,
        final_payment=max(ZERO, due - paid),
        to_recover=max(ZERO, paid - due),
    )


# --- jobs in full-time equivalents ---------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One job over a reporting year."""

    hours_share: Decimal = Decimal(1)  # share of full-time hours, 0..1
    months: Decimal = MONTHS_IN_YEAR  # months worked in the reporting year, 0..12

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours_share", _rate(self.hours_share, "share of full-time hours"))
        months = _decimal(self.months, "months worked")
        if not 0 <= months <= MONTHS_IN_YEAR:
            raise ValueError(f"months worked must be between 0 and 12, got {months}")
        object.__setattr__(self, "months", months)

    @classmethod
    def from_weekly_hours(
        cls, hours: Decimal, *, full_time_hours: Decimal = Decimal(40), months: Decimal = MONTHS_IN_YEAR
    ) -> Job:
        worked, full = _decimal(hours, "weekly hours"), _decimal(full_time_hours, "full-time weekly hours")
        if worked < 0:
            raise ValueError(f"weekly hours must not be negative, got {worked}")
        if full <= 0:
            raise ValueError(f"full-time weekly hours must be positive, got {full}")
        # One person's job counts at most one FTE, however long the week.
        return cls(hours_share=min(Decimal(1), worked / full), months=months)

    @property
    def fte(self) -> Decimal:
        """Unrounded: totals are rounded once, after summing."""
        return self.hours_share * self.months / MONTHS_IN_YEAR


def total_fte(jobs: Iterable[Job]) -> Decimal:
    """Sum of the jobs' FTE, rounded half up to two places."""
    return q2(sum((job.fte for job in jobs), Decimal(0)))


def fte_achievement(achieved: Decimal, planned: Decimal) -> Decimal:
    """Achieved as a percentage of planned, two places half up (1.5 of 2.0 -> 75.00)."""
    done = _decimal(achieved, "achieved FTE")
    target = _decimal(planned, "planned FTE")
    if done < 0:
        raise ValueError(f"achieved FTE must not be negative, got {done}")
    if target <= 0:
        raise ValueError(f"planned FTE must be positive, got {target}")
    return q2(done * HUNDRED / target)
