"""Selection rules for calls: worked scenario S2 exactly, edge cases, and hypothesis properties."""

import ast
import inspect
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sopeli.grants import rules
from sopeli.grants.rules import (
    EARLIER_SUBMISSION,
    EEA_SCORING,
    LOWER_AMOUNT,
    TBILISI,
    Aggregation,
    Application,
    BudgetVariant,
    CriteriaScheme,
    ScoredCriterion,
    ScoringRule,
    ShortfallKind,
    TieBreak,
    activate_reserve,
    aggregate_scores,
    assess,
    deadline_at,
    higher_criterion,
    is_on_time,
    mean_points,
    needs_extra_evaluator,
    q2,
    rank,
    ranking_key,
    scores_diverge,
    scores_used,
    select_for_budget,
    weighted_total,
)

D = Decimal
# Exhaustive enough to hit ties, border projects and partial grants often; no deadline: CI is slow.
PROPERTY = settings(max_examples=300, deadline=None)


def tbilisi(month: int, day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2016, month, day, hour, minute, second, micro, tzinfo=TBILISI)


# --- the module stays pure -----------------------------------------------------------------------


def test_rules_module_imports_no_django():
    tree = ast.parse(inspect.getsource(rules))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] in {"django", "sopeli"} for name in imported)


# --- scores --------------------------------------------------------------------------------------


def test_s2_c_diverges_a_third_scores_and_the_closest_pair_gives_71():
    assert scores_diverge(D(74), D(50))  # 24 > 0.30 x 74 = 22.2
    assert needs_extra_evaluator([D(74), D(50)])
    assert not needs_extra_evaluator([D(74), D(50), D(68)])
    assert scores_used([D(74), D(50), D(68)]) == (0, 2)
    assert aggregate_scores([D(74), D(50), D(68)]) == D("71.00")
    assert str(aggregate_scores([D(74), D(50), D(68)])) == "71.00"


def test_divergence_is_strictly_more_than_the_share_of_the_higher_score():
    assert not scores_diverge(D(100), D(70))  # exactly 30%: no third evaluator
    assert scores_diverge(D(100), D("69.99"))
    assert scores_diverge(D(70), D(100)) == scores_diverge(D(100), D(70))
    assert not scores_diverge(D(0), D(0))
    assert scores_diverge(D(10), D(0))
    assert not scores_diverge(D(80), D(60), D("0.25"))  # custom share: 20 = 0.25 x 80
    assert scores_diverge(D(80), D("59.99"), D("0.25"))


def test_aggregating_while_a_third_evaluator_is_needed_is_refused():
    with pytest.raises(ValueError, match="third evaluator must score"):
        aggregate_scores([D(74), D(50)])


def test_two_close_scores_are_averaged_half_up():
    assert aggregate_scores([D(80), D(75)]) == D("77.50")
    assert aggregate_scores([D("70.00"), D("70.01")]) == D("70.01")  # 70.005 -> half up
    assert aggregate_scores([D("70.01"), D("70.02"), D("70.02")], ScoringRule(aggregation="mean")) == D(
        "70.02"
    )
    assert aggregate_scores([D(64)]) == D("64.00")  # one evaluator: nothing to diverge
    assert not needs_extra_evaluator([D(64)])


def test_closest_pair_ties_take_the_pair_with_the_higher_mean_whatever_the_order():
    for order in ([80, 70, 60], [60, 70, 80], [70, 60, 80], [70, 80, 60]):
        assert aggregate_scores([D(s) for s in order]) == D("75.00")
    # Four scores: the closest pair among all of them.
    assert aggregate_scores([D(90), D(40), D(62), D(65)]) == D("63.50")


def test_mean_aggregation_and_a_call_without_divergence_rule():
    assert aggregate_scores([D(74), D(50), D(68)], ScoringRule(aggregation=Aggregation.MEAN)) == D("64.00")
    no_third = ScoringRule(divergence_share=None, aggregation="mean")
    assert not needs_extra_evaluator([D(74), D(50)], no_third)
    assert aggregate_scores([D(74), D(50)], no_third) == D("62.00")


