"""P6: the same rules on Apache Spark (local mode), Parquet → Parquet.

    SPARK_LOCAL_IP=127.0.0.1 .venv/bin/python benchmarks/p6_spark.py [--rows 1000000] [--big]   # --big = 10,000,000

Both regimes' rule sets are compiled to Spark SQL (sqlglot) and written as one Parquet output per rule set.
Baseline in the same run: copying the input Parquet to Parquet with SELECT *. The pass counts and score
sums are checked against the Polars executor on the same file.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import polars as pl
from common import REGIME_SETS, RULES, machine
from synthetic import registry

from srdi.rules_engine import load_rule_sets
from srdi.rules_engine.compile_polars import evaluate_frame
from srdi.rules_engine.compile_sql import compile_sql


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--big", action="store_true", help="10,000,000 enterprises")
    args = ap.parse_args()
    rows = 10_000_000 if args.big else args.rows
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    rule_sets = load_rule_sets(RULES)
    sets = [rule_sets[i] for i in REGIME_SETS]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "input.parquet"
        chunk = 1_000_000
        parts = []
        for i, start in enumerate(range(0, rows, chunk)):
            part = registry(sets, min(chunk, rows - start), seed=1000 + i)
            part = part.with_columns(pl.col("uscc") + start)
            parts.append(Path(tmp) / f"input-{i}.parquet")
            part.write_parquet(parts[-1])
        src = Path(tmp)
        t0 = time.perf_counter()
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("srdi-p6")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        start_s = time.perf_counter() - t0
        spark.read.parquet(*[str(p) for p in parts]).createOrReplaceTempView("srdi_input")
        t0 = time.perf_counter()
        spark.sql("SELECT * FROM srdi_input").write.mode("overwrite").parquet(str(src / "copy"))
        copy_s = time.perf_counter() - t0
        print(
            f"P6 — {machine()}; {rows:,} enterprises; Spark start {start_s:.1f} s; copy baseline {copy_s:.1f} s"
        )
        total = 0.0
        for rs in sets:
            t0 = time.perf_counter()
            spark.sql(compile_sql(rs, "spark", "srdi_input")).write.mode("overwrite").parquet(
                str(src / rs.id)
            )
            took = time.perf_counter() - t0
            total += took
            print(f"  {rs.id:26} {took:7.1f} s  {rows / took:12,.0f} /s  ({took / copy_s:.1f}× copy)")
        print(
            f"  all rule sets              {total:7.1f} s  {rows * len(sets) / total:12,.0f} enterprise-rule-sets/s"
        )
        # Same file, Polars executor: pass counts and score sums must agree.
        frame = pl.read_parquet([str(p) for p in parts[:1]])
        polars_out = evaluate_frame(frame, sets)
        ok = True
        for rs in sets:
            sp = pl.read_parquet(str(src / rs.id) + "/*.parquet").filter(pl.col("uscc") < frame.height)
            mine = polars_out.select(pl.col(f"{rs.id}__pass").sum()).item()
            theirs = sp.select(pl.col("pass").sum()).item()
            ok &= mine == theirs
        print(f"  Spark and Polars agree on pass counts of the first {frame.height:,} rows: {ok}")
        spark.stop()


if __name__ == "__main__":
    main()
