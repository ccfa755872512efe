"""Recursive-descent parser for rule expressions.

Grammar (lowest precedence first)::

    expr   := and ("or" and)*
    and    := not ("and" not)*
    not    := "not" not | cmp
    cmp    := sum (("<"|"<="|">"|">="|"=="|"!=") sum | "in" "(" STRING ("," STRING)* ")")?
    sum    := prod (("+"|"-") prod)*
    prod   := unary (("*"|"/") unary)*
    unary  := "-" unary | atom
    atom   := NUMBER UNIT? | STRING | "true" | "false" | NAME "(" args ")" | NAME | "(" expr ")"

Units after a number: ``%`` (a ratio), ``元`` / ``万元`` / ``亿元`` (money, stored as integer fen).
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.expr.nodes import FUNCTIONS, And, Arith, Call, Cmp, In, Lit, Neg, Node, Not, Or, Var

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+(?:\.\d+)?)(?P<unit>%|元|万元|亿元)?
      | (?P<str>"[^"]*"|'[^']*')
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|==|!=|[-+*/(),<>])
    )""",
    re.VERBOSE,
)
# Fen per unit: money literals become exact integers of fen.
_MONEY_FEN = {"元": 100, "万元": 100 * 10_000, "亿元": 100 * 100_000_000}
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
# Nesting (parentheses, calls, "not" and unary minus) deeper than any rule needs; well below Python's recursion
# limit, so 5,000 nested parentheses in a policy draft are a clear RuleError, never a RecursionError.
MAX_DEPTH = 50


class _Parser:
    def __init__(self, text: str, file: str, line: int | None) -> None:
        self.text = text
        self.file = file
        self.line = line
        self.tokens: list[tuple[str, str, str | None]] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if m is None or m.end() == pos:
                self.fail(f"unexpected character {stripped[pos:].lstrip()[:1]!r} at column {pos + 1}")
                raise AssertionError  # unreachable: fail() raises
            kind = m.lastgroup if m.lastgroup != "unit" else "num"
            if m.group("num") is not None:
                self.tokens.append(("num", m.group("num"), m.group("unit")))
            elif kind is not None:
                self.tokens.append((kind, m.group(kind), None))
            pos = m.end()
        self.i = 0
        self.depth = 0

    def fail(self, message: str) -> None:
        raise RuleError(message, file=self.file, line=self.line, expression=self.text)

    def peek(self) -> tuple[str, str, str | None] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def accept(self, value: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[1] == value and tok[0] in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            tok = self.peek()
            self.fail(f"expected {value!r} but found {tok[1] if tok else 'end of expression'!r}")

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()[1]!r} after a complete expression")  # type: ignore[index]
        return node

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(
                f"表达式嵌套层数过多（上限 {MAX_DEPTH} 层） / expression nested deeper than {MAX_DEPTH} levels"
            )

    def or_(self) -> Node:
        self.nested()
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        self.depth -= 1
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_(self) -> Node:
        if self.accept("not"):
            self.nested()
            node = Not(self.not_())
            self.depth -= 1
            return node
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in ("<", "<=", ">", ">=", "==", "!="):
            self.i += 1
            return Cmp(tok[1], left, self.sum())
        if self.accept("in"):
            self.expect("(")
            options: list[str] = []
            while True:
                t = self.peek()
                if t is None or t[0] != "str":
                    self.fail("'in' takes a parenthesised list of quoted strings")
                    raise AssertionError
                options.append(t[1][1:-1])
                self.i += 1
                if not self.accept(","):
                    break
            self.expect(")")
            return In(left, tuple(options))
        return left

    def sum(self) -> Node:
        node = self.prod()
        while True:
            tok = self.peek()
            if tok is not None and tok[0] == "op" and tok[1] in "+-":
                self.i += 1
                node = Arith(tok[1], node, self.prod())
            else:
                return node

    def prod(self) -> Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok is not None and tok[0] == "op" and tok[1] in "*/":
                self.i += 1
                node = Arith(tok[1], node, self.unary())
            else:
                return node

    def unary(self) -> Node:
        if self.accept("-"):
            self.nested()
            node = Neg(self.unary())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            self.fail("expression ends too early")
            raise AssertionError
        kind, value, unit = tok
        self.i += 1
        if kind == "num":
            return literal(value, unit)
        if kind == "str":
            return Lit(value[1:-1], "str", value)
        if kind == "name":
            if value in ("true", "false"):
                return Lit(value == "true", "bool", value)
            if value in _KEYWORDS:
                self.fail(f"keyword {value!r} cannot start an operand")
            if self.accept("("):
                if value not in FUNCTIONS:
                    self.fail(f"unknown function {value!r}; known: {', '.join(FUNCTIONS)}")
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.or_())
                    while self.accept(","):
                        args.append(self.or_())
                    self.expect(")")
                return Call(value, tuple(args))
            return Var(value)
        if value == "(":
            node = self.or_()
            self.expect(")")
            return node
        self.fail(f"unexpected {value!r}")
        raise AssertionError


def literal(number: str, unit: str | None) -> Lit:
    text = number + (unit or "")
    exact = Fraction(Decimal(number))
    if unit == "%":
        return Lit(exact / 100, "number", text)
    if unit is not None:
        fen = exact * _MONEY_FEN[unit]
        if fen.denominator != 1:
            raise RuleError(f"money literal {text} is not a whole number of fen", expression=text)
        return Lit(int(fen), "money", text)
    if "." in number:
        return Lit(exact, "number", text)
    return Lit(int(number), "int", text)


def parse(text: str, *, file: str = "?", line: int | None = None) -> Node:
    return _Parser(str(text), file, line).parse()


def parse_literal(text: str) -> Lit:
    """A single literal with its unit, e.g. ``"600万元"`` or ``"4.5%"`` (used by test cases and facts)."""
    node = parse(text)
    if (
        isinstance(node, Neg)
        and isinstance(node.operand, Lit)
        and node.operand.unit in ("money", "int", "number")
    ):
        inner = node.operand
        return Lit(-inner.value, inner.unit, "-" + inner.text)  # type: ignore[operator]
    if not isinstance(node, Lit):
        raise RuleError("not a literal", expression=text)
    return node
