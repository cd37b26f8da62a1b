"""Every consultation page: who may see and change what, hidden posts, private data, exports,
bad input and query counts."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sopeli.consultation import services
from sopeli.consultation.models import AnswerStatus, Comment, Consultation, Idea, Response, Source, Support
from sopeli.consultation.tests.conftest import post_idea
from sopeli.strategy.models import Measure
from sopeli.testing.factories import PERSONAS, UserFactory

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()
CAN_READ = {"manager", "network_officer"}
SECRET_PHONE, SECRET_EMAIL = "+995 599 11 22 33", "secret.person@example.ge"
ABUSE = "ეს არის შეურაცხმყოფელი ტექსტი"


@pytest.fixture
def world(consultation, make_survey, villages):
    """One of everything: an idea, a hidden idea, a quick entry with private contacts, a comment,
    a hidden comment, a meeting, a survey with a response."""
    from sopeli.accounts.models import Role
    from sopeli.testing.factories import give_totp, grant_role

    manager = grant_role(UserFactory(email="boss@example.ge"), consultation.lag, Role.MANAGER)
    give_totp(manager)
    author = UserFactory(full_name="ნინო")
    idea = post_idea(consultation, author, title="საზოგადოებრივი ტრანსპორტი")
    hidden = post_idea(consultation, UserFactory(), title="ცუდი სათაური " + ABUSE, text=ABUSE)
    services.idea_hide(actor=manager, idea=hidden, reason="შეურაცხყოფა")
    quick = services.idea_post(actor=ANON, consultation=consultation, title="წყალი ჯუთაში", text="წყალი სჭირდება",
                               author_name="ეკა", village=villages[1], contact_phone=SECRET_PHONE, contact_email=SECRET_EMAIL)
    comment = services.comment_post(actor=author, consultation=consultation, section="vision", text="ხედვა კარგია")
    hidden_comment = services.comment_post(actor=author, consultation=consultation, section="swot", text=ABUSE)
    services.comment_hide(actor=manager, comment=hidden_comment, reason="შეურაცხყოფა")
    meeting = services.meeting_record(actor=manager, consultation=consultation, data={
        "village": villages[0], "place": "სკოლა", "held_at": timezone.now(), "women": 3, "men": 2, "notes": "კარგი შეხვედრა"})
    survey = make_survey()
    q = list(survey.questions.prefetch_related("choices"))
    services.response_submit(actor=ANON, survey=survey, answers={q[0].pk: q[0].choices.all()[0].pk, q[3].pk: ABUSE})
    return {"consultation": consultation, "idea": idea, "hidden": hidden, "quick": quick, "comment": comment,
            "hidden_comment": hidden_comment, "meeting": meeting, "survey": survey, "manager": manager, "author": author}


def public_urls(w):
    c, slug = w["consultation"], w["consultation"].lag.slug
    return [
        reverse("consultation:list", args=[slug]),
        reverse("consultation:detail", args=[slug, c.pk]),
        reverse("consultation:ideas", args=[slug, c.pk]),
        reverse("consultation:idea", args=[slug, c.pk, w["idea"].pk]),
        reverse("consultation:idea", args=[slug, c.pk, w["hidden"].pk]),
        reverse("consultation:idea", args=[slug, c.pk, w["quick"].pk]),
        reverse("consultation:idea_new", args=[slug, c.pk]),
        reverse("consultation:comments", args=[slug, c.pk]),
        reverse("consultation:survey", args=[slug, c.pk, w["survey"].pk]),
        reverse("consultation:survey_results", args=[slug, c.pk, w["survey"].pk]),
        reverse("consultation:meetings", args=[slug, c.pk]),
        reverse("consultation:report", args=[slug, c.pk]),
    ]


def staff_urls(w):
    c, slug = w["consultation"], w["consultation"].lag.slug
    s = w["survey"].pk
    return {
        "manage_list": reverse("consultation:manage_list", args=[slug]),
        "manage": reverse("consultation:manage", args=[slug, c.pk]),
        "manage_inputs": reverse("consultation:manage_inputs", args=[slug, c.pk]),
        "phase_edit": reverse("consultation:phase_edit", args=[slug, c.pk, c.phases.first().pk]),
        "manage_idea": reverse("consultation:manage_idea", args=[slug, c.pk, w["idea"].pk]),
        "manage_idea_new": reverse("consultation:manage_idea_new", args=[slug, c.pk]),
        "manage_comment": reverse("consultation:manage_comment", args=[slug, c.pk, w["comment"].pk]),
        "manage_comment_new": reverse("consultation:manage_comment_new", args=[slug, c.pk]),
        "manage_meetings": reverse("consultation:manage_meetings", args=[slug, c.pk]),
        "manage_surveys": reverse("consultation:manage_surveys", args=[slug, c.pk]),
        "manage_survey": reverse("consultation:manage_survey", args=[slug, c.pk, s]),
        "survey_paper": reverse("consultation:survey_paper", args=[slug, c.pk, s]),
        "survey_csv": reverse("consultation:survey_export", args=[slug, c.pk, s, "csv"]),
        "survey_xlsx": reverse("consultation:survey_export", args=[slug, c.pk, s, "xlsx"]),
        "inputs_csv": reverse("consultation:inputs_export", args=[slug, c.pk, "csv"]),
        "inputs_xlsx": reverse("consultation:inputs_export", args=[slug, c.pk, "xlsx"]),
    }


def _login(client, persona, who):
    user = persona(who)
    if user:
        client.force_login(user)
    return user


# --- The public reads -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_every_public_page_opens_for_anyone(client, world, lang):
    from django.utils import translation

    with translation.override(lang):
        for url in public_urls(world):
            assert client.get(url).status_code == 200, url


def test_hidden_posts_stay_hidden_everywhere(client, world, persona):
    from sopeli.core.models import AuditEvent

    # The public activity never carries a resident's words (a later hidden post would leak there).
    assert not AuditEvent.objects.filter(is_public=True, summary__contains=ABUSE).exists()
    assert ABUSE not in client.get(reverse("core:lag_home", args=["kazbegi"])).content.decode()
    for url in public_urls(world):
        page = client.get(url).content.decode()
        assert ABUSE not in page, url
    report = client.get(public_urls(world)[-1]).content.decode()
    hidden_page = client.get(reverse("consultation:idea", args=["kazbegi", world["consultation"].pk, world["hidden"].pk])).content.decode()
    assert "Hidden by the moderator" in hidden_page or "მოდერატორ" in hidden_page or "შეურაცხყოფა" in hidden_page
    assert "შეურაცხყოფა" in hidden_page
    assert ABUSE not in report
    # Exports carry the reason only (the survey's free text is not a moderated post and is exported to staff).
    client.force_login(persona("manager"))
    urls = staff_urls(world)
    inputs_csv = client.get(urls["inputs_csv"]).content.decode("utf-8-sig")
    assert ABUSE not in inputs_csv and "შეურაცხყოფა" in inputs_csv
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get(urls["inputs_xlsx"]).content))
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row]
    assert not any(ABUSE in c for c in cells)


def test_no_private_data_on_public_pages_or_exports(client, world, persona):
    for url in public_urls(world):
        page = client.get(url).content.decode()
        assert SECRET_PHONE not in page and SECRET_EMAIL not in page, url
        assert world["author"].email not in page
    client.force_login(persona("manager"))
    urls = staff_urls(world)
    for key in ("inputs_csv", "survey_csv"):
        body = client.get(urls[key]).content.decode("utf-8-sig")
        assert SECRET_PHONE not in body and SECRET_EMAIL not in body and world["author"].email not in body
    # Staff see the contact to confirm the quick entry.
    page = client.get(reverse("consultation:manage_idea", args=["kazbegi", world["consultation"].pk, world["quick"].pk])).content.decode()
    assert SECRET_PHONE in page


def test_unconfirmed_quick_entries_are_marked(client, world):
    from django.utils import translation

    with translation.override("en"):
        url = reverse("consultation:ideas", args=["kazbegi", world["consultation"].pk])
        idea_url = reverse("consultation:idea", args=["kazbegi", world["consultation"].pk, world["quick"].pk])
    assert url.startswith("/en/")
    assert "not yet confirmed" in client.get(url).content.decode()
    assert "not yet confirmed" in client.get(idea_url).content.decode()


# --- Staff pages by role ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", PERSONAS)
def test_staff_pages_by_role(client, world, persona, who):
    _login(client, persona, who)
    for name, url in staff_urls(world).items():
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        elif who in CAN_READ:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name


@pytest.mark.parametrize("who", PERSONAS)
def test_only_managers_moderate_answer_merge_and_record(client, world, persona, who):
    _login(client, persona, who)
    c, slug = world["consultation"], "kazbegi"
    idea, comment = world["idea"], world["comment"]
    measure = Measure.objects.get(version=c.version, code="M1")
    act = lambda *a: reverse("consultation:manage_idea_action", args=[slug, c.pk, *a])  # noqa: E731
    responses = [
        client.post(act(idea.pk, "hide"), {"reason": "spam"}),
        client.post(act(idea.pk, "answer"), {"status": "taken_up", "measure": measure.pk}),
        client.post(act(world["quick"].pk, "confirm")),
        client.post(act(world["quick"].pk, "merge"), {"kept": idea.pk}),
        client.post(reverse("consultation:manage_comment_action", args=[slug, c.pk, comment.pk, "answer"]),
                    {"status": "not_taken_up", "text": "არა"}),
        client.post(reverse("consultation:manage_list", args=[slug]), {"title_ka": "ახალი"}),
        client.post(reverse("consultation:phase_new", args=[slug, c.pk]), {
            "kind": "ideas", "opens_at": "2030-01-01T10:00", "closes_at": "2030-02-01T10:00"}),
        client.post(reverse("consultation:manage_meetings", args=[slug, c.pk]), {
            "village": world["meeting"].village_id, "place": "x", "held_at": "2026-01-01T10:00", "women": 1, "men": 1}),
    ]
    idea.refresh_from_db()
    quick = Idea.objects.get(pk=world["quick"].pk)
    comment.refresh_from_db()
    changed = [idea.is_hidden, idea.answer_status == AnswerStatus.TAKEN_UP, quick.merged_into_id == idea.pk,
               comment.answer_status == AnswerStatus.NOT_TAKEN_UP, Consultation.objects.count() == 2,
               c.phases.count() == 4, c.meetings.count() == 2]
    if who == "manager":
        assert all(changed), changed
        assert all(r.status_code == 302 for r in responses)
    else:
        assert not any(changed), changed
        expected = 302 if who == "anonymous" else 403
        assert all(r.status_code == expected for r in responses), [r.status_code for r in responses]


@pytest.mark.parametrize("who", PERSONAS)
def test_only_managers_enter_paper_responses(client, world, persona, who):
    _login(client, persona, who)
    survey = world["survey"]
    q = list(survey.questions.prefetch_related("choices"))
    before = Response.objects.count()
    client.post(staff_urls(world)["survey_paper"], {
        f"q{q[0].pk}": q[0].choices.all()[1].pk, "paper_reference": "ჯუთა, ფორმა 7", "submission_key": uuid.uuid4()})
    added = Response.objects.count() - before
    assert added == (1 if who == "manager" else 0)
    if who == "manager":
        r = Response.objects.latest("id")
        assert r.source == Source.PAPER and r.paper_reference == "ჯუთა, ფორმა 7"


# --- Residents post, support, comment, answer -------------------------------------------------------------


@pytest.mark.parametrize("who", PERSONAS)
def test_residents_and_visitors_post_ideas(client, consultation, persona, who, villages):
    user = _login(client, persona, who)
    response = client.post(reverse("consultation:idea_new", args=["kazbegi", consultation.pk]), {
        "title": "ტურისტული ბილიკი", "text": "ბილიკის ნიშნები სჭირდება", "village": villages[2].pk,
        "author_name": "სტუმარი", "submission_key": uuid.uuid4()})
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.author == user
    assert idea.confirmed == (user is not None)


def test_double_submit_of_the_idea_form_records_one_idea(client, consultation, villages):
    data = {"title": "ბილიკი", "text": "ნიშნები", "village": villages[0].pk, "author_name": "ანა", "submission_key": uuid.uuid4()}
    url = reverse("consultation:idea_new", args=["kazbegi", consultation.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Idea.objects.count() == 1


def test_support_needs_login_and_counts_once(client, world):
    c, idea = world["consultation"], world["idea"]
    url = reverse("consultation:idea_support", args=["kazbegi", c.pk, idea.pk])
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(url).status_code == 405
    fan = UserFactory()
    client.force_login(fan)
    client.post(url)
    client.post(url)
    assert Support.objects.filter(idea=idea, user=fan).count() == 1
    page = client.get(reverse("consultation:idea", args=["kazbegi", c.pk, idea.pk])).content.decode()
    assert "I support this idea" not in page


def test_comment_on_the_draft_through_the_page(client, world):
    c = world["consultation"]
    url = reverse("consultation:comments", args=["kazbegi", c.pk])
    assert "/accounts/login/" in client.post(url, {"section": "vision", "text": "x"})["Location"]
    client.force_login(UserFactory())
    assert client.post(url, {"section": "measures", "text": "ზომები კარგია", "submission_key": uuid.uuid4()}).status_code == 302
    assert Comment.objects.filter(section="measures").count() == 1


def test_signed_survey_via_the_page_once_per_person(client, consultation, make_survey):
    survey = make_survey(signed=True)
    q = list(survey.questions.prefetch_related("choices"))
    url = reverse("consultation:survey", args=["kazbegi", consultation.pk, survey.pk])
    assert "/accounts/login/" in client.post(url, {f"q{q[0].pk}": q[0].choices.first().pk})["Location"]
    client.force_login(UserFactory())
    data = {f"q{q[0].pk}": q[0].choices.first().pk, f"q{q[2].pk}": "3"}
    assert client.post(url, {**data, "submission_key": uuid.uuid4()}).status_code == 302
    second = client.post(url, {**data, "submission_key": uuid.uuid4()})
    assert second.status_code == 400 and "already answered" in second.content.decode()
    assert survey.responses.count() == 1


# --- Bad input gets a clear answer ------------------------------------------------------------------


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_bad_input_is_answered_clearly(client, world, persona, english):
    c, slug = world["consultation"], "kazbegi"
    r = client.post(reverse("consultation:idea_new", args=[slug, c.pk]), {"title": "", "text": ""})
    assert r.status_code == 400 and "This field is required" in r.content.decode()
    assert client.get(reverse("consultation:ideas", args=[slug, c.pk]) + "?village=abc&theme=&sort=zzz&page=x").status_code == 200
    assert client.get(reverse("consultation:idea", args=[slug, c.pk, 999999])).status_code == 404
    survey = world["survey"]
    q = list(survey.questions.all())
    r = client.post(reverse("consultation:survey", args=[slug, c.pk, survey.pk]), {f"q{q[0].pk}": "999999", f"q{q[2].pk}": "9"})
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()
    client.force_login(persona("manager"))
    r = client.post(reverse("consultation:phase_new", args=[slug, c.pk]), {
        "kind": "ideas", "opens_at": "2030-02-01T10:00", "closes_at": "2030-01-01T10:00"})
    assert r.status_code == 400 and "must close after it opens" in r.content.decode()
    act = lambda *a: reverse("consultation:manage_idea_action", args=[slug, c.pk, *a])  # noqa: E731
    r = client.post(act(world["idea"].pk, "answer"), {"status": "taken_up"})
    assert r.status_code == 400 and "choose the objective or measure" in r.content.decode()
    r = client.post(act(world["idea"].pk, "answer"), {"status": "not_taken_up", "text": ""})
    assert r.status_code == 400 and "write the reason" in r.content.decode()
    r = client.post(act(world["idea"].pk, "hide"), {"reason": ""})
    assert r.status_code == 400
    r = client.post(act(world["idea"].pk, "merge"), {"kept": world["idea"].pk})
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()
    assert client.post(act(world["idea"].pk, "explode")).status_code == 403
    assert client.get(reverse("consultation:survey_export", args=[slug, c.pk, survey.pk, "pdf"])).status_code == 404
    r = client.post(reverse("consultation:manage_survey", args=[slug, c.pk, survey.pk]), {"kind": "single", "text_ka": "ახალი", "choices_ka": "ერთი"})
    assert r.status_code == 400 and "at least two choices" in r.content.decode()


def test_another_lags_consultation_is_not_found(client, world):
    from sopeli.testing.factories import LagFactory

    LagFactory(slug="borjomi")
    assert client.get(reverse("consultation:detail", args=["borjomi", world["consultation"].pk])).status_code == 404


# --- Exports are real files ---------------------------------------------------------------------------


def test_survey_exports_are_real_csv_and_xlsx(client, world, persona):
    client.force_login(persona("network_officer"))
    urls = staff_urls(world)
    response = client.get(urls["survey_csv"])
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["response", "submitted_at", "source"] and len(rows) == 2
    assert {"ტურიზმი", "Tourism"} & set(rows[1])
    from openpyxl import load_workbook

    response = client.get(urls["survey_xlsx"])
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "response" and len(values) == 2 and {"ტურიზმი", "Tourism"} & set(values[1])


# --- Query counts do not grow with rows ------------------------------------------------------------------


def _grow(w, n=30):
    c = w["consultation"]
    survey = w["survey"]
    q = list(survey.questions.prefetch_related("choices"))
    village = w["meeting"].village
    for i in range(n):
        u = UserFactory()
        idea = post_idea(c, u, title=f"იდეა {i}", theme=None)
        services.idea_support(actor=w["author"], idea=idea)
        services.idea_answer(actor=None, idea=idea, status=AnswerStatus.TAKEN_UP, measure=Measure.objects.get(version=c.version, code="M1"))
        services.comment_post(actor=u, consultation=c, section="vision", text=f"კომენტარი {i}")
        services.meeting_record(actor=None, consultation=c, data={"village": village, "place": f"ადგილი {i}", "held_at": timezone.now(), "women": 1, "men": 1})
        services.response_submit(actor=ANON, survey=survey, answers={q[0].pk: q[0].choices.all()[i % 3].pk, q[2].pk: 1 + i % 5, q[5].pk: village.pk})
        Consultation.objects.create(lag=c.lag, title_ka=f"კონსულტაცია {i}")


def test_list_pages_cost_the_same_for_1_and_30_rows(client, world, persona, django_assert_num_queries):
    manager = persona("manager")
    client.force_login(manager)
    urls = public_urls(world) + [staff_urls(world)[k] for k in ("manage_list", "manage", "manage_inputs", "manage_meetings", "manage_surveys")]
    urls = [u for u in urls if "/new/" not in u]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    _grow(world)
    for url in urls:
        with django_assert_num_queries(counts[url], info=url):
            assert client.get(url).status_code == 200


def test_manager_closes_a_phase_early_and_posting_stops(client, world, persona, english):
    c = world["consultation"]
    phase = c.phases.get(kind="ideas")
    client.force_login(world["manager"])
    past = timezone.localtime(timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    opens = timezone.localtime(phase.opens_at).strftime("%Y-%m-%dT%H:%M")
    r = client.post(reverse("consultation:phase_edit", args=["kazbegi", c.pk, phase.pk]),
                    {"kind": "ideas", "opens_at": opens, "closes_at": past})
    assert r.status_code == 302
    client.logout()
    r = client.post(reverse("consultation:idea_new", args=["kazbegi", c.pk]), {
        "title": "გვიან", "text": "გვიან", "village": world["meeting"].village_id, "author_name": "ანა"})
    assert r.status_code == 400 and "phase is closed" in r.content.decode()
    assert "Ideas are not being collected now" in client.get(reverse("consultation:ideas", args=["kazbegi", c.pk])).content.decode()


def test_staff_record_a_paper_comment_even_after_the_phase(client, world):
    c = world["consultation"]
    c.phases.filter(kind="comments").update(closes_at=timezone.now() - timedelta(days=1), opens_at=timezone.now() - timedelta(days=5))
    client.force_login(world["manager"])
    r = client.post(reverse("consultation:manage_comment_new", args=["kazbegi", c.pk]), {
        "source": "paper", "author_name": "გოჩა", "village": world["meeting"].village_id, "section": "measures",
        "text": "ქაღალდზე დაწერილი შენიშვნა", "submission_key": uuid.uuid4()})
    assert r.status_code == 302
    comment = Comment.objects.get(text="ქაღალდზე დაწერილი შენიშვნა")
    assert comment.source == Source.PAPER and comment.author is None and comment.author_name == "გოჩა"
