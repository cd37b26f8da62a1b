"""Reads for the received list and the eligibility check pages (fixed query counts)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sopeli.core.privacy import PUBLIC_RECEIVED_APPLICATION_FIELDS
from sopeli.grants.models import Application, Call, CheckItemResult, EligibilityCheck, FixRequest
from sopeli.grants.workflow import PUBLIC_CALL_STATUSES, ApplicationStatus


def _received(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications that were received (numbered at submission; drafts never)."""
    return qs.filter(number__isnull=False).exclude(status=ApplicationStatus.DRAFT)


def received_list(call: Call):
    """Public rows: number, title, applicant type, village, amount. No names, no contact data (1 query)."""
    return (
        _received(Application.objects.filter(call=call))
        .select_related("settlement", "measure__measure")
        .only("number", "title", "applicant_type", "requested_grant", "submitted_at", "stage", "call_id",
              "settlement__name_ka", "settlement__name_en", "measure__measure__code", "measure__measure__title_ka",
              "measure__measure__title_en", "measure__id", "measure__measure__id")
        .order_by("number")
    )


def position_of_number(rows, number: int) -> int:
    """How many rows of a list ordered by number come before ``number`` (1 query), to open its page."""
    return rows.filter(number__lt=number).count()


def check_for(app: Application) -> EligibilityCheck | None:
    return (
        EligibilityCheck.objects.filter(application=app)
        .prefetch_related(
            Prefetch("items", queryset=CheckItemResult.objects.select_related("item")),
            Prefetch("fix_requests", queryset=FixRequest.objects.order_by("-requested_at")),
        )
        .first()
    )


def published_received() -> QuerySet[Application]:
    """Received applications of every call whose received list is published, with the public columns
    only (``core.privacy``), by call and number (1 query). For the open-data API."""
    return (
        _received(Application.objects.filter(call__received_list_published_at__isnull=False,
                                             call__status__in=PUBLIC_CALL_STATUSES))
        .select_related("call", "lag", "settlement", "measure__measure")
        .only(*PUBLIC_RECEIVED_APPLICATION_FIELDS)
        .order_by("call_id", "number")
    )
