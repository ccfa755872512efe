"""Queries of tier evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from srdi.criteria.models import BatchResult, BatchRun, Evaluation
from srdi.enterprise.models import Enterprise
from srdi.kit.pagination import page_rows, under_prefixes


def scoped_enterprise_ids(db: Session, region_prefix: str | None) -> list[int]:
    q = select(Enterprise.id).order_by(Enterprise.id)
    if region_prefix:
        q = q.where(Enterprise.region_code.startswith(region_prefix))
    return list(db.scalars(q).all())


def scoped_enterprise_count(db: Session, region_prefix: str | None) -> int:
    q = select(func.count()).select_from(Enterprise)
    if region_prefix:
        q = q.where(Enterprise.region_code.startswith(region_prefix))
    return db.scalar(q) or 0


def id_ranges(db: Session, region_prefix: str | None, size: int) -> list[tuple[int, int]]:
    """Consecutive id ranges of ``size`` enterprises each (keyset paging on the primary key)."""
    out: list[tuple[int, int]] = []
    last = None
    while True:
        q = select(Enterprise.id).order_by(Enterprise.id)
        if region_prefix:
            q = q.where(Enterprise.region_code.startswith(region_prefix))
        if last is not None:
            q = q.where(Enterprise.id > last)
        lo = db.scalar(q.limit(1))
        if lo is None:
            return out
        hi = db.scalar(q.offset(size - 1).limit(1))
        if hi is None:
            hi = db.scalar(select(func.max(Enterprise.id)))
        assert hi is not None
        out.append((lo, hi))
        last = hi


def evaluations_of(db: Session, enterprise_id: int, *, limit: int = 50) -> list[Evaluation]:
    q = (
        select(Evaluation)
        .where(Evaluation.enterprise_id == enterprise_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(limit)
    )
    return list(db.scalars(q).all())


def runs(db: Session, *, region_scope: Sequence[str] | None, limit: int = 50) -> list[BatchRun]:
    q: Select[Any] = select(BatchRun).order_by(BatchRun.id.desc()).limit(limit)
    rows = list(db.scalars(q).all())
    if region_scope is None:
        return rows
    # A scoped official sees the runs over their own region (or a part of it).
    return [r for r in rows if r.region_prefix and any(r.region_prefix.startswith(p) for p in region_scope)]


def runs_page(
    db: Session, *, region_scope: Sequence[str] | None, page: int, page_size: int
) -> tuple[list[BatchRun], int]:
    """``runs`` as one page in SQL: a scoped official sees the runs over their own region (or a part of it)."""
    q: Select[Any] = select(BatchRun)
    if region_scope is not None:
        q = q.where(BatchRun.region_prefix.is_not(None), under_prefixes(BatchRun.region_prefix, region_scope))
    return page_rows(db, q.order_by(BatchRun.id.desc()), page, page_size)


def results_page(
    db: Session,
    run_id: int,
    *,
    tier: str | None,
    status: str | None,
    region_scope: Sequence[str] | None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[BatchResult, Enterprise]], int]:
    q = select(BatchResult, Enterprise).join(Enterprise, Enterprise.id == BatchResult.enterprise_id)
    q = q.where(BatchResult.batch_run_id == run_id)
    if tier:
        q = q.where(BatchResult.tier == tier)
    if status:
        q = q.where(BatchResult.status == status)
    if region_scope is not None:
        q = q.where(_in_scope(region_scope))
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.execute(
        q.order_by(Enterprise.id, BatchResult.tier).offset((page - 1) * page_size).limit(page_size)
    )
    return [(r, e) for r, e in rows.all()], total


def _in_scope(region_scope: Sequence[str]) -> ColumnElement[bool]:
    if not region_scope:
        return false()
    return or_(*[Enterprise.region_code.startswith(p) for p in region_scope])


def seed_candidates(
    db: Session, run_id: int, tier: str, limit: int, region_scope: Sequence[str] | None
) -> list[tuple[BatchResult, Enterprise]]:
    """Enterprises that did not reach ``tier``, nearest first: fewest failed conditions, then highest score."""
    q = (
        select(BatchResult, Enterprise)
        .join(Enterprise, Enterprise.id == BatchResult.enterprise_id)
        .where(BatchResult.batch_run_id == run_id, BatchResult.tier == tier, BatchResult.status != "pass")
        .order_by(
            BatchResult.conditions_failed,
            BatchResult.conditions_unknown,
            BatchResult.points_short.asc().nulls_last(),
            BatchResult.total.desc().nulls_last(),
            Enterprise.id,
        )
        .limit(limit)
    )
    if region_scope is not None:
        q = q.where(_in_scope(region_scope))
    return [(r, e) for r, e in db.execute(q).all()]


def results_by_enterprise(db: Session, run_id: int) -> dict[int, dict[str, BatchResult]]:
    out: dict[int, dict[str, BatchResult]] = {}
    for r in db.scalars(select(BatchResult).where(BatchResult.batch_run_id == run_id)):
        out.setdefault(r.enterprise_id, {})[r.tier] = r
    return out
