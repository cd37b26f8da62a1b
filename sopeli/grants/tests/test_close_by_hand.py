"""A manager closes a call by hand once its deadline has passed (the worker would within minutes)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sopeli.grants.models import Call
from sopeli.grants.services.calls import CLOSING_GRACE
from sopeli.grants.testing import published_call
from sopeli.grants.workflow import CallStatus
from sopeli.testing.factories import PERSONAS

pytestmark = pytest.mark.django_db


def _past_deadline(lag, ago):
    call = published_call(lag)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - ago)
    return call


@pytest.mark.parametrize("who", PERSONAS)
def test_only_a_manager_closes_a_call(client, lag, persona, who):
    call = _past_deadline(lag, CLOSING_GRACE + timedelta(minutes=1))
    user = persona(who)
    if user:
        client.force_login(user)
    answer = client.post(reverse("grants:manage_close", args=[lag.slug, call.pk]))
    call.refresh_from_db()
    assert (call.status == CallStatus.CLOSED) == (who == "manager")
    assert answer.status_code == (302 if who in {"anonymous", "manager"} else 403)


def test_the_button_appears_after_the_deadline_and_closing_opens_the_evaluation(client, lag, persona):
    manager = persona("manager")
    client.force_login(manager)
    call = _past_deadline(lag, CLOSING_GRACE + timedelta(minutes=1))
    page = client.get(reverse("grants:manage_call", args=[lag.slug, call.pk])).content.decode()
    assert "Close the call now" in page
    answer = client.post(reverse("grants:manage_close", args=[lag.slug, call.pk]), follow=True)
    assert "The call is closed" in answer.content.decode()
    assert "Close the call now" not in answer.content.decode()


def test_before_the_deadline_there_is_no_button_and_a_post_is_refused_clearly(client, lag, persona):
    client.force_login(persona("manager"))
    call = published_call(lag)
    assert "Close the call now" not in client.get(reverse("grants:manage_call", args=[lag.slug, call.pk])).content.decode()
    answer = client.post(reverse("grants:manage_close", args=[lag.slug, call.pk]), follow=True)
    assert answer.status_code == 200 and "The deadline has not passed yet" in answer.content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED


def test_within_the_grace_after_the_deadline_it_says_when_it_can_be_closed(client, lag, persona):
    client.force_login(persona("manager"))
    call = _past_deadline(lag, timedelta(seconds=10))
    answer = client.post(reverse("grants:manage_close", args=[lag.slug, call.pk]), follow=True)
    assert "try again after" in answer.content.decode()
