from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sopeli.core.models import AuditEvent
from sopeli.governance.models import ItemStatus
from sopeli.membership.models import BodyKind
from sopeli.strategy import selectors, services
from sopeli.strategy.models import Measure, StrategyVersion, VersionStatus
from sopeli.strategy.tests.conftest import make_assembly_item

pytestmark = pytest.mark.django_db


def test_approval_needs_an_approved_item_of_the_general_assembly(draft):
    services.strategy_version_submit(actor=None, version=draft)
    pending = make_assembly_item(draft.lag, status=ItemStatus.PENDING, code="GA-0")
    with pytest.raises(ValidationError, match="not approved"):
        services.strategy_version_approve(actor=None, version=draft, agenda_item=pending)
    board_item = make_assembly_item(draft.lag, kind=BodyKind.BOARD, code="B-1")
    with pytest.raises(ValidationError, match="general assembly"):
        services.strategy_version_approve(actor=None, version=draft, agenda_item=board_item)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.CONSULTATION


def test_a_draft_is_approved_only_after_consultation(draft):
    with pytest.raises(ValidationError):
        services.strategy_version_approve(actor=None, version=draft, agenda_item=make_assembly_item(draft.lag))


def test_approved_version_is_immutable(approved):
    m = Measure.objects.get(version=approved, code="M1")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.measure_save(actor=None, version=approved, instance=m, data={"budget": Decimal("1")})
    with pytest.raises(ValidationError):
        services.strategy_version_update(actor=None, version=approved, data={"vision_ka": "სხვა"})
    with pytest.raises(ValidationError):
        services.version_part_delete(actor=None, version=approved, instance=m)
    with pytest.raises(ValidationError):
        services.strategy_version_submit(actor=None, version=approved)
    m.refresh_from_db()
    assert m.budget == Decimal("40000.00")


def test_amendment_is_a_deep_copy_and_approval_supersedes_the_previous(approved, lag):
    v2 = services.strategy_version_create_amendment(actor=None, strategy=approved.strategy)
    assert v2.number == 2 and v2.status == VersionStatus.DRAFT and v2.based_on == approved
    a, b = selectors.version_contents(approved), selectors.version_contents(v2)
    assert selectors.serialise(a) == selectors.serialise(b)
    assert all(d.is_unchanged for d in selectors.compare(approved, v2) for d in [d["diff"]])
    # The copy has its own rows: changing it leaves version 1 alone.
    m1 = Measure.objects.get(version=v2, code="M1")
    assert m1.objectives.get().version == v2 and m1.indicators.get().version == v2
    services.measure_save(actor=None, version=v2, instance=m1, data={"budget": Decimal("45000.00")})
    assert Measure.objects.get(version=approved, code="M1").budget == Decimal("40000.00")
    with pytest.raises(ValidationError, match="still being prepared"):
        services.strategy_version_create_amendment(actor=None, strategy=approved.strategy)
    services.strategy_version_submit(actor=None, version=v2)
    services.strategy_version_approve(actor=None, version=v2, agenda_item=make_assembly_item(lag, code="GA-2"))
    approved.refresh_from_db()
    assert approved.status == VersionStatus.SUPERSEDED
    assert selectors.current_version(lag) == v2
    assert {m.version_id for m in selectors.measures_for_calls(lag)} == {v2.pk}


def test_the_database_allows_one_approved_version_per_strategy(approved):
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyVersion.objects.create(
            lag=approved.lag, strategy=approved.strategy, number=9, status=VersionStatus.APPROVED,
            approved_at=approved.approved_at, approved_by_item=approved.approved_by_item,
        )


