"""Page parameters shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
    items: Sequence[T]
    total: int = Field(description="符合条件的记录总数")
    page: int = Field(description="页码，从 1 开始")
    page_size: int = Field(description="每页条数")
