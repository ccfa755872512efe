"""Embedded batch executor: a rule set compiled to Polars expressions (one lazy plan for many enterprises)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.lower import INPUT_LIMITS, Lowering, output_columns
from srdi.rules_engine.model import RuleSet

WIDE = pl.Int128
_CMP = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


class PolarsBackend:
    def col(self, name: str) -> pl.Expr:
        return pl.col(name)

    def lit(self, value: int | bool | str | None) -> pl.Expr:
        if value is None:
            return pl.lit(None)
        if isinstance(value, bool | str):
            return pl.lit(value)
        return pl.lit(value, dtype=WIDE if abs(value) > 2**62 else pl.Int64)

    def wide(self, e: pl.Expr) -> pl.Expr:
        return e.cast(WIDE)

    def add(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a + b

    def sub(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a - b

    def mul(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a * b

    def neg(self, a: pl.Expr) -> pl.Expr:
        return -a

    def abs(self, a: pl.Expr) -> pl.Expr:
        return a.abs()

    def floordiv(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a // b

    def cmp(self, op: str, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        out: pl.Expr = _CMP[op](a, b)
        return out

    def and_(self, items: Sequence[pl.Expr]) -> pl.Expr:
        out = items[0]
        for i in items[1:]:
            out = out & i  # Kleene: false & null = false
        return out

    def or_(self, items: Sequence[pl.Expr]) -> pl.Expr:
        out = items[0]
        for i in items[1:]:
            out = out | i  # Kleene: true | null = true
        return out

    def not_(self, a: pl.Expr) -> pl.Expr:
        return ~a

    def is_null(self, a: pl.Expr) -> pl.Expr:
        return a.is_null()

    def case(self, whens: Sequence[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr) -> pl.Expr:
        cond, val = whens[0]
        chain = pl.when(cond).then(val)
        for cond, val in whens[1:]:
            chain = chain.when(cond).then(val)  # type: ignore[assignment]
        return chain.otherwise(otherwise)

    def points(self, e: pl.Expr) -> pl.Expr:
        return e.cast(pl.Int64)

    def label(self, value: str | None, categories: Sequence[str]) -> pl.Expr:
        # Enum literals keep band columns as small integers inside Polars (strings cost more than the rules).
        return pl.lit(value, dtype=pl.Enum(list(categories)))


@dataclass
class PolarsPlan:
    rule_set: RuleSet
    prefix: str
    levels: list[list[tuple[str, pl.Expr]]]
    outputs: list[str]

    @property
    def input_columns(self) -> dict[str, pl.DataType]:
        return input_schema(self.rule_set)

    def apply(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """Add this rule set's computed columns (and its temporaries) to ``lf``."""
        for level in self.levels:
            lf = lf.with_columns([e.alias(name) for name, e in level])
        return lf


def input_schema(rs: RuleSet) -> dict[str, pl.DataType]:
    """Batch input columns: money in fen and counts as Int64, scaled decimals as Int64, bool, str."""
    kinds: dict[Type, pl.DataType] = {
        Type.MONEY: pl.Int64(),
        Type.INT: pl.Int64(),
        Type.NUMBER: pl.Int64(),
        Type.BOOL: pl.Boolean(),
        Type.STR: pl.String(),
    }
    return {name: kinds[i.type] for name, i in rs.inputs.items()}


def check_bounds(frame: pl.DataFrame | pl.LazyFrame, rule_sets: Sequence[RuleSet]) -> None:
    """Refuse inputs beyond the magnitudes the compiler assumed (lower.INPUT_LIMITS), so 64-bit arithmetic
    can never overflow silently."""
    if isinstance(frame, pl.LazyFrame):
        return  # checked by the caller that materialises the frame
    limits = {
        n: INPUT_LIMITS[i.type] for rs in rule_sets for n, i in rs.inputs.items() if i.type in INPUT_LIMITS
    }
    cols = [n for n in limits if n in frame.columns]
    if not cols:
        return
    peaks = frame.select([pl.col(c).abs().max().alias(c) for c in cols]).row(0, named=True)
    bad = sorted(c for c in cols if peaks[c] is not None and peaks[c] > limits[c])
    if bad:
        raise ValueError(f"input values beyond the supported magnitude in columns {bad}")


def compile_polars(rule_set: RuleSet, prefix: str = "") -> PolarsPlan:
    low = Lowering(rule_set, PolarsBackend(), prefix)
    return PolarsPlan(rule_set, prefix, low.levels(), output_columns(rule_set, prefix))


def evaluate_frame(
    frame: pl.DataFrame | pl.LazyFrame,
    rule_sets: Iterable[RuleSet],
    *,
    key: str | Sequence[str] = "uscc",
    prefixed: bool | None = None,
) -> pl.DataFrame:
    """Evaluate every rule set over every row; columns are prefixed ``<rule_set_id>__`` when several sets run."""
    sets = list(rule_sets)
    check_bounds(frame, sets)
    use_prefix = len(sets) > 1 if prefixed is None else prefixed
    lf = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    keys = [key] if isinstance(key, str) else list(key)
    keys = [k for k in keys if k in lf.collect_schema().names()]
    outputs: list[str] = []
    for rs in sets:
        plan = compile_polars(rs, rs.id + "__" if use_prefix else "")
        lf = plan.apply(lf)
        outputs += plan.outputs
    return lf.select([*keys, *outputs]).collect()
