"""Reads for the received list and the eligibility check pages (fixed query counts)."""

from __future__ import annotations

from django.db.models import Prefetch

from sopeli.grants.models import Application, Call, CheckItemResult, EligibilityCheck, FixRequest
from sopeli.grants.workflow import ApplicationStatus


def received_list(call: Call):
    """Public rows: number, title, applicant type, village, amount. No names, no contact data (1 query)."""
    return (
        Application.objects.filter(call=call, number__isnull=False)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("settlement", "measure__measure")
        .only("number", "title", "applicant_type", "requested_grant", "submitted_at", "stage", "call_id",
              "settlement__name_ka", "settlement__name_en", "measure__measure__code", "measure__measure__title_ka",
              "measure__measure__title_en", "measure__id", "measure__measure__id")
        .order_by("number")
    )


def check_for(app: Application) -> EligibilityCheck | None:
    return (
        EligibilityCheck.objects.filter(application=app)
        .prefetch_related(
            Prefetch("items", queryset=CheckItemResult.objects.select_related("item")),
            Prefetch("fix_requests", queryset=FixRequest.objects.order_by("-requested_at")),
        )
        .first()
    )
