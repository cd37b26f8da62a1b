"""`make concurrency`: the deadline and the budget under concurrent load, through the real server on PostgreSQL.

Issue 4's proof, "concurrency on PostgreSQL through the real server":

1. Submissions at the deadline. A published call whose deadline is a few seconds ahead (server clock);
   CONC_APPLICANTS applicants [200] with ready drafts, each logged in (a session made with SessionStore)
   and holding the CSRF token of their review page; CONC_DOUBLES of them [40] double-click (two POSTs at
   the same instant). The POSTs are spread from CONC_BEFORE seconds [2] before the deadline to CONC_AFTER
   [2] after it, each in its own thread, over a connection opened beforehand (as a browser has one open
   since it loaded the form). On time or late is decided by the moment each request was SENT: before the
   end of the deadline second = on time (client and server share this machine's clock). A request sent
   in the last CONC_BOUNDARY_MS [50] ms of that second may reach the server after it, and is then late by
   the server's clock at arrival: those are counted apart, and either answer must agree with the arrival.
   Checked from the HTTP answers and the database: every request sent on time accepted, each application
   exactly once (one number, one audit event, numbers gapless), every late one refused with the
   "deadline" message whose "it is now" is after the deadline second, submitted_at ≤ the deadline second
   for every accepted one, nothing sent after the deadline second accepted (but as the answer to its
   on-time twin), no 5xx. The server judges each request at its arrival (``request.arrived_at``,
   sopeli/core/arrival.py: nginx's stamp, see below), not after it waited for a thread or a lock.
2. Two managers and the budget. A decided selection on another call of the same LAG (budget 100,000:
   ten projects funded at 10,000; a reserve list of 40 at 2,000 each). Two manager sessions each POST
   CONC_MANAGER_REQUESTS [20] reserve activations ("activate", half of them adding 1,000 GEL) all at once,
   while CONC_WITHDRAWALS [4] funded applicants withdraw through their own pages (each withdrawal funds
   the reserve with the money it frees, at once). Checked: no 5xx, the
   money committed never exceeds budget + money added (+ the raise, 0 under the strict rule), the money
   added in the database is exactly what the accepted requests added, no reserve project funded twice,
   the reserve funded in rank order, and no money lost (everything that fits is funded).

3. Messages across two workers, one of them killed. CONC_SERVERS [2] app servers behind nginx and
   CONC_TASK_WORKERS [2] workers (`manage.py qcluster`) share one PostgreSQL; the submission receipts
   (a PDF each, rendered by a worker) go to a real SMTP server (aiosmtpd in this process). Once the
   rush is over and the receipts are being delivered, one worker is killed (SIGKILL, its whole process
   group) and started again a few seconds later; its claimed messages come back after
   SOPELI_OUTBOX_STALE_SECONDS (15 here). Checked: every e-mail in the outbox arrives, none is left
   unsent or failed, and each accepted application got exactly one receipt with its PDF. A duplicate
   is possible in one case only (the kill falls between the SMTP server's "250 OK" and the row's
   update): duplicates are counted and reported, and fail the run, since that window is a few
   milliseconds and a duplicate would mean the claim is not doing its work.

Set-up goes through the services and models in this process; then gunicorn (production settings,
CONC_WORKERS [4] gthread workers × CONC_THREADS [8] threads) serves 127.0.0.1 only, behind nginx as the
README's deployment has it (CONC_PROXY [nginx]; needs `apt-get install nginx-light`): nginx stamps each
request's arrival (`X-Request-Start "t=${msec}"`, trusted by the app here) before it can wait for a
gunicorn thread. CONC_PROXY=none sends the requests to gunicorn directly; the arrival is then stamped by
the first middleware, once a thread has picked the request up. Prints a table and writes it
to bench-results/concurrency-<UTC timestamp>.md; exits 1 if any invariant fails. The PostgreSQL cluster
and gunicorn are stopped on every exit. Helpers shared with `make bench` come from bench/run.py.
"""

from __future__ import annotations

import http.client
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: PostgreSQL, production environment, gunicorn)

ROOT = bench.ROOT
APPLICANTS = int(os.environ.get("CONC_APPLICANTS", "200"))
DOUBLES = int(os.environ.get("CONC_DOUBLES", "40"))
BEFORE = float(os.environ.get("CONC_BEFORE", "2"))
AFTER = float(os.environ.get("CONC_AFTER", "2"))
# A request sent this close to the end of the deadline second may reach the server after it: by the server's
# clock at arrival it is then late. Such requests are counted apart; either answer must match the arrival.
BOUNDARY = float(os.environ.get("CONC_BOUNDARY_MS", "50")) / 1000
WORKERS = os.environ.get("CONC_WORKERS", "2")  # per app server
SERVERS = int(os.environ.get("CONC_SERVERS", "2"))
TASK_WORKERS = int(os.environ.get("CONC_TASK_WORKERS", "2"))
STALE_SECONDS = 15
THREADS = os.environ.get("CONC_THREADS", "8")
PROXY = os.environ.get("CONC_PROXY", "nginx")  # "nginx" (the README's deployment) or "none" (gunicorn alone)
NGINX = os.environ.get("CONC_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
MANAGER_REQUESTS = int(os.environ.get("CONC_MANAGER_REQUESTS", "20"))
WITHDRAWALS = int(os.environ.get("CONC_WITHDRAWALS", "4"))
REQUEST_TIMEOUT = 150  # seconds, per request
BURST_TIMEOUT = 300  # seconds, for a whole burst of threads
FUNDED, FUNDED_GRANT, RESERVE, RESERVE_GRANT, BUDGET = 10, Decimal("10000.00"), 40, Decimal("2000.00"), Decimal("100000.00")
ADDED_PER_REQUEST = Decimal("1000.00")
TBILISI = ZoneInfo("Asia/Tbilisi")
log = bench.log


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 0
    location: str = ""
    cookies: dict = field(default_factory=dict)
    body: str = ""
    sent: float = 0.0  # time.time() just before the request went out
    done: float = 0.0
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.done - self.sent


def send(port: int, method: str, path: str, cookies: dict, form: dict | None = None, *, read_body: bool = False,
         at: float | None = None) -> Answer:
    """One request; with ``at`` (time.time()), connect first and send at that moment, as a browser that has
    its connection open since it loaded the form: ``sent`` is then the moment the request itself goes out."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Host": f"127.0.0.1:{port}"}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    answer = Answer()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        if at is not None:
            conn.connect()
            sleep_until(at)
        answer.sent = time.time()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        answer.done = time.time()
        answer.status = response.status
        answer.location = response.getheader("Location", "")
        for raw in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            answer.cookies.update({k: m.value for k, m in jar.items()})
        if read_body or response.status >= 400:
            answer.body = data.decode("utf-8", "replace")
    except OSError as exc:
        answer.done = time.time()
        answer.error = repr(exc)
    finally:
        conn.close()
    return answer


def csrf_for(port: int, path: str, cookies: dict) -> dict:
    """GET the form page with the session; return the cookies to POST with and the form token."""
    page = send(port, "GET", path, cookies, read_body=True)
    if page.status != 200:
        raise RuntimeError(f"GET {path} answered {page.status} {page.error}")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if not match or "csrftoken" not in page.cookies:
        raise RuntimeError(f"GET {path}: no CSRF form token or cookie")
    return {"cookies": {**cookies, "csrftoken": page.cookies["csrftoken"]}, "token": match.group(1)}


def messages_of(answer: Answer) -> list[str]:
    """The flash messages the server put in the answer's ``messages`` cookie (signed with our key)."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    raw = answer.cookies.get("messages")
    if not raw:
        return []
    return [str(m.message) for m in (CookieStorage(HttpRequest())._decode(raw) or [])]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]


