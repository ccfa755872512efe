"""Policies as rule files (``kind: policy``): eligibility is the rule set's ``pass``, the benefit a derived money value.

A policy file is an ordinary rule set — same inputs, expressions, executors and traces — plus a ``policy:`` block
(文号/source, region scope, 责任单位, mode, budget, period, benefit, seed citations; docs/rules-authoring.md §11).
This module reads that block, adds what no tier rule needs (region scope, effective window, amount in whole
fen) and evaluates policies one enterprise at a time (trace) or over a batch table (Polars). Pure: no database.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import polars as pl

from srdi.rules_engine import fmt
from srdi.rules_engine.compile_polars import compile_polars
from srdi.rules_engine.errors import FactsError, RuleError
from srdi.rules_engine.expr.parser import parse_literal
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.facts import build_variables
from srdi.rules_engine.interpret import evaluate_variables
from srdi.rules_engine.loader import _build, load_schema, read_yaml, rule_files
from srdi.rules_engine.lower import column_names
from srdi.rules_engine.model import RuleSet
from srdi.rules_engine.trace import Result


class PolicyMode(StrEnum):
    """How an enterprise obtains a policy's benefit."""

    auto_grant = "auto_grant"  # 免申即享: granted after data comparison and consent, no application
    application = "application"
    commitment = "commitment"  # 告知承诺: the enterprise's written commitment replaces the proofs

    @property
    def label(self) -> str:
        return MODE_LABELS[self.value]


MODES = tuple(m.value for m in PolicyMode)
# Provenance kinds a policy may decide money on; mirrors srdi.enterprise.enums.AUTHORITATIVE (the engine imports
# no domain). ``synthetic`` is demo data standing for the government's own, written only by ``srdi demo``.
AUTHORITATIVE = frozenset(
    {"tax", "statistics", "audited_report", "market_supervision", "official_list", "verified", "synthetic"}
)
SELF_REPORTED = "self_reported"
# The badges of the UI (已核验 / 企业自报 / 税务 …), so a trace reads without a lookup table.
LABELS_SHORT = {
    "verified": "已核验",
    "self_reported": "企业自报",
    "tax": "税务",
    "statistics": "统计",
    "audited_report": "审计报告",
    "official_list": "官方名单",
    "market_supervision": "市场监管",
    "synthetic": "演示数据",
}
MODE_LABELS = {"auto_grant": "免申即享", "application": "申请", "commitment": "告知承诺"}
ELIGIBLE, UNKNOWN, INELIGIBLE = "eligible", "unknown", "ineligible"
STATUS_LABELS = {"in_force": "已施行", "draft": "征求意见稿（未施行）"}
ALLOCATION_LABELS = {
    "pro_rata": "预算不足时按比例分配（各企业金额 × 预算 ÷ 应补总额，向下取整到分）",
    "amount_desc": "预算不足时按金额从高到低足额安排，排不下的列入候补（同额者一并候补，不另设排序）",
    "amount_asc": "预算不足时按金额从低到高足额安排，排不下的列入候补（同额者一并候补，不另设排序）",
}
AMOUNT_RULE_LABELS = {
    "fixed": "定额",
    "rate": "按比例",
    "rate_capped": "按比例并设上限",
    "capped": "最高不超过（上限，实际金额经审核或通知确定）",
    "pro_rata": "预算内按比例分配",
    "none": "种子材料未载金额",
}
# Items a policy may mark 待核实 besides its parameters: choices the seed does not make.
UNVERIFIABLE = ("allocation", "budget", "payment_deadline", "mode", "period")


@dataclass(frozen=True)
class SeedRef:
    file: str
    article: str
    quote: str
    seed_title: str = ""
    source_address: str = ""  # the seed's own address (URL, or the attribution it carries)


@dataclass(frozen=True)
class Parameter:
    """A named constant of a policy (rate, cap, fixed amount) that a draft may change."""

    id: str
    label: str
    type: str  # money | number | int
    value: str  # as written: "5%", "30万元", "2"
    unverified: str | None = None  # why the value is 待核实 (the seed does not give it), or None


