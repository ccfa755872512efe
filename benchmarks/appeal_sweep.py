"""Appeals at scale (issue 13 bars): the overdue sweep and the KPI page over N appeals on PostgreSQL.

    .venv/bin/python benchmarks/appeal_sweep.py --appeals 1000000 [--url postgresql+psycopg://postgres@127.0.0.1/test]

Works in a schema of its own (dropped at the end). The appeals are written by the database itself
(``INSERT … SELECT … FROM generate_series``), spread over every 责任单位 of the catalogue, its region, every
category and twelve months; of the N, 1% are due now (half of them an hour overdue, half three days overdue and
already escalated once, so both escalation steps run), 9% are open and due in a month, the rest are done
(办结 / 已评价) or 不予受理. The sweep must find the few among the many by its index, not scan them all.

Figures: the sweep as the scheduler runs it (``tasks.sweep_once``, committed batches) and its re-run (nothing
left to do), for each of ``--variants`` on a freshly written table (before: an UPDATE per step on full pages;
merged-ff100: one UPDATE per appeal on full pages; merged: the sweeper now, one UPDATE per appeal on pages the
migration leaves 10 % free, so the updates are HOT), with the row versions of ``appeal`` (and how many HOT) and
the server's WAL written meanwhile (server-wide: other sessions' writes are counted too), and the median of
each variant over its rounds; ``GET /api/v1/appeal-kpis`` in process over HTTP (TestClient) as an administrator (every appeal)
and as a city official of 深圳市, by department, district, category and month, median and max of ``--repeat``
after a warm-up. Baseline in the same run: ``SELECT count(*) FROM appeal`` (one pass over the table) — the
ratios say how a figure compares with reading the table once on this machine at this load. Never fails on
timing; routing time is benchmarks/appeal_routing.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

NOW = datetime(2026, 3, 10, 16, 1, tzinfo=UTC)  # a Tuesday, 2026 holiday data bundled

TEXTS = [
    "我司想向银行申请流动资金贷款，请问专精特新企业有没有贷款贴息？",
    "公司急需引进研发人才，咨询人才住房补贴和落户政策。",
    "厂房租金上涨，希望了解产业用房租金补贴的申请条件。",
    "研发费用加计扣除的归集范围不清楚，请税务部门解释。",
]

# One statement: the database generates every row (no Python round trip per appeal).
LOAD = """
WITH d AS (
    SELECT id, region_code, (row_number() OVER (ORDER BY id)) - 1 AS rn FROM department
), c AS (
    SELECT key, (row_number() OVER (ORDER BY key)) - 1 AS rn FROM appeal_category
), e AS (
    SELECT id, region_code FROM enterprise
), g AS (
    SELECT i,
           CASE WHEN i % 100 = 0 THEN 'due_now' WHEN i % 100 = 50 THEN 'due_old'
                WHEN i % 10 = 1 THEN 'open' WHEN i % 33 = 2 THEN 'rejected'
                WHEN i % 2 = 0 THEN 'rated' ELSE 'closed' END AS kind
    FROM generate_series(1, :n) AS i
)
INSERT INTO appeal (enterprise_id, region_code, title, content, category_key, channel, status, version,
                    department_id, submitted_at, submitted_month, due_at, due_stage, reminded, escalation_level,
                    redo_count, created_at, updated_at, on_time, handling_working_days, satisfied, reject_reason)
