"""The one place that decides which facts about a person may be public.

Georgia's Law on Personal Data Protection (2023) and the LEADER transparency duty meet here:
a member's name, kind, type, sector, interest group and village are public (the composition
rules are checked on them, and residents must see who decides); ID numbers, phones, addresses,
e-mail addresses, the motivation letter, gender and the login behind a membership are not.
An application's or a vote's draft, an unsubmitted score and an unpublished post never are.

Public pages, feeds, the open-data API and the ledger serialise people only through
``public_member`` / ``public_member_queryset``; facts appended to the ledger pass through
``scrub`` so a private key cannot slip into the hash chain by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Model fields of ``membership.Member`` a public page or export may load (``QuerySet.only``).
PUBLIC_MEMBER_FIELDS: tuple[str, ...] = (
    "id", "lag", "kind", "name", "organisation_type", "sector", "status", "interest_group", "village",
    "interest_group__id", "interest_group__lag", "interest_group__code", "interest_group__name",
    "interest_group__name_ka", "interest_group__name_en",
    "village__id", "village__lag", "village__name", "village__name_ka", "village__name_en",
)

# Fields that are never public. The privacy test seeds a secret marker into each of them.
PRIVATE_MEMBER_FIELDS: tuple[str, ...] = ("id_number", "phone", "address", "email", "motivation")
PRIVATE_USER_FIELDS: tuple[str, ...] = ("phone", "email")

# Keys that are dropped, at any depth, from a fact before it enters the public ledger.
PRIVATE_KEYS: frozenset[str] = frozenset({
    "id_number", "phone", "address", "email", "motivation", "password", "token", "ip",
})

# Member statuses whose names are public in lists: applicants and rejected applicants are not.
PUBLIC_MEMBER_STATUSES: tuple[str, ...] = ("active",)


def scrub(value: Any) -> Any:
    """A copy of ``value`` (JSON-like) without any key in ``PRIVATE_KEYS``, at any depth."""
    if isinstance(value, Mapping):
        return {k: scrub(v) for k, v in value.items() if str(k).lower() not in PRIVATE_KEYS}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def public_member_queryset(qs):
    """Restrict a ``Member`` queryset to the public fields (the private columns are not even read)."""
    return qs.select_related("interest_group", "village").only(*PUBLIC_MEMBER_FIELDS)


def public_member(member) -> dict[str, Any]:
    """A member as the public may see them (needs ``interest_group`` and ``village`` loaded)."""
    group = member.interest_group
    village = member.village
    return {
        "id": member.pk,
        "name": member.name,
        "kind": member.kind,
        "organisation_type": member.organisation_type,
        "sector": member.sector,
        "interest_group": {"id": group.pk, "code": group.code, "name": group.name} if group else None,
        "village": {"id": village.pk, "name": village.name} if village else None,
    }


def public_member_ref(member) -> dict[str, Any]:
    """The short public reference to a member used in decisions and the ledger: id, name, sector."""
    return {"id": member.pk, "name": member.name, "sector": member.sector}


def public_decision(item) -> dict[str, Any]:
    """A decided agenda item as a public fact: result, tally, each member's vote (roll calls),
    recusals with their reasons, and the figures of the checks. Members by ``public_member_ref``.

    For ``audit_record(..., public=True, data={"decision": public_decision(item)})`` and the API.
    Load ``votes__member`` and ``conflicts__member`` first to keep it at a fixed number of queries.
    """
    outcome = item.outcome or {}
    tally = outcome.get("tally") or {}
    roll_call = item.voting_method == "roll_call"
    return {
        "id": item.pk,
        "code": item.code,
        "title_ka": item.title_ka or "",
        "title_en": item.title_en or "",
        "body": item.body_id,
        "result": item.status,
        "tally": {"for": tally.get("for", 0), "against": tally.get("against", 0), "abstain": tally.get("abstain", 0)},
        "votes": [{"member": public_member_ref(v.member), "choice": v.choice} for v in item.votes.all()] if roll_call else [],
        "recusals": [{"member": public_member_ref(c.member), "kind": getattr(c, "kind", "conflict"), "reason": c.reason}
                     for c in item.conflicts.all()],
        "checks": {key: outcome.get(key) for key in ("seats", "participants", "composition", "for_composition",
                                                     "problems", "remedies")},
    }


# --- grant recipients in open data (360Giving, IATI) ---------------------------------------------
# A funded application's recipient, once the call's results are published. What is public: the
# applicant's name as typed on the application (the form says it is shown on the results page if
# funded), whether it is a person or an organisation, the village of the project (its public point,
# never a home address) and the money. Never: the applicant's account, ID number, phone, address,
# e-mail, date of birth or gender. A natural person's name is published because who receives
# public money is what LEADER transparency is for (Georgia's Law on Personal Data Protection allows
# processing needed for a legitimate public interest of which the person was told; the EU's rule
# for LEADER/CAP beneficiaries, which Georgia's programmes follow, publishes it too). A network that
# decides otherwise sets ``SOPELI_PUBLISH_INDIVIDUAL_NAMES = False`` and every export then carries
# the generic name below instead.
NATURAL_PERSON_APPLICANT_TYPES: frozenset[str] = frozenset({"person"})
INDIVIDUAL_RECIPIENT_GENERIC_NAME = "Individual recipient"


def publish_individual_names() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "SOPELI_PUBLISH_INDIVIDUAL_NAMES", True))


def public_grant_recipient(*, applicant_type: str, applicant_name: str) -> dict[str, Any]:
    """The public face of a grant recipient: ``{"individual": bool, "name": str}`` and nothing else."""
    individual = applicant_type in NATURAL_PERSON_APPLICANT_TYPES
    name = (applicant_name or "").strip()
    if individual and not publish_individual_names():
        name = INDIVIDUAL_RECIPIENT_GENERIC_NAME
    return {"individual": individual, "name": name or INDIVIDUAL_RECIPIENT_GENERIC_NAME}


# --- applications, results, projects and payments in the open-data API ---------------------------
# What the public may know of an application, and from when (the API, feeds and pages agree):
# - once the call's list of received applications is published: its reference, title, stage, measure,
#   applicant *type*, the project's village and the amount requested (never who applied);
# - once the call's results are published: for funded applications also the recipient (through
#   ``public_grant_recipient``), the score, rank and the grant fixed; for the reserve list rank, score
#   and amount; the rest only as counts;
# - for funded projects, the contract's status, dates and the payments' dates and amounts.
# Never: the applicant's account, ID number, phone, address, e-mail, the form's answers, partners,
# budget lines, the aid check's workings, a withdrawal reason, an eligibility reason, evaluators'
# comments and justifications (submitted or not), contract texts and notes, bank references.
PRIVATE_APPLICATION_FIELDS: tuple[str, ...] = (
    "applicant", "partners", "aid_check", "withdrawal_reason", "assisted_by", "step",
)
PRIVATE_PAYMENT_FIELDS: tuple[str, ...] = ("reference", "recorded_by")

# Columns of ``grants.Application`` a public list loads (``QuerySet.only``) for the received list.
PUBLIC_RECEIVED_APPLICATION_FIELDS: tuple[str, ...] = (
    "id", "lag", "call", "measure", "number", "title", "stage", "applicant_type", "settlement",
    "requested_grant", "call__id", "call__code", "lag__id", "lag__slug",
    "measure__id", "measure__measure__id", "measure__measure__code",
    "settlement__id", "settlement__name", "settlement__name_ka", "settlement__name_en",
)


def public_village(settlement) -> dict[str, Any] | None:
    return {"id": settlement.pk, "name": settlement.name} if settlement is not None else None


def public_received_application(app) -> dict[str, Any]:
    """An application on a published received list: no name, no contact, no status (needs the
    joins of ``PUBLIC_RECEIVED_APPLICATION_FIELDS``)."""
    return {
        "id": app.pk,
        "reference": f"{app.call.code}-{app.number:03d}",
        "number": app.number,
        "title": app.title,
        "stage": app.stage,
        "applicant_type": app.applicant_type,
        "measure": app.measure.measure.code,
        "village": public_village(app.settlement),
        "requested_grant": app.requested_grant,
    }


def public_payment(payment) -> dict[str, Any]:
    """A payment on a public project: when, how much, which tranche; never the bank reference."""
    return {
        "id": payment.pk,
        "paid_on": payment.paid_on,
        "amount": payment.amount,
        "tranche": payment.tranche.number if payment.tranche_id else None,
    }
