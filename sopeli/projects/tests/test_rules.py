"""Project money rules: worked scenario S3 exactly, edge cases, and hypothesis properties."""

import ast
import inspect
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sopeli.projects import rules
from sopeli.projects.rules import (
    GrantLimits,
    Job,
    aid_rate,
    check_aid,
    entitlement,
    floor2,
    fte_achievement,
    largest_allowed_grant,
    own_contribution,
    settle,
    total_fte,
    tranche_amounts,
)

D = Decimal
# Exhaustive enough to hit ties, border projects and partial grants often; no deadline: CI is slow.
PROPERTY = settings(max_examples=300, deadline=None)
BUSINESS = GrantLimits(max_aid_rate=D("0.80"), min_grant=D(5_000), max_grant=D(40_000))


def test_rules_module_imports_no_django():
    tree = ast.parse(inspect.getsource(rules))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] in {"django", "sopeli"} for name in imported)


# --- S3 ------------------------------------------------------------------------------------------


def test_s3_request_above_rate_and_max_grant_is_flagged_and_fixed_at_40000():
    check = check_aid(total_budget=D(50_000), requested=D(42_000), limits=BUSINESS)
    assert check.requested_rate == D("0.8400")
    assert check.rate_exceeded and check.above_max_grant and not check.below_min_grant
    assert check.flagged
    assert check.largest_allowed_grant == D(40_000)
    assert check.suggested_grant == D(40_000)
    assert aid_rate(D(50_000), check.suggested_grant) == D("0.8000")
    assert own_contribution(D(50_000), check.suggested_grant) == D("10000.00")


def test_s3_tranches_40_50_10():
    assert tranche_amounts(D(40_000), [D(40), D(50), D(10)]) == (D(16_000), D(20_000), D(4_000))
    assert [str(t) for t in tranche_amounts(D(40_000), [40, 50, 10])] == ["16000.00", "20000.00", "4000.00"]


def test_s3_settlement_final_payment_zero():
    result = settle(
        approved_grant=D(40_000), aid_rate=D("0.80"), verified_cost=D(45_000), paid_so_far=D(36_000)
    )
    assert result.entitlement == D(36_000)
    assert result.final_payment == 0 and result.to_recover == 0
    assert result.paid_after == D(36_000)


def test_s3_settlement_recovers_overpayment():
    result = settle(
        approved_grant=D(40_000), aid_rate=D("0.80"), verified_cost=D(42_000), paid_so_far=D(36_000)
    )
    assert result.entitlement == D(33_600)
    assert result.to_recover == D(2_400) and result.final_payment == 0
    assert result.paid_after == D(33_600)


def test_s3_jobs_one_full_time_and_one_six_month_job():
    achieved = total_fte([Job(), Job(months=D(6))])
    assert achieved == D("1.50")
    assert fte_achievement(achieved, D("2.0")) == D("75.00")
    lag_total_before = D("148.25")
    assert lag_total_before + achieved == D("149.75")  # the LAG total rises by exactly 1.5


# --- aid rate ------------------------------------------------------------------------------------


def test_a_request_within_every_limit_is_not_flagged():
    check = check_aid(total_budget=D(50_000), requested=D(40_000), limits=BUSINESS)
    assert not check.flagged and check.suggested_grant == D(40_000)
    assert own_contribution(D(50_000), D(40_000)) == D(10_000)


def test_each_flag_is_raised_on_its_own():
    big = check_aid(total_budget=D(100_000), requested=D(45_000), limits=BUSINESS)
    assert big.above_max_grant and not big.rate_exceeded and not big.below_min_grant
    assert big.suggested_grant == D(40_000)
    greedy = check_aid(total_budget=D(20_000), requested=D(17_000), limits=BUSINESS)
    assert greedy.rate_exceeded and not greedy.above_max_grant and greedy.suggested_grant == D(16_000)


def test_rate_is_compared_exactly_not_after_rounding():
    # 40,000.01 of 50,000 is 80.00002%: shows as 0.8000 but is over the limit.
    check = check_aid(total_budget=D(50_000), requested=D("40000.01"), limits=GrantLimits(D("0.80")))
    assert check.requested_rate == D("0.8000") and check.rate_exceeded
    assert check.suggested_grant == D(40_000)


def test_the_largest_allowed_grant_is_rounded_down_never_over_the_rate():
    limits = GrantLimits(D("0.85"))
    assert largest_allowed_grant(D("10.01"), limits) == D("8.50")  # 8.5085 -> 8.50, not 8.51
    assert largest_allowed_grant(D(100_000), BUSINESS) == D(40_000)  # max grant caps the rate


