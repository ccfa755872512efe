"""The public self-test: questions derived from the rule sets in force, answers turned into a facts document.

The questions are the inputs the rules engine reads (criteria rule sets selected for the date and region, and the
policy library's rule sets for the region), each with its Chinese label, unit and the tiers or policies that read
it. Inputs read from records (awards, certifications, compliance records …) become yes/no or number questions; the
answer is turned into records that match the input's own ``where`` clause, so the same rules decide as for a
registered enterprise. Nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from srdi.criteria import service as criteria_service
from srdi.criteria.enums import Purpose
from srdi.criteria.schemas import AssessmentOut
from srdi.enterprise.enums import LABELS
from srdi.kit.errors import AppError
from srdi.kit.reference import industries, regions
from srdi.policy import service as policy_service
from srdi.rules_engine.errors import FactsError
from srdi.rules_engine.model import Input, RuleSet
from srdi.rules_engine.policy import Policy, assess

# Size classification (划型) reads these three figures of the prior year and the industry (工信部联企业〔2011〕300号).
SIZE_FIGURES = ("employees", "operating_revenue", "total_assets")
MAX_ANSWERS = 300
MAX_COUNT = 200  # a count answer becomes that many records


class BadAnswers(AppError):
    status_code = 422
    code = "bad_self_test_answers"


@dataclass
class Question:
    key: str
    label: str
    unit: str
    type: str  # bool | int | money | number | str | date
    group: str  # basic | yearly | records | other
    choices: list[dict[str, str]] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    # How the answer enters the facts document (kept on the server; never shown to people).
    target: dict[str, Any] = field(default_factory=dict)

    def out(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": "万元" if self.type == "money" else self.unit,
            "type": self.type,
            "group": self.group,
            "choices": self.choices,
            "used_by": self.used_by,
        }


_CHOICE = re.compile(r"\b(\w+)\s*(?:==|in)\s*\(?((?:\s*\"[^\"]+\"\s*,?)+)\)?")


def _choice_label(rs: RuleSet, name: str, value: str, fact: str) -> str:
    own = rs.choice_labels.get(name, {})
    if value in own:
        return own[value]
    if fact == "industry_code" and value in industries():
        return industries()[value].name
    return LABELS.get(value, value)


def _choices(rs: RuleSet, name: str, fact: str = "") -> list[dict[str, str]]:
    """Every value a person may pick: the rule file's own ``choices:`` first (so 其他领域 is offered even when no
    formula names it — otherwise an enterprise in neither listed field had nothing to choose), then any value a
    formula compares with; each with its label, never the bare value."""
    values: list[str] = list(rs.choice_labels.get(name, {}))
    for f in rs.formulas.values():
        for m in _CHOICE.finditer(f.text):
            if m.group(1) == name:
                values += [v for v in re.findall(r"\"([^\"]+)\"", m.group(2)) if v not in values]
    return [{"value": v, "label": _choice_label(rs, name, v, fact)} for v in values]


_YEAR_WORDS = re.compile(r"^(上上年度|上年度|上年末|前第三年度|前年度|前年末|近三年)")
_CODES = re.compile(r"（[A-Za-z_ /]+）")  # "(key_chain_gap / …)": identifiers are not for people


def _people(label: str) -> str:
    return _CODES.sub("", label)


def _question(rs: RuleSet, name: str, inp: Input, as_of: date) -> list[Question]:
    def _year_label(k: int) -> str:
        return f"{as_of.year - k}年"

    src = dict(inp.source or {})
    t = inp.type.value
    if "purpose" in src:
        return []
    if "fact" in src:
        path = str(src["fact"])
        if path == "size_class" or path.startswith("tier_results."):
            return []  # 划型 is computed from the answers; tier results from the assessment
        # A province's own questions (local_answers.*, e.g. 山东 重点产业领域) are asked too: the province's rule set
        # needs them, and unasked they could only ever read 数据不足.
        group = "other"
        return [
            Question(
                f"fact:{path}",
                _people(inp.label),
                inp.unit,
                t,
                group,
                _choices(rs, name, path),
                target={"fact": path},
            )
        ]
    if "yearly" in src:
        k = int(src["year"])
        fig = str(src["yearly"])
        label = _YEAR_WORDS.sub("", inp.label)
        return [
            Question(
                f"yearly:{fig}:{k}",
                f"{_year_label(k)}{label}",
                inp.unit,
                t,
                "yearly",
                target={"yearly": fig, "year": k},
            )
        ]
    if "yearly_sum" in src:
        fig = str(src["yearly_sum"])
        return [
            Question(
                f"yearly:{fig}:{k}",
                f"{_year_label(k)}{_YEAR_WORDS.sub('', inp.label).replace('总额', '额')}",
                inp.unit,
                t,
                "yearly",
                target={"yearly": fig, "year": k},
            )
            for k in range(1, int(src["years"]) + 1)
        ]
    for mode in ("exists", "none", "count"):
        if mode in src:
            qtype = "int" if mode == "count" else "bool"
            return [
                Question(
                    f"records:{name}",
                    _people(inp.label),
                    inp.unit if mode == "count" else "",
                    qtype,
                    "records",
                    target={"records": str(src[mode]), "where": src.get("where", {}), "mode": mode},
                )
            ]
    for mode in ("max", "min"):
        if mode in src:
            return [
                Question(
                    f"records:{name}",
                    inp.label,
                    inp.unit,
                    t,
                    "records",
                    target={"records": str(src[mode]), "where": src.get("where", {}), "field": src["field"]},
                )
            ]
    if "max_full_years" in src:
        return [
            Question(
                f"records:{name}",
                f"{inp.label}（填写开始从事的日期）",
                "",
                "date",
                "records",
                target={
                    "records": str(src["max_full_years"]),
                    "where": src.get("where", {}),
                    "field": src["field"],
                },
            )
        ]
    return []


def _policies(region_code: str | None, as_of: date) -> list[Policy]:
    return [
        p
        for p in policy_service.library_files().values()
        if p.in_force(as_of) and region_code and p.in_region(region_code)
    ]


def questions(as_of: date, region_code: str | None) -> dict[str, Question]:
    """Every question the rules in force on ``as_of`` (and the region's policies) need, keyed, in a stable order."""
    book = criteria_service.rule_book()
    sel = book.select(as_of, Purpose.new_application.value, region_code)
    out: dict[str, Question] = {}
    for fig in SIZE_FIGURES:
        label = {"employees": "从业人员", "operating_revenue": "营业收入", "total_assets": "资产总额"}[fig]
        unit = "人" if fig == "employees" else "元"
        t = "int" if fig == "employees" else "money"
        out[f"yearly:{fig}:1"] = Question(
            f"yearly:{fig}:1",
            f"{as_of.year - 1}年{label}",
            unit,
            t,
            "yearly",
            used_by=["划型"],
            target={"yearly": fig, "year": 1},
        )
    sets: list[tuple[str, RuleSet]] = [
        (LABELS.get(tier, tier), book.rule_sets[rid]) for tier, rid in sel.tiers.items()
    ]
    sets += [(p.title, p.rule_set) for p in _policies(region_code, as_of)]
    for user, rs in sets:
        for name, inp in rs.inputs.items():
            for q in _question(rs, name, inp, as_of):
                have = out.setdefault(q.key, q)
                known = {c["value"] for c in have.choices}
                have.choices += [c for c in q.choices if c["value"] not in known]  # every rule set's values
                if user not in have.used_by:
                    have.used_by.append(user)
    order = {"basic": 0, "yearly": 1, "records": 2, "other": 3}
    return dict(sorted(out.items(), key=lambda kv: (order[kv[1].group], kv[0])))


def _record(where: Mapping[str, Any], as_of: date) -> dict[str, Any]:
    """A record that the ``where`` clause matches on ``as_of`` (see rules_engine.facts._match_one)."""
    rec: dict[str, Any] = {}
    recent = (as_of - timedelta(days=1)).isoformat()
    for key, cond in where.items():
        if key == "valid_on_as_of":
            start, _end = cond
            rec[start] = recent
        elif isinstance(cond, list):
            rec[key] = cond[0]
        elif isinstance(cond, Mapping):
            if "within_years" in cond:
                rec[key] = recent
            elif "max" in cond:
                rec[key] = cond["max"]
            elif "min" in cond:
                rec[key] = cond["min"]
        else:
            rec[key] = cond
    return rec


def _money_yuan(value: object, label: str) -> str:
    try:
        wan = Decimal(str(value))
    except InvalidOperation as exc:
        raise BadAnswers(f"{label}：应为以万元为单位的数字", f"{label}: not a number") from exc
    if not wan.is_finite() or abs(wan) > Decimal("1e9"):
        raise BadAnswers(f"{label}：金额超出范围", f"{label}: out of range")
    return format((wan * 10000).quantize(Decimal("0.01")), "f")


def facts_from_answers(
    answers: Mapping[str, Any], *, region_code: str | None, industry_code: str | None, as_of: date
) -> dict[str, Any]:
    """The facts document the answers describe: yearly figures in 元, facts, and records matching each rule."""
    if len(answers) > MAX_ANSWERS:
        raise BadAnswers("回答过多", "too many answers")
    if region_code is not None and region_code not in regions():
        raise BadAnswers("所在地区不在行政区划代码表中", f"unknown region {region_code}")
    if industry_code is not None and industry_code not in industries():
        raise BadAnswers("所属行业不在国民经济行业分类中", f"unknown industry {industry_code}")
    qs = questions(as_of, region_code)
    doc: dict[str, Any] = {"region_code": region_code, "industry_code": industry_code, "yearly": {}}
    for key, value in answers.items():
        q = qs.get(key)
        if q is None:
            raise BadAnswers("包含不认识的问题", f"unknown question {key[:80]}")
        if value is None or value == "":
            continue  # unanswered: the rules treat it as unknown and say what is missing
        v = _typed(q, value)
        tgt = q.target
        if "fact" in tgt:
            parts = str(tgt["fact"]).split(".")
            node = doc
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = v
        elif "yearly" in tgt:
            year = str(as_of.year - int(tgt["year"]))
            doc["yearly"].setdefault(year, {})[tgt["yearly"]] = v
        else:
            records = doc.setdefault(tgt["records"], [])
            if "field" in tgt:
                records.append({**_record(tgt["where"], as_of), tgt["field"]: v})
            elif tgt["mode"] == "count":
                records += [_record(tgt["where"], as_of) for _ in range(int(str(v)))]
            elif v is True:
                records.append(_record(tgt["where"], as_of))
    return doc


def _typed(q: Question, value: object) -> object:
    if q.type == "bool":
        if not isinstance(value, bool):
            raise BadAnswers(f"{q.label}：请选择是或否", f"{q.key}: not a boolean")
        return value
    if q.type == "money":
        return _money_yuan(value, q.label)
    if q.type == "int":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | str)
            or not str(value).lstrip("-").isdigit()
        ):
            raise BadAnswers(f"{q.label}：应为整数", f"{q.key}: not an integer")
        n = int(value)
        if n < 0 or n > (MAX_COUNT if q.group == "records" else 10**9):
            raise BadAnswers(f"{q.label}：数值超出范围", f"{q.key}: out of range")
        return n
    if q.type == "number":
        try:
            return float(Decimal(str(value)))
        except InvalidOperation as exc:
            raise BadAnswers(f"{q.label}：应为数字", f"{q.key}: not a number") from exc
    if q.type == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise BadAnswers(f"{q.label}：日期应为 YYYY-MM-DD", f"{q.key}: not a date") from exc
    text = str(value)[:100]
    if q.choices and text not in {c["value"] for c in q.choices}:
        raise BadAnswers(f"{q.label}：请从选项中选择", f"{q.key}: not an allowed value")
    return text


