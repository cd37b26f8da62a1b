"""The published awarded grants both open-data formats read, in a fixed number of queries.

A grant is public once the board funded it (``Application.status == funded`` with the amount the LAG
fixed) and the call's results are published (``Call.status == results_published``); a reserve
project funded later appears as soon as it is activated. Drafts, applications under evaluation,
reserve, rejected and withdrawn applications never appear.

``GrantSource(lags)`` loads the small tables a grant refers to once (LAGs, calls, call measures with
their measures, villages: one query each), then ``rows()`` / ``payments()`` / ``recoveries()``
stream the grants and money movements with ``iterator(chunk_size=…)`` (server-side cursor on
PostgreSQL), the contract joined in SQL. Nothing holds more than a chunk of rows; no query runs per
row, so the cost is the same for one grant or 100,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q

from sopeli.core.models import Lag, Settlement
from sopeli.grants.models import Application, Call, CallMeasure
from sopeli.grants.workflow import ApplicationStatus, CallStatus

CHUNK_SIZE = 2000

GRANT_FIELDS = (
    "id", "lag_id", "call_id", "measure_id", "number", "applicant_id", "applicant_type", "applicant_name",
    "settlement_id", "title", "summary", "duration_months", "requested_grant", "awarded_grant", "decided_at",
    "updated_at", "contract__status", "contract__starts_on", "contract__ends_on", "contract__paid_total",
    "contract__recovered_total",
)

# What a payment or recovery row carries of its grant (to build the grant's id and recipient).
MONEY_GRANT_FIELDS = ("id", "lag_id", "call_id", "number", "applicant_id", "applicant_type", "applicant_name")


def published_q(prefix: str = "") -> Q:
    """The filter for a public awarded grant (``prefix`` to reach the application from another model)."""
    return Q(**{
        f"{prefix}status": ApplicationStatus.FUNDED,
        f"{prefix}awarded_grant__isnull": False,
        f"{prefix}number__isnull": False,
        f"{prefix}call__status": CallStatus.RESULTS_PUBLISHED,
    })


class GrantSource:
    """Published grants of ``lags`` (one LAG's list, or every LAG for the network)."""

    def __init__(self, lags: Iterable[Lag], *, chunk_size: int = CHUNK_SIZE):
        self.lags = {lag.pk: lag for lag in lags}
        self.chunk_size = chunk_size
        ids = list(self.lags)
        self.calls = {c.pk: c for c in Call.objects.filter(lag_id__in=ids, status=CallStatus.RESULTS_PUBLISHED)}
        self.call_measures = {
            cm.pk: cm for cm in CallMeasure.objects.filter(call__lag_id__in=ids, call__status=CallStatus.RESULTS_PUBLISHED)
            .select_related("measure")
        }
        self.settlements = {s.pk: s for s in Settlement.objects.filter(lag_id__in=ids)}

    def _scope(self, prefix: str = "") -> Q:
        return published_q(prefix) & Q(**{f"{prefix}lag_id__in": list(self.lags)})

    def rows(self) -> Iterator:
        """Named rows with ``GRANT_FIELDS`` (``contract__*`` are None without a contract)."""
        qs = (Application.objects.filter(self._scope()).order_by("lag_id", "call_id", "number", "id")
              .values_list(*GRANT_FIELDS, named=True))
        return qs.iterator(chunk_size=self.chunk_size)

    def _money(self, model, date_field: str, **extra) -> Iterator:
        a = "contract__application__"
        qs = (model.objects.filter(self._scope(a), **extra)
              .order_by(f"{a}lag_id", f"{a}call_id", f"{a}number", date_field, "id")
              .values_list("id", date_field, "amount", *(a + f for f in MONEY_GRANT_FIELDS), named=True))
        return qs.iterator(chunk_size=self.chunk_size)

    def payments(self) -> Iterator:
        """Every payment on a published grant: ``id, paid_on, amount`` and the grant's key fields."""
        from sopeli.projects.models import Payment

        return self._money(Payment, "paid_on")

    def recoveries(self) -> Iterator:
        """Money paid back (received recoveries): ``id, received_on, amount`` and the grant's key fields."""
        from sopeli.projects.models import Recovery

        return self._money(Recovery, "received_on", received_on__isnull=False)
