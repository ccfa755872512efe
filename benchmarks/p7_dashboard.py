"""监测看板 at registry scale (QUALITY P7, issue 18): API time of the dashboard over a large registry, live and
from the pre-aggregates, and the time of one aggregate refresh.

    .venv/bin/python benchmarks/p7_dashboard.py --count 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/p7_dashboard.py --count 1000000 --postgres …   # the bar
    .venv/bin/python benchmarks/p7_dashboard.py --count 1000000 --postgres … --page   # + the page in Chromium

The registry: ``srdi demo --count BASE`` then copied onto itself in SQL (benchmarks/registry_batch.py ``grow``)
up to ``--count``; on PostgreSQL in a schema of its own, dropped afterwards. Each figure is an HTTP request to the
application in process (TestClient, a city official of 深圳市 and an administrator), median and max of
``--repeat`` calls after one warm-up: ``GET /monitoring/overview`` (period = this quarter) live, then after
``srdi monitoring refresh`` from the aggregate, and the older ``GET /monitoring/district-summary`` for
comparison. With ``--page``: the built web UI (web/dist) served by uvicorn in a child process on the same
registry, and headless Chromium (Debian's, the project's flags) logged in as demo-city: time from ``goto
/dashboard`` to the targets table being visible, in a fresh browser context each time (cold cache) and on a
reload (warm cache); the same page on the demo registry of ``--base`` enterprises is the baseline of the same run.
Reports figures; never fails on timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def timed_get(client, url: str, repeat: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    client.get(url)  # warm-up (plans, caches)
    times = []
    status = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        status = r.status_code
        if status != 200:
            raise SystemExit(f"{url}: {status} {r.text[:300]}")
    return statistics.median(times), max(times), status


def measure(url: str, repeat: int) -> None:
    os.environ["SRDI_DATABASE_URL"] = url
    from fastapi.testclient import TestClient
    from tests.auth_support import bearer_for, make_user

    from srdi.auth.enums import Role
    from srdi.db.session import get_sessionmaker
    from srdi.kit.workdays import beijing_today
    from srdi.main import create_app
    from srdi.monitoring import aggregates

    db = get_sessionmaker()()
    city = make_user(
        db, Role.city_official, username=f"bench-city-{uuid.uuid4().hex[:6]}", region_code="440300"
    )
    admin = make_user(db, Role.admin, username=f"bench-admin-{uuid.uuid4().hex[:6]}")
    db.commit()
    app = create_app()
    n = db.execute(text("SELECT count(*) FROM enterprise")).scalar()
    print(f"registry: {n:,} enterprises; {machine()}")
    rows = []
    with TestClient(app) as c:
        for who, user in (("city 4403", city), ("admin (all)", admin)):
            c.headers.update(bearer_for(db, user))
            db.commit()
            for name, path in (
                ("district-summary", "/api/v1/monitoring/district-summary"),
                ("overview live", "/api/v1/monitoring/overview"),
            ):
                med, mx, _ = timed_get(c, path, repeat)
                rows.append((who, name, med, mx))
        t0 = time.perf_counter()
        ref = aggregates.refresh(db, beijing_today(), trigger="bench")
        db.commit()
        refresh_ms = (time.perf_counter() - t0) * 1000
        for who, user in (("city 4403", city), ("admin (all)", admin)):
            c.headers.update(bearer_for(db, user))
            db.commit()
            med, mx, _ = timed_get(c, "/api/v1/monitoring/overview", repeat)
            rows.append((who, "overview aggregate", med, mx))
    print(f"aggregate refresh: {refresh_ms:.0f} ms ({ref.enterprises:,} enterprises)")
    # Where the time of one overview goes (city scope, from the aggregate): the repository calls, by cumulative time.
    import cProfile
    import pstats

    from srdi.monitoring import service, targets

    prof = cProfile.Profile()
    prof.enable()
    service.overview(
        db,
        "4403",
        ["4403"],
        targets.parse_period(f"{beijing_today().year}Q{(beijing_today().month - 1) // 3 + 1}"),
        beijing_today(),
    )
    prof.disable()
    stats = pstats.Stats(prof)
    for (file, _, fn), (_, _, _, cum, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][3]):  # type: ignore[attr-defined]
        if file.endswith(("monitoring/repository.py", "monitoring/aggregates.py")):
            print(f"    {fn:<28} {cum * 1000:8.1f} ms")
    for who, name, med, mx in rows:
        print(f"  {who:<12} {name:<20} median {med:8.1f} ms   max {mx:8.1f} ms")
    print(machine())
    db.close()


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def page_times(url: str, repeat: int) -> tuple[list[float], list[float]]:
    """Cold and warm times (ms) from ``goto /dashboard`` to the targets table, as demo-city, on ``url``'s registry."""
    import shutil
    import socket

    import httpx
    from playwright.sync_api import expect, sync_playwright

    from srdi.config import get_settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SRDI_DATABASE_URL": url,
        "SRDI_DEMO_MODE": "true",
        "SRDI_WEB_DIST_DIR": str(ROOT / "web" / "dist"),
        "SRDI_LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "srdi.main:create_app", "--factory", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    cold: list[float] = []
    warm: list[float] = []
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start within 300 s")
            time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            expect.set_options(timeout=60_000)
            for i in range(repeat + 1):  # the first is a warm-up (server caches, query plans), not counted
                ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=base)
                r = ctx.request.post(
                    "/api/v1/auth/login",
                    data={"username": "demo-city", "password": get_settings().demo_password},
                )
                if r.status != 200:
                    raise SystemExit(f"login: {r.status} {r.text()[:200]}")
                page = ctx.new_page()
                for bucket in (cold, warm):
                    t0 = time.perf_counter()
                    if bucket is cold:
                        page.goto("/dashboard")
                    else:
                        page.reload()
                    expect(page.locator("[data-testid=targets]")).to_be_visible()
                    if i:
                        bucket.append((time.perf_counter() - t0) * 1000)
                ctx.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return cold, warm


