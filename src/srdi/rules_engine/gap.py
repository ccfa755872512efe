"""Gap analysis: for a tier not reached, the smallest set of changes that reaches it and the nearest
direct route, as plain Chinese sentences ("研发费用占比 2.6%，达到 3% 可得 15 分（+5 分）")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from srdi.rules_engine import fmt
from srdi.rules_engine.expr.nodes import And, Cmp, In, Lit, Node, Not, Or, Var, variables
from srdi.rules_engine.interpret import prepare
from srdi.rules_engine.loader import PURPOSE_INPUT
from srdi.rules_engine.model import Indicator, RuleSet
from srdi.rules_engine.pyfunc import compile_node as _compile_node
from srdi.rules_engine.trace import Result
from srdi.rules_engine.words import VERB as _VERB
from srdi.rules_engine.words import choice, label, lit_type, phrase

# Gap analysis evaluates the same band atoms for every enterprise: compile each once.
compile_node = lru_cache(maxsize=4096)(_compile_node)

MAX_CHANGES = 5  # more indicator upgrades than this is not a useful plan


@dataclass(frozen=True)
class Upgrade:
    indicator: str
    band: str
    points: int
    gain: int
    sentence: str


@dataclass
class Gap:
    rule_set: str
    reached: bool
    upgrades: list[Upgrade] = field(default_factory=list)  # smallest set of indicator changes
    conditions: list[str] = field(default_factory=list)  # unmet gates (not about the score)
    direct_route: str | None = None  # nearest direct route, if any
    missing: list[str] = field(default_factory=list)  # inputs that would decide an unknown result

    @property
    def sentences(self) -> list[str]:
        out = list(self.conditions)
        out += [u.sentence for u in self.upgrades]
        if self.direct_route:
            out.append(self.direct_route)
        if self.missing:
            out.append("需补充数据：" + "、".join(self.missing))
        return out


def _atoms(node: Node) -> list[Node]:
    if isinstance(node, And):
        return [a for i in node.items for a in _atoms(i)]
    return [node]


def _unmet(node: Node, env: Mapping[str, object]) -> list[Node]:
    """Atoms of a conjunction that are not (known to be) true; for a disjunction, the cheapest branch."""
    out: list[Node] = []
    for atom in _atoms(node):
        if compile_node(atom)(env) is True:
            continue
        if isinstance(atom, Or):
            # The purpose (new application vs 复核) is not something an enterprise can change.
            branches: list[list[Node]] = [
                _unmet(b, env) for b in atom.items if PURPOSE_INPUT not in variables(b)
            ]
            shortest: list[Node] = [atom]
            for branch in branches:
                if shortest == [atom] or len(branch) < len(shortest):
                    shortest = branch
            out.extend(shortest)
        else:
            out.append(atom)
    return out


def _say(rs: RuleSet, atom: Node, env: Mapping[str, object]) -> str:
    if isinstance(atom, Var):
        return f"需满足：{label(rs, atom.name)}"
    if isinstance(atom, Not) and isinstance(atom.operand, Var):
        return f"需不存在：{label(rs, atom.operand.name)}"
    if isinstance(atom, In) and isinstance(atom.operand, Var):
        name = atom.operand.name
        options = " / ".join(choice(rs, name, o) for o in atom.options)
        now = choice(rs, name, env.get(name))
        return f"{label(rs, name)}需为 {options}（当前 {now}）"
    if isinstance(atom, Cmp) and isinstance(atom.right, Lit):
        left = atom.left
        what = phrase(rs, left)
        t = rs.types.get(left.name) if isinstance(left, Var) else None
        current = env.get(left.name) if isinstance(left, Var) else compile_node(left)(env)
        var = left.name if isinstance(left, Var) else None
        if isinstance(atom.right.value, str):  # a chosen value: said by its label, as the current one is
            threshold, now = choice(rs, var, atom.right.value), choice(rs, var, current)
        else:
            threshold, now = fmt.show(atom.right.value, lit_type(atom.right, t)), fmt.show(current, t)
        return f"{what} {now}，需{_VERB[atom.op]} {threshold}"
    return f"需满足：{phrase(rs, atom)}"


def _band_sentence(
    rs: RuleSet, ind: Indicator, when: Node, env: Mapping[str, object], points: int, gain: int
) -> str:
    parts = []
    for atom in _unmet(when, env):
        if isinstance(atom, Cmp) and isinstance(atom.left, Var) and isinstance(atom.right, Lit):
            name = atom.left.name
            t = rs.types.get(name)
            if isinstance(atom.right.value, str):
                now, threshold = choice(rs, name, env.get(name)), choice(rs, name, atom.right.value)
            else:
                now = fmt.show(env.get(name), t)
                threshold = fmt.show(atom.right.value, lit_type(atom.right, t))
            parts.append(f"{label(rs, name)} {now}，{_VERB[atom.op]} {threshold}")
        elif isinstance(atom, Var):
            parts.append(label(rs, atom.name))
        else:
            parts.append(_say(rs, atom, env))
    return f"{'；'.join(parts)}，可得 {points} 分（+{gain} 分）"


def _score_targets(rs: RuleSet) -> list[tuple[str, int]]:
    """(score variable, minimum) pairs required anywhere by a condition or the pass rule."""
    targets: list[tuple[str, int]] = []
    roots = [f.node for f in rs.formulas.values() if f.kind == "condition"] + [rs.pass_formula.node]
    stack = list(roots)
    while stack:
        n = stack.pop()
        if (
            isinstance(n, Cmp)
            and isinstance(n.left, Var)
            and n.left.name.startswith("score_")
            and isinstance(n.right, Lit)
        ):
            targets.append((n.left.name, int(n.right.value)))
        elif isinstance(n, And | Or):
            stack.extend(n.items)
        elif isinstance(n, Not):
            stack.append(n.operand)
    return sorted(set(targets))


def gap_analysis(result: Result, rule_set: RuleSet) -> Gap:
    rs = rule_set
    env = result.values
    gap = Gap(rs.id, reached=result.passed is True)
    if gap.reached:
        return gap
    prog = prepare(rs)
    closure = set(prog.raw_inputs["pass"])
    gap.missing = [label(rs, n) for n in result.deciding_inputs if n in closure]
    score_vars = {"score_total", "direct"} | {"score_" + c.id for c in rs.categories}
    routes = {f.id for f in rs.direct_routes}
    # Gates: conditions the pass rule needs that are false and are not about the score or the direct routes.
    for f in rs.conditions:
        if env.get(f.id) is False and not (variables(f.node) & (score_vars | routes)):
            gap.conditions += [f"{_say(rs, a, env)}（{f.id} {f.label}）" for a in _unmet(f.node, env)]
    targets = _score_targets(rs)
    scores_ok = all(isinstance(env.get(v), int) and env[v] >= m for v, m in targets)  # type: ignore[operator]
    if targets and not scores_ok:
        gap.upgrades = _smallest_upgrades(rs, env, targets)
    if env.get("direct") is not True and rs.direct_routes:
        best = min(rs.direct_routes, key=lambda f: len(_unmet(f.node, env)))
        unmet = _unmet(best.node, env)
        needs = "；".join(_say(rs, a, env) for a in unmet if not isinstance(a, Var))
        gap.direct_route = f"最近的直通条件：{best.id} {best.label}" + (f"（{needs}）" if needs else "")
    return gap


def upgrades_to(result: Result, rule_set: RuleSet, score_total: int) -> list[Upgrade]:
    """The smallest set of indicator changes that lifts ``score_total`` to at least the given value (a scorecard's
    next grade), each with its Chinese sentence; empty when already there or when the score is unknown."""
    env = result.values
    current = env.get("score_total")
    if not isinstance(current, int) or current >= score_total:
        return []
    return _smallest_upgrades(rule_set, env, [("score_total", score_total)])


def _options(rs: RuleSet, env: Mapping[str, object]) -> dict[str, list[Upgrade]]:
    out: dict[str, list[Upgrade]] = {}
    for ind in rs.indicators:
        current = env.get(ind.id)
        if not isinstance(current, int) or not ind.bands:
            continue
        opts = []
        for band in ind.bands:
            if band.when is not None and band.points > current:
                # The sentence is written later, only for the upgrades that are chosen.
                opts.append(Upgrade(ind.id, band.id, band.points, band.points - current, ""))
        if opts:
            out[ind.id] = sorted(opts, key=lambda u: u.gain)
    return out


def _meets(
    rs: RuleSet, env: Mapping[str, object], targets: Sequence[tuple[str, int]], change: Mapping[str, int]
) -> bool:
    cat_of = {i.id: i.category for i in rs.indicators}
    delta: dict[str, int] = {}
    for ind, gain in change.items():
        delta["score_" + cat_of[ind]] = delta.get("score_" + cat_of[ind], 0) + gain
        delta["score_total"] = delta.get("score_total", 0) + gain
    for var, minimum in targets:
        value = env.get(var)
        if not isinstance(value, int) or value + delta.get(var, 0) < minimum:
            return False
    return True


def _smallest_upgrades(
    rs: RuleSet, env: Mapping[str, object], targets: Sequence[tuple[str, int]]
) -> list[Upgrade]:
    options = _options(rs, env)
    names = sorted(options, key=lambda n: -options[n][-1].gain)
    top = {n: options[n][-1].gain for n in names}
    # The total must rise by at least this much: combinations whose best gains fall short are skipped unseen.
    need = max(
        (m - v for var, m in targets if var == "score_total" and isinstance(v := env.get(var), int)),
        default=0,
    )
    for k in range(1, min(len(names), MAX_CHANGES) + 1):
        if sum(top[n] for n in names[:k]) < need:
            continue
        best: tuple[int, list[Upgrade]] | None = None
        for combo in combinations(names, k):
            if sum(top[n] for n in combo) < need or not _meets(rs, env, targets, {n: top[n] for n in combo}):
                continue
            chosen = {n: options[n][-1] for n in combo}
            for n in combo:  # lower each change to the smallest band that still works
                for opt in options[n]:
                    trial = {m: (opt if m == n else chosen[m]).gain for m in combo}
                    if _meets(rs, env, targets, trial):
                        chosen[n] = opt
                        break
            cost = sum(u.gain for u in chosen.values())
            if best is None or cost < best[0]:
                best = (cost, [chosen[n] for n in combo])
        if best is not None:
            return [_with_sentence(rs, env, u) for u in best[1]]
    return []


def _with_sentence(rs: RuleSet, env: Mapping[str, object], u: Upgrade) -> Upgrade:
    ind = next(i for i in rs.indicators if i.id == u.indicator)
    when = next(b.when for b in ind.bands if b.id == u.band)
    assert when is not None
    return Upgrade(
        u.indicator, u.band, u.points, u.gain, _band_sentence(rs, ind, when, env, u.points, u.gain)
    )
