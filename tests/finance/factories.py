"""Registry rows and banks for the financing tests (Dongguan enterprises: the lists' region is 4419)."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.enterprise.models import ComplianceRecord, Enterprise, Recognition, YearlyFigure
from srdi.finance.models import Bank, BankMember

_seq = count(1)


def new_uscc() -> str:
    base = "91441900" + f"{500000 + next(_seq):09d}"
    return base + uscc_std.calc_check_digit(base)


def bank(db: Session, code: str, name: str, region: str) -> Bank:
    b = Bank(code=code, name=name, region_code=region)
    db.add(b)
    db.flush()
    return b


def member(db: Session, user_id: int, b: Bank) -> None:
    db.add(BankMember(user_id=user_id, bank_id=b.id))
    db.flush()


def enterprise(
    db: Session,
    name: str,
    *,
    region: str = "441900",
    srdi: bool = True,
    little_giant: bool = False,
    size_class: str = "small",
    revenue_wan: int = 10000,
    revenue_prev_wan: int = 9000,
    rd_wan: int = 400,
    profit_wan: int = 600,
    assets_wan: int = 8000,
    liabilities_wan: int = 4000,
    blacklisted: bool = False,
) -> Enterprise:
    e = Enterprise(
        uscc=new_uscc(),
        name=name,
        region_code=region,
        industry_code="3562",
        size_class=size_class,
        tags=[],
        is_synthetic=True,
    )
    db.add(e)
    db.flush()
    wan = 1_000_000
    db.add(
        YearlyFigure(
            enterprise_id=e.id,
            fiscal_year=2025,
            operating_revenue=revenue_wan * wan,
            rd_expense=rd_wan * wan,
            net_profit=profit_wan * wan,
            total_assets=assets_wan * wan,
            total_liabilities=liabilities_wan * wan,
            sources={"operating_revenue": "tax", "rd_expense": "tax", "net_profit": "audited_report"},
        )
    )
    db.add(
        YearlyFigure(
            enterprise_id=e.id, fiscal_year=2024, operating_revenue=revenue_prev_wan * wan, sources={}
        )
    )
    for tier, flag in (("srdi_sme", srdi), ("little_giant", little_giant)):
        if flag:
            db.add(
                Recognition(
                    enterprise_id=e.id,
                    tier=tier,
                    level="provincial" if tier == "srdi_sme" else "national",
                    announced_date=date(2025, 1, 1),
                    valid_until=date(2028, 1, 1),
                    status="valid",
                    source="official_list",
                )
            )
    if blacklisted:
        db.add(
            ComplianceRecord(
                enterprise_id=e.id,
                kind="serious_dishonesty_list",
                occurred_date=date(2025, 3, 1),
                source="official_list",
            )
        )
    db.flush()
    db.expire(e)
    return e
