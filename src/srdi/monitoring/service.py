"""Monitoring views: who is in the registry, by district, industry, tier and size class (PRODUCT C8)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from srdi.enterprise.enums import SizeClass, Tier
from srdi.kit import reference
from srdi.kit.money import fen_to_yuan
from srdi.monitoring import repository
from srdi.monitoring.schemas import (
    DistrictRow,
    DistrictSummary,
    IndustryCount,
    LabelledCount,
    RegionCount,
    YearTotal,
)

# Funnel order: from the broadest tier to the narrowest (GLOSSARY), then the related titles.
TIER_ORDER = [
    Tier.innovative_sme,
    Tier.srdi_sme,
    Tier.little_giant,
    Tier.tech_sme,
    Tier.tech_innovative_sme,
    Tier.single_champion,
]
YEARS_SHOWN = 5
INDUSTRIES_SHOWN = 20


def region_name(prefix: str | None) -> str:
    """Name of a 2/4/6-digit region prefix from the reference table; the prefix itself if unknown."""
    if not prefix:
        return "全部地区"
    if len(prefix) == 6 and (r := reference.region(prefix)):
        return r.full_name
    for r in reference.regions().values():
        if len(prefix) == 2 and r.province_code == prefix:
            return r.province_name
        if len(prefix) == 4 and r.city_code == prefix:
            return r.province_name + (r.city_name if r.city_name not in ("市辖区", "县") else "")
    return prefix


def _short_name(code: str) -> str:
    r = reference.region(code)
    return r.name if r else code


def regions(db: Session, scope: list[str] | None) -> list[RegionCount]:
    counts = repository.count_by_region(db, None, scope)
    return [
        RegionCount(code=code, name=region_name(code), short_name=_short_name(code), enterprises=n)
        for code, n in sorted(counts.items())
    ]


def industries(db: Session, scope: list[str] | None) -> list[IndustryCount]:
    counts = repository.count_by_industry_division(db, None, scope)
    out = []
    for code, n in counts.items():
        ind = reference.industry(code)
        out.append(
            IndustryCount(
                code=code, name=ind.name if ind else code, section=ind.section if ind else "", enterprises=n
            )
        )
    return sorted(out, key=lambda i: i.code)


def district_summary(
    db: Session, region_prefix: str | None, scope: list[str] | None, as_of: date
) -> DistrictSummary:
    by_region = repository.count_by_region(db, region_prefix, scope)
    # Each enterprise has one region, so the per-district counts add up to the totals: one query, not two.
    tiers: dict[str, int] = {}
    district_tiers: dict[str, dict[str, int]] = {}
    for code, tier, n in repository.tier_counts_by_region(db, region_prefix, scope, as_of):
        district_tiers.setdefault(code, {})[tier] = n
        tiers[tier] = tiers.get(tier, 0) + n
    sizes = repository.count_by_size_class(db, region_prefix, scope)
    industry_counts = repository.count_by_industry_division(db, region_prefix, scope)

    by_industry = []
    for code, n in sorted(industry_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:INDUSTRIES_SHOWN]:
        ind = reference.industry(code)
        by_industry.append(
            IndustryCount(
                code=code, name=ind.name if ind else code, section=ind.section if ind else "", enterprises=n
            )
        )
    size_rows = [LabelledCount(key=s.value, label=s.label, count=sizes.get(s.value, 0)) for s in SizeClass]
    size_rows.append(LabelledCount(key="unknown", label="数据不足", count=sizes.get(None, 0)))
    # Without a chosen region the view covers the user's whole jurisdiction: name it rather than "全部地区".
    shown = region_prefix or (scope[0] if scope and len(scope) == 1 else None)
    return DistrictSummary(
        as_of=as_of,
        region_code=shown,
        region_name=region_name(shown),
        total=sum(by_region.values()),
        by_tier=[LabelledCount(key=t.value, label=t.label, count=tiers.get(t.value, 0)) for t in TIER_ORDER],
        by_size_class=size_rows,
        by_district=[
            DistrictRow(code=code, name=_short_name(code), total=n, tiers=district_tiers.get(code, {}))
            for code, n in sorted(by_region.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        by_industry=by_industry,
        yearly=[
            YearTotal(
                fiscal_year=y,
                enterprises_reporting=n,
                operating_revenue=fen_to_yuan(rev),
                rd_expense=fen_to_yuan(rd),
                net_profit=fen_to_yuan(profit),
            )
            for y, n, rev, rd, profit in repository.yearly_totals(db, region_prefix, scope, YEARS_SHOWN)
        ],
    )
