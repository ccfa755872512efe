"""Queries of 免申即享."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, false, func, or_, select, update
from sqlalchemy.orm import Session

from srdi.auto_grant.enums import OPEN_RUN
from srdi.auto_grant.models import Contest, Disbursement, DisbursementBatch, Grant, GrantEvent, GrantRun
from srdi.enterprise.models import Enterprise
from srdi.kit.pagination import in_ids, page_rows, under_prefixes


def grants_for(db: Session, policy_key: str, period: str) -> list[Grant]:
    q = select(Grant).where(Grant.policy_key == policy_key, Grant.period == period).order_by(Grant.id)
    return list(db.scalars(q).all())


def open_run(db: Session, policy_key: str, period: str) -> GrantRun | None:
    q = select(GrantRun).where(
        GrantRun.policy_key == policy_key, GrantRun.period == period, GrantRun.status.in_(OPEN_RUN)
    )
    return db.scalars(q.order_by(GrantRun.id)).first()


def open_runs(db: Session) -> list[GrantRun]:
    return list(db.scalars(select(GrantRun).where(GrantRun.status.in_(OPEN_RUN)).order_by(GrantRun.id)).all())


def take_lease(
    db: Session,
    run_id: int,
    *,
    seen_owner: str | None,
    owner: str | None,
    expires: datetime | None,
    status: str,
) -> bool:
    """Compare-and-swap the run's lease from the owner the caller saw: of two takers exactly one wins."""
    seen = GrantRun.lease_owner.is_(None) if seen_owner is None else GrantRun.lease_owner == seen_owner
    res = db.execute(
        update(GrantRun)
        .where(GrantRun.id == run_id, GrantRun.status.in_(OPEN_RUN), seen)
        .values(lease_owner=owner, lease_expires_at=expires, status=status)
        .execution_options(synchronize_session=False)
    )
    rows: int = res.rowcount  # type: ignore[attr-defined]
    return rows == 1


def renew_lease(db: Session, run_id: int, owner: str, expires: datetime) -> bool:
    res = db.execute(
        update(GrantRun)
        .where(GrantRun.id == run_id, GrantRun.lease_owner == owner, GrantRun.status == "running")
        .values(lease_expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    rows: int = res.rowcount  # type: ignore[attr-defined]
    return rows == 1


def run_event_counts(db: Session, run_id: int) -> dict[str, int]:
    """What a run changed, counted from its events (one per transition or amount change it wrote)."""
    e = GrantEvent
    kind = case(
        (e.from_status.is_(None), "new"),
        (e.from_status == e.to_status, "amount_changed"),
        (e.to_status == "withdrawn", "withdrawn"),
        else_="status_changed",
    )
    rows = db.execute(select(kind, func.count()).where(e.run_id == run_id).group_by(kind)).all()
    out = {"new": 0, "amount_changed": 0, "status_changed": 0, "withdrawn": 0}
    out.update({str(k): int(n) for k, n in rows})
    return out


def run_touched(db: Session, run_id: int) -> int:
    """Grants this run wrote an event for (the others it decided were unchanged)."""
    q = select(func.count(func.distinct(GrantEvent.grant_id))).where(GrantEvent.run_id == run_id)
    return int(db.scalar(q) or 0)


def decided_by(db: Session, run_id: int) -> int:
    return int(db.scalar(select(func.count()).select_from(Grant).where(Grant.run_id == run_id)) or 0)


def runs(db: Session, limit: int = 100) -> list[GrantRun]:
    return list(db.scalars(select(GrantRun).order_by(GrantRun.id.desc()).limit(limit)).all())


def run_grants(
    db: Session,
    policy_key: str,
    period: str,
    region_prefixes: Sequence[str] | None,
    status: str | None = None,
) -> list[tuple[Grant, Enterprise]]:
    q = (
        select(Grant, Enterprise)
        .join(Enterprise, Enterprise.id == Grant.enterprise_id)
        .where(Grant.policy_key == policy_key, Grant.period == period)
        .order_by(Grant.rank, Grant.id)
    )
    if status:
        q = q.where(Grant.status == status)
    rows = [(row[0], row[1]) for row in db.execute(q).all()]
    if region_prefixes is not None:
        rows = [(g, e) for g, e in rows if any(e.region_code.startswith(p) for p in region_prefixes)]
    return rows


def run_grants_page(
    db: Session,
    policy_key: str,
    period: str,
    region_prefixes: Sequence[str] | None,
    status: str | None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[Grant, Enterprise]], int]:
    """``run_grants`` as one page, the region scope a WHERE clause on the enterprise."""
    q = (
        select(Grant, Enterprise)
        .join(Enterprise, Enterprise.id == Grant.enterprise_id)
        .where(
            Grant.policy_key == policy_key,
            Grant.period == period,
            under_prefixes(Enterprise.region_code, region_prefixes),
        )
        .order_by(Grant.rank, Grant.id)
    )
    if status:
        q = q.where(Grant.status == status)
    return page_rows(db, q, page, page_size)


def runs_page(
    db: Session, policy_version_ids: Sequence[int] | None, page: int, page_size: int
) -> tuple[list[GrantRun], int]:
    """Runs newest first over the given policy versions (``None``: all)."""
    q = select(GrantRun).where(in_ids(GrantRun.policy_version_id, policy_version_ids))
    return page_rows(db, q.order_by(GrantRun.id.desc()), page, page_size)


def batches_page(
    db: Session, policy_keys: Sequence[str], page: int, page_size: int
) -> tuple[list[DisbursementBatch], int]:
    q = select(DisbursementBatch).where(
        DisbursementBatch.policy_key.in_(list(policy_keys)) if policy_keys else false()
    )
    return page_rows(db, q.order_by(DisbursementBatch.id.desc()), page, page_size)


def contests_page(
    db: Session,
    region_prefixes: Sequence[str] | None,
    enterprise_ids: Sequence[int] | None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[Contest, str]], int]:
    """Contests newest first with the objecting enterprise's name, in the caller's scope."""
    q = (
        select(Contest, Enterprise.name)
        .join(Enterprise, Enterprise.id == Contest.enterprise_id)
        .where(
            under_prefixes(Enterprise.region_code, region_prefixes),
            in_ids(Enterprise.id, enterprise_ids),
        )
        .order_by(Contest.id.desc())
    )
    return page_rows(db, q, page, page_size)


