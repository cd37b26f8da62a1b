import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sopeli.consultation import selectors, services
from sopeli.consultation.models import AnswerStatus, Idea, PhaseKind, Response, Source, Support
from sopeli.consultation.tests.conftest import post_idea
from sopeli.strategy.models import Measure, Objective
from sopeli.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


# --- Ideas -----------------------------------------------------------------------------------------


def test_a_resident_posts_an_idea_with_their_village(consultation, resident, themes):
    idea = post_idea(consultation, resident, village=None, theme=themes[0])
    assert idea.author == resident and idea.village == resident.village and idea.confirmed
    assert idea.source == Source.ONLINE and idea.author_name == "ნინო გიგაური"


def test_a_quick_entry_needs_name_and_village_and_is_unconfirmed(consultation, villages):
    with pytest.raises(ValidationError, match="name and choose your village"):
        services.idea_post(actor=ANON, consultation=consultation, title="გზა", text="გზა ცუდია", author_name="", village=villages[0])
    idea = services.idea_post(actor=ANON, consultation=consultation, title="გზა", text="გზა ცუდია", author_name="ეკა",
                              village=villages[1], contact_phone="+995 555 12 34 56")
    assert idea.source == Source.QUICK and not idea.confirmed and idea.contact_phone
    services.idea_confirm(actor=None, idea=idea)
    idea.refresh_from_db()
    assert idea.confirmed


def test_posting_after_the_phase_closed_is_refused_to_the_second(consultation, resident):
    phase = consultation.phases.get(kind=PhaseKind.IDEAS)
    phase.closes_at = timezone.now() - timedelta(seconds=1)
    phase.save()
    with pytest.raises(ValidationError, match="phase is closed"):
        post_idea(consultation, resident)


def test_a_repeated_submission_key_records_one_idea(consultation, resident):
    key = uuid.uuid4()
    a = post_idea(consultation, resident, submission_key=key)
    b = post_idea(consultation, resident, submission_key=key)
    assert a.pk == b.pk and Idea.objects.count() == 1


def test_village_of_another_lag_is_refused(consultation, resident):
    from sopeli.testing.factories import LagFactory, SettlementFactory

    elsewhere = SettlementFactory(lag=LagFactory(slug="borjomi"))
    with pytest.raises(ValidationError, match="village of this LAG"):
        post_idea(consultation, resident, village=elsewhere)


def test_support_once_per_person_double_submit_changes_nothing(consultation, resident):
    idea = post_idea(consultation, resident)
    fan = UserFactory()
    _, added = services.idea_support(actor=fan, idea=idea)
    _, again = services.idea_support(actor=fan, idea=idea)
    assert added and not again
    assert Support.objects.filter(idea=idea).count() == 1


def test_support_race_is_decided_by_the_database(consultation, resident):
    """Two requests at once: the second insert hits the unique constraint and is a no-op."""
    idea = post_idea(consultation, resident)
    fan = UserFactory()
    Support.objects.create(idea=idea, user=fan)  # the other request won the race
    _, added = services.idea_support(actor=fan, idea=idea)
    assert not added and Support.objects.filter(idea=idea).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, user=fan)


def test_cannot_support_own_hidden_or_anonymously(consultation, resident):
    idea = post_idea(consultation, resident)
    with pytest.raises(ValidationError, match="You posted this idea"):
        services.idea_support(actor=resident, idea=idea)
    with pytest.raises(ValidationError, match="Log in"):
        services.idea_support(actor=ANON, idea=idea)
    services.idea_hide(actor=None, idea=idea, reason="შეურაცხმყოფელი")
    with pytest.raises(ValidationError, match="hidden"):
        services.idea_support(actor=UserFactory(), idea=idea)


def test_hiding_needs_a_reason(consultation, resident):
    idea = post_idea(consultation, resident)
    with pytest.raises(ValidationError, match="reason"):
        services.idea_hide(actor=None, idea=idea, reason="  ")