def assess_answers(
    answers: Mapping[str, Any], *, region_code: str | None, industry_code: str | None, as_of: date
) -> tuple[AssessmentOut, list[dict[str, Any]]]:
    """Every tier, and every policy of the region, evaluated on the answers."""
    doc = facts_from_answers(answers, region_code=region_code, industry_code=industry_code, as_of=as_of)
    tiers = criteria_service.assess_facts(doc, as_of=as_of, purpose=Purpose.new_application)
    with_results = {**doc, "tier_results": {t.tier: t.status for t in tiers.tiers if t.status != "unknown"}}
    out: list[dict[str, Any]] = []
    for p in _policies(region_code, as_of):
        try:
            a = assess(p, with_results, as_of)
        except FactsError:
            continue
        out.append(
            {
                "policy_key": p.id,
                "title": p.title,
                "status": a.status,
                "amount_fen": a.amount_fen,
                "amount_is_maximum": p.amount_is_maximum,
                "benefit_description": p.benefit_description,
                "reasons": a.reasons,
                "missing": [m["label"] for m in a.missing_inputs + a.amount_missing],
                "departments": list(p.departments),
            }
        )
    rank = {"eligible": 0, "unknown": 1, "ineligible": 2}
    out.sort(key=lambda m: (rank.get(str(m["status"]), 3), -int(m["amount_fen"] or 0)))
    return tiers, out
