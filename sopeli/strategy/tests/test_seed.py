import io

import pytest
from django.core.management import call_command

from sopeli.strategy import selectors
from sopeli.strategy.models import Measure, StrategyVersion, VersionStatus

pytestmark = pytest.mark.django_db


def run(**kwargs):
    out = io.StringIO()
    call_command("seed_strategy_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_seed_makes_an_approved_version_and_a_draft_amendment_and_is_idempotent(lag, client):
    assert "approved" in run()
    assert "nothing to do" in run()
    v1, v2 = StrategyVersion.objects.filter(lag=lag).order_by("number")
    assert (v1.status, v2.status) == (VersionStatus.APPROVED, VersionStatus.DRAFT)
    assert v1.approved_by_item.body.kind == "assembly"
    assert Measure.objects.filter(version=v1).count() == 7 and v1.objectives.count() == 4
    plan = selectors.version_contents(v1)["financial"]
    assert plan.check.ok and plan.warnings == [] and plan.check.share_percent == 17.5
    assert selectors.version_contents(v2)["financial"].warnings == []
    changes = {s["key"]: s["diff"] for s in selectors.compare(v1, v2)}
    assert {i.key for i in changes["measures"].added} == {"M8", "P8"}
    assert {i.key for i in changes["measures"].changed} == {"M3", "M4"}
    assert [i.key for i in changes["objectives"].changed] == ["R1.1"]
    assert [m.code for m in selectors.measures_for_calls(lag)] == [f"M{n}" for n in range(1, 8)]
    # Georgian is never upper-cased into Mtavruli anywhere on the page.
    page = client.get("/ka/kazbegi/strategy/").content.decode()
    assert "ყაზბეგის მუნიციპალიტეტის ადგილობრივი განვითარების სტრატეგია" in page
    assert not any("\u1c90" <= ch <= "\u1cbf" for ch in page)


def test_seed_skips_a_missing_lag(db):
    assert "nothing to do" in run(lag="nowhere")