def test_merge_carries_supports_over_without_double_counting(consultation, resident):
    kept = post_idea(consultation, resident, title="სათამაშო მოედანი")
    dup_author = UserFactory()
    dup = post_idea(consultation, dup_author, title="ბავშვთა მოედანი")
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    for u in (a, b):
        services.idea_support(actor=u, idea=kept)
    for u in (b, c, resident):  # b supports both; resident is the kept idea's author
        services.idea_support(actor=u, idea=dup)
    services.idea_merge(actor=None, duplicate=dup, kept=kept)
    dup.refresh_from_db()
    assert dup.merged_into == kept and dup.answer_status == AnswerStatus.MERGED
    supporters = set(Support.objects.filter(idea=kept).values_list("user_id", flat=True))
    assert supporters == {a.pk, b.pk, c.pk, dup_author.pk}
    assert not Support.objects.filter(idea=dup).exists()
    assert selectors.ideas_list(consultation).get(pk=kept.pk).support_count == 4
    assert list(selectors.ideas_list(consultation)) == [kept]  # merged ideas leave the list
    # Supporting the merged idea supports the kept one, once.
    supported, added = services.idea_support(actor=a, idea=dup)
    assert supported.pk == kept.pk and not added


def test_merge_refusals(consultation, resident):
    a, b, c = (post_idea(consultation, resident, title=t) for t in ("ა", "ბ", "გ"))
    with pytest.raises(ValidationError, match="into itself"):
        services.idea_merge(actor=None, duplicate=a, kept=a)
    services.idea_merge(actor=None, duplicate=b, kept=a)
    with pytest.raises(ValidationError, match="itself merged"):
        services.idea_merge(actor=None, duplicate=c, kept=b)
    with pytest.raises(ValidationError, match="already merged"):
        services.idea_merge(actor=None, duplicate=b, kept=c)
    b.refresh_from_db()
    with pytest.raises(ValidationError, match="was merged"):
        services.idea_answer(actor=None, idea=b, status=AnswerStatus.NOT_TAKEN_UP, text="x")


def test_answers_need_a_target_or_a_reason(consultation, resident, lag):
    idea = post_idea(consultation, resident)
    with pytest.raises(ValidationError, match="objective or measure"):
        services.idea_answer(actor=None, idea=idea, status=AnswerStatus.TAKEN_UP)
    with pytest.raises(ValidationError, match="reason"):
        services.idea_answer(actor=None, idea=idea, status=AnswerStatus.NOT_TAKEN_UP, text=" ")
    measure = Measure.objects.get(version=consultation.version, code="M1")
    services.idea_answer(actor=None, idea=idea, status=AnswerStatus.TAKEN_UP, measure=measure, text="ღონისძიება M1")
    idea.refresh_from_db()
    assert idea.answer_status == AnswerStatus.TAKEN_UP and idea.answer_measure == measure and idea.answered_at


def test_answer_cannot_link_another_lags_objective(consultation, resident):
    from sopeli.strategy import services as strategy_services
    from sopeli.testing.factories import LagFactory

    other = LagFactory(slug="borjomi")
    v = strategy_services.strategy_create(actor=None, lag=other, title_ka="ბ", title_en="B")
    foreign = strategy_services.objective_save(actor=None, version=v, data={"code": "O1", "title_ka": "ა", "title_en": "A"})
    idea = post_idea(consultation, resident)
    with pytest.raises(ValidationError, match="this LAG's strategy"):
        services.idea_answer(actor=None, idea=idea, status=AnswerStatus.TAKEN_UP, objective=foreign)


def test_staff_record_an_idea_from_a_village_meeting(consultation, villages, persona):
    manager = persona("manager")
    meeting = services.meeting_record(actor=manager, consultation=consultation, data={
        "village": villages[1], "place": "სკოლა", "held_at": timezone.now(), "women": 12, "men": 9, "notes": ""})
    idea = services.idea_post(actor=manager, consultation=consultation, title="ხიდი", text="ხიდი სჭირდება",
                              author_name="ზურაბ", source=Source.MEETING, meeting=meeting)
    assert idea.source == Source.MEETING and idea.meeting == meeting and idea.village == villages[1] and idea.entered_by == manager


# --- Comments ----------------------------------------------------------------------------------------


