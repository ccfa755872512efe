"""动态管理（有进有出）: who enters, who is at risk, whose title expires, who is to be revoked.

Validity, update deadlines and revocation conditions come from ``rules/dynamic_management.yaml`` (CRITERIA §7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from srdi.config import get_settings
from srdi.criteria import repository
from srdi.criteria.enums import DynamicCategory
from srdi.criteria.models import BatchRun
from srdi.criteria.schemas import DynamicEntry, DynamicManagementOut
from srdi.criteria.service import tier_label
from srdi.enterprise.models import Enterprise, Recognition

CONFIG_FILE = "dynamic_management.yaml"
# Tiers that are recognised by announcement and can expire or be revoked.
RECOGNISED = ("innovative_sme", "srdi_sme", "little_giant", "tech_sme")


@dataclass(frozen=True)
class DynamicRules:
    data: dict[str, Any]

    def regime(self, regime: str | None) -> dict[str, Any]:
        regimes: dict[str, dict[str, Any]] = self.data["regimes"]
        return regimes.get(regime or "", regimes["regime_2022"])

    def update_deadline(self, regime: str | None, year: int) -> date:
        month, day = (int(x) for x in str(self.regime(regime)["annual_update"]["deadline"]).split("-"))
        return date(year, month, day)

    def revokes(self, kind: str, severity: str | None) -> bool:
        for k in self.data["revocation"]["kinds"]:
            if k["kind"] == kind and ("severity" not in k or severity in k["severity"]):
                return True
        return False


@lru_cache(maxsize=4)
def load_dynamic_rules(rules_dir: Path) -> DynamicRules:
    return DynamicRules(yaml.safe_load((rules_dir / CONFIG_FILE).read_text(encoding="utf-8")))


def dynamic_rules() -> DynamicRules:
    return load_dynamic_rules(get_settings().rules_dir)


def _entry(
    ent: Enterprise, tier: str, reason: str, valid_until: date | None = None, cite: str | None = None
) -> DynamicEntry:
    return DynamicEntry(
        enterprise_id=ent.id,
        uscc=ent.uscc,
        name=ent.name,
        region_code=ent.region_code,
        tier=tier,
        reason=reason,
        valid_until=valid_until,
        citation=cite,
    )


def dynamic_management(
    db: Session, run: BatchRun, *, within_days: int, region_scope: list[str] | None
) -> DynamicManagementOut:
    rules = dynamic_rules()
    as_of = run.as_of_date
    results = repository.results_by_enterprise(db, run.id)
    q = (
        select(Enterprise)
        .where(Enterprise.id.in_(list(results)))
        .options(
            selectinload(Enterprise.recognitions),
            selectinload(Enterprise.compliance_records),
            selectinload(Enterprise.yearly_figures),
        )
    )
    revocation = rules.data["revocation"]
    regime = rules.regime(run.regime)
    deadline = rules.update_deadline(run.regime, as_of.year)
    out = DynamicManagementOut(
        as_of=as_of,
        within_days=within_days,
        newly_eligible=[],
        at_risk=[],
        expiring=[],
        to_be_revoked=[],
        update_overdue=[],
    )
    for ent in db.scalars(q).all():
        if region_scope is not None and not any(ent.region_code.startswith(p) for p in region_scope):
            continue
        held = {r.tier: r for r in ent.recognitions if _valid(r, as_of)}
        for tier, res in results.get(ent.id, {}).items():
            if tier not in RECOGNISED:
                continue
            rec = held.get(tier)
            if res.status == "pass" and rec is None:
                out.newly_eligible.append(
                    _entry(ent, tier, f"按{as_of}数据达到{tier_label(tier)}标准，尚未认定")
                )
            elif rec is not None and res.status != "pass":
                state = "未达到" if res.status == "fail" else "数据不足以判定是否达到"
                out.at_risk.append(
                    _entry(ent, tier, f"持有{tier_label(tier)}称号，但按现行标准{state}", rec.valid_until)
                )
        for tier, rec in held.items():
            if rec.valid_until <= as_of + timedelta(days=within_days):
                out.expiring.append(
                    _entry(
                        ent,
                        tier,
                        f"{tier_label(tier)}称号将于{rec.valid_until}到期，需复核",
                        rec.valid_until,
                        f"有效期{regime['validity_years']}年",
                    )
                )
            hit = next(
                (
                    c
                    for c in ent.compliance_records
                    if rules.revokes(c.kind, c.severity) and rec.announced_date <= c.occurred_date <= as_of
                ),
                None,
            )
            if hit is not None:
                out.to_be_revoked.append(
                    _entry(
                        ent,
                        tier,
                        f"有效期内发生{_kind_label(hit.kind)}（{hit.occurred_date}），应撤销认定，"
                        f"{revocation['ban_years']}年内不得再次申报",
                        rec.valid_until,
                        f"{revocation['article']}（{revocation['verification']}）",
                    )
                )
            if as_of > deadline and not any(f.fiscal_year == as_of.year - 1 for f in ent.yearly_figures):
                out.update_overdue.append(
                    _entry(
                        ent,
                        tier,
                        f"未在{deadline}前更新{as_of.year - 1}年度数据：{regime['annual_update']['consequence']}",
                        rec.valid_until,
                        f"{regime['instrument']}（{regime['annual_update']['verification']}）",
                    )
                )
    return out


def _valid(rec: Recognition, as_of: date) -> bool:
    return rec.status == "valid" and rec.announced_date <= as_of <= rec.valid_until


def _kind_label(kind: str) -> str:
    from srdi.enterprise.enums import LABELS

    return LABELS.get(kind, kind)


def paged(
    full: DynamicManagementOut, category: DynamicCategory | None, page: int, page_size: int
) -> DynamicManagementOut:
    """One page of each list (or of ``category`` only, the others empty), with every list's total: 动态管理 of a
    whole city runs to hundreds of rows (issue 15.3)."""
    start = (page - 1) * page_size
    lists = {c.value: getattr(full, c.value) for c in DynamicCategory}
    shown = {
        k: (v[start : start + page_size] if category is None or category.value == k else [])
        for k, v in lists.items()
    }
    return full.model_copy(
        update={
            **shown,
            "totals": {k: len(v) for k, v in lists.items()},
            "page": page,
            "page_size": page_size,
        }
    )
