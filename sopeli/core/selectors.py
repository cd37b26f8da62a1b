"""Reads for the network and LAG pages, each a fixed number of queries."""

from django.db.models import Count, Q, Sum

from sopeli.core.models import AuditEvent, Lag, Settlement


def lags_for_network_home():
    from sopeli.membership.models import MemberStatus

    return Lag.objects.annotate(
        member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE), distinct=True),
        settlement_count=Count("settlements", distinct=True),
    ).order_by("name")


def lag_territory(lag: Lag) -> dict:
    settlements = list(Settlement.objects.filter(lag=lag).order_by("-is_centre", "-population", "name"))
    population = Settlement.objects.filter(lag=lag).aggregate(total=Sum("population"))["total"]
    return {"settlements": settlements, "population": population}


def public_activity(lag: Lag, limit: int = 10):
    return AuditEvent.objects.filter(lag=lag, is_public=True).order_by("-created_at", "-id")[:limit]


def audit_events(lag: Lag):
    return AuditEvent.objects.filter(lag=lag).select_related("actor").order_by("-created_at", "-id")
