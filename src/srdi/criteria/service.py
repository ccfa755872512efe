"""Tier evaluation (梯度培育评价) of one enterprise: every tier in force on the as-of date, with trace and gap.

The engine is pure (srdi.rules_engine); this service chooses the rule sets by date, purpose and province,
feeds the registry's facts document, and stores what was decided with its inputs and rule-set hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from srdi.config import get_settings
from srdi.criteria.enums import Purpose
from srdi.criteria.exceptions import BadFacts, NoRegime, RuleSetNotFound
from srdi.criteria.models import Evaluation
from srdi.criteria.schemas import AssessmentOut, RuleSetSummary, TierAssessment
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.enums import Tier
from srdi.enterprise.models import Enterprise
from srdi.rules_engine import FactsError, Result, RuleSet, evaluate
from srdi.rules_engine.gap import gap_analysis
from srdi.rules_engine.regime import Regimes, Selection, load_regimes, select_regime

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
def load_rule_book(rules_dir: Path) -> RuleBook:
    from srdi.rules_engine import load_rule_sets

    return RuleBook(rules_dir, load_rule_sets(rules_dir), load_regimes(rules_dir))


def rule_book() -> RuleBook:
    return load_rule_book(get_settings().rules_dir)


def tier_label(tier: str) -> str:
    try:
        return Tier(tier).label
    except ValueError:
        return tier


def assess_tier(
    book: RuleBook,
    facts: Mapping[str, Any],
    tier: str,
    rule_set_id: str,
    as_of: date,
    purpose: str,
    note: str | None,
) -> TierAssessment:
    rs = book.get(rule_set_id)
    try:
        result = evaluate(facts, rs, as_of, purpose)
    except FactsError as exc:
        raise BadFacts(str(exc)) from exc
    sentences = [] if result.passed is True else gap_analysis(result, rs).sentences
    return TierAssessment(
        evaluation_id=None,
        tier=tier,
        tier_label=tier_label(tier),
        rule_set_id=rs.id,
        rule_set_title=rs.meta.title,
        content_hash=rs.content_hash,
        status=result.status,
        total=result.total,
        scores=dict(result.scores),
        needs_verification=list(result.needs_verification),
        deciding_inputs=list(result.deciding_inputs),
        note=note,
        gap=list(sentences),
        result=result.as_dict(),
        labels=_labels(rs, result),
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
    region = facts.get("region_code")
    sel = book.select(as_of, purpose.value, region if isinstance(region, str) else None)
    tiers = [
        assess_tier(book, facts, tier, sel.tiers[tier], as_of, purpose.value, sel.notes.get(tier))
        for tier in TIER_ORDER
        if tier in sel.tiers
    ]
    return AssessmentOut(as_of=as_of, purpose=purpose, regime=sel.regime, tiers=tiers)


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
            )
        )
    return out