@dataclass(frozen=True)
class Bound:
    """The plausible range of a money/int input, in engine units (fen for money)."""

    input_id: str
    label: str
    min: int | Fraction | None
    max: int | Fraction
    min_text: str | None
    max_text: str

    def violation(self, value: object) -> str | None:
        """A Chinese reason when ``value`` lies outside the range; None when inside or unknown."""
        if value is None or isinstance(value, bool) or not isinstance(value, int | Fraction):
            return None
        if value > self.max:
            return f"{self.label}超出合理范围（不超过{self.max_text}），请核实后再填报"
        if self.min is not None and value < self.min:
            return f"{self.label}低于合理范围（不低于{self.min_text}），请核实后再填报"
        return None


@dataclass(frozen=True)
class Policy:
    id: str
    rule_set: RuleSet
    data: dict[str, Any]  # the rule file as plain data (drafts change a copy)
    source: str
    region_codes: tuple[str, ...]
    departments: tuple[str, ...]
    mode: str
    budget_fen: int | None
    period: str
    allocation_order: str
    beneficiary: str
    benefit_kind: str
    amount_var: str | None
    amount_is_maximum: bool
    unit: str
    benefit_description: str
    review_checks: tuple[str, ...]
    seeds: tuple[SeedRef, ...]
    parameters: tuple[Parameter, ...]
    # input id → accepted provenance kinds; an input absent here has no requirement (docs/rules-authoring §11)
    provenance_required: Mapping[str, frozenset[str]] = field(default_factory=dict)
    status: str = "in_force"  # in_force | draft (征求意见稿: never in force)
    allocation_stated: bool = False  # the source states the allocation order; otherwise 待核实
    amount_rule: Mapping[str, str] = field(default_factory=dict)  # kind, text, cite
    bounds: Mapping[str, Bound] = field(default_factory=dict)
    payment_deadline_days: int | None = None  # working days from consent to disbursement
    payment_deadline_cite: str = ""
    unverified: Mapping[str, str] = field(default_factory=dict)  # item → why 待核实

    @property
    def title(self) -> str:
        return self.rule_set.meta.title

    @property
    def monetary(self) -> bool:
        return self.benefit_kind == "money" and self.amount_var is not None

    def in_force(self, on: date) -> bool:
        # A 征求意见稿 is not law: never in force, whatever dates a file might carry.
        return self.status != "draft" and self.rule_set.in_force(on)

    def amount_rule_text(self) -> str:
        """The amount rule in words, with each ``{parameter}`` replaced by its current (draft) value."""
        text = str(self.amount_rule.get("text", ""))
        rs = self.rule_set
        for prm in self.parameters:
            lit = parse_literal(prm.value)
            text = text.replace("{" + prm.id + "}", fmt.show(lit.value, rs.types.get(prm.id)))
        return text

    def bound_violations(
        self, variables: Mapping[str, object], out_of_range: Mapping[str, str] | None = None
    ) -> list[dict[str, str]]:
        """Inputs outside their declared plausible range: id, label, value and the Chinese reason.

        ``out_of_range`` holds the inputs whose figure was too large even to convert (build_variables): they
        are reported against the same bound.
        """
        out = []
        for b in self.bounds.values():
            if out_of_range and b.input_id in out_of_range:
                too_large = f"{b.label}超出合理范围（不超过{b.max_text}），请核实后再填报"
                out.append({"id": b.input_id, "label": b.label, "value": "超出范围", "reason": too_large})
                continue
            v = variables.get(b.input_id)
            reason = b.violation(v)
            if reason is not None:
                shown = fmt.show(v, self.rule_set.types.get(b.input_id))
                out.append({"id": b.input_id, "label": b.label, "value": shown, "reason": reason})
        return out

    def in_region(self, region_code: str | None) -> bool | None:
        if not region_code:
            return None
        return any(region_code.startswith(p) for p in self.region_codes)

    def period_key(self, as_of: date) -> str:
        """The per-period limit's key: one benefit per (policy, period, enterprise)."""
        return str(as_of.year) if self.period == "year" else "once"

    def summary(self) -> dict[str, Any]:
        m = self.rule_set.meta
        return {
            "id": self.id,
            "title": m.title,
            "source": self.source,
            "instrument": m.instrument,
            "article": m.article,
            "url": m.url,
            "issuer": m.issuer,
            "effective_from": m.effective_from.isoformat() if m.effective_from else None,
            "effective_to": m.effective_to.isoformat() if m.effective_to else None,
            "verification": m.verification,
            "policy_status": self.status,
            "policy_status_label": STATUS_LABELS[self.status],
            "region_codes": list(self.region_codes),
            "departments": list(self.departments),
            "mode": self.mode,
            "mode_label": MODE_LABELS[self.mode],
            "budget_fen": self.budget_fen,
            "period": self.period,
            "allocation_order": self.allocation_order,
            "allocation_label": ALLOCATION_LABELS[self.allocation_order],
            "allocation_stated": self.allocation_stated,
            "amount_rule": {
                "kind": str(self.amount_rule.get("kind", "none")),
                "kind_label": AMOUNT_RULE_LABELS[str(self.amount_rule.get("kind", "none"))],
                "text": self.amount_rule_text(),
                "cite": str(self.amount_rule.get("cite", "")),
            },
            "payment_deadline_days": self.payment_deadline_days,
            "payment_deadline_cite": self.payment_deadline_cite,
            "bounds": [
                {"id": b.input_id, "label": b.label, "min": b.min_text, "max": b.max_text}
                for b in self.bounds.values()
            ],
            "unverified": [{"item": k, "reason": v} for k, v in self.unverified.items()],
            "beneficiary": self.beneficiary,
            "benefit_kind": self.benefit_kind,
            "amount_is_maximum": self.amount_is_maximum,
            "unit": self.unit,
            "benefit_description": self.benefit_description,
            "review_checks": list(self.review_checks),
            "seeds": [
                {
                    "file": s.file,
                    "article": s.article,
                    "quote": s.quote,
                    "seed_title": s.seed_title,
                    "source_address": s.source_address,
                }
                for s in self.seeds
            ],
            "parameters": [
                {
                    "id": p.id,
                    "label": p.label,
                    "type": p.type,
                    "value": p.value,
                    "unverified": p.unverified,
                }
                for p in self.parameters
            ],
            "provenance_required": {k: sorted(v) for k, v in sorted(self.provenance_required.items())},
            "content_hash": self.rule_set.content_hash,
        }