def test_money_constraints_hold_in_the_database(draft):
    m = Measure.objects.get(version=draft, code="M1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=m.pk).update(min_grant=Decimal("30000"), max_grant=Decimal("20000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=m.pk).update(budget=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        m.aid_rates.filter(applicant_type="ngo").update(max_rate=Decimal("100.01"))


def test_service_refuses_min_above_max_with_a_message(draft):
    with pytest.raises(ValidationError) as error:
        services.measure_save(actor=None, version=draft, data={
            "code": "M9", "title_ka": "x", "min_grant": Decimal("5"), "max_grant": Decimal("1"), "budget": Decimal("1"),
        })
    assert error.value.messages


def test_comparison_finds_added_removed_changed(approved):
    v2 = services.strategy_version_create_amendment(actor=None, strategy=approved.strategy)
    services.measure_save(actor=None, version=v2, instance=Measure.objects.get(version=v2, code="M1"),
                          data={"budget": Decimal("50000.00")})
    services.version_part_delete(actor=None, version=v2, instance=Measure.objects.get(version=v2, code="M2"))
    services.objective_save(actor=None, version=v2, data={"code": "O3", "title_ka": "გარემო", "title_en": "Environment"})
    services.strategy_version_update(actor=None, version=v2, data={"vision_en": "Living, green villages"})
    sections = {s["key"]: s["diff"] for s in selectors.compare(approved, v2)}
    assert [c.field for c in sections["vision"].text_changes] == ["vision_en"]
    assert [i.key for i in sections["objectives"].added] == ["O3"]
    assert {i.key for i in sections["measures"].removed} == {"M2", "P2"}
    assert [(i.key, [c.field for c in i.changes]) for i in sections["measures"].changed] == [("M1", ["budget"])]
    assert {i.key for i in sections["financial-plan"].removed} == {"M2/2026"}
    assert sections["swot"].is_unchanged


def test_running_costs_warning_names_the_numbers(draft):
    from sopeli.strategy.models import FinancialPlanRow

    FinancialPlanRow.objects.filter(version=draft, kind="running").update(amount=Decimal("40000.00"))
    plan = selectors.version_contents(draft)["financial"]
    assert not plan.check.ok
    # 40,000 of 120,000 = 33.33%; cut (100*40000 - 25*120000)/75 = 13,333.34
    assert "33.33%" in plan.warnings[0] and "13,333.34" in plan.warnings[0] and "25%" in plan.warnings[0]


def test_every_service_leaves_an_audit_event(approved):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"strategy.create", "strategy.measure_save", "strategy.version_submit", "strategy.version_approve"} <= actions
    assert AuditEvent.objects.get(action="strategy.version_approve").is_public


def test_measures_for_calls_is_empty_until_a_version_is_approved(draft, lag):
    assert list(selectors.measures_for_calls(lag)) == []
    assert list(selectors.indicators_for_monitoring(lag)) == []
    services.strategy_version_submit(actor=None, version=draft)
    services.strategy_version_approve(actor=None, version=draft, agenda_item=make_assembly_item(lag))
    measures = list(selectors.measures_for_calls(lag))
    assert [m.code for m in measures] == ["M1", "M2"]
    assert {r.applicant_type for r in measures[0].aid_rates.all()} == {"business", "ngo"}
    assert {i.code for i in selectors.indicators_for_monitoring(lag)} == {"R1", "P1", "P2"}


def test_an_assembly_decision_approves_only_one_version(approved, lag):
    v2 = services.strategy_version_create_amendment(actor=None, strategy=approved.strategy)
    services.strategy_version_submit(actor=None, version=v2)
    with pytest.raises(ValidationError, match="already approved another version"):
        services.strategy_version_approve(actor=None, version=v2, agenda_item=approved.approved_by_item)


def test_an_agenda_item_of_another_lag_is_refused(draft):
    from sopeli.testing.factories import LagFactory

    services.strategy_version_submit(actor=None, version=draft)
    foreign = make_assembly_item(LagFactory(slug="borjomi"))
    with pytest.raises(ValidationError, match="this LAG"):
        services.strategy_version_approve(actor=None, version=draft, agenda_item=foreign)


def test_a_version_above_the_running_costs_cap_cannot_be_approved(draft, lag):
    from sopeli.strategy.models import FinancialPlanRow

    FinancialPlanRow.objects.filter(version=draft, kind="running").update(amount=Decimal("26667.00"))
    services.strategy_version_submit(actor=None, version=draft)
    # 26,667 of 106,667 = 25.0002% > 25%: the message says how much to cut (0.01... rounded up).
    with pytest.raises(ValidationError, match=r"Cut running costs by at least 0\.34 GEL"):
        services.strategy_version_approve(actor=None, version=draft, agenda_item=make_assembly_item(lag))
    FinancialPlanRow.objects.filter(version=draft, kind="running").update(amount=Decimal("26666.66"))
    services.strategy_version_approve(actor=None, version=draft, agenda_item=make_assembly_item(lag, code="GA-2"))
