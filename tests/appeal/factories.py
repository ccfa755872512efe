"""Rows for appeals tests: enterprises, the catalogue, handlers and appeals at a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.appeal import service
from srdi.appeal.enums import Channel
from srdi.auth.models import User
from srdi.enterprise.models import Enterprise

_seq = count(1)

# Tuesday 2026-03-03 10:00 Beijing: a plain working week (no holiday until 清明 on 2026-04-04).
MONDAY_MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def new_uscc(prefix: str = "91440305") -> str:
    base = prefix + f"{500000 + next(_seq):09d}"
    return base + uscc_std.calc_check_digit(base)


def enterprise(db: Session, region: str = "440305", name: str | None = None) -> Enterprise:
    n = next(_seq)
    e = Enterprise(
        uscc=new_uscc("91" + region),
        name=name or f"诉求测试企业{n}有限公司",
        region_code=region,
        industry_code="3562",
        tags=[],
        is_synthetic=True,
    )
    db.add(e)
    db.flush()
    return e


def catalogue(db: Session) -> None:
    service.ensure_catalogue(db)


def appeal(
    db: Session,
    ent: Enterprise,
    actor: User,
    *,
    title: str = "申请贴息贷款",
    content: str = "我司计划向银行贷款500万元用于购置设备，想了解专精特新企业贷款贴息政策和申请流程。",
    category_key: str | None = "financing",
    at: datetime = TUESDAY,
):
    catalogue(db)
    return service.file_appeal(
        db,
        ent,
        service.AppealData(title=title, content=content, category_key=category_key, channel=Channel.web),
        actor=actor,
        now=at,
    )
