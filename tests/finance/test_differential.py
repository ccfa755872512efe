"""Issue 16 (performance): the finance rule files — both Dongguan whitelists and the credit scorecard — give the
same outcome, points, bands, scores and conditions per enterprise on the trace interpreter, the Polars
executor and the SQL executors (SQLite here; PostgreSQL when reachable), over a seeded synthetic set of a few
thousand enterprises with unknown values and rows exactly on every band edge (and one unit either side)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
import pytest

from srdi.rules_engine import evaluate_variables, load_rule_sets
from srdi.rules_engine.batch import result_row, variables_table
from srdi.rules_engine.compile_polars import evaluate_frame
from srdi.rules_engine.compile_sql import compile_sql
from srdi.rules_engine.lower import output_columns
from srdi.rules_engine.model import RuleSet
from tests.rules_engine.cases import RULES_DIR
from tests.rules_engine.generators import edge_rows, random_row
from tests.rules_engine.test_differential import PG_URL, run_postgres

RULE_SETS = load_rule_sets(RULES_DIR)
FINANCE_IDS = sorted(rid for rid, rs in RULE_SETS.items() if rs.kind in ("whitelist", "scorecard"))
ROWS = 3000


def test_every_finance_rule_file_is_covered() -> None:
    assert {"wl_dg_industry_finance", "wl_dg_risk_compensation", "credit_score_2026"} <= set(FINANCE_IDS)


def enterprises(rs: RuleSet) -> list[dict[str, object]]:
    """Seeded: every band edge ± 1, then random enterprises with 5 % unknown cells, a share of them with
    every input unknown and some with zero denominators (division by zero is unknown, not a number)."""
    rng = random.Random(f"finance-{rs.id}")
    rows = edge_rows(rs)
    rows += [random_row(rs, rng) for _ in range(ROWS)]
    rows += [{} for _ in range(20)]  # nothing known
    for _ in range(50):
        r = random_row(rs, rng, unknown_rate=0.0)
        for name, inp in rs.inputs.items():
            if inp.type.value == "money" and rng.random() < 0.5:
                r[name] = 0
        rows.append(r)
    return rows


def expected(rs: RuleSet, rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    return [result_row(evaluate_variables(r, rs), rs) for r in rows]


def frame_of(rs: RuleSet, rows: Sequence[dict[str, object]]) -> pl.DataFrame:
    return variables_table(rows, [rs], keys={"uscc": [f"{i:08d}" for i in range(len(rows))]})


def run_polars(rs: RuleSet, frame: pl.DataFrame) -> list[dict[str, Any]]:
    return evaluate_frame(frame, [rs]).sort("uscc").drop("uscc").to_dicts()


def run_sqlite(rs: RuleSet, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The rule set compiled to SQLite SQL, run on an in-memory database over the same input table."""
    types = {pl.Int64: "INTEGER", pl.Boolean: "BOOLEAN", pl.String: "TEXT"}
    conn = sqlite3.connect(":memory:")
    try:
        cols = ", ".join(f'"{n}" {types[type(frame.schema[n])]}' for n in frame.columns)
        conn.execute(f"CREATE TABLE srdi_input ({cols})")
        marks = ", ".join("?" for _ in frame.columns)
        conn.executemany(f"INSERT INTO srdi_input VALUES ({marks})", frame.rows())
        cur = conn.execute(compile_sql(rs, "sqlite", "srdi_input") + ' ORDER BY "uscc"')
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        conn.close()
    # SQLite has no boolean type: conditions and pass come back as 0/1; the output schema says which.
    flags = {c for c in output_columns(rs) if c.startswith(("cond_", "route_")) or c in ("pass", "direct")}
    for r in rows:
        r.pop("uscc")
        for c in flags:
            if r[c] is not None:
                r[c] = bool(r[c])
    return rows


def assert_same(rs: RuleSet, rows: Sequence[dict[str, object]], got: list[dict[str, Any]]) -> None:
    want = expected(rs, rows)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"{rs.id} row {i}: inputs {rows[i]}"


@pytest.mark.parametrize("rule_set_id", FINANCE_IDS)
def test_polars_matches_interpreter(rule_set_id: str) -> None:
    rs = RULE_SETS[rule_set_id]
    rows = enterprises(rs)
    assert_same(rs, rows, run_polars(rs, frame_of(rs, rows)))


@pytest.mark.parametrize("rule_set_id", FINANCE_IDS)
def test_sqlite_matches_interpreter(rule_set_id: str) -> None:
    rs = RULE_SETS[rule_set_id]
    rows = enterprises(rs)
    assert_same(rs, rows, run_sqlite(rs, frame_of(rs, rows)))


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # any connection failure means "no server here"
        pytest.skip(
            f"PostgreSQL not reachable at {PG_URL}: {exc} — the SQLite and Polars comparisons still ran"
        )
    yield conn
    conn.close()


@pytest.mark.postgres
@pytest.mark.parametrize("rule_set_id", FINANCE_IDS)
def test_postgres_matches_interpreter(rule_set_id: str, pg: Any) -> None:
    rs = RULE_SETS[rule_set_id]
    rows = enterprises(rs)
    assert_same(rs, rows, run_postgres(pg)(rs, frame_of(rs, rows)))


def test_the_set_reaches_every_band_and_outcome() -> None:
    """The generated enterprises are not all alike: every band of the scorecard and every outcome of each
    list (pass, fail, unknown) occurs, so the comparison above could fail."""
    for rid in FINANCE_IDS:
        rs = RULE_SETS[rid]
        out = expected(rs, enterprises(rs))
        assert {r["pass"] for r in out} == {True, False, None}, rid
        for ind in rs.indicators:
            assert {r["band_" + ind.id] for r in out} >= {b.id for b in ind.bands}, (rid, ind.id)
