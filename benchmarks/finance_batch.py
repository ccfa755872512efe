"""Financing: the whitelists and the credit scorecard over N synthetic enterprises on Polars (issue 16 target:
1M in ≤ 5 s), and the same results as the trace interpreter on a sample (differential check).

    .venv/bin/python benchmarks/finance_batch.py [--rows 1000000] [--repeat 3] [--sample 2000]
    .venv/bin/python benchmarks/finance_batch.py --count 1000000 [--postgres URL] [--base 20000] [--old]

With ``--count`` it times the service's own generation end to end from the database instead: the registry is
``srdi demo --count BASE`` grown in SQL as ``registry_batch.grow`` does (a SQLite file by default, or a
PostgreSQL schema of its own, dropped afterwards); each figure is a child process, timed from outside with its
peak RSS: ``srdi finance whitelist generate --list KEY --period 2026Q4`` per list (set-based read of the list's
region, compiled evaluation, the trace interpreter for the stored entries only, bulk write, commit), and the
scorecard over the whole registry (the same column read + compiled evaluation, results discarded: the service
has no stored scorecard batch). ``--old`` also times the per-enterprise path it replaced
(``generate_whitelist(..., set_based=False)``) at the base size, interleaved with the new one. ``--tables``
times, interleaved at ``--count``, the read of every fact table in full (before decision 0033) against the read
of the tables the rule set declares with the others checked in SQL, and checks the counts are equal.

The registry is seeded and synthetic (stdlib random, no numpy): money log-normal around 5000万元 with R&D,
profit, assets and liabilities as shares of revenue, booleans at realistic rates, 2% unknown cells — generated
from the rule sets' declared inputs, so the figures say how fast the rules run, not how
large the facts-document build is (the demo generates lists from the database per chunk, see srdi.finance).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from datetime import date

import polars as pl
from common import RULES, machine, peak_rss_mib, timed

from srdi.rules_engine import evaluate_variables, load_rule_sets
from srdi.rules_engine.batch import result_row
from srdi.rules_engine.compile_polars import evaluate_frame

FINANCE_SETS = ["wl_dg_industry_finance", "wl_dg_risk_compensation", "credit_score_2026"]


def registry(sets: list, n: int, seed: int = 20261202, unknown: float = 0.02) -> pl.DataFrame:  # type: ignore[type-arg]
    rng = random.Random(seed)
    revenue = [int(math.exp(rng.gauss(math.log(5e9), 1.0))) for _ in range(n)]  # fen
    share = {
        "operating_revenue_y1": (1.0, 0.0),
        "operating_revenue_y2": (0.93, 0.12),
        "rd_expense_y1": (0.035, 0.02),
        "net_profit_y1": (0.06, 0.06),
        "total_assets_y1": (0.9, 0.3),
        "total_liabilities_y1": (0.5, 0.25),
    }
    rates = {
        "valid_little_giant": 0.03,
        "valid_srdi": 0.15,
        "valid_provincial_srdi": 0.12,
        "valid_tier1": 0.3,
        "on_credit_blacklist": 0.02,
    }
    cols: dict[str, list[object]] = {"uscc": [f"E{i:07d}" for i in range(n)]}
    inputs = {name: inp for rs in sets for name, inp in rs.inputs.items()}
    for name, inp in inputs.items():
        t = inp.type.value
        if t == "money":
            mean, sd = share.get(name, (0.5, 0.2))
            col: list[object] = [int(r * max(-0.2, rng.gauss(mean, sd))) for r in revenue]
        elif t == "bool":
            col = [rng.random() < rates.get(name, 0.5) for _ in range(n)]
        elif t == "str":
            col = [rng.choice(["large", "medium", "small", "micro"]) for _ in range(n)]
        else:
            col = [rng.randint(0, 10) for _ in range(n)]
        cols[name] = [None if rng.random() < unknown else v for v in col]
    cols["is_re_review"] = [False] * n
    return pl.DataFrame(
        cols, schema_overrides={k: pl.Int64 for k, i in inputs.items() if i.type.value in ("money", "int")}
    )


PERIOD = "2026Q4"
OLD_PATH = r"""
import sys
from srdi.criteria import facts_frame
from srdi.db.session import session_scope
from srdi.enterprise.service import FACT_RECORD_FIELDS
from srdi.finance import service
if sys.argv[3] == "all":  # before decision 0033: every fact table read in full for the suspect check
    facts_frame.lists_read = lambda rule_sets: (frozenset(FACT_RECORD_FIELDS), True)
