"""A small, exact registry for the browser tests: every figure a test asserts is set here.

Region 440305 (南山区) is the demo accounts' district (srdi.auth.enums.DEMO_REGION_DISTRICT); 440304 (福田区)
is the same city; 500103 (重庆市渝中区) is outside every Guangdong official's scope.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.enterprise import service
from srdi.enterprise.models import IpItem, Recognition
from srdi.enterprise.schemas import EnterpriseIn
from srdi.kit.workdays import beijing_today

NANSHAN, FUTIAN, YUZHONG = "440305", "440304", "500103"
FIRST_NAME = "深圳市南山示例精密科技有限公司"
NANSHAN_COUNT = 23  # more than one page of 20
FUTIAN_COUNT = 3
TODAY = beijing_today()
# Recognition dates relative to today, so "valid today" stays true whenever the suite runs.
ANNOUNCED = date(TODAY.year - 1, 3, 1)
VALID_UNTIL = date(TODAY.year + 2, 2, 28)
SRDI_UNTIL = date(TODAY.year + 2, 8, 31)


def make_uscc(n: int, region: str) -> str:
    body = f"91{region}MA5F{n:05d}"
    return body + uscc_std.calc_check_digit(body)


def _recognition(ent_id: int, tier: str, announced: date, until: date, status: str = "valid") -> Recognition:
    return Recognition(
        enterprise_id=ent_id,
        tier=tier,
        level="provincial" if tier != "little_giant" else "national",
        batch="2024年第一批",
        announced_date=announced,
        valid_until=until,
        status=status,
        document_no="粤工信融资函〔2024〕12号" if tier != "little_giant" else "工信厅企业函〔2024〕100号",
        source="self_reported",
    )


def seed(db: Session) -> dict[str, int]:
    """Create the test registry; returns ids by role in the tests."""
    ids: dict[str, int] = {}
    n = 0
    for region, count in ((NANSHAN, NANSHAN_COUNT), (FUTIAN, FUTIAN_COUNT), (YUZHONG, 1)):
        for i in range(count):
            n += 1
            name = FIRST_NAME if n == 1 else f"测试{region[-2:]}区第{i + 1:02d}号智能装备有限公司"
            ent = service.create(
                db,
                EnterpriseIn(
                    uscc=make_uscc(n, region),
                    name=name,
                    founded_date=date(2015, 3, 1),
                    region_code=region,
                    industry_code="3562" if n % 2 else "3911",
                    tags=["高新园区"] if n == 1 else [],
                    digital_level=3 if n == 1 else None,
                    own_brand=True if n == 1 else None,
                    contact_name="张三" if n == 1 else None,
                    contact_phone="13812345678" if n == 1 else None,
                    address="深圳市南山区科技园示例路1号" if n == 1 else None,
                ),
                actor="e2e-seed",
            )
            db.flush()
            if n == 1:
                ids["first"] = ent.id
            if region == YUZHONG:
                ids["outside"] = ent.id
            # Revenue 2,000,000 yuan + n × 1,000,000 for the later enterprises, so sizes and totals are exact.
            if n > 1:
                service.set_yearly_figures(
                    db,
                    ent,
                    2025,
                    {"operating_revenue": (2_000_000 + n * 1_000_000) * 100, "employees": 20 + n},
                    source="statistics",
                    actor="e2e-seed",
                )
    first = db.get(type(ent), ids["first"])
    assert first is not None
    figures = {
        2023: {
            "operating_revenue": 5_210_000_000,
            "rd_expense": 401_170_000,
            "net_profit": 310_000_000,
            "employees": 120,
            "rd_staff": 30,
        },
        2024: {
            "operating_revenue": 6_800_000_000,
            "rd_expense": 612_000_000,
            "net_profit": -123_456_789,
            "employees": 135,
            "rd_staff": 34,
        },
        # 86,000,000.00 yuan = 8,600.00 万元; R&D 7,542,000.00 yuan = 754.20 万元 (8.77 %).
        2025: {
            "operating_revenue": 8_600_000_000,
            "rd_expense": 754_200_000,
            "net_profit": 1_234_567_899,
            "total_assets": 12_345_678_901,
            "employees": 150,
            "rd_staff": 40,
        },
    }
    for year, values in figures.items():
        service.set_yearly_figures(db, first, year, values, source="audited_report", actor="e2e-seed")
    db.add(
        IpItem(
            enterprise_id=first.id,
            ip_type="invention_patent",
            ip_class=1,
            title="一种晶圆精密定位装置",
            number="ZL202310000001.X",
            granted_date=date(2024, 5, 20),
            source="self_reported",
        )
    )
    db.add(_recognition(first.id, "innovative_sme", ANNOUNCED, VALID_UNTIL))
    db.add(_recognition(first.id, "srdi_sme", ANNOUNCED, SRDI_UNTIL))
    # Two more 创新型 in 南山 and one in 福田; one expired 专精特新 that must not count.
    db.flush()
    others = db.query(type(first)).filter(type(first).id != first.id).order_by(type(first).id).all()
    db.add(_recognition(others[0].id, "innovative_sme", ANNOUNCED, VALID_UNTIL))
    db.add(_recognition(others[1].id, "innovative_sme", ANNOUNCED, VALID_UNTIL))
    expired_until = date(TODAY.year - 3, 2, 28)
    db.add(
        _recognition(others[2].id, "srdi_sme", date(TODAY.year - 6, 3, 1), expired_until, status="expired")
    )
    futian = [e for e in others if e.region_code == FUTIAN]
    db.add(_recognition(futian[0].id, "innovative_sme", ANNOUNCED, VALID_UNTIL))
    db.add(_recognition(futian[0].id, "little_giant", ANNOUNCED, VALID_UNTIL))
    db.flush()
    return ids
