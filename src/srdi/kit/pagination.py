"""Page parameters shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")
U = TypeVar("U")

MAX_PAGE_SIZE = 200


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
