"""Registry rows for policy and 免申即享 tests (synthetic, valid USCCs)."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.enterprise.models import Enterprise, Recognition
from srdi.policy.models import PolicyAnswer

_seq = count(1)


def new_uscc(prefix: str = "91441900") -> str:
    base = prefix + f"{300000 + next(_seq):09d}"
    return base + uscc_std.calc_check_digit(base)


def enterprise(
    db: Session,
    *,
    region: str = "441900",
    name: str | None = None,
    little_giant: bool = False,
    provincial_srdi: bool = False,
    dg_innovative: bool | None = None,
    rd_deductible_yuan: str | None = None,
    rd_year: int = 2024,
    answer_source: str = "official_list",
    rd_source: str = "tax",
) -> Enterprise:
    """Answers default to authoritative provenance (科技局名单, 税务核定), as an official's import would record
    them; pass ``answer_source``/``rd_source="self_reported"`` for what an enterprise says about itself."""
    n = next(_seq)
    e = Enterprise(
        uscc=new_uscc("91" + region),
        name=name or f"政策测试企业{n}有限公司",
        region_code=region,
        industry_code="3562",
        tags=[],
        is_synthetic=True,
    )
    db.add(e)
    db.flush()
    if little_giant:
        db.add(
            Recognition(
                enterprise_id=e.id,
                tier="little_giant",
                level="national",
                announced_date=date(2023, 7, 1),
                valid_until=date(2026, 6, 30),
                status="valid",
                source="official_list",  # the 工信部 announcement, as an official's import records it
            )
        )
    if provincial_srdi:
        db.add(
            Recognition(
                enterprise_id=e.id,
                tier="srdi_sme",
                level="provincial",
                announced_date=date(2023, 1, 1),
                valid_until=date(2026, 1, 1),
                status="valid",
                source="official_list",
            )
        )
    if dg_innovative is not None:
        db.add(
            PolicyAnswer(
                enterprise_id=e.id,
                key="dg_innovative_enterprise",
                fiscal_year=0,
                value=dg_innovative,
                source=answer_source,
                updated_by="test",
            )
        )
    if rd_deductible_yuan is not None:
        db.add(
            PolicyAnswer(
                enterprise_id=e.id,
                key="rd_deductible_expense",
                fiscal_year=rd_year,
                value=rd_deductible_yuan,
                source=rd_source,
                updated_by="test",
            )
        )
    db.flush()
    db.refresh(e)
    return e
