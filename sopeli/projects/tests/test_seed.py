"""seed_projects_demo: contracts at every stage for Kazbegi, idempotent."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from sopeli.grants.testing import approved_version
from sopeli.monitoring.models import ResearchStudy
from sopeli.projects.models import Contract, Story
from sopeli.projects.selectors import commitments
from sopeli.strategy.models import Measure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_seed_projects_demo(lag, persona, client):
    persona("manager")
    version = approved_version(lag)
    for code in ("M1", "M2", "M3", "M4"):
        Measure.objects.create(version=version, code=code, title_ka=code, title_en=code, max_grant=Decimal("40000"), budget=Decimal("300000"))
    call_command("seed_projects_demo")
    statuses = sorted(Contract.objects.filter(lag=lag).values_list("status", flat=True))
    assert statuses == ["draft", "settled", "settled", "signed", "signed"]
    recovered = Contract.objects.get(lag=lag, recovered_total__gt=0)
    assert recovered.recovered_total == Decimal("2400.00") and recovered.entitlement == Decimal("33600.00")
    assert Contract.objects.filter(lag=lag, entitlement=Decimal("36000.00"), recovered_total=0).exists()
    assert Story.objects.filter(lag=lag, is_published=True).count() == 2
    assert ResearchStudy.objects.get(lag=lag).baseline.responses.count() == 30
    assert all(r.balances for r in commitments(lag).rows)
    # the paper round's public results list the five funded projects with their scores and grants
    call = Contract.objects.filter(lag=lag).first().application.call
    page = client.get(reverse("grants:results", args=[lag.slug, call.pk])).content.decode()
    from sopeli.projects.management.commands.seed_projects_demo import PROJECTS

    assert all(title_ka in page for title_ka, *_rest in PROJECTS)
    assert "84.50" in page and "Horse tours from Sno" not in page and "ცხენით ტურები სნოდან" in page
    assert "40,000" in page and "lowered the grant" in page
    call_command("seed_projects_demo")
    assert Contract.objects.filter(lag=lag).count() == 5
