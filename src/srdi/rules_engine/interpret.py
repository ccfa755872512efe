"""Trace interpreter: one enterprise, one rule set → pass / fail / unknown with a full explanation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from srdi.rules_engine import fmt
from srdi.rules_engine.expr.nodes import And, Arith, Call, Cmp, In, Neg, Node, Not, Or, Var, variables
from srdi.rules_engine.loader import PURPOSE_INPUT
from srdi.rules_engine.model import PURPOSES, Indicator, RuleSet
from srdi.rules_engine.pyfunc import compile_node
from srdi.rules_engine.trace import ItemTrace, Result


@dataclass
class Program:
    """A rule set with every expression compiled once to closures, and each item's input closure."""

    rule_set: RuleSet
    steps: list[tuple[str, str, Any]]  # (name, kind, compiled)
    direct_inputs: dict[str, tuple[str, ...]]  # names an item reads directly
    raw_inputs: dict[str, tuple[str, ...]]  # facts-level inputs an item depends on, transitively


_PROGRAMS: dict[int, tuple[RuleSet, Program]] = {}


def prepare(rule_set: RuleSet) -> Program:
    cached = _PROGRAMS.get(id(rule_set))
    if cached is not None and cached[0] is rule_set:
        return cached[1]
    rs = rule_set
    direct: dict[str, tuple[str, ...]] = {}
    steps: list[tuple[str, str, Any]] = []
    indicators = {i.id: i for i in rs.indicators}
    cats = {"score_" + c.id: c.id for c in rs.categories}
    for name in rs.order:
        if name in rs.formulas:
            f = rs.formulas[name]
            steps.append((name, "formula", compile_node(f.node)))
            direct[name] = tuple(sorted(variables(f.node)))
        elif name in indicators:
            ind = indicators[name]
            if ind.formula is not None:
                steps.append((name, "formula", compile_node(ind.formula)))
                direct[name] = tuple(sorted(variables(ind.formula)))
            else:
                bands = [
                    (b.id, b.points, compile_node(b.when) if b.when is not None else None) for b in ind.bands
                ]
                steps.append((name, "bands", bands))
                direct[name] = tuple(sorted(set().union(*(variables(b.when) for b in ind.bands if b.when))))
        elif name in cats:
            members = tuple(i.id for i in rs.indicators if i.category == cats[name])
            steps.append((name, "sum", members))
            direct[name] = members
        elif name == "score_total":
            members = tuple("score_" + c.id for c in rs.categories)
            steps.append((name, "sum", members))
            direct[name] = members
        elif name == "direct":
            members = tuple(f.id for f in rs.direct_routes)
            steps.append((name, "any", members))
            direct[name] = members
        elif name == "pass":
            steps.append((name, "formula", compile_node(rs.pass_formula.node)))
            direct[name] = tuple(sorted(variables(rs.pass_formula.node)))
    raw: dict[str, tuple[str, ...]] = {}
    for name in rs.order:
        acc: set[str] = set()
        for d in direct.get(name, ()):
            if d in rs.inputs:
                acc.add(d)
            else:
                acc.update(raw.get(d, ()))
        raw[name] = tuple(sorted(acc))
    prog = Program(rs, steps, direct, raw)
    _PROGRAMS[id(rule_set)] = (rule_set, prog)
    return prog


def run(prog: Program, env: dict[str, object]) -> dict[str, object]:
    """Fill ``env`` with every computed name; also records the matched band as ``band_<indicator>``."""
    for name, kind, code in prog.steps:
        if kind == "formula":
            env[name] = code(env)
        elif kind == "bands":
            points: object = None
            band: str | None = None
            for band_id, pts, when in code:
                hit = True if when is None else when(env)
                if hit is None:
                    break  # an earlier band is undecided, so the points are unknown
                if hit:
                    points, band = pts, band_id
                    break
            env[name] = points
            env["band_" + name] = band
        elif kind == "sum":
            vals = [env.get(m) for m in code]
            env[name] = None if any(v is None for v in vals) else sum(vals)  # type: ignore[arg-type]
        else:  # any: Kleene OR; no direct routes at all means false
            vals = [env.get(m) for m in code]
            env[name] = (
                True if any(v is True for v in vals) else (None if any(v is None for v in vals) else False)
            )
    return env


