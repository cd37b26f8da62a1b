"""Strategy rules as pure functions (no Django): the 25% running-cost cap, budget consistency,
and the section-by-section comparison of two serialised versions.

Money is ``Decimal`` throughout; comparisons are exact (no float, no rounding before comparing).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RUNNING_COSTS_CAP_PERCENT = 25


# --- The 25% cap on running costs -------------------------------------------------------------


@dataclass(frozen=True)
class RunningCostsCheck:
    """Running costs against the cap.

    Definition: ``share = running / total_public``, where ``total_public`` is all public money of
    the strategy's financial plan *including* the running costs (measures + running). The rule
    holds when ``100 × running ≤ cap × total_public`` (exact Decimal arithmetic).

    ``cut_needed``: the smallest amount (rounded up to the cent) by which running costs must fall,
    the measures staying as they are, to meet the cap. Cutting running costs by x also lowers the
    total by x, so x ≥ (100·R − cap·T) / (100 − cap).
    ``measures_increase_needed``: alternatively, how much more money the measures would need
    with the running costs unchanged: T' ≥ 100·R / cap.
    """

    running: Decimal
    measures: Decimal
    total_public: Decimal
    cap_percent: int
    ok: bool
    share_percent: Decimal  # rounded to 2 places, for display only
    max_running: Decimal  # the most running costs could be with these measures (rounded down)
    cut_needed: Decimal
    measures_increase_needed: Decimal


def running_costs_check(
    *, running: Decimal, measures: Decimal, cap_percent: int = RUNNING_COSTS_CAP_PERCENT
) -> RunningCostsCheck:
    if running < 0 or measures < 0:
        raise ValueError("amounts must not be negative")
    if not 0 < cap_percent < 100:
        raise ValueError("cap must be between 0 and 100")
    total = running + measures
    ok = 100 * running <= cap_percent * total
    share = (running * 100 / total).quantize(CENT, ROUND_HALF_UP) if total else Decimal("0.00")
    # max running R with 100 R <= cap (M + R)  <=>  R <= cap M / (100 - cap)
    max_running = _round_down(Decimal(cap_percent) * measures / (100 - cap_percent))
    if ok:
        cut = Decimal("0.00")
        increase = Decimal("0.00")
    else:
        cut = _round_up((100 * running - cap_percent * total) / (100 - cap_percent))
        increase = _round_up(100 * running / cap_percent - total)
    return RunningCostsCheck(
        running=running, measures=measures, total_public=total, cap_percent=cap_percent, ok=ok,
        share_percent=share, max_running=max_running, cut_needed=cut, measures_increase_needed=increase,
    )


def _round_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_CEILING)


def _round_down(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_FLOOR)


# --- Budget consistency ------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetWarning:
    """``kind``: ``plan_differs`` (financial plan total ≠ indicative budget), ``calls_exceed``
    (planned calls exceed the indicative budget), ``unplanned`` (a measure with a budget but no
    financial plan row), ``grant_above_budget`` (max grant larger than the whole budget)."""

    kind: str
    measure: str
    budget: Decimal
    amount: Decimal

    @property
    def difference(self) -> Decimal:
        return self.amount - self.budget


def budget_warnings(
    *,
    budgets: Mapping[str, Decimal],
    plan: Iterable[tuple[str, Decimal]],
    calls: Iterable[tuple[str, Decimal]] = (),
    max_grants: Mapping[str, Decimal] | None = None,
) -> list[BudgetWarning]:
    """Compare each measure's indicative budget with its financial plan rows and planned calls.

    ``budgets``: measure code → indicative budget; ``plan``: (measure code, amount) per plan row;
    ``calls``: (measure code, amount) per planned call; ``max_grants``: measure code → max grant.
    Measures are reported in the order of ``budgets``.
    """
    planned: dict[str, Decimal] = {}
    for code, amount in plan:
        planned[code] = planned.get(code, Decimal(0)) + amount
    called: dict[str, Decimal] = {}
    for code, amount in calls:
        called[code] = called.get(code, Decimal(0)) + amount
    warnings: list[BudgetWarning] = []
    for code, budget in budgets.items():
        if code not in planned:
            if budget > 0:
                warnings.append(BudgetWarning("unplanned", code, budget, Decimal("0.00")))
        elif planned[code] != budget:
            warnings.append(BudgetWarning("plan_differs", code, budget, planned[code]))
        if called.get(code, Decimal(0)) > budget:
            warnings.append(BudgetWarning("calls_exceed", code, budget, called[code]))
        if max_grants and code in max_grants and max_grants[code] > budget:
            warnings.append(BudgetWarning("grant_above_budget", code, budget, max_grants[code]))
    return warnings


# --- Comparing two versions --------------------------------------------------------------------
#
# A serialised version is a mapping: section key → {"text": {field: str}, "items": {key: Item}}
# where an Item is {"label": str, "fields": {field: str}}. Items are matched by key (their code).


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    key: str
    label: str
    changes: tuple[FieldChange, ...] = ()


@dataclass
class SectionDiff:
    section: str
    text_changes: list[FieldChange] = field(default_factory=list)
    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def is_unchanged(self) -> bool:
        return not (self.text_changes or self.added or self.removed or self.changed)


def _field_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[FieldChange]:
    names = list(before) + [name for name in after if name not in before]
    return [
        FieldChange(name, before.get(name, ""), after.get(name, ""))
        for name in names
        if before.get(name, "") != after.get(name, "")
    ]


def diff_versions(a: Mapping[str, Mapping], b: Mapping[str, Mapping]) -> list[SectionDiff]:
    """What changed from version ``a`` to version ``b``, section by section, item by item.

    Sections come in ``a``'s order then any new in ``b``; items in ``a``'s order (removed and
    changed) and ``b``'s order (added).
    """
    sections = list(a) + [key for key in b if key not in a]
    result = []
    for key in sections:
        sa = a.get(key, {})
        sb = b.get(key, {})
        diff = SectionDiff(section=key, text_changes=_field_changes(sa.get("text", {}), sb.get("text", {})))
        items_a = sa.get("items", {})
        items_b = sb.get("items", {})
        for item_key, item in items_a.items():
            if item_key not in items_b:
                diff.removed.append(ItemChange(item_key, item.get("label", "")))
            else:
                changes = _field_changes(item.get("fields", {}), items_b[item_key].get("fields", {}))
                if changes:
                    diff.changed.append(ItemChange(item_key, items_b[item_key].get("label", ""), tuple(changes)))
        for item_key, item in items_b.items():
            if item_key not in items_a:
                diff.added.append(ItemChange(item_key, item.get("label", "")))
        result.append(diff)
    return result


def quarter_of(month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    return (month - 1) // 3 + 1
