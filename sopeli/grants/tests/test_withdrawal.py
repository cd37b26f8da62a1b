"""Withdrawing after the board's decision (S2 decided and published: A, B, C funded; E, D, F on the reserve; 5,000 unused).

The money a funded project frees goes down the reserve list in rank order at once, while the list is valid;
a reserve project leaving moves the others up; nothing moves after the list expired; a signed contract
stops the withdrawal.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sopeli.core.models import AuditEvent
from sopeli.grants.models import Outcome, RankingResult, Selection
from sopeli.grants.services import applications as app_services
from sopeli.grants.services import selection
from sopeli.grants.testing_selection import S2
from sopeli.grants.tests.test_appeals import decided
from sopeli.grants.workflow import ApplicationStatus

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def res(lag):
    return decided(lag)


def result_of(app) -> RankingResult:
    return RankingResult.objects.get(application=app)


def reserve_list(sel) -> list[int]:
    return list(RankingResult.objects.filter(selection=sel, outcome=Outcome.RESERVE).order_by("reserve_position")
                .values_list("application_id", flat=True))


def withdraw(app, **kwargs):
    return app_services.application_withdraw(actor=app.applicant, application=app, reason="Found other money", **kwargs)


def test_a_reserve_project_leaving_moves_the_others_up_and_then_freed_money_funds_them_in_rank_order(res):
    a = res.apps
    sel = Selection.objects.get(call=res.call)
    assert reserve_list(sel) == [a["E"].pk, a["D"].pk, a["F"].pk]
    withdraw(a["E"])
    assert result_of(a["E"]).outcome == Outcome.WITHDRAWN
    assert reserve_list(sel) == [a["D"].pk, a["F"].pk]
    assert [result_of(a[x]).reserve_position for x in "DF"] == [1, 2]
    sel.refresh_from_db()
    assert sel.total_funded == D("95000.00")  # nothing freed, nobody funded

    # B (30,000) withdraws: 35,000 free -> D (15,000), then F (4,000), in rank order, without anyone pressing a button.
    withdraw(a["B"])
    for letter in "DF":
        a[letter].refresh_from_db()
        assert a[letter].status == ApplicationStatus.FUNDED and a[letter].awarded_grant == S2[letter][0]
    sel.refresh_from_db()
    assert sel.total_funded == D("84000.00") and reserve_list(sel) == []
    event = AuditEvent.objects.filter(action="grants.reserve_activate").order_by("-pk").first()
    assert event.is_public and event.data["funded"] == [a["D"].reference, a["F"].reference]
    assert event.data["withdrawn"] == a["B"].reference
    assert result_of(a["B"]).outcome == Outcome.WITHDRAWN


def test_after_the_reserve_list_expired_nobody_moves_up(res):
    a = res.apps
    sel = Selection.objects.get(call=res.call)
    withdraw(a["A"], now=selection.reserve_valid_until(sel) + timedelta(seconds=1))
    assert result_of(a["A"]).outcome == Outcome.WITHDRAWN
    for letter in "EDF":
        a[letter].refresh_from_db()
        assert a[letter].status == ApplicationStatus.RESERVE
    sel.refresh_from_db()
    assert sel.total_funded == D("55000.00")  # B and C
    assert not AuditEvent.objects.filter(action="grants.reserve_activate").exists()


def test_a_signed_contract_stops_the_withdrawal(res, lag):
    from sopeli.projects.testing import signed_contract

    a = res.apps["A"]
    signed_contract(lag, app=a)
    with pytest.raises(ValidationError) as exc:
        withdraw(a)
    assert "contract" in " ".join(exc.value.messages)
    a.refresh_from_db()
    assert a.status == ApplicationStatus.FUNDED and result_of(a).outcome == Outcome.FUNDED
    for letter in "EDF":
        res.apps[letter].refresh_from_db()
        assert res.apps[letter].status == ApplicationStatus.RESERVE


def test_a_contract_still_being_prepared_ends_with_the_withdrawal_and_can_no_longer_be_signed(res, lag):
    from sopeli.projects import services as project_services
    from sopeli.projects.models import ContractStatus

    a = res.apps["A"]
    a.refresh_from_db()
    contract = project_services.contract_generate(
        actor=None, application=a, starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=300))
    checked = project_services.contract_eligibility_check(actor=None, contract=contract, eligible=True)
    assert checked.status == ContractStatus.CHECKED
    withdraw(a)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED and "withdrew" in contract.eligibility_note
    with pytest.raises(ValidationError, match="withdrew"):
        project_services.contract_sign(actor=None, contract=contract, grantee_on=timezone.localdate(),
                                       lag_on=timezone.localdate(), scan=None)
    assert AuditEvent.objects.filter(action="projects.contract_cancel").count() == 1


def test_withdrawing_twice_changes_nothing_more(res):
    b = res.apps["B"]
    withdraw(b)
    funded = set(RankingResult.objects.filter(outcome=Outcome.FUNDED).values_list("application_id", flat=True))
    assert withdraw(b).status == ApplicationStatus.WITHDRAWN
    assert set(RankingResult.objects.filter(outcome=Outcome.FUNDED).values_list("application_id", flat=True)) == funded
    assert AuditEvent.objects.filter(action="grants.reserve_activate").count() == 1
