"""Grants for the open-data tests, built through the grants/projects factories and services.

``build_grants(lag)`` gives: a funded organisation (a guesthouse company) with a signed contract and
its first payment; a funded natural person (a farmer) with no contract; and, all carrying secret
markers that must never be exported: a draft application, a rejected one, a reserve one, a funded one whose call's results are
not published yet, an unsubmitted score sheet, the applicants' accounts (phone, e-mail, name), and
the membership world of ``portal.tests.world`` (members' ID numbers, phones, addresses, e-mails).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from sopeli.core.models import Settlement
from sopeli.grants.models import Assignment, Score, ScoreSheet
from sopeli.grants.testing import ApplicationFactory, CallFactory
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects.testing import funded_application, pay, signed_contract
from sopeli.testing.factories import SettlementFactory, UserFactory

D = Decimal

GRANT_SECRETS = {
    "applicant.phone": "+995 zq2001",
    "applicant.email": "zq2002@example.ge",
    "applicant.full_name": "zq2003 Account Name",
    "person.phone": "+995 zq2004",
    "person.email": "zq2005@example.ge",
    "draft.title": "zq2006 draft project",
    "draft.name": "zq2007 Draft Applicant",
    "rejected.title": "zq2008 rejected project",
    "rejected.name": "zq2009 Rejected Applicant",
    "reserve.title": "zq2010 reserve project",
    "reserve.name": "zq2011 Reserve Applicant",
    "unpublished.title": "zq2012 not yet public",
    "unpublished.name": "zq2013 Unpublished Applicant",
    "score.comment": "zq2014 unsubmitted comment",
    "score.justification": "zq2015 unsubmitted justification",
    "application.partners": "zq2016 partner",
    "application.withdrawal": "zq2017 withdrawal reason",
    "payment.reference": "zq2018",
}


def _user(phone: str, email: str, full_name: str = "Someone"):
    user = UserFactory(email=email, full_name=full_name)
    user.phone = phone
    user.save(update_fields=["phone"])
    return user


def _village(lag, name_ka: str, name_en: str):
    """The village (``portal.tests.world`` may have made it already)."""
    return Settlement.objects.filter(lag=lag, name_en=name_en).first() or SettlementFactory(
        lag=lag, name_ka=name_ka, name_en=name_en)


def build_grants(lag, *, extra_grants: int = 0) -> SimpleNamespace:
    s = GRANT_SECRETS
    sno = _village(lag, "სნო", "Sno")
    sno.latitude, sno.longitude = D("42.60480"), D("44.61520")
    sno.save(update_fields=["latitude", "longitude"])
    juta = _village(lag, "ჯუთა", "Juta")  # no coordinates
    call = CallFactory(lag=lag, status="results_published", published_at=timezone.now() - datetime.timedelta(days=60))
    company = _user(s["applicant.phone"], s["applicant.email"], s["applicant.full_name"])
    org = funded_application(lag, call=call, user=company, applicant_name="Guesthouse Sno LLC", settlement=sno,
                             title="Six rooms for visitors", partners=s["application.partners"])
    contract = signed_contract(lag, app=org)
    payment = pay(contract, 1, contract.tranches.get(number=1).amount)
    payment.reference = s["payment.reference"]
    payment.save(update_fields=["reference"])
    farmer = _user(s["person.phone"], s["person.email"])
    person = funded_application(lag, call=call, user=farmer, applicant_type="person", applicant_name="Giorgi Farmer",
                                settlement=juta, title="Bee-keeping in Juta", total=D("10000.00"),
                                requested=D("8000.00"), awarded=D("8000.00"), duration_months=12)
    for i in range(extra_grants):
        funded_application(lag, call=call, applicant_name=f"Extra {i} LLC", settlement=sno, title=f"Extra {i}",
                           total=D("1000.00"), requested=D("800.00"), awarded=D("800.00"))

    # Not public: a draft, a rejected, a reserve application; a funded one of an unpublished call.
    ApplicationFactory(call=call, lag=lag, title=s["draft.title"], applicant_name=s["draft.name"],
                       withdrawal_reason=s["application.withdrawal"])
    n = call.applications.exclude(number=None).count()
    for offset, (status, key) in enumerate(((ApplicationStatus.REJECTED, "rejected"), (ApplicationStatus.RESERVE, "reserve")), 1):
        ApplicationFactory(call=call, lag=lag, title=s[f"{key}.title"], applicant_name=s[f"{key}.name"], status=status,
                           number=n + offset, submitted_at=timezone.now() - datetime.timedelta(days=40),
                           decided_at=timezone.now() - datetime.timedelta(days=10))
    hidden_call = CallFactory(lag=lag, status="evaluated", published_at=timezone.now() - datetime.timedelta(days=30))
    funded_application(lag, call=hidden_call, applicant_name=s["unpublished.name"], title=s["unpublished.title"])
    # An unsubmitted score sheet on the funded organisation's application.
    assignment = Assignment.objects.create(application=org, evaluator=UserFactory())
    sheet = ScoreSheet.objects.create(assignment=assignment, comment=s["score.comment"], total=D("12.00"))
    Score.objects.create(sheet=sheet, criterion=call.criteria.get(code="C1"), points=D("12.00"),
                         justification=s["score.justification"])
    return SimpleNamespace(lag=lag, call=call, org=org, person=person, contract=contract, payment=payment,
                           sno=sno, juta=juta, hidden_call=hidden_call)