@pytest.mark.parametrize(
    ("scores", "error", "message"),
    [
        ([], ValueError, "at least one evaluator"),
        ([D(-1), D(5)], ValueError, "must not be negative"),
        ([D("70.001"), D(70)], ValueError, "more than two decimal places"),
        ([D("NaN"), D(70)], ValueError, "finite"),
        ([70.5, D(70)], TypeError, "must be a Decimal"),
        ([True, D(70)], TypeError, "must be a Decimal"),
    ],
)
def test_impossible_scores_are_refused(scores, error, message):
    with pytest.raises(error, match=message):
        aggregate_scores(scores)


def test_scoring_rule_checks_its_configuration():
    assert ScoringRule(aggregation="mean").aggregation is Aggregation.MEAN
    assert EEA_SCORING.divergence_share == D("0.30")
    with pytest.raises(ValueError, match="between 0 and 1"):
        ScoringRule(divergence_share=D("1.5"))
    with pytest.raises(ValueError):
        ScoringRule(aggregation="median")


# --- criteria ------------------------------------------------------------------------------------

SCHEME = CriteriaScheme(
    scored=(
        ScoredCriterion("relevance", max_points=D(30), min_points=D(10)),
        ScoredCriterion("innovation", max_points=D(20), weight=D("1.5")),
        ScoredCriterion("sustainability", max_points=D(20), min_points=D(5)),
    ),
    pass_fail=("territory", "own_contribution"),
    min_total=D(50),
)
PASSED = {"territory": True, "own_contribution": True}


def test_weighted_total_and_maximum():
    assert SCHEME.max_total == D("80.00")
    assert weighted_total(SCHEME, {"relevance": D(20), "innovation": D(10), "sustainability": D(15)}) == D(
        "50.00"
    )
    assert weighted_total(SCHEME, {"relevance": D(0), "innovation": D("0.01"), "sustainability": D(0)}) == D(
        "0.02"
    )


def test_assess_fundable_at_exactly_the_minimum_total():
    result = assess(
        SCHEME, passed=PASSED, points={"relevance": D(20), "innovation": D(10), "sustainability": D(15)}
    )
    assert result.total == D("50.00") and result.fundable and result.reasons == ()


def test_assess_reports_every_shortfall_in_a_stable_order():
    result = assess(
        SCHEME,
        passed={"territory": False, "own_contribution": True},
        points={"relevance": D("9.50"), "innovation": D(20), "sustainability": D(4)},
    )
    assert not result.fundable
    assert [s.kind for s in result.shortfalls] == [
        ShortfallKind.FAILED_PASS_FAIL,
        ShortfallKind.BELOW_CRITERION_MINIMUM,
        ShortfallKind.BELOW_CRITERION_MINIMUM,
        ShortfallKind.BELOW_MINIMUM_TOTAL,
    ]
    assert [s.criterion for s in result.shortfalls] == ["territory", "relevance", "sustainability", None]
    assert result.reasons == (
        "pass/fail criterion territory is not met",
        "criterion relevance: 9.50 points, the minimum is 10.00",
        "criterion sustainability: 4.00 points, the minimum is 5.00",
        "total 43.50 points, the minimum is 50.00",
    )


def test_criterion_minimum_is_on_raw_points_not_weighted():
    scheme = CriteriaScheme(scored=(ScoredCriterion("innovation", D(20), weight=D(2), min_points=D(8)),))
    result = assess(scheme, passed={}, points={"innovation": D(7)})  # 14 weighted, but 7 < 8 raw
    assert [s.kind for s in result.shortfalls] == [ShortfallKind.BELOW_CRITERION_MINIMUM]


