"""Awarded grants as 360Giving Data Standard 1.4.3: a JSON package and the flat CSV.

Each published grant (see ``grants.GrantSource``) becomes one record:

- ``id``, ``title``, ``description`` (the project summary, else its title), ``currency`` (the LAG's,
  GEL), ``amountAppliedFor`` (the requested grant), ``amountAwarded`` (the grant the LAG fixed),
  ``awardDate`` (the decision date, in Tbilisi), ``fromOpenCall`` ``Yes`` (LEADER calls are open);
- the recipient through ``sopeli.core.privacy.public_grant_recipient``: ``recipientOrganization``
  (id, name) for an organisation, ``recipientIndividual`` (id, name) for a natural person.
  **Privacy decision**: a natural person's name is published, as on the call's public results page
  and as the application form announces ("shown on the results page if the project is funded"):
  knowing who receives public money is what the transparency duty is for, and Georgia's Law on
  Personal Data Protection allows it as processing for a legitimate public interest the person was
  told of. Nothing else about a person is exported — no ID number, phone, address, e-mail, account,
  gender or birth date, not even read from the database; the location is the village's public
  point, and the identifier is per grant so a person is not tracked across grants. Setting
  ``SOPELI_PUBLISH_INDIVIDUAL_NAMES = False`` replaces the name with "Individual recipient";
- ``beneficiaryLocation``: the project's village with its latitude/longitude and ``countryCode``
  GE (country only when no village is recorded);
- ``fundingOrganization``: the LAG; ``grantProgramme``: the call and measure (code, title, URL of
  the call's public results);
- ``plannedDates`` from the contract (start, end) when there is one, else the planned duration;
- ``amountDisbursed``: paid minus recovered, when a contract exists;
- ``dateModified``, ``dataSource`` (the file's own address), ``url`` (the call's results page).

Identifiers: see the package docstring (``sopeli.portal.standards``). Money is written as JSON
numbers (two-place decimals through ``float``'s shortest round-trip repr, so 40000.1 is exactly
40,000.10).

Both writers are generators (for ``StreamingHttpResponse``): the JSON package is written as text
piece by piece around the ``grants`` array, the CSV line by line. An empty list gives
``{"grants": []}``, which the package schema (``minItems: 1``) does not accept: there is no valid way
to publish "no grants yet", and an honest empty file is better than an error.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sopeli.core.privacy import public_grant_recipient

DEFAULT_PREFIX = "360G-sopeli"  # placeholder: set SOPELI_360GIVING_PREFIX to the prefix 360Giving registers
SCHEMA_VERSION = "1.4"
COUNTRY = "GE"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

ZERO = Decimal("0.00")
_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


# --- identifiers ---------------------------------------------------------------------------------


def prefix() -> str:
    return (getattr(settings, "SOPELI_360GIVING_PREFIX", "") or DEFAULT_PREFIX).strip().rstrip("-")


def safe(part: str) -> str:
    """An internal identifier made safe for a 360Giving id: anything but letters, digits, ``.-_`` → ``_``."""
    return _UNSAFE.sub("_", str(part)).strip("_") or "_"


def lag_org_id(lag) -> str:
    registered = (getattr(settings, "SOPELI_LAG_ORG_IDS", None) or {}).get(lag.slug)
    return registered or f"{prefix()}-lag-{safe(lag.slug)}"


def grant_id(lag, call, number: int) -> str:
    return f"{prefix()}-{safe(lag.slug)}-{safe(call.code)}-{number:03d}"


def recipient_org_id(applicant_id: int, name: str) -> str:
    digest = hashlib.sha256(f"{applicant_id}\x1f{' '.join(name.split()).casefold()}".encode()).hexdigest()[:12]
    return f"{prefix()}-recipient-{digest}"


def individual_id(grant: str) -> str:
    return f"{grant}-individual"


def programme_code(lag, call, measure) -> str:
    return f"{prefix()}-{safe(lag.slug)}-{safe(call.code)}-{safe(measure.code)}"


def recipient(*, grant: str, applicant_id: int, applicant_type: str, applicant_name: str) -> dict[str, Any]:
    """``{"individual": bool, "id": str, "name": str}`` — what the public may know of a recipient."""
    public = public_grant_recipient(applicant_type=applicant_type, applicant_name=applicant_name)
    rid = individual_id(grant) if public["individual"] else recipient_org_id(applicant_id, public["name"])
    return {"individual": public["individual"], "id": rid, "name": public["name"]}


# --- values --------------------------------------------------------------------------------------


def number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def local_date(value) -> str | None:
    return timezone.localtime(value).date().isoformat() if value else None


def rfc3339(value) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


class Context:
    """What every record of one export shares: the source's tables, addresses, timestamps."""

    def __init__(self, source, *, base_url: str, data_source: str):
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.data_source = data_source
        self._programmes: dict[int, dict[str, Any]] = {}
        self._funders: dict[int, dict[str, Any]] = {}
        self._locations: dict[int, dict[str, Any]] = {}

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def funder(self, lag) -> dict[str, Any]:
        if lag.pk not in self._funders:
            self._funders[lag.pk] = {"id": lag_org_id(lag), "name": lag.name}
        return self._funders[lag.pk]

    def programme(self, lag, call, call_measure) -> dict[str, Any]:
        if call_measure.pk not in self._programmes:
            measure = call_measure.measure
            self._programmes[call_measure.pk] = {
                "code": programme_code(lag, call, measure),
                "title": f"{call.code} {call.title} — {measure.code} {measure.title}",
                "url": self.url(reverse("grants:results", args=[lag.slug, call.pk])),
            }
        return self._programmes[call_measure.pk]

    def location(self, settlement) -> dict[str, Any]:
        if settlement is None:
            return {"id": f"{prefix()}-country-{COUNTRY}", "countryCode": COUNTRY}
        if settlement.pk not in self._locations:
            place: dict[str, Any] = {"id": f"{prefix()}-village-{settlement.pk}", "name": settlement.name,
                                     "countryCode": COUNTRY}
            if settlement.latitude is not None and settlement.longitude is not None:
                place["latitude"] = float(settlement.latitude)
                place["longitude"] = float(settlement.longitude)
            self._locations[settlement.pk] = place
        return self._locations[settlement.pk]


