"""Expressions compiled to Python closures over exact numbers (the trace interpreter's inner loop).

Values: ``None`` = unknown; ``bool``; ``int`` (fen, counts, points); ``Fraction`` (ratios); ``str``; ``Cagr``.
Logic is Kleene three-valued: ``false and unknown`` is false, ``true or unknown`` is true, anything else with
unknown is unknown. Division by zero is unknown, never an error and never infinity.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from srdi.rules_engine.expr.nodes import And, Arith, Call, Cmp, In, Lit, Neg, Node, Not, Or, Var

Value = bool | int | Fraction | str | None
Env = Mapping[str, Any]
Fn = Callable[[Env], Any]


@dataclass(frozen=True, slots=True)
class Cagr:
    """(last / first) ** (1 / years) - 1, kept symbolic so that comparing it with a constant stays exact."""

    first: int | Fraction
    last: int | Fraction
    years: int

    def compare(self, op: str, threshold: Fraction) -> bool:
        # last/first >= (1+t)**n  with first > 0: raise both sides to the n-th power, no roots, no floats.
        lhs = Fraction(self.last) / Fraction(self.first)
        return bool(_CMP[op](lhs, (1 + threshold) ** self.years))

    def approx(self) -> float:
        return float(float(Fraction(self.last) / Fraction(self.first)) ** (1 / self.years) - 1)


_CMP: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _num(x: int | Fraction) -> int | Fraction:
    return x.numerator if isinstance(x, Fraction) and x.denominator == 1 else x


def compile_node(node: Node) -> Fn:
    if isinstance(node, Lit):
        value = node.value
        return lambda env: value
    if isinstance(node, Var):
        name = node.name
        return lambda env: env.get(name)
    if isinstance(node, Neg):
        f = compile_node(node.operand)

        def neg(env: Env) -> Any:
            v = f(env)
            return None if v is None else -v

        return neg
    if isinstance(node, Not):
        f = compile_node(node.operand)

        def not_(env: Env) -> Any:
            v = f(env)
            return None if v is None else not v

        return not_
    if isinstance(node, And):
        fs = [compile_node(i) for i in node.items]

        def and_(env: Env) -> Any:
            unknown = False
            for g in fs:
                v = g(env)
                if v is False:
                    return False
                if v is None:
                    unknown = True
            return None if unknown else True

        return and_
    if isinstance(node, Or):
        fs = [compile_node(i) for i in node.items]

        def or_(env: Env) -> Any:
            unknown = False
            for g in fs:
                v = g(env)
                if v is True:
                    return True
                if v is None:
                    unknown = True
            return None if unknown else False

        return or_
    if isinstance(node, In):
        f = compile_node(node.operand)
        options = frozenset(node.options)

        def in_(env: Env) -> Any:
            v = f(env)
            return None if v is None else v in options

        return in_
    if isinstance(node, Arith):
        return _arith(node)
    if isinstance(node, Cmp):
        return _cmp(node)
    return _call(node)


def _arith(node: Arith) -> Fn:
    lf, rf = compile_node(node.left), compile_node(node.right)
    op = node.op
    if op == "/":

        def div(env: Env) -> Any:
            a, b = lf(env), rf(env)
            if a is None or b is None or b == 0:
                return None
            return _num(Fraction(a) / Fraction(b))

        return div
    fn = {"+": operator.add, "-": operator.sub, "*": operator.mul}[op]

    def arith(env: Env) -> Any:
        a, b = lf(env), rf(env)
        if a is None or b is None:
            return None
        return fn(a, b)

    return arith


def _cmp(node: Cmp) -> Fn:
    lf, rf = compile_node(node.left), compile_node(node.right)
    fn = _CMP[node.op]
    op = node.op

    def cmp(env: Env) -> Any:
        a, b = lf(env), rf(env)
        if a is None or b is None:
            return None
        if isinstance(a, Cagr):
            return a.compare(op, Fraction(b))
        return bool(fn(a, b))

    return cmp


def _call(node: Call) -> Fn:
    fs = [compile_node(a) for a in node.args]
    name = node.name
    if name == "is_known":
        f0 = fs[0]
        return lambda env: f0(env) is not None
    if name in ("all", "any"):
        return compile_node(And(node.args) if name == "all" else Or(node.args))
    if name == "cagr":
        ff, lf = fs[0], fs[1]
        years_lit = node.args[2]
        assert isinstance(years_lit, Lit)  # the type checker guarantees an integer literal
        years = int(years_lit.value)

        def cagr(env: Env) -> Any:
            first, last = ff(env), lf(env)
            # Defined only for a positive start and a non-negative end; otherwise unknown (no real root).
            if first is None or last is None or first <= 0 or last < 0:
                return None
            return Cagr(first, last, years)

        return cagr

    def call(env: Env) -> Any:
        vals = [f(env) for f in fs]
        if any(v is None for v in vals):
            return None
        if name == "count":
            return sum(1 for v in vals if v)
        if name == "floor":
            v = vals[0]
            return v if isinstance(v, int) else v.__floor__()
        if name == "min":
            return min(vals)
        if name == "max":
            return max(vals)
        return _num(Fraction(sum(vals)) / len(vals))  # avg

    return call
