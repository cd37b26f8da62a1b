"""`make bench`: throughput and latency of Sopeli's main pages on a large synthetic network.

Starts a throwaway PostgreSQL (scripts/pg-throwaway.sh), migrates, fills it with bench/synthetic.py,
serves the app with gunicorn (production settings: DEBUG off, collected static files), and drives
each page with wrk. Prints a table and writes it to bench-results/bench-<UTC timestamp>.md.

Each area of the product adds its data and pages as a *suite*: a module in bench/ named in SUITES
with ``build(world) -> extra`` (bulk-creates its rows on top of the base network), ``pages(world,
extra)`` -> [(label, url name or "/raw/path", args, session)] where session is False (anonymous),
True (the manager) or a User (that user's session), and optionally ``measure(world, extra)`` ->
[{"label", "seconds", "peak_mb", "note"}] for work that is not a page (ranking, report generation).
A suite adds what it created to world["counts"] so the report says what was measured.

Environment (defaults in brackets): the sizes in bench/synthetic.py, and
BENCH_DURATION [10s] · BENCH_WARMUP [2s] · BENCH_CONNECTIONS [8] · BENCH_THREADS [2] ·
BENCH_WORKERS [2] gunicorn workers · BENCH_KEEP_DB [unset] print the DATABASE_URL and leave it running ·
BENCH_SUITES [all of SUITES] comma-separated suites to run (e.g. "grants,api" while working on them).
Needs wrk (apt-get install wrk) and PostgreSQL 15+ server binaries.
"""

import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
VENV_BIN = Path(sys.executable).parent

DURATION = os.environ.get("BENCH_DURATION", "10s")
WARMUP = os.environ.get("BENCH_WARMUP", "2s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")
THREADS = os.environ.get("BENCH_THREADS", "2")
WORKERS = os.environ.get("BENCH_WORKERS", "2")
LOAD_BEFORE = 0.0
# The areas measured on top of the base network, in order; each is a module in bench/ (see above).
SUITES = ["strategy_pages", "grants_pages", "monitoring_pages", "api_pages"]


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def start_postgres() -> str:
    """A throwaway PostgreSQL (scripts/pg-throwaway.sh); returns its DATABASE_URL."""
    return subprocess.run(
        [str(ROOT / "scripts" / "pg-throwaway.sh"), "start"], capture_output=True, text=True, check=True
    ).stdout.strip()


def stop_postgres(database_url: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", database_url], check=False,
                   stderr=subprocess.DEVNULL)


def production_env(database_url: str, static_root: str) -> dict:
    """The environment of a production-like server (DEBUG off, own secret key, collected static files)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "sopeli.settings",
        "SOPELI_DEBUG": "false",
        "SOPELI_SECRET_KEY": os.urandom(24).hex(),
        "SOPELI_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SOPELI_STATIC_ROOT": static_root,
        "SOPELI_ACCESS_LOG": "",
        "SOPELI_LOG_LEVEL": "WARNING",
        "SOPELI_WHITENOISE_USE_FINDERS": "false",
    }


def migrate_and_collect(env: dict) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(manage + ["collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)


def start_gunicorn(env: dict, port: int, workers: str, threads: str, server_log: Path) -> subprocess.Popen:
    """gunicorn (gunicorn.conf.py) on 127.0.0.1:``port``, once /healthz answers; stopped again if it never does."""
    server_env = {**env, "SOPELI_BIND": f"127.0.0.1:{port}", "SOPELI_WORKERS": workers, "SOPELI_THREADS": threads}
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")], env=server_env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=server_log.open("w"),
    )
    for _ in range(100):
        try:
            if get(port, "/healthz") == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError("gunicorn did not start:\n" + server_log.read_text(errors="replace"))


def stop_gunicorn(server: subprocess.Popen | None) -> None:
    if server is None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def wrk(port: int, path: str, cookie: str | None, duration: str) -> dict:
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "report.lua")]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (\{.*\})$", out, re.M)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def pages(world: dict) -> list[tuple[str, str | None, object]]:
    """(label, path or None when the URL does not exist yet, session: False, True = manager, or a User)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    slug, board, meeting = world["lag"].slug, world["board"], world["meeting"]
    wanted = [
        ("/healthz (trivial view)", "healthz", [], False),
        ("network home", "core:home", [], False),
        ("LAG home", "core:lag_home", [slug], False),
        ("public members", "membership:members", [slug], False),
        ("body composition (board)", "membership:body", [slug, board.id], False),
        ("decisions", "governance:decisions", [slug], False),
        ("meeting minutes", "governance:minutes", [slug, meeting.id], False),
        ("staff: members", "membership:manage_members", [slug], True),
        ("staff: meetings", "governance:manage_meetings", [slug], True),
        ("staff: audit trail", "core:audit_trail", [slug], True),
        *world.get("extra_pages", []),
    ]
    result = []
    with translation.override("ka"):
        for label, name, args, session in wanted:
            if name.startswith("/"):
                result.append((label, name, session))
                continue
            try:
                result.append((label, reverse(name, args=args), session))
            except NoReverseMatch:
                result.append((label, None, session))
    return result


