"""Demo accounts, one per role, and the ``srdi demo`` hook that makes them (srdi.demo.hooks.DEMO_HOOKS).

Kept out of service.py: they exist for demonstrations only, and finding their enterprises is the one place auth
looks at the registry (through srdi.auth.repository's narrow view of its table, decision 0018).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from srdi.auth import repository
from srdi.auth.enums import DEMO_REGION_CITY, DEMO_REGION_DISTRICT, DEMO_REGION_PROVINCE, AuditAction, Role
from srdi.auth.models import User
from srdi.auth.service import UserData, audit, create_user
from srdi.config import Settings, get_settings
from srdi.kit.errors import AppError


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    region_code: str | None = None
    department: str | None = None
    # Which registry enterprise an enterprise-bound account acts for: the n-th of the demo district.
    enterprise_rank: int | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-admin", "系统管理员（演示）", Role.admin),
    DemoAccount(
        "demo-province", "广东省工业和信息化厅（演示）", Role.provincial_official, DEMO_REGION_PROVINCE
    ),
    DemoAccount("demo-city", "深圳市中小企业服务局（演示）", Role.city_official, DEMO_REGION_CITY),
    DemoAccount(
        "demo-district", "南山区工业和信息化局（演示）", Role.district_official, DEMO_REGION_DISTRICT
    ),
    DemoAccount(
        "demo-commissioner", "南山区服务专员（演示）", Role.service_commissioner, DEMO_REGION_DISTRICT
    ),
    DemoAccount(
        "demo-handler",
        "责任单位经办人（演示）",
        Role.department_handler,
        department="深圳市地方金融监督管理局",
    ),
    DemoAccount("demo-expert", "评审专家（演示）", Role.expert),
    DemoAccount("demo-bank", "合作银行客户经理（演示）", Role.bank),
    DemoAccount("demo-enterprise", "企业用户（演示）", Role.enterprise, enterprise_rank=0),
    DemoAccount("demo-chain-leader", "链主企业（演示）", Role.chain_leader, enterprise_rank=1),
)


def _demo_enterprise_ids(db: Session, count: int) -> list[int]:
    """The first ``count`` registry enterprises, preferring the demo district, then its city, then anywhere."""
    ids: list[int] = []
    for prefix in (DEMO_REGION_DISTRICT, DEMO_REGION_CITY, None):
        found = repository.enterprise_ids_in_region(db, prefix, count)
        ids.extend(i for i in found if i not in ids)
        if len(ids) >= count:
            break
    return ids[:count]


def create_demo_accounts(db: Session, settings: Settings) -> list[tuple[User, bool]]:
    """One account per role, all with ``settings.demo_password``; existing ones are left alone (idempotent).

    Returns (user, created) pairs. Enterprise-bound accounts need registry enterprises: load the demo data
    first; without any enterprise they are skipped.
    """
    if not settings.demo_mode:
        raise AppError(
            "仅演示模式下可创建演示账号", "demo accounts need SRDI_DEMO_MODE=true", code="not_demo_mode"
        )
    ranks = [a.enterprise_rank for a in DEMO_ACCOUNTS if a.enterprise_rank is not None]
    enterprise_ids = _demo_enterprise_ids(db, max(ranks) + 1)
    out: list[tuple[User, bool]] = []
    for acc in DEMO_ACCOUNTS:
        enterprise_id = None
        if acc.enterprise_rank is not None:
            if acc.enterprise_rank >= len(enterprise_ids):
                continue
            enterprise_id = enterprise_ids[acc.enterprise_rank]
        existing = repository.get_user_by_username(db, acc.username)
        if existing is not None:
            if existing.is_demo and acc.enterprise_rank is not None and existing.enterprise_id is None:
                # `srdi demo --reset` removed its enterprise (the foreign key set it to NULL): bind it again.
                existing.enterprise_id = enterprise_id
                audit(
                    db,
                    None,
                    AuditAction.user_updated,
                    ("user", existing.id),
                    {"enterprise_id": enterprise_id},
                    username="demo",
                )
            out.append((existing, False))
            continue
        user = create_user(
            db,
            UserData(
                username=acc.username,
                display_name=acc.display_name,
                role=acc.role,
                password=settings.demo_password,
                region_code=acc.region_code,
                enterprise_id=enterprise_id,
                department=acc.department,
                is_demo=True,
            ),
            settings,
            actor=None,
        )
        out.append((user, True))
    return out


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    settings = get_settings()
    if not settings.demo_mode:
        return "未创建演示账号：SRDI_DEMO_MODE 未开启 / demo accounts skipped: demo mode is off"
    # A savepoint inside the command's transaction when there is one; otherwise the session's own transaction.
    # Either way commit() here makes the rows part of what the command commits.
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        accounts = create_demo_accounts(session, settings)
        session.commit()
    finally:
        session.close()
    created = sum(1 for _, new in accounts if new)
    return (
        f"演示账号 {len(accounts)} 个（新建 {created} 个），统一密码 {settings.demo_password} / "
        f"{len(accounts)} demo accounts ({created} new), password {settings.demo_password}"
    )