def test_below_minimum_and_impossible_grants():
    low = check_aid(total_budget=D(10_000), requested=D(3_000), limits=BUSINESS)
    assert low.below_min_grant and low.flagged and low.suggested_grant is None
    tiny_budget = check_aid(total_budget=D(6_000), requested=D(5_000), limits=BUSINESS)
    assert tiny_budget.rate_exceeded and tiny_budget.largest_allowed_grant == D(4_800)
    assert tiny_budget.suggested_grant is None  # 80% of 6,000 is below the 5,000 minimum
    zero_rate = check_aid(total_budget=D(6_000), requested=D(1), limits=GrantLimits(D(0)))
    assert zero_rate.rate_exceeded and zero_rate.suggested_grant is None


def test_a_request_above_the_budget_is_a_rate_above_100_percent():
    check = check_aid(total_budget=D(10_000), requested=D(12_000), limits=GrantLimits(D(1)))
    assert check.rate_exceeded and check.requested_rate == D("1.2000")
    assert check.suggested_grant == D(10_000)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: GrantLimits(D("1.01")), "between 0 and 1"),
        (lambda: GrantLimits(D("-0.1")), "between 0 and 1"),
        (lambda: GrantLimits(D(80)), r"e\.g\. 0\.80 for 80%"),
        (lambda: GrantLimits(D("0.8"), min_grant=D(10), max_grant=D(5)), "exceeds maximum grant"),
        (lambda: GrantLimits(D("0.8"), max_grant=D(-5)), "must not be negative"),
        (
            lambda: check_aid(total_budget=D(0), requested=D(1), limits=BUSINESS),
            "total budget must be positive",
        ),
        (lambda: check_aid(total_budget=D(-10), requested=D(1), limits=BUSINESS), "must not be negative"),
        (lambda: check_aid(total_budget=D(10), requested=D(-1), limits=BUSINESS), "must not be negative"),
        (
            lambda: check_aid(total_budget=D("10.001"), requested=D(1), limits=BUSINESS),
            "more than two decimal",
        ),
        (lambda: own_contribution(D(10), D(11)), "exceeds the total budget"),
    ],
)
def test_impossible_aid_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_floats_are_refused():
    with pytest.raises(TypeError, match="must be a Decimal"):
        check_aid(total_budget=50_000.0, requested=D(1), limits=BUSINESS)
    with pytest.raises(TypeError, match="must be a Decimal"):
        GrantLimits(0.8)


# --- tranches ------------------------------------------------------------------------------------


def test_the_last_tranche_absorbs_the_rounding():
    assert tranche_amounts(D("33333.33"), [D(40), D(50), D(10)]) == (
        D("13333.33"),
        D("16666.66"),
        D("3333.34"),
    )
    assert tranche_amounts(D("0.01"), [D(50), D(50)]) == (D(0), D("0.01"))
    assert tranche_amounts(D(1_000), [D(100)]) == (D(1_000),)
    assert tranche_amounts(D(100), [D("33.33"), D("33.33"), D("33.34")]) == (
        D("33.33"),
        D("33.33"),
        D("33.34"),
    )


@pytest.mark.parametrize(
    ("percentages", "message"),
    [
        ([D(40), D(50)], "must sum to 100, they sum to 90"),
        ([D(40), D(50), D(20)], "sum to 110"),
        ([D(110), D(-10)], "tranche #2 percentage must be positive"),
        ([D(100), D(0)], "tranche #2 percentage must be positive"),
        ([], "at least one tranche"),
    ],
)
def test_tranche_percentages_must_be_positive_and_sum_to_100(percentages, message):
    with pytest.raises(ValueError, match=message):
        tranche_amounts(D(40_000), percentages)


# --- settlement ----------------------------------------------------------------------------------


def test_settlement_pays_the_rest_when_less_was_paid():
    result = settle(
        approved_grant=D(40_000), aid_rate=D("0.80"), verified_cost=D(60_000), paid_so_far=D(36_000)
    )
    assert result.entitlement == D(40_000)  # capped by the grant, not 48,000
    assert result.final_payment == D(4_000) and result.to_recover == 0


def test_entitlement_product_is_rounded_down():
    assert entitlement(approved_grant=D(100), aid_rate=D("0.85"), verified_cost=D("10.01")) == D("8.50")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"aid_rate": D("1.2")}, "aid rate must be between 0 and 1"),
        ({"verified_cost": D(-1)}, "verified eligible cost must not be negative"),
        ({"paid_so_far": D(-1)}, "amount paid so far must not be negative"),
        ({"approved_grant": D(-1)}, "approved grant must not be negative"),
    ],
)
def test_impossible_settlement_input_is_refused(kwargs, message):
    base = {
        "approved_grant": D(40_000),
        "aid_rate": D("0.80"),
        "verified_cost": D(45_000),
        "paid_so_far": D(0),
    }
    with pytest.raises(ValueError, match=message):
        settle(**{**base, **kwargs})


