"""Evaluation, selection and appeal pages: permissions over every persona, drafts never leak, the
evaluator's journey without JavaScript, bad input answered clearly, and query counts that do not grow."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sopeli.accounts.models import Role
from sopeli.grants.models import (
    Appeal,
    Application,
    Assignment,
    Outcome,
    RankingResult,
    ScoreSheet,
    Selection,
)
from sopeli.grants.services import appeals as appeal_services
from sopeli.grants.services import evaluation
from sopeli.grants.testing import ApplicationFactory, published_call
from sopeli.grants.testing_selection import build_s2, score
from sopeli.grants.tests.test_appeals import GROUNDS, decided
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.testing.factories import PERSONAS, UserFactory, give_totp, grant_role

pytestmark = pytest.mark.django_db
D = Decimal
STAFF = {"manager", "network_officer"}


def url(name, lag, *args):
    return reverse(f"grants:{name}", args=[lag.slug, *args])


def login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def res(lag):
    res = decided(lag)
    g = res.apps["G"]
    res.appeal = appeal_services.appeal_file(actor=g.applicant, application=g, grounds=GROUNDS)
    return res


@pytest.mark.parametrize("name", PERSONAS)
def test_private_pages_over_every_persona(client, lag, persona, res, name):
    user = persona(name)
    login(client, user)
    call = res.call
    assigned = Assignment.objects.filter(application=res.apps["A"]).first()
    staff_pages = [url("evaluation_progress", lag, call.pk), url("ranking", lag, call.pk),
                   url("manage_appeals", lag, call.pk), url("manage_appeal", lag, res.appeal.pk),
                   url("ranking", lag, call.pk) + f"?measure={call.call_measures.get().pk}&variant=skip"]
    for page in staff_pages:
        r = client.get(page)
        expected = 302 if name == "anonymous" else 200 if name in STAFF else 403
        assert r.status_code == expected, (page, name)
    r = client.get(url("board_selection", lag, call.pk))
    assert r.status_code == (302 if name == "anonymous" else 200 if name in STAFF | {"board"} else 403), name
    r = client.get(url("evaluations", lag))
    assert r.status_code == (302 if name == "anonymous" else 200 if name in {"evaluator", "board"} else 403), name
    # someone else's assignment: never shown (404 for evaluators, 403 for people without the role)
    r = client.get(url("evaluation", lag, assigned.pk))
    assert r.status_code == (302 if name == "anonymous" else 404 if name in {"evaluator", "board"} else 403), name
    # someone else's scores and appeal: 404 for everybody
    for page in (url("my_scores", lag, res.apps["G"].pk), url("appeal", lag, res.apps["G"].pk)):
        assert client.get(page).status_code == 404, (page, name)
    assert client.get(url("results", lag, call.pk)).status_code == 200
    # every change is for managers only: the network officer reads but gets 403 on POST
    for page, data in ((url("evaluation_progress", lag, call.pk), {"action": "remind"}),
                       (url("ranking", lag, call.pk), {"action": "publish"}),
                       (url("manage_appeal", lag, res.appeal.pk), {"action": "reject", "reason": "No."})):
        r = client.post(page, data)
        assert r.status_code == (302 if name in {"anonymous", "manager"} else 403), (page, name)
    res.appeal.refresh_from_db()
    assert res.appeal.status == ("rejected" if name == "manager" else "filed")


def test_owners_see_their_own_pages(client, lag, res):
    g = res.apps["G"]
    login(client, g.applicant)
    page = client.get(url("my_scores", lag, g.pk)).content.decode()
    assert "Clear plan, costs are realistic" in page and "47.00" in page
    assert "Evaluator 1" in page and res.evaluators[0].full_name not in page  # names hidden by default
    assert "did not reach" not in page  # the reasons read as plain sentences
    assert "Total score 47.00, at least 50.00 are needed." in page
    assert client.get(url("appeal", lag, g.pk)).status_code == 200
    a = Assignment.objects.filter(application=res.apps["A"]).select_related("evaluator").first()
    login(client, a.evaluator)
    assert client.get(url("evaluation", lag, a.pk)).status_code == 200
    assert client.get(url("evaluations", lag)).status_code == 200


def test_applicant_sees_evaluators_names_when_the_call_says_so(client, lag, res):
    res.call.show_evaluator_names = True
    res.call.save(update_fields=["show_evaluator_names"])
    g = res.apps["G"]
    login(client, g.applicant)
    first = Assignment.objects.filter(application=g).order_by("assigned_at", "id").select_related("evaluator").first()
    assert first.evaluator.full_name in client.get(url("my_scores", lag, g.pk)).content.decode()


def test_scores_stay_hidden_before_publication(client, lag):
    s2 = build_s2(lag)
    g = s2.apps["G"]
    login(client, g.applicant)
    page = client.get(url("my_scores", lag, g.pk)).content.decode()
    assert "Clear plan" not in page and "once the results of the call are published" in page
    assert client.get(url("results", lag, s2.call.pk)).status_code == 404


def test_unsubmitted_scores_never_leak(client, lag, res, persona):
    """A draft written during an appeal's re-evaluation is seen by its author only."""
    for n in range(2):
        user = grant_role(UserFactory(full_name=f"Fresh {n}"), lag, Role.EVALUATOR)
        give_totp(user)
        evaluation.pool_add(actor=res.manager, call=res.call, evaluator=user)
    new = appeal_services.appeal_order_reevaluation(actor=res.manager, appeal=res.appeal)
    draft = Assignment.objects.select_related("evaluator", "application__call").get(pk=new[0].pk)
    score(draft, D("33.33"), submit=False, note="SECRET-DRAFT-NOTE")
    other = Assignment.objects.select_related("evaluator", "application__call").get(pk=new[1].pk)
    score(other, D("44.00"))
    assert ScoreSheet.objects.get(assignment=draft).submitted_at is None
    g = res.apps["G"]
    views = [
        (persona("manager"), [url("evaluation_progress", lag, res.call.pk), url("ranking", lag, res.call.pk),
                              url("manage_appeal", lag, res.appeal.pk), url("manage_appeals", lag, res.call.pk)]),
        (persona("board"), [url("board_selection", lag, res.call.pk)]),
        (None, [url("results", lag, res.call.pk), reverse("portal:ledger", args=[lag.slug])
                if _has_url("portal:ledger") else url("results", lag, res.call.pk)]),
        (g.applicant, [url("my_scores", lag, g.pk), url("appeal", lag, g.pk)]),
        (other.evaluator, [url("evaluation", lag, other.pk)]),
    ]
    for user, pages in views:
        login(client, user)
        for page in pages:
            body = client.get(page).content.decode()
            assert "SECRET-DRAFT-NOTE" not in body and "33.33" not in body, page
    login(client, draft.evaluator)
    assert "SECRET-DRAFT-NOTE" in client.get(url("evaluation", lag, draft.pk)).content.decode()


