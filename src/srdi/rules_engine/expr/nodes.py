"""Expression tree. Numbers are exact: ``int`` (fen, counts) or ``Fraction`` (percent literals, ratios)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

Scalar = bool | int | Fraction | str


@dataclass(frozen=True, slots=True)
class Lit:
    value: Scalar
    unit: str  # "bool", "str", "money" (fen), "int", "number"
    text: str


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Cmp:
    op: str  # >= > <= < == !=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class In:
    operand: Node
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Lit | Var | Neg | Arith | Cmp | And | Or | Not | In | Call

FUNCTIONS = ("min", "max", "floor", "avg", "cagr", "count", "is_known", "all", "any")


def variables(node: Node) -> set[str]:
    """Names a node reads, directly."""
    out: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Var):
            out.add(n.name)
        elif isinstance(n, Neg | Not | In):
            stack.append(n.operand)
        elif isinstance(n, Arith | Cmp):
            stack.extend((n.left, n.right))
        elif isinstance(n, And | Or):
            stack.extend(n.items)
        elif isinstance(n, Call):
            stack.extend(n.args)
    return out


def render(node: Node) -> str:
    """Source-like text of a node (used in traces and generated SQL comments)."""
    if isinstance(node, Lit):
        return node.text
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Neg):
        return f"-{render(node.operand)}"
    if isinstance(node, Arith | Cmp):
        return f"({render(node.left)} {node.op} {render(node.right)})"
    if isinstance(node, And):
        return "(" + " and ".join(render(i) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " or ".join(render(i) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"not {render(node.operand)}"
    if isinstance(node, In):
        return f"{render(node.operand)} in ({', '.join(repr(o) for o in node.options)})"
    return f"{node.name}({', '.join(render(a) for a in node.args)})"
