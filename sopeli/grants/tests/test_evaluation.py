"""Evaluation services: pool, balanced assignment without conflicts or links, independence, score sheets."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sopeli.accounts.models import Role
from sopeli.grants.models import Assignment, AssignmentRound
from sopeli.grants.selectors import evaluation as selectors
from sopeli.grants.services import evaluation
from sopeli.grants.testing_selection import build_s2, score
from sopeli.grants.workflow import ApplicationStatus
from sopeli.testing.factories import MemberFactory, UserFactory, give_totp, grant_role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def s2_open(lag):
    """S2 with the evaluators assigned but nothing scored yet."""
    return build_s2(lag, score_apps=False)


def test_assignment_is_balanced_n_per_application_and_deterministic(s2_open):
    call = s2_open.call
    apps = [a for k, a in s2_open.apps.items() if k != "H"]
    for app in apps:
        app.refresh_from_db()
        assert app.status == ApplicationStatus.UNDER_EVALUATION
        assert app.assignments.filter(round=AssignmentRound.ORIGINAL).count() == 2
    load = Counter(Assignment.objects.filter(application__call=call).values_list("evaluator_id", flat=True))
    assert max(load.values()) - min(load.values()) <= 1 and sum(load.values()) == 14
    assert not s2_open.apps["H"].assignments.exists()
    again = evaluation.evaluation_assign(actor=s2_open.manager, call=call)
    assert again.assigned == 0  # only fills gaps


def test_linked_evaluators_are_never_assigned(lag):
    applicant = UserFactory(email="gela@example.ge", full_name="Gela Applicant")
    # e1 is the applicant; e2 represents the applicant organisation (member record named like the applicant).
    e1 = grant_role(applicant, lag, Role.EVALUATOR)
    e2 = grant_role(UserFactory(full_name="Eka"), lag, Role.EVALUATOR)
    MemberFactory(lag=lag, name="Applicant A", user=e2)
    e3 = grant_role(UserFactory(full_name="Partner Person"), lag, Role.EVALUATOR)
    e4 = grant_role(UserFactory(full_name="Free One"), lag, Role.EVALUATOR)
    e5 = grant_role(UserFactory(full_name="Free Two"), lag, Role.EVALUATOR)
    for u in (e1, e2, e3, e4, e5):
        give_totp(u)
    res = build_s2(lag, evaluators=[e1, e2, e3, e4, e5], applicants={"A": applicant}, score_apps=False)
    a = res.apps["A"]
    a.partners = "Partner Person\nSomeone else"
    a.save(update_fields=["partners"])
    Assignment.objects.filter(application=a).delete()
    evaluation.evaluation_assign(actor=res.manager, call=res.call)
    assigned = set(a.assignments.values_list("evaluator_id", flat=True))
    assert assigned == {e4.pk, e5.pk}
    index = evaluation.LinkIndex.load(lag.pk, [e1.pk, e2.pk, e3.pk, a.applicant_id])
    assert "is the applicant" in evaluation.link_reason(index, e1.pk, a)
    assert "represents" in evaluation.link_reason(index, e2.pk, a)
    assert "named" in evaluation.link_reason(index, e3.pk, a)


def test_conflict_reassigns_automatically_and_content_needs_independence(s2_open):
    a = s2_open.apps["A"].assignments.order_by("id").first()
    with pytest.raises(ValidationError):
        evaluation.sheet_save(actor=a.evaluator, assignment=a, scores={})
    with pytest.raises(ValidationError):
        evaluation.assignment_declare(actor=a.evaluator, assignment=a, independent=False, reason=" ")
    other = UserFactory()
    with pytest.raises(ValidationError):
        evaluation.assignment_declare(actor=other, assignment=a, independent=True)
    evaluation.assignment_declare(actor=a.evaluator, assignment=a, independent=False, reason="My cousin's guesthouse")
    app = s2_open.apps["A"]
    active = app.assignments.filter(conflict_declared=False)
    assert active.count() == 2 and a.evaluator_id not in set(active.values_list("evaluator_id", flat=True))
    with pytest.raises(ValidationError):
        evaluation.assignment_declare(actor=a.evaluator, assignment=a, independent=True)


def test_sheet_draft_submit_once_locked_and_justification_required(s2_open):
    a = s2_open.apps["B"].assignments.select_related("evaluator", "application__call").order_by("id").first()
    evaluation.assignment_declare(actor=a.evaluator, assignment=a, independent=True)
    crit = {c.code: c.pk for c in a.application.call.criteria.all()}
    draft = evaluation.sheet_save(actor=a.evaluator, assignment=a, scores={crit["C1"]: {"points": "40", "justification": ""}})
    assert draft.submitted_at is None
    for bad, words in (({crit["C1"]: {"points": "61"}}, "between 0 and 60"), ({crit["C1"]: {"points": "x"}}, "number"),
                       ({crit["C1"]: {"points": "1.234"}}, "two decimal"), ({999999: {"points": "1"}}, "reload")):
        with pytest.raises(ValidationError) as exc:
            evaluation.sheet_save(actor=a.evaluator, assignment=a, scores=bad)
        assert words in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        evaluation.sheet_save(actor=a.evaluator, assignment=a, scores={}, submit=True)
    assert "justification" in " ".join(exc.value.messages)
    sheet = score(a, D(76))
    assert sheet.total == D("76.00") and sheet.submitted_at
    again = score(a, D(10))  # a double click / retry: the same sheet, unchanged
    assert again.pk == sheet.pk and again.total == D("76.00")
    with pytest.raises(ValidationError):
        evaluation.sheet_save(actor=a.evaluator, assignment=a, scores={crit["C1"]: {"points": "1", "justification": "x"}})


def test_others_scores_only_after_own_submission_and_drafts_never_leak(s2_open):
    first, second = list(s2_open.apps["D"].assignments.select_related("evaluator", "application__call").order_by("id"))
    score(first, D(68), submit=False)  # a draft
    score(second, D(68))
    assert selectors.others_sheets(second) == []  # the other one is a draft
    assert selectors.others_sheets(first) == []  # first has not submitted
    rows = {r["assignment"].pk: r for app in selectors.progress(s2_open.call) for r in app.rows}
    assert rows[first.pk]["total"] is None and rows[first.pk]["state"] == "scoring"
    assert rows[second.pk]["total"] == D("68.00")
    score(first, D(68))
    assert [s["total"] for s in selectors.others_sheets(first)] == [D("68.00")]


def test_divergence_brings_an_extra_evaluator_and_scored_after_it(s2_open):
    c = s2_open.apps["C"]
    first, second = list(c.assignments.select_related("evaluator", "application__call").order_by("id"))
    score(first, D(74))
    score(second, D(50))
    extra = c.assignments.get(round=AssignmentRound.EXTRA)
    c.refresh_from_db()
    assert c.status == ApplicationStatus.UNDER_EVALUATION
    score(Assignment.objects.select_related("evaluator", "application__call").get(pk=extra.pk), D(68))
    c.refresh_from_db()
    assert c.status == ApplicationStatus.SCORED


def test_reminders_go_to_evaluators_with_unfinished_work(s2_open, django_capture_on_commit_callbacks, mailoutbox):
    from sopeli.testing.outbox import outbox_flush

    outbox_flush()  # the assignment messages of the scenario's set-up
    with django_capture_on_commit_callbacks(execute=True):
        n = evaluation.evaluation_remind(actor=s2_open.manager, call=s2_open.call)
    assert n == 3 and len(mailoutbox) == 3
    assert Assignment.objects.filter(application__call=s2_open.call, reminded_at__isnull=False).count() == 14


def test_finish_refused_while_applications_are_being_scored(s2_open):
    with pytest.raises(ValidationError) as exc:
        evaluation.evaluation_finish(actor=s2_open.manager, call=s2_open.call)
    assert "still being checked or scored" in " ".join(exc.value.messages)


def test_pool_only_takes_evaluators_or_board_members(s2_open, lag):
    with pytest.raises(ValidationError):
        evaluation.pool_add(actor=s2_open.manager, call=s2_open.call, evaluator=UserFactory())
    board = grant_role(UserFactory(), lag, Role.BOARD)
    assert evaluation.pool_fill(actor=s2_open.manager, call=s2_open.call, roles=[Role.BOARD]) >= 1
    assert s2_open.call.evaluator_pool.filter(evaluator=board).exists()
