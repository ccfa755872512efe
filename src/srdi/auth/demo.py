"""The ``srdi demo`` hook (srdi.demo.hooks.DEMO_HOOKS): one demo account per role after the demo enterprises."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from srdi.auth.service import create_demo_accounts
from srdi.config import get_settings


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
