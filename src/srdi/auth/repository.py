"""Queries of users, sessions, throttling counters and the audit log."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, column, delete, func, or_, select, table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from srdi.auth.models import AuditLog, LoginThrottle, User, UserSession

# What auth needs of the registry is the row user_account.enterprise_id points at: its id, name and region. A narrow
# view of that table (the one the foreign key names) instead of the registry's model keeps auth independent of
# the registry (decision 0018).
_ENTERPRISE = table(
    "enterprise", column("id", Integer), column("name", String), column("region_code", String)
)


def enterprise_name(db: Session, enterprise_id: int) -> str | None:
    """The registry's name of an enterprise, or None when no enterprise has that id."""
    return db.scalar(select(_ENTERPRISE.c.name).where(_ENTERPRISE.c.id == enterprise_id))


def enterprise_ids_in_region(db: Session, region_prefix: str | None, limit: int) -> list[int]:
    """The first ``limit`` enterprise ids (oldest first) whose region code starts with ``region_prefix``."""
    q = select(_ENTERPRISE.c.id).order_by(_ENTERPRISE.c.id).limit(limit)
    if region_prefix:
        q = q.where(_ENTERPRISE.c.region_code.startswith(region_prefix))
    return list(db.scalars(q))


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def normalize_username(username: str) -> str:
    """One account per name whatever its case or width: NFKC, trimmed, lower-case (stored and looked up so)."""
    return unicodedata.normalize("NFKC", username).strip().lower()


def get_user_by_username(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == normalize_username(username)))


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
    return db.get(LoginThrottle, key, populate_existing=True)


def ensure_throttle(db: Session, key: str, now: datetime) -> None:
    dialect = db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(LoginThrottle).values(key=key, failures=0, window_started_at=now)
    db.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))


def restart_throttle_window(db: Session, key: str, *, older_than: datetime, now: datetime) -> None:
    db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.window_started_at <= older_than)
        .values(failures=0, window_started_at=now, locked_until=None)
        .execution_options(synchronize_session=False)
    )


def increment_throttle(db: Session, key: str) -> int:
    return int(
        db.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(failures=LoginThrottle.failures + 1)
            .returning(LoginThrottle.failures)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    )


def clear_user_throttles(db: Session, username: str) -> None:
    """Forget the failures of ``username`` from every address (a reset password starts afresh)."""
    db.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.key.like("pair:%"), LoginThrottle.key.endswith("|" + username, autoescape=True))
        .execution_options(synchronize_session=False)
    )


def lock_throttle(db: Session, key: str, *, until: datetime) -> None:
    db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )


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


def purge_ended_sessions(db: Session, user_id: int, *, before: datetime) -> None:
    """Drop this user's sessions that expired or were revoked before ``before`` (the audit log keeps logins)."""
    db.execute(
        delete(UserSession)
        .where(
            UserSession.user_id == user_id,
            or_(UserSession.expires_at < before, UserSession.revoked_at < before),
        )
        .execution_options(synchronize_session=False)
    )


def purge_stale_throttles(db: Session, *, before: datetime, now: datetime) -> None:
    db.execute(
        delete(LoginThrottle)
        .where(
            LoginThrottle.window_started_at < before,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
        .execution_options(synchronize_session=False)
    )
