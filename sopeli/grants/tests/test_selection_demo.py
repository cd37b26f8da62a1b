"""seed_selection_demo: Kazbegi's closed call with its whole history, built through the services, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from sopeli.grants.models import Appeal, Call, Outcome, RankingResult

pytestmark = pytest.mark.django_db


def test_seed_selection_demo_builds_the_closed_call_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from sopeli.core.demo import seed

    seed.build_kazbegi()  # the LAG, its board (S1) and demo people, as seed_demo builds them
    call_command("seed_strategy_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_selection_demo", stdout=out)
    call = Call.objects.get(lag__slug="kazbegi", code="2026/1")
    assert call.status == "results_published"
    rows = RankingResult.objects.filter(selection__call=call)
    funded = [r.application.applicant_name for r in rows.filter(outcome=Outcome.FUNDED).order_by("rank")]
    assert len(funded) == 3
    assert rows.get(application__applicant_name="ნინო ჭინჭარაული").awarded_amount == 19000
    reserve = rows.filter(outcome=Outcome.RESERVE).order_by("reserve_position")
    assert [r.application.title for r in reserve][:2] == ["მეფუტკრეობა გერგეტში", "საცხობი სტეფანწმინდაში"]
    appeal = Appeal.objects.get(application__call=call)
    assert (appeal.original_outcome, appeal.new_outcome, str(appeal.new_score)) == ("rejected", "reserve", "61.00")
    call_command("seed_selection_demo", stdout=StringIO())
    assert Call.objects.filter(code="2026/1").count() == 1
