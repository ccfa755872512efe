"""External executor: a rule set compiled to SQL (sqlglot) for PostgreSQL, Spark SQL and other dialects.

The query reads a batch input table (see ``batch``) and returns one row per enterprise with the same output
columns as the Polars executor. Each dependency level is one nested SELECT that adds columns, so no
expression is repeated. Numbers are exact: integer columns are cast to DECIMAL(38,0) before multiplying,
ratios are cross-multiplied, and nothing is divided except ``floor`` on positive integer denominators.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlglot import exp

from srdi.rules_engine.lower import Lowering, output_columns
from srdi.rules_engine.model import RuleSet

_CMP: dict[str, type[exp.Binary]] = {
    ">=": exp.GTE,
    ">": exp.GT,
    "<=": exp.LTE,
    "<": exp.LT,
    "==": exp.EQ,
    "!=": exp.NEQ,
}


def _w(e: exp.Expression) -> exp.Expression:
    # Parenthesise only operators: fewer parentheses keep Spark's SQL parser fast on large rules.
    return exp.Paren(this=e) if isinstance(e, exp.Binary | exp.Not | exp.Neg) else e


class SqlBackend:
    def col(self, name: str) -> exp.Expression:
        return exp.column(name, quoted=True)

    def lit(self, value: int | bool | str | None) -> exp.Expression:
        if value is None:
            return exp.null()
        if isinstance(value, bool):
            return exp.true() if value else exp.false()
        if isinstance(value, str):
            return exp.Literal.string(value)
        lit = exp.Literal.number(value)
        return exp.Neg(this=exp.Literal.number(-value)) if value < 0 else lit

    def wide(self, e: exp.Expression) -> exp.Expression:
        if isinstance(e, exp.Cast):
            return e
        return exp.Cast(this=e, to=exp.DataType.build("DECIMAL(38, 0)"))

    def add(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        return exp.Add(this=_w(a), expression=_w(b))

    def sub(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        return exp.Sub(this=_w(a), expression=_w(b))

    def mul(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        return exp.Mul(this=_w(a), expression=_w(b))

    def neg(self, a: exp.Expression) -> exp.Expression:
        return exp.Neg(this=_w(a))

    def abs(self, a: exp.Expression) -> exp.Expression:
        return exp.Abs(this=a)

    def floordiv(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        # Exact decimal division (BIGINT / BIGINT is a double in Spark), then FLOOR.
        return exp.Floor(this=exp.Div(this=self.wide(a), expression=self.wide(b)))

    def cmp(self, op: str, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        return cast(exp.Expression, _CMP[op](this=_w(a), expression=_w(b)))

    def and_(self, items: Sequence[exp.Expression]) -> exp.Expression:
        return cast(exp.Expression, exp.and_(*items, copy=False)) if len(items) > 1 else items[0]

    def or_(self, items: Sequence[exp.Expression]) -> exp.Expression:
        return cast(exp.Expression, exp.or_(*items, copy=False)) if len(items) > 1 else items[0]

    def not_(self, a: exp.Expression) -> exp.Expression:
        return exp.Not(this=_w(a))

    def is_null(self, a: exp.Expression) -> exp.Expression:
        return exp.Is(this=_w(a), expression=exp.null())

    def case(
        self, whens: Sequence[tuple[exp.Expression, exp.Expression]], otherwise: exp.Expression
    ) -> exp.Expression:
        case = exp.Case()
        for cond, val in whens:
            case = case.when(cond, val, copy=False)
        return case.else_(otherwise, copy=False)

    def label(self, value: str | None, categories: Sequence[str]) -> exp.Expression:
        return self.lit(value)

    def points(self, e: exp.Expression) -> exp.Expression:
        return exp.Cast(this=e, to=exp.DataType.build("BIGINT"))


def compile_sql(
    rule_set: RuleSet,
    dialect: str = "postgres",
    table: str = "srdi_input",
    *,
    key: str | Sequence[str] = "uscc",
    prefix: str = "",
) -> str:
    """A SELECT over ``table`` returning the key column(s) and every output column of the rule set."""
    return sql_expression(rule_set, table, key=key, prefix=prefix).sql(dialect=dialect)


def sql_expression(
    rule_set: RuleSet, table: str, *, key: str | Sequence[str] = "uscc", prefix: str = ""
) -> exp.Select:
    low = Lowering(rule_set, SqlBackend(), prefix)
    keys = [key] if isinstance(key, str) else list(key)
    cols = [exp.column(c, quoted=True) for c in [*keys, *output_columns(rule_set, prefix)]]
    # One CTE per dependency level: flat text (Spark's parser is slow on deep nesting) and no repeated work.
    source = table
    ctes: list[tuple[str, exp.Select]] = []
    for i, level in enumerate(low.levels()):
        projections = [exp.Star(), *(exp.alias_(e, name, quoted=True) for name, e in level)]
        ctes.append((f"srdi_l{i}", exp.select(*projections).from_(exp.to_table(source))))
        source = f"srdi_l{i}"
    query = exp.select(*cols).from_(exp.to_table(source))
    for name, cte in ctes:
        query = query.with_(name, as_=cte, copy=False)
    return query