def grants_of_enterprise(db: Session, enterprise_id: int) -> list[Grant]:
    q = select(Grant).where(Grant.enterprise_id == enterprise_id).order_by(Grant.id.desc())
    return list(db.scalars(q).all())


def events_of(db: Session, grant_id: int) -> list[GrantEvent]:
    q = select(GrantEvent).where(GrantEvent.grant_id == grant_id).order_by(GrantEvent.id)
    return list(db.scalars(q).all())


def disbursement_of(db: Session, grant_id: int) -> Disbursement | None:
    return db.scalars(select(Disbursement).where(Disbursement.grant_id == grant_id)).first()


def pending_disbursements(
    db: Session, policy_key: str, period: str, limit: int
) -> list[tuple[Disbursement, Grant]]:
    q = (
        select(Disbursement, Grant)
        .join(Grant, Grant.id == Disbursement.grant_id)
        .where(Grant.policy_key == policy_key, Grant.period == period, Disbursement.batch_id.is_(None))
        .order_by(Disbursement.id)
        .limit(limit)
    )
    return [(d, g) for d, g in db.execute(q).all()]


def open_batch(db: Session, policy_key: str, period: str) -> DisbursementBatch | None:
    q = select(DisbursementBatch).where(
        DisbursementBatch.policy_key == policy_key,
        DisbursementBatch.period == period,
        DisbursementBatch.status == "open",
    )
    return db.scalars(q.order_by(DisbursementBatch.id)).first()


def last_batch(db: Session, policy_key: str, period: str) -> DisbursementBatch | None:
    q = select(DisbursementBatch).where(
        DisbursementBatch.policy_key == policy_key, DisbursementBatch.period == period
    )
    return db.scalars(q.order_by(DisbursementBatch.id.desc())).first()


def batches(db: Session, limit: int = 100) -> list[DisbursementBatch]:
    return list(
        db.scalars(select(DisbursementBatch).order_by(DisbursementBatch.id.desc()).limit(limit)).all()
    )


def batch_rows(db: Session, batch_id: int) -> list[tuple[Disbursement, Grant, Enterprise]]:
    q = (
        select(Disbursement, Grant, Enterprise)
        .join(Grant, Grant.id == Disbursement.grant_id)
        .join(Enterprise, Enterprise.id == Grant.enterprise_id)
        .where(Disbursement.batch_id == batch_id)
        .order_by(Disbursement.id)
    )
    return [(d, g, e) for d, g, e in db.execute(q).all()]


def contests(db: Session, enterprise_id: int | None = None, status: str | None = None) -> list[Contest]:
    q = select(Contest).order_by(Contest.id.desc())
    if enterprise_id is not None:
        q = q.where(Contest.enterprise_id == enterprise_id)
    if status is not None:
        q = q.where(Contest.status == status)
    return list(db.scalars(q).all())


def consented_grants(db: Session, region_prefixes: Sequence[str] | None) -> list[Grant]:
    """Grants confirmed by their enterprise (a payment deadline runs from then), in the caller's regions."""
    q = (
        select(Grant)
        .join(Enterprise, Enterprise.id == Grant.enterprise_id)
        .where(Grant.consented_at.is_not(None))
        .order_by(Grant.consented_at, Grant.id)
    )
    if region_prefixes is not None:
        q = q.where(or_(*[Enterprise.region_code.startswith(p) for p in region_prefixes], false()))
    return list(db.scalars(q))
