import re
from io import StringIO

import pytest
from django.core.management import call_command

from sopeli.consultation import selectors
from sopeli.consultation.models import AnswerStatus, Comment, Consultation, Idea, Response, Source, Support
from sopeli.core.demo import places
from sopeli.testing.factories import InterestGroupFactory, LagFactory, SettlementFactory

pytestmark = pytest.mark.django_db
MTAVRULI = re.compile("[\u1c90-\u1cbf]")


def test_skips_with_a_message_without_the_lag():
    out = StringIO()
    call_command("seed_consultation_demo", stdout=out)
    assert "nothing to do" in out.getvalue() and not Consultation.objects.exists()


@pytest.fixture
def kazbegi():
    lag = LagFactory(slug="kazbegi", name_ka="ყაზბეგი", name_en="Kazbegi")
    for ka, en, pop, *_rest in places.KAZBEGI["settlements"]:
        SettlementFactory(lag=lag, name_ka=ka, name_en=en, population=pop)
    for code, ka, en in places.KAZBEGI["interest_groups"]:
        InterestGroupFactory(lag=lag, code=code, name_ka=ka, name_en=en)
    return lag


def test_demo_is_complete_and_idempotent(kazbegi):
    out = StringIO()
    call_command("seed_consultation_demo", stdout=out)
    call_command("seed_consultation_demo", stdout=out)
    assert "already has the demo consultation" in out.getvalue()
    consultation = Consultation.objects.get(lag=kazbegi)
    assert consultation.version is not None  # the strategy demo was loaded first
    # Every input has an answer; taken-up answers point at the strategy's measures or objectives.
    assert not Idea.objects.filter(consultation=consultation, answer_status=AnswerStatus.PENDING).exists()
    assert not Comment.objects.filter(consultation=consultation, answer_status=AnswerStatus.PENDING).exists()
    for item in list(Idea.objects.filter(answer_status=AnswerStatus.TAKEN_UP)) + list(Comment.objects.filter(answer_status=AnswerStatus.TAKEN_UP)):
        target = item.answer_measure or item.answer_objective
        assert target is not None and target.version_id == consultation.version_id
    assert Idea.objects.filter(answer_status=AnswerStatus.MERGED, merged_into__isnull=False).count() == 2
    assert Idea.objects.filter(hidden_at__isnull=False).count() == 1
    assert Idea.objects.filter(source=Source.MEETING, meeting__isnull=False).exists()
    assert Idea.objects.filter(source=Source.QUICK, confirmed=False).exists()
    assert Comment.objects.filter(consultation=consultation).values("section").distinct().count() >= 6
    assert Response.objects.count() == 300 and Response.objects.filter(source=Source.PAPER).exclude(paper_reference="").count() == 60
    assert consultation.meetings.count() == 6
    # Supports never go to a merged idea and never to one's own idea.
    assert not Support.objects.filter(idea__merged_into__isnull=False).exists()
    assert not any(s.idea.author_id == s.user_id for s in Support.objects.select_related("idea"))
    # Georgian first and never upper-cased (no Mtavruli).
    for idea in Idea.objects.all():
        assert not MTAVRULI.search(idea.title + idea.text)
    report = selectors.consultation_report(consultation)
    assert report.pending == 0 and report.inputs == report.taken_up + report.merged + report.not_taken_up
    assert report.villages == 14 and report.survey_responses == 300


def test_deterministic(kazbegi):
    call_command("seed_consultation_demo", stdout=StringIO())
    first = list(Response.objects.order_by("id").values_list("village__name_en", "gender", "age_band"))
    counts = selectors.survey_results(Consultation.objects.get().surveys.get())
    bars = [[b.count for b in r.bars] for r in counts["results"]]
    Consultation.objects.all().delete()
    call_command("seed_consultation_demo", stdout=StringIO())
    assert list(Response.objects.order_by("id").values_list("village__name_en", "gender", "age_band")) == first
    assert [[b.count for b in r.bars] for r in selectors.survey_results(Consultation.objects.get().surveys.get())["results"]] == bars
