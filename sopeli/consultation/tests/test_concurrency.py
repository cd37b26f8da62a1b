"""Requests at the same moment, on PostgreSQL (SQLite serialises writers itself; CI runs both):
the unique constraints decide, so a double click or two tabs never count a support or a signed
survey response twice, and the support counter stays equal to the support rows."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sopeli.consultation import services
from sopeli.consultation.models import Idea, Response, Support
from sopeli.consultation.tests.conftest import post_idea
from sopeli.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises them itself")


def race(fns, *, allowed=()):
    barrier = threading.Barrier(len(fns))
    errors = []

    def run(fn):
        try:
            barrier.wait()
            fn()
        except allowed:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_double_click_on_support_counts_once(postgres_only, consultation, resident):
    idea = post_idea(consultation, resident)
    fan = UserFactory()
    race([lambda: services.idea_support(actor=fan, idea=idea) for _ in range(6)])
    assert Support.objects.filter(idea=idea, user=fan).count() == 1
    assert Idea.objects.get(pk=idea.pk).support_count == 1


def test_many_people_at_once_are_all_counted(postgres_only, consultation, resident):
    idea = post_idea(consultation, resident)
    fans = [UserFactory() for _ in range(6)]
    race([lambda u=u: services.idea_support(actor=u, idea=idea) for u in fans])
    assert Support.objects.filter(idea=idea).count() == 6
    assert Idea.objects.get(pk=idea.pk).support_count == 6


def test_signed_survey_answered_twice_at_once_keeps_one(postgres_only, make_survey, resident):
    survey = make_survey(signed=True)
    q = list(survey.questions.prefetch_related("choices"))
    answers = {q[0].pk: q[0].choices.all()[0].pk}
    race([lambda: services.response_submit(actor=resident, survey=survey, answers=answers) for _ in range(4)],
         allowed=(ValidationError,))
    assert Response.objects.filter(survey=survey, respondent=resident).count() == 1