def money_literal_fen(text: str | None) -> int | None:
    if text is None:
        return None
    lit = parse_literal(str(text))
    if lit.unit != "money":
        raise RuleError(f"not a money amount: {text!r} (write 元/万元/亿元)")
    value = Fraction(str(lit.value)) if not isinstance(lit.value, int | Fraction) else Fraction(lit.value)
    if value.denominator != 1:
        raise RuleError(f"more precise than one fen: {text!r}")
    return int(value)


def _policy(rs: RuleSet, data: Mapping[str, Any]) -> Policy:
    p = data["policy"]
    benefit = p["benefit"]
    amount_var = benefit.get("amount")
    # A money benefit without ``amount``: the source names a reward but no figure (shown as 金额以通知为准).
    if amount_var is not None:
        f = rs.formulas.get(str(amount_var))
        if f is None or f.kind != "derived" or f.type != Type.MONEY:
            raise RuleError(f"benefit.amount {amount_var!r} must name a derived money value", file=rs.id)
    if p["mode"] == "auto_grant" and p.get("review_checks"):
        raise RuleError(
            "an auto_grant policy has no human review: drop review_checks or change mode", file=rs.id
        )
    if p["mode"] != "auto_grant" and not p.get("review_checks"):
        raise RuleError("application/commitment policies must list what a reviewer checks", file=rs.id)
    unverified = {str(u["item"]): str(u["reason"]) for u in p.get("unverified", [])}
    params = tuple(
        Parameter(
            str(d["id"]),
            str(d["label"]),
            rs.formulas[str(d["id"])].type.value,
            str(d["expr"]),
            unverified.get(str(d["id"])),
        )
        for d in data.get("derived", [])
        if d.get("parameter")
    )
    for prm in params:
        parse_literal(prm.value)  # a parameter is a constant, never an expression
    required: dict[str, frozenset[str]] = {}
    for d in data.get("inputs", []):
        name = str(d["id"])
        src = d.get("source") or {}
        if "purpose" in src:
            continue  # the purpose of an evaluation is not a fact about the enterprise
        # In 免申即享 mode every input decides money (eligibility or amount): authoritative by default.
        want = d.get("provenance", "authoritative" if p["mode"] == "auto_grant" else "any")
        if want == "any":
            continue
        required[name] = AUTHORITATIVE if want == "authoritative" else frozenset(str(k) for k in want)
    for item in unverified:
        if item not in UNVERIFIABLE and item not in {prm.id for prm in params}:
            raise RuleError(
                f"unverified item {item!r} is neither a parameter nor one of {list(UNVERIFIABLE)}", file=rs.id
            )
    status = str(p.get("status", "in_force"))
    if rs.meta.effective_from is None and status != "draft":
        raise RuleError("effective_from may be null only for a draft (征求意见稿) policy", file=rs.id)
    rule = {str(k): str(v) for k, v in (benefit.get("amount_rule") or {}).items()}
    if benefit["kind"] == "money" and not rule:
        raise RuleError("a money benefit states its amount_rule (kind, text, cite)", file=rs.id)
    if rule.get("kind") == "capped" and not benefit.get("amount_is_maximum"):
        raise RuleError("amount_rule capped: the amount is a ceiling (amount_is_maximum: true)", file=rs.id)
    if rule.get("kind") == "none" and amount_var is not None:
        raise RuleError("amount_rule none: the source gives no figure, so no benefit.amount", file=rs.id)
    if rule.get("kind") not in (None, "none") and amount_var is None:
        raise RuleError(f"amount_rule {rule.get('kind')}: benefit.amount must name the amount", file=rs.id)
    bounds = _bounds(rs, p.get("bounds") or {})
    for inp in rs.inputs.values():
        if inp.type in (Type.MONEY, Type.INT) and inp.id not in bounds:
            raise RuleError(
                f"input {inp.id!r} ({inp.type.value}) needs plausible bounds (policy.bounds)", file=rs.id
            )
    deadline = p.get("payment_deadline") or {}
    allocation = p.get("allocation") or {}
    return Policy(
        id=rs.id,
        rule_set=rs,
        data=_plain(data),
        source=str(p["source"]),
        region_codes=tuple(str(c) for c in p["region_codes"]),
        departments=tuple(str(d) for d in p["departments"]),
        mode=str(p["mode"]),
        budget_fen=money_literal_fen(p.get("budget")),
        period=str(p["period"]),
        # No invented order: without a stated one, an oversubscribed budget is shared pro rata.
        allocation_order=str(allocation.get("order", "pro_rata")),
        beneficiary=str(p.get("beneficiary", "")),
        benefit_kind=str(benefit["kind"]),
        amount_var=str(amount_var) if amount_var else None,
        amount_is_maximum=bool(benefit.get("amount_is_maximum", False)),
        unit=str(benefit.get("unit", "")),
        benefit_description=str(benefit["description"]),
        review_checks=tuple(str(c) for c in p.get("review_checks", [])),
        seeds=tuple(
            SeedRef(
                str(s["file"]),
                str(s["article"]),
                str(s["quote"]),
                str(s.get("seed_title", "")),
                str(s.get("source_address", "")),
            )
            for s in p["seeds"]
        ),
        parameters=params,
        provenance_required=required,
        status=status,
        allocation_stated=bool(allocation.get("stated", False)),
        amount_rule=rule or {"kind": "none", "text": "", "cite": ""},
        bounds=bounds,
        payment_deadline_days=int(deadline["working_days"]) if deadline else None,
        payment_deadline_cite=str(deadline.get("cite", "")),
        unverified=unverified,
    )