def print_page(label: str, cold: list[float], warm: list[float]) -> None:
    print(
        f"  page {label:<24} cold median {statistics.median(cold):7.0f} ms (max {max(cold):.0f})"
        f"   warm median {statistics.median(warm):7.0f} ms (max {max(warm):.0f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=5_000, help="enterprises generated by srdi demo")
    ap.add_argument("--postgres", help="PostgreSQL URL (a schema of its own is created and dropped)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--page", action="store_true", help="also time the dashboard page in headless Chromium")
    args = ap.parse_args()
    from benchmarks.registry_batch import grow

    schema = None
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(args.postgres).begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:////tmp/p7_{uuid.uuid4().hex[:8]}.db"
    env = {**os.environ, "SRDI_DATABASE_URL": url, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    # Before anything reads (and caches) the settings: this process talks to the benchmark's registry only.
    os.environ["SRDI_DATABASE_URL"] = url
    try:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "srdi.cli", "db", "upgrade"], env=env, check=True, capture_output=True
        )
        subprocess.run(
            [sys.executable, "-m", "srdi.cli", "demo", "--count", str(args.base)],
            env=env,
            check=True,
            capture_output=True,
        )
        if args.page:  # live at the base size: no aggregate yet (the "live" figures below stay live)
            base_times = page_times(url, args.repeat)
        grow(url, args.count)
        print(f"registry built in {time.perf_counter() - t0:.0f} s")
        measure(url, args.repeat)
        if args.page:
            print_page(f"{args.base:,} (baseline)", *base_times)
            big = page_times(url, args.repeat)
            print_page(f"{args.count:,}", *big)
            print(
                f"  page ratio {args.count:,} / {args.base:,}: cold "
                f"{statistics.median(big[0]) / statistics.median(base_times[0]):.2f}×, warm "
                f"{statistics.median(big[1]) / statistics.median(base_times[1]):.2f}×; {machine()}"
            )
    finally:
        if schema:
            with create_engine(args.postgres).begin() as c:
                c.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
