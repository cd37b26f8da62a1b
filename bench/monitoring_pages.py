"""Issue 5's pages at network scale for `make bench`: 20,000 projects (funded applications under
contracts, with tranches, payments, claims and reports) and 100,000 indicator values on the base
network's LAGs, the measured LAG taking BENCH_FOCUS_SHARE of them, as the base network does for
members and meetings.

Rows come from ``sopeli.monitoring.synthetic`` (bulk-created). Pages: the measured LAG's monitoring
dashboard, the network dashboard (a network officer's session), the commitments ledger, the staff
contracts list and the public projects list. Measures: the donor report, XLSX and PDF, generated
in-process: wall time of a plain run, then the peak of Python allocations (tracemalloc, a second
run) and the growth of the process's peak RSS (Linux, /proc/self/clear_refs), which also sees the
C libraries (WeasyPrint's cairo and pango) that tracemalloc does not.
Size: BENCH_PROJECTS [20000] in all (five indicator values each).
"""

import os
import time
import tracemalloc

import synthetic as base


def build(world: dict) -> dict:
    from allauth.account.models import EmailAddress

    from sopeli.accounts.models import Role, RoleGrant, User
    from sopeli.core.models import Lag
    from sopeli.monitoring import synthetic
    from sopeli.testing.factories import give_totp

    total = int(os.environ.get("BENCH_PROJECTS", "20000"))
    focus = world["lag"]
    lags = [focus, *Lag.objects.exclude(pk=focus.pk).order_by("pk")]
    shares = base.split(total, len(lags), base.sizes()["focus_share"])
    grantee = User.objects.create_user("grantee@bench.example.ge", "bench-password-not-secret", full_name="გრანტის მიმღები")
    counts = synthetic.build(dict(zip(lags, shares, strict=True)), grantee=grantee)

    officer = User.objects.create_user("officer@bench.example.ge", "bench-password-not-secret", full_name="ქსელის ოფიცერი")
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    RoleGrant.objects.create(user=officer, lag=None, role=Role.NETWORK_OFFICER)
    give_totp(officer)

    world["counts"].update({("applications behind projects" if k == "applications" else k): v for k, v in counts.items()})
    world["counts"][f"projects in {focus.slug}"] = shares[0]
    return {"officer": officer, "focus_projects": shares[0], "projects": counts["projects"],
            "values": counts["indicator values"]}


def pages(world: dict, extra: dict) -> list[tuple[str, str, list, object]]:
    slug, n = world["lag"].slug, extra["focus_projects"]
    return [
        (f"monitoring dashboard ({n:,} projects)", "monitoring:dashboard", [slug], True),
        (f"network monitoring ({extra['projects']:,} projects, {extra['values']:,} values)", "network_monitoring:dashboard", [],
         extra["officer"]),
        ("staff: commitments ledger", "projects:manage_ledger", [slug], True),
        (f"staff: contracts ({n:,})", "projects:manage_list", [slug], True),
        (f"public projects ({n:,})", "projects:public_list", [slug], False),
    ]


def _rss_peak_reset() -> float | None:
    """Reset the process's peak RSS (Linux) and return the current RSS in MB, or None elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _status_mb("VmRSS")
    except OSError:
        return None


def _status_mb(field: str) -> float | None:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


def measure(world: dict, extra: dict) -> list[dict]:
    from django.utils import translation

    from sopeli.monitoring import reports

    lag = world["lag"]
    rows = []
    with translation.override("ka"):
        for fmt, make in (("XLSX", reports.donor_xlsx), ("PDF", reports.donor_pdf)):
            make(lag)  # warm: templates, fonts, imports
            before = _rss_peak_reset()
            t = time.perf_counter()
            size = len(make(lag))
            seconds = time.perf_counter() - t
            rss = _status_mb("VmHWM") - before if before is not None else None
            tracemalloc.start()
            make(lag)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            note = f"{extra['focus_projects']:,} projects, {size / 1024:,.0f} KB; peak = tracemalloc (Python allocations)"
            if rss is not None:
                note += f"; peak RSS grew {rss:,.1f} MB"
            rows.append({"label": f"donor report {fmt}", "seconds": seconds, "peak_mb": peak / 2**20, "note": note})
    return rows