# --- jobs ----------------------------------------------------------------------------------------


def test_fte_from_hours_and_months():
    assert total_fte([Job(hours_share=D("0.5"))]) == D("0.50")
    assert total_fte([Job.from_weekly_hours(D(20))]) == D("0.50")
    assert total_fte([Job.from_weekly_hours(D(60))]) == D("1.00")  # one person counts at most 1 FTE
    assert total_fte([Job.from_weekly_hours(D(10), full_time_hours=D(30), months=D(6))]) == D("0.17")
    assert total_fte([]) == D("0.00")
    # Summed exactly, rounded once: three thirds make one, not 0.99.
    assert total_fte([Job(months=D(4))] * 3) == D("1.00")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Job(months=D(13)), "between 0 and 12"),
        (lambda: Job(months=D(-1)), "between 0 and 12"),
        (lambda: Job(hours_share=D("1.5")), "between 0 and 1"),
        (lambda: Job.from_weekly_hours(D(-1)), "must not be negative"),
        (lambda: Job.from_weekly_hours(D(10), full_time_hours=D(0)), "must be positive"),
        (lambda: fte_achievement(D(1), D(0)), "planned FTE must be positive"),
        (lambda: fte_achievement(D(-1), D(2)), "achieved FTE must not be negative"),
    ],
)
def test_impossible_job_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- properties ----------------------------------------------------------------------------------

money = st.integers(0, 10_000_000_00).map(lambda cents: D(cents).scaleb(-2))
positive_money = st.integers(1, 10_000_000_00).map(lambda cents: D(cents).scaleb(-2))
rates = st.integers(0, 10_000).map(lambda basis_points: D(basis_points).scaleb(-4))


@PROPERTY
@given(money, rates, money, money)
def test_settlement_never_pays_more_than_the_grant_or_the_rate_and_ends_at_the_entitlement(
    grant, rate, cost, paid
):
    result = settle(approved_grant=grant, aid_rate=rate, verified_cost=cost, paid_so_far=paid)
    assert result.entitlement <= grant
    assert result.entitlement <= rate * cost
    # Rounding down loses less than one tetri.
    assert result.entitlement == grant or rate * cost - result.entitlement < D("0.01")
    assert result.paid_after == result.entitlement
    assert result.final_payment >= 0 and result.to_recover >= 0
    assert result.final_payment == 0 or result.to_recover == 0


@st.composite
def percentage_splits(draw):
    # A random split of 100.00 into positive parts, in hundredths of a percent.
    count = draw(st.integers(1, 6))
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=count - 1, max_size=count - 1, unique=True)))
    bounds = [0, *cuts, 10_000]
    return [D(b - a).scaleb(-2) for a, b in zip(bounds, bounds[1:], strict=False)]


@PROPERTY
@given(money, percentage_splits())
def test_tranches_sum_exactly_and_none_is_negative(grant, percentages):
    amounts = tranche_amounts(grant, percentages)
    assert sum(amounts) == grant
    assert len(amounts) == len(percentages)
    assert all(amount >= 0 and amount == floor2(amount) for amount in amounts)
    # No early tranche pays more than its percentage.
    assert all(amount <= grant * p / 100 for amount, p in zip(amounts[:-1], percentages[:-1], strict=False))


@PROPERTY
@given(positive_money, money, rates, st.one_of(st.none(), money), st.one_of(st.none(), money))
def test_aid_check_never_suggests_more_than_the_limits_allow(total, requested, rate, low, high):
    assume(low is None or high is None or low <= high)
    limits = GrantLimits(rate, min_grant=low, max_grant=high)
    check = check_aid(total_budget=total, requested=requested, limits=limits)
    assert check.largest_allowed_grant <= rate * total
    assert high is None or check.largest_allowed_grant <= high
    if check.suggested_grant is not None:
        assert 0 < check.suggested_grant <= requested
        assert check.suggested_grant <= rate * total
        assert low is None or check.suggested_grant >= low
        assert own_contribution(total, check.suggested_grant) >= total * (1 - rate)
    if not check.flagged and requested > 0:
        assert check.suggested_grant == requested  # an acceptable request is never cut


@PROPERTY
@given(st.lists(st.tuples(rates.filter(lambda r: r > 0), st.integers(0, 12)), max_size=20))
def test_fte_is_never_more_than_one_per_job(jobs):
    total = total_fte([Job(hours_share=share, months=D(months)) for share, months in jobs])
    assert D(0) <= total <= len(jobs)
