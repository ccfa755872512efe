"""Queries of the registry."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, String, cast, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from srdi.enterprise.models import ChangeLog, Enterprise, Recognition, YearlyFigure
from srdi.kit.uscc import normalize_uscc
from srdi.kit.workdays import beijing_today

# Every relationship a facts document reads (service.facts_document), loaded eagerly for batches.
FACT_RELATIONS = (
    Enterprise.yearly_figures,
    Enterprise.ip_items,
    Enterprise.awards,
    Enterprise.honours,
    Enterprise.rd_institutions,
    Enterprise.certifications,
    Enterprise.niche_markets,
    Enterprise.main_products,
    Enterprise.compliance_records,
    Enterprise.recognitions,
)

SORTABLE = {
    "name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "id": Enterprise.id,
    "updated_at": Enterprise.updated_at,
}


@dataclass
class EnterpriseFilter:
    region_prefix: str | None = None
    region_scope: list[str] | None = None
    industry_prefix: str | None = None
    size_class: str | None = None
    tags: list[str] = field(default_factory=list)
    tier: str | None = None
    text: str | None = None
    enterprise_ids: list[int] | None = None
    as_of: date | None = None


def _filtered(flt: EnterpriseFilter) -> Select[Any]:
    q = select(Enterprise)
    if flt.region_prefix:
        q = q.where(Enterprise.region_code.startswith(flt.region_prefix))
    if flt.region_scope is not None:
        q = q.where(
            or_(*[Enterprise.region_code.startswith(p) for p in flt.region_scope])
            if flt.region_scope
            else false()
        )
    if flt.enterprise_ids is not None:
        q = q.where(Enterprise.id.in_(flt.enterprise_ids))
    if flt.industry_prefix:
        q = q.where(Enterprise.industry_code.startswith(flt.industry_prefix))
    if flt.size_class:
        q = q.where(Enterprise.size_class == flt.size_class)
    for tag in flt.tags:
        # Tags are a JSON list; its text form contains each tag quoted (on SQLite and PostgreSQL alike).
        q = q.where(cast(Enterprise.tags, String).contains(f'"{tag}"'))
    if flt.tier:
        as_of = flt.as_of or beijing_today()
        q = q.where(
            select(Recognition.id)
            .where(
                Recognition.enterprise_id == Enterprise.id,
                Recognition.tier == flt.tier,
                Recognition.status == "valid",
                Recognition.valid_until >= as_of,
            )
            .exists()
        )
    if flt.text:
        t = unicodedata.normalize("NFKC", flt.text).strip()
        # A code typed with grouping hyphens or spaces finds the stored (compact) code.
        q = q.where(or_(Enterprise.name.contains(t), Enterprise.uscc.startswith(normalize_uscc(t))))
    return q


def list_enterprises(
    db: Session,
    flt: EnterpriseFilter,
    *,
    page: int,
    page_size: int,
    sort: str = "id",
    descending: bool = False,
) -> tuple[list[Enterprise], int]:
    q = _filtered(flt)
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    col = SORTABLE.get(sort, Enterprise.id)
    q = q.order_by(col.desc() if descending else col.asc(), Enterprise.id)
    q = q.options(selectinload(Enterprise.recognitions))
    rows: list[Enterprise] = list(db.scalars(q.offset((page - 1) * page_size).limit(page_size)).all())
    return rows, total


def iter_enterprises(db: Session, flt: EnterpriseFilter, batch: int = 1000) -> Iterator[Enterprise]:
    q = _filtered(flt).order_by(Enterprise.id).options(selectinload(Enterprise.yearly_figures))
    yield from db.scalars(q.execution_options(yield_per=batch))


def get(db: Session, enterprise_id: int) -> Enterprise | None:
    return db.get(Enterprise, enterprise_id)


def get_by_uscc(db: Session, uscc: str) -> Enterprise | None:
    return db.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def ids_by_uscc(db: Session, usccs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(usccs), 500):
        chunk = usccs[i : i + 500]
        rows = db.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(chunk))).all()
        out.update({uscc: ent_id for uscc, ent_id in rows})
    return out


def yearly_figure(db: Session, enterprise_id: int, year: int) -> YearlyFigure | None:
    return db.scalar(
        select(YearlyFigure).where(
            YearlyFigure.enterprise_id == enterprise_id, YearlyFigure.fiscal_year == year
        )
    )


def history(db: Session, enterprise_id: int, *, page: int, page_size: int) -> tuple[list[ChangeLog], int]:
    base = select(ChangeLog).where(ChangeLog.enterprise_id == enterprise_id)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.scalars(
        base.order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def with_facts(db: Session, ids: Sequence[int]) -> list[Enterprise]:
    """The enterprises with every fact relationship loaded, in id order."""
    q = select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.id)
    return list(db.scalars(q.options(*[selectinload(rel) for rel in FACT_RELATIONS])).all())
