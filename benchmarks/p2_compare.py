"""P2: compiled 创新型 vs the same rule hand-written in Polars vs OpenFisca-core, same data, same run.

    .venv/bin/python benchmarks/p2_compare.py [--rows 1000000] [--repeat 5]

Targets: compiled ≥ 0.5× the hand-written Polars speed and ≥ 3× the OpenFisca speed. Also reports how many
enterprises OpenFisca (float32, as its models are usually written) scores differently from the exact engine.
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl
from common import RULES, machine, timed
from hand_polars import innovative_by_hand
from openfisca_innovative import BOOL_INPUTS, FLOAT_INPUTS, INT_INPUTS, build_system, run
from synthetic import registry

from srdi.rules_engine import load_rule_sets
from srdi.rules_engine.compile_polars import compile_polars


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rs = load_rule_sets(RULES)["innovative_sme_2022"]
    # OpenFisca has no unknown values: all engines get the same complete rows.
    frame = registry([rs], args.rows, unknown_rate=0.0)
    hand_cols = innovative_by_hand(frame.lazy()).collect_schema().names()
    plan = compile_polars(rs)

    def compiled() -> pl.DataFrame:
        return plan.apply(frame.lazy()).select(hand_cols).collect()

    def hand() -> pl.DataFrame:
        return innovative_by_hand(frame.lazy()).collect()

    inputs: dict[str, np.ndarray] = {n: (frame[n].to_numpy() / 100).astype(np.float32) for n in FLOAT_INPUTS}
    inputs |= {n: frame[n].to_numpy().astype(np.int32) for n in INT_INPUTS}
    inputs |= {n: frame[n].to_numpy() for n in BOOL_INPUTS if n != "size_is_sme"}
    inputs["size_is_sme"] = frame["size_class"].is_in(["medium", "small", "micro"]).to_numpy()
    tbs = build_system()

    t_comp, out_comp = timed(compiled, args.repeat)
    t_hand, out_hand = timed(hand, args.repeat)
    t_of, out_of = timed(lambda: run(tbs, inputs), args.repeat)
    assert (
        isinstance(out_comp, pl.DataFrame) and isinstance(out_hand, pl.DataFrame) and isinstance(out_of, dict)
    )
    same_as_hand = out_comp.equals(out_hand)
    of_wrong = int((out_of["innovative_pass"] != out_comp["pass"].to_numpy()).sum())
    of_points_wrong = int((out_of["score_total"] != out_comp["score_total"].to_numpy()).sum())
    n = frame.height
    print(f"P2 — {machine()}; {n:,} enterprises, median of {args.repeat}")
    print(f"  compiled Polars     {t_comp:7.3f} s  {n / t_comp:12,.0f} /s")
    print(f"  hand-written Polars {t_hand:7.3f} s  {n / t_hand:12,.0f} /s   (same outputs: {same_as_hand})")
    print(f"  OpenFisca-core      {t_of:7.3f} s  {n / t_of:12,.0f} /s")
    print(f"  speed compiled / hand      = {t_hand / t_comp:5.2f}×  (target ≥ 0.5×)")
    print(f"  speed compiled / OpenFisca = {t_of / t_comp:5.2f}×  (target ≥ 3×)")
    print(
        f"  OpenFisca (float32) differs from the exact result: pass {of_wrong:,}, total score {of_points_wrong:,}"
    )


if __name__ == "__main__":
    main()
