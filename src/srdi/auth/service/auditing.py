"""The audit log: one row per change, export or unmasked read, written in the transaction of the act; its CSV."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from srdi.auth.enums import (
    AuditAction,
    Role,
    audit_action_label,
)
from srdi.auth.models import AuditLog, User
from srdi.auth.repository import AuditFilter as AuditFilter
from srdi.auth.repository import list_audit as list_audit
from srdi.auth.service.principal import Principal
from srdi.db.base import as_utc, utcnow


def _jsonable(detail: dict[str, Any] | None) -> dict[str, Any]:
    if not detail:
        return {}
    loaded: dict[str, Any] = json.loads(json.dumps(detail, default=str, ensure_ascii=False))
    return loaded


def audit(
    db: Session,
    actor: Principal | User | None,
    action: str | AuditAction,
    obj: tuple[str, object] | None = None,
    detail: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
    username: str | None = None,
) -> AuditLog:
    """Write one audit row in the caller's transaction: it commits or rolls back with the change itself."""
    user = actor.user if isinstance(actor, Principal) else actor
    if ip is None and isinstance(actor, Principal):
        ip = actor.ip
    row = AuditLog(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else username,
        role=user.role if user is not None else None,
        action=str(action),
        object_type=obj[0] if obj else None,
        object_id=str(obj[1]) if obj and obj[1] is not None else None,
        detail=_jsonable(detail),
        ip=ip,
    )
    db.add(row)
    return row


AUDIT_CSV_COLUMNS = (
    "时间（北京时间）",
    "操作人",
    "角色",
    "操作",
    "操作代码",
    "对象类型",
    "对象编号",
    "来源地址",
    "详情",
)
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection, OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def audit_csv(rows: list[AuditLog], total: int) -> str:
    """The audit rows as CSV text: Beijing time, role labels, details as JSON; every cell formula-safe."""
    import csv
    import io
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo("Asia/Shanghai")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_CSV_COLUMNS)
    for r in rows:
        role = Role(r.role).label if r.role and r.role in Role._value2member_map_ else r.role
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    as_utc(r.at).astimezone(beijing).strftime("%Y-%m-%d %H:%M:%S"),
                    r.username,
                    role,
                    audit_action_label(r.action),
                    r.action,
                    r.object_type,
                    r.object_id,
                    r.ip,
                    json.dumps(r.detail or {}, ensure_ascii=False, sort_keys=True),
                )
            ]
        )
    if total > len(rows):
        writer.writerow([_csv_cell(f"（仅导出前 {len(rows)} 行，共 {total} 行；请缩小查询范围）")])
    return out.getvalue()
