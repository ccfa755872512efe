"""Queries of the in-app inbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.notification.models import Notification


def notifications(db: Session, enterprise_id: int, limit: int = 100) -> list[Notification]:
    q = (
        select(Notification)
        .where(Notification.enterprise_id == enterprise_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.scalars(q).all())


def notification_exists(db: Session, enterprise_id: int, dedupe_key: str) -> bool:
    q = select(Notification.id).where(
        Notification.enterprise_id == enterprise_id, Notification.dedupe_key == dedupe_key
    )
    return db.scalars(q).first() is not None
