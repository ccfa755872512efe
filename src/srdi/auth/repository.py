"""Queries of users, sessions, throttling counters and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from srdi.auth.models import AuditLog, LoginThrottle, User, UserSession


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def get_user_by_username(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def list_users(
    db: Session, *, role: str | None = None, active: bool | None = None, page: int = 1, page_size: int = 50
) -> tuple[list[User], int]:
    q = select(User)
    if role:
        q = q.where(User.role == role)
    if active is not None:
        q = q.where(User.active == active)
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.scalars(q.order_by(User.id).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def get_session_by_hash(db: Session, token_hash: str) -> UserSession | None:
    return db.scalar(select(UserSession).where(UserSession.token_hash == token_hash))


def revoke_user_sessions(db: Session, user_id: int, at: datetime, *, except_id: int | None = None) -> int:
    q = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if except_id is not None:
        q = q.where(UserSession.id != except_id)
    result = db.execute(q.values(revoked_at=at).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def get_throttle(db: Session, key: str) -> LoginThrottle | None:
    return db.get(LoginThrottle, key)


@dataclass
class AuditFilter:
    action: str | None = None
    username: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit(db: Session, flt: AuditFilter, *, page: int, page_size: int) -> tuple[list[AuditLog], int]:
    q = select(AuditLog)
    if flt.action:
        q = q.where(AuditLog.action.startswith(flt.action))
    if flt.username:
        q = q.where(AuditLog.username == flt.username)
    if flt.object_type:
        q = q.where(AuditLog.object_type == flt.object_type)
    if flt.object_id:
        q = q.where(AuditLog.object_id == flt.object_id)
    if flt.since:
        q = q.where(AuditLog.at >= flt.since)
    if flt.until:
        q = q.where(AuditLog.at < flt.until)
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.scalars(
        q.order_by(AuditLog.at.desc(), AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), total