def _bounds(rs: RuleSet, spec: Mapping[str, Any]) -> dict[str, Bound]:
    out: dict[str, Bound] = {}
    for name, b in spec.items():
        inp = rs.inputs.get(str(name))
        if inp is None:
            raise RuleError(f"bounds for {name!r}: not an input of this policy", file=rs.id)
        want = {Type.MONEY: "money", Type.INT: "int", Type.NUMBER: "number"}.get(inp.type)
        if want is None:
            raise RuleError(f"bounds for {name!r}: only money/int/number inputs have bounds", file=rs.id)
        lits = {}
        for side in ("min", "max"):
            if b.get(side) is None:
                continue
            lit = parse_literal(str(b[side]))
            if (lit.unit == "money") != (want == "money"):
                raise RuleError(f"bounds for {name!r}: {side} {b[side]!r} is not a {want} value", file=rs.id)
            lits[side] = lit
        lo, hi = lits.get("min"), lits["max"]
        if lo is not None and lo.value > hi.value:  # type: ignore[operator]
            raise RuleError(f"bounds for {name!r}: min above max", file=rs.id)
        out[inp.id] = Bound(
            inp.id,
            inp.label,
            lo.value if lo is not None else None,  # type: ignore[arg-type]
            hi.value,  # type: ignore[arg-type]
            str(b["min"]) if lo is not None else None,
            str(b["max"]),
        )
    return out


