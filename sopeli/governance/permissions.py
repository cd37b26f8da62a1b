"""Who may see and change meetings, votes and minutes."""

from sopeli.accounts.permissions import can_manage, can_read_staff_pages
from sopeli.governance.models import ItemStatus, Meeting, MeetingStatus


def can_manage_meetings(user, lag) -> bool:
    """Create meetings, record attendance, conflicts, votes and results; open and close procedures."""
    return can_manage(user, lag)


def can_read_meetings(user, lag) -> bool:
    """Read the staff pages of meetings and procedures (managers and network officers)."""
    return can_read_staff_pages(user, lag)


def is_signed_in(user, lag) -> bool:
    """A member's own page: anyone logged in (the page says when they sit on no body)."""
    return bool(getattr(user, "is_authenticated", False))


def minutes_are_public(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.PUBLISHED


def procedure_record_is_public(item) -> bool:
    """The votes of a written procedure are public once it is closed; while open, only that it is open."""
    return item.status != ItemStatus.VOTING
