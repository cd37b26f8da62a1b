"""Pure training rules, property-tested."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sopeli.trainings import rules


@given(confirmed=st.integers(0, 100), capacity=st.integers(1, 100), waiting=st.integers(0, 100))
def test_promotions_never_overfill_nor_exceed_queue(confirmed, capacity, waiting):
    n = rules.promotions(confirmed, capacity, waiting)
    assert 0 <= n <= waiting
    assert confirmed + n <= max(capacity, confirmed)
    if confirmed < capacity:
        assert n == min(capacity - confirmed, waiting)


@given(confirmed=st.integers(0, 100), capacity=st.integers(1, 100))
def test_new_registration_waits_only_when_full(confirmed, capacity):
    assert (rules.new_registration_status(confirmed, capacity) == "waiting") == (confirmed >= capacity)
    assert rules.seat_status("open", confirmed, capacity) == ("full" if confirmed >= capacity else "open")
    assert rules.seat_status("held", confirmed, capacity) == "held"


def test_transitions():
    assert rules.can_move("planned", "open", "manager")
    assert not rules.can_move("held", "open", "manager")
    assert not rules.can_move("cancelled", "open", "manager")
    assert not rules.can_move("open", "full", "manager")  # seats decide that
    assert rules.can_move("open", "full", "seats")


def test_duration_and_fill_rate():
    t = datetime(2026, 3, 2, 6, tzinfo=UTC)
    assert rules.duration_hours(t, t + timedelta(hours=2, minutes=20)) == Decimal("2.3")
    assert rules.fill_rate(3, 4) == 75 and rules.fill_rate(5, 4) == 125 and rules.fill_rate(1, 3) == 33


def test_certificate_code_shape():
    codes = {rules.certificate_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        a, b = code.split("-")
        assert len(a) == len(b) == 5 and set(a + b) <= set(rules.CODE_ALPHABET)


def test_average():
    assert rules.average([]) is None and rules.average([5, 4]) == Decimal("4.5")