def test_assess_uses_the_aggregated_total_when_given():
    sheets = [
        {"relevance": D(28), "innovation": D(20), "sustainability": D(16)},  # 74
        {"relevance": D(20), "innovation": D(10), "sustainability": D(15)},  # 50
        {"relevance": D(26), "innovation": D(18), "sustainability": D(15)},  # 68
    ]
    totals = [weighted_total(SCHEME, sheet) for sheet in sheets]
    assert totals == [D(74), D(50), D(68)]
    used = scores_used(totals)
    points = mean_points(SCHEME, [sheets[i] for i in used])
    assert points == {"relevance": D(27), "innovation": D(19), "sustainability": D("15.50")}
    result = assess(SCHEME, passed=PASSED, points=points, total=aggregate_scores(totals))
    assert result.total == D("71.00") and result.fundable


@pytest.mark.parametrize(
    ("passed", "points", "message"),
    [
        (
            {"territory": True},
            {"relevance": D(1), "innovation": D(1), "sustainability": D(1)},
            "missing: own_contribution",
        ),
        (
            {**PASSED, "x": True},
            {"relevance": D(1), "innovation": D(1), "sustainability": D(1)},
            "unknown: x",
        ),
        (PASSED, {"relevance": D(1), "innovation": D(1)}, "points missing for criteria: sustainability"),
        (
            PASSED,
            {"relevance": D(1), "innovation": D(1), "sustainability": D(1), "x": D(1)},
            "unknown criteria: x",
        ),
        (PASSED, {"relevance": D(31), "innovation": D(1), "sustainability": D(1)}, "exceed its maximum"),
        (PASSED, {"relevance": D(-1), "innovation": D(1), "sustainability": D(1)}, "must not be negative"),
    ],
)
def test_assess_refuses_incomplete_or_impossible_sheets(passed, points, message):
    with pytest.raises(ValueError, match=message):
        assess(SCHEME, passed=passed, points=points)


def test_assess_refuses_a_total_above_the_maximum_and_non_bool_results():
    points = {"relevance": D(1), "innovation": D(1), "sustainability": D(1)}
    with pytest.raises(ValueError, match="exceeds the maximum possible total"):
        assess(SCHEME, passed=PASSED, points=points, total=D(81))
    with pytest.raises(TypeError, match="True or False"):
        assess(SCHEME, passed={"territory": 1, "own_contribution": True}, points=points)


def test_scheme_configuration_is_checked():
    with pytest.raises(ValueError, match="unique, repeated: a"):
        CriteriaScheme(scored=(ScoredCriterion("a", D(10)),), pass_fail=("a",))
    with pytest.raises(ValueError, match="exceeds the maximum possible total"):
        CriteriaScheme(scored=(ScoredCriterion("a", D(10)),), min_total=D(11))
    with pytest.raises(ValueError, match="exceed its maximum"):
        ScoredCriterion("a", D(10), min_points=D(11))
    with pytest.raises(ValueError, match="must be positive"):
        ScoredCriterion("a", D(0))
    with pytest.raises(ValueError, match="weight of a must not be negative"):
        ScoredCriterion("a", D(10), weight=D(-1))
    with pytest.raises(ValueError, match="no score sheets"):
        mean_points(SCHEME, [])


# --- S2: ranking and budget ----------------------------------------------------------------------

S2_DEADLINE = deadline_at(date(2016, 6, 10), time(17, 30))


def s2_received() -> list[Application]:
    return [
        Application("A", D(40_000), tbilisi(6, 1, 11, 0), D(82)),
        Application("B", D(30_000), tbilisi(6, 2, 9, 15), D(76)),
        Application("C", D(25_000), tbilisi(6, 3, 16, 40), aggregate_scores([D(74), D(50), D(68)])),
        Application("D", D(15_000), tbilisi(6, 8, 10, 0), D(68)),
        Application("E", D(10_000), tbilisi(6, 9, 14, 0), D(68)),
        Application("F", D(4_000), tbilisi(6, 10, 17, 29, 59), D(55)),
        Application("G", D(5_000), tbilisi(6, 7, 12, 0), D(47)),
        Application("H", D(20_000), tbilisi(6, 6, 12, 0), eligible=False),
        Application("I", D(8_000), tbilisi(6, 10, 17, 30, 1), D(90)),
    ]


