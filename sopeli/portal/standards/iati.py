"""The LAG programme as IATI 2.03: an ``iati-activities`` file, one ``iati-activity`` per LAG.

Each activity (elements in the order the XSD requires):

- ``iati-identifier`` ``<LAG org id>-LEADER``; ``reporting-org`` the LAG (org type 24, a
  partner-country-based NGO: Georgian LAGs are non-commercial legal entities);
- ``title`` / ``description`` in the language of the address; ``participating-org`` the LAG as
  accountable (2) and extending (3) organisation;
- ``activity-status`` 2 (implementation) once a call was published, else 1 (pipeline);
  ``activity-date`` actual start (2) = first call published, else planned start (1) = the LAG's
  creation date;
- ``recipient-country`` GE 100%; ``sector`` DAC 5-digit 43040 rural development 100%;
  ``default-finance-type`` 110 (standard grant);
- ``budget`` per calendar year (IATI asks for periods of at most a year): the budgets of the calls
  published that year (original, committed);
- ``transaction``: a commitment (2) for each published award (date of the decision, amount fixed),
  a disbursement (3) for each payment recorded in ``projects``, and a negative disbursement for
  money recovered from a grantee. Receivers carry the same identifiers and names as 360Giving
  (``giving360.recipient``, through ``core.privacy``).

Identifiers as in ``sopeli.portal.standards``. The file is produced as a generator: the activity's
head from a few aggregate queries, then the transactions streamed from ``GrantSource``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sopeli.grants.models import Call, CallMeasure
from sopeli.grants.workflow import CallStatus
from sopeli.portal.standards import giving360
from sopeli.portal.standards.grants import GrantSource

IATI_VERSION = "2.03"
LAG_ORG_TYPE = "24"  # partner country based NGO
RURAL_DEVELOPMENT = "43040"
RECEIVER_TYPES = {  # applicant type -> IATI OrganisationType
    "business": "70", "cooperative": "70", "ngo": "24", "municipality": "10", "public_institution": "15",
}
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value) -> str:
    return escape(_BAD_XML.sub("", str(value if value is not None else "")))


def attr(value) -> str:
    return quoteattr(_BAD_XML.sub("", str(value)))


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def narrative(value) -> str:
    return f"<narrative>{text(value)}</narrative>"


def _local(value) -> date:
    return timezone.localtime(value).date()


def activity_head(lag, currency: str) -> str:
    org = giving360.lag_org_id(lag)
    calls = list(Call.objects.filter(lag=lag).exclude(status=CallStatus.DRAFT).values_list("published_at", flat=True))
    published = sorted(_local(p) for p in calls if p)
    budgets: dict[int, Decimal] = defaultdict(Decimal)
    for opens_at, budget in (CallMeasure.objects.filter(call__lag=lag).exclude(call__status=CallStatus.DRAFT)
                             .values_list("call__opens_at", "budget")):
        budgets[_local(opens_at).year] += budget
    lang = (get_language() or "ka")[:2]
    title = _("LEADER local development programme of %(lag)s") % {"lag": lag.name}
    description = (lag.description or "").strip() or _(
        "Small grants for the local development strategy of %(lag)s (%(municipality)s), chosen by the "
        "Local Action Group's open calls.") % {"lag": lag.name, "municipality": lag.municipality}
    parts = [
        f"<iati-activity last-updated-datetime={attr(giving360.rfc3339(timezone.now().replace(microsecond=0)))}"
        f" xml:lang={attr(lang)} default-currency={attr(currency)}>",
        f"<iati-identifier>{text(org)}-LEADER</iati-identifier>",
        f"<reporting-org ref={attr(org)} type=\"{LAG_ORG_TYPE}\">{narrative(lag.name)}</reporting-org>",
        f"<title>{narrative(title)}</title>",
        f"<description type=\"1\">{narrative(description)}</description>",
        f"<participating-org ref={attr(org)} type=\"{LAG_ORG_TYPE}\" role=\"2\">{narrative(lag.name)}</participating-org>",
        f"<participating-org ref={attr(org)} type=\"{LAG_ORG_TYPE}\" role=\"3\">{narrative(lag.name)}</participating-org>",
        f"<activity-status code=\"{2 if published else 1}\"/>",
        (f"<activity-date type=\"2\" iso-date=\"{published[0].isoformat()}\"/>" if published
         else f"<activity-date type=\"1\" iso-date=\"{_local(lag.created_at).isoformat()}\"/>"),
        f"<recipient-country code=\"{giving360.COUNTRY}\" percentage=\"100\"/>",
        f"<sector vocabulary=\"1\" code=\"{RURAL_DEVELOPMENT}\" percentage=\"100\">{narrative(_('Rural development'))}</sector>",
        "<default-finance-type code=\"110\"/>",
    ]
    for year in sorted(budgets):
        start = date(year, 1, 1).isoformat()
        parts.append(
            f"<budget type=\"1\" status=\"2\"><period-start iso-date=\"{start}\"/>"
            f"<period-end iso-date=\"{date(year, 12, 31).isoformat()}\"/>"
            f"<value currency={attr(currency)} value-date=\"{start}\">{amount(budgets[year])}</value></budget>"
        )
    return "".join(parts)


def transaction(*, ref: str, kind: str, on: date, value: Decimal, currency: str, description: str,
                provider: tuple[str, str], receiver: dict, receiver_type: str | None) -> str:
    rtype = f" type=\"{receiver_type}\"" if receiver_type else ""
    return (
        f"<transaction ref={attr(ref)}><transaction-type code=\"{kind}\"/>"
        f"<transaction-date iso-date=\"{on.isoformat()}\"/>"
        f"<value currency={attr(currency)} value-date=\"{on.isoformat()}\">{amount(value)}</value>"
        f"<description>{narrative(description)}</description>"
        f"<provider-org ref={attr(provider[0])}>{narrative(provider[1])}</provider-org>"
        f"<receiver-org ref={attr(receiver['id'])}{rtype}>{narrative(receiver['name'])}</receiver-org>"
        "</transaction>"
    )


def _who(source: GrantSource, row, prefix: str = ""):
    get = lambda name: getattr(row, prefix + name)  # noqa: E731
    lag, call = source.lags[get("lag_id")], source.calls[get("call_id")]
    gid = giving360.grant_id(lag, call, get("number"))
    who = giving360.recipient(grant=gid, applicant_id=get("applicant_id"), applicant_type=get("applicant_type"),
                              applicant_name=get("applicant_name"))
    return gid, who, (None if who["individual"] else RECEIVER_TYPES.get(get("applicant_type")))


def activity(lag, *, chunk_size: int | None = None) -> Iterator[str]:
    currency = lag.currency or "GEL"
    source = GrantSource([lag], **({"chunk_size": chunk_size} if chunk_size else {}))
    provider = (giving360.lag_org_id(lag), lag.name)
    yield activity_head(lag, currency)
    buf: list[str] = []
    for row in source.rows():
        gid, who, rtype = _who(source, row)
        call = source.calls[row.call_id]
        on = _local(row.decided_at or call.results_published_at or call.updated_at)
        buf.append(transaction(ref=gid, kind="2", on=on, value=row.awarded_grant, currency=currency,
                               description=row.title, provider=provider, receiver=who, receiver_type=rtype))
        if len(buf) >= 200:
            yield "".join(buf)
            buf = []
    for kind, rows, sign, label in (("payment", source.payments(), 1, _("Payment of the grant")),
                                    ("recovery", source.recoveries(), -1, _("Recovered from the grantee"))):
        for row in rows:
            gid, who, rtype = _who(source, row, "contract__application__")
            on = row.paid_on if kind == "payment" else row.received_on
            buf.append(transaction(ref=f"{gid}-{kind}-{row.id}", kind="3", on=on, value=sign * row.amount,
                                   currency=currency, description=label, provider=provider, receiver=who,
                                   receiver_type=rtype))
            if len(buf) >= 200:
                yield "".join(buf)
                buf = []
    buf.append("</iati-activity>")
    yield "".join(buf)


def activities(lags: Iterable, **kwargs) -> Iterator[bytes]:
    """The whole ``iati-activities`` document as UTF-8 pieces."""
    now = giving360.rfc3339(timezone.now().replace(microsecond=0))
    yield (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           f"<iati-activities version=\"{IATI_VERSION}\" generated-datetime=\"{now}\">").encode()
    for lag in lags:
        for piece in activity(lag, **kwargs):
            yield piece.encode()
    yield b"</iati-activities>\n"
