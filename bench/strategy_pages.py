"""Issue 3's pages at scale for `make bench`: an approved strategy with 50 measures, a consultation
with 10,000 ideas (with supports) and a survey with 5,000 responses, on the measured LAG.

Rows are bulk-created (the consultation's own `demo.synthetic` for ideas and the survey), so the
benchmark measures reading them, not writing them. Sizes: BENCH_MEASURES, BENCH_IDEAS, BENCH_RESPONSES.
"""

import os
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone


def build(world: dict) -> dict:
    from sopeli.consultation.demo import synthetic
    from sopeli.consultation.models import Consultation, Phase, PhaseKind
    from sopeli.governance.models import AgendaItem, ItemStatus, Procedure
    from sopeli.membership.models import Body, BodyKind
    from sopeli.strategy.models import AidRate, Measure, Objective, Strategy, StrategyVersion

    lag = world["lag"]
    measures = int(os.environ.get("BENCH_MEASURES", "50"))
    now = timezone.now()
    assembly = Body.objects.filter(lag=lag, kind=BodyKind.ASSEMBLY).first() or Body.objects.create(
        lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly", all_members_sit=True)
    approval = AgendaItem.objects.create(
        lag=lag, body=assembly, procedure=Procedure.WRITTEN, code="S-1", title_ka="სტრატეგიის დამტკიცება",
        title_en="Approval of the strategy", opens_at=now - timedelta(days=8), closes_at=now - timedelta(days=1),
        status=ItemStatus.APPROVED, decided_at=now - timedelta(days=1), outcome={"result": "approved"})
    strategy = Strategy.objects.create(lag=lag, title="ადგილობრივი განვითარების სტრატეგია")
    version = StrategyVersion.objects.create(
        lag=lag, strategy=strategy, number=1, status="approved", approved_at=now, approved_by_item=approval,
        period_start=2025, period_end=2030, vision_ka="მდგრადი მთის სოფლები.", vision_en="Thriving mountain villages.")
    objectives = Objective.objects.bulk_create([
        Objective(version=version, code=f"O{i}", order=i, title_ka=f"მიზანი {i}", title_en=f"Objective {i}")
        for i in range(1, 5)])
    rows = Measure.objects.bulk_create([
        Measure(version=version, code=f"M{i}", order=i, title_ka=f"ღონისძიება {i}", title_en=f"Measure {i}",
                description_ka="მცირე ინვესტიციები სოფლის მეურნეობასა და ტურიზმში.",
                description_en="Small investments in farming and tourism.",
                min_grant=Decimal("2000.00"), max_grant=Decimal("40000.00"), budget=Decimal("100000.00"))
        for i in range(1, measures + 1)])
    AidRate.objects.bulk_create([AidRate(measure=m, applicant_type=t, max_rate=Decimal(r))
                                 for m in rows for t, r in (("business", "80.00"), ("ngo", "90.00"))])
    for n, measure in enumerate(rows):
        measure.objectives.add(objectives[n % len(objectives)])

    consultation = Consultation.objects.create(lag=lag, version=version, title_ka="სტრატეგიის კონსულტაცია",
                                               title_en="Consultation on the strategy")
    Phase.objects.create(consultation=consultation, kind=PhaseKind.IDEAS, opens_at=now - timedelta(days=60),
                         closes_at=now + timedelta(days=30))
    ideas, responses = int(os.environ.get("BENCH_IDEAS", "10000")), int(os.environ.get("BENCH_RESPONSES", "5000"))
    survey = synthetic(consultation, ideas=ideas, responses=responses)
    return {"consultation": consultation, "survey": survey, "measures": measures, "ideas": ideas,
            "responses": responses}


def pages(world: dict, extra: dict) -> list[tuple[str, str, list, bool]]:
    slug, consultation = world["lag"].slug, extra["consultation"]
    return [
        (f"strategy ({extra['measures']} measures)", "strategy:strategy", [slug], False),
        (f"consultation ideas ({extra['ideas']:,})", "consultation:ideas", [slug, consultation.pk], False),
        (f"survey results ({extra['responses']:,} responses)", "consultation:survey_results",
         [slug, consultation.pk, extra["survey"].pk], False),
    ]
