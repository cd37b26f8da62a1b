from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopeli.consultation import rules

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_phase_state_to_the_second():
    opens, closes = T0, T0 + timedelta(days=14)
    assert rules.phase_state(opens, closes, opens - timedelta(seconds=1)) == rules.UPCOMING
    assert rules.phase_state(opens, closes, opens) == rules.OPEN
    assert rules.phase_state(opens, closes, closes - timedelta(seconds=1)) == rules.OPEN
    assert rules.phase_state(opens, closes, closes) == rules.CLOSED


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=-10, max_value=10), st.lists(st.tuples(st.integers(0, 20), st.integers(1, 20)), max_size=5))
def test_consultation_is_open_exactly_when_a_phase_is(offset, spans):
    now = T0 + timedelta(days=offset)
    windows = [(T0 + timedelta(days=a), T0 + timedelta(days=a + length)) for a, length in spans]
    state = rules.consultation_state(windows, now)
    assert (state == rules.OPEN) == any(rules.phase_state(o, c, now) == rules.OPEN for o, c in windows)


def test_answer_problems():
    assert rules.answer_problem(rules.TAKEN_UP, has_target=False, reason="") == "needs_target"
    assert rules.answer_problem(rules.TAKEN_UP, has_target=True, reason="") is None
    assert rules.answer_problem(rules.NOT_TAKEN_UP, has_target=False, reason="  ") == "needs_reason"
    assert rules.answer_problem(rules.NOT_TAKEN_UP, has_target=False, reason="budget") is None
    assert rules.answer_problem(rules.MERGED, has_target=False, reason="") == "needs_merge"
    assert rules.answer_problem("maybe", has_target=True, reason="x") == "unknown_status"


people = st.sets(st.integers(1, 30), max_size=15)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people, people, st.one_of(st.none(), st.integers(1, 30)))
def test_merge_counts_everyone_once(kept, duplicate, author):
    kept = kept - ({author} if author else set())  # an author never supports their own idea
    moved = rules.supports_to_move(kept, duplicate, author)
    assert not moved & kept and author not in moved
    assert rules.merged_support_count(kept, duplicate, author) == len((kept | duplicate) - {author})


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_share_percent_is_bounded_and_monotone(part, whole):
    p = rules.share_percent(part, whole)
    assert 0 <= p <= 100
    if whole and part <= whole:
        assert abs(p * whole - 100 * part) <= whole  # within one percentage point
        assert rules.share_percent(min(part + 1, whole), whole) >= p


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(1, 5), st.integers(0, 1000)))
def test_scale_mean(counts):
    s = rules.scale_summary(counts)
    n = sum(counts.values())
    assert s.count == n
    if n:
        assert 10 <= s.mean_tenths <= 50
        assert abs(s.mean_tenths * n - 10 * sum(v * c for v, c in counts.items())) * 2 <= n
    else:
        assert s.mean_tenths is None


def test_scale_ignores_out_of_range_and_age_bands():
    assert rules.scale_summary({0: 3, 6: 2, 3: 1}) == rules.ScaleSummary(1, 30)
    assert [rules.age_band(a) for a in (17, 18, 29, 30, 44, 45, 64, 65)] == [
        "under_18", "18_29", "18_29", "30_44", "30_44", "45_64", "45_64", "65_plus"]
