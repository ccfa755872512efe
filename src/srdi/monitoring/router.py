"""HTTP endpoints of the monitoring views under /api/v1/monitoring (officials and administrators)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import Role
from srdi.auth.service import Principal
from srdi.db.session import DbSession
from srdi.kit.workdays import beijing_today
from srdi.monitoring import service
from srdi.monitoring.schemas import DistrictSummary, IndustryCount, RegionCount

router = APIRouter(prefix="/monitoring", tags=["监测评价 monitoring"])
Official = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.district_official,
            Role.city_official,
            Role.provincial_official,
            Role.service_commissioner,
            Role.admin,
        )
    ),
]


def _scope(principal: Principal) -> list[str] | None:
    prefixes = principal.scope.region_prefixes
    return None if prefixes is None else list(prefixes)


@router.get("/regions", response_model=list[RegionCount], summary="本辖区内有企业的区县及企业数（筛选项）")
def list_regions(db: DbSession, principal: Official) -> list[RegionCount]:
    return service.regions(db, _scope(principal))


@router.get(
    "/industries", response_model=list[IndustryCount], summary="本辖区内企业所属行业大类及企业数（筛选项）"
)
def list_industries(db: DbSession, principal: Official) -> list[IndustryCount]:
    return service.industries(db, _scope(principal))


@router.get(
    "/district-summary", response_model=DistrictSummary, summary="区县看板：称号、规模、区县、行业、年度合计"
)
def district_summary(
    db: DbSession,
    principal: Official,
    region: Annotated[
        str | None,
        Query(
            description="行政区划代码前缀（省2位/市4位/区县6位）；超出本人辖区的部分不计",
            pattern=r"^\d{2}(\d{2}){0,2}$",
        ),
    ] = None,
    as_of: Annotated[date | None, Query(description="称号有效性判断日期，默认今天")] = None,
) -> DistrictSummary:
    return service.district_summary(db, region, _scope(principal), as_of or beijing_today())
