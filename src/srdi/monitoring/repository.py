"""Aggregate queries over the registry (GROUP BY in the database; no rows are loaded into Python)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from srdi.enterprise.models import Enterprise, Recognition, YearlyFigure


def _where(region_prefix: str | None, scope_prefixes: list[str] | None) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = []
    if region_prefix:
        conds.append(Enterprise.region_code.startswith(region_prefix))
    if scope_prefixes is not None:
        conds.append(
            or_(*[Enterprise.region_code.startswith(p) for p in scope_prefixes])
            if scope_prefixes
            else false()
        )
    out: ColumnElement[bool] = true()
    for c in conds:
        out = out & c
    return out


def count_by_region(db: Session, region_prefix: str | None, scope: list[str] | None) -> dict[str, int]:
    q = (
        select(Enterprise.region_code, func.count())
        .where(_where(region_prefix, scope))
        .group_by(Enterprise.region_code)
    )
    return {code: n for code, n in db.execute(q).all()}


def count_by_industry_division(
    db: Session, region_prefix: str | None, scope: list[str] | None
) -> dict[str, int]:
    division = func.substr(Enterprise.industry_code, 1, 2)
    q = select(division, func.count()).where(_where(region_prefix, scope)).group_by(division)
    return {code: n for code, n in db.execute(q).all()}


def count_by_size_class(
    db: Session, region_prefix: str | None, scope: list[str] | None
) -> dict[str | None, int]:
    q = (
        select(Enterprise.size_class, func.count())
        .where(_where(region_prefix, scope))
        .group_by(Enterprise.size_class)
    )
    return {code: n for code, n in db.execute(q).all()}


def tier_counts_by_region(
    db: Session, region_prefix: str | None, scope: list[str] | None, as_of: date
) -> list[tuple[str, str, int]]:
    """(region_code, tier, enterprises holding a valid recognition of that tier on ``as_of``)."""
    q = (
        select(Enterprise.region_code, Recognition.tier, func.count(func.distinct(Enterprise.id)))
        .join(Recognition, Recognition.enterprise_id == Enterprise.id)
        .where(
            _where(region_prefix, scope),
            Recognition.status == "valid",
            Recognition.announced_date <= as_of,
            Recognition.valid_until >= as_of,
        )
        .group_by(Enterprise.region_code, Recognition.tier)
    )
    return [(r, t, n) for r, t, n in db.execute(q).all()]


def yearly_totals(
    db: Session, region_prefix: str | None, scope: list[str] | None, last_years: int
) -> list[tuple[int, int, int, int, int]]:
    """(fiscal_year, enterprises reporting revenue, Σ revenue fen, Σ R&D fen, Σ net profit fen), newest years."""
    q = select(
        YearlyFigure.fiscal_year,
        func.count(YearlyFigure.operating_revenue),
        func.coalesce(func.sum(YearlyFigure.operating_revenue), 0),
        func.coalesce(func.sum(YearlyFigure.rd_expense), 0),
        func.coalesce(func.sum(YearlyFigure.net_profit), 0),
    )
    if region_prefix or scope is not None:
        # The join costs most of this view's time; an unrestricted caller (administrator) does not need it.
        q = q.join(Enterprise, Enterprise.id == YearlyFigure.enterprise_id).where(
            _where(region_prefix, scope)
        )
    q = q.group_by(YearlyFigure.fiscal_year).order_by(YearlyFigure.fiscal_year.desc()).limit(last_years)
    rows = [(int(y), int(n), int(r or 0), int(d or 0), int(p or 0)) for y, n, r, d, p in db.execute(q).all()]
    return sorted(rows)
