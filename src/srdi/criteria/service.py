"""Tier evaluation (梯度培育评价) of one enterprise: every tier in force on the as-of date, with trace and gap.

The engine is pure (srdi.rules_engine); this service chooses the rule sets by date, purpose and province,
feeds the registry's facts document, and stores what was decided with its inputs and rule-set hash.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy.orm import Session

from srdi.config import get_settings
from srdi.criteria.enums import Purpose
from srdi.criteria.exceptions import BadFacts, NoRegime, RuleSetNotFound
from srdi.criteria.models import Evaluation
from srdi.criteria.repository import evaluations_of as evaluations_of
from srdi.criteria.repository import results_page as results_page
from srdi.criteria.repository import runs as runs
from srdi.criteria.repository import runs_page as runs_page
from srdi.criteria.schemas import AssessmentOut, RuleReference, RuleSetSummary, TierAssessment
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.enums import Tier
from srdi.enterprise.models import Enterprise
from srdi.rules_engine import FactsError, Result, RuleSet, evaluate
from srdi.rules_engine.facts_check import validate_facts
from srdi.rules_engine.gap import gap_analysis
from srdi.rules_engine.regime import Regimes, Selection, check_regimes, load_regimes, select_regime
from srdi.rules_engine.schemas import TraceResult
from srdi.rules_engine.trace import Outcome

# Order in which tiers are shown: from the entry tier up (PRODUCT: 创新型 → 专精特新 → 小巨人).
TIER_ORDER = ("tech_sme", "innovative_sme", "tech_innovative_sme", "srdi_sme", "little_giant")


@dataclass(frozen=True)
class RuleBook:
    """Every rule set and the regime table, loaded once per rules directory."""

    rules_dir: Path
    rule_sets: dict[str, RuleSet]
    regimes: Regimes

    def select(self, as_of: date, purpose: str, region_code: str | None) -> Selection:
        try:
            return select_regime(
                self.regimes, as_of, purpose, region_code=region_code, rule_sets=self.rule_sets
            )
        except LookupError as exc:
            raise NoRegime(as_of.isoformat()) from exc

    def get(self, rule_set_id: str) -> RuleSet:
        try:
            return self.rule_sets[rule_set_id]
        except KeyError as exc:
            raise RuleSetNotFound(rule_set_id) from exc


@lru_cache(maxsize=4)
def load_rule_book(rules_dir: Path, readings: tuple[tuple[str, str], ...] = ()) -> RuleBook:
    from srdi.rules_engine import load_rule_sets

    rule_sets = load_rule_sets(rules_dir)
    regimes = load_regimes(rules_dir, dict(readings))
    check_regimes(regimes, rule_sets)
    return RuleBook(rules_dir, rule_sets, regimes)


# One load at a time: lru_cache does not stop concurrent misses, and the first requests after a start under load
# each loaded and validated every rule file (~2.6 s of CPU apiece under the GIL) — 64 concurrent self-assessments
# kept a fresh server answering nothing for minutes (benchmarks/p4_load.py). A hit holds the lock for microseconds.
_book_lock = threading.Lock()


def rule_book() -> RuleBook:
    settings = get_settings()
    with _book_lock:
        return load_rule_book(settings.rules_dir, tuple(sorted(settings.rule_readings.items())))


def tier_label(tier: str) -> str:
    try:
        return Tier(tier).label
    except ValueError:
        return tier


@dataclass(frozen=True)
class DerivedFact:
    """A fact the document lacked and the platform decided from its other facts, with how (for the trace)."""

    name: str
    value: str | None
    label: str  # the value as a person reads it
    explanation: str
    citation: dict[str, Any]
    fiscal_year: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "label": self.label,
            "explanation": self.explanation,
            "citation": self.citation,
            "fiscal_year": self.fiscal_year,
        }


def derive_size_class(facts: Mapping[str, Any], as_of: date) -> DerivedFact | None:
    """划型 for a document without ``size_class``, from the same 300号 table the registry uses.

    Uses the latest completed fiscal year (before the as-of year) that has any of 从业人员、营业收入、资产总额,
    as the registry does (enterprise.service.recompute_size_class). ``None`` when the document has its own.
    """
    from srdi.enterprise.size_class import default_table, explain
    from srdi.kit.reference import industries
    from srdi.rules_engine.expr.types import Type
    from srdi.rules_engine.facts import convert

    if facts.get("size_class") is not None:
        return None
    table = default_table()
    meta = table.meta
    citation = {
        "rule_file": str(meta.get("id", "")),
        "title": str(meta.get("title", "")),
        "instrument": str(meta.get("instrument", "")),
        "article": str(meta.get("article", "")),
        "url": str(meta.get("url", "")),
        "verification": str(meta.get("verification", "")),
    }
    code = facts.get("industry_code")
    if not isinstance(code, str) or code not in industries():
        why = "缺少行业代码" if code is None else f"行业代码 {code} 不在 GB/T 4754-2017 中"
        return DerivedFact("size_class", None, "无法划型", f"{why}，无法划型（企业规模未知）", citation, None)
    yearly = facts.get("yearly") or {}
    for year in sorted((int(y) for y in yearly), reverse=True):
        if year >= as_of.year:
            continue
        row = yearly.get(str(year), yearly.get(year)) or {}
        employees = convert(row.get("employees"), Type.INT)
        revenue = convert(row.get("operating_revenue"), Type.MONEY)
        assets = convert(row.get("total_assets"), Type.MONEY)
        if employees is None and revenue is None and assets is None:
            continue
        cls, _, text = explain(
            code,
            employees=employees,  # type: ignore[arg-type]
            operating_revenue_fen=revenue,  # type: ignore[arg-type]
            total_assets_fen=assets,  # type: ignore[arg-type]
            table=table,
        )
        return DerivedFact(
            "size_class",
            cls.value if cls else None,
            cls.label if cls else "无法判定",
            f"事实数据未给出企业规模，按{year}年度数据{text}",
            citation,
            year,
        )
    return DerivedFact(
        "size_class", None, "无法划型", "事实数据未给出企业规模，也没有可用于划型的年度数据", citation, None
    )


def _with_derived(result: dict[str, Any], derived: list[DerivedFact]) -> dict[str, Any]:
    """Show in the trace how each derived fact was decided, on every item that reads it."""
    if not derived:
        return result
    result["derived_facts"] = [d.as_dict() for d in derived]
    for item in result.get("items", []):
        for d in derived:
            if d.name in item.get("inputs", {}):
                item["shown"][d.name] = f"{d.label}（{d.explanation}；{d.citation['instrument']}）"
                item.setdefault("derivations", {})[d.name] = d.as_dict()
    return result


def assess_tier(
    book: RuleBook,
    facts: Mapping[str, Any],
    tier: str,
    rule_set_id: str,
    as_of: date,
    purpose: str,
    note: str | None,
    readings: list[str] | None = None,
    derived: list[DerivedFact] | None = None,
) -> TierAssessment:
    rs = book.get(rule_set_id)
    try:
        result = evaluate(facts, rs, as_of, purpose)
    except FactsError as exc:
        raise BadFacts(str(exc)) from exc
    sentences = [] if result.passed is True else gap_analysis(result, rs).sentences
    trace = _with_derived(result.as_dict(), derived or [])
    trace["selection_note"] = note
    trace["readings"] = list(readings or [])
    labels = _labels(rs, result)
    for r in book.regimes.readings:
        if r.id in (readings or []):
            labels[r.id] = f"{r.question}（本系统采用：{r.label}）"
    return TierAssessment(
        evaluation_id=None,
        tier=tier,
        tier_label=tier_label(tier),
        rule_set_id=rs.id,
        rule_set_title=rs.meta.title,
        content_hash=rs.content_hash,
        status=Outcome(result.status),
        total=result.total,
        scores=dict(result.scores),
        needs_verification=[*result.needs_verification, *(readings or [])],
        deciding_inputs=list(result.deciding_inputs),
        note=note,
        gap=list(sentences),
        result=cast(TraceResult, trace),
        labels=labels,
        category_max_points={c.id: c.max_points for c in rs.categories},
    )


def _labels(rs: RuleSet, result: Result) -> dict[str, str]:
    """Chinese names of the identifiers the UI shows: categories, indicators and every input or derived value."""
    names = dict(rs.labels)
    names.update({c.id: c.label for c in rs.categories})
    for key in (*result.scores, *result.deciding_inputs, *result.needs_verification):
        names.setdefault(key, key)
    return names


def assess_facts(
    facts: Mapping[str, Any], *, as_of: date, purpose: Purpose, book: RuleBook | None = None
) -> AssessmentOut:
    """Every tier in force on ``as_of`` for a facts document (registered or not)."""
    book = book or rule_book()
    try:
        validate_facts(facts)
    except FactsError as exc:
        raise BadFacts(str(exc)) from exc
    region = facts.get("region_code")
    sel = book.select(as_of, purpose.value, region if isinstance(region, str) else None)
    size = derive_size_class(facts, as_of)
    derived = [size] if size is not None else []
    if size is not None and size.value is not None:
        facts = {**facts, "size_class": size.value}
    tiers = [
        assess_tier(
            book,
            facts,
            tier,
            sel.tiers[tier],
            as_of,
            purpose.value,
            sel.notes.get(tier),
            sel.readings.get(tier, []),
            derived,
        )
        for tier in TIER_ORDER
        if tier in sel.tiers
    ]
    regime_label = next(r.label for r in book.regimes.regimes if r.id == sel.regime)
    return AssessmentOut(
        as_of=as_of, purpose=purpose, regime=sel.regime, regime_label=regime_label, tiers=tiers
    )


def self_assess(
    db: Session, ent: Enterprise, *, as_of: date, purpose: Purpose, actor: str, store: bool = True
) -> AssessmentOut:
    """Evaluate a registered enterprise and keep each tier's result with its inputs snapshot and trace."""
    facts = enterprise_service.facts_document(ent)
    out = assess_facts(facts, as_of=as_of, purpose=purpose)
    if not store:
        return out
    for t in out.tiers:
        row = Evaluation(
            enterprise_id=ent.id,
            tier=t.tier,
            rule_set_id=t.rule_set_id,
            rule_set_hash=t.content_hash,
            regime=out.regime,
            as_of_date=as_of,
            purpose=purpose.value,
            status=t.status,
            total=t.total,
            needs_verification=bool(t.needs_verification),
            inputs_snapshot=facts,
            result=t.result,
            gap={"sentences": t.gap},
            actor=actor,
        )
        db.add(row)
        db.flush()
        t.evaluation_id = row.id
    return out


def rule_set_summaries(book: RuleBook | None = None) -> list[RuleSetSummary]:
    book = book or rule_book()
    out = []
    for rs in sorted(book.rule_sets.values(), key=lambda r: (r.tier, r.id)):
        m = rs.meta
        out.append(
            RuleSetSummary(
                id=rs.id,
                tier=rs.tier,
                title=m.title,
                instrument=m.instrument,
                article=m.article,
                url=m.url,
                issuer=m.issuer,
                effective_from=m.effective_from,
                effective_to=m.effective_to,
                last_checked=m.last_checked,
                verification=m.verification,
                needs_verification=rs.citation.needs_verification,
                content_hash=rs.content_hash,
                path=rs.path,
                references=[RuleReference(**r.as_dict()) for r in m.references],
            )
        )
    return out