def s2_ranking(*tie_breaks):
    received = s2_received()
    on_time = [a for a in received if is_on_time(a.submitted_at, S2_DEADLINE)]
    assert [a.ref for a in received if a not in on_time] == ["I"]  # late: refused, never ranked
    return rank(on_time, min_score=D(50), tie_breaks=tie_breaks)


def refs(applications):
    return [a.ref for a in applications]


def test_s2_ranking_with_each_tie_break():
    by_amount = s2_ranking(LOWER_AMOUNT, EARLIER_SUBMISSION)
    assert refs(by_amount.ranked) == ["A", "B", "C", "E", "D", "F"]
    assert refs(by_amount.rejected) == ["G"]
    assert refs(by_amount.ineligible) == ["H"]
    assert refs(s2_ranking(EARLIER_SUBMISSION, LOWER_AMOUNT).ranked) == ["A", "B", "C", "D", "E", "F"]


def test_s2_strict_stop():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="strict")
    assert selection.funded_refs == ("A", "B", "C")
    assert [a.amount for a in selection.funded] == [D(40_000), D(30_000), D(25_000)]
    assert selection.total_funded == D("95000.00")
    assert selection.reserve_refs == ("E", "D", "F")
    assert selection.unused == D("5000.00")
    assert selection.allocation_raise == 0
    assert refs(selection.rejected) == ["G"] and "G" not in selection.reserve_refs
    assert refs(selection.ineligible) == ["H"]


def test_s2_skip_and_continue():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant=BudgetVariant.SKIP)
    assert selection.funded_refs == ("A", "B", "C", "F")
    assert selection.total_funded == D(99_000)
    assert selection.reserve_refs == ("E", "D")
    assert selection.unused == D(1_000)


def test_s2_border_project_with_the_amount_tie_break():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="border_raise")
    assert selection.funded_refs == ("A", "B", "C", "E")
    assert selection.total_funded == D(105_000)
    assert selection.allocation_raise == D(5_000)
    assert selection.reserve_refs == ("D", "F")
    assert selection.unused == 0


def test_s2_border_project_with_the_time_tie_break():
    selection = select_for_budget(s2_ranking(EARLIER_SUBMISSION), budget=D(100_000), variant="border_raise")
    assert selection.funded_refs == ("A", "B", "C", "D")
    assert selection.total_funded == D(110_000)
    assert selection.allocation_raise == D(10_000)
    assert selection.reserve_refs == ("E", "F")


def test_s2_reserve_activation_under_strict_stop():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="strict")
    after = activate_reserve(selection, withdrawn=["B"])
    assert refs(after.withdrawn) == ["B"]
    assert after.funded_refs == ("A", "C", "E", "D", "F")
    assert after.activated == ("E", "D", "F")
    assert after.total_funded == D(94_000)
    assert after.reserve_refs == ()
    assert after.unused == D(6_000)


def test_s2_border_partial_offers_the_remainder_and_tops_it_up_first_when_money_frees_up():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="border_partial")
    assert [(a.ref, a.amount, a.partial) for a in selection.funded][-1] == ("E", D(5_000), True)
    assert selection.reserve_refs == ("D", "F") and selection.unused == 0
    after = activate_reserve(selection, withdrawn=["B"])
    assert [(a.ref, a.amount) for a in after.funded] == [
        ("A", 40_000),
        ("C", 25_000),
        ("E", 10_000),
        ("D", 15_000),
        ("F", 4_000),
    ]
    assert after.activated == ("E", "D", "F")
    assert not any(a.partial for a in after.funded)


