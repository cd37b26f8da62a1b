"""Reads for membership pages, each a fixed number of queries."""

from django.db.models import Count, Q
from django.utils import timezone

from sopeli.membership.models import Body


def current_seat_filter(prefix: str = "seats__", today=None) -> Q:
    today = today or timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def bodies_with_seat_counts(lag):
    return Body.objects.filter(lag=lag).annotate(seat_count=Count("seats", filter=current_seat_filter(), distinct=True))
