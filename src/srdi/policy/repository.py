"""Queries of the policy domain (and the registry reads the push and the runs need)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.policy.models import (
    PolicyAnswer,
    PolicyMatch,
    PolicyVersion,
    PushState,
    VerificationRequest,
)


def versions(db: Session, key: str | None = None, status: str | None = None) -> list[PolicyVersion]:
    q: Select[Any] = select(PolicyVersion).order_by(PolicyVersion.policy_key, PolicyVersion.version)
    if key is not None:
        q = q.where(PolicyVersion.policy_key == key)
    if status is not None:
        q = q.where(PolicyVersion.status == status)
    return list(db.scalars(q).all())


def latest_version_number(db: Session, key: str) -> int:
    rows = versions(db, key)
    return max((v.version for v in rows), default=0)


def enterprise_ids_in(db: Session, region_prefixes: Sequence[str] | None) -> list[int]:
    q = select(Enterprise.id).order_by(Enterprise.id)
    if region_prefixes is not None:
        if not region_prefixes:
            return []
        q = q.where(or_(*[Enterprise.region_code.startswith(p) for p in region_prefixes]))
    return list(db.scalars(q).all())


def iter_enterprise_chunks(db: Session, ids: Sequence[int], size: int = 500) -> Iterator[list[Enterprise]]:
    for i in range(0, len(ids), size):
        yield enterprise_service.with_facts(db, ids[i : i + size])


def answers_of(db: Session, enterprise_ids: Sequence[int]) -> list[PolicyAnswer]:
    if not enterprise_ids:
        return []
    q = select(PolicyAnswer).where(PolicyAnswer.enterprise_id.in_(enterprise_ids)).order_by(PolicyAnswer.id)
    return list(db.scalars(q).all())


def answer(db: Session, enterprise_id: int, key: str, fiscal_year: int) -> PolicyAnswer | None:
    q = select(PolicyAnswer).where(
        PolicyAnswer.enterprise_id == enterprise_id,
        PolicyAnswer.key == key,
        PolicyAnswer.fiscal_year == fiscal_year,
    )
    return db.scalars(q).first()


def matches_of(db: Session, enterprise_id: int) -> list[PolicyMatch]:
    q = select(PolicyMatch).where(PolicyMatch.enterprise_id == enterprise_id).order_by(PolicyMatch.policy_key)
    return list(db.scalars(q).all())


def push_state(db: Session, enterprise_id: int) -> PushState | None:
    return db.get(PushState, enterprise_id)


def mark_all_dirty(db: Session) -> None:
    db.execute(update(PushState).values(dirty=True))


def dirty_enterprise_ids(db: Session, limit: int) -> list[int]:
    q = select(PushState.enterprise_id).where(PushState.dirty.is_(True)).order_by(PushState.enterprise_id)
    return list(db.scalars(q.limit(limit)).all())


def verification_requests_of(db: Session, enterprise_id: int, policy_key: str) -> list[VerificationRequest]:
    q = select(VerificationRequest).where(
        VerificationRequest.enterprise_id == enterprise_id, VerificationRequest.policy_key == policy_key
    )
    return list(db.scalars(q))


def verification_queue(
    db: Session, region_prefixes: Sequence[str] | None, status: str | None, limit: int = 500
) -> list[tuple[VerificationRequest, Enterprise]]:
    """Requests of the enterprises in the given regions (None = everywhere), oldest first."""
    q = select(VerificationRequest, Enterprise).join(
        Enterprise, Enterprise.id == VerificationRequest.enterprise_id
    )
    if region_prefixes is not None:
        if not region_prefixes:
            return []
        q = q.where(or_(*[Enterprise.region_code.startswith(p) for p in region_prefixes]))
    if status:
        q = q.where(VerificationRequest.status == status)
    q = q.order_by(VerificationRequest.created_at, VerificationRequest.id).limit(limit)
    return [(r, e) for r, e in db.execute(q).all()]


def pending_requests_of_enterprise(db: Session, enterprise_id: int) -> list[VerificationRequest]:
    q = select(VerificationRequest).where(
        VerificationRequest.enterprise_id == enterprise_id, VerificationRequest.status == "pending"
    )
    return list(db.scalars(q))


def pending_requests_of_policy(db: Session, policy_key: str) -> list[VerificationRequest]:
    q = select(VerificationRequest).where(
        VerificationRequest.policy_key == policy_key, VerificationRequest.status == "pending"
    )
    return list(db.scalars(q))


def requests_of_policy(db: Session, policy_key: str) -> list[VerificationRequest]:
    q = select(VerificationRequest).where(VerificationRequest.policy_key == policy_key)
    return list(db.scalars(q))