def test_comments_on_sections_with_replies(consultation, resident):
    with pytest.raises(ValidationError, match="Log in"):
        services.comment_post(actor=ANON, consultation=consultation, section="vision", text="კარგია")
    with pytest.raises(ValidationError, match="section"):
        services.comment_post(actor=resident, consultation=consultation, section="nonsense", text="კარგია")
    c = services.comment_post(actor=resident, consultation=consultation, section="vision", text="ხედვა ზედმეტად ზოგადია")
    services.comment_answer(actor=None, comment=c, status=AnswerStatus.NOT_TAKEN_UP, text="ხედვა მოკლე უნდა იყოს.")
    sections = {s["key"]: s["comments"] for s in selectors.comments_by_section(consultation)}
    assert sections["vision"] == [c] and "involvement" not in sections


# --- Surveys -------------------------------------------------------------------------------------------


def _answers(survey, *, single=0, multiple=(0,), scale=4, village=None):
    qs = list(survey.questions.prefetch_related("choices"))
    out = {qs[0].pk: qs[0].choices.all()[single].pk, qs[1].pk: [qs[1].choices.all()[i].pk for i in multiple], qs[2].pk: scale,
           qs[3].pk: "გზები", qs[4].pk: "მეტი ტრენინგი"}
    if village is not None:
        out[qs[5].pk] = village.pk
    return out


def test_signed_survey_one_response_per_person(make_survey, resident):
    survey = make_survey(signed=True)
    with pytest.raises(ValidationError, match="Log in"):
        services.response_submit(actor=ANON, survey=survey, answers=_answers(survey))
    services.response_submit(actor=resident, survey=survey, answers=_answers(survey))
    with pytest.raises(ValidationError, match="already answered"):
        services.response_submit(actor=resident, survey=survey, answers=_answers(survey))
    assert Response.objects.filter(survey=survey).count() == 1
    # The database holds the line even if the check before it is skipped (a race).
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, lag=survey.lag, respondent=resident)


def test_anonymous_survey_keeps_no_respondent(make_survey, resident):
    survey = make_survey(signed=False)
    r = services.response_submit(actor=resident, survey=survey, answers=_answers(survey))
    assert r.respondent is None


def test_bad_survey_answers_are_explained(make_survey, villages):
    survey = make_survey()
    q = list(survey.questions.all())
    with pytest.raises(ValidationError, match="Please answer"):
        services.response_submit(actor=ANON, survey=survey, answers={})
    with pytest.raises(ValidationError, match="not one of the choices"):
        services.response_submit(actor=ANON, survey=survey, answers={q[0].pk: 999999})
    with pytest.raises(ValidationError, match="not one of the choices"):
        services.response_submit(actor=ANON, survey=survey, answers={q[0].pk: q[0].choices.first().pk, q[2].pk: 9})
    with pytest.raises(ValidationError, match="not one of the choices"):
        services.response_submit(actor=ANON, survey=survey, answers={q[0].pk: q[0].choices.first().pk, q[1].pk: ["x"]})


def test_paper_responses_record_their_source_and_only_staff_enter_them(make_survey, persona, resident):
    survey = make_survey(signed=True)
    with pytest.raises(ValidationError, match="Only the LAG's staff"):
        services.response_submit(actor=resident, survey=survey, answers=_answers(survey), paper_reference="სნო, ფორმა 3")
    manager = persona("manager")
    for n in (1, 2):
        r = services.response_submit(actor=manager, survey=survey, answers=_answers(survey), paper_reference=f"სნო, ფორმა {n}")
        assert r.source == Source.PAPER and r.entered_by == manager and r.respondent is None
    assert survey.responses.count() == 2


def test_closed_survey_refuses_online_answers(make_survey):
    survey = make_survey()
    phase = survey.phase
    phase.opens_at = timezone.now() + timedelta(hours=1)
    phase.closes_at = timezone.now() + timedelta(hours=2)
    phase.save()
    survey.refresh_from_db()
    with pytest.raises(ValidationError, match="not open"):
        services.response_submit(actor=ANON, survey=survey, answers=_answers(survey))


