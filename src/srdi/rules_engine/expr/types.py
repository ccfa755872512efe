"""Static type check of an expression against the declared variable types.

Money (integer fen) never mixes with plain numbers except by scaling (money × ratio) or by division
(money / money is a ratio), so "研发费用 >= 3%" is a load-time error, not a silent wrong answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.expr.nodes import And, Arith, Call, Cmp, In, Lit, Neg, Node, Not, Or, Var, render


class Type(StrEnum):
    BOOL = "bool"
    STR = "str"
    MONEY = "money"
    INT = "int"
    NUMBER = "number"
    CAGR = "cagr"  # only usable as the left side of a comparison with a constant


_NUMERIC = {Type.INT, Type.NUMBER}
_ORDERED = {Type.INT, Type.NUMBER, Type.MONEY}


class _Checker:
    def __init__(self, env: Mapping[str, Type], text: str, file: str, line: int | None) -> None:
        self.env = env
        self.text = text
        self.file = file
        self.line = line

    def fail(self, message: str, node: Node) -> None:
        raise RuleError(
            f"{message} (at {render(node)})", file=self.file, line=self.line, expression=self.text
        )

    def family(self, a: Type, b: Type, node: Node) -> Type:
        if a == Type.MONEY and b == Type.MONEY:
            return Type.MONEY
        if a in _NUMERIC and b in _NUMERIC:
            return Type.INT if a == b == Type.INT else Type.NUMBER
        self.fail(f"cannot combine {a.value} with {b.value}", node)
        raise AssertionError

    def check(self, node: Node) -> Type:
        if isinstance(node, Lit):
            return Type(node.unit)
        if isinstance(node, Var):
            if node.name not in self.env:
                self.fail(f"unknown name {node.name!r}", node)
            return self.env[node.name]
        if isinstance(node, Neg):
            t = self.check(node.operand)
            if t not in _ORDERED:
                self.fail(f"cannot negate {t.value}", node)
            return t
        if isinstance(node, Not):
            self.want(node.operand, Type.BOOL)
            return Type.BOOL
        if isinstance(node, And | Or):
            for item in node.items:
                self.want(item, Type.BOOL)
            return Type.BOOL
        if isinstance(node, In):
            self.want(node.operand, Type.STR)
            return Type.BOOL
        if isinstance(node, Arith):
            return self.arith(node)
        if isinstance(node, Cmp):
            return self.cmp(node)
        return self.call(node)

    def want(self, node: Node, expected: Type) -> None:
        got = self.check(node)
        if got != expected:
            self.fail(f"expected {expected.value}, got {got.value}", node)

    def arith(self, node: Arith) -> Type:
        a, b = self.check(node.left), self.check(node.right)
        if a not in _ORDERED or b not in _ORDERED:
            self.fail(f"arithmetic on {a.value} and {b.value}", node)
        if node.op in "+-":
            return self.family(a, b, node)
        if node.op == "*":
            if a == Type.MONEY and b == Type.MONEY:
                self.fail("money × money has no meaning", node)
            if Type.MONEY in (a, b):
                return Type.MONEY
            return Type.INT if a == b == Type.INT else Type.NUMBER
        if a == Type.MONEY and b == Type.MONEY:
            return Type.NUMBER
        if b == Type.MONEY:
            self.fail("cannot divide a number by money", node)
        return Type.MONEY if a == Type.MONEY else Type.NUMBER

    def cmp(self, node: Cmp) -> Type:
        a, b = self.check(node.left), self.check(node.right)
        if a == Type.CAGR or b == Type.CAGR:
            if a != Type.CAGR or not isinstance(node.right, Lit) or b not in _NUMERIC:
                self.fail("cagr(...) may only be compared, on the left, with a constant", node)
            return Type.BOOL
        if node.op in ("==", "!=") and a == b and a in (Type.STR, Type.BOOL):
            return Type.BOOL
        if a in _ORDERED and b in _ORDERED:
            self.family(a, b, node)
            return Type.BOOL
        self.fail(f"cannot compare {a.value} with {b.value}", node)
        raise AssertionError

    def call(self, node: Call) -> Type:
        args = [self.check(a) for a in node.args]
        name = node.name
        if name in ("all", "any"):
            for a in node.args:
                self.want(a, Type.BOOL)
            return Type.BOOL
        if name == "count":
            for a in node.args:
                self.want(a, Type.BOOL)
            return Type.INT
        if name == "is_known":
            if len(args) != 1:
                self.fail("is_known takes one argument", node)
            return Type.BOOL
        if name == "floor":
            if len(args) != 1 or args[0] not in _NUMERIC:
                self.fail("floor takes one number", node)
            return Type.INT
        if name == "cagr":
            if len(args) != 3 or not isinstance(node.args[2], Lit) or args[2] != Type.INT:
                self.fail("cagr(first_value, last_value, years) needs an integer literal for years", node)
            self.family(args[0], args[1], node)
            return Type.CAGR
        if len(args) < 2:
            self.fail(f"{name} needs at least two arguments", node)
        t = args[0]
        for other in args[1:]:
            t = self.family(t, other, node)
        return Type.NUMBER if name == "avg" and t == Type.INT else t


def check(
    node: Node, env: Mapping[str, Type], *, text: str = "", file: str = "?", line: int | None = None
) -> Type:
    return _Checker(env, text, file, line).check(node)