def selected_suites() -> list:
    """The suite modules to run (BENCH_SUITES narrows them); a suite not written yet is skipped."""
    import importlib

    wanted = [s.strip() for s in os.environ.get("BENCH_SUITES", ",".join(SUITES)).split(",") if s.strip()]
    modules = []
    for name in wanted:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            log(f"suite {name}: not there yet, skipped")
    return modules


def run_measures(suites: list) -> list[dict]:
    """Each suite's non-page measurements (its own timing and memory), in order."""
    rows = []
    for module, extra, world in suites:
        if hasattr(module, "measure"):
            for row in module.measure(world, extra):
                rows.append(row)
                log(f"{row['label']}: {row['seconds']:.2f} s" +
                    (f", peak {row['peak_mb']:.1f} MB" if row.get("peak_mb") is not None else "") +
                    (f" ({row['note']})" if row.get("note") else ""))
    return rows


def count_queries(path: str, cookie: str | None) -> int | None:
    """SQL queries one request makes (in-process, Django's test client): should not grow with data."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return len(queries) if response.status_code == 200 else None


def main() -> int:
    if not shutil.which("wrk"):
        print("make bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    started = time.monotonic()
    database_url = start_postgres()
    log(f"PostgreSQL at {database_url}")
    static_root = tempfile.mkdtemp(prefix="sopeli-bench-static-")
    env = production_env(database_url, static_root)
    os.environ.update(env)
    server = None
    try:
        migrate_and_collect(env)
        log("migrated and collected static files; seeding")

        import django

        django.setup()
        import synthetic
        from django.db import connection

        t = time.monotonic()
        world = synthetic.build()
        suites = []
        world["extra_pages"] = []
        for module in selected_suites():
            ts = time.monotonic()
            extra = module.build(world)
            suites.append((module, extra, world))
            world["extra_pages"] += module.pages(world, extra)
            log(f"suite {module.__name__} seeded in {time.monotonic() - ts:.1f} s")
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # fresh statistics, as a long-running database would have
        cookie = synthetic.session_cookie_for(world["manager"])
        cookies: dict = {}

        def session_cookie(session) -> str | None:
            if session is False or session is None:
                return None
            if session is True:
                return cookie
            if session.pk not in cookies:
                cookies[session.pk] = synthetic.session_cookie_for(session)
            return cookies[session.pk]

        page_list = [(label, path, session_cookie(session)) for label, path, session in pages(world)]
        connection.close()
        seed_seconds = time.monotonic() - t
        log(f"seeded in {seed_seconds:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in world["counts"].items()))
        measures = run_measures(suites)
        connection.close()

        port = free_port()
        server_log = Path(static_root) / "gunicorn.log"
        server = start_gunicorn(env, port, WORKERS, "1", server_log)
        log(f"gunicorn with {WORKERS} workers on port {port}; measuring with wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}")

        rows = []
        for label, path, page_cookie in page_list:
            if path is None:
                rows.append({"label": label, "path": "—", "missing": "no URL yet"})
                log(f"{label}: missing (no URL)")
                continue
            status = get(port, path, page_cookie)
            if status != 200:
                rows.append({"label": label, "path": path, "missing": f"HTTP {status}"})
                log(f"{label} {path}: missing (HTTP {status})")
                if status >= 500:
                    time.sleep(0.2)
                    tail = server_log.read_text(errors="replace").strip().splitlines()[-12:]
                    print("    " + "\n    ".join(tail), flush=True)
                continue
            queries = count_queries(path, page_cookie)
            wrk(port, path, page_cookie, WARMUP)
            result = wrk(port, path, page_cookie, DURATION)
            rows.append({"label": label, "path": path, "queries": queries, **result})
            log(f"{label} {path}: {result['rps']:.0f} req/s, p50 {result['p50_us'] / 1000:.1f} ms, "
                f"p95 {result['p95_us'] / 1000:.1f} ms, {queries} queries")

        report = render(rows, measures, world["counts"], seed_seconds, time.monotonic() - started)
        print()
        print(report)
        out_dir = ROOT / "bench-results"
        out_dir.mkdir(exist_ok=True)
        out = out_dir / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md"
        out.write_text(report + "\n", encoding="utf-8")
        log(f"written to {out.relative_to(ROOT)}")
        return 0
    finally:
        stop_gunicorn(server)
        if os.environ.get("BENCH_KEEP_DB"):
            log(f"left running: DATABASE_URL={database_url} (scripts/pg-throwaway.sh stop {database_url})")
        else:
            stop_postgres(database_url)
        shutil.rmtree(static_root, ignore_errors=True)


def render(rows: list[dict], measures: list[dict], counts: dict, seed_seconds: float, total_seconds: float) -> str:
    base = next((r["rps"] for r in rows if "rps" in r and r["path"] == "/healthz"), None)
    lines = [
        f"# Sopeli benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"gunicorn {WORKERS} sync workers, PostgreSQL (throwaway, fsync off), DEBUG off; "
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} after a {WARMUP} warm-up; "
        f"{os.cpu_count()} CPU cores (load average before/after: {LOAD_BEFORE:.1f}/{os.getloadavg()[0]:.1f}: "
        f"other work on the machine lowers every figure), Python {platform.python_version()}. "
        "Staff pages with a manager's session (TOTP set up). SQL queries: one request, counted in-process.",
        "",
        "| page | path | requests/s | p50 ms | p95 ms | p99 ms | vs /healthz | SQL queries |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "missing" in r:
            lines.append(f"| {r['label']} | {r['path']} | missing ({r['missing']}) | | | | | |")
            continue
        errors = r["non_2xx_3xx"] + r["socket_errors"]
        ratio = f"{r['rps'] / base:.2f}" if base else "—"
        flag = f" ({errors} errors)" if errors else ""
        lines.append(
            f"| {r['label']} | `{r['path']}` | {r['rps']:,.0f}{flag} | {r['p50_us'] / 1000:.1f} | "
            f"{r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {ratio} | {r['queries'] if r['queries'] is not None else '—'} |"
        )
    if measures:
        lines += ["", "| work (not a page) | seconds | peak memory MB | note |", "|---|---:|---:|---|"]
        for m in measures:
            peak = f"{m['peak_mb']:.1f}" if m.get("peak_mb") is not None else "—"
            lines.append(f"| {m['label']} | {m['seconds']:.2f} | {peak} | {m.get('note', '')} |")
    lines += ["", "Data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".",
              f"Seeding took {seed_seconds:.0f} s; the whole run {total_seconds / 60:.1f} min."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
