"""Seeded generator of realistic synthetic registries in the batch-input shape (one row per enterprise).

Figures hang together the way real ones do: revenue is log-normal around 5000万元, R&D, main-business
revenue, profit, assets and liabilities are shares of it, a third of the amounts are round 万元 figures
(so band edges are hit), and 2% of the cells are unknown.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from srdi.rules_engine.expr.nodes import Cmp, In, Lit, Var
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.model import RuleSet

FEN_PER_WAN = 1_000_000


def _string_options(rule_sets: Iterable[RuleSet]) -> dict[str, list[str]]:
    opts: dict[str, set[str]] = {}
    for rs in rule_sets:
        roots = [f.node for f in rs.formulas.values()] + [rs.pass_formula.node]
        roots += [b.when for i in rs.indicators for b in i.bands if b.when is not None]
        stack = list(roots)
        while stack:
            n = stack.pop()
            if isinstance(n, In) and isinstance(n.operand, Var):
                opts.setdefault(n.operand.name, set()).update(n.options)
            if (
                isinstance(n, Cmp)
                and isinstance(n.left, Var)
                and isinstance(n.right, Lit)
                and n.right.unit == "str"
            ):
                opts.setdefault(n.left.name, set()).add(str(n.right.value))
            for attr in ("operand", "left", "right"):
                if getattr(n, attr, None) is not None:
                    stack.append(getattr(n, attr))
            stack.extend(getattr(n, "items", ()) or getattr(n, "args", ()))
    return {k: sorted(v | {"other"}) for k, v in opts.items()}


def registry(
    rule_sets: Iterable[RuleSet], n: int, seed: int = 20260401, unknown_rate: float = 0.02
) -> pl.DataFrame:
    sets = list(rule_sets)
    rng = np.random.default_rng(seed)
    inputs = {name: inp for rs in sets for name, inp in rs.inputs.items()}
    options = _string_options(sets)
    revenue = np.exp(rng.normal(np.log(5e7), 1.0, n))  # yuan
    growth = rng.normal(1.08, 0.12, n).clip(0.5, 2.0)
    share = rng.uniform(0.4, 1.0, n)
    employees = np.maximum(1, np.exp(rng.normal(np.log(120), 0.8, n))).astype(np.int64)
    cols: dict[str, np.ndarray] = {}

    def money(name: str) -> np.ndarray:
        year = int(name[-1]) if name[-2:-1] == "y" and name[-1].isdigit() else 1
        rev = revenue / growth ** (year - 1)
        if name.startswith("operating_revenue"):
            v = rev
        elif name.startswith("main_business_revenue"):
            v = rev * share
        elif name.startswith("rd_expense"):
            v = rev * rng.uniform(0, 0.12, n)
        elif name.startswith("net_profit"):
            v = rev * rng.uniform(-0.05, 0.2, n)
        elif name.startswith("total_assets"):
            v = rev * rng.uniform(0.5, 2.0, n)
        elif name.startswith("total_liabilities"):
            v = cols.get("total_assets_y1", rev) / 100 * rng.uniform(0.2, 0.95, n)
        elif name.startswith("total_cost"):
            v = rev * rng.uniform(0.7, 1.0, n)
        elif name.startswith("equity"):
            v = np.where(rng.random(n) < 0.1, np.exp(rng.normal(np.log(3e7), 1.0, n)), 0.0)
        else:
            v = rev * rng.uniform(0, 1, n)
        fen = np.round(v * 100).astype(np.int64)
        round_wan = np.round(v / 10_000).astype(np.int64) * FEN_PER_WAN
        return np.where(rng.random(n) < 0.33, round_wan, fen)

    for name in sorted(inputs, key=lambda x: (not x.startswith("total_assets"), x)):
        inp = inputs[name]
        if inp.type == Type.MONEY:
            cols[name] = money(name)
        elif inp.type == Type.INT:
            if name.startswith("employees"):
                cols[name] = employees
            elif name.startswith("rd_staff"):
                cols[name] = (employees * rng.uniform(0, 0.4, n)).astype(np.int64)
            elif name == "digital_level":
                cols[name] = rng.integers(1, 5, n)
            elif name.endswith("rank"):
                cols[name] = rng.integers(1, 60, n)
            elif name.endswith("_bp"):
                cols[name] = rng.integers(0, 2500, n)
            else:
                cols[name] = rng.poisson(2.0, n).astype(np.int64)
        elif inp.type == Type.BOOL:
            # Adverse facts are rare, registration is near-universal, the rest are coin flips.
            adverse = any(w in name for w in ("blacklist", "restricted", "incident", "violation"))
            p = 0.03 if adverse else 0.99 if name == "independent_legal_person" else 0.4
            cols[name] = rng.random(n) < p
        elif inp.type == Type.STR:
            choices = np.array(options.get(name, ["other"]), dtype=object)
            if name == "size_class":
                choices = np.array(["micro", "small", "small", "medium", "large"], dtype=object)
            cols[name] = choices[rng.integers(0, len(choices), n)]
        else:
            cols[name] = rng.integers(30 * 10**inp.scale, 90 * 10**inp.scale, n)
    frame = pl.DataFrame({"uscc": np.arange(n, dtype=np.int64), **cols})
    if "is_re_review" in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias("is_re_review"))
    mask = {c: rng.random(n) < unknown_rate for c in cols if c != "is_re_review"}
    schema = {
        name: ("int" if inputs[name].type in (Type.MONEY, Type.INT, Type.NUMBER) else "") for name in cols
    }
    frame = frame.with_columns(
        [pl.when(pl.Series(mask[c])).then(None).otherwise(pl.col(c)).alias(c) for c in mask]
    )
    return frame.with_columns([pl.col(c).cast(pl.Int64) for c, k in schema.items() if k == "int"])