def test_border_partial_respects_the_smallest_partial_grant():
    ranking = s2_ranking(LOWER_AMOUNT)
    refused = select_for_budget(ranking, budget=D(100_000), variant="border_partial", min_partial=D(5_001))
    assert refused.funded_refs == ("A", "B", "C") and refused.reserve_refs == ("E", "D", "F")
    offered = select_for_budget(ranking, budget=D(100_000), variant="border_partial", min_partial=D(5_000))
    assert offered.funded_refs == ("A", "B", "C", "E")


def test_border_raise_respects_the_largest_raise():
    ranking = s2_ranking(EARLIER_SUBMISSION)  # D is the border project and needs 10,000 more
    capped = select_for_budget(ranking, budget=D(100_000), variant="border_raise", max_raise=D("9999.99"))
    assert capped.funded_refs == ("A", "B", "C") and capped.allocation_raise == 0
    assert capped.reserve_refs == ("D", "E", "F")
    enough = select_for_budget(ranking, budget=D(100_000), variant="border_raise", max_raise=D(10_000))
    assert enough.funded_refs == ("A", "B", "C", "D")


def test_no_border_project_when_the_budget_is_used_up_exactly():
    ranking = s2_ranking(LOWER_AMOUNT)
    for variant in ("border_raise", "border_partial"):
        selection = select_for_budget(ranking, budget=D(95_000), variant=variant)
        assert selection.funded_refs == ("A", "B", "C")
        assert selection.allocation_raise == 0 and selection.unused == 0


def test_raise_is_recomputed_when_the_border_project_withdraws():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="border_raise")
    after = activate_reserve(selection, withdrawn=["E"])
    # 5,000 free again; D (15,000) becomes the new border project: the raise is now 10,000, not 15,000.
    assert after.funded_refs == ("A", "B", "C", "D")
    assert after.allocation_raise == D(10_000)
    assert after.reserve_refs == ("F",)
    # And when a big project leaves, the raise disappears.
    again = activate_reserve(after, withdrawn=["A"])
    assert again.allocation_raise == 0
    assert again.funded_refs == ("B", "C", "D", "F")
    assert refs(again.withdrawn) == ["A", "E"]


def test_reserve_activation_with_added_money_and_reserve_withdrawals():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="strict")
    unchanged = activate_reserve(selection)
    assert unchanged.funded_refs == selection.funded_refs and unchanged.activated == ()
    topped = activate_reserve(selection, withdrawn=["E"], added_money=D(10_000))
    assert topped.funded_refs == ("A", "B", "C", "D")  # 15,000 free, D takes it
    assert topped.reserve_refs == ("F",) and topped.added_money == D(10_000)
    assert topped.unused == 0
    with pytest.raises(ValueError, match="only funded or reserve applications can withdraw, not: G"):
        activate_reserve(selection, withdrawn=["G"])
    with pytest.raises(ValueError, match="only funded or reserve"):
        activate_reserve(topped, withdrawn=["E"])  # already withdrawn
    with pytest.raises(ValueError, match="listed twice"):
        activate_reserve(selection, withdrawn=["A", "A"])
    with pytest.raises(ValueError, match="must not be negative"):
        activate_reserve(selection, added_money=D(-1))


def test_skip_activation_funds_whatever_fits_in_rank_order():
    selection = select_for_budget(s2_ranking(LOWER_AMOUNT), budget=D(100_000), variant="skip")
    after = activate_reserve(selection, withdrawn=["C"])  # 26,000 free
    assert after.funded_refs == ("A", "B", "E", "D", "F")
    assert after.activated == ("E", "D")


def test_g_below_threshold_and_threshold_is_inclusive():
    at = tbilisi(6, 1, 9, 0)
    ranking = rank(
        [
            Application("at", D(1_000), at, D(50)),
            Application("under", D(1_000), at, D("49.99")),
            Application("fails", D(1_000), at, D(90), meets_criteria=False),
        ],
        min_score=D(50),
    )
    assert refs(ranking.ranked) == ["at"]
    assert refs(ranking.rejected) == ["fails", "under"]
    selection = select_for_budget(ranking, budget=D(0), variant="strict")
    assert selection.reserve_refs == ("at",) and refs(selection.rejected) == ["fails", "under"]