def _plain(value: Any) -> Any:
    """YAML data with line-tracking strings turned into plain ``str`` (safe to copy and store as JSON)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def load_policies(rules_dir: str | Path, rule_sets: Mapping[str, RuleSet] | None = None) -> dict[str, Policy]:
    """Every ``kind: policy`` file under ``rules_dir/policies``, keyed by id."""
    from srdi.rules_engine.loader import load_rule_sets

    root = Path(rules_dir)
    sets = rule_sets if rule_sets is not None else load_rule_sets(root)
    out: dict[str, Policy] = {}
    for path in rule_files(root):
        data = read_yaml(path)
        if data.get("kind") == "policy":
            out[str(data["id"])] = _policy(sets[str(data["id"])], data)
    return out


def build_policy(data: Mapping[str, Any], rules_dir: str | Path) -> Policy:
    """A policy from plain data (a stored version or a draft), checked exactly as a file would be."""
    root = Path(rules_dir)
    errors = sorted(
        jsonschema.Draft202012Validator(load_schema(root)).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise RuleError(f"schema: {errors[0].message} (at /{where})", file=str(data.get("id", "draft")))
    if data.get("kind") != "policy":
        raise RuleError("not a policy (kind must be policy)", file=str(data.get("id", "draft")))
    raw: dict[str, tuple[Path, dict[str, Any], str]] = {}
    for path in rule_files(root):
        other = read_yaml(path)
        raw[str(other["id"])] = (path, other, path.read_text(encoding="utf-8"))
    rid = str(data["id"])
    import json

    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    raw[rid] = (root / "policies" / f"{rid}.yaml", dict(data), text)
    rs = _build(rid, raw, root)
    return _policy(rs, data)


def with_parameters(
    policy: Policy, values: Mapping[str, str], *, budget: str | bool | None = False
) -> dict[str, Any]:
    """A copy of the policy's data with parameter values (and optionally the budget) replaced — a draft."""
    known = {p.id: p for p in policy.parameters}
    data = copy.deepcopy(policy.data)
    for name, value in values.items():
        if name not in known:
            raise RuleError(f"unknown parameter {name!r}; parameters are {sorted(known)}", file=policy.id)
        lit = parse_literal(str(value))
        want = known[name].type
        if (want == "money") != (lit.unit == "money") or (want == "int" and lit.unit != "int"):
            raise RuleError(f"parameter {name!r} needs a {want} value, got {value!r}", file=policy.id)
        for d in data.get("derived", []):
            if d["id"] == name:
                d["expr"] = str(value).strip()
    if budget is not False:
        if budget is not None:
            money_literal_fen(str(budget))
        data["policy"]["budget"] = budget
    return data


# --- evaluation --------------------------------------------------------------------------------------------