def evaluate_variables(
    variables_: Mapping[str, object],
    rule_set: RuleSet,
    *,
    as_of: date | None = None,
    purpose: str = "new_application",
    trace: bool = True,
) -> Result:
    """Evaluate flat variables (as built by ``facts.build_variables``); absent names are unknown."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    prog = prepare(rule_set)
    env: dict[str, object] = {name: variables_.get(name) for name in rule_set.inputs}
    env[PURPOSE_INPUT] = purpose == "re_review"
    run(prog, env)
    return _result(prog, env, as_of, purpose, trace)


def deciding_inputs(prog: Program, env: Mapping[str, object], name: str) -> tuple[str, ...]:
    """Inputs that would settle an unknown ``name``.

    Follows the unknown down the expression trees: an unknown input is reported itself; where the unknown
    starts inside a computation over known inputs (``x / 0``, ``cagr`` from zero), that computation's inputs.
    """
    rs = prog.rule_set
    found: set[str] = set()
    seen: set[str] = set()
    stack = [name]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in rs.inputs:
            if env.get(n) is None:
                found.add(n)
            continue
        for node in _unknown_roots(prog, env, n):
            for v in _origin_vars(node, env):
                if v in rs.inputs and env.get(v) is not None:
                    found.add(v)
                else:
                    stack.append(v)
    return tuple(sorted(found))


def _unknown_roots(prog: Program, env: Mapping[str, object], name: str) -> list[Node]:
    rs = prog.rule_set
    if name in rs.formulas:
        return [rs.formulas[name].node]
    if name == "pass":
        return [rs.pass_formula.node]
    ind = next((i for i in rs.indicators if i.id == name), None)
    if ind is not None:
        if ind.formula is not None:
            return [ind.formula]
        for b in ind.bands:
            if b.when is not None and _compiled(b.when)(env) is None:
                return [b.when]
        return []
    return [Var(d) for d in prog.direct_inputs.get(name, ()) if env.get(d) is None]


_compiled = lru_cache(maxsize=4096)(compile_node)


def _origin_vars(node: Node, env: Mapping[str, object]) -> set[str]:
    """Variables of the innermost unknown sub-expressions of ``node`` (which evaluates to unknown)."""
    if isinstance(node, Var):
        return {node.name}
    children = _children(node)
    unknown = [c for c in children if _compiled(c)(env) is None]
    if not unknown:
        return variables(node)
    out: set[str] = set()
    for c in unknown:
        out |= _origin_vars(c, env)
    return out


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Neg | Not | In):
        return (node.operand,)
    if isinstance(node, Arith | Cmp):
        return (node.left, node.right)
    if isinstance(node, And | Or):
        return node.items
    if isinstance(node, Call):
        return node.args
    return ()


def _item(
    prog: Program,
    env: Mapping[str, object],
    name: str,
    kind: str,
    label: str,
    rule: str,
    citation: Any,
    ind: Indicator | None = None,
) -> ItemTrace:
    rs = prog.rule_set
    # The values read directly (e.g. a ratio) and the facts-level inputs behind them (its two amounts).
    used = dict.fromkeys((*prog.direct_inputs.get(name, ()), *prog.raw_inputs.get(name, ())))
    inputs = {n: env.get(n) for n in used if n != PURPOSE_INPUT or n in prog.direct_inputs.get(name, ())}
    shown = {n: fmt.show(v, rs.types.get(n)) for n, v in inputs.items()}
    unknown = deciding_inputs(prog, env, name) if env.get(name) is None else ()
    item = ItemTrace(name, kind, label, env.get(name), rule, inputs, shown, unknown, citation)
    item.labels = {n: rs.labels.get(n, n) for n in inputs}
    if ind is not None:
        item.max_points = ind.max_points
        item.category = ind.category
        band_id = env.get("band_" + name)
        if isinstance(band_id, str):
            band = next(b for b in ind.bands if b.id == band_id)
            item.band, item.band_label, item.rule, item.edge = (
                band.id,
                band.label,
                band.when_text or "其他情况",
                band.edge,
            )
    return item


def _result(prog: Program, env: dict[str, object], as_of: date | None, purpose: str, trace: bool) -> Result:
    rs = prog.rule_set
    items: list[ItemTrace] = []
    flagged: list[str] = []
    if rs.meta.verification in ("S-code", "UNVERIFIED"):
        flagged.append(rs.id)
    flagged.extend(i.id for i in rs.inputs.values() if i.citation.needs_verification)
    for f in rs.formulas.values():
        if f.citation.needs_verification:
            flagged.append(f.id)
        if trace and f.kind != "derived":
            items.append(_item(prog, env, f.id, f.kind, f.label, f.text, f.citation))
    for ind in rs.indicators:
        if ind.citation.needs_verification:
            flagged.append(ind.id)
        if trace:
            items.append(
                _item(prog, env, ind.id, "indicator", ind.label, ind.formula_text, ind.citation, ind)
            )
    passed = env["pass"]
    deciding = deciding_inputs(prog, env, "pass") if passed is None else ()
    return Result(
        rule_set=rs.id,
        tier=rs.tier,
        title=rs.meta.title,
        content_hash=rs.content_hash,
        as_of=as_of,
        purpose=purpose,
        passed=passed,  # type: ignore[arg-type]
        total=env.get("score_total") if rs.categories else None,  # type: ignore[arg-type]
        scores={c.id: env.get("score_" + c.id) for c in rs.categories},  # type: ignore[misc]
        points={i.id: env.get(i.id) for i in rs.indicators},  # type: ignore[misc]
        bands={i.id: env.get("band_" + i.id) for i in rs.indicators if i.bands},  # type: ignore[misc]
        conditions={f.id: env.get(f.id) for f in rs.conditions},  # type: ignore[misc]
        direct_routes={f.id: env.get(f.id) for f in rs.direct_routes},  # type: ignore[misc]
        items=items,
        deciding_inputs=deciding,
        needs_verification=tuple(flagged),
        citation=rs.citation,
        values=env,
    )
