"""`make bench-outbox` (and the end of `make bench`): how fast one worker delivers the outbox.

A throwaway PostgreSQL, migrated; a real SMTP server (aiosmtpd) on a local port; ONE worker
(`manage.py qcluster` with one task process, as a small installation runs it). Then:

(a) throughput: BENCH_OUTBOX_MESSAGES [2000] announcements queued with ``notify`` in one transaction,
    one per recipient; from the commit until the SMTP server has received every one.
(b) latency: BENCH_OUTBOX_SINGLES [200] single messages, each committed in its own transaction at
    BENCH_OUTBOX_RATE [20] per second; for each, the delay from its commit to its arrival at the SMTP
    server (matched by its Message-ID), as p50, p95 and max.

Every message must arrive exactly once; the run exits 1 otherwise. Prints a table and writes it to
bench-results/outbox-<UTC timestamp>.md.
"""

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: PostgreSQL, production environment)

ROOT = bench.ROOT
MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "2000"))
SINGLES = int(os.environ.get("BENCH_OUTBOX_SINGLES", "200"))
RATE = float(os.environ.get("BENCH_OUTBOX_RATE", "20"))
TIMEOUT = 600


class Sink:
    """The SMTP server's side: when each Message-ID arrived (and how often)."""

    def __init__(self):
        self.arrived: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.time()
        header = next((line for line in envelope.content.split(b"\r\n") if line.lower().startswith(b"message-id:")), b"")
        key = header.split(b":", 1)[1].strip().decode() if header else ""
        with self.lock:
            self.arrived.setdefault(key, []).append(now)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.arrived.values())


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def wait_for(sink: Sink, total: int) -> float:
    start = time.time()
    while sink.count() < total and time.time() - start < TIMEOUT:
        time.sleep(0.02)
    return time.time()


def main() -> int:
    from aiosmtpd.controller import Controller

    load_before = os.getloadavg()[0]
    database_url = bench.start_postgres()
    smtp_port = bench.free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {**bench.production_env(database_url, "/tmp/sopeli-outbox-static"),
           "SOPELI_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "SOPELI_EMAIL_HOST": "127.0.0.1", "SOPELI_EMAIL_PORT": str(smtp_port),
           "SOPELI_TASK_WORKERS": "1", "SOPELI_TASK_POLL": "0.1"}
    os.environ.update(env)
    worker = None
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
        import django

        django.setup()
        from django.db import transaction

        from sopeli.notifications.models import Message
        from sopeli.notifications.services import Recipient, notify

        log_path = Path("/tmp") / f"sopeli-outbox-worker-{os.getpid()}.log"
        worker = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "qcluster"], env=env, cwd=ROOT,
                                  stdout=log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        time.sleep(3)  # the cluster forks its task process and starts polling

        def queue(recipients):
            return notify(kind="portal.announcement", recipients=recipients, template="accounts/messages/login_link",
                          context={}, link="/ka/kazbegi/calls/")

        # (a) throughput
        with transaction.atomic():
            queue([Recipient(email=f"resident{i}@bench.example", language="ka") for i in range(MESSAGES)])
        committed = time.time()
        done = wait_for(sink, MESSAGES)
        throughput = MESSAGES / (done - committed)
        bench.log(f"(a) {sink.count()} of {MESSAGES} delivered in {done - committed:.1f} s: {throughput:.0f} messages/s")

        # (b) latency of single messages at a steady rate
        base = sink.count()
        commits: dict[str, float] = {}
        for i in range(SINGLES):
            at = time.time()
            with transaction.atomic():
                row = queue([Recipient(email=f"single{i}@bench.example", language="ka")])[0]
            commits[f"<sopeli-message-{row.pk}@{os.environ.get('SOPELI_MAIL_DOMAIN', 'sopeli.localhost')}>"] = time.time()
            time.sleep(max(0.0, at + 1 / RATE - time.time()))
        wait_for(sink, base + SINGLES)
        delays = [(sink.arrived[k][0] - t) * 1000 for k, t in commits.items() if k in sink.arrived]
        bench.log(f"(b) {len(delays)} of {SINGLES} single messages arrived; p50 {pct(delays, 50):.0f} ms, p95 {pct(delays, 95):.0f} ms")

        expected = MESSAGES + SINGLES
        duplicates = sum(len(v) - 1 for v in sink.arrived.values() if len(v) > 1)
        lost = Message.objects.exclude(status="sent").count()
        ok = sink.count() == expected and duplicates == 0 and lost == 0
        lines = [
            f"# Sopeli outbox benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {'PASS' if ok else 'FAIL'}",
            "",
            f"One worker (qcluster, one task process) on a throwaway PostgreSQL (fsync off); a real SMTP server "
            f"(aiosmtpd) on 127.0.0.1; {os.cpu_count()} CPU cores, load average before/after "
            f"{load_before:.1f}/{os.getloadavg()[0]:.1f}.",
            "",
            "| measure | figure |",
            "|---|---:|",
            f"| (a) {MESSAGES:,} messages queued in one commit: delivered in | {done - committed:.1f} s |",
            f"| (a) throughput of one worker | {throughput:.0f} messages/s |",
            f"| (b) {SINGLES} single messages at {RATE:g}/s: commit → SMTP server, p50 | {pct(delays, 50):.0f} ms |",
            f"| (b) p95 | {pct(delays, 95):.0f} ms |",
            f"| (b) max | {max(delays) if delays else float('nan'):.0f} ms |",
            f"| messages received / expected | {sink.count():,} / {expected:,} |",
            f"| received twice | {duplicates} |",
            f"| not marked sent | {lost} |",
        ]
        report = "\n".join(lines)
        print()
        print(report)
        out = ROOT / "bench-results"
        out.mkdir(exist_ok=True)
        path = out / f"outbox-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md"
        path.write_text(report + "\n", encoding="utf-8")
        bench.log(f"written to {path.relative_to(ROOT)}")
        return 0 if ok else 1
    finally:
        if worker is not None:
            import signal

            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        controller.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        bench.stop_postgres(database_url)


if __name__ == "__main__":
    sys.exit(main())
