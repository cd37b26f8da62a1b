"""Reads for governance pages, each a fixed number of queries."""

from sopeli.governance.models import AgendaItem, ItemStatus, Procedure
from sopeli.membership.models import Member, MemberStatus


def manager_overview(lag) -> dict:
    return {
        "pending_applications": Member.objects.filter(lag=lag, status=MemberStatus.APPLIED).count(),
        "open_procedures": AgendaItem.objects.filter(
            lag=lag, procedure=Procedure.WRITTEN, status=ItemStatus.VOTING
        ).count(),
    }
