"""Consultation rules as pure functions (no Django import), property-tested with hypothesis.

- When a phase is open: ``opens_at <= now < closes_at`` on the server clock, to the second.
- What an answer needs ("you said, we did"): taken up → linked to an objective or a measure;
  not taken up → a reason; merged → the kept idea.
- How supports carry over when two ideas are merged, without counting anyone twice.
- Survey answers: what a valid answer to each kind of question is.
- Shares for the CSS bar charts (integer percentages that never exceed 100).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

OPEN, UPCOMING, CLOSED = "open", "upcoming", "closed"

TAKEN_UP, NOT_TAKEN_UP, MERGED, PENDING = "taken_up", "not_taken_up", "merged", "pending"

SCALE_MIN, SCALE_MAX = 1, 5


def phase_state(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """``open`` from ``opens_at`` (inclusive) until ``closes_at`` (exclusive)."""
    if now < opens_at:
        return UPCOMING
    if now < closes_at:
        return OPEN
    return CLOSED


def consultation_state(windows: Iterable[tuple[datetime, datetime]], now: datetime) -> str:
    """A consultation is open while any phase is open, upcoming before its first phase, closed after."""
    states = {phase_state(o, c, now) for o, c in windows}
    if not states:
        return UPCOMING
    if OPEN in states:
        return OPEN
    if UPCOMING in states:
        return UPCOMING
    return CLOSED


def answer_problem(status: str, *, has_target: bool, reason: str, merged: bool = False) -> str | None:
    """Why an answer cannot be saved (a short code), or ``None`` when it is complete."""
    if status == TAKEN_UP and not has_target:
        return "needs_target"
    if status == NOT_TAKEN_UP and not reason.strip():
        return "needs_reason"
    if status == MERGED and not merged:
        return "needs_merge"
    if status not in (TAKEN_UP, NOT_TAKEN_UP, MERGED, PENDING):
        return "unknown_status"
    return None


def supports_to_move(kept_supporters: set[int], duplicate_supporters: set[int], kept_author: int | None) -> set[int]:
    """Supporters of a duplicate who become supporters of the kept idea.

    Everyone who supported either idea supports the kept one exactly once; the kept idea's author
    (who cannot support their own idea) is not added.
    """
    return duplicate_supporters - kept_supporters - ({kept_author} if kept_author is not None else set())


def merged_support_count(kept_supporters: set[int], duplicate_supporters: set[int], kept_author: int | None) -> int:
    return len(kept_supporters | supports_to_move(kept_supporters, duplicate_supporters, kept_author))


def share_percent(part: int, whole: int) -> int:
    """Integer percentage for a bar, rounded half up, 0 when there is no whole, never above 100."""
    if whole <= 0 or part <= 0:
        return 0
    return min(100, (200 * part + whole) // (2 * whole))


def scale_is_valid(value: int) -> bool:
    return SCALE_MIN <= value <= SCALE_MAX


@dataclass(frozen=True)
class ScaleSummary:
    count: int
    mean_tenths: int | None  # mean × 10, rounded half up (e.g. 37 → 3.7); None when nobody answered


def scale_summary(counts: dict[int, int]) -> ScaleSummary:
    """Count and mean of scale answers from ``{value: count}`` (integer arithmetic)."""
    n = sum(c for v, c in counts.items() if scale_is_valid(v))
    if n == 0:
        return ScaleSummary(0, None)
    total = sum(v * c for v, c in counts.items() if scale_is_valid(v))
    return ScaleSummary(n, (20 * total + n) // (2 * n))


def age_band(age: int) -> str:
    """The age band used in participation figures."""
    if age < 18:
        return "under_18"
    if age < 30:
        return "18_29"
    if age < 45:
        return "30_44"
    if age < 65:
        return "45_64"
    return "65_plus"