def grant_record(row, ctx: Context) -> dict[str, Any]:
    """One 360Giving grant from a ``GrantSource.rows()`` row."""
    src = ctx.source
    lag, call = src.lags[row.lag_id], src.calls[row.call_id]
    gid = grant_id(lag, call, row.number)
    who = recipient(grant=gid, applicant_id=row.applicant_id, applicant_type=row.applicant_type,
                    applicant_name=row.applicant_name)
    record: dict[str, Any] = {
        "id": gid,
        "title": row.title,
        "description": (row.summary or "").strip() or row.title,
        "currency": lag.currency or "GEL",
        "amountAppliedFor": number(row.requested_grant),
        "amountAwarded": number(row.awarded_grant),
        "awardDate": local_date(row.decided_at or call.results_published_at or call.updated_at),
    }
    contract = row.contract__status not in (None, "cancelled")
    if contract:
        # Decimal zeros: a signed contract with nothing paid yet gives 0 - 0, which must stay a Decimal.
        record["amountDisbursed"] = number((row.contract__paid_total or ZERO) - (row.contract__recovered_total or ZERO))
        event: dict[str, Any] = {"startDate": row.contract__starts_on.isoformat(), "endDate": row.contract__ends_on.isoformat()}
        if row.duration_months:
            event["duration"] = row.duration_months
        record["plannedDates"] = [event]
    elif row.duration_months:
        record["plannedDates"] = [{"duration": row.duration_months}]
    if who["individual"]:
        record["recipientIndividual"] = {"id": who["id"], "name": who["name"]}
    else:
        record["recipientOrganization"] = [{"id": who["id"], "name": who["name"]}]
    record["beneficiaryLocation"] = [ctx.location(src.settlements.get(row.settlement_id))]
    record["fundingOrganization"] = [ctx.funder(lag)]
    record["grantProgramme"] = [ctx.programme(lag, call, src.call_measures[row.measure_id])]
    record["fromOpenCall"] = "Yes"
    record["url"] = ctx.programme(lag, call, src.call_measures[row.measure_id])["url"]
    record["dateModified"] = rfc3339(row.updated_at)
    record["dataSource"] = ctx.data_source
    return record