with session_scope() as db:
    run = service.generate_whitelist(db, sys.argv[1], sys.argv[2], None, region_prefixes=None,
                                     set_based=sys.argv[3] != "old")
    print(run.members, run.entered, run.exited, run.undecided)
"""
SCORECARD = r"""
import sys
from datetime import date
import polars as pl
from sqlalchemy import func, select
from srdi.criteria import facts_frame
from srdi.db.session import session_scope
from srdi.enterprise.models import Enterprise
from srdi.finance import service
from srdi.rules_engine.compile_polars import check_bounds, compile_polars
rs = service.rules().scorecard.rule_set
plan = compile_polars(rs)
as_of = date.fromisoformat(sys.argv[1])
n = graded = 0
# "all": every fact table read in full (before decision 0033); "declared": the tables the scorecard reads
lists, yearly = (None, True) if sys.argv[2] == "all" else facts_frame.lists_read([rs])
with session_scope() as db:
    top = db.scalar(select(func.max(Enterprise.id))) or 0
    for lo in range(1, top + 1, 50_000):
        chunk = facts_frame.read_chunk(db, lo, lo + 49_999, lists=lists, yearly=yearly)
        table = facts_frame.variables(chunk, as_of, [rs], "new_application")
        table = table.with_columns(pl.lit(False).alias("is_re_review"))
        check_bounds(table, [rs])
        out = plan.apply(table.lazy()).select("enterprise_id", "score_total").collect()
        n += out.height
        graded += out["score_total"].is_not_null().sum()
    db.rollback()
