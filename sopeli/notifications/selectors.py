"""Reads for the notices, preferences and messages pages (a fixed number of queries each)."""

from django.db.models import Sum
from django.utils import timezone

from sopeli.notifications.kinds import INAPP, KINDS
from sopeli.notifications.models import Message, Preference


def my_notices(user):
    return Message.objects.filter(user=user, channel=INAPP).order_by("-created_at", "-id").only(
        "id", "kind", "subject", "body", "link", "created_at", "read_at")


def preference_rows(user) -> list[dict]:
    """Each configurable kind with the channels in force for this person (their choice or the defaults)."""
    chosen = {p.kind: p.channels() for p in Preference.objects.filter(user=user)}
    return [{"kind": kind, "channels": chosen.get(kind.name, set(kind.defaults)), "own": kind.name in chosen}
            for kind in KINDS.values() if kind.configurable]


def lag_messages(lag, *, status: str = ""):
    rows = Message.objects.filter(lag=lag).exclude(channel=INAPP).order_by("-created_at", "-id").only(
        "id", "kind", "channel", "address", "subject", "body", "status", "attempts", "last_error", "created_at",
        "sent_at", "next_attempt_at", "segments", "cost")
    return rows.filter(status=status) if status else rows


def lag_sms_cost_this_month(lag):
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Message.objects.filter(lag=lag, channel="sms", sent_at__gte=start).aggregate(
        cost=Sum("cost"), segments=Sum("segments"))


def masked(address: str) -> str:
    """Just enough of an address for staff to tell who it was: n•••@example.ge, +995 5•• •• •• 56."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    digits = address.replace(" ", "")
    if len(digits) <= 4:
        return "•" * len(digits)
    return digits[:5] + "•" * (len(digits) - 7) + digits[-2:]
