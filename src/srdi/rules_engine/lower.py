"""Lower a rule set to column expressions for a vectorised backend (Polars, SQL), exactly.

Every number is carried as a pair (numerator, denominator) of integer expressions with a positive
denominator, so ratios are never divided: ``a / b >= 3%`` becomes ``100·a >= 3·b`` (STACK.md trap 3).
Integers that may be multiplied by other columns are widened first (Int128 / DECIMAL(38,0)).
A division whose divisor is zero gives null (trap 1); logic is Kleene, as SQL and Polars implement it
(trap 5), and a band whose condition is null stops the band search with null points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any, Protocol

from srdi.rules_engine.expr.nodes import And, Arith, Call, Cmp, In, Lit, Neg, Node, Not, Or, Var
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.model import RuleSet

# Backend expressions are opaque here (pl.Expr or sqlglot Expression).
E = Any


class Backend(Protocol):
    def col(self, name: str) -> E: ...
    def lit(self, value: int | bool | str | None) -> E: ...
    def wide(self, e: E) -> E: ...
    def add(self, a: E, b: E) -> E: ...
    def sub(self, a: E, b: E) -> E: ...
    def mul(self, a: E, b: E) -> E: ...
    def neg(self, a: E) -> E: ...
    def abs(self, a: E) -> E: ...
    def floordiv(self, a: E, b: E) -> E: ...
    def cmp(self, op: str, a: E, b: E) -> E: ...
    def and_(self, items: Sequence[E]) -> E: ...
    def or_(self, items: Sequence[E]) -> E: ...
    def not_(self, a: E) -> E: ...
    def is_null(self, a: E) -> E: ...
    def case(self, whens: Sequence[tuple[E, E]], otherwise: E) -> E: ...
    def points(self, e: E) -> E: ...
    def label(self, value: str | None, categories: Sequence[str]) -> E: ...


# Magnitude limits of batch inputs (checked by ``check_bounds``): they let the compiler prove which products
# fit in 64 bits and widen only the others, instead of computing everything in 128 bits.
INPUT_LIMITS = {Type.MONEY: 10**15, Type.INT: 10**9, Type.NUMBER: 10**15}
SAFE = 2**62  # headroom: a comparison adds at most two products of this size


@dataclass(frozen=True)
class Num:
    """num / den with den > 0 wherever num is not null; ``den`` is a Python int when constant.
    ``nb`` and ``db`` bound |num| and |den|."""

    num: Any
    den: Any
    nb: int
    db: int


@dataclass(frozen=True)
class CagrV:
    first: Num
    last: Num
    years: int


# Column names of computed values; an input keeps its own name (inputs may not use these prefixes).
def column_names(rs: RuleSet, prefix: str = "") -> dict[str, str]:
    names: dict[str, str] = {n: n for n in rs.inputs}
    for f in rs.formulas.values():
        kind = {"derived": "drv_", "condition": "cond_", "direct_route": "route_"}[f.kind]
        names[f.id] = prefix + kind + f.id
    for ind in rs.indicators:
        names[ind.id] = prefix + "pts_" + ind.id
    for c in rs.categories:
        names["score_" + c.id] = prefix + "score_" + c.id
    names["score_total"] = prefix + "score_total"
    names["direct"] = prefix + "direct"
    names["pass"] = prefix + "pass"
    return names


def output_columns(rs: RuleSet, prefix: str = "") -> list[str]:
    """Output columns in a stable order: points and bands, categories, conditions, routes, pass."""
    out = []
    for ind in rs.indicators:
        out.append(prefix + "pts_" + ind.id)
        if ind.bands:
            out.append(prefix + "band_" + ind.id)
    out += [prefix + "score_" + c.id for c in rs.categories]
    if rs.categories:
        out.append(prefix + "score_total")
    out += [prefix + "cond_" + f.id for f in rs.conditions]
    out += [prefix + "route_" + f.id for f in rs.direct_routes]
    out += [prefix + "direct", prefix + "pass"]
    return out


class Lowering:
    def __init__(self, rs: RuleSet, b: Backend, prefix: str = "") -> None:
        self.rs = rs
        self.b = b
        self.names = column_names(rs, prefix)
        self.prefix = prefix
        self.bounds: dict[str, int] = {}  # bounds of materialised derived columns

    # --- values -------------------------------------------------------------------------------------------
    def var(self, name: str) -> Any:
        t = self.rs.types[name]
        col = self.b.col(self.names[name])
        if t in (Type.BOOL, Type.STR):
            return col
        if name in self.rs.inputs:
            scale = self.rs.inputs[name].scale
            return Num(col, 10**scale, INPUT_LIMITS[t], 10**scale)
        f = self.rs.formulas.get(name)
        if f is not None and f.kind == "derived":
            den_col = self.names[name] + "__d"
            return Num(col, self.b.col(den_col), self.bounds[name], self.bounds[name + "__d"])
        return Num(col, 1, self.bounds.get(name, 10**6), 1)

    def _m(self, a: Any, ab: int, b: Any, bb: int) -> Any:
        """a × b, widening the operands only when the product could exceed 64 bits."""
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if isinstance(a, int):
            a, b, ab, bb = b, a, bb, ab
        if isinstance(b, int):
            if b == 1:
                return a
            if ab * abs(b) < SAFE:
                return self.b.mul(a, self.b.lit(b))
            return self.b.mul(self.b.wide(a), self.b.lit(b))
        if ab * bb < SAFE:
            return self.b.mul(a, b)
        return self.b.mul(self.b.wide(a), self.b.wide(b))

    def _e(self, x: Any) -> Any:
        return self.b.lit(x) if isinstance(x, int) else x

    def _sum(self, combine: Callable[[Any, Any], Any], x: Any, xb: int, y: Any, yb: int) -> Any:
        if xb + yb < SAFE:
            return combine(self._e(x), self._e(y))
        return combine(self.b.wide(self._e(x)), self.b.wide(self._e(y)))

    def num(self, node: Node) -> Num:
        v = self.expr(node)
        assert isinstance(v, Num)
        return v

    def boolean(self, node: Node) -> E:
        v = self.expr(node)
        assert not isinstance(v, Num | CagrV)
        return v

    def expr(self, node: Node) -> Any:
        b = self.b
        if isinstance(node, Lit):
            if isinstance(node.value, bool | str):
                return b.lit(node.value)
            f = Fraction(node.value)
            return Num(b.lit(f.numerator), f.denominator, abs(f.numerator), f.denominator)
        if isinstance(node, Var):
            return self.var(node.name)
        if isinstance(node, Neg):
            a = self.num(node.operand)
            return Num(b.neg(a.num), a.den, a.nb, a.db)
        if isinstance(node, Not):
            return b.not_(self.boolean(node.operand))
        if isinstance(node, And):
            return b.and_([self.boolean(i) for i in node.items])
        if isinstance(node, Or):
            return b.or_([self.boolean(i) for i in node.items])
        if isinstance(node, In):
            x = self.boolean(node.operand)
            return b.or_([b.cmp("==", x, b.lit(o)) for o in node.options])
        if isinstance(node, Arith):
            return self.arith(node.op, self.num(node.left), self.num(node.right))
        if isinstance(node, Cmp):
            return self.compare(node)
        return self.call(node)

    def arith(self, op: str, a: Num, c: Num) -> Num:
        b = self.b
        if op in "+-":
            combine: Callable[[E, E], E] = b.add if op == "+" else b.sub
            if isinstance(a.den, int) and isinstance(c.den, int):
                den = lcm(a.den, c.den)
                fa, fc = den // a.den, den // c.den
                x, y = self._m(a.num, a.nb, fa, fa), self._m(c.num, c.nb, fc, fc)
                return Num(self._sum(combine, x, a.nb * fa, y, c.nb * fc), den, a.nb * fa + c.nb * fc, den)
            x, y = self._m(a.num, a.nb, c.den, c.db), self._m(c.num, c.nb, a.den, a.db)
            bound = a.nb * c.db + c.nb * a.db
            return Num(
                self._sum(combine, x, a.nb * c.db, y, c.nb * a.db),
                self._m(a.den, a.db, c.den, c.db),
                bound,
                a.db * c.db,
            )
        if op == "*":
            return Num(
                self._e(self._m(a.num, a.nb, c.num, c.nb)),
                self._m(a.den, a.db, c.den, c.db),
                a.nb * c.nb,
                a.db * c.db,
            )
        # a / c = (a.num · c.den) / (a.den · c.num); the divisor's sign moves to the numerator, zero gives null.
        n = self._e(self._m(a.num, a.nb, c.den, c.db))
        d = self._e(self._m(a.den, a.db, b.abs(c.num), c.nb))
        zero = b.lit(0)
        pos = b.cmp(">", c.num, zero)
        neg = b.cmp("<", c.num, zero)
        return Num(
            b.case([(pos, n), (neg, b.neg(n))], b.lit(None)),
            d,
            a.nb * c.db,
            a.db * c.nb,
        )

    def cmp_nums(self, op: str, a: Num, c: Num) -> E:
        return self.b.cmp(
            op, self._e(self._m(a.num, a.nb, c.den, c.db)), self._e(self._m(c.num, c.nb, a.den, a.db))
        )

    def compare(self, node: Cmp) -> E:
        left = self.expr(node.left)
        if isinstance(left, CagrV):
            assert isinstance(node.right, Lit) and not isinstance(node.right.value, bool | str)
            t = Fraction(node.right.value)
            target = (1 + t) ** left.years
            # last/first ⋈ (1+t)^n  ⇔  last·first.den·Q ⋈ P·first·last.den, valid for first > 0, last ≥ 0.
            f, la = left.first, left.last
            lhs = Num(
                self._e(self._m(la.num, la.nb, f.den, f.db)),
                self._m(la.den, la.db, f.num, f.nb),
                la.nb * f.db,
                la.db * f.nb,
            )
            rhs = Num(self.b.lit(target.numerator), target.denominator, target.numerator, target.denominator)
            result = self.cmp_nums(node.op, lhs, rhs)
            valid = self.b.and_(
                [
                    self.b.cmp(">", left.first.num, self.b.lit(0)),
                    self.b.cmp(">=", left.last.num, self.b.lit(0)),
                ]
            )
            return self.b.case([(valid, result)], self.b.lit(None))
        right = self.expr(node.right)
        if isinstance(left, Num) and isinstance(right, Num):
            return self.cmp_nums(node.op, left, right)
        assert not isinstance(left, Num | CagrV) and not isinstance(right, Num | CagrV)
        return self.b.cmp(node.op, left, right)

    def call(self, node: Call) -> Any:
        b = self.b
        name = node.name
        if name in ("all", "any"):
            items = [self.boolean(a) for a in node.args]
            return b.and_(items) if name == "all" else b.or_(items)
        if name == "is_known":
            v = self.expr(node.args[0])
            return b.not_(b.is_null(v.num if isinstance(v, Num) else v))
        if name == "count":
            items = [
                b.case([(self.boolean(a), b.lit(1)), (b.not_(self.boolean(a)), b.lit(0))], b.lit(None))
                for a in node.args
            ]
            total = items[0]
            for it in items[1:]:
                total = b.add(total, it)
            return Num(total, 1, len(items), 1)
        if name == "floor":
            a = self.num(node.args[0])
            if isinstance(a.den, int) and a.den == 1:
                return a
            return Num(b.floordiv(a.num, self._e(a.den)), 1, a.nb, 1)
        if name == "cagr":
            years = node.args[2]
            assert isinstance(years, Lit)
            return CagrV(self.num(node.args[0]), self.num(node.args[1]), int(years.value))
        args = [self.num(a) for a in node.args]
        if name == "avg":
            total = args[0]
            for a in args[1:]:
                total = self.arith("+", total, a)
            k = len(args)
            return Num(total.num, self._m(total.den, total.db, k, k), total.nb, total.db * k)
        acc = args[0]
        for a in args[1:]:
            # min/max over a common denominator; a null operand gives null (no value is skipped).
            keep_left = self.cmp_nums("<=" if name == "min" else ">=", acc, a)
            n_left = self._e(self._m(acc.num, acc.nb, a.den, a.db))
            n_right = self._e(self._m(a.num, a.nb, acc.den, acc.db))
            bound = max(acc.nb * a.db, a.nb * acc.db)
            acc = Num(
                b.case([(keep_left, n_left), (b.not_(keep_left), n_right)], b.lit(None)),
                self._m(acc.den, acc.db, a.den, a.db),
                bound,
                acc.db * a.db,
            )
        return acc

    # --- whole rule set -------------------------------------------------------------------------------------
    def levels(self) -> list[list[tuple[str, E]]]:
        """Columns to add, grouped so that each group reads only earlier groups."""
        rs = self.rs
        level: dict[str, int] = {n: 0 for n in rs.inputs}
        out: list[list[tuple[str, E]]] = []
        inds = {i.id: i for i in rs.indicators}
        from srdi.rules_engine.interpret import prepare

        deps = prepare(rs).direct_inputs
        for name in rs.order:
            lv = 1 + max((level.get(d, 0) for d in deps.get(name, ())), default=0)
            level[name] = lv
            while len(out) < lv:
                out.append([])
            out[lv - 1].extend(self.columns(name, inds))
        return out

    def columns(self, name: str, inds: Mapping[str, object]) -> list[tuple[str, E]]:
        b = self.b
        rs = self.rs
        col = self.names[name]
        if name in rs.formulas:
            f = rs.formulas[name]
            if f.type in (Type.BOOL, Type.STR):
                return [(col, self.boolean(f.node))]
            v = self.num(f.node)
            self.bounds[name], self.bounds[name + "__d"] = v.nb, v.db
            return [(col, v.num), (col + "__d", self._e(v.den))]
        if name in inds:
            ind = next(i for i in rs.indicators if i.id == name)
            if ind.formula is not None:
                v = self.num(ind.formula)
                assert isinstance(v.den, int) and v.den == 1
                return [(col, b.points(v.num))]
            whens: list[tuple[E, E]] = []
            bands: list[tuple[E, E]] = []
            ids = [band.id for band in ind.bands]
            checked: set[Node] = set()
            for band in ind.bands[:-1]:
                assert band.when is not None
                w = self.boolean(band.when)
                operand = (
                    band.when.left
                    if isinstance(band.when, Cmp) and isinstance(band.when.right, Lit)
                    else None
                )
                # x >= 5% is null exactly when x is: once x was checked, a later band on x needs no check.
                if operand is None or operand not in checked:
                    whens.append((b.is_null(w), b.lit(None)))
                    bands.append((b.is_null(w), b.label(None, ids)))
                    if operand is not None:
                        checked.add(operand)
                whens.append((w, b.lit(band.points)))
                bands.append((w, b.label(band.id, ids)))
            last = ind.bands[-1]
            return [
                (col, b.points(b.case(whens, b.lit(last.points)))),
                (self.prefix + "band_" + name, b.case(bands, b.label(last.id, ids))),
            ]
        if name.startswith("score_"):
            members = (
                ["score_" + c.id for c in rs.categories]
                if name == "score_total"
                else [i.id for i in rs.indicators if "score_" + i.category == name]
            )
            total = b.lit(0)
            for m in members:
                total = b.add(total, b.col(self.names[m]))
            return [(col, b.points(total))]
        if name == "direct":
            routes = [b.col(self.names[f.id]) for f in rs.direct_routes]
            return [(col, b.or_(routes) if routes else b.lit(False))]
        assert name == "pass"
        return [(col, self.boolean(rs.pass_formula.node))]