def fire(jobs: list, target) -> None:
    """One thread per job; each sleeps until its own moment (``job["at"]``, time.time()) then calls ``target``."""
    threads = [threading.Thread(target=target, args=(job,), daemon=True) for job in jobs]
    for t in threads:
        t.start()
    stop = time.monotonic() + BURST_TIMEOUT
    for t in threads:
        t.join(max(0.1, stop - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise RuntimeError(f"{sum(t.is_alive() for t in threads)} requests still running after {BURST_TIMEOUT} s")


def sleep_until(at: float) -> None:
    while (left := at - time.time()) > 0:
        time.sleep(min(left, 0.05) if left > 0.06 else left)


# --- set-up (in this process, through services and models) --------------------------------------


def session_cookies(user) -> dict:
    import synthetic

    name, value = synthetic.session_cookie_for(user).split("=", 1)
    return {name: value}


def new_user(email: str, name: str):
    from sopeli.accounts.models import User

    return User.objects.create_user(email, None, full_name=name)


def build_world() -> dict:
    from django.db import transaction
    from django.utils import timezone

    from sopeli.accounts.models import Role
    from sopeli.grants.models import Application, Call, CallCounter, Outcome, RankingResult, Selection, Stage
    from sopeli.grants.testing import published_call, ready_application
    from sopeli.grants.workflow import ApplicationStatus, CallStatus
    from sopeli.testing.factories import LagFactory, SettlementFactory, give_totp, grant_role

    lag = LagFactory(slug="concurrency", name_en="Concurrency LAG", name_ka="კონკურენციის ჯგუფი")
    managers = []
    for n in (1, 2):
        manager = grant_role(new_user(f"manager{n}@concurrency.example", f"Manager {n}"), lag, Role.MANAGER)
        give_totp(manager)
        managers.append(manager)
    # (1) a published call (approved strategy measure, budget, rates, a question and a document) and ready drafts
    call = published_call(lag, actor=managers[0], code="2026/C1")
    drafts = []
    for n in range(APPLICANTS):
        user = new_user(f"applicant{n + 1}@concurrency.example", f"Applicant {n + 1}")
        drafts.append(ready_application(call, user, requested=Decimal("8000.00"), total=Decimal("10000.00"),
                                        title=f"Project {n + 1}", applicant_name=f"Applicant {n + 1}"))
    # (2) another call of the LAG, decided: ten funded at 10,000 fill the 100,000 budget; 40 on the reserve at 2,000
    money_call = published_call(lag, actor=managers[0], code="2026/C2")
    now = timezone.now().replace(microsecond=0)
    Call.objects.filter(pk=money_call.pk).update(status=CallStatus.EVALUATED, opens_at=now - timedelta(days=40),
                                                 closes_at=now - timedelta(days=30))
    CallCounter.objects.filter(call=money_call).update(last_number=FUNDED + RESERVE)
    cm = money_call.call_measures.get()
    cm.budget = BUDGET
    cm.save(update_fields=["budget"])
    village = SettlementFactory(lag=lag)
    with transaction.atomic():
        selection = Selection.objects.create(
            call=money_call, call_measure=cm, run=1, budget=BUDGET, total_funded=FUNDED * FUNDED_GRANT, decided_at=now,
            rules_used={"min_score": "50.00", "tie_breaks": [{"kind": "lower_amount"}], "variant": "strict", "max_raise": None,
                        "min_partial": None, "budget": str(BUDGET), "aggregation": "mean", "divergence_share": None},
        )
        decided = []
        for n in range(FUNDED + RESERVE):
            funded = n < FUNDED
            grant = FUNDED_GRANT if funded else RESERVE_GRANT
            user = new_user(f"grantee{n + 1}@concurrency.example", f"Grantee {n + 1}")
            grant_role(user, lag, Role.APPLICANT)
            app = Application.objects.create(
                lag=lag, call=money_call, measure=cm, stage=Stage.FULL, applicant=user, applicant_type="business",
                applicant_name=f"Grantee {n + 1}", settlement=village, title=f"Funded project {n + 1}", summary="A project.",
                duration_months=12, total_budget=grant * 2, requested_grant=grant, own_contribution=grant,
                status=ApplicationStatus.FUNDED if funded else ApplicationStatus.RESERVE, number=n + 1,
                submitted_at=now - timedelta(days=31, minutes=n), status_changed_at=now, decided_at=now,
                awarded_grant=grant if funded else None,
            )
            RankingResult.objects.create(
                selection=selection, application=app, rank=n + 1, score=Decimal("90.00") - Decimal(n) / 2,
                outcome=Outcome.FUNDED if funded else Outcome.RESERVE, requested=grant,
                proposed_amount=grant if funded else None, awarded_amount=grant if funded else None,
                reserve_position=None if funded else n + 1 - FUNDED,
            )
            decided.append(app)
    return {"lag": lag, "managers": managers, "call": call, "drafts": drafts, "money_call": money_call, "cm": cm,
            "selection": selection, "decided": decided}


# --- (1) submissions at the deadline -------------------------------------------------------------


def submissions(port: int, world: dict) -> dict:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone, translation

    from sopeli.core.models import AuditEvent
    from sopeli.grants.models import Application, Call

    lag, call, drafts = world["lag"], world["call"], world["drafts"]
    with translation.override("en"):
        paths = {a.pk: (reverse("grants:step", args=[lag.slug, a.pk, "review"]), reverse("grants:submit", args=[lag.slug, a.pk]),
                        reverse("grants:my_application", args=[lag.slug, a.pk])) for a in drafts}
    t = time.monotonic()
    forms = {}

    def prepare(app):
        forms[app.pk] = csrf_for(port, paths[app.pk][0], session_cookies(app.applicant))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(prepare, drafts))
    connection.close()
    prepare_seconds = time.monotonic() - t
    log(f"{len(forms)} applicants logged in, review pages fetched with their CSRF tokens in {prepare_seconds:.1f} s")

    # The deadline: a whole second, far enough ahead for every thread to be waiting before the first POST.
    deadline_ts = math.ceil(time.time() + BEFORE + 2.0)
    deadline = datetime.fromtimestamp(deadline_ts, UTC)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    log(f"deadline set to {deadline:%H:%M:%S} UTC ({timezone.localtime(deadline):%H:%M:%S} Tbilisi); "
        f"{APPLICANTS} POSTs + {DOUBLES} double clicks from -{BEFORE:g} s to +{AFTER:g} s")
    doubles = set(range(0, APPLICANTS, max(1, APPLICANTS // DOUBLES))[:DOUBLES]) if DOUBLES else set()
    jobs = []
    for i, app in enumerate(drafts):
        at = deadline_ts - BEFORE + (BEFORE + AFTER) * ((i * 7919) % APPLICANTS) / max(1, APPLICANTS - 1)  # spread, shuffled
        for copy in range(2 if i in doubles else 1):
            jobs.append({"app": app.pk, "copy": copy, "at": at, "path": paths[app.pk][1], "form": forms[app.pk]})

    def post(job):
        form = job["form"]
        job["answer"] = send(port, "POST", job["path"], form["cookies"], {"csrfmiddlewaretoken": form["token"]}, at=job["at"])

    t = time.monotonic()
    fire(jobs, post)
    burst_seconds = time.monotonic() - t

    # Classify every answer.
    late_re = re.compile(r"It is now (.+?): applications can no longer be accepted")
    problems: list[str] = []
    kinds = Counter()
    for job in jobs:
        a: Answer = job["answer"]
        review, _submit, mine = paths[job["app"]]
        job["kind"], job["server_now"] = "error", None
        if a.error or a.status >= 500:
            kinds["5xx / connection error"] += 1
            problems.append(f"application {job['app']}: {a.status or a.error}")
            continue
        target = urlsplit(a.location).path
        msgs = messages_of(a)
        if a.status == 302 and target == mine:
            job["kind"] = "accepted"
        elif a.status == 302 and target == review and (m := next((late_re.search(x) for x in msgs if late_re.search(x)), None)):
            job["kind"] = "late"
            job["server_now"] = datetime.strptime(m.group(1), "%d %B %Y, %H:%M:%S").replace(tzinfo=TBILISI)
        else:
            job["kind"] = "other"
            problems.append(f"application {job['app']}: HTTP {a.status} → {target} {msgs}")
        kinds[job["kind"]] += 1

    # The database.
    by_app = defaultdict(list)
    for job in jobs:
        by_app[job["app"]].append(job)
    rows = {a.pk: a for a in Application.objects.filter(call=call)}
    events = Counter(int(e) for e in AuditEvent.objects.filter(action="grants.application_submit", data__call=call.pk)
                     .values_list("data__application", flat=True))
    accepted_apps = [pk for pk, js in by_app.items() if any(j["kind"] == "accepted" for j in js)]
    refused_apps = [pk for pk, js in by_app.items() if all(j["kind"] == "late" for j in js)]
    submitted = [r for r in rows.values() if r.status == "submitted"]
    numbers = sorted(r.number for r in submitted)
    if numbers != list(range(1, len(submitted) + 1)):
        problems.append(f"numbers are not 1..{len(submitted)} without gaps or repeats: {numbers[:10]}…")
    if {r.pk for r in submitted} != set(accepted_apps):
        problems.append("the submitted applications in the database are not those the server said it accepted")
    for pk in accepted_apps:
        row = rows[pk]
        if events[pk] != 1:
            problems.append(f"application {pk}: {events[pk]} submission events (expected exactly 1)")
        if row.submitted_at.replace(microsecond=0) > deadline:
            problems.append(f"application {pk}: accepted with submitted_at {row.submitted_at:%H:%M:%S.%f} after the deadline")
        if row.submitted_at.timestamp() < min(j["answer"].sent for j in by_app[pk]) - 0.01:
            problems.append(f"application {pk}: submitted_at before the request was sent")
    for pk in refused_apps:
        if rows[pk].status != "draft" or rows[pk].number is not None or events[pk]:
            problems.append(f"application {pk}: refused as late but is {rows[pk].status} / number {rows[pk].number}")
    for job in jobs:
        if job["kind"] == "late" and job["server_now"] <= deadline:
            problems.append(f"application {job['app']}: refused as late at {job['server_now']:%H:%M:%S}, not after the deadline second")
        if job["kind"] == "accepted" and math.floor(job["answer"].sent) > deadline_ts and not any(
                j["kind"] == "accepted" and math.floor(j["answer"].sent) <= deadline_ts for j in by_app[job["app"]]):
            # only a twin sent on time may make a request sent after the deadline second "accepted" (idempotent return)
            rows[job["app"]].refresh_from_db()
            if rows[job["app"]].submitted_at.replace(microsecond=0) > deadline:
                problems.append(f"application {job['app']}: sent after the deadline second and accepted")
    # On time or late by the moment the request was SENT (this machine's clock, the server's too): the deadline
    # second is on time, so "on time" is sent before deadline_ts + 1. Every request sent on time must be
    # accepted, whatever it then waited for; an application is accepted once however many requests it sent.
    def sent_on_time(job) -> bool:
        return job["answer"].sent < deadline_ts + 1 - BOUNDARY

    def sent_at_the_boundary(job) -> bool:
        return deadline_ts + 1 - BOUNDARY <= job["answer"].sent < deadline_ts + 1

    for job in jobs:
        if sent_on_time(job) and job["kind"] != "accepted":
            offset = job["answer"].sent - (deadline_ts + 1)
            problems.append(f"application {job['app']}: sent {-offset:.3f} s before the deadline second ended, "
                            f"answered {job['kind']}" + (f" (server: it is now {job['server_now']:%H:%M:%S})" if job["server_now"] else ""))
    on_time_jobs = [j for j in jobs if sent_on_time(j)]
    boundary_jobs = [j for j in jobs if sent_at_the_boundary(j)]
    late_jobs = [j for j in jobs if not sent_on_time(j) and not sent_at_the_boundary(j)]
    on_time_apps = {j["app"] for j in on_time_jobs}
    late_only_apps = {j["app"] for j in late_jobs} - on_time_apps - {j["app"] for j in boundary_jobs}
    pairs = [js for js in by_app.values() if len(js) == 2]
    collapsed = sum(1 for js in pairs if all(j["kind"] == "accepted" for j in js))
    split_pairs = sum(1 for js in pairs if {j["kind"] for j in js} == {"accepted", "late"})
    sent_on_time_refused = sum(1 for j in on_time_jobs if j["kind"] != "accepted")
    counts = {
        "on_time_requests": len(on_time_jobs), "on_time_apps": len(on_time_apps),
        "on_time_accepted_requests": sum(1 for j in on_time_jobs if j["kind"] == "accepted"),
        "on_time_apps_submitted_once": sum(1 for pk in on_time_apps if rows[pk].status == "submitted" and events[pk] == 1),
        "late_requests": len(late_jobs), "late_apps": len(late_only_apps),
        "late_refused_requests": sum(1 for j in late_jobs if j["kind"] == "late"),
        "late_accepted_as_twin": sum(1 for j in late_jobs if j["kind"] == "accepted"),
        "late_apps_still_drafts": sum(1 for pk in late_only_apps if rows[pk].status == "draft"),
        "boundary_requests": len(boundary_jobs),
        "boundary_accepted": sum(1 for j in boundary_jobs if j["kind"] == "accepted"),
        "boundary_refused": sum(1 for j in boundary_jobs if j["kind"] == "late"),
    }
    lat = [j["answer"].seconds for j in jobs if not j["answer"].error]
    clock_lag = [rows[pk].submitted_at.timestamp() - min(j["answer"].sent for j in by_app[pk]) for pk in accepted_apps]
    # refused: the server's "it is now" is whole seconds, so this is the lag rounded down to the second (a lower bound)
    refused_lag = [j["server_now"].timestamp() - math.floor(j["answer"].sent) for j in jobs if j["kind"] == "late"]
    return {
        "deadline": deadline, "requests": len(jobs), "apps": len(drafts), "doubles": len(pairs), "kinds": kinds,
        "accepted_apps": len(accepted_apps), "refused_apps": len(refused_apps), "collapsed": collapsed, "split_pairs": split_pairs,
        "db_submitted": len(submitted), "db_drafts": sum(1 for r in rows.values() if r.status == "draft"),
        "numbers": f"1–{numbers[-1]}" if numbers else "—", "events": sum(events.values()),
        "sent_on_time_refused": sent_on_time_refused, **counts, "latency": lat, "clock_lag": clock_lag, "refused_lag": refused_lag,
        "first_sent": min(j["answer"].sent for j in jobs) - deadline_ts, "last_sent": max(j["answer"].sent for j in jobs) - deadline_ts,
        "prepare_seconds": prepare_seconds, "burst_seconds": burst_seconds, "problems": problems,
        "last_accepted": max((rows[pk].submitted_at for pk in accepted_apps), default=None),
        "first_refused": min((j["server_now"] for j in jobs if j["kind"] == "late"), default=None),
    }


# --- (2) two managers and the budget --------------------------------------------------------------


def money(port: int, world: dict) -> dict:
    from django.db import connection
    from django.db.models import Sum
    from django.urls import reverse
    from django.utils import translation

    from sopeli.core.models import AuditEvent
    from sopeli.grants.models import Application, Outcome, RankingResult, Selection

    lag, call, cm, decided = world["lag"], world["money_call"], world["cm"], world["decided"]
    with translation.override("en"):
        ranking = reverse("grants:ranking", args=[lag.slug, call.pk])
        withdraw = {a.pk: reverse("grants:withdraw", args=[lag.slug, a.pk]) for a in decided[:WITHDRAWALS]}
    managers = [csrf_for(port, ranking, session_cookies(m)) for m in world["managers"]]
    leavers = {pk: csrf_for(port, path, session_cookies(a.applicant)) for a in decided[:WITHDRAWALS] for pk, path in [(a.pk, withdraw[a.pk])]}
    connection.close()
    start = time.time() + 1.0
    jobs = []
    for m, form in enumerate(managers):
        for n in range(MANAGER_REQUESTS):
            added = ADDED_PER_REQUEST if n % 2 else Decimal("0")
            jobs.append({"who": f"manager {m + 1}", "at": start, "path": ranking, "form": form, "added": added,
                         "data": {"action": "activate", "measure": cm.pk, "added_money": str(added)}})
    for i, (pk, form) in enumerate(leavers.items()):
        jobs.append({"who": "withdrawal", "app": pk, "at": start + 0.05 * i, "path": withdraw[pk], "form": form, "added": Decimal(0),
                     "data": {"reason": "Found other money."}})

    def post(job):
        job["answer"] = send(port, "POST", job["path"], job["form"]["cookies"],
                             {"csrfmiddlewaretoken": job["form"]["token"], **job["data"]}, read_body=True, at=job["at"])

    t = time.monotonic()
    fire(jobs, post)
    burst_seconds = time.monotonic() - t
    # A last, quiet activation spends what a withdrawal that committed after the last activation freed.
    sweep = send(port, "POST", ranking, managers[0]["cookies"], {"csrfmiddlewaretoken": managers[0]["token"], "action": "activate",
                                                                 "measure": cm.pk, "added_money": "0"})
    problems: list[str] = []
    funded_refs: Counter = Counter()
    accepted_added = Decimal(0)
    kinds = Counter()
    for job in [*jobs, {"who": "sweep", "answer": sweep, "added": Decimal(0), "path": ranking}]:
        a: Answer = job["answer"]
        ok = a.status == 302 and not a.error
        kinds[(job["who"].split()[0], "ok" if ok else (f"HTTP {a.status}" if a.status else "connection error"))] += 1
        if not ok:
            said = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', a.body)[:2]
            problems.append(f"{job['who']}: HTTP {a.status} {a.error} {said}")
            continue
        if job["path"] == ranking:
            accepted_added += job["added"]
            for msg in messages_of(a):
                if msg.startswith("Funded from the reserve list:"):
                    funded_refs.update(x.strip().rstrip(".") for x in msg.split(":", 1)[1].split(","))
    twice = [ref for ref, n in funded_refs.items() if n > 1]
    if twice:
        problems.append(f"reserve projects funded by more than one activation: {twice}")

    selection = Selection.objects.get(pk=world["selection"].pk)
    funded_apps = Application.objects.filter(call=call, status="funded")
    funded_sum = funded_apps.aggregate(s=Sum("awarded_grant"))["s"] or Decimal(0)
    results_sum = RankingResult.objects.filter(selection=selection, outcome=Outcome.FUNDED).aggregate(s=Sum("awarded_amount"))["s"] or 0
    audit_added = sum((Decimal(e) for e in AuditEvent.objects.filter(action="grants.reserve_activate", data__call=call.pk)
                       .values_list("data__added_money", flat=True)), Decimal(0))
    ceiling = selection.budget + selection.added_money + selection.allocation_raise
    withdrawn = Application.objects.filter(call=call, status="withdrawn").count()
    if funded_sum > ceiling:
        problems.append(f"OVER-COMMITTED: {funded_sum} funded > budget {selection.budget} + added {selection.added_money} "
                        f"+ raise {selection.allocation_raise}")
    if not (funded_sum == results_sum == selection.total_funded):
        problems.append(f"the money funded disagrees: applications {funded_sum}, ranking results {results_sum}, "
                        f"selection {selection.total_funded}")
    if selection.added_money != accepted_added or audit_added != accepted_added:
        problems.append(f"money added: {accepted_added} accepted over HTTP, {selection.added_money} on the selection, "
                        f"{audit_added} in the audit trail")
    if selection.allocation_raise:
        problems.append(f"an allocation raise of {selection.allocation_raise} under the strict rule")
    freed = withdrawn * FUNDED_GRANT
    expected_k = min(RESERVE, int((freed + selection.added_money) // RESERVE_GRANT))
    expected_sum = (FUNDED - withdrawn) * FUNDED_GRANT + expected_k * RESERVE_GRANT
    activated = list(RankingResult.objects.filter(selection=selection, outcome=Outcome.FUNDED, rank__gt=FUNDED)
                     .order_by("rank").values_list("rank", flat=True))
    if funded_sum != expected_sum:
        problems.append(f"money lost or double-spent: {funded_sum} funded, {expected_sum} expected "
                        f"({withdrawn} withdrawn, {selection.added_money} added)")
    if activated != list(range(FUNDED + 1, FUNDED + 1 + len(activated))):
        problems.append(f"the reserve was not funded in rank order: ranks {activated}")
    if withdrawn != WITHDRAWALS:
        problems.append(f"{withdrawn} withdrawals recorded, {WITHDRAWALS} sent")
    if RankingResult.objects.filter(selection=selection, application__status="withdrawn").exclude(outcome=Outcome.WITHDRAWN).exists():
        problems.append("a withdrawn application keeps a funded or reserve outcome")
    lat = [j["answer"].seconds for j in jobs if not j["answer"].error]
    return {
        "requests": len(jobs), "kinds": kinds, "budget": selection.budget, "added": selection.added_money,
        "raise": selection.allocation_raise, "funded_sum": funded_sum, "ceiling": ceiling, "expected_sum": expected_sum,
        "activated": len(activated), "withdrawn": withdrawn, "funded_refs": sum(funded_refs.values()),
        "latency": lat, "burst_seconds": burst_seconds, "problems": problems,
        "remaining_free": ceiling - funded_sum,
    }


# --- report ------------------------------------------------------------------------------------


def ms(values: list[float], p: float) -> str:
    return f"{pct(values, p) * 1000:.0f}" if values else "—"


def render(sub: dict, mon: dict, total_seconds: float, load_before: float) -> str:
    deadline = sub["deadline"]
    ok = not sub["problems"] and not mon["problems"]
    k = sub["kinds"]
    lines = [
        f"# Sopeli concurrency proof, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {'PASS' if ok else 'FAIL'}",
        "",
        ("nginx in front (stamps X-Request-Start on arrival), " if PROXY == "nginx" else
         "no front proxy (arrival stamped by the first middleware), ") +
        f"{SERVERS} app servers of gunicorn {WORKERS} gthread workers × {THREADS} threads and {TASK_WORKERS} workers (qcluster) on 127.0.0.1, production settings (DEBUG off), throwaway "
        f"PostgreSQL (fsync off); {os.cpu_count()} CPU cores, load average before/after {load_before:.1f}/{os.getloadavg()[0]:.1f}.",
        "",
        f"## 1. Submissions at the deadline ({deadline:%H:%M:%S} UTC, {deadline.astimezone(TBILISI):%H:%M:%S} Tbilisi)",
        "",
        "| what | count |",
        "|---|---:|",
        f"| applicants with a ready draft | {sub['apps']} |",
        f"| POSTs fired (incl. {sub['doubles']} double clicks, two at the same instant) | {sub['requests']} |",
        f"| sent from … to … (seconds from the deadline) | {sub['first_sent']:+.2f} … {sub['last_sent']:+.2f} |",
        f"| answers: accepted (302 → the application) | {k['accepted']} |",
        f"| answers: refused as late (302 → review, \"the deadline was …\") | {k['late']} |",
        f"| answers: anything else | {k['other']} |",
        f"| answers: 5xx or connection error | {k['5xx / connection error']} |",
        f"| applications accepted (by HTTP) / submitted (database) | {sub['accepted_apps']} / {sub['db_submitted']} |",
        f"| applications refused as late (by HTTP) / still drafts (database) | {sub['refused_apps']} / {sub['db_drafts']} |",
        f"| double clicks collapsed into one submission (both answers: the same application) | {sub['collapsed']} |",
        f"| double clicks straddling the deadline (one accepted, the later one refused) | {sub['split_pairs']} |",
        f"| submission audit events (one per accepted application) | {sub['events']} |",
        f"| numbers given (unique, no gaps) | {sub['numbers']} |",
        f"| latest accepted submitted_at | {sub['last_accepted'].astimezone(TBILISI):%H:%M:%S.%f} |" if sub["last_accepted"] else "| latest accepted | — |",
        f"| earliest refusal's server clock (\"it is now\") | {sub['first_refused']:%H:%M:%S} |" if sub["first_refused"] else "| earliest refusal | — |",
        f"| **sent on time** (more than {BOUNDARY * 1000:.0f} ms before the end of the deadline second): requests / applications | "
        f"{sub['on_time_requests']} / {sub['on_time_apps']} |",
        f"| … answered accepted: requests / applications submitted exactly once (one number, one event) | "
        f"{sub['on_time_accepted_requests']} / {sub['on_time_apps_submitted_once']} |",
        f"| … refused or anything else (must be 0) | {sub['sent_on_time_refused']} |",
        f"| sent in the last {BOUNDARY * 1000:.0f} ms of the deadline second (may arrive after it): requests — accepted / refused | "
        f"{sub['boundary_requests']} — {sub['boundary_accepted']} / {sub['boundary_refused']} |",
        f"| **sent late**: requests / applications with no request sent on time | {sub['late_requests']} / {sub['late_apps']} |",
        f"| … refused as late: requests / those applications still drafts | {sub['late_refused_requests']} / {sub['late_apps_still_drafts']} |",
        f"| … answered with the submission of an on-time twin (double click) | {sub['late_accepted_as_twin']} |",
        f"| request time p50 / p95 / max (ms) | {ms(sub['latency'], 50)} / {ms(sub['latency'], 95)} / {ms(sub['latency'], 100)} |",
        f"| sent → arrival stamp (submitted_at), accepted, p50 / max (ms) | {ms(sub['clock_lag'], 50)} / {ms(sub['clock_lag'], 100)} |",
        f"| sent → server clock read, refused, p50 / max (whole seconds, a lower bound) | "
        f"{pct(sub['refused_lag'], 50):.0f} / {pct(sub['refused_lag'], 100):.0f} |" if sub["refused_lag"] else "| refused lag | — |",
        f"| burst / preparing sessions and CSRF (s) | {sub['burst_seconds']:.1f} / {sub['prepare_seconds']:.1f} |",
        "",
        "Invariants: every request sent on time accepted (each application once); every accepted submitted_at ≤ the "
        "deadline second; every refusal's server time > the deadline second; nothing sent after the deadline second "
        "accepted (except as its on-time twin's submission); one submission event and one number per accepted application; "
        "the database agrees with every HTTP answer; no 5xx.",
        "",
        "## 2. Two managers activating the reserve of the same measure at once",
        "",
        f"Budget {mon['budget']:,} GEL: {FUNDED} funded at {FUNDED_GRANT:,} (full), {RESERVE} on the reserve at {RESERVE_GRANT:,}, "
        f"strict rule. {MANAGER_REQUESTS} POSTs per manager released together (every other one adds {ADDED_PER_REQUEST:,} GEL), "
        f"{WITHDRAWALS} funded applicants withdrawing during the storm, then one quiet sweep.",
        "",
        "| what | value |",
        "|---|---:|",
        *[f"| answers: {who}, {kind} | {n} |" for (who, kind), n in sorted(mon["kinds"].items())],
        f"| withdrawn | {mon['withdrawn']} |",
        f"| money added (accepted requests = selection = audit trail) | {mon['added']:,} |",
        f"| allocation raise | {mon['raise']:,} |",
        f"| budget + added + raise (the ceiling) | {mon['ceiling']:,} |",
        f"| committed: sum of funded grants | {mon['funded_sum']:,} |",
        f"| expected if every fitting reserve project is funded once | {mon['expected_sum']:,} |",
        f"| reserve projects funded (in rank order) / named in the managers' answers (withdrawals fund the rest) | "
        f"{mon['activated']} / {mon['funded_refs']} |",
        f"| left free (less than one reserve grant) | {mon['remaining_free']:,} |",
        f"| request time p50 / p95 / max (ms); burst (s) | {ms(mon['latency'], 50)} / {ms(mon['latency'], 95)} / "
        f"{ms(mon['latency'], 100)}; {mon['burst_seconds']:.1f} |",
        "",
        "Invariants: committed ≤ budget + added + raise; the selection's total, the ranking results and the applications agree; "
        "money added equals what the accepted requests added; no reserve project funded twice; rank order; nothing lost; no 5xx.",
        "",
        f"## Result: {'PASS — every invariant holds' if ok else 'FAIL'}",
    ]
    for p in sub["problems"][:30] + mon["problems"][:30]:
        lines.append(f"- {p}")
    lines += ["", f"The whole run took {total_seconds:.0f} s."]
    return "\n".join(lines)


def postgres_deadlocks(database_url: str) -> list[str]:
    """The PostgreSQL server log's deadlock reports (with the statements), for the report when something failed."""
    port = database_url.rsplit(":", 1)[1].split("/")[0]
    state = Path(os.environ.get("PG_THROWAWAY_STATE", tempfile.gettempdir())) / f"sopeli-pg-{port}.state"
    try:
        lines = (Path(state.read_text().strip()) / "log").read_text(errors="replace").splitlines()
    except OSError:
        return []
    out = []
    for i, line in enumerate(lines):
        if "deadlock detected" in line:
            out.append(line)
            out += [x for x in lines[i + 1:i + 12] if re.search(r"\b(DETAIL|CONTEXT|STATEMENT|Process \d+)", x)]
    return out


NGINX_CONF = """
{user}worker_processes 1;
daemon off;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/nginx-body;
    proxy_temp_path {scratch}/nginx-proxy;
    fastcgi_temp_path {scratch}/nginx-fastcgi;
    uwsgi_temp_path {scratch}/nginx-uwsgi;
    scgi_temp_path {scratch}/nginx-scgi;
    upstream sopeli {{ {upstream} keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://sopeli;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Request-Start "t=${{msec}}";
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def start_nginx(scratch: str, upstreams: list[int]) -> tuple[subprocess.Popen, int]:
    """nginx in front of the app servers, as the README's deployment has it: it stamps X-Request-Start on arrival."""
    port = bench.free_port()
    conf = Path(scratch) / "nginx.conf"
    servers = " ".join(f"server 127.0.0.1:{p};" for p in upstreams)
    conf.write_text(NGINX_CONF.format(user="user root;\n" if os.geteuid() == 0 else "", scratch=scratch,
                                      upstream=servers, port=port))
    proc = subprocess.Popen([NGINX, "-p", scratch, "-c", str(conf), "-e", f"{scratch}/nginx-error.log"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            if bench.get(port, "/healthz") == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    stop_nginx(proc)
    raise RuntimeError("nginx did not start: " + (Path(scratch) / "nginx-error.log").read_text(errors="replace")[-2000:])


def stop_nginx(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    proc.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- (3) messages across two workers, one killed ---------------------------------------------------


class Sink:
    """The SMTP server's side: each received message by Message-ID, and whether it carries a PDF."""

    def __init__(self):
        self.received: dict[str, list[bool]] = defaultdict(list)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        has_pdf = any(part.get_content_type() == "application/pdf" for part in message.walk())
        with self.lock:
            self.received[message.get("Message-ID", "")].append(has_pdf)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.received.values())


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "qcluster"], env=env, cwd=ROOT,
                            stdout=log_path.open("a"), stderr=subprocess.STDOUT, start_new_session=True)


def kill_group(proc: subprocess.Popen | None, sig=signal.SIGKILL) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def messages(world: dict, sink: Sink, workers: list, env: dict, scratch: str, accepted: int) -> dict:
    """Kill one worker while the receipts are delivered, start it again, wait for the outbox to drain."""
    from django.conf import settings
    from django_q.tasks import async_task

    from sopeli.grants.models import Application
    from sopeli.notifications.models import Message

    call = world["call"]
    started = time.monotonic()
    # Kill once a third of the receipts have arrived (or after 10 s), so some are in flight.
    while sink.count() < max(1, accepted // 3) and time.monotonic() - started < 10:
        time.sleep(0.05)
    killed_after = time.monotonic() - started
    received_at_kill = sink.count()
    kill_group(workers[0])
    time.sleep(3)
    workers[0] = start_worker(env, Path(scratch) / "worker-0.log")
    restarted_after = time.monotonic() - started
    # The dead worker's claims come back after the stale time; ask for a sweep then (the every-minute
    # scheduled sweep would do it too, a little later).
    time.sleep(STALE_SECONDS + 1)
    async_task("sopeli.notifications.delivery.deliver_due", task_name="bench sweep")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if not Message.objects.filter(channel="email", status__in=["pending", "sending"]).exists():
            break
        time.sleep(0.5)
    drained_after = time.monotonic() - started
    domain = settings.SOPELI_MAIL_DOMAIN
    rows = list(Message.objects.filter(channel="email").values("pk", "status", "kind", "attachment_arg"))
    ids = {row["pk"]: f"<sopeli-message-{row['pk']}@{domain}>" for row in rows}
    with sink.lock:
        received = {k: list(v) for k, v in sink.received.items()}
    lost = [pk for pk, mid in ids.items() if mid not in received]
    duplicates = sum(len(v) - 1 for v in received.values() if len(v) > 1)
    unsent = [row["pk"] for row in rows if row["status"] != "sent"]
    submitted = set(Application.objects.filter(call=call, status="submitted").values_list("pk", flat=True))
    receipts = defaultdict(list)
    for row in rows:
        if row["kind"] == "grants.receipt":
            receipts[int(row["attachment_arg"])].append(ids[row["pk"]])
    without_receipt = [pk for pk in submitted if len(receipts.get(pk, [])) != 1]
    without_pdf = [pk for pk in submitted for mid in receipts.get(pk, []) if not any(received.get(mid, []))]
    problems = []
    if lost:
        problems.append(f"{len(lost)} e-mails never reached the SMTP server (ids {lost[:10]})")
    if unsent:
        problems.append(f"{len(unsent)} e-mails not marked sent")
    if duplicates:
        problems.append(f"{duplicates} e-mails received twice")
    if without_receipt:
        problems.append(f"{len(without_receipt)} accepted applications without exactly one receipt message")
    if without_pdf:
        problems.append(f"{len(without_pdf)} receipts arrived without their PDF")
    return {"queued": len(rows), "received": sum(len(v) for v in received.values()), "lost": len(lost),
            "duplicates": duplicates, "unsent": len(unsent), "receipts": sum(len(v) for v in receipts.values()),
            "submitted": len(submitted), "killed_after": killed_after, "received_at_kill": received_at_kill,
            "restarted_after": restarted_after, "drained_after": drained_after, "problems": problems}


def render_messages(msg: dict) -> str:
    return "\n".join([
        "",
        f"## 3. Messages: {SERVERS} app servers, {TASK_WORKERS} workers, one killed and restarted",
        "",
        "| what | count |",
        "|---|---:|",
        f"| e-mails queued in the outbox (receipts, with a PDF each, and the rest) | {msg['queued']} |",
        f"| received by the SMTP server | {msg['received']} |",
        f"| lost (never received) | {msg['lost']} |",
        f"| received twice | {msg['duplicates']} |",
        f"| left unsent or failed | {msg['unsent']} |",
        f"| accepted applications / receipts queued | {msg['submitted']} / {msg['receipts']} |",
        f"| worker killed (SIGKILL) after the rush, at … s, with … received | {msg['killed_after']:.1f} s, {msg['received_at_kill']} |",
        f"| worker started again at | {msg['restarted_after']:.1f} s |",
        f"| outbox drained at | {msg['drained_after']:.1f} s |",
    ])


def main() -> int:
    from aiosmtpd.controller import Controller

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if PROXY == "nginx" and not Path(NGINX).exists():
        print("make concurrency serves through nginx, as a deployment does: apt-get install nginx-light "
              "(or CONC_PROXY=none for gunicorn alone)", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    database_url = bench.start_postgres()
    log(f"PostgreSQL at {database_url}")
    scratch = tempfile.mkdtemp(prefix="sopeli-concurrency-")
    sink = Sink()
    smtp_port = bench.free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {**bench.production_env(database_url, str(Path(scratch) / "static")),
           "SOPELI_MEDIA_ROOT": str(Path(scratch) / "media"), "SOPELI_VAR_DIR": scratch,
           "SOPELI_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "SOPELI_EMAIL_HOST": "127.0.0.1", "SOPELI_EMAIL_PORT": str(smtp_port),
           "SOPELI_OUTBOX_STALE_SECONDS": str(STALE_SECONDS), "SOPELI_TASK_POLL": "0.2",
           # Behind nginx the arrival is nginx's stamp (gunicorn listens on 127.0.0.1, reached only through it here).
           "SOPELI_TRUST_REQUEST_START": "true" if PROXY == "nginx" else "false"}
    os.environ.update(env)
    servers, workers, proxy = [], [], None
    try:
        bench.migrate_and_collect(env)
        import django

        django.setup()
        from django.db import connection

        t = time.monotonic()
        world = build_world()
        connection.close()
        log(f"set up in {time.monotonic() - t:.1f} s: {APPLICANTS} ready drafts, a decided selection of "
            f"{FUNDED} funded + {RESERVE} reserve, two managers")
        ports = []
        for n in range(SERVERS):
            port = bench.free_port()
            servers.append(bench.start_gunicorn(env, port, WORKERS, THREADS, Path(scratch) / f"gunicorn-{n}.log"))
            ports.append(port)
        log(f"{SERVERS} app servers (gunicorn {WORKERS}×{THREADS}) on 127.0.0.1:{','.join(map(str, ports))}")
        workers = [start_worker(env, Path(scratch) / f"worker-{n}.log") for n in range(TASK_WORKERS)]
        log(f"{TASK_WORKERS} workers (qcluster); SMTP server on 127.0.0.1:{smtp_port}")
        port = ports[0]
        if PROXY == "nginx":
            proxy, port = start_nginx(scratch, ports)
            log(f"nginx on 127.0.0.1:{port} in front (X-Request-Start \"t=${{msec}}\")")
        sub = submissions(port, world)
        log(f"submissions: {dict(sub['kinds'])}; {len(sub['problems'])} problems")
        msg = messages(world, sink, workers, env, scratch, sub["accepted_apps"])
        log(f"messages: {msg['received']} received of {msg['queued']}; {len(msg['problems'])} problems")
        mon = money(port, world)
        log(f"managers: committed {mon['funded_sum']} of {mon['ceiling']}; {len(mon['problems'])} problems")
        report = render(sub, mon, time.monotonic() - started, load_before) + "\n" + render_messages(msg)
        failed = sub["problems"] or mon["problems"] or msg["problems"]
        if msg["problems"]:
            report += "\n\nMessage problems:\n\n" + "\n".join(f"- {p}" for p in msg["problems"])
        if failed:
            for n in range(SERVERS):
                tail = (Path(scratch) / f"gunicorn-{n}.log").read_text(errors="replace").strip().splitlines()[-20:]
                report += f"\n\ngunicorn {n} log (last lines):\n\n```\n" + "\n".join(tail) + "\n```"
            deadlocks = postgres_deadlocks(database_url)
            if deadlocks:
                report += "\n\nPostgreSQL's deadlock reports:\n\n```\n" + "\n".join(deadlocks[:60]) + "\n```"
        print()
        print(report)
        out_dir = ROOT / "bench-results"
        out_dir.mkdir(exist_ok=True)
        out = out_dir / f"concurrency-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md"
        out.write_text(report + "\n", encoding="utf-8")
        log(f"written to {out.relative_to(ROOT)}")
        return 1 if failed else 0
    finally:
        stop_nginx(proxy)
        for server in servers:
            bench.stop_gunicorn(server)
        for worker in workers:
            kill_group(worker, signal.SIGTERM)
        controller.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        bench.stop_postgres(database_url)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
