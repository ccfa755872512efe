"""Typed request parameters shared by the routers, declared once (``DbSession`` is in ``srdi.db.session``; the
enterprise a caller may see, ``VisibleEnterprise``, in ``srdi.enterprise.dependencies``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query

from srdi.kit.pagination import MAX_PAGE_SIZE

EnterpriseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="企业编号")]
AsOf = Annotated[date | None, Query(description="基准日 YYYY-MM-DD，默认今天")]
# A list endpoint's page; each endpoint keeps its own default page size (``page_size: PageSize = 20``).
PageNo = Annotated[int, Query(ge=1, le=100_000, description="页码")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="每页条数")]
