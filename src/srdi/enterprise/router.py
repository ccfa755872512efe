"""HTTP endpoints of the registry under /api/v1/enterprises."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from srdi.db.session import get_db
from srdi.enterprise import repository, service
from srdi.enterprise.enums import SizeClass, Tier
from srdi.enterprise.repository import EnterpriseFilter
from srdi.enterprise.schemas import (
    ChangeLogOut,
    EnterpriseDetail,
    EnterpriseIn,
    EnterpriseSummary,
    ErrorOut,
    FactsOut,
    RecognitionOut,
    YearlyFigureIn,
    YearlyFigureOut,
)
from srdi.kit.pagination import MAX_PAGE_SIZE, Page

router = APIRouter(prefix="/enterprises", tags=["企业信息库 enterprises"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "企业不存在"}}
ACTOR = "api"

EnterpriseId = Annotated[int, Path(description="企业编号", ge=1, le=2**31 - 1)]
Db = Annotated[Session, Depends(get_db)]


@router.get("", response_model=Page[EnterpriseSummary], summary="企业列表（筛选、分页）")
def list_enterprises(
    db: Db,
    region: Annotated[
        str | None,
        Query(description="行政区划代码或其前缀（省2位/市4位/区县6位）", max_length=6, pattern=r"^\d{2,6}$"),
    ] = None,
    industry: Annotated[
        str | None,
        Query(description="行业代码或其前缀（门类不支持，用2–4位数字）", max_length=4, pattern=r"^\d{2,4}$"),
    ] = None,
    size_class: Annotated[SizeClass | None, Query(description="企业规模")] = None,
    tier: Annotated[Tier | None, Query(description="持有有效称号")] = None,
    tag: Annotated[list[str] | None, Query(description="标签（可多个，需全部包含）")] = None,
    q: Annotated[str | None, Query(description="名称关键词或统一社会信用代码前缀", max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="页码")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="每页条数")] = 20,
    sort: Annotated[str, Query(pattern="^(id|name|uscc|updated_at)$", description="排序字段")] = "id",
    desc: Annotated[bool, Query(description="是否倒序")] = False,
) -> Page[EnterpriseSummary]:
    flt = EnterpriseFilter(
        region_prefix=region,
        industry_prefix=industry,
        size_class=size_class.value if size_class else None,
        tier=tier.value if tier else None,
        tags=tag or [],
        text=q,
    )
    rows, total = repository.list_enterprises(
        db, flt, page=page, page_size=page_size, sort=sort, descending=desc
    )
    return Page(items=[service.summary(e) for e in rows], total=total, page=page, page_size=page_size)


@router.post(
    "",
    response_model=EnterpriseDetail,
    status_code=201,
    summary="新建企业档案",
    responses={409: {"model": ErrorOut, "description": "统一社会信用代码已存在"}},
)
def create_enterprise(db: Db, body: EnterpriseIn) -> EnterpriseDetail:
    ent = service.create(db, body, actor=ACTOR)
    db.flush()
    db.refresh(ent)
    return service.detail(ent)


@router.get(
    "/{enterprise_id}", response_model=EnterpriseDetail, summary="企业档案（一企一档）", responses=NOT_FOUND
)
def get_enterprise(db: Db, enterprise_id: EnterpriseId) -> EnterpriseDetail:
    return service.detail(service.get_or_404(db, enterprise_id))


@router.get(
    "/{enterprise_id}/yearly-figures",
    response_model=list[YearlyFigureOut],
    summary="分年度经营数据",
    responses=NOT_FOUND,
)
def get_yearly_figures(db: Db, enterprise_id: EnterpriseId) -> list[YearlyFigureOut]:
    ent = service.get_or_404(db, enterprise_id)
    return [service.yearly_out(f) for f in sorted(ent.yearly_figures, key=lambda f: f.fiscal_year)]


@router.put(
    "/{enterprise_id}/yearly-figures/{year}",
    response_model=YearlyFigureOut,
    summary="填报或更正某年度数据",
    responses=NOT_FOUND,
)
def put_yearly_figures(
    db: Db,
    enterprise_id: EnterpriseId,
    year: Annotated[int, Path(ge=1949, le=2100, description="会计年度")],
    body: YearlyFigureIn,
) -> YearlyFigureOut:
    ent = service.get_or_404(db, enterprise_id)
    return service.yearly_out(service.update_yearly_from_api(db, ent, year, body, actor=ACTOR))


@router.get(
    "/{enterprise_id}/facts",
    response_model=FactsOut,
    summary="创新与质量事实（知识产权、奖项、荣誉等）",
    responses=NOT_FOUND,
)
def get_facts(db: Db, enterprise_id: EnterpriseId) -> FactsOut:
    e = service.get_or_404(db, enterprise_id)
    return FactsOut.model_validate(
        {
            "ip_items": e.ip_items,
            "awards": e.awards,
            "honours": e.honours,
            "rd_institutions": e.rd_institutions,
            "certifications": e.certifications,
            "niche_markets": e.niche_markets,
            "main_products": e.main_products,
            "compliance_records": e.compliance_records,
        },
        from_attributes=True,
    )


@router.get(
    "/{enterprise_id}/recognitions",
    response_model=list[RecognitionOut],
    summary="认定记录",
    responses=NOT_FOUND,
)
def get_recognitions(db: Db, enterprise_id: EnterpriseId) -> list[RecognitionOut]:
    e = service.get_or_404(db, enterprise_id)
    return [RecognitionOut.model_validate(r) for r in sorted(e.recognitions, key=lambda r: r.announced_date)]


@router.get(
    "/{enterprise_id}/history",
    response_model=Page[ChangeLogOut],
    summary="变更历史（谁、何时、旧值→新值）",
    responses=NOT_FOUND,
)
def get_history(
    db: Db,
    enterprise_id: EnterpriseId,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[ChangeLogOut]:
    service.get_or_404(db, enterprise_id)
    rows, total = repository.history(db, enterprise_id, page=page, page_size=page_size)
    return Page(
        items=[ChangeLogOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size
    )
