"""Property tests through the services and the database: the settlement never pays more than the
grant or the aid rate allows, running totals always equal the rows, and the commitments ledger
always balances. Plus the database's own check constraints."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopeli.grants.testing import CallFactory
from sopeli.projects import rules, services
from sopeli.projects.models import Contract, Payment, Recovery, ReportKind
from sopeli.projects.selectors import commitments
from sopeli.projects.testing import claim, funded_application, pay, report, signed_contract, visit

pytestmark = pytest.mark.django_db
D = Decimal
CENTS = st.integers(min_value=100_00, max_value=60_000_00).map(lambda c: D(c) / 100)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def call(lag):
    return CallFactory(lag=lag)


def assert_consistent(lag):
    for c in Contract.objects.filter(lag=lag):
        paid = Payment.objects.filter(contract=c).aggregate(s=Sum("amount"))["s"] or D(0)
        back = Recovery.objects.filter(contract=c, received_on__isnull=False).aggregate(s=Sum("amount"))["s"] or D(0)
        assert c.paid_total == paid and c.recovered_total == back
        assert c.paid_total - c.recovered_total <= c.grant
        if c.entitlement is not None:
            assert c.entitlement <= c.grant
            assert c.entitlement <= rules.floor2(c.aid_rate * c.verified_cost)
            assert c.paid_total - c.recovered_total + c.final_payment_due - c.recovery_due == c.entitlement
    ledger = commitments(lag)
    for row in ledger.rows + [ledger.total]:
        assert row.balances
        assert row.still_to_pay >= 0 and row.to_recover >= 0
        assert row.net_paid <= row.contracted
        assert row.allocated == row.remaining + row.committed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(total=CENTS, share=st.integers(min_value=10, max_value=100), cost_share=st.integers(min_value=0, max_value=100),
       pay_interim=st.booleans())
def test_settlement_never_pays_more_than_grant_or_rate(lag, call, total, share, cost_share, pay_interim):
    grant = rules.floor2(total * share / 100)
    if grant == 0:
        return
    app = funded_application(lag, call=call, total=total, requested=grant, awarded=grant)
    contract = signed_contract(lag, app=app)
    advance = contract.tranches.get(number=1)
    pay(contract, 1, advance.amount)
    if pay_interim:
        report(contract, ReportKind.INTERIM)
        pay(contract, 2, contract.tranches.get(number=2).amount)
    else:
        report(contract, ReportKind.INTERIM)
    cost = rules.floor2(total * cost_share / 100)
    if cost > 0:
        claim(contract, [cost], eligible=[cost])
    report(contract, ReportKind.FINAL)
    visit(contract)
    contract = services.contract_settle(actor=None, contract=contract)
    expected = rules.settle(approved_grant=grant, aid_rate=contract.aid_rate, verified_cost=cost,
                            paid_so_far=contract.net_paid)
    assert contract.entitlement == expected.entitlement
    assert contract.entitlement <= grant
    assert contract.entitlement <= rules.floor2(contract.aid_rate * cost)
    if contract.final_payment_due:
        pay(contract, 3, contract.final_payment_due)
    for r in contract.recoveries.all():
        services.recovery_receive(actor=None, recovery=r, received_on=r.requested_on, reference="R")
    contract.refresh_from_db()
    assert contract.net_paid == contract.entitlement
    assert_consistent(lag)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["pay", "interim", "settle", "amend"]),
                              st.integers(min_value=1, max_value=100)), min_size=1, max_size=10))
def test_commitments_ledger_always_balances(lag, call, ops):
    """Random payments, partial payments, reports, settlements and amendments on three contracts
    (one left unsigned): after every step the running totals equal the rows and the ledger balances."""
    from django.core.exceptions import ValidationError

    contracts = [signed_contract(lag, app=funded_application(lag, call=call)) for _i in range(2)]
    funded_application(lag, call=call)  # selected, no contract yet
    contracts.append(None)
    for index, op, percent in ops:
        c = contracts[index]
        if c is None:
            continue
        c.refresh_from_db()
        try:
            if op == "pay":
                for t in c.tranches.order_by("number"):
                    amount = rules.floor2(services.payable(c, t) * percent / 100)
                    if amount > 0:
                        pay(c, t.number, amount)
                        break
            elif op == "interim":
                if c.reports.get(kind="interim").status == "due":
                    report(c, ReportKind.INTERIM)
            elif op == "settle" and c.status == "signed":
                if c.reports.get(kind="final").status == "due":
                    cost = rules.floor2(c.total_budget * percent / 100)
                    claim(c, [cost], eligible=[cost])
                    report(c, ReportKind.FINAL)
                    visit(c)
                services.contract_settle(actor=None, contract=c)
            elif op == "amend":
                services.contract_amend(actor=None, contract=c, reason="test", grant=rules.floor2(c.grant * percent / 100) or "0.01")
        except ValidationError:
            pass  # refused moves change nothing
        assert_consistent(lag)


def test_database_refuses_inconsistent_money(lag):
    contract = signed_contract(lag)
    for values in ({"paid_total": D("40000.01")}, {"recovered_total": D("1.00")}, {"grant": D("40000.01")},
                   {"grant": D("-1")}, {"aid_rate": D("1.5")}, {"entitlement": D("40000.01")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Contract.objects.filter(pk=contract.pk).update(**values)
    line = claim(contract, [D("100.00")]).lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(eligible=D("100.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(contract=contract, paid_on=contract.starts_on, amount=D("-1"), reference="x")