SELECT (SELECT id FROM e ORDER BY id LIMIT 1),
       d.region_code,
       '基准诉求' || g.i,
       (ARRAY[:t0, :t1, :t2, :t3])[1 + g.i % 4],
       c.key,
       'web',
       CASE g.kind WHEN 'due_now' THEN 'in_progress' WHEN 'due_old' THEN 'in_progress'
                   WHEN 'open' THEN 'dispatched' ELSE g.kind END,
       1,
       CASE WHEN g.kind = 'rejected' THEN NULL ELSE d.id END,
       CAST(:now AS timestamptz) - make_interval(days => 5 + g.i % 360),
       to_char((CAST(:now AS timestamptz) - make_interval(days => 5 + g.i % 360)) AT TIME ZONE 'Asia/Shanghai',
               'YYYY-MM'),
       CASE g.kind WHEN 'due_now' THEN CAST(:now AS timestamptz) - interval '1 hour'
                   WHEN 'due_old' THEN CAST(:now AS timestamptz) - interval '3 days'
                   WHEN 'open' THEN CAST(:now AS timestamptz) + interval '30 days' END,
       CASE WHEN g.kind IN ('due_now', 'due_old', 'open') THEN 'answer' END,
       g.kind = 'due_old',
       CASE WHEN g.kind = 'due_old' THEN 1 ELSE 0 END,
       0,
       CAST(:now AS timestamptz), CAST(:now AS timestamptz),
       CASE WHEN g.kind IN ('closed', 'rated') THEN g.i % 5 <> 0 END,
       CASE WHEN g.kind IN ('closed', 'rated') THEN 1 + g.i % 7 END,
       CASE WHEN g.kind = 'rated' THEN g.i % 7 <> 0 END,
       CASE WHEN g.kind = 'rejected' THEN 'outside_jurisdiction' END
FROM g
JOIN d ON d.rn = g.i % (SELECT count(*) FROM d)
JOIN c ON c.rn = g.i % (SELECT count(*) FROM c)
"""


# The sweeps compared (--variants), each on a freshly written table: the claim and the table's fillfactor.
#   before        one compare-and-set UPDATE per step per batch, full pages: the claim and the pages of the
#                 sweeper until 2026-12-02 (its candidates' read and its inserts are today's in every variant)
#   merged-ff100  one UPDATE per appeal per batch (claim_sweep_steps), full pages: the merge alone
#   merged        one UPDATE per appeal per batch, pages 90 % full as the migration leaves them: the sweeper now
FILLFACTOR = {"before": 100, "merged-ff100": 100, "merged": 90}


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def timed_get(client, url: str, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    r = client.get(url)  # warm-up (plans, caches)
    if r.status_code != 200:
        raise SystemExit(f"{url}: {r.status_code} {r.text[:300]}")
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{url}: {r.status_code} {r.text[:300]}")
    return statistics.median(times), max(times)


def scan_ms(eng, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    with eng.connect() as c:
        for _ in range(repeat):
            t0 = time.perf_counter()
            c.execute(text("SELECT count(*) FROM appeal")).scalar()
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def load(eng, n: int) -> None:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    with eng.begin() as c:
        c.execute(text(LOAD), {"n": n, "now": NOW, **{f"t{i}": t for i, t in enumerate(TEXTS)}})
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE appeal"))
        # Every variant starts just after a checkpoint: the first change of each page after one writes the whole
        # page to the WAL, so a checkpoint falling inside one variant's sweep and not another's would decide it.
        c.execute(text("CHECKPOINT"))
    print(
        f"loaded {n:,} appeals in {load_s:.1f} s (vacuum analyze {time.perf_counter() - t0:.1f} s); {machine()}"
    )
    with eng.connect() as c:
        due = c.execute(
            text("SELECT count(*) FROM appeal WHERE due_at <= :h"), {"h": NOW + timedelta(hours=24)}
        )
        print(f"  due within the reminder horizon: {due.scalar():,}")


def claim_before(db, claims):  # type: ignore[no-untyped-def]
    """The sweeper's claim before 2026-12-02, for comparison: one compare-and-set UPDATE per step per batch
    (reminder, first escalation, second escalation), so an appeal owing a reminder and an escalation got two
    row versions. Returns the appeals that won every step they owed."""
    from sqlalchemy import update

    from srdi.appeal.models import Appeal

    def step(ids: list[int], cond, **values) -> set[int]:  # type: ignore[no-untyped-def]
        if not ids:
            return set()
        stmt = (
            update(Appeal)
            .where(Appeal.id.in_(ids), Appeal.due_at.is_not(None), cond)
            .values(**values)
            .returning(Appeal.id)
            .execution_options(synchronize_session=False)
        )
        return set(db.scalars(stmt).all())

    lost: set[int] = set()
    for owed, cond, values in (
        (
            [c for c in claims if c.reminded and not c.reminded_read],
            Appeal.reminded.is_(False),
            {"reminded": True},
        ),
        (
            [c for c in claims if c.level == 1 > c.level_read],
            Appeal.escalation_level == 0,
            {"escalation_level": 1},
        ),
        (
            [c for c in claims if c.level == 2 > c.level_read],
            Appeal.escalation_level == 1,
            {"escalation_level": 2},
        ),
    ):
        ids = [c.appeal_id for c in owed]
        lost |= set(ids) - step(ids, cond, **values)
    return {c.appeal_id for c in claims} - lost


def table_writes(eng) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """Row versions written to appeal (updates, of which HOT) and the server's WAL position."""
    with eng.connect() as c:
        upd, hot = c.execute(
            text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'appeal'::regclass")
        ).one()
        lsn = c.execute(text("SELECT pg_current_wal_lsn()")).scalar()
    return int(upd), int(hot), str(lsn)