def test_tie_breaks_on_a_named_criterion_and_the_final_fallback():
    at = tbilisi(6, 1, 9, 0)
    apps = [
        Application("X2", D(5_000), at, D(70), criterion_points={"jobs": D(8)}),
        Application("X1", D(5_000), at, D(70), criterion_points={"jobs": D(8)}),
        Application("Y", D(5_000), at + timedelta(seconds=1), D(70), criterion_points={"jobs": D(8)}),
        Application("Z", D(9_000), at, D(70), criterion_points={"jobs": D(10)}),
    ]
    assert refs(rank(apps, min_score=D(0), tie_breaks=[higher_criterion("jobs")]).ranked) == [
        "Z",
        "X1",
        "X2",
        "Y",
    ]
    assert refs(rank(apps, min_score=D(0), tie_breaks=[LOWER_AMOUNT]).ranked) == ["X1", "X2", "Y", "Z"]
    # No tie-breaks configured: earlier submission, then ref.
    assert refs(rank(apps, min_score=D(0)).ranked) == ["X1", "X2", "Z", "Y"]


def test_ranking_refuses_bad_input():
    at = tbilisi(6, 1, 9, 0)
    with pytest.raises(ValueError, match="unique, repeated: A"):
        rank([Application("A", D(1), at, D(60)), Application("A", D(2), at, D(61))], min_score=D(50))
    with pytest.raises(ValueError, match="eligible but has no score"):
        rank([Application("A", D(1), at)], min_score=D(50))
    with pytest.raises(ValueError, match="no points on tie-break criterion jobs"):
        rank([Application("A", D(1), at, D(60))], min_score=D(50), tie_breaks=[higher_criterion("jobs")])
    with pytest.raises(ValueError, match="listed twice"):
        rank([], min_score=D(50), tie_breaks=[LOWER_AMOUNT, LOWER_AMOUNT])
    with pytest.raises(ValueError, match="timezone-aware"):
        Application("A", D(1), datetime(2016, 6, 1, 9, 0), D(60))
    with pytest.raises(ValueError, match="must be positive"):
        Application("A", D(0), at, D(60))
    with pytest.raises(ValueError, match="more than two decimal places"):
        Application("A", D("1.005"), at, D(60))
    with pytest.raises(ValueError, match="criterion is named"):
        TieBreak("higher_criterion")
    with pytest.raises(ValueError, match="criterion is named"):
        TieBreak("lower_amount", "jobs")
    with pytest.raises(ValueError, match="has no score"):
        ranking_key(Application("A", D(1), at))
    with pytest.raises(ValueError):
        select_for_budget(rank([], min_score=D(0)), budget=D(1), variant="first_come")


# --- deadline ------------------------------------------------------------------------------------


def test_s2_deadline_to_the_second():
    assert S2_DEADLINE == datetime(2016, 6, 10, 17, 30, tzinfo=TBILISI)
    assert S2_DEADLINE.utcoffset() == timedelta(hours=4)
    assert is_on_time(tbilisi(6, 10, 17, 29, 59), S2_DEADLINE)  # F
    assert not is_on_time(tbilisi(6, 10, 17, 30, 1), S2_DEADLINE)  # I


def test_the_deadline_second_itself_is_accepted_to_its_last_microsecond():
    assert is_on_time(tbilisi(6, 10, 17, 30, 0), S2_DEADLINE)
    assert is_on_time(tbilisi(6, 10, 17, 30, 0, 999_999), S2_DEADLINE)
    assert not is_on_time(tbilisi(6, 10, 17, 30, 1, 0), S2_DEADLINE)


