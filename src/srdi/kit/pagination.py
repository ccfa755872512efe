"""Page parameters shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session

T = TypeVar("T")
U = TypeVar("U")

MAX_PAGE_SIZE = 200

Column = ColumnElement[Any] | QueryableAttribute[Any]


class Page(BaseModel, Generic[T]):
    items: Sequence[T]
    total: int = Field(description="符合条件的记录总数")
    page: int = Field(description="页码，从 1 开始")
    page_size: int = Field(description="每页条数")


def page_of(rows: Sequence[T], page: int, page_size: int, convert: Callable[[T], U] | None = None) -> Page[U]:
    """One page of a list already narrowed to the caller's scope, with the total; ``convert`` turns only the rows
    shown into their API shape (a list endpoint whose scope is checked row by row pages after that check)."""
    start = (page - 1) * page_size
    shown = rows[start : start + page_size]
    items = [convert(r) for r in shown] if convert else list(shown)
    return Page(items=items, total=len(rows), page=page, page_size=page_size)  # type: ignore[arg-type]


def page_rows(
    db: Session, stmt: Select[*tuple[Any, ...]], page: int, page_size: int
) -> tuple[list[Any], int]:
    """One page of ``stmt`` in SQL — COUNT over the filtered statement and LIMIT/OFFSET for the rows — so a page of
    a long list reads ``page_size`` rows, not all of them. ``stmt`` carries the caller's scope as its WHERE clause
    and a total order (ending in a unique column), so pages neither overlap nor skip a row."""
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if total == 0:
        return [], 0
    result = db.execute(stmt.offset((page - 1) * page_size).limit(page_size))
    single = len(stmt.column_descriptions) == 1
    rows = list(result.scalars()) if single else [tuple(r) for r in result.all()]
    return rows, int(total)


def under_prefixes(column: Column, prefixes: Sequence[str] | None) -> ColumnElement[bool]:
    """A region scope as SQL: ``column`` starts with one of ``prefixes``; ``None`` is no restriction and an empty
    scope matches nothing (the same answer as ``Scope.allows`` row by row)."""
    if prefixes is None:
        return true()
    return or_(false(), *[column.startswith(p) for p in prefixes])


def in_ids(column: Column, ids: Sequence[int] | None) -> ColumnElement[bool]:
    """An enterprise scope as SQL: ``None`` is no restriction, empty matches nothing."""
    if ids is None:
        return true()
    return column.in_(list(ids)) if ids else false()
