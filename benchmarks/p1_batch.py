"""P1: both regimes' full rule sets over N synthetic enterprises on Polars (target: 1M in ≤ 3 s, ≤ 2 GiB).

    .venv/bin/python benchmarks/p1_batch.py [--rows 1000000] [--repeat 3]

The data are generated and written to Parquet first; a child process then reads them and evaluates, so the
reported peak memory is that of the evaluation (input included), not of the generator.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REGIME_SETS, RULES, machine, peak_rss_mib, timed


def child(path: str, repeat: int) -> None:
    import polars as pl
    from hand_polars import innovative_by_hand

    from srdi.rules_engine import load_rule_sets
    from srdi.rules_engine.compile_polars import compile_polars, evaluate_frame

    rule_sets = load_rule_sets(RULES)
    sets = [rule_sets[i] for i in REGIME_SETS]
    frame = pl.read_parquet(path)
    base_rss = peak_rss_mib()
    t0 = time.perf_counter()
    plans = [compile_polars(rs, rs.id + "__") for rs in sets]
    compile_s = time.perf_counter() - t0
    full_s, out = timed(lambda: evaluate_frame(frame, sets), repeat)
    hand_s, _ = timed(lambda: innovative_by_hand(frame.lazy()).collect(), repeat)
    print(
        json.dumps(
            {
                "rows": frame.height,
                "rule_sets": len(sets),
                "output_columns": out.width - 1,  # type: ignore[attr-defined]
                "compile_s": round(compile_s, 3),
                "evaluate_s": round(full_s, 3),
                "enterprises_per_s": round(frame.height / full_s),
                "hand_innovative_s": round(hand_s, 3),
                "ratio_full_to_one_hand_rule_set": round(full_s / hand_s, 2),
                "input_mib": round(frame.estimated_size() / 2**20),
                "peak_rss_before_eval_mib": round(base_rss),
                "peak_rss_mib": round(peak_rss_mib()),
                "plans": len(plans),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    from synthetic import registry

    from srdi.rules_engine import load_rule_sets

    rule_sets = load_rule_sets(RULES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.parquet"
        t0 = time.perf_counter()
        registry([rule_sets[i] for i in REGIME_SETS], args.rows).write_parquet(path)
        gen_s = time.perf_counter() - t0
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(path), "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"P1 — {machine()}; generated {args.rows:,} enterprises in {gen_s:.1f} s")
    for k, v in figures.items():
        print(f"  {k:34} {v}")
    ok_time = figures["evaluate_s"] <= 3.0 * args.rows / 1_000_000
    ok_mem = figures["peak_rss_mib"] <= 2048
    print(
        f"  target ≤3 s per 1M and ≤2 GiB peak: time {'met' if ok_time else 'NOT met'}, "
        f"memory {'met' if ok_mem else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