def sweep_variant(eng, factory, variant: str, base: float, profile: bool) -> float:  # type: ignore[no-untyped-def]
    from srdi.appeal import repository, tasks

    eng.dispose()  # closed backends flush their statistics
    upd0, hot0, lsn0 = table_writes(eng)
    merged = repository.claim_sweep_steps
    if variant == "before":
        repository.claim_sweep_steps = claim_before
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    try:
        t0 = time.perf_counter()
        r = tasks.sweep_once(factory, now=NOW)
        first = time.perf_counter() - t0
    finally:
        repository.claim_sweep_steps = merged
    if prof is not None:
        import pstats

        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    eng.dispose()
    upd1, hot1, lsn1 = table_writes(eng)
    with eng.connect() as c:
        wal = c.execute(text("SELECT pg_wal_lsn_diff(:b, :a)"), {"a": lsn0, "b": lsn1}).scalar()
    t0 = time.perf_counter()
    r2 = tasks.sweep_once(factory, now=NOW)
    second = time.perf_counter() - t0
    print(
        f"sweep [{variant}]: {r.reminded:,} reminders, {r.escalated_department:,} escalations to departments, "
        f"{r.escalated_district:,} to districts in {first:.2f} s ({first * 1000 / base:.1f}× the scan); "
        f"{upd1 - upd0:,} row versions of appeal ({hot1 - hot0:,} HOT), WAL {int(wal or 0) / 2**20:.1f} MiB "
        f"(server-wide, other sessions included); re-run: {r2.total} actions in {second * 1000:.0f} ms; "
        f"{machine()}"
    )
    return first


