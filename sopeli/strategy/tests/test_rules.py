"""The strategy rules: 25% cap, budget consistency, version comparison (pure, property-tested)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopeli.strategy import rules

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
D = Decimal


def test_running_costs_exactly_25_percent_passes():
    check = rules.running_costs_check(running=D("25000.00"), measures=D("75000.00"))
    assert check.ok and check.share_percent == D("25.00") and check.total_public == D("100000.00")
    assert check.cut_needed == 0 and check.max_running == D("25000.00")


def test_running_costs_one_cent_over_fails_with_the_cut_that_fixes_it():
    check = rules.running_costs_check(running=D("25000.01"), measures=D("75000.00"))
    assert not check.ok
    assert check.cut_needed == D("0.01")
    fixed = rules.running_costs_check(running=check.running - check.cut_needed, measures=check.measures)
    assert fixed.ok


def test_running_costs_worked_example():
    # 60,000 running against 140,000 for measures: 30% of 200,000.
    check = rules.running_costs_check(running=D("60000"), measures=D("140000"))
    assert not check.ok and check.share_percent == D("30.00")
    # (100*60000 - 25*200000) / 75 = 13,333.33… → 13,333.34
    assert check.cut_needed == D("13333.34")
    assert check.max_running == D("46666.66")
    assert check.measures_increase_needed == D("40000.00")


def test_no_money_at_all_is_within_the_cap():
    assert rules.running_costs_check(running=D(0), measures=D(0)).ok


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        rules.running_costs_check(running=D(-1), measures=D(0))


@given(running=money, measures=money)
def test_running_costs_rule_matches_its_definition(running, measures):
    check = rules.running_costs_check(running=running, measures=measures)
    total = running + measures
    assert check.ok == (running * 4 <= total)
    assert check.total_public == total
    if check.ok:
        assert check.cut_needed == 0 and check.measures_increase_needed == 0
    else:
        assert check.cut_needed > 0
        # Cutting exactly that much satisfies the rule; one cent less does not.
        assert rules.running_costs_check(running=running - check.cut_needed, measures=measures).ok
        assert not rules.running_costs_check(running=running - check.cut_needed + D("0.01"), measures=measures).ok
        # Adding that much to the measures also satisfies it.
        assert rules.running_costs_check(running=running, measures=measures + check.measures_increase_needed).ok
    # max_running is the largest amount that still passes.
    assert rules.running_costs_check(running=check.max_running, measures=measures).ok
    assert not rules.running_costs_check(running=check.max_running + D("0.01"), measures=measures).ok


def test_budget_warnings_flag_each_kind_of_inconsistency():
    warnings = rules.budget_warnings(
        budgets={"M1": D("100"), "M2": D("50"), "M3": D("30"), "M4": D("0")},
        plan=[("M1", D("60")), ("M1", D("40")), ("M2", D("45"))],
        calls=[("M1", D("120")), ("M2", D("10"))],
        max_grants={"M1": D("10"), "M3": D("40")},
    )
    kinds = [(w.kind, w.measure) for w in warnings]
    assert kinds == [("calls_exceed", "M1"), ("plan_differs", "M2"), ("unplanned", "M3"), ("grant_above_budget", "M3")]
    assert warnings[1].difference == D("-5")


@given(st.dictionaries(st.sampled_from(["M1", "M2", "M3", "M4"]), money, min_size=1))
def test_a_plan_equal_to_the_budgets_raises_no_warning(budgets):
    plan = [(code, amount) for code, amount in budgets.items()]
    assert rules.budget_warnings(budgets=budgets, plan=plan, calls=plan, max_grants=budgets) == []


def _version(texts, items):
    return {"vision": {"text": texts, "items": {}}, "measures": {"text": {}, "items": items}}


def test_diff_reports_added_removed_and_changed_items_by_code():
    a = _version({"vision_ka": "ხედვა", "vision_en": "Vision"}, {
        "M1": {"label": "Guesthouses", "fields": {"budget": "100.00", "title_en": "Guesthouses"}},
        "M2": {"label": "Hay", "fields": {"budget": "50.00"}},
    })
    b = _version({"vision_ka": "ახალი ხედვა", "vision_en": "Vision"}, {
        "M1": {"label": "Guesthouses", "fields": {"budget": "120.00", "title_en": "Guesthouses"}},
        "M3": {"label": "Trails", "fields": {"budget": "30.00"}},
    })
    vision, measures = rules.diff_versions(a, b)
    assert vision.text_changes == [rules.FieldChange("vision_ka", "ხედვა", "ახალი ხედვა")]
    assert [i.key for i in measures.added] == ["M3"]
    assert [i.key for i in measures.removed] == ["M2"]
    assert measures.changed == [rules.ItemChange("M1", "Guesthouses", (rules.FieldChange("budget", "100.00", "120.00"),))]


item = st.fixed_dictionaries({"label": st.text(max_size=5), "fields": st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=3))})
version = st.dictionaries(
    st.sampled_from(["profile", "swot", "measures"]),
    st.fixed_dictionaries({
        "text": st.dictionaries(st.sampled_from(["x_ka", "x_en"]), st.text(max_size=4)),
        "items": st.dictionaries(st.sampled_from(["M1", "M2", "M3", "O1"]), item),
    }),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(version)
def test_a_version_compared_with_itself_is_unchanged(v):
    assert all(section.is_unchanged for section in rules.diff_versions(v, v))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(version, version)
def test_diff_is_symmetric_in_added_and_removed(a, b):
    forward = {d.section: d for d in rules.diff_versions(a, b)}
    backward = {d.section: d for d in rules.diff_versions(b, a)}
    assert forward.keys() == backward.keys()
    for key, d in forward.items():
        assert {i.key for i in d.added} == {i.key for i in backward[key].removed}
        assert {i.key for i in d.changed} == {i.key for i in backward[key].changed}
        items_a = a.get(key, {}).get("items", {})
        items_b = b.get(key, {}).get("items", {})
        assert {i.key for i in d.added} == set(items_b) - set(items_a)


@given(st.integers(min_value=1, max_value=12))
def test_quarter(month):
    assert rules.quarter_of(month) in {1, 2, 3, 4}
    assert rules.quarter_of(month) == (month + 2) // 3
