from datetime import timedelta

import pytest
from django.utils import timezone

from sopeli.notifications.models import Message, Status, WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_not_ready_until_a_worker_has_been_seen(client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["worker"] == {"ok": False, "last_seen_seconds_ago": None}
    assert answer.json()["checks"]["database"] == {"ok": True}


def test_ready_with_a_recent_worker_and_a_flowing_outbox(client):
    from sopeli.notifications.delivery import deliver_due

    deliver_due()  # the worker's sweep beats the heart
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json()["ready"] is True


def test_a_silent_worker_or_a_stuck_outbox_is_not_ready(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(name="w1", seen_at=now - timedelta(minutes=5))
    assert client.get("/readyz").json()["checks"]["worker"]["ok"] is False
    WorkerHeartbeat.objects.filter(name="w1").update(seen_at=now)
    Message.objects.create(kind="grants.receipt", channel="email", address="a@example.ge", language="ka",
                           body="x", status=Status.PENDING, next_attempt_at=now - timedelta(minutes=30))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["outbox"]["ok"] is False
    assert answer.json()["checks"]["outbox"]["oldest_due_seconds"] >= 1800
