"""Appeals: the window to the second, rejection with reasons, re-evaluation by other evaluators, outcome beside the original."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sopeli.accounts.models import Role
from sopeli.core.models import AuditEvent
from sopeli.grants.models import AppealStatus, Assignment, AssignmentRound, Outcome, RankingResult
from sopeli.grants.services import appeals, checks, evaluation, selection
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


# --- an appeal against an ineligibility decision (H: "registered outside the territory") ---------

H_REASON = "The applicant is registered outside the territory."


def appeal_h(h):
    """H may appeal from its ineligibility decision on (the window opens there, not at the results)."""
    return appeals.appeal_file(actor=h.applicant, application=h, grounds=GROUNDS, now=h.eligibility.decided_at + timedelta(days=1))


def test_ineligibility_appeal_rejected_with_reasons_keeps_the_decision_and_its_reason(res):
    h = res.apps["H"]
    appeal = appeal_h(h)
    assert (appeal.original_outcome, appeal.original_reason) == (Outcome.INELIGIBLE, H_REASON)
    appeals.appeal_reject(actor=res.manager, appeal=appeal, reason="The registry extract shows an address in Tbilisi.")
    appeal.refresh_from_db()
    h.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and h.status == ApplicationStatus.INELIGIBLE
    assert (appeal.original_outcome, appeal.original_reason, appeal.new_outcome) == (Outcome.INELIGIBLE, H_REASON, Outcome.INELIGIBLE)
    assert h.eligibility.outcome == "ineligible" and h.eligibility.reason == H_REASON


def test_ineligibility_appeal_upheld_reopens_the_check_and_a_new_refusal_stands_beside_the_original(res, client):
    h = res.apps["H"]
    appeal = appeal_h(h)
    assert appeals.appeal_order_reevaluation(actor=res.manager, appeal=appeal, reason="The address was misread.") == []
    h.refresh_from_db()
    assert h.status == ApplicationStatus.SUBMITTED and h.eligibility.outcome == "pending"
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REEVALUATION
    checks.check_decide(actor=res.manager, application=h, eligible=False, reason="The business is registered in Tbilisi.")
    appeal.refresh_from_db()
    h.refresh_from_db()
    assert appeal.status == AppealStatus.RESOLVED and h.status == ApplicationStatus.INELIGIBLE
    assert (appeal.original_outcome, appeal.original_reason) == (Outcome.INELIGIBLE, H_REASON)
    assert (appeal.new_outcome, appeal.new_reason) == (Outcome.INELIGIBLE, "The business is registered in Tbilisi.")
    client.force_login(h.applicant)
    page = client.get(reverse("grants:appeal", args=[h.lag.slug, h.pk])).content.decode()
    assert H_REASON in page and "registered in Tbilisi" in page  # both decisions, side by side


def test_ineligibility_appeal_upheld_after_the_decision_is_scored_and_ranked_into_it(res):
    h = res.apps["H"]
    appeal = appeal_h(h)
    appeals.appeal_order_reevaluation(actor=res.manager, appeal=appeal)
    checks.check_decide(actor=res.manager, application=h, eligible=True)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REEVALUATION  # open until H is scored
    evaluation.evaluation_assign(actor=res.manager, call=res.call)
    assignments = list(Assignment.objects.filter(application=h).select_related("evaluator", "application__call"))
    assert len(assignments) == 2
    for assignment in assignments:
        score(assignment, D(90))
    appeal.refresh_from_db()
    h.refresh_from_db()
    # 90 points ranks H first; the 5,000 left unused by the strict rule is exactly its request.
    assert appeal.status == AppealStatus.RESOLVED
    assert (appeal.original_outcome, appeal.original_reason) == (Outcome.INELIGIBLE, H_REASON)
    assert (appeal.new_outcome, appeal.new_score, appeal.new_amount) == (Outcome.FUNDED, D("90.00"), D("5000.00"))
    assert h.status == ApplicationStatus.FUNDED and h.awarded_grant == D("5000.00")
    sel = RankingResult.objects.get(application=h).selection
    sel.refresh_from_db()
    assert sel.total_funded == D("100000.00")


def test_ineligibility_appeal_upheld_before_the_ranking_makes_it_compete_with_the_others(lag):
    res = build_s2(lag)
    h = res.apps["H"]
    decided_at = h.eligibility.decided_at
    appeal = appeals.appeal_file(actor=h.applicant, application=h, grounds=GROUNDS, now=decided_at + timedelta(days=1))
    appeals.appeal_order_reevaluation(actor=res.manager, appeal=appeal, now=decided_at + timedelta(days=2))
    checks.check_decide(actor=res.manager, application=h, eligible=True, now=decided_at + timedelta(days=3))
    appeal.refresh_from_db()
    h.refresh_from_db()
    assert appeal.status == AppealStatus.RESOLVED and appeal.new_outcome == "eligible"
    assert appeal.get_new_outcome_display() == "eligible" and appeal.original_reason == H_REASON
    assert h.status == ApplicationStatus.ELIGIBLE  # scored with the others next (evaluation_assign)
