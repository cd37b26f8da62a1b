"""The timed duties run by the worker's scheduler: declared once, scheduled after migrate, each run
recorded and shown to the manager, every one idempotent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from sopeli.core import duties
from sopeli.core.models import DutyRun
from sopeli.grants.services.calls import CLOSING_GRACE
from sopeli.grants.testing import published_call
from sopeli.grants.workflow import CallStatus
from sopeli.testing.factories import PERSONAS

pytestmark = pytest.mark.django_db


def test_every_duty_is_scheduled_after_migrate_and_syncing_again_changes_nothing():
    names = set(Schedule.objects.filter(name__startswith="sopeli:").values_list("name", flat=True))
    assert names == {f"sopeli:{d.name}" for d in duties.DUTIES}
    assert duties.schedules_sync() == {"created": 0, "updated": 0, "removed": 0}
    assert Schedule.objects.filter(name__startswith="sopeli:").count() == len(duties.DUTIES)
    reminders = Schedule.objects.get(name="sopeli:report_reminders")
    assert reminders.schedule_type == Schedule.DAILY
    assert timezone.localtime(reminders.next_run).strftime("%H:%M") == "08:00"


def test_an_operator_schedule_is_left_alone_and_a_dropped_duty_is_removed():
    Schedule.objects.create(name="operator: vacuum", func="math.floor", args="1", schedule_type=Schedule.DAILY)
    Schedule.objects.create(name="sopeli:retired", func="sopeli.core.duties.duty_run", args="'retired'")
    assert duties.schedules_sync()["removed"] == 1
    assert Schedule.objects.filter(name="operator: vacuum").exists()


def test_the_scheduler_runs_a_due_duty_through_the_runner():
    from django_q.brokers import get_broker
    from django_q.scheduler import scheduler

    Schedule.objects.filter(name="sopeli:procedures_close").update(next_run=timezone.now() - timedelta(seconds=1))
    scheduler(broker=get_broker())  # tasks run in this process in tests (sync mode)
    run = DutyRun.objects.get(duty="procedures_close")
    assert run.ok and run.counts == {"procedures_closed": 0} and run.finished_at
    assert Schedule.objects.get(name="sopeli:procedures_close").next_run > timezone.now()


def test_a_call_closes_at_its_deadline_once(lag):
    call = published_call(lag)
    from sopeli.grants.models import Call

    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - CLOSING_GRACE - timedelta(seconds=5))
    assert duties.duty_run("grants_due") == {"closed": 1, "received_lists": 1, "fixes_expired": 0}
    assert duties.duty_run("grants_due") == {"closed": 0, "received_lists": 0, "fixes_expired": 0}
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED


def test_a_failing_duty_is_recorded_and_raised_for_the_queue_to_retry(monkeypatch):
    monkeypatch.setattr("sopeli.projects.services.reminders_send", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        duties.duty_run("report_reminders")
    run = DutyRun.objects.get(duty="report_reminders")
    assert not run.ok and "ZeroDivisionError" in run.error and run.finished_at


def test_only_the_latest_runs_are_kept():
    start = timezone.now() - timedelta(days=1)
    DutyRun.objects.bulk_create([DutyRun(duty="outbox", started_at=start + timedelta(minutes=i), ok=True)
                                 for i in range(duties.KEEP_RUNS + 5)])
    duties.duty_run("outbox")
    assert DutyRun.objects.filter(duty="outbox").count() == duties.KEEP_RUNS


@pytest.mark.parametrize("who", PERSONAS)
def test_background_page_by_role(client, lag, persona, who):
    user = persona(who)
    if user:
        client.force_login(user)
    answer = client.get(reverse("core:background", args=[lag.slug]))
    if who == "anonymous":
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    elif who in {"manager", "network_officer"}:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 403


def test_background_page_says_what_ran_and_warns_when_the_worker_stopped(client, lag, persona, monkeypatch, tmp_path):
    # The nightly backup is one of the duties; its own round trip is tested in test_backup.py.
    monkeypatch.setattr("sopeli.core.backup.backup_create", lambda: tmp_path / "sopeli-backup-x.tar.gz")
    client.force_login(persona("manager"))
    page = client.get(reverse("core:background", args=[lag.slug])).content.decode()
    assert "the worker may be stopped" in page  # nothing has run yet
    for duty in duties.DUTIES:
        duties.duty_run(duty.name)
    page = client.get(reverse("core:background", args=[lag.slug])).content.decode()
    assert "the worker may be stopped" not in page
    assert "calls closed: 0" in page and "written procedures closed: 0" in page
    DutyRun.objects.filter(duty="grants_due").update(finished_at=timezone.now() - timedelta(minutes=30))
    page = client.get(reverse("core:background", args=[lag.slug])).content.decode()
    assert page.count("the worker may be stopped") == 1


def test_background_page_costs_the_same_queries_with_many_runs(client, lag, persona, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(persona("manager"))
    url = reverse("core:background", args=[lag.slug])
    client.get(url)
    duties.duty_run("outbox")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    now = timezone.now()
    DutyRun.objects.bulk_create([DutyRun(duty=d.name, started_at=now - timedelta(minutes=i), ok=True, finished_at=now)
                                 for d in duties.DUTIES for i in range(150)])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_duties_command_lists_and_runs(capsys):
    from django.core.management import call_command

    call_command("duties", "run", "grants_due")
    call_command("duties")
    out = capsys.readouterr().out
    assert "grants_due" in out and "ok {'closed': 0" in out
