"""Enterprises with known tier outcomes for the criteria tests (CRITERIA §12 DV1 shape)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from srdi.enterprise.models import (
    ComplianceRecord,
    Enterprise,
    IpItem,
    MainProduct,
    NicheMarket,
    Recognition,
    YearlyFigure,
)
from srdi.enterprise.service import recompute_size_class

WAN = 1_000_000  # fen per 万元


def innovative_enterprise(
    db: Session,
    uscc: str,
    *,
    region_code: str = "440305",
    rd_wan: int = 56,
    name: str = "深圳市创新示例科技有限公司",
) -> Enterprise:
    """DV1: self-developed Ⅰ类 IP, R&D 4% of revenue, growth 12%, debt 60%, strategic emerging, share 80%."""
    ent = Enterprise(
        uscc=uscc,
        name=name,
        region_code=region_code,
        industry_code="3562",
        tags=[],
        independent_legal_person=True,
        restricted_product=False,
        founded_date=date(2015, 1, 1),
    )
    ent.yearly_figures += [
        YearlyFigure(fiscal_year=2022, operating_revenue=1000 * WAN, qualified_equity_raised=0, sources={}),
        YearlyFigure(
            fiscal_year=2023,
            operating_revenue=1250 * WAN,
            main_business_revenue=1000 * WAN,
            rd_expense=40 * WAN,
            total_assets=1000 * WAN,
            total_liabilities=600 * WAN,
            employees=60,
            rd_staff=10,
            qualified_equity_raised=0,
            sources={},
        ),
        YearlyFigure(
            fiscal_year=2024,
            operating_revenue=1400 * WAN,
            main_business_revenue=1120 * WAN,
            rd_expense=rd_wan * WAN,
            total_assets=1000 * WAN,
            total_liabilities=600 * WAN,
            employees=60,
            rd_staff=10,
            qualified_equity_raised=0,
            net_profit=100 * WAN,
            sources={},
        ),
    ]
    ent.ip_items.append(
        IpItem(
            ip_type="invention_patent",
            ip_class=1,
            title="一种精密装置",
            self_developed=True,
            high_value=False,
            related_to_main_product=True,
            in_use=True,
            granted_date=date(2022, 3, 1),
        )
    )
    ent.main_products.append(MainProduct(name="精密装置", strategic_emerging=True))
    ent.niche_markets.append(NicheMarket(description="精密装置", start_date=date(2016, 1, 1)))
    recompute_size_class(ent)
    db.add(ent)
    db.flush()
    return ent


def weak_enterprise(db: Session, uscc: str, *, region_code: str = "440306") -> Enterprise:
    """No IP, R&D 0.5%, shrinking revenue: fails 创新型 on the score."""
    ent = Enterprise(
        uscc=uscc,
        name="深圳市普通贸易有限公司",
        region_code=region_code,
        industry_code="3562",
        tags=[],
        independent_legal_person=True,
        restricted_product=False,
        founded_date=date(2018, 1, 1),
    )
    ent.yearly_figures += [
        YearlyFigure(fiscal_year=2022, operating_revenue=1000 * WAN, qualified_equity_raised=0, sources={}),
        YearlyFigure(
            fiscal_year=2023,
            operating_revenue=1000 * WAN,
            main_business_revenue=500 * WAN,
            rd_expense=5 * WAN,
            total_assets=1000 * WAN,
            total_liabilities=800 * WAN,
            employees=30,
            rd_staff=1,
            qualified_equity_raised=0,
            sources={},
        ),
        YearlyFigure(
            fiscal_year=2024,
            operating_revenue=900 * WAN,
            main_business_revenue=450 * WAN,
            rd_expense=int(4.5 * WAN),
            total_assets=1000 * WAN,
            total_liabilities=800 * WAN,
            employees=30,
            rd_staff=1,
            qualified_equity_raised=0,
            sources={},
        ),
    ]
    ent.main_products.append(MainProduct(name="贸易", strategic_emerging=False))
    recompute_size_class(ent)
    db.add(ent)
    db.flush()
    return ent


def holds(db: Session, ent: Enterprise, tier: str, announced: date, valid_until: date) -> None:
    ent.recognitions.append(
        Recognition(
            tier=tier, level="provincial", announced_date=announced, valid_until=valid_until, status="valid"
        )
    )
    db.flush()


def incident(db: Session, ent: Enterprise, kind: str, severity: str | None, occurred: date) -> None:
    ent.compliance_records.append(ComplianceRecord(kind=kind, severity=severity, occurred_date=occurred))
    db.flush()
