"""Reads for the network and LAG pages, each a fixed number of queries."""

from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from sopeli.core.models import AuditEvent, Lag, Settlement


def lags_for_network_home():
    """Every LAG with its headline figures: active members, settlements, funded projects and money
    awarded (public: funded applications of calls whose results are published). One query."""
    from sopeli.grants.models import Application
    from sopeli.grants.workflow import ApplicationStatus, CallStatus
    from sopeli.membership.models import Member, MemberStatus

    def count_of(queryset):
        # A correlated subquery per figure: joining members and settlements into one GROUP BY
        # multiplies the rows (members × settlements per LAG) and made this page the slowest.
        return Coalesce(Subquery(queryset.order_by().values("lag").annotate(n=Count("pk")).values("n")[:1],
                                 output_field=IntegerField()), Value(0))

    funded = Application.objects.filter(lag=OuterRef("pk"), status=ApplicationStatus.FUNDED,
                                        call__status=CallStatus.RESULTS_PUBLISHED).order_by().values("lag")
    money = DecimalField(max_digits=14, decimal_places=2)
    return Lag.objects.annotate(
        member_count=count_of(Member.objects.filter(lag=OuterRef("pk"), status=MemberStatus.ACTIVE)),
        settlement_count=count_of(Settlement.objects.filter(lag=OuterRef("pk"))),
        funded_count=Coalesce(Subquery(funded.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
                              Value(0)),
        awarded_total=Coalesce(Subquery(funded.annotate(s=Sum("awarded_grant")).values("s")[:1], output_field=money),
                               Value(Decimal("0.00")), output_field=money),
    ).order_by("name")


def lag_territory(lag: Lag) -> dict:
    settlements = list(Settlement.objects.filter(lag=lag).order_by("-is_centre", "-population", "name"))
    population = Settlement.objects.filter(lag=lag).aggregate(total=Sum("population"))["total"]
    return {"settlements": settlements, "population": population}


def public_activity(lag: Lag, limit: int = 10):
    return AuditEvent.objects.filter(lag=lag, is_public=True).order_by("-created_at", "-id")[:limit]


def audit_events(lag: Lag):
    return AuditEvent.objects.filter(lag=lag).select_related("actor").order_by("-created_at", "-id")
