"""Appeals: the window to the second, rejection with reasons, re-evaluation by other evaluators, outcome beside the original."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sopeli.accounts.models import Role
from sopeli.core.models import AuditEvent
from sopeli.grants.models import AppealStatus, Assignment, AssignmentRound, Outcome, RankingResult
from sopeli.grants.services import appeals, evaluation, selection
from sopeli.grants.testing_selection import board_for, build_s2, score
from sopeli.grants.workflow import ApplicationStatus
from sopeli.testing.factories import UserFactory, give_totp, grant_role

pytestmark = pytest.mark.django_db
D = Decimal
GROUNDS = "The second criterion was scored without reading the attached business plan, page 4."


def decided(lag):
    from sopeli.grants.tests.test_selection import decide_at_meeting

    res = build_s2(lag)
    cm = res.call.call_measures.get()
    sel = selection.selection_compute(actor=res.manager, call_measure=cm)
    decide_at_meeting(res, sel, board_for(lag))
    selection.selection_decide(actor=res.manager, selection=sel)
    selection.results_publish(actor=res.manager, call=res.call)
    res.call.refresh_from_db()
    for app in res.apps.values():
        app.refresh_from_db()
    return res


@pytest.fixture
def res(lag):
    return decided(lag)


def test_appeal_window_to_the_second(res):
    g = res.apps["G"]
    _opens, deadline = appeals.window(g)
    assert deadline == (res.call.results_published_at + timedelta(days=res.call.appeal_days)).replace(microsecond=0)
    with pytest.raises(ValidationError) as exc:
        appeals.appeal_file(actor=g.applicant, application=g, grounds=GROUNDS, now=deadline + timedelta(seconds=1))
    assert "closed" in " ".join(exc.value.messages)
    appeal = appeals.appeal_file(actor=g.applicant, application=g, grounds=GROUNDS, now=deadline)
    assert appeal.original_outcome == Outcome.REJECTED and appeal.original_score == D("47.00")
    with pytest.raises(ValidationError):
        appeals.appeal_file(actor=g.applicant, application=g, grounds=GROUNDS, now=deadline)
    assert AuditEvent.objects.get(action="grants.appeal_file").is_public


def test_only_the_applicant_with_grounds_and_only_after_a_decision(res, lag):
    g = res.apps["G"]
    with pytest.raises(ValidationError):
        appeals.appeal_file(actor=UserFactory(), application=g, grounds=GROUNDS)
    with pytest.raises(ValidationError) as exc:
        appeals.appeal_file(actor=g.applicant, application=g, grounds="no")
    assert "grounds" in " ".join(exc.value.messages)


def test_rejected_appeal_keeps_the_decision(res):
    a = res.apps["E"]
    appeal = appeals.appeal_file(actor=a.applicant, application=a, grounds=GROUNDS)
    with pytest.raises(ValidationError):
        appeals.appeal_reject(actor=res.manager, appeal=appeal, reason="")
    appeals.appeal_reject(actor=res.manager, appeal=appeal, reason="The scores follow the published criteria.")
    appeal.refresh_from_db()
    a.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and a.status == ApplicationStatus.RESERVE
    with pytest.raises(ValidationError):
        appeals.appeal_order_reevaluation(actor=res.manager, appeal=appeal)


def test_reevaluation_by_other_evaluators_and_the_original_kept(res, lag):
    g = res.apps["G"]
    originals = set(g.assignments.values_list("evaluator_id", flat=True))
    appeal = appeals.appeal_file(actor=g.applicant, application=g, grounds=GROUNDS)
    with pytest.raises(ValidationError) as exc:  # only one evaluator of the pool has not assessed G
        appeals.appeal_order_reevaluation(actor=res.manager, appeal=appeal)
    assert "Not enough evaluators" in " ".join(exc.value.messages)
    for n in range(2):
        user = grant_role(UserFactory(full_name=f"Fresh {n}"), lag, Role.EVALUATOR)
        give_totp(user)
        evaluation.pool_add(actor=res.manager, call=res.call, evaluator=user)
    new = appeals.appeal_order_reevaluation(actor=res.manager, appeal=appeal, reason="The plan was not read.")
    assert len(new) == 2 and not ({a.evaluator_id for a in new} & originals)
    g.refresh_from_db()
    assert g.status == ApplicationStatus.UNDER_EVALUATION
    original = RankingResult.objects.get(application=g)
    original_sheets = list(Assignment.objects.filter(application=g, round=AssignmentRound.ORIGINAL)
                           .values_list("sheet__total", flat=True))
    for assignment, total in zip(new, (D(60), D(62)), strict=True):
        score(Assignment.objects.select_related("evaluator", "application__call").get(pk=assignment.pk), total)
    appeal.refresh_from_db()
    g.refresh_from_db()
    assert appeal.status == AppealStatus.RESOLVED
    assert (appeal.original_outcome, appeal.original_score) == (Outcome.REJECTED, D("47.00"))
    assert (appeal.new_outcome, appeal.new_score) == (Outcome.RESERVE, D("61.00"))
    assert g.status == ApplicationStatus.RESERVE
    assert list(Assignment.objects.filter(application=g, round=AssignmentRound.ORIGINAL)
                .values_list("sheet__total", flat=True)) == original_sheets
    original.refresh_from_db()
    reserve = list(RankingResult.objects.filter(selection=original.selection, outcome=Outcome.RESERVE)
                   .order_by("reserve_position").values_list("application_id", flat=True))
    assert reserve == [res.apps[x].pk for x in "EDGF"]
    assert AuditEvent.objects.get(action="grants.appeal_resolve").is_public


def test_appeal_before_results_is_refused(lag):
    res = build_s2(lag)
    g = res.apps["G"]
    with pytest.raises(ValidationError):
        appeals.appeal_file(actor=g.applicant, application=g, grounds=GROUNDS, now=timezone.now())
