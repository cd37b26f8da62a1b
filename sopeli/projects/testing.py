"""Helpers for projects and monitoring tests (and the demo): funded applications and contracts at
each stage, built through the services.

Funded applications are made directly with the grants models (status ``funded`` and the grant the
LAG fixed), since the grants selection flow belongs to another module; everything after that goes
through ``sopeli.projects.services``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sopeli.grants.models import BudgetLine
from sopeli.grants.testing import ApplicationFactory, CallFactory
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects import services
from sopeli.projects.models import Condition, Contract, ReportKind
from sopeli.strategy.models import Indicator, IndicatorKind, Objective

D = Decimal
PDF = b"%PDF-1.4 receipt"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def pdf(name="receipt.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def indicators_for(call) -> dict[str, Indicator]:
    """The call's measure gets an output indicator and an objective with a jobs (FTE) result indicator."""
    cm = call.call_measures.select_related("measure").first()
    measure = cm.measure
    version = measure.version
    found = {i.code: i for i in Indicator.objects.filter(version=version)}
    if "R1.1" not in found:
        objective = Objective.objects.create(version=version, code=f"O{Objective.objects.filter(version=version).count() + 1}",
                                             title_ka="სამუშაო ადგილები", title_en="Jobs")
        measure.objectives.add(objective)
        found["R1.1"] = Indicator.objects.create(
            version=version, code="R1.1", kind=IndicatorKind.RESULT, objective=objective, name_ka="ახალი სამუშაო ადგილები",
            name_en="New jobs", unit_ka="სრული განაკვეთი", unit_en="full-time equivalents", baseline_value=D(0),
            target_value=D(40), aggregation="sum")
    code = f"P-{measure.code}"
    if code not in found:
        found[code] = Indicator.objects.create(
            version=version, code=code, kind=IndicatorKind.OUTPUT, measure=measure, name_ka="გაუმჯობესებული სასტუმროები",
            name_en="Guesthouses improved", unit_ka="სასტუმრო", unit_en="guesthouses", baseline_value=D(0), target_value=D(20))
    found["output"] = found[code]
    return found


S3_TOTAL, S3_REQUESTED, S3_AWARDED = D("50000.00"), D("42000.00"), D("40000.00")
S3_TRANCHES = (D(40), D(50), D(10))


def funded_application(lag, *, call=None, user=None, total=S3_TOTAL, requested=S3_REQUESTED, awarded=S3_AWARDED,
                       applicant_type="business", **kwargs):
    """S3's application by default: 50,000 budget, 42,000 asked, 40,000 fixed by the LAG."""
    call = call or CallFactory(lag=lag, status="results_published", published_at=timezone.now() - datetime.timedelta(days=60))
    number = call.applications.count() + 1
    fields = {"applicant": user} if user is not None else {}
    app = ApplicationFactory(
        call=call, lag=lag, total_budget=total, requested_grant=requested, own_contribution=total - requested,
        status=ApplicationStatus.FUNDED, number=number, submitted_at=timezone.now() - datetime.timedelta(days=40),
        decided_at=timezone.now() - datetime.timedelta(days=10), awarded_grant=awarded, applicant_type=applicant_type,
        **fields, **kwargs)
    furniture = min(D("10000.00"), (total / 5).quantize(D("0.01")))
    BudgetLine.objects.create(application=app, description="ოთახების რემონტი / Room repairs", amount=total - furniture, order=0)
    BudgetLine.objects.create(application=app, description="ავეჯი / Furniture", amount=furniture, order=1)
    return app


def signed_contract(lag, *, actor=None, app=None, percentages=S3_TRANCHES, **kwargs) -> Contract:
    app = app or funded_application(lag, **kwargs)
    today = timezone.localdate()
    contract = services.contract_generate(actor=actor, application=app, starts_on=today - datetime.timedelta(days=60),
                                          ends_on=today + datetime.timedelta(days=120), percentages=percentages)
    services.contract_eligibility_check(actor=actor, contract=contract, eligible=True)
    return services.contract_sign(actor=actor, contract=contract, grantee_on=today, lag_on=today, scan=pdf("signed.pdf"))


def pay(contract, number, amount, *, actor=None, on=None):
    tranche = contract.tranches.get(number=number)
    return services.payment_record(actor=actor, tranche=tranche, paid_on=on or timezone.localdate(), amount=amount,
                                   reference=f"TR-{contract.pk}-{number}-{amount}")


def claim(contract, amounts, *, actor=None, eligible=None):
    """Submit a claim with one line per amount; verify it with ``eligible`` amounts when given."""
    lines = [{"description": f"Expense {i}", "amount": a, "receipt": pdf(f"r{i}.pdf")} for i, a in enumerate(amounts)]
    c = services.claim_submit(actor=actor or contract.grantee, contract=contract, lines=lines)
    if eligible is not None:
        ids = list(c.lines.order_by("id").values_list("pk", flat=True))
        services.claim_verify(actor=actor, claim=c, eligible=dict(zip(ids, eligible, strict=True)),
                              notes={pk: "not eligible in part" for pk in ids})
    return c


def report(contract, kind, *, actor=None, values=None, jobs=None, approve=True):
    r = contract.reports.get(kind=kind)
    services.report_save(actor=actor or contract.grantee, report=r, narrative="რა გაკეთდა / What was done",
                         values=values or [], jobs=jobs or [], submit=True)
    if approve:
        services.report_review(actor=actor, report=r, approve=True)
    r.refresh_from_db()
    return r


def visit(contract, *, actor=None):
    return services.site_visit_record(actor=actor, contract=contract, visited_on=timezone.localdate(),
                                      checklist=[{"item": i, "ok": True} for i in services.VISIT_CHECKLIST], notes="OK")


__all__ = ["Condition", "ReportKind"]