def records(ctx: Context) -> Iterator[dict[str, Any]]:
    for row in ctx.source.rows():
        yield grant_record(row, ctx)


# --- the JSON package ----------------------------------------------------------------------------


def package_meta(*, title: str, publisher: dict[str, Any], download_url: str, access_url: str) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    return {
        "version": SCHEMA_VERSION,
        "title": title,
        "issued": now.date().isoformat(),
        "modified": rfc3339(now),
        "publisher": publisher,
        "license": LICENSE,
        "downloadURL": download_url,
        "accessURL": access_url,
    }


def json_package(meta: dict[str, Any], grants: Iterable[dict[str, Any]], *, batch: int = 200) -> Iterator[bytes]:
    """The package as UTF-8 pieces: the metadata, then the grants array one record at a time."""
    head = json.dumps(meta, ensure_ascii=False)[:-1]  # without the closing brace
    yield (head + ', "grants": [').encode()
    buf: list[str] = []
    first = True
    for grant in grants:
        buf.append(("" if first else ",\n") + json.dumps(grant, ensure_ascii=False, separators=(",", ":")))
        first = False
        if len(buf) >= batch:
            yield "".join(buf).encode()
            buf = []
    buf.append("]}\n")
    yield "".join(buf).encode()


# --- the flat CSV --------------------------------------------------------------------------------

# (column title as the standard names it, path in the record). Titles are the schema's own titles
# joined by ":" (the 360Giving flat format); the tests check each against the schema.
CSV_COLUMNS: tuple[tuple[str, tuple], ...] = (
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Applied For", ("amountAppliedFor",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Amount Disbursed", ("amountDisbursed",)),
    ("Award Date", ("awardDate",)),
    ("Planned Dates:Start Date", ("plannedDates", 0, "startDate")),
    ("Planned Dates:End Date", ("plannedDates", 0, "endDate")),
    ("Planned Dates:Duration (months)", ("plannedDates", 0, "duration")),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Recipient Ind:Identifier", ("recipientIndividual", "id")),
    ("Recipient Ind:Name", ("recipientIndividual", "name")),
    ("Beneficiary Location:Identifier", ("beneficiaryLocation", 0, "id")),
    ("Beneficiary Location:Name", ("beneficiaryLocation", 0, "name")),
    ("Beneficiary Location:Country Code", ("beneficiaryLocation", 0, "countryCode")),
    ("Beneficiary Location:Latitude", ("beneficiaryLocation", 0, "latitude")),
    ("Beneficiary Location:Longitude", ("beneficiaryLocation", 0, "longitude")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Grant Programme:URL", ("grantProgramme", 0, "url")),
    ("From An Open Call?", ("fromOpenCall",)),
    ("URL", ("url",)),
    ("Last Modified", ("dateModified",)),
    ("Data Source", ("dataSource",)),
)
CSV_HEADERS = tuple(title for title, _path in CSV_COLUMNS)


def _pick(record: dict[str, Any], path: tuple) -> Any:
    value: Any = record
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return ""
    return "" if value is None else value


class _Line:
    """A file-like object whose ``write`` returns the line (csv.writer → generator)."""

    def write(self, value: str) -> str:
        return value


def csv_rows(grants: Iterable[dict[str, Any]], *, batch: int = 200) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    buf = [writer.writerow(CSV_HEADERS)]
    for grant in grants:
        buf.append(writer.writerow([_pick(grant, path) for _title, path in CSV_COLUMNS]))
        if len(buf) >= batch:
            yield "".join(buf).encode()
            buf = []
    yield "".join(buf).encode()