def test_deadline_compares_instants_whatever_the_zone():
    assert is_on_time(datetime(2016, 6, 10, 13, 30, 0, 500_000, tzinfo=UTC), S2_DEADLINE)
    assert not is_on_time(datetime(2016, 6, 10, 13, 30, 1, tzinfo=UTC), S2_DEADLINE)


def test_deadline_refuses_naive_or_sub_second_input():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_on_time(datetime(2016, 6, 10, 17, 0), S2_DEADLINE)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_on_time(tbilisi(6, 10, 17, 0), datetime(2016, 6, 10, 17, 30))
    with pytest.raises(ValueError, match="whole second"):
        is_on_time(tbilisi(6, 10, 17, 0), tbilisi(6, 10, 17, 30, 0, 1))
    with pytest.raises(ValueError, match="whole second"):
        deadline_at(date(2016, 6, 10), time(17, 30, 0, 5))
    with pytest.raises(ValueError, match="without a time zone"):
        deadline_at(date(2016, 6, 10), time(17, 30, tzinfo=UTC))


def test_q2_rounds_half_up():
    assert q2(D("0.005")) == D("0.01") and q2(D("0.0049")) == D("0.00") and q2(D("2.675")) == D("2.68")


# --- properties ----------------------------------------------------------------------------------

BASE = tbilisi(6, 1, 9, 0)
money = st.one_of(
    st.sampled_from([D(1_000), D(4_000), D(10_000), D(15_000), D(25_000)]),  # many equal amounts: ties
    st.integers(1, 5_000_000).map(lambda cents: D(cents).scaleb(-2)),
)


@st.composite
def applications(draw, max_size: int = 12) -> list[Application]:
    count = draw(st.integers(0, max_size))
    numbers = draw(st.permutations(range(count)))
    return [
        Application(
            ref=f"R{number:02d}",
            requested=draw(money),
            submitted_at=BASE + timedelta(hours=draw(st.integers(0, 4))),
            score=D(draw(st.integers(40, 70))),  # narrow range: many score ties
            eligible=draw(st.integers(0, 9)) > 0,
            meets_criteria=draw(st.integers(0, 9)) > 0,
            criterion_points={"c1": D(draw(st.integers(0, 3)))},
        )
        for number in numbers
    ]


tie_break_lists = st.permutations([LOWER_AMOUNT, EARLIER_SUBMISSION, higher_criterion("c1")]).flatmap(
    lambda order: st.integers(0, 3).map(lambda n: order[:n])
)
budgets = st.integers(0, 10_000_000).map(lambda cents: D(cents).scaleb(-2)) | st.sampled_from(
    [D(0), D(50_000)]
)
variants = st.sampled_from(list(BudgetVariant))


def assert_partition(selection, original):
    parts = (
        list(selection.funded_refs)
        + list(selection.reserve_refs)
        + refs(selection.rejected)
        + refs(selection.ineligible)
        + refs(selection.withdrawn)
    )
    assert sorted(parts) == sorted(a.ref for a in original)


def assert_rank_order(subset, ranked):
    positions = {a.ref: i for i, a in enumerate(ranked)}
    indices = [positions[ref] for ref in subset]
    assert indices == sorted(indices)


def assert_selection_invariants(selection):
    ranked = refs(selection.ranked)
    assert_rank_order(selection.funded_refs, selection.ranked)
    assert_rank_order(selection.reserve_refs, selection.ranked)
    assert all(0 < award.amount <= award.application.requested for award in selection.funded)
    assert selection.total_funded <= selection.allocation
    assert selection.unused >= 0
    variant = selection.policy.variant
    if variant in (BudgetVariant.STRICT, BudgetVariant.SKIP):
        assert selection.total_funded <= selection.budget + selection.added_money
        assert selection.allocation_raise == 0
        assert not any(award.partial for award in selection.funded)
    if variant is BudgetVariant.SKIP:
        assert all(a.requested > selection.unused for a in selection.reserve)
    if variant is BudgetVariant.BORDER_RAISE and selection.allocation_raise > 0:
        border = selection.funded[-1]
        assert selection.allocation_raise < border.application.requested
        assert (
            selection.total_funded - (selection.budget + selection.added_money) == selection.allocation_raise
        )
    if variant is BudgetVariant.BORDER_PARTIAL:
        assert sum(award.partial for award in selection.funded) <= 1
        if any(award.partial for award in selection.funded):
            assert selection.funded[-1].partial and selection.unused == 0
    assert set(ranked) >= set(selection.funded_refs) | set(selection.reserve_refs)


