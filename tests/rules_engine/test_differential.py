"""R5: the trace interpreter, Polars, PostgreSQL and Spark give identical results, on random enterprises
and on every band edge of every rule (STACK.md: division by zero, float edges, NULL logic)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from srdi.rules_engine import evaluate_variables, load_rule_sets
from srdi.rules_engine.batch import result_row, variables_table
from srdi.rules_engine.compile_polars import evaluate_frame
from srdi.rules_engine.compile_sql import compile_sql
from srdi.rules_engine.model import RuleSet
from tests.rules_engine.cases import RULES_DIR
from tests.rules_engine.generators import edge_rows, random_row, rows_strategy

RULE_SETS = load_rule_sets(RULES_DIR)
IDS = sorted(RULE_SETS)
# Spark plans take seconds each on a 2-core machine: run the rule sets that together use every expression
# feature (bands, or-bands, avg of ratios, floor/min/count, cagr, scaled decimals, a provincial variant).
SPARK_IDS = [
    "innovative_sme_2022",
    "little_giant_2026",
    "srdi_sme_2022_sichuan",
    "srdi_sme_2026",
    "tech_sme_2017",
]
RANDOM_ROWS = int(os.environ.get("SRDI_DIFF_ROWS", "2000"))
PG_URL = os.environ.get("SRDI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

Runner = Callable[[RuleSet, pl.DataFrame], list[dict[str, Any]]]


def expected(rs: RuleSet, rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    return [
        result_row(
            evaluate_variables(r, rs, purpose="re_review" if r.get("is_re_review") else "new_application"), rs
        )
        for r in rows
    ]


def table(rs: RuleSet, rows: Sequence[dict[str, object]]) -> pl.DataFrame:
    return variables_table(rows, [rs], keys={"uscc": [f"{i:08d}" for i in range(len(rows))]})


def run_polars(rs: RuleSet, frame: pl.DataFrame) -> list[dict[str, Any]]:
    return evaluate_frame(frame, [rs]).sort("uscc").drop("uscc").to_dicts()


def assert_same(rs: RuleSet, rows: Sequence[dict[str, object]], runner: Runner) -> None:
    want = expected(rs, rows)
    got = runner(rs, table(rs, rows))
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"{rs.id} row {i}: inputs {rows[i]}"


@pytest.mark.parametrize("rule_set_id", IDS)
def test_polars_on_every_band_edge(rule_set_id: str) -> None:
    rs = RULE_SETS[rule_set_id]
    rows = edge_rows(rs)
    assert_same(rs, rows, run_polars)


@pytest.mark.parametrize("rule_set_id", IDS)
def test_polars_on_random_enterprises(rule_set_id: str) -> None:
    rs = RULE_SETS[rule_set_id]
    rng = random.Random(rule_set_id)
    assert_same(rs, [random_row(rs, rng) for _ in range(RANDOM_ROWS)], run_polars)


@pytest.mark.parametrize("rule_set_id", IDS)
def test_polars_hypothesis(rule_set_id: str) -> None:
    rs = RULE_SETS[rule_set_id]

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows_strategy(rs, 20))
    def check(rows: list[dict[str, object]]) -> None:
        assert_same(rs, rows, run_polars)

    check()


def test_edge_rows_really_hit_edges() -> None:
    rs = RULE_SETS["innovative_sme_2022"]
    rows = edge_rows(rs)
    ratios = {(r["rd_expense_y1"] * 100) % r["operating_revenue_y1"] for r in rows}  # type: ignore[operator]
    assert 0 in ratios  # some rows sit exactly on a percentage threshold
    assert len(rows) >= 40


# --- PostgreSQL -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # any connection failure means "no server here"
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    yield conn
    conn.close()


_PG_TYPES = {pl.Int64: "BIGINT", pl.Boolean: "BOOLEAN", pl.String: "TEXT"}


def run_postgres(conn: Any) -> Runner:
    def run(rs: RuleSet, frame: pl.DataFrame) -> list[dict[str, Any]]:
        cols = ", ".join(f'"{n}" {_PG_TYPES[type(frame.schema[n])]}' for n in frame.columns)
        with conn.cursor() as cur:
            # A temporary table lives in this session only and is dropped at the end: nothing is left behind.
            cur.execute("DROP TABLE IF EXISTS srdi_input")
            cur.execute(f"CREATE TEMP TABLE srdi_input ({cols})")
            with cur.copy(
                f"COPY srdi_input ({', '.join(chr(34) + c + chr(34) for c in frame.columns)}) FROM STDIN"
            ) as cp:
                for row in frame.iter_rows():
                    cp.write_row(row)
            cur.execute(compile_sql(rs, "postgres", "srdi_input") + ' ORDER BY "uscc"')
            names = [d.name for d in cur.description]
            out = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            cur.execute("DROP TABLE srdi_input")
        for r in out:
            r.pop("uscc")
        return out

    return run


@pytest.mark.postgres
@pytest.mark.parametrize("rule_set_id", IDS)
def test_postgres_matches(rule_set_id: str, pg: Any) -> None:
    rs = RULE_SETS[rule_set_id]
    rng = random.Random(rule_set_id)
    rows = edge_rows(rs) + [random_row(rs, rng) for _ in range(300)]
    assert_same(rs, rows, run_postgres(pg))


# --- Spark ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="PySpark is not installed")
    import shutil

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (Spark needs a JVM)")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("srdi-differential")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def run_spark(session: Any) -> Runner:
    def run(rs: RuleSet, frame: pl.DataFrame) -> list[dict[str, Any]]:
        session.createDataFrame(frame.to_arrow()).createOrReplaceTempView("srdi_input")
        rows = session.sql(compile_sql(rs, "spark", "srdi_input")).collect()
        out = sorted((r.asDict() for r in rows), key=lambda r: r["uscc"])
        for r in out:
            r.pop("uscc")
        return out

    return run


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.parametrize("rule_set_id", SPARK_IDS)
def test_spark_matches(rule_set_id: str, spark: Any) -> None:
    rs = RULE_SETS[rule_set_id]
    rng = random.Random(rule_set_id)
    rows = edge_rows(rs) + [random_row(rs, rng) for _ in range(100)]
    assert_same(rs, rows, run_spark(spark))