def _has_url(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=["x"])
    except NoReverseMatch:
        return False
    return True


def test_evaluator_journey_without_javascript(client, lag):
    s2 = build_s2(lag, score_apps=False)
    a = Assignment.objects.filter(application=s2.apps["B"]).select_related("evaluator").order_by("id").first()
    login(client, a.evaluator)
    page = client.get(url("evaluation", lag, a.pk)).content.decode()
    assert "Cheese dairy in Arsha" not in page and "I am independent" in page  # content only after the declaration
    r = client.post(url("evaluation", lag, a.pk), {"action": "independent"})
    assert r.status_code == 302
    page = client.get(url("evaluation", lag, a.pk)).content.decode()
    assert "Cheese dairy in Arsha" in page
    crit = {c.code: c.pk for c in s2.call.criteria.all()}
    bad = {"action": "submit", f"points_{crit['C1']}": "99", f"justification_{crit['C1']}": "x"}
    r = client.post(url("evaluation", lag, a.pk), bad)
    assert r.status_code == 200 and "between 0 and 60" in r.content.decode()
    r = client.post(url("evaluation", lag, a.pk), {"action": "bogus"})
    assert r.status_code == 200 and "reload the page" in r.content.decode()
    good = {"action": "submit", f"points_{crit['C1']}": "45.60", f"justification_{crit['C1']}": "Good fit.",
            f"points_{crit['C2']}": "30.40", f"justification_{crit['C2']}": "Will last.",
            f"passed_{crit['E1']}": "yes", f"justification_{crit['E1']}": "In Arsha."}
    assert client.post(url("evaluation", lag, a.pk), good).status_code == 302
    assert client.post(url("evaluation", lag, a.pk), good).status_code == 302  # double submit: once, unchanged
    assert ScoreSheet.objects.filter(assignment=a).count() == 1
    assert ScoreSheet.objects.get(assignment=a).total == D("76.00")
    # conflict through the page: reassigned, back to the queue
    c = Assignment.objects.filter(application=s2.apps["D"], evaluator=a.evaluator).first() or \
        Assignment.objects.filter(application=s2.apps["E"], evaluator=a.evaluator).first()
    if c is not None:
        r = client.post(url("evaluation", lag, c.pk), {"action": "conflict", "reason": ""})
        assert r.status_code == 200 and "what links you" in r.content.decode().lower()
        r = client.post(url("evaluation", lag, c.pk), {"action": "conflict", "reason": "My brother's bakery"})
        assert r.status_code == 302
        assert c.application.assignments.filter(conflict_declared=False).count() == 2