@PROPERTY
@given(applications(), tie_break_lists, st.data())
def test_ranking_is_a_total_order_independent_of_input_order(apps, tie_breaks, data):
    ranking = rank(apps, min_score=D(50), tie_breaks=tie_breaks)
    shuffled = data.draw(st.permutations(apps))
    again = rank(shuffled, min_score=D(50), tie_breaks=tie_breaks)
    assert refs(again.ranked) == refs(ranking.ranked)
    assert refs(again.rejected) == refs(ranking.rejected)
    assert refs(again.ineligible) == refs(ranking.ineligible)
    keys = [ranking_key(a, tie_breaks) for a in ranking.ranked]
    assert all(k1 < k2 for k1, k2 in zip(keys, keys[1:], strict=False))  # strictly: no two equal
    scores = [a.score for a in ranking.ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(a.score >= 50 and a.eligible and a.meets_criteria for a in ranking.ranked)
    assert all(a.score < 50 or not a.meets_criteria for a in ranking.rejected)


@PROPERTY
@given(applications(), tie_break_lists, budgets, variants)
def test_selection_partitions_the_input_and_respects_the_variant(apps, tie_breaks, budget, variant):
    selection = select_for_budget(
        rank(apps, min_score=D(50), tie_breaks=tie_breaks), budget=budget, variant=variant
    )
    assert_partition(selection, apps)
    assert_selection_invariants(selection)
    if variant is BudgetVariant.STRICT:
        assert list(selection.funded_refs) == refs(selection.ranked)[: len(selection.funded)]
    if variant in (BudgetVariant.STRICT, BudgetVariant.SKIP):
        assert selection.total_funded <= budget


@PROPERTY
@given(applications(), tie_break_lists, budgets, variants, st.data())
def test_reserve_activation_keeps_every_invariant(apps, tie_breaks, budget, variant, data):
    selection = select_for_budget(
        rank(apps, min_score=D(50), tie_breaks=tie_breaks), budget=budget, variant=variant
    )
    for _ in range(data.draw(st.integers(1, 3))):
        open_refs = list(selection.funded_refs + selection.reserve_refs)
        leaving = data.draw(st.lists(st.sampled_from(open_refs), unique=True)) if open_refs else []
        added = data.draw(st.sampled_from([D(0), D(0), D(2_500), D("0.01")]))
        before = {award.ref: award.amount for award in selection.funded}
        selection = activate_reserve(selection, withdrawn=leaving, added_money=added)
        assert_partition(selection, apps)
        assert_selection_invariants(selection)
        after = {award.ref: award.amount for award in selection.funded}
        # Nobody funded loses money unless they withdrew.
        assert all(after[ref] >= amount for ref, amount in before.items() if ref not in leaving)
        assert not set(leaving) & set(after)


@PROPERTY
@given(st.lists(st.integers(0, 10_000).map(lambda cents: D(cents).scaleb(-2)), min_size=1, max_size=5))
def test_aggregated_score_lies_within_the_scores_used(scores):
    rule = ScoringRule()
    if needs_extra_evaluator(scores, rule):
        with pytest.raises(ValueError):
            aggregate_scores(scores, rule)
        return
    used = [scores[i] for i in scores_used(scores, rule)]
    result = aggregate_scores(scores, rule)
    assert min(used) <= result <= max(used)
    assert result == q2(result)
    assert aggregate_scores(list(reversed(scores)), rule) == result
