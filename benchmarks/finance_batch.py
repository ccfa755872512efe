"""Financing: the whitelists and the credit scorecard over N synthetic enterprises on Polars (issue 16 target:
1M in ≤ 5 s), and the same results as the trace interpreter on a sample (differential check).

    .venv/bin/python benchmarks/finance_batch.py [--rows 1000000] [--repeat 3] [--sample 2000]

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample", type=int, default=2000)
    args = ap.parse_args()
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