def test_manager_bad_input_is_a_message_not_a_500(client, lag, res):
    login(client, res.manager)
    cm = res.call.call_measures.get()
    for data in ({"action": "compute", "measure": "x"}, {"action": "activate", "measure": str(cm.pk), "added_money": "lots"},
                 {"action": "fix_amount", "result": "abc"}, {"action": "nothing"}, {"action": "to_board", "selection": "1x"}):
        r = client.post(url("ranking", lag, res.call.pk), data)
        assert r.status_code in (200, 404), data
        assert r.status_code != 500
    r = client.post(url("ranking", lag, res.call.pk), {"action": "activate", "measure": str(cm.pk), "added_money": "lots"})
    assert "amount in GEL" in r.content.decode()
    r = client.post(url("evaluation_progress", lag, res.call.pk), {"action": "pool_add", "user": "nope"})
    assert r.status_code == 200 and "Choose a person" in r.content.decode()
    r = client.post(url("manage_appeal", lag, res.appeal.pk), {"action": "reject", "reason": ""})
    assert r.status_code == 200 and "Give the reasons" in r.content.decode()


def test_late_appeal_through_the_page_is_refused_clearly(client, lag, res):
    b = res.apps["B"]
    Application.objects.filter(pk=b.pk)  # B is funded and has not appealed
    res.call.results_published_at = timezone.now() - timezone.timedelta(days=res.call.appeal_days, seconds=1)
    res.call.save(update_fields=["results_published_at"])
    login(client, b.applicant)
    r = client.post(url("appeal", lag, b.pk), {"grounds": GROUNDS})
    assert r.status_code == 200 and "appeal window closed" in r.content.decode()
    assert not Appeal.objects.filter(application=b).exists()


# --- query counts: 1 row vs 30 rows --------------------------------------------------------------


def _apps(call, n, status, start=1):
    now = timezone.now()
    return [ApplicationFactory(call=call, status=status, number=start + i, submitted_at=now) for i in range(n)]


def _count(client, page):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page)
    assert response.status_code == 200, page
    return len(ctx.captured_queries)


@pytest.fixture
def rows_call(lag):
    call = published_call(lag)
    call.status = CallStatus.RESULTS_PUBLISHED
    call.results_published_at = timezone.now()
    call.save(update_fields=["status", "results_published_at"])
    return call


def _fill(call, evaluator, n, start):
    apps = _apps(call, n, ApplicationStatus.UNDER_EVALUATION, start)
    selection, _ = Selection.objects.get_or_create(call=call, call_measure=call.call_measures.get(), run=1,
                                                   defaults={"budget": D(100000), "published_at": timezone.now(),
                                                             "decided_at": timezone.now()})
    for i, app in enumerate(apps):
        a = Assignment.objects.create(application=app, evaluator=evaluator, independence_declared_at=timezone.now())
        Assignment.objects.create(application=app, evaluator=UserFactory())
        ScoreSheet.objects.create(assignment=a, total=D(70), submitted_at=timezone.now())
        RankingResult.objects.create(selection=selection, application=app, rank=start + i, score=D(70), requested=D(1000),
                                     outcome=Outcome.FUNDED if i % 2 else Outcome.RESERVE, awarded_amount=D(1000),
                                     reserve_position=start + i)
        Appeal.objects.create(application=app, grounds=GROUNDS, filed_at=timezone.now(), status="resolved",
                              original_outcome="rejected", new_outcome="reserve")


def test_list_pages_cost_the_same_for_1_and_30_rows(client, lag, persona, rows_call):
    manager = persona("manager")
    evaluator = persona("evaluator")
    pages = {
        manager: [url("evaluation_progress", lag, rows_call.pk), url("ranking", lag, rows_call.pk),
                  url("manage_appeals", lag, rows_call.pk), url("board_selection", lag, rows_call.pk)],
        evaluator: [url("evaluations", lag)],
        None: [url("results", lag, rows_call.pk)],
    }
    _fill(rows_call, evaluator, 1, 1)
    before = {}
    for user, urls in pages.items():
        login(client, user)
        for page in urls:
            before[page] = _count(client, page)
    _fill(rows_call, evaluator, 29, 2)
    for user, urls in pages.items():
        login(client, user)
        for page in urls:
            assert _count(client, page) == before[page], page