def amount_fen(value: object) -> int | None:
    """Benefit amounts are paid in whole fen, rounded down: a 最高/不超过 ceiling is never exceeded."""
    if value is None:
        return None
    if not isinstance(value, int | Fraction):
        raise TypeError(f"not an exact money amount: {value!r}")
    f = Fraction(value)
    return max(int(f.numerator // f.denominator), 0)


@dataclass
class Assessment:
    """One enterprise against one policy on one date, with the trace of the decision."""

    policy_id: str
    as_of: date
    status: str  # eligible | unknown | ineligible
    amount_fen: int | None
    in_region: bool | None
    in_force: bool
    reasons: list[str]  # why not (failed conditions, region, effective window), Chinese
    missing_inputs: list[dict[str, str]]  # inputs that would decide it: id + Chinese label
    amount_missing: list[dict[str, str]]  # inputs the amount still needs
    benefit: dict[str, Any]
    result: Result
    variables: dict[str, object] = field(repr=False, default_factory=dict)
    bound_violations: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "amount_fen": self.amount_fen,
            "in_region": self.in_region,
            "in_force": self.in_force,
            "reasons": self.reasons,
            "missing_inputs": self.missing_inputs,
            "amount_missing": self.amount_missing,
            "bound_violations": self.bound_violations,
            "benefit": self.benefit,
            "result": self.result.as_dict(),
        }


def _labelled(rs: RuleSet, names: Iterable[str]) -> list[dict[str, str]]:
    return [{"id": n, "label": rs.labels.get(n, n)} for n in sorted(set(names))]


def assess(policy: Policy, facts: Mapping[str, Any], as_of: date) -> Assessment:
    out_of_range: dict[str, str] = {}
    variables = build_variables(facts, as_of, policy.rule_set, out_of_range=out_of_range)
    unbounded = set(out_of_range) - set(policy.bounds)
    if unbounded:
        raise FactsError("; ".join(out_of_range[k] for k in sorted(unbounded)))
    region = facts.get("region_code")
    return assess_variables(
        policy, variables, as_of, region_code=str(region) if region else None, out_of_range=out_of_range
    )


def assess_variables(
    policy: Policy,
    variables: Mapping[str, object],
    as_of: date,
    *,
    region_code: str | None,
    out_of_range: Mapping[str, str] | None = None,
) -> Assessment:
    rs = policy.rule_set
    odd = policy.bound_violations(variables, out_of_range)
    if odd:
        # An implausible figure (a 1e25 answer) decides nothing: it is set aside as unknown, with the reason,
        # before any arithmetic runs on it.
        variables = {k: (None if any(o["id"] == k for o in odd) else v) for k, v in variables.items()}
    result = evaluate_variables(variables, rs, as_of=as_of)
    in_region = policy.in_region(region_code)
    in_force = policy.in_force(as_of)
    reasons: list[str] = []
    if policy.status == "draft":
        reasons.append("该政策为征求意见稿，尚未正式施行，不能据此兑现")
    elif not in_force:
        end, start = rs.meta.effective_to, rs.meta.effective_from
        window = f"{start.isoformat() if start else '未定'} 至 {end.isoformat() if end else '长期'}"
        reasons.append(f"{as_of.isoformat()} 不在政策有效期内（{window}）")
    if in_region is False:
        reasons.append(f"企业所在地 {region_code} 不在政策适用地区（{'、'.join(policy.region_codes)}）内")
    if result.passed is False:
        failed = [f.label for f in rs.conditions if result.conditions.get(f.id) is False]
        reasons += [f"不满足：{label}" for label in failed] or [f"不满足：{rs.pass_formula.text}"]
    reasons += [o["reason"] for o in odd]
    if not in_force or in_region is False or result.passed is False:
        status = INELIGIBLE
    elif result.passed is None or in_region is None or odd:
        status = UNKNOWN
    else:
        status = ELIGIBLE
    missing = list(result.deciding_inputs) if status == UNKNOWN else []
    missing_out = _labelled(rs, missing)
    if status == UNKNOWN and in_region is None:
        missing_out.append({"id": "region_code", "label": "企业所在行政区划"})
    benefit = _benefit_trace(policy, result)
    amount = benefit.get("amount_fen") if status != INELIGIBLE else None
    amount_missing = _labelled(rs, benefit.get("unknown_inputs", [])) if status != INELIGIBLE else []
    return Assessment(
        policy_id=policy.id,
        as_of=as_of,
        status=status,
        amount_fen=amount,
        in_region=in_region,
        in_force=in_force,
        reasons=reasons,
        missing_inputs=missing_out,
        amount_missing=amount_missing,
        benefit=benefit,
        result=result,
        variables=dict(variables),
        bound_violations=odd,
    )


def _benefit_trace(policy: Policy, result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": policy.benefit_kind,
        "description": policy.benefit_description,
        "amount_is_maximum": policy.amount_is_maximum,
        "unit": policy.unit,
        "amount_rule": policy.amount_rule_text(),
        "amount_rule_kind": str(policy.amount_rule.get("kind", "none")),
        "unverified_parameters": [p.id for p in policy.parameters if p.unverified],
    }
    if not policy.monetary:
        return out
    from srdi.rules_engine.expr.nodes import variables as expr_vars
    from srdi.rules_engine.interpret import deciding_inputs, prepare

    rs = policy.rule_set
    assert policy.amount_var is not None
    f = rs.formulas[policy.amount_var]
    env = result.values
    used: dict[str, object] = {}
    stack = sorted(expr_vars(f.node))
    while stack:  # show the inputs and parameters the amount is computed from, through derived values
        name = stack.pop()
        if name in used:
            continue
        used[name] = env.get(name)
        g = rs.formulas.get(name)
        if g is not None and g.kind == "derived":
            stack.extend(sorted(expr_vars(g.node)))
    raw = env.get(policy.amount_var)
    out.update(
        {
            "expr": f.text,
            "label": f.label,
            "inputs": {
                k: (v if isinstance(v, int | str | bool) or v is None else str(v)) for k, v in used.items()
            },
            "shown": {k: fmt.show(v, rs.types.get(k)) for k, v in used.items()},
            "labels": {k: rs.labels.get(k, k) for k in used},
            "amount_fen": amount_fen(raw),
            "unknown_inputs": list(deciding_inputs(prepare(rs), env, policy.amount_var))
            if raw is None
            else [],
        }
    )
    return out


# --- batch (Polars): the same rule files on the embedded executor -------------------------------------------


def evaluate_policies_frame(
    frame: pl.DataFrame,
    policies: Sequence[Policy],
    as_of: date,
    *,
    key: str = "uscc",
    region_col: str = "region_code",
) -> pl.DataFrame:
    """Per policy ``<id>__status`` (eligible/unknown/ineligible) and ``<id>__amount_fen`` for every row.

    ``frame`` is a batch input table (``srdi.rules_engine.batch``) with the key and region columns added.
    Region scope and the effective window apply exactly as in ``assess_variables``.
    """
    lf = frame.lazy()
    outputs: list[pl.Expr] = []
    for policy in policies:
        rs = policy.rule_set
        prefix = policy.id + "__"
        plan = compile_polars(rs, prefix)
        lf = plan.apply(lf)
        names = column_names(rs, prefix)
        passed = pl.col(prefix + "pass")
        region_known = pl.col(region_col).is_not_null()
        in_region = pl.any_horizontal([pl.col(region_col).str.starts_with(p) for p in policy.region_codes])
        if not policy.in_force(as_of):
            status = pl.lit(INELIGIBLE)
        else:
            status = (
                pl.when(region_known & ~in_region)
                .then(pl.lit(INELIGIBLE))
                .when(passed.eq(False))
                .then(pl.lit(INELIGIBLE))
                .when(passed.is_null() | ~region_known)
                .then(pl.lit(UNKNOWN))
                .otherwise(pl.lit(ELIGIBLE))
            )
        outputs.append(status.alias(prefix + "status"))
        if policy.monetary:
            assert policy.amount_var is not None
            col = names[policy.amount_var]
            num, den = pl.col(col).cast(pl.Int128), pl.col(col + "__d").cast(pl.Int128)
            amount = (num // den).clip(lower_bound=0).cast(pl.Int64)
            outputs.append(
                pl.when(status != INELIGIBLE).then(amount).otherwise(None).alias(prefix + "amount_fen")
            )
        else:
            outputs.append(pl.lit(None, dtype=pl.Int64).alias(prefix + "amount_fen"))
    return lf.select([pl.col(key), *outputs]).collect()


# --- provenance of the inputs a decision used (PRODUCT C1, C3; QUALITY S5) ----------------------------------


def _prov(facts: Mapping[str, Any]) -> Mapping[str, Any]:
    p = facts.get("provenance")
    return p if isinstance(p, Mapping) else {}


def _record_sources(
    facts: Mapping[str, Any], name: str, where: Mapping[str, Any], as_of: date, *, exists: bool
) -> tuple[list[str], list[int]]:
    """Sources (and record ids) of the records an aggregate over ``facts[name]`` looked at."""
    from srdi.rules_engine.facts import _match

    records = facts.get(name)
    meta = _prov(facts).get("records", {}).get(name, [])
    if not isinstance(records, list):
        return [], []
    picked = []
    for i, r in enumerate(records):
        if isinstance(r, Mapping) and _match(r, where, as_of) is not False:
            m = meta[i] if i < len(meta) and isinstance(meta[i], Mapping) else {}
            picked.append((str(m.get("source") or SELF_REPORTED), m.get("id")))
    if exists and any(src in AUTHORITATIVE for src, _ in picked):
        # one vouched record proves existence; the self-reported ones add nothing to it
        picked = [(src, rid) for src, rid in picked if src in AUTHORITATIVE][:1]
    return [s for s, _ in picked], [int(rid) for _, rid in picked if rid is not None]


def input_provenance(policy: Policy, facts: Mapping[str, Any], as_of: date) -> dict[str, dict[str, Any]]:
    """For every input of the policy: the provenance kinds of the value(s) it reads and where they live.

    ``target`` names what a verification would check: a yearly figure, a policy answer, fact records or a
    profile field. A value whose provenance the facts do not state counts as self-reported (never vouched for).
    """
    prov = _prov(facts)
    prior = as_of.year - 1
    out: dict[str, dict[str, Any]] = {}
    for name, inp in policy.rule_set.inputs.items():
        src = inp.source or {}
        if "purpose" in src:
            continue
        kinds: list[str]
        target: dict[str, Any]
        if "yearly" in src or "yearly_sum" in src:
            figure = str(src.get("yearly") or src.get("yearly_sum"))
            years = (
                [prior - int(src["year"]) + 1]
                if "yearly" in src
                else [prior - k for k in range(int(src.get("years", 1)))]
            )
            yearly = prov.get("yearly", {})
            kinds = [str((yearly.get(str(y)) or {}).get(figure) or SELF_REPORTED) for y in years]
            target = {"kind": "yearly", "figure": figure, "fiscal_years": years}
        elif "fact" in src or not src:
            path = str(src.get("fact", name))
            head, _, rest = path.partition(".")
            if head == "policy_answers":
                kinds = [str(prov.get("policy_answers", {}).get(rest) or SELF_REPORTED)]
                target = {"kind": "answer", "key": rest, "fiscal_years": [0]}
            else:
                kinds = [str(prov.get("profile", {}).get(head) or SELF_REPORTED)]
                target = {"kind": "profile", "field": head}
        else:
            mode = next(m for m in ("count", "exists", "none", "max", "min", "max_full_years") if m in src)
            lst = str(src[mode])
            kinds, ids = _record_sources(facts, lst, src.get("where", {}), as_of, exists=mode == "exists")
            target = {"kind": "records", "list": lst, "ids": ids}
        out[name] = {"kinds": sorted(set(kinds)), "target": target}
    return out


def provenance_trace(
    policy: Policy, prov: Mapping[str, Mapping[str, Any]], a: Assessment
) -> list[dict[str, Any]]:
    """One entry per input the decision used (its value is known): label, value, provenance, whether it meets
    the policy's requirement. ``prov`` is ``input_provenance`` of the same facts. Unknown inputs decided
    nothing and are left out."""
    rs = policy.rule_set
    out = []
    for name in sorted(prov):
        value = a.variables.get(name)
        if value is None:
            continue
        info = prov[name]
        required = policy.provenance_required.get(name)
        kinds = info["kinds"]
        ok = required is None or all(k in required for k in kinds)
        shown = [LABELS_SHORT.get(k, k) for k in kinds]
        out.append(
            {
                "provenance_labels": shown,
                "input_id": name,
                "label": rs.labels.get(name, name),
                "type": rs.types[name].value if name in rs.types else "str",
                "value": value if isinstance(value, int | str | bool) else str(value),
                "shown": fmt.show(value, rs.types.get(name)),
                "provenance": kinds,
                "required": sorted(required) if required is not None else None,
                "satisfied": ok,
                "target": info["target"],
            }
        )
    return out
