"""The registry batch on Apache Spark (``srdi evaluate --engine spark``; issue 12, deliverable 2).

1. Export: the same frame builder as the embedded path (``batch_service.prepare_chunk``) writes each chunk's
   batch input tables to Parquet, one directory per rule-set selection (province group); enterprises whose data
   the facts format refuses are evaluated the per-enterprise way and stored right away, as in the embedded path.
2. Evaluate: Spark reads each directory and runs every rule set of the selection as the compiled Spark SQL
   (``compile_sql(..., "spark")``), joined on ``enterprise_id``, and writes the outputs to Parquet.
3. Write back: the output files are read one at a time and stored in ``batch_result`` with the same shape,
   in bulk, and the run's summary (funnel) is computed by the same aggregate queries.

Spark is told nothing about the database: an operator points ``--master`` at a cluster and ``--parquet-dir`` at
storage the executors share. Debian's JDBC driver (libpostgresql-jdbc-java) is not needed for this path.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from srdi.criteria import batch_service
from srdi.criteria.models import BatchRun
from srdi.criteria.service import rule_book
from srdi.criteria.tasks import guarded_run
from srdi.db.session import SessionFactory, task_session
from srdi.rules_engine.compile_sql import compile_sql

log = logging.getLogger("srdi.criteria")

Selection = tuple[tuple[str, str], ...]


def _group_dir(root: Path, selection: Selection) -> Path:
    digest = hashlib.sha256(repr(selection).encode()).hexdigest()[:12]
    return root / "input" / digest


def spark_session(master: str) -> Any:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("srdi-evaluate")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


IDENTS = ["enterprise_id", "uscc", "name", "region_code"]


def export(
    db: Any,
    run: BatchRun,
    root: Path,
    plans: batch_service.RunPlans,
    sink: batch_service.ChunkSink | None = None,
) -> dict[Selection, Path]:
    """Batch input tables of the run's scope as Parquet (one file per chunk and selection)."""
    groups: dict[Selection, Path] = {}
    for lo, hi in batch_service.chunks(db, run):
        prepared = batch_service.prepare_chunk(db, run, lo, hi, plans.book)
        idents = prepared.enterprises.select(IDENTS)
        for selection, _, table in prepared.tables:
            d = groups.setdefault(selection, _group_dir(root, selection))
            d.mkdir(parents=True, exist_ok=True)
            table.join(idents, on="enterprise_id", how="left").write_parquet(d / f"part-{lo:012d}.parquet")
        if prepared.refused.height:
            refused = prepared.refused["enterprise_id"].n_unique()
            batch_service.store_chunk(db, run, prepared, [], sink)
            # store_chunk counts the whole chunk; the others are counted when Spark's results are stored.
            run.processed += refused - prepared.enterprises.height
        db.commit()
    return groups


def evaluate(
    spark: Any, run: BatchRun, root: Path, groups: dict[Selection, Path], book: Any
) -> dict[Selection, Path]:
    """Every rule set of each selection as compiled Spark SQL over its Parquet input; outputs to Parquet."""
    out: dict[Selection, Path] = {}
    for selection, src in groups.items():
        view = "srdi_input_" + src.name
        spark.read.parquet(str(src)).createOrReplaceTempView(view)
        joined = None
        for rid in dict.fromkeys(r for _, r in selection):
            rs = book.get(rid)
            df = spark.sql(compile_sql(rs, "spark", view, key=IDENTS, prefix=rs.id + "__"))
            joined = df if joined is None else joined.join(df, on=IDENTS, how="inner")
        assert joined is not None
        dest = root / "output" / src.name
        joined.write.mode("overwrite").parquet(str(dest))
        out[selection] = dest
    return out


def store(
    db: Any,
    run: BatchRun,
    outputs: dict[Selection, Path],
    sink: batch_service.ChunkSink | None,
    on_progress: Callable[[BatchRun], None] | None,
) -> None:
    """Spark's outputs → ``batch_result`` rows in bulk, file by file (memory bounded by a file)."""
    for selection, dest in outputs.items():
        for part in sorted(dest.glob("*.parquet")):
            out = pl.read_parquet(part)
            if not out.height:
                continue
            results = batch_service.result_frame(run, selection, out).sort("enterprise_id", "tier")
            batch_service.write_results(db, results)
            run.processed += out.height
            if sink is not None:
                sink(results.join(out.select(IDENTS), on="enterprise_id", how="left"))
            db.commit()
            if on_progress:
                on_progress(run)


def run_batch(
    run_id: int,
    *,
    master: str = "local[2]",
    parquet_dir: Path | None = None,
    session_factory: SessionFactory = task_session,
    on_progress: Callable[[BatchRun], None] | None = None,
    sink: batch_service.ChunkSink | None = None,
) -> None:
    root = parquet_dir or Path(tempfile.mkdtemp(prefix="srdi-spark-"))
    for sub in ("input", "output"):
        shutil.rmtree(root / sub, ignore_errors=True)  # a rerun starts from a clean export

    def body(db: Session, run: BatchRun) -> None:
        plans = batch_service.RunPlans(rule_book())
        groups = export(db, run, root, plans, sink)
        spark = spark_session(master)
        outputs = evaluate(spark, run, root, groups, plans.book)
        store(db, run, outputs, sink, on_progress)

    try:
        guarded_run(run_id, session_factory, body, what="spark batch")
    finally:
        if parquet_dir is None:
            shutil.rmtree(root, ignore_errors=True)
