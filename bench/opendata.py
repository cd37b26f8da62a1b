"""`make bench-opendata`: the 360Giving exports of 100,000 awarded grants, streamed in bounded memory.

Starts a throwaway PostgreSQL (scripts/pg-throwaway.sh), migrates, bulk-creates the grants (funded
applications of calls whose results are published, a fifth of them with a signed contract and a
payment recorded), then fetches the network-wide 360Giving JSON and CSV and one LAG's IATI file
through the real views (Django's test client, the whole middleware stack, DEBUG off), reading the
streamed body piece by piece without keeping it. Memory: the measuring process's max RSS before
and after each export (seeding runs in a child process, so the baseline is the app alone); with
BENCH_TRACEMALLOC set, each export is fetched again under tracemalloc for the peak of Python
allocations. Prints a table and writes it to bench-results/opendata-<UTC timestamp>.md.

Environment: BENCH_GRANTS [100000] · BENCH_LAGS [10] · BENCH_KEEP_DB [unset] leave PostgreSQL running ·
BENCH_TRACEMALLOC [unset] also fetch each export again under tracemalloc (about ten times slower).
Needs PostgreSQL 15+ server binaries.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRANTS = int(os.environ.get("BENCH_GRANTS", "100000"))
LAGS = int(os.environ.get("BENCH_LAGS", "10"))
TRACEMALLOC = bool(os.environ.get("BENCH_TRACEMALLOC"))
PER_CALL = 1000


def log(message: str) -> None:
    print(f"[bench-opendata {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def seed(total: int, lags: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sopeli.core.models import Lag, Settlement
    from sopeli.grants.models import Application
    from sopeli.grants.testing import CallFactory
    from sopeli.projects.models import Contract, Payment

    User = get_user_model()
    now = timezone.now().replace(microsecond=0)
    users = User.objects.bulk_create([User(email=f"bench{i}@example.invalid", full_name=f"Applicant {i}", password="!")
                                      for i in range(2000)])
    per_lag = total // lags
    apps: list[Application] = []
    slugs = []
    for li in range(lags):
        lag = Lag.objects.create(slug=f"bench{li}", name_ka=f"ჯგუფი {li}", name_en=f"Bench LAG {li}",
                                 municipality_ka="ყაზბეგი", municipality_en="Kazbegi")
        slugs.append(lag.slug)
        villages = Settlement.objects.bulk_create([
            Settlement(lag=lag, name_ka=f"სოფელი {v}", name_en=f"Village {v}", name=f"Village {v}",
                       latitude=Decimal("42.6") + Decimal(v) / 100, longitude=Decimal("44.6") + Decimal(v) / 100)
            for v in range(30)])
        made = 0
        while made < per_lag:
            call = CallFactory(lag=lag, code=f"{2020 + made // PER_CALL}/{li}", status="results_published",
                               published_at=now - timedelta(days=90), results_published_at=now - timedelta(days=30))
            cm = call.call_measures.first()
            for n in range(1, min(PER_CALL, per_lag - made) + 1):
                i = len(apps)
                kind = "person" if i % 4 == 0 else "business"
                apps.append(Application(
                    lag=lag, call=call, measure=cm, applicant=users[i % len(users)], applicant_type=kind,
                    applicant_name=f"Grantee {i}" if kind == "business" else f"გიორგი {i}",
                    settlement=villages[i % len(villages)], title=f"Project {i}: guesthouse rooms",
                    summary="Two new rooms for visitors and a small kitchen.", duration_months=12,
                    total_budget=Decimal("50000.00"), requested_grant=Decimal("40000.00"),
                    own_contribution=Decimal("10000.00"), status="funded", number=n, submitted_at=now - timedelta(days=60),
                    decided_at=now - timedelta(days=31), awarded_grant=Decimal("39500.50"), step=5))
            made += min(PER_CALL, per_lag - made)
    Application.objects.bulk_create(apps, batch_size=5000)
    contracts = []
    for i, app in enumerate(apps):
        if i % 5:
            continue
        contracts.append(Contract(
            lag_id=app.lag_id, application=app, call_id=app.call_id, call_measure_id=app.measure_id,
            grantee_id=app.applicant_id, number=f"C-{i}", grantee_name=app.applicant_name, title=app.title,
            settlement_id=app.settlement_id, applicant_type=app.applicant_type, awarded_grant=app.awarded_grant,
            grant=app.awarded_grant, total_budget=app.total_budget, aid_rate=Decimal("0.79"),
            starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), status="signed", eligibility_ok=True,
            signed_by_grantee_on=date(2026, 1, 1), signed_by_lag_on=date(2026, 1, 1), paid_total=Decimal("15800.20")))
    Contract.objects.bulk_create(contracts, batch_size=5000)
    Payment.objects.bulk_create([Payment(contract=c, paid_on=date(2026, 1, 15), amount=Decimal("15800.20"),
                                         reference=f"TR-{c.number}") for c in contracts], batch_size=5000)
    return {"slugs": slugs, "grants": len(apps), "contracts": len(contracts)}


def fetch(client, path: str) -> tuple[int, int, int]:
    """(status, bytes, pieces) of a streamed answer, reading it piece by piece."""
    response = client.get(path)
    size = pieces = 0
    for piece in response.streaming_content:
        size += len(piece)
        pieces += 1
    response.close()
    return response.status_code, size, pieces


def measure(client, label: str, path: str, expect_grants: int | None) -> dict:
    rss_before = maxrss_mb()
    start = time.perf_counter()
    status, size, pieces = fetch(client, path)
    seconds = time.perf_counter() - start
    rss_after = maxrss_mb()
    peak = None
    if TRACEMALLOC:  # about ten times slower: off by default
        tracemalloc.start()
        fetch(client, path)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    log(f"{label}: {status}, {size / 1e6:.1f} MB in {seconds:.1f} s, max RSS {rss_before:.0f} → {rss_after:.0f} MB"
        + (f", tracemalloc peak {peak / 1e6:.1f} MB" if peak is not None else ""))
    return {"label": label, "path": path, "status": status, "mb": size / 1e6, "pieces": pieces, "seconds": seconds,
            "grants_per_s": (expect_grants / seconds) if expect_grants else None, "peak_mb": peak / 1e6 if peak is not None else None,
            "rss_before": rss_before, "rss_after": rss_after}


def main() -> int:
    started = time.perf_counter()
    database_url = os.environ.get("BENCH_DATABASE_URL") or subprocess.run(
        [str(ROOT / "scripts" / "pg-throwaway.sh"), "start"], capture_output=True, text=True, check=True).stdout.strip()
    own_db = "BENCH_DATABASE_URL" not in os.environ
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "sopeli.settings", "SOPELI_DEBUG": "false",
                       "SOPELI_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    try:
        import django

        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client needs it (locmem mail, testserver host)
        log(f"PostgreSQL at {database_url}; migrating and seeding in a child process (keeps this one's RSS clean)")
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--seed"], env=os.environ, check=True, capture_output=True,
                             text=True).stdout
        world = json.loads(out.strip().splitlines()[-1])
        seed_s = time.perf_counter() - t0
        log(f"seeded {world['grants']:,} grants ({world['contracts']:,} with a contract and a payment) in {seed_s:.0f} s")
        client = Client()
        import sopeli.portal.standards.views  # noqa: F401  (warm up: the export modules, ...)

        client.get("/healthz")  # ... the middleware and URLconf
        one = world["slugs"][0]
        per_lag = world["grants"] // len(world["slugs"])
        rows = [
            measure(client, "360Giving JSON, network", "/en/data/360giving.json", world["grants"]),
            measure(client, "360Giving CSV, network", "/en/data/360giving.csv", world["grants"]),
            measure(client, "360Giving JSON, one LAG", f"/en/{one}/data/360giving.json", per_lag),
            measure(client, "IATI XML, one LAG", f"/en/{one}/data/iati.xml", per_lag),
        ]
    finally:
        if own_db and not os.environ.get("BENCH_KEEP_DB"):
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", database_url], check=False,
                           stderr=subprocess.DEVNULL)
    stamp = datetime.now(UTC)
    lines = [
        f"# Sopeli open-data benchmark, {stamp:%Y-%m-%d %H:%M} UTC",
        "",
        f"{world['grants']:,} awarded grants in {len(world['slugs'])} LAGs ({world['contracts']:,} with a contract and a "
        f"payment), PostgreSQL (throwaway, fsync off), DEBUG off, Django test client through the real views and "
        f"middleware; {os.cpu_count()} CPU cores, Python {platform.python_version()}. Time: one fetch, body read "
        "piece by piece and dropped. Peak Python: tracemalloc's peak during a second fetch (only with "
        "BENCH_TRACEMALLOC). Max RSS: "
        "the measuring process's maximum resident set before → after the timed fetch (it only ever grows; seeding "
        "runs in a child process so it does not inflate it).",
        "",
        "| export | path | status | size MB | time s | grants/s | peak Python MB | max RSS MB before → after |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rate = f"{r['grants_per_s']:,.0f}" if r["grants_per_s"] else ""
        lines.append(f"| {r['label']} | `{r['path']}` | {r['status']} | {r['mb']:.1f} | {r['seconds']:.1f} | {rate} | "
                     f"{'' if r['peak_mb'] is None else format(r['peak_mb'], '.1f')} | {r['rss_before']:.0f} → {r['rss_after']:.0f} |")
    lines += ["", f"Migrating and seeding (bulk_create, in a child process) took {seed_s:.0f} s; the whole run {(time.perf_counter() - started) / 60:.1f} min."]
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    out = ROOT / "bench-results" / f"opendata-{stamp:%Y%m%dT%H%M%SZ}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table)
    log(f"written to {out.relative_to(ROOT)}")
    return 0 if all(r["status"] == 200 for r in rows) else 1


def seed_only() -> int:
    """Child process: migrate and seed, print the world as the last line of JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", "-v", "0")
    world = seed(GRANTS, LAGS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps(world))
    return 0


if __name__ == "__main__":
    sys.exit(seed_only() if sys.argv[1:] == ["--seed"] else main())
