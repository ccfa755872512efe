"""Synthetic flat variables for differential tests: random rows and rows exactly on every band edge."""

from __future__ import annotations

import random
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from srdi.rules_engine.expr.nodes import Arith, Cmp, In, Lit, Node, Var
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.model import RuleSet

FEN_PER_WAN = 1_000_000


def all_nodes(rs: RuleSet) -> Iterator[Node]:
    roots: list[Node] = [f.node for f in rs.formulas.values()] + [rs.pass_formula.node]
    for ind in rs.indicators:
        roots += [b.when for b in ind.bands if b.when is not None]
        if ind.formula is not None:
            roots.append(ind.formula)
    stack = list(roots)
    while stack:
        n = stack.pop()
        yield n
        for attr in ("operand", "left", "right"):
            child = getattr(n, attr, None)
            if child is not None:
                stack.append(child)
        stack.extend(getattr(n, "items", ()) or getattr(n, "args", ()))


def string_options(rs: RuleSet) -> dict[str, list[str]]:
    opts: dict[str, set[str]] = {n: {"other"} for n, i in rs.inputs.items() if i.type == Type.STR}
    for n in all_nodes(rs):
        if isinstance(n, In) and isinstance(n.operand, Var):
            opts.setdefault(n.operand.name, set()).update(n.options)
        if (
            isinstance(n, Cmp)
            and isinstance(n.left, Var)
            and isinstance(n.right, Lit)
            and n.right.unit == "str"
        ):
            opts.setdefault(n.left.name, set()).add(str(n.right.value))
    return {k: sorted(v) for k, v in opts.items()}


def _money(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.3:
        return rng.randrange(0, 20_000) * FEN_PER_WAN  # round 万元 amounts, up to 2亿元
    if roll < 0.35:
        return 0
    return rng.randrange(-(10**8), 3 * 10**10)


def random_row(rs: RuleSet, rng: random.Random, unknown_rate: float = 0.05) -> dict[str, object]:
    options = string_options(rs)
    row: dict[str, object] = {}
    for name, inp in rs.inputs.items():
        if rng.random() < unknown_rate:
            row[name] = None
        elif inp.type == Type.MONEY:
            row[name] = _money(rng)
        elif inp.type == Type.INT:
            row[name] = rng.choice([0, 1, 2, 3, 4, 5, rng.randrange(0, 1200)])
        elif inp.type == Type.BOOL:
            row[name] = rng.random() < 0.5
        elif inp.type == Type.STR:
            row[name] = rng.choice(options[name])
        else:
            v = Fraction(rng.randrange(0, 10_000), 10**inp.scale)
            row[name] = v.numerator if v.denominator == 1 else v
    if "is_re_review" in row and row["is_re_review"] is None:
        row["is_re_review"] = False
    return row


def rows_strategy(rs: RuleSet, max_rows: int) -> st.SearchStrategy[list[dict[str, object]]]:
    """Hypothesis strategy: a list of random rows (seeded by hypothesis, so failures shrink to a seed)."""
    return st.lists(st.randoms(use_true_random=False), min_size=1, max_size=max_rows).map(
        lambda rngs: [random_row(rs, r) for r in rngs]
    )


def _edge_values(c: Fraction, scale: int) -> list[Fraction]:
    step = Fraction(1, 10**scale)
    return [c - step, c, c + step]


def edge_rows(rs: RuleSet, seed: int = 0) -> list[dict[str, object]]:
    """For every comparison of an input, or of a ratio of inputs, with a constant: rows exactly on the
    constant and one unit (fen, person, 0.01) either side; everything else random."""
    rng = random.Random(seed)
    derived = {f.id: f.node for f in rs.formulas.values() if f.kind == "derived"}
    out: list[dict[str, object]] = []
    for node in all_nodes(rs):
        if not (
            isinstance(node, Cmp)
            and isinstance(node.right, Lit)
            and node.right.unit in ("money", "int", "number")
        ):
            continue
        if not isinstance(node.left, Var):
            continue
        t = Fraction(node.right.value)  # type: ignore[arg-type]
        name = node.left.name
        if name in rs.inputs:
            inp = rs.inputs[name]
            for v in _edge_values(t, inp.scale if inp.type == Type.NUMBER else 0):
                row = random_row(rs, rng, 0)
                row[name] = v.numerator if v.denominator == 1 else v
                if inp.type != Type.NUMBER and Fraction(row[name]).denominator != 1:  # type: ignore[arg-type]
                    continue
                out.append(row)
        elif name in derived:
            out.extend(_ratio_edges(rs, derived[name], t, rng))
    return out


def _ratio_edges(rs: RuleSet, node: Node, t: Fraction, rng: random.Random) -> list[dict[str, object]]:
    if not (isinstance(node, Arith) and node.op == "/" and isinstance(node.right, Var)):
        return []
    den = node.right.name
    rows = []
    for delta in (-1, 0, 1):
        row = random_row(rs, rng, 0)
        k = rng.randrange(1, 10**6)
        base = t.denominator * k * (100 if rs.inputs[den].type == Type.MONEY else 1)
        row[den] = base
        target = t * base
        if isinstance(node.left, Var):
            row[node.left.name] = int(target) + delta
        elif isinstance(node.left, Arith) and node.left.op == "-" and isinstance(node.left.left, Var):
            row[node.left.left.name] = base + int(target) + delta  # growth: (a - b) / b
        else:
            return []
        rows.append(row)
    return rows


def jsonish(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Fraction) else v) for k, v in row.items()}
