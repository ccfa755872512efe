"""P3: one enterprise, one rule set, full trace and gap analysis, in-process (target: median ≤ 1 ms).

    .venv/bin/python benchmarks/p3_single.py [--enterprises 10000] [--rule-set srdi_sme_2022]

Baseline in the same run: the same evaluation without the trace (``trace=False``) and without gap analysis.
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import RULES, machine
from synthetic import registry

from srdi.rules_engine import evaluate_variables, load_rule_sets
from srdi.rules_engine.batch import from_cell
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.gap import gap_analysis


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--rule-set", action="append", dest="rule_sets")
    args = ap.parse_args()
    rule_sets = load_rule_sets(RULES)
    print(f"P3 — {machine()}; {args.enterprises:,} enterprises, per-enterprise times")
    for rid in args.rule_sets or ["innovative_sme_2022", "srdi_sme_2022"]:
        rs = rule_sets[rid]
        frame = registry([rs], args.enterprises, seed=7)
        scales = {n: i.scale for n, i in rs.inputs.items() if i.type == Type.NUMBER}
        rows = [{k: from_cell(v, scales.get(k)) for k, v in r.items()} for r in frame.iter_rows(named=True)]
        full, bare = [], []
        statuses: dict[str, int] = {}
        for row in rows:
            t0 = time.perf_counter_ns()
            result = evaluate_variables(row, rs)
            gap = gap_analysis(result, rs)
            full.append(time.perf_counter_ns() - t0)
            statuses[result.status] = statuses.get(result.status, 0) + 1
            assert gap.reached == (result.status == "pass")
            t0 = time.perf_counter_ns()
            evaluate_variables(row, rs, trace=False)
            bare.append(time.perf_counter_ns() - t0)
        med_full, med_bare = statistics.median(full) / 1e6, statistics.median(bare) / 1e6
        p95 = statistics.quantiles(full, n=20)[-1] / 1e6
        print(
            f"  {rid:22} trace+gap median {med_full:.3f} ms (p95 {p95:.3f} ms); "
            f"bare evaluation {med_bare:.3f} ms; ratio {med_full / med_bare:.1f}×; statuses {statuses}"
        )
        print(f"  {'':22} target median ≤ 1 ms: {'met' if med_full <= 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