print(n, graded)
"""


def from_database(args: argparse.Namespace) -> None:
    import os
    import statistics
    import subprocess
    import sys
    import tempfile
    import uuid
    from pathlib import Path

    from registry_batch import _child, grow
    from registry_batch import machine as load_now
    from sqlalchemy import create_engine, text

    srdi = str(Path(sys.executable).with_name("srdi"))
    env = dict(os.environ)
    schema = None
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres)
        with admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='srdi-fin-')) / 'registry.sqlite3'}"
    env["SRDI_DATABASE_URL"] = url
    db_name = "PostgreSQL" if args.postgres else "SQLite"
    keys = ["dg_industry_finance", "dg_risk_compensation"]

    def region_count() -> int:
        eng = create_engine(url)
        with eng.connect() as c:
            n = c.execute(text("SELECT count(*) FROM enterprise WHERE region_code LIKE '4419%'")).scalar()
        eng.dispose()
        return int(n or 0)

    def generate(key: str, how: str) -> tuple[float, float, str]:
        if how == "cli":
            return _child([srdi, "finance", "whitelist", "generate", "--list", key, "--period", PERIOD], env)
        return _child([sys.executable, "-c", OLD_PATH, key, PERIOD, how], env)

    try:
        t0 = time.perf_counter()
        subprocess.run([srdi, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([srdi, "demo", "--count", str(args.base)], env=env, check=True, capture_output=True)
        print(f"finance generation from the database — {db_name}; {load_now()}")
        if args.old:
            print(f"  base registry {args.base:,} enterprises, {region_count():,} in 东莞 (4419):")
            for key in keys:
                old: list[float] = []
                new: list[float] = []
                for _ in range(args.repeat):
                    s, _m, out_old = generate(key, "old")
                    old.append(s)
                    s, _m, out_new = generate(key, "new")
                    new.append(s)
                    assert out_old == out_new, (out_old, out_new)  # the same counts from both paths
                print(
                    f"    {key}: per-enterprise (old) min {min(old):.1f} s, median {statistics.median(old):.1f} s;"
                    f" set-based min {min(new):.1f} s, median {statistics.median(new):.1f} s → "
                    f"{min(old) / min(new):.1f}× faster; counts {out_new.strip()}"
                )
        grow(url, args.count)
        built = time.perf_counter() - t0
        region = region_count()
        print(
            f"  registry {args.count:,} enterprises, {region:,} in 东莞 (4419), built in {built:.0f} s; {load_now()}"
        )
        startup = min(_child([srdi, "finance", "whitelist", "--help"], env)[0] for _ in range(args.repeat))
        print(f"    process start-up alone (srdi finance whitelist --help): {startup:.1f} s")
        for key in keys:
            if args.tables:  # baseline in the same run, interleaved: every table read (before decision 0033)
                before: list[tuple[float, float, str]] = []
                after: list[tuple[float, float, str]] = []
                for _ in range(args.repeat):
                    before.append(generate(key, "all"))
                    after.append(generate(key, "new"))
                    assert before[-1][2] == after[-1][2], (before[-1][2], after[-1][2])  # same counts
                b, a = min(r[0] for r in before), min(r[0] for r in after)
                print(
                    f"    {key}: all eleven tables (before) min {b:.1f} s, median "
                    f"{statistics.median(r[0] for r in before):.1f} s, peak RSS {max(r[1] for r in before):,.0f}"
                    f" MiB; declared tables only (after) min {a:.1f} s, median "
                    f"{statistics.median(r[0] for r in after):.1f} s, peak RSS {max(r[1] for r in after):,.0f}"
                    f" MiB → {b / a:.1f}×; counts {after[-1][2].strip()}; {load_now()}"
                )
            runs = [generate(key, "cli") for _ in range(args.repeat)]
            best = min(r[0] for r in runs)
            print(
                f"    srdi finance whitelist generate --list {key}: min {best:.1f} s, median "
                f"{statistics.median(r[0] for r in runs):.1f} s, peak RSS {max(r[1] for r in runs):,.0f} MiB; "
                f"{region / best:,.0f} enterprises of the region/s; {runs[-1][2].strip().split(' / ')[-1]}"
            )
        modes = ["all", "declared"] if args.tables else ["declared"]
        for mode in modes:
            runs = [
                _child([sys.executable, "-c", SCORECARD, "2026-10-01", mode], env) for _ in range(args.repeat)
            ]
            best = min(r[0] for r in runs)
            print(
                f"    scorecard over the whole registry (read + compiled; {mode} tables): min {best:.1f} s, median "
                f"{statistics.median(r[0] for r in runs):.1f} s, peak RSS {max(r[1] for r in runs):,.0f} MiB; "
                f"scored / graded {runs[-1][2].strip()}; {load_now()}"
            )
    finally:
        if schema:
            with admin.begin() as c:
                c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--count", type=int, help="time the service from a database of this many enterprises")
    ap.add_argument("--base", type=int, default=20_000, help="enterprises generated by srdi demo")
    ap.add_argument("--postgres", help="PostgreSQL URL; default: a SQLite file")
    ap.add_argument("--old", action="store_true", help="also time the per-enterprise path at the base size")
    ap.add_argument(
        "--tables", action="store_true", help="also time reading every fact table (before decision 0033)"
    )
    args = ap.parse_args()
    if args.count:
        from_database(args)
        return
    all_sets = load_rule_sets(RULES)
    sets = [all_sets[i] for i in FINANCE_SETS]
    t0 = time.perf_counter()
    frame = registry(sets, args.rows)
    gen_s = time.perf_counter() - t0
    eval_s, out = timed(lambda: evaluate_frame(frame, sets), args.repeat)
    print(f"finance batch — {machine()}; generated {args.rows:,} rows in {gen_s:.1f} s")
    print(
        f"  rule sets {len(sets)}, evaluate {eval_s:.3f} s, {args.rows / eval_s:,.0f} enterprises/s, "
        f"peak RSS {peak_rss_mib():.0f} MiB"
    )
    print(f"  target ≤5 s per 1M: {'met' if eval_s <= 5.0 * args.rows / 1_000_000 else 'NOT met'}")
    # Differential: the interpreter on the first rows gives the same columns.
    rows = frame.head(args.sample).to_dicts()
    got = out.head(args.sample).to_dicts()  # type: ignore[attr-defined]
    mismatches = 0
    for row, batch in zip(rows, got, strict=True):
        for rs in sets:
            variables = {k: v for k, v in row.items() if k in rs.inputs}
            expect = result_row(evaluate_variables(variables, rs, as_of=date(2026, 10, 1)), rs, rs.id + "__")
            mismatches += sum(1 for k, v in expect.items() if batch.get(k) != v)
    print(
        f"  interpreter vs Polars on {len(rows)} rows × {len(sets)} rule sets: {mismatches} mismatching cells"
    )


if __name__ == "__main__":
    main()
