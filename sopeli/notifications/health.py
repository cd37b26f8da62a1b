"""Readiness: can this deployment do its work? The database answers, a worker has been seen lately
and the outbox is not backing up. ``/healthz`` stays the trivial liveness check (no database)."""

from datetime import timedelta

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from sopeli.notifications.models import Message, Status, WorkerHeartbeat

# A worker sweeps the outbox every minute; three missed sweeps means none is running.
WORKER_SILENT_AFTER = timedelta(minutes=3)
# The first retry comes within a minute: a message due this long and still unsent is stuck.
OUTBOX_STUCK_AFTER = timedelta(minutes=10)


def readiness(now=None) -> dict:
    now = now or timezone.now()
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as error:  # noqa: BLE001 - reported, not raised: the answer is "not ready"
        return {"ready": False, "checks": {"database": {"ok": False, "error": error.__class__.__name__}}}

    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    worker_age = (now - last_seen).total_seconds() if last_seen else None
    checks["worker"] = {"ok": last_seen is not None and now - last_seen <= WORKER_SILENT_AFTER,
                        "last_seen_seconds_ago": None if worker_age is None else round(worker_age)}

    oldest = Message.objects.filter(status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=now) \
        .aggregate(oldest=Min("next_attempt_at"))["oldest"]
    age = (now - oldest).total_seconds() if oldest else 0
    checks["outbox"] = {"ok": age <= OUTBOX_STUCK_AFTER.total_seconds(), "oldest_due_seconds": round(age)}
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}
