"""Queries of casework."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.casework.models import CommissionerAssignment, Visit
from srdi.enterprise.models import Enterprise


def enterprise_ids_of(db: Session, commissioner_id: int) -> list[int]:
    return list(
        db.scalars(
            select(CommissionerAssignment.enterprise_id)
            .where(CommissionerAssignment.commissioner_id == commissioner_id)
            .order_by(CommissionerAssignment.enterprise_id)
        ).all()
    )


def assignment_of(db: Session, enterprise_id: int) -> CommissionerAssignment | None:
    return db.get(CommissionerAssignment, enterprise_id)


def enterprises_matching(
    db: Session, region_prefix: str, industry_prefix: str | None, ids: Sequence[int] | None
) -> list[Enterprise]:
    stmt = select(Enterprise).where(Enterprise.region_code.startswith(region_prefix))
    if industry_prefix:
        stmt = stmt.where(Enterprise.industry_code.startswith(industry_prefix))
    if ids is not None:
        stmt = stmt.where(Enterprise.id.in_(list(ids)))
    return list(db.scalars(stmt.order_by(Enterprise.id)).all())


def enterprises(db: Session, ids: Sequence[int]) -> list[Enterprise]:
    if not ids:
        return []
    return list(
        db.scalars(select(Enterprise).where(Enterprise.id.in_(list(ids))).order_by(Enterprise.id)).all()
    )


def visits_of(db: Session, enterprise_id: int) -> list[Visit]:
    return list(
        db.scalars(
            select(Visit)
            .where(Visit.enterprise_id == enterprise_id)
            .order_by(Visit.visit_date.desc(), Visit.id.desc())
        ).all()
    )


def open_follow_ups(db: Session, commissioner_id: int) -> list[Visit]:
    return list(
        db.scalars(
            select(Visit)
            .where(Visit.commissioner_id == commissioner_id, Visit.follow_up_due_date.is_not(None))
            .order_by(Visit.follow_up_due_date)
        ).all()
    )
