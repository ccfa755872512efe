"""Registry batch end to end (QUALITY P1, issue 12): ``srdi evaluate --as-of …`` with every tier rule set and
its results stored in ``batch_result``, against reading the columns plus the compiled evaluation, same run.

    .venv/bin/python benchmarks/registry_batch.py --count 100000                 # SQLite file in /tmp
    .venv/bin/python benchmarks/registry_batch.py --count 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/registry_batch.py --count 1000000 --spark-rows 0  # the issue's bar

The registry: ``srdi demo --count BASE`` (synthetic enterprises with every kind of fact), then copied in the
database (INSERT … SELECT with shifted ids and USCCs) until it holds ``--count`` enterprises. Each figure runs
in a child process of its own, timed from outside, with the child's peak RSS (``ru_maxrss``):

- *batch*: the user-facing command ``srdi evaluate --as-of DATE`` (create run, set-based reads, compiled
  evaluation of all tier rule sets, bulk write of every result row, funnel from aggregate queries), process
  start-up included;
- *read + evaluate*: the same set-based reads into Polars and the compiled Polars evaluation of the same rule
  sets, chunk by chunk, results discarded (no writes) — the floor the batch is measured against.

Repetitions alternate (batch, floor, batch, floor …); min and median are printed. PostgreSQL runs in a schema
of its own that is dropped afterwards. Reports figures; never fails on timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

AS_OF = "2026-06-30"
ROOT = Path(__file__).resolve().parents[1]
FACT_TABLES = (
    "yearly_figure",
    "ip_item",
    "award",
    "honour",
    "rd_institution",
    "certification",
    "niche_market",
    "main_product",
    "compliance_record",
    "recognition",
)

FLOOR = r"""
import sys, time
from datetime import date
from srdi.criteria import batch_service
from srdi.criteria.enums import Purpose
from srdi.criteria.service import rule_book
from srdi.db.session import session_scope
t0 = time.perf_counter()
with session_scope() as db:
    run = batch_service.create_run(db, as_of=date.fromisoformat(sys.argv[1]), purpose=Purpose.new_application,
                                   region_prefix=None, actor="bench")
    plans = batch_service.RunPlans(rule_book())
    rows = 0
    for lo, hi in batch_service.chunks(db, run):
        prepared = batch_service.prepare_chunk(db, run, lo, hi, plans.book)
        for selection, sets, table in prepared.tables:
            rows += batch_service._apply(table, sets, plans.for_selection(selection)).height
    db.rollback()
print(rows)
"""


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB of the child (wait4), and its stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t0
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{err[-3000:]}")
    return took, usage.ru_maxrss / 1024, out


def grow(url: str, count: int) -> None:
    """Copy the registry onto itself (ids shifted by the current count) until it holds ``count`` enterprises."""
    eng = create_engine(url)
    pg = eng.dialect.name == "postgresql"
    with eng.begin() as c:
        cols = {
            t: [r[0] for r in c.execute(text(f"SELECT * FROM {t} LIMIT 0")).cursor.description]
            for t in ("enterprise", *FACT_TABLES)
        }
    while True:
        with eng.begin() as c:
            have, top = c.execute(text("SELECT count(*), max(id) FROM enterprise")).one()
            if have != top:
                raise SystemExit("enterprise ids are not contiguous; start from a fresh demo registry")
            if have >= count:
                break
            take = min(have, count - have)
            ucode = (
                "'B' || lpad(CAST(id + :off AS TEXT), 9, '0') || substr(uscc, 11, 8)"
                if pg
                else "'B' || printf('%09d', id + :off) || substr(uscc, 11, 8)"
            )
            ecols = [x for x in cols["enterprise"] if x not in ("id", "uscc")]
            c.execute(
                text(
                    f"INSERT INTO enterprise (id, uscc, {', '.join(ecols)}) "
                    f"SELECT id + :off, {ucode}, {', '.join(ecols)} FROM enterprise WHERE id <= :take"
                ),
                {"off": have, "take": take},
            )
            for t in FACT_TABLES:
                fcols = [x for x in cols[t] if x not in ("id", "enterprise_id")]
                c.execute(
                    text(
                        f"INSERT INTO {t} (enterprise_id, {', '.join(fcols)}) "
                        f"SELECT enterprise_id + :off, {', '.join(fcols)} FROM {t} WHERE enterprise_id <= :take"
                    ),
                    {"off": have, "take": take},
                )
            if pg:
                c.execute(
                    text("SELECT setval(pg_get_serial_sequence('enterprise', 'id'), :n)"), {"n": have + take}
                )
        print(f"  registry: {have + take:,} enterprises", flush=True)
    if pg:
        with eng.begin() as c:
            c.execute(text("ANALYZE"))
    eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=20_000, help="enterprises generated by srdi demo")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--postgres", help="PostgreSQL URL; default: a SQLite file")
    ap.add_argument("--sqlite-file", help="reuse (or create) this SQLite registry file")
    args = ap.parse_args()
    srdi = str(Path(sys.executable).with_name("srdi"))
    env = dict(os.environ)
    schema = None
    tmp = tempfile.mkdtemp(prefix="srdi-bench-")
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres)
        with admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{args.sqlite_file or Path(tmp) / 'registry.sqlite3'}"
    env["SRDI_DATABASE_URL"] = url
    try:
        t0 = time.perf_counter()
        eng = create_engine(url)
        fresh = True
        try:
            with eng.connect() as c:
                fresh = not c.execute(text("SELECT count(*) FROM enterprise")).scalar()
        except Exception:
            fresh = True
        eng.dispose()
        if fresh:
            subprocess.run([srdi, "db", "upgrade"], env=env, check=True, capture_output=True)
            subprocess.run(
                [srdi, "demo", "--count", str(args.base)], env=env, check=True, capture_output=True
            )
        grow(url, args.count)
        build = time.perf_counter() - t0
        db = "PostgreSQL" if args.postgres else "SQLite"
        print(f"Registry batch — {db}, {args.count:,} enterprises (built in {build:.0f} s); {machine()}")
        batch: list[float] = []
        floor: list[float] = []
        rss_b: list[float] = []
        rss_f: list[float] = []
        for _ in range(args.repeat):
            s, m, _ = _child([srdi, "evaluate", "--as-of", AS_OF], env)
            batch.append(s)
            rss_b.append(m)
            s, m, _ = _child([sys.executable, "-c", FLOOR, AS_OF], env)
            floor.append(s)
            rss_f.append(m)
        b_min, f_min = min(batch), min(floor)
        print(
            f"  batch (srdi evaluate, all tier rule sets, results stored): min {b_min:.1f} s, median "
            f"{statistics.median(batch):.1f} s; peak RSS {max(rss_b):,.0f} MiB"
        )
        print(
            f"  read columns + compiled evaluation (no writes):            min {f_min:.1f} s, median "
            f"{statistics.median(floor):.1f} s; peak RSS {max(rss_f):,.0f} MiB"
        )
        ratios = sorted(b / f for b, f in zip(batch, floor, strict=True))
        print(
            f"  ratio batch / (read + evaluate), interleaved pairs: min {ratios[0]:.2f}×, median "
            f"{statistics.median(ratios):.2f}×; bars: ≤ 60 s, ≤ 3×, ≤ 2 GiB"
        )
        print(f"  {args.count / b_min:,.0f} enterprises/s end to end")
    finally:
        if schema:
            with admin.begin() as c:
                c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
