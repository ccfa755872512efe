"""Queries of applications and review."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from srdi.application.models import (
    Application,
    ApplicationBatch,
    ApplicationEvent,
    EvidenceFile,
    Expert,
    ExpertAssignment,
    Objection,
)
from srdi.kit.pagination import page_rows


def batch_by_name(db: Session, name: str) -> ApplicationBatch | None:
    return db.scalars(select(ApplicationBatch).where(ApplicationBatch.name == name)).first()


def batches(db: Session) -> list[ApplicationBatch]:
    return list(
        db.scalars(select(ApplicationBatch).order_by(ApplicationBatch.open_date.desc(), ApplicationBatch.id))
    )


def application_of(db: Session, enterprise_id: int, batch_id: int) -> Application | None:
    return db.scalars(
        select(Application).where(
            Application.enterprise_id == enterprise_id, Application.batch_id == batch_id
        )
    ).first()


def applications(db: Session, *, status: str | None = None) -> list[Application]:
    q = select(Application).order_by(Application.id.desc())
    if status:
        q = q.where(Application.status == status)
    return list(db.scalars(q))


def applications_page(
    db: Session, where: Sequence[ColumnElement[bool]], page: int, page_size: int
) -> tuple[list[Application], int]:
    """One page of applications, newest first, narrowed in SQL by ``where`` (the caller's scope)."""
    q = select(Application).where(*where).order_by(Application.id.desc())
    rows, total = page_rows(db, q, page, page_size)
    return rows, total


def applications_of_batch(db: Session, batch_id: int) -> list[Application]:
    return list(
        db.scalars(select(Application).where(Application.batch_id == batch_id).order_by(Application.id))
    )


def applications_by_ids(db: Session, ids: Iterable[int]) -> list[Application]:
    return list(db.scalars(select(Application).where(Application.id.in_(list(ids)))))


def files_of(db: Session, application_id: int) -> list[EvidenceFile]:
    return list(
        db.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.application_id == application_id)
            .order_by(EvidenceFile.id)
        )
    )


def events_of(db: Session, application_id: int) -> list[ApplicationEvent]:
    return list(
        db.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.id)
        )
    )


def experts(db: Session) -> list[Expert]:
    return list(db.scalars(select(Expert).order_by(Expert.id)))


def expert_of_user(db: Session, user_id: int) -> Expert | None:
    return db.scalars(select(Expert).where(Expert.user_id == user_id)).first()


def assignments_of(db: Session, application_id: int) -> list[ExpertAssignment]:
    return list(
        db.scalars(
            select(ExpertAssignment)
            .where(ExpertAssignment.application_id == application_id)
            .order_by(ExpertAssignment.id)
        )
    )


def assignments_of_expert(db: Session, expert_id: int) -> list[ExpertAssignment]:
    return list(
        db.scalars(
            select(ExpertAssignment)
            .where(ExpertAssignment.expert_id == expert_id)
            .order_by(ExpertAssignment.id.desc())
        )
    )


def objections_of(db: Session, application_id: int) -> list[Objection]:
    return list(
        db.scalars(select(Objection).where(Objection.application_id == application_id).order_by(Objection.id))
    )
