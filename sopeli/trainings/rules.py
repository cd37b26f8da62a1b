"""Training rules as pure functions (no Django import): status transitions, seats, hours, codes."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

PLANNED, OPEN, FULL, HELD, CANCELLED = "planned", "open", "full", "held", "cancelled"

# Which status may follow which, and who moves it: "manager" by an action, "seats" automatically
# when seats are taken or freed, "attendance" when staff take attendance.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PLANNED, OPEN): "manager",
    (PLANNED, CANCELLED): "manager",
    (OPEN, PLANNED): "manager",
    (OPEN, FULL): "seats",
    (FULL, OPEN): "seats",
    (OPEN, CANCELLED): "manager",
    (FULL, CANCELLED): "manager",
    (PLANNED, HELD): "attendance",
    (OPEN, HELD): "attendance",
    (FULL, HELD): "attendance",
    (HELD, HELD): "attendance",
}

# Statuses a manager may choose by hand (the rest follow from seats and attendance).
MANAGER_TARGETS = (OPEN, PLANNED, CANCELLED)
# Statuses in which people may register.
REGISTRATION_OPEN = (OPEN, FULL)
# Statuses in which the training is still going to happen.
ACTIVE = (PLANNED, OPEN, FULL)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I, easy to read out on a phone


def can_move(current: str, target: str, by: str) -> bool:
    return TRANSITIONS.get((current, target)) == by


def seat_status(current: str, confirmed: int, capacity: int) -> str:
    """``open`` or ``full`` after seats change; other statuses stay as they are."""
    if current not in (OPEN, FULL):
        return current
    return FULL if confirmed >= capacity else OPEN


def new_registration_status(confirmed: int, capacity: int) -> str:
    """A new registration takes a seat while one is free, otherwise joins the waiting list."""
    return "confirmed" if confirmed < capacity else "waiting"


def promotions(confirmed: int, capacity: int, waiting: int) -> int:
    """How many people from the front of the waiting list get a seat."""
    return max(0, min(capacity - confirmed, waiting))


def duration_hours(starts: datetime, ends: datetime) -> Decimal:
    """Length in hours, to a tenth (a 2 h 20 min session is 2.3 h)."""
    seconds = Decimal(int((ends - starts).total_seconds()))
    return (seconds / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fill_rate(confirmed: int, capacity: int) -> int:
    """Seats taken as a whole percentage (may exceed 100 with walk-ins)."""
    if capacity <= 0:
        return 0
    return (100 * confirmed + capacity // 2) // capacity


def certificate_code(length: int = 10) -> str:
    """An unguessable certificate number, e.g. ``K7PM2-X9QRA`` (about 50 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{raw[: length // 2]}-{raw[length // 2:]}"


def average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
