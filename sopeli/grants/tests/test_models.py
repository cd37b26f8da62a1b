"""Database constraints of the grants data model: the invariants hold even if a service forgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sopeli.grants import workflow
from sopeli.grants.models import Application, CallAidRate, Criterion
from sopeli.grants.testing import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def _fails(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_call_limits_and_dates_are_checked_by_the_database(lag):
    call = CallFactory(lag=lag)
    _fails(lambda: CallFactory(lag=lag, code=call.code))
    _fails(lambda: CallFactory(lag=lag, min_grant=Decimal(10), max_grant=Decimal(5)))
    _fails(lambda: CallFactory(lag=lag, closes_at=call.opens_at - timedelta(seconds=1)))
    _fails(lambda: CallFactory(lag=lag, has_idea_stage=True, ideas_close_at=None))
    _fails(lambda: CallAidRate.objects.create(call=call, applicant_type="ngo", max_rate=Decimal("100.01")))
    _fails(lambda: Criterion.objects.create(call=call, code="X", kind="scored", title="x", max_points=None))
    _fails(lambda: Criterion.objects.create(call=call, code="Y", kind="scored", title="y", max_points=10, min_points=11))


def test_application_numbers_money_and_states(lag):
    app = ApplicationFactory(call__lag=lag)
    assert app.status == workflow.ApplicationStatus.DRAFT and app.number is None
    # submitted without a number is refused
    _fails(lambda: Application.objects.filter(pk=app.pk).update(status="submitted"))
    now = timezone.now()
    Application.objects.filter(pk=app.pk).update(status="submitted", number=1, submitted_at=now)
    other = ApplicationFactory(call=app.call, measure=app.measure)
    _fails(lambda: Application.objects.filter(pk=other.pk).update(status="submitted", number=1, submitted_at=now))
    _fails(lambda: Application.objects.filter(pk=other.pk).update(total_budget=10, requested_grant=11))
    _fails(lambda: Application.objects.filter(pk=other.pk).update(own_contribution=-1))


def test_workflow_table_refuses_unknown_moves_and_wrong_roles():
    from django.core.exceptions import ValidationError

    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, "draft", "submit", role="owner")
    assert move.target == "submitted"
    with pytest.raises(ValidationError):
        workflow.transition(workflow.APPLICATION_TRANSITIONS, "funded", "submit")
    with pytest.raises(ValidationError):
        workflow.transition(workflow.APPLICATION_TRANSITIONS, "submitted", "declare_eligible", role="owner")
    assert {t.action for t in workflow.transitions_from(workflow.APPLICATION_TRANSITIONS, "funded")} >= {"withdraw"}
