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
from django.db import connection, connections, transaction
from django.utils import timezone

from sopeli.grants.models import Application, Call, CallCounter
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


def _waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        return cursor.fetchone()[0]


def test_arrived_on_time_but_recorded_after_the_deadline_is_accepted_and_the_late_never_wait(lag):
    """Submissions that arrived on time wait for the numbering lock until after the deadline: accepted, stamped at
    arrival. Late ones and repeats are answered while the lock is still held: they never wait for it."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (set DATABASE_URL)")
    deadline = timezone.now().replace(microsecond=0) - timedelta(seconds=5)  # already past by the server's clock
    call = published_call(lag)
    done = apps.application_submit(actor=(a := ready_application(call)).applicant, application=a,
                                   now=deadline - timedelta(minutes=1))
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    on_time = [ready_application(call) for _ in range(8)]
    late = [ready_application(call) for _ in range(3)]
    arrived = {app.pk: deadline + timedelta(milliseconds=999 - n) for n, app in enumerate(on_time)}
    held, release = threading.Event(), threading.Event()
    results, errors = {}, []

    def hold_the_counter():
        try:
            with transaction.atomic():
                CallCounter.objects.select_for_update().get(call=call)
                held.set()
                release.wait(60)
        finally:
            connections.close_all()

    def submit(app, now):
        try:
            results[app.pk] = apps.application_submit(actor=app.applicant, application=app, now=now).number
        except ValidationError as exc:
            results[app.pk] = exc.code
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_counter)
    holder.start()
    assert held.wait(30)
    waiting = [threading.Thread(target=submit, args=(app, arrived[app.pk])) for app in on_time]
    quick = [threading.Thread(target=submit, args=(app, deadline + timedelta(seconds=1))) for app in late]
    quick.append(threading.Thread(target=submit, args=(done, deadline + timedelta(seconds=2))))  # a retry, answered late
    for t in waiting + quick:
        t.start()
    for t in quick:
        t.join(30)
    # Answered while the counter is still held: the late ones refused, the retry given its submission.
    assert {pk: results.get(pk) for pk in [a.pk for a in late] + [done.pk]} == {**{a.pk: "late" for a in late}, done.pk: 1}
    for _ in range(300):  # every on-time submission is now waiting for the counter
        if _waiting_for_locks() >= len(on_time):
            break
        threading.Event().wait(0.1)
    assert _waiting_for_locks() >= len(on_time)
    assert not any(pk in results for pk in arrived)
    release.set()
    for t in [holder, *waiting]:
        t.join(60)
    assert errors == []
    assert sorted(results[pk] for pk in arrived) == list(range(2, len(on_time) + 2))
    for app in Application.objects.filter(pk__in=arrived):
        assert app.status == ApplicationStatus.SUBMITTED and app.submitted_at == arrived[app.pk]
    assert timezone.now() > deadline + timedelta(seconds=1)  # recorded after the deadline second, by the clock
