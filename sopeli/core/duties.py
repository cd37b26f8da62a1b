"""The timed duties of a LAG, run by the worker's scheduler (django-q2's ``Schedule`` rows), never by cron.

Each duty is declared here once: a name, what it does in words, the function, how often. Every run
goes through ``duty_run``, which records a ``DutyRun`` (when, ok or failed, what it did) that the
manager's "Background work" page shows. Every function is idempotent: a second run finds nothing
more to do, so a late, repeated or overlapping run changes nothing.

``schedules_sync`` keeps the ``Schedule`` table in step with this list; it runs after every
``migrate`` (the post_migrate hook in ``sopeli/core/apps.py``: the one moment every install and
upgrade passes through, before any worker starts).
"""

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

TBILISI = ZoneInfo("Asia/Tbilisi")
PREFIX = "sopeli:"
KEEP_RUNS = 200


@dataclass(frozen=True)
class Duty:
    name: str
    label: str
    function: str  # dotted path; it returns a dict of counts, a list or a number
    every_minutes: int | None = None
    daily_at: dt.time | None = None  # Asia/Tbilisi
    count_name: str = "done"  # what a bare number or list counts

    @property
    def expected_every(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.every_minutes) if self.every_minutes else dt.timedelta(days=1)


DUTIES: tuple[Duty, ...] = (
    Duty("grants_due", _("Close calls at their deadline, publish received lists, expire fix requests"),
         "sopeli.grants.services.checks.due_work", every_minutes=1),
    Duty("procedures_close", _("Close written procedures whose time has ended"),
         "sopeli.governance.services.close_due_procedures", every_minutes=1, count_name="procedures_closed"),
    Duty("outbox", _("Deliver the messages that are due (e-mail, SMS)"),
         "sopeli.notifications.delivery.deliver_due", every_minutes=1),
    Duty("report_reminders", _("Remind grantees of reports that are due"),
         "sopeli.projects.services.reminders_send", daily_at=dt.time(8, 0), count_name="reminders"),
    Duty("login_traces", _("Forget spent login codes and old one-time login links"),
         "sopeli.accounts.phone.login_traces_forget", daily_at=dt.time(3, 30)),
    Duty("backup", _("Back up the database, the files and the public record"),
         "sopeli.core.backup.backup_create", daily_at=dt.time(2, 30), count_name="archive"),
)
BY_NAME = {d.name: d for d in DUTIES}

# What each count means, for the manager's page.
COUNT_LABELS = {
    "closed": _("calls closed"),
    "received_lists": _("received lists published"),
    "fixes_expired": _("fix deadlines expired"),
    "procedures_closed": _("written procedures closed"),
    "sent": _("messages sent"),
    "retrying": _("messages to try again"),
    "failed": _("messages failed"),
    "requeued": _("messages taken back from a stopped worker"),
    "reminders": _("reminders sent"),
    "archive": _("archive"),
    "codes_forgotten": _("login codes forgotten"),
    "links_forgotten": _("login links forgotten"),
}


def _as_counts(duty: Duty, result) -> dict:
    if isinstance(result, dict):
        return {k: v if isinstance(v, int | float | str) else str(v) for k, v in result.items()}
    if isinstance(result, list | tuple):
        return {duty.count_name: len(result)}
    if isinstance(result, int):
        return {duty.count_name: result}
    return {duty.count_name: str(result)} if result is not None else {}


def duty_run(name: str) -> dict:
    """Run one duty now and record the run; re-raises a failure so the task queue records and retries it."""
    from sopeli.core.models import DutyRun

    duty = BY_NAME[name]
    run = DutyRun.objects.create(duty=name, started_at=timezone.now())
    try:
        counts = _as_counts(duty, import_string(duty.function)())
    except Exception as error:
        log.exception("duty %s failed", name)
        DutyRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=False, error=f"{type(error).__name__}: {error}"[:4000])
        raise
    finally:
        _forget_old_runs(name)
    DutyRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=True, counts=counts)
    return counts


def _forget_old_runs(name: str) -> None:
    from sopeli.core.models import DutyRun

    old = DutyRun.objects.filter(duty=name).order_by("-started_at").values_list("pk", flat=True)[KEEP_RUNS:]
    DutyRun.objects.filter(pk__in=list(old)).delete()


def _first_run(duty: Duty, now: dt.datetime) -> dt.datetime:
    if duty.every_minutes:
        return now
    local = now.astimezone(TBILISI)
    at = local.replace(hour=duty.daily_at.hour, minute=duty.daily_at.minute, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


@transaction.atomic
def schedules_sync(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create, update or remove the ``sopeli:…`` schedules so they match ``DUTIES`` (others are left alone)."""
    from django_q.models import Schedule

    now = now or timezone.now()
    existing = {s.name: s for s in Schedule.objects.filter(name__startswith=PREFIX)}
    created = updated = 0
    for duty in DUTIES:
        wanted = {
            "func": "sopeli.core.duties.duty_run", "args": repr(duty.name), "repeats": -1,
            "schedule_type": Schedule.MINUTES if duty.every_minutes else Schedule.DAILY,
            "minutes": duty.every_minutes,
        }
        schedule = existing.pop(PREFIX + duty.name, None)
        if schedule is None:
            Schedule.objects.create(name=PREFIX + duty.name, next_run=_first_run(duty, now), **wanted)
            created += 1
        elif any(getattr(schedule, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(schedule, k, v)
            schedule.next_run = _first_run(duty, now)
            schedule.save()
            updated += 1
    removed = Schedule.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()[0]
    return {"created": created, "updated": updated, "removed": removed}


def duty_overview(now: dt.datetime | None = None) -> list[dict]:
    """Each duty with its last run and whether it looks stopped (for the manager's page and ``duties``)."""
    from django.db.models import Max

    from sopeli.core.models import DutyRun

    now = now or timezone.now()
    # One query a duty (a handful, fixed), each reading one row through the (duty, -started_at) index.
    last = {d.name: DutyRun.objects.filter(duty=d.name).order_by("-started_at").first() for d in DUTIES}
    last_ok = dict(DutyRun.objects.filter(ok=True).values("duty").annotate(m=Max("finished_at")).values_list("duty", "m"))
    rows = []
    for duty in DUTIES:
        run, ok_at = last.get(duty.name), last_ok.get(duty.name)
        # Three missed intervals (at least ten minutes) without a good run: the worker is probably stopped.
        late_after = max(duty.expected_every * 3, dt.timedelta(minutes=10))
        rows.append({
            "duty": duty, "last": run, "last_ok_at": ok_at,
            "counts": [(COUNT_LABELS.get(k, k), v) for k, v in (run.counts.items() if run else [])],
            # A daily duty that never ran may simply not have come round yet.
            "stalled": (now - ok_at > late_after) if ok_at else bool(duty.every_minutes),
        })
    return rows


def sync_after_migrate(sender, **kwargs) -> None:
    schedules_sync()
