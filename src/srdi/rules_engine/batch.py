"""Batch input tables (one row per enterprise, one typed column per input) and row-shaped results.

The table is what every batch executor reads (Polars, PostgreSQL, Spark): money as Int64 fen, counts as
Int64, ``number`` inputs as Int64 holding value × 10**scale, bool, str; null = unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from srdi.rules_engine.compile_polars import input_schema
from srdi.rules_engine.errors import FactsError
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.facts import build_variables
from srdi.rules_engine.lower import output_columns
from srdi.rules_engine.model import RuleSet
from srdi.rules_engine.trace import Result


def merged_schema(rule_sets: Iterable[RuleSet]) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {}
    for rs in rule_sets:
        for name, dtype in input_schema(rs).items():
            if name in schema and schema[name] != dtype:
                raise ValueError(f"input {name} has different types in different rule sets")
            schema[name] = dtype
    return schema


def _scales(rule_sets: Iterable[RuleSet]) -> dict[str, int]:
    return {n: i.scale for rs in rule_sets for n, i in rs.inputs.items() if i.type == Type.NUMBER}


def to_cell(value: object, scale: int | None) -> object:
    """Engine value → batch cell (scaled integer for ``number`` inputs, which must be exact at that scale)."""
    if value is None or scale is None:
        return value
    assert isinstance(value, int | Fraction)
    scaled = Fraction(value) * 10**scale
    if scaled.denominator != 1:
        raise FactsError(f"{value} has more than {scale} decimals")
    return int(scaled)


def from_cell(value: object, scale: int | None) -> object:
    if value is None or scale is None:
        return value
    f = Fraction(int(value), 10**scale)  # type: ignore[call-overload]
    return f.numerator if f.denominator == 1 else f


def variables_table(
    rows: Sequence[Mapping[str, object]],
    rule_sets: Sequence[RuleSet],
    *,
    keys: Mapping[str, Sequence[Any]] | None = None,
) -> pl.DataFrame:
    """Flat variables (as from ``build_variables``) → batch input table with the rule sets' schema."""
    schema = merged_schema(rule_sets)
    scales = _scales(rule_sets)
    data: dict[str, list[object]] = {n: [to_cell(r.get(n), scales.get(n)) for r in rows] for n in schema}
    frame = pl.DataFrame(data, schema=schema)
    if keys:
        frame = pl.DataFrame(dict(keys)).hstack(frame)
    return frame


def facts_table(
    documents: Sequence[Mapping[str, Any]],
    as_of: date,
    rule_sets: Sequence[RuleSet],
    purpose: str = "new_application",
) -> pl.DataFrame:
    """Facts documents → batch input table keyed by ``uscc`` (loops in Python; for registries, build the
    same columns in SQL or Polars from the registry tables following the conventions in ``facts``)."""
    rows = [build_variables(d, as_of, rule_sets, purpose) for d in documents]
    return variables_table(rows, rule_sets, keys={"uscc": [d.get("uscc") for d in documents]})


def result_row(result: Result, rule_set: RuleSet, prefix: str = "") -> dict[str, object]:
    """The trace interpreter's result in the batch output shape, for comparing executors."""
    v = result.values
    row: dict[str, object] = {}
    for name in output_columns(rule_set, prefix):
        bare = name[len(prefix) :]
        if bare.startswith("pts_"):
            row[name] = v.get(bare[4:])
        elif bare.startswith("band_"):
            row[name] = v.get(bare)
        elif bare.startswith(("cond_", "route_")):
            row[name] = v.get(bare.split("_", 1)[1])
        else:
            row[name] = v.get(bare)
    return row
