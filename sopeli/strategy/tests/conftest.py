from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from sopeli.governance.models import AgendaItem, ItemStatus, Meeting
from sopeli.membership.models import Body, BodyKind
from sopeli.strategy import services
from sopeli.strategy.models import ApplicantType, SwotKind


def make_assembly_item(lag, *, status=ItemStatus.APPROVED, kind=BodyKind.ASSEMBLY, code="GA-1"):
    """An agenda item decided directly (until governance services exist)."""
    body, _ = Body.objects.get_or_create(
        lag=lag, kind=kind, defaults={"name_ka": "საერთო კრება", "name_en": "General assembly", "all_members_sit": True}
    )
    meeting = Meeting.objects.create(
        lag=lag, body=body, title_ka="კრება", title_en="Assembly", starts_at=timezone.now(), place="სტეფანწმინდა"
    )
    return AgendaItem.objects.create(
        lag=lag, body=body, meeting=meeting, code=code, title_ka="სტრატეგიის დამტკიცება",
        title_en="Approve the strategy", status=status, decided_at=timezone.now() if status == ItemStatus.APPROVED else None,
    )


def fill_version(version, *, measures=2, actor=None):
    """A small but complete version: profile, SWOT, 2 objectives, ``measures`` measures, plans."""
    services.strategy_version_update(actor=actor, version=version, data={
        "territory_profile_ka": "ყაზბეგის მუნიციპალიტეტი მაღალმთიანია.", "territory_profile_en": "Kazbegi is high mountain.",
        "vision_ka": "ცოცხალი სოფლები", "vision_en": "Living villages", "period_start": 2026, "period_end": 2028,
    })
    services.key_figure_save(actor=actor, version=version, data={"code": "KF1", "label_ka": "მოსახლეობა", "label_en": "Population", "value": "3800"})
    services.swot_item_save(actor=actor, version=version, data={"code": "S1", "kind": SwotKind.STRENGTH, "text_ka": "მთები", "text_en": "Mountains"})
    o1 = services.objective_save(actor=actor, version=version, data={"code": "O1", "title_ka": "ტურიზმი", "title_en": "Tourism", "order": 1})
    o2 = services.objective_save(actor=actor, version=version, data={"code": "O2", "title_ka": "სოფლის მეურნეობა", "title_en": "Agriculture", "order": 2})
    services.indicator_save(actor=actor, version=version, data={
        "code": "R1", "objective": o1, "name_ka": "ახალი სამუშაო ადგილები", "name_en": "Jobs created", "unit_ka": "FTE", "unit_en": "FTE",
        "baseline_value": Decimal("0"), "baseline_date": date(2026, 1, 1), "target_value": Decimal("40"), "target_date": date(2028, 12, 31),
        "aggregation": "sum",
    })
    for n in range(1, measures + 1):
        m = services.measure_save(actor=actor, version=version, data={
            "code": f"M{n}", "order": n, "title_ka": f"ღონისძიება {n}", "title_en": f"Measure {n}",
            "min_grant": Decimal("1000.00"), "max_grant": Decimal("20000.00"), "budget": Decimal("40000.00"),
            "objectives": [o1 if n % 2 else o2],
        }, aid_rates={ApplicantType.BUSINESS: Decimal("60"), ApplicantType.NGO: Decimal("90")})
        services.indicator_save(actor=actor, version=version, data={
            "code": f"P{n}", "measure": m, "name_ka": "პროექტები", "name_en": "Projects", "unit_ka": "ცალი", "unit_en": "projects",
            "target_value": Decimal("5"), "aggregation": "sum",
        })
        services.planned_call_save(actor=actor, version=version, data={"code": f"C{n}", "measure": m, "planned_on": date(2026, 3 * n % 12 + 1, 1), "amount": Decimal("40000.00")})
        services.financial_row_save(actor=actor, version=version, data={"measure": m, "year": 2026, "amount": Decimal("40000.00")})
    services.financial_row_save(actor=actor, version=version, data={"measure": None, "year": 2026, "amount": Decimal("10000.00") * measures})
    return version


@pytest.fixture
def draft(lag):
    version = services.strategy_create(actor=None, lag=lag, title_ka="ყაზბეგის სტრატეგია", title_en="Kazbegi strategy")
    return fill_version(version)


@pytest.fixture
def approved(draft):
    services.strategy_version_submit(actor=None, version=draft)
    return services.strategy_version_approve(actor=None, version=draft, agenda_item=make_assembly_item(draft.lag))
