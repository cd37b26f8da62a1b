"""Submissions racing each other in real threads and transactions: on-time ones accepted exactly once
(double clicks included), numbers unique and gapless, late ones refused, no other error.

Runs on PostgreSQL (row locks): ``DATABASE_URL`` pointing at one, as ``.ci/run`` does. Skipped on
SQLite: the test database there is an in-memory shared cache, whose table locks fail at once
instead of waiting (the file database of a real deployment waits, with WAL and busy_timeout).
"""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from sopeli.grants.models import Application, Call
from sopeli.grants.services import applications as apps
from sopeli.grants.testing import published_call, ready_application
from sopeli.grants.workflow import ApplicationStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_concurrent_submissions_in_the_last_seconds(lag):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set DATABASE_URL); SQLite's in-memory test database cannot wait for locks")
    on_time_count, late_count = 40, 10
    deadline = timezone.now().replace(microsecond=0) + timedelta(days=1)
    call = published_call(lag)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    call.refresh_from_db()
    on_time = [ready_application(call) for _ in range(on_time_count)]
    late = [ready_application(call) for _ in range(late_count)]
    jobs = [(a, deadline - timedelta(milliseconds=10 * n)) for n, a in enumerate(on_time)]
    jobs += jobs[: on_time_count // 2]  # double clicks: the same application submitted twice at once
    jobs += [(a, deadline + timedelta(seconds=1, milliseconds=n)) for n, a in enumerate(late)]
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def run(app, now):
        try:
            barrier.wait()
            done = apps.application_submit(actor=app.applicant, application=app, now=now)
            results.append((app.pk, done.number))
        except ValidationError as exc:
            results.append((app.pk, exc.code if hasattr(exc, "code") else "invalid"))
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    submitted = Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
    assert sorted(submitted.values_list("number", flat=True)) == list(range(1, on_time_count + 1))
    assert set(submitted.values_list("pk", flat=True)) == {a.pk for a in on_time}
    assert not Application.objects.filter(pk__in=[a.pk for a in late]).exclude(status=ApplicationStatus.DRAFT).exists()
    late_results = [r for pk, r in results if pk in {a.pk for a in late}]
    assert late_results == ["late"] * late_count
    # a double click returned the same number as the first click
    by_app = {}
    for pk, number in results:
        if isinstance(number, int):
            by_app.setdefault(pk, set()).add(number)
    assert all(len(numbers) == 1 for numbers in by_app.values())
    print(f"{connection.vendor}: {on_time_count} on time accepted once each (+{on_time_count // 2} double clicks), "
          f"{late_count} late refused, 0 errors")