def test_questions_freeze_once_answered(make_survey):
    survey = make_survey()
    services.response_submit(actor=ANON, survey=survey, answers=_answers(survey))
    with pytest.raises(ValidationError, match="can no longer change"):
        services.question_add(actor=None, survey=survey, data={"kind": "short", "text_ka": "ახალი"})


def test_survey_results_count_choices_and_scale(make_survey, villages):
    survey = make_survey()
    services.response_submit(actor=ANON, survey=survey, answers=_answers(survey, single=0, multiple=(0, 1), scale=5, village=villages[0]))
    services.response_submit(actor=ANON, survey=survey, answers=_answers(survey, single=0, multiple=(1,), scale=4, village=villages[0]))
    services.response_submit(actor=ANON, survey=survey, answers=_answers(survey, single=2, multiple=(2,), scale=2, village=villages[1]))
    res = selectors.survey_results(survey)
    assert res["total"] == 3
    single, multiple, scale, short, _long, village = res["results"]
    assert [(b.count, b.percent) for b in single.bars] == [(2, 67), (0, 0), (1, 33)]
    assert [b.count for b in multiple.bars] == [1, 2, 1]
    assert scale.mean == "3.7" and [b.count for b in scale.bars] == [0, 1, 0, 1, 1]
    assert short.is_text and short.answered == 3
    assert [(b.label, b.count) for b in village.bars] == [("Sno", 2), ("Juta", 1)]


# --- Report, participation, the strategy hook -------------------------------------------------------------


@pytest.fixture
def story(consultation, villages, persona, make_survey):
    """3 ideas (1 merged, 1 hidden), 1 comment, 2 survey responses, 1 meeting (5 women, 4 men)."""
    manager = persona("manager")
    nino = UserFactory(full_name="ნინო")
    nino.village = villages[0]
    nino.save()
    a = post_idea(consultation, nino, title="სასტუმრო სახლების ტრენინგი", gender="female", age_band="30_44",
                  village=villages[0])
    b = services.idea_post(actor=ANON, consultation=consultation, title="ტრენინგი", text="ტრენინგი გვინდა", author_name="ლევან",
                           village=villages[1], gender="male", age_band="18_29")
    c = post_idea(consultation, UserFactory(), title="ცუდი სიტყვები", village=villages[2])
    services.idea_support(actor=UserFactory(), idea=a)
    services.idea_merge(actor=manager, duplicate=b, kept=a)
    services.idea_hide(actor=manager, idea=c, reason="შეურაცხყოფა")
    comment = services.comment_post(actor=nino, consultation=consultation, section="measures", text="M1 ძალიან მცირეა")
    objective = Objective.objects.get(version=consultation.version, code="O1")
    services.idea_answer(actor=manager, idea=a, status=AnswerStatus.TAKEN_UP, objective=objective)
    services.comment_answer(actor=manager, comment=comment, status=AnswerStatus.NOT_TAKEN_UP, text="ბიუჯეტი შეზღუდულია")
    survey = make_survey()
    services.response_submit(actor=ANON, survey=survey, answers=_answers(survey), gender="female", village=villages[0])
    services.response_submit(actor=manager, survey=survey, answers=_answers(survey), paper_reference="ფორმა 1", gender="male")
    services.meeting_record(actor=manager, consultation=consultation, data={
        "village": villages[2], "place": "ეკლესიის ეზო", "held_at": timezone.now(), "women": 5, "men": 4, "notes": ""})
    return {"a": a, "b": b, "c": c, "comment": comment}


def test_report_counts(consultation, story):
    r = selectors.consultation_report(consultation)
    assert (r.inputs, r.ideas, r.comments, r.hidden) == (3, 2, 1, 1)
    assert (r.taken_up, r.merged, r.not_taken_up, r.pending) == (1, 1, 1, 0)
    assert (r.survey_responses, r.meetings) == (2, 1)
    # People: nino, levan (quick), the supporter, 2 survey responses, 9 at the meeting (a hidden post counts nobody).
    assert r.people == 3 + 2 + 9
    assert (r.women, r.men) == (1 + 1 + 5, 1 + 1 + 4)
    assert r.villages == 3
    assert r.taken_up_percent == 33 and r.answered_percent == 100