def run(
    url: str, n: int, repeat: int, profile: bool = False, variants: tuple[str, ...] = ("merged",)
) -> None:
    os.environ["SRDI_DATABASE_URL"] = url
    os.environ["SRDI_APPEAL_SWEEPER_EMBEDDED"] = "false"  # the benchmark runs the sweep itself
    from fastapi.testclient import TestClient
    from tests.auth_support import bearer_for, make_user

    from srdi.appeal import service, tasks
    from srdi.auth.enums import Role
    from srdi.db.migrate import upgrade
    from srdi.db.session import get_engine, get_sessionmaker
    from srdi.enterprise.models import Enterprise
    from srdi.main import create_app

    eng = get_engine()
    with eng.begin() as c:
        upgrade(c)
    with Session(eng) as s:
        service.sync_catalogue(s)
        s.add(
            Enterprise(
                uscc="91440305MA5BENCH01",
                name="基准测试企业",
                region_code="440305",
                industry_code="3562",
                tags=[],
                is_synthetic=True,
            )
        )
        s.commit()

    @contextmanager
    def factory():  # type: ignore[no-untyped-def]
        with get_sessionmaker()() as s:
            yield s

    base_before = 0.0
    timings: dict[str, list[tuple[float, float]]] = {}
    for i, variant in enumerate(variants):
        if i:  # every variant starts from the same freshly written table
            with eng.begin() as c:
                c.execute(text("TRUNCATE appeal RESTART IDENTITY CASCADE"))
        with eng.begin() as c:
            # Before 2026-12-02 the table had PostgreSQL's default fillfactor (100); the migration leaves 10 %.
            c.execute(text(f"ALTER TABLE appeal SET (fillfactor = {FILLFACTOR[variant]})"))
        load(eng, n)
        base_before = scan_ms(eng, repeat)
        print(f"baseline SELECT count(*) FROM appeal: {base_before:.0f} ms (median of {repeat})")
        timings.setdefault(variant, []).append(
            (sweep_variant(eng, factory, variant, base_before, profile), base_before)
        )
    print("sweep, median over rounds (seconds; × the scan of the same round):")
    for variant, runs in timings.items():
        secs = statistics.median(t for t, _ in runs)
        ratio = statistics.median(t * 1000 / b for t, b in runs)
        print(
            f"  {variant:<13} {secs:6.2f} s  {ratio:6.1f}× the scan  ({len(runs)} rounds: "
            + ", ".join(f"{t:.2f}" for t, _ in runs)
            + ")"
        )
    t0 = time.perf_counter()
    counted = tasks.refresh_kpis(factory, NOW)
    refresh_ms = (time.perf_counter() - t0) * 1000
    print(
        f"KPI pre-aggregate refresh (the scheduler, each sweep): {refresh_ms:.0f} ms for {counted:,} appeals "
        f"({refresh_ms / base_before:.1f}× the scan); read from it from {service.KPI_AGGREGATE_FROM:,} appeals on"
    )
    db = get_sessionmaker()()
    admin = make_user(db, Role.admin, username=f"bench-admin-{uuid.uuid4().hex[:6]}")
    city = make_user(
        db, Role.city_official, username=f"bench-city-{uuid.uuid4().hex[:6]}", region_code="4403"
    )
    db.commit()
    rows = []
    live_from = service.KPI_AGGREGATE_FROM
    with TestClient(create_app()) as client:
        for source in ("aggregate", "live"):
            # The live query, for comparison: the aggregate switched off for this pass.
            service.KPI_AGGREGATE_FROM = live_from if source == "aggregate" else 10**12
            for who, user in (("admin (all)", admin), ("city 4403", city)):
                client.headers.update(bearer_for(db, user))
                db.commit()
                for dim in ("department", "district", "category", "month"):
                    med, mx = timed_get(client, f"/api/v1/appeal-kpis?dimension={dim}", repeat)
                    rows.append((f"{source:<9} {who}", dim, med, mx))
    service.KPI_AGGREGATE_FROM = live_from
    db.close()
    base = scan_ms(eng, repeat)
    print(f"GET /api/v1/appeal-kpis over {n:,} appeals (median / max of {repeat} after a warm-up):")
    for who, dim, med, mx in rows:
        print(f"  {who:<22} {dim:<11} median {med:7.1f} ms  max {mx:7.1f} ms  ({med / base:.2f}× the scan)")
    print(f"baseline SELECT count(*) FROM appeal after: {base:.0f} ms; {machine()}")
    eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appeals", type=int, default=1_000_000)
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="print where the sweep's time goes (cProfile)")
    ap.add_argument(
        "--variants",
        default="before,merged-ff100,merged",
        help="sweeps to compare, each on a freshly written table (see FILLFACTOR); repeat a name for rounds",
    )
    args = ap.parse_args()
    schema = f"bench_appeal_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.url)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.url else "?"
    try:
        variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
        if not set(variants) <= set(FILLFACTOR):
            raise SystemExit(f"unknown variant in {args.variants!r}")
        run(
            f"{args.url}{sep}options=-csearch_path%3D{schema}",
            args.appeals,
            args.repeat,
            args.profile,
            variants,
        )
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
