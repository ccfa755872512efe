"""Rows for matchmaking tests: a chain leader and suppliers with products, IP and tiers."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.enterprise.models import Enterprise, IpItem, MainProduct, Recognition

_seq = count(1)


def new_uscc(region: str) -> str:
    base = "91" + region + f"{800000 + next(_seq):09d}"
    return base + uscc_std.calc_check_digit(base)


def enterprise(
    db: Session,
    name: str,
    *,
    region: str = "440305",
    industry: str = "3484",
    products: tuple[str, ...] = (),
    ip_titles: tuple[str, ...] = (),
    tier: str | None = None,
) -> Enterprise:
    e = Enterprise(
        uscc=new_uscc(region),
        name=name,
        region_code=region,
        industry_code=industry,
        tags=[],
        is_synthetic=True,
    )
    db.add(e)
    db.flush()
    for p in products:
        db.add(MainProduct(enterprise_id=e.id, name=p))
    for t in ip_titles:
        db.add(IpItem(enterprise_id=e.id, ip_type="invention_patent", ip_class=1, title=t))
    if tier:
        db.add(
            Recognition(
                enterprise_id=e.id,
                tier=tier,
                level="national" if tier == "little_giant" else "provincial",
                announced_date=date(2024, 7, 1),
                valid_until=date(2099, 6, 30),
                status="valid",
            )
        )
    db.flush()
    db.expire(e)
    return e


def suppliers(db: Session) -> dict[str, Enterprise]:
    """A leader in 南山 (robots) and four suppliers: two that fit a reducer challenge, two that do not."""
    return {
        "leader": enterprise(
            db, "深圳市链主机器人股份有限公司", industry="3491", products=("六轴工业机器人",)
        ),
        "harmonic": enterprise(
            db,
            "深圳市精传科技有限公司",
            region="440306",
            industry="3484",
            products=("谐波减速器", "机器人关节模组"),
            ip_titles=("一种谐波减速器柔轮结构", "一种谐波减速器装配检测方法", "一种机器人关节模组"),
            tier="little_giant",
        ),
        "planetary": enterprise(
            db,
            "东莞市行星传动有限公司",
            region="441900",
            industry="3453",
            products=("精密行星减速机",),
            ip_titles=("一种低背隙行星减速机",),
            tier="srdi_sme",
        ),
        "battery": enterprise(
            db, "重庆市储能电池有限公司", region="500112", industry="3841", products=("磷酸铁锂储能电芯",)
        ),
        "web": enterprise(db, "深圳市网站建设有限公司", industry="6513", products=("企业官网建设",)),
    }