def test_participation_figures(lag, consultation, story, villages):
    f = selectors.participation_figures(lag)
    rows = {row["village"].name_en: row for row in f.by_village}
    assert rows["Sno"]["ideas"] == 1 and rows["Sno"]["comments"] == 1 and rows["Sno"]["responses"] == 1
    assert rows["Gergeti"]["ideas"] == 0 and rows["Gergeti"]["attendance"] == 9  # the hidden idea is not counted
    assert f.people == 14 and f.women == 7 and f.men == 6
    assert sum(n for _label, n, _pct in f.by_gender) == f.people
    assert sum(n for _label, n, _pct in f.by_age_band) == f.people


def test_strategy_involvement_section_reads_the_consultation(lag, consultation, story):
    from sopeli.strategy.selectors import community_involvement

    s = community_involvement(consultation.version)
    assert (s.inputs, s.taken_up, s.meetings, s.survey_responses, s.people) == (3, 1, 1, 2, 14)
    assert s.consultations == [consultation] and not s.is_empty


def test_involvement_is_empty_without_consultation(lag, version):
    assert selectors.involvement_summary(lag, version).is_empty


def test_deleting_a_draft_measure_keeps_the_answer(consultation, resident):
    from sopeli.strategy import services as strategy_services

    idea = post_idea(consultation, resident)
    measure = Measure.objects.get(version=consultation.version, code="M2")
    services.idea_answer(actor=None, idea=idea, status=AnswerStatus.TAKEN_UP, measure=measure, text="M2")
    strategy_services.version_part_delete(actor=None, version=consultation.version, instance=measure)
    idea.refresh_from_db()
    assert idea.answer_status == AnswerStatus.TAKEN_UP and idea.answer_measure is None and idea.answer_text == "M2"


def test_deleting_the_consultation_removes_everything(story, consultation):
    from sopeli.consultation.models import Consultation, Survey, VillageMeeting

    consultation.delete()
    assert not Consultation.objects.exists() and not Idea.objects.exists() and not Survey.objects.exists()
    assert not VillageMeeting.objects.exists() and not Response.objects.exists()


def test_support_count_field_matches_the_support_rows(consultation, resident):
    ideas = [post_idea(consultation, resident, title=f"იდეა {n}") for n in range(3)]
    fans = [UserFactory() for _ in range(4)]
    for n, fan in enumerate(fans):
        for idea in ideas[: n % 3 + 1]:
            services.idea_support(actor=fan, idea=idea)
            services.idea_support(actor=fan, idea=idea)
    services.idea_merge(actor=None, duplicate=ideas[2], kept=ideas[0])
    for idea in Idea.objects.all():
        assert idea.support_count == Support.objects.filter(idea=idea).count()
    Idea.objects.update(support_count=99)
    services.supports_recount(actor=None, consultation=consultation)
    for idea in Idea.objects.all():
        assert idea.support_count == Support.objects.filter(idea=idea).count()


def test_report_lists_are_capped_and_grouped_by_measure(consultation, resident):
    m1 = Measure.objects.get(version=consultation.version, code="M1")
    for n in range(5):
        idea = post_idea(consultation, resident, title=f"იდეა {n}")
        services.idea_answer(actor=None, idea=idea, status=AnswerStatus.TAKEN_UP, measure=m1)
    answers = selectors.report_answers(consultation, limit=3)
    assert len(answers["taken_up"]) == 3
    assert answers["by_target"] == [{"code": "M1", "title": m1.title_en, "count": 5, "is_measure": True}]
    assert selectors.ideas_list(consultation, answer="taken_up").count() == 5
    assert selectors.ideas_list(consultation, answer="merged").count() == 0


def test_no_comments_on_an_unpublished_draft(consultation, resident):
    from sopeli.strategy import services as strategy_services

    strategy_services.strategy_version_reopen(actor=None, version=consultation.version)
    consultation.refresh_from_db()
    with pytest.raises(ValidationError, match="not published yet"):
        services.comment_post(actor=resident, consultation=consultation, section="vision", text="კარგია")
