"""HTTP endpoints of the registry under /api/v1/enterprises.

Authorization (docs/decisions/0006-authorization.md): a role that may not use an endpoint at all gets 403;
an enterprise outside the caller's scope (another enterprise, another region) is answered 404 exactly as if
it did not exist, so no identifier can be probed. Lists are filtered to the caller's scope.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import (
    ENTERPRISE_SELF,
    MANAGERS,
    REGISTRY_READERS,
    AuditAction,
)
from srdi.auth.service import Principal, audit
from srdi.db.session import DbSession
from srdi.enterprise import award_service, service
from srdi.enterprise.dependencies import RegistryFilter, VisibleEnterprise
from srdi.enterprise.schemas import (
    AwardIn,
    AwardOut,
    ChangeLogOut,
    ContactOut,
    EnterpriseDetail,
    EnterpriseIn,
    EnterpriseSummary,
    FactsOut,
    RecognitionOut,
    YearlyFigureIn,
    YearlyFigureOut,
)
from srdi.kit.errors import ErrorOut, PermissionDenied
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize

router = APIRouter(prefix="/enterprises", tags=["企业信息库 enterprises"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "企业不存在（或不在本账号的数据范围内）"}
}

# Who may use the registry. Banks, experts and department handlers reach enterprises only through their
# own workflows (whitelist, assigned applications, routed appeals), never by browsing the registry.
READERS = REGISTRY_READERS
CREATORS = MANAGERS
FIGURE_WRITERS = (*MANAGERS, *ENTERPRISE_SELF)
# Awards decide recognition routes (创客中国 企业组 lists are direct routes): officials record them from the
# published lists; an enterprise's own account only reads them (PRODUCT C1: self-reported facts decide nothing).
AWARD_WRITERS = MANAGERS

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Creator = Annotated[Principal, Depends(require_roles(*CREATORS))]
FigureWriter = Annotated[Principal, Depends(require_roles(*FIGURE_WRITERS))]
AwardWriter = Annotated[Principal, Depends(require_roles(*AWARD_WRITERS))]
AwardId = Annotated[int, Path(description="奖项记录编号", ge=1, le=2**31 - 1)]
AWARD_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "企业或奖项不存在（或不在本账号的数据范围内）"}
}


@router.get("", response_model=Page[EnterpriseSummary], summary="企业列表（筛选、分页）")
def list_enterprises(
    db: DbSession,
    principal: Reader,
    flt: RegistryFilter,
    page: PageNo = 1,
    page_size: PageSize = 20,
    sort: Annotated[str, Query(pattern="^(id|name|uscc|updated_at)$", description="排序字段")] = "id",
    desc: Annotated[bool, Query(description="是否倒序")] = False,
) -> Page[EnterpriseSummary]:
    rows, total = service.list_enterprises(
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
def create_enterprise(db: DbSession, principal: Creator, body: EnterpriseIn) -> EnterpriseDetail:
    if not principal.scope.allows_region(body.region_code):
        raise PermissionDenied(
            "只能在本账号管辖的行政区划内新建企业", f"region {body.region_code} outside the caller's scope"
        )
    ent = service.create(db, body, actor=principal.username)
    db.flush()
    audit(db, principal, AuditAction.enterprise_created, ("enterprise", ent.id), {"uscc": ent.uscc})
    db.refresh(ent)
    return service.detail(ent)


@router.get(
    "/{enterprise_id}", response_model=EnterpriseDetail, summary="企业档案（一企一档）", responses=NOT_FOUND
)
def get_enterprise(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> EnterpriseDetail:
    return service.detail(ent)


@router.get(
    "/{enterprise_id}/contact",
    response_model=ContactOut,
    summary="联系人与完整联系电话（不打码；每次查看记入审计日志）",
    responses=NOT_FOUND,
)
def get_contact(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> ContactOut:
    audit(db, principal, AuditAction.contact_revealed, ("enterprise", ent.id), {"fields": ["contact_phone"]})
    return ContactOut(contact_name=ent.contact_name, contact_phone=ent.contact_phone)


@router.get(
    "/{enterprise_id}/yearly-figures",
    response_model=list[YearlyFigureOut],
    summary="分年度经营数据",
    responses=NOT_FOUND,
)
def get_yearly_figures(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> list[YearlyFigureOut]:
    return [service.yearly_out(f) for f in sorted(ent.yearly_figures, key=lambda f: f.fiscal_year)]


@router.put(
    "/{enterprise_id}/yearly-figures/{year}",
    response_model=YearlyFigureOut,
    summary="填报或更正某年度数据",
    responses=NOT_FOUND,
)
def put_yearly_figures(
    db: DbSession,
    principal: FigureWriter,
    ent: VisibleEnterprise,
    year: Annotated[int, Path(ge=1949, le=2100, description="会计年度")],
    body: YearlyFigureIn,
) -> YearlyFigureOut:
    # Provenance is the server's decision from the caller's role, never the request's (decision 0012-provenance).
    source, notice = service.decide_source(principal.role, body.source.value if body.source else None)
    fig = service.update_yearly_from_api(db, ent, year, body, actor=principal.username, source=source)
    audit(
        db,
        principal,
        AuditAction.yearly_figures_updated,
        ("enterprise", ent.id),
        {
            "fiscal_year": year,
            "fields": sorted(body.model_dump(exclude_unset=True)),
            "source": source,
            "requested_source": body.source.value if body.source else None,
        },
    )
    out = service.yearly_out(fig)
    out.provenance_notice = notice
    return out


@router.get(
    "/{enterprise_id}/facts",
    response_model=FactsOut,
    summary="创新与质量事实（知识产权、奖项、荣誉等）",
    responses=NOT_FOUND,
)
def get_facts(db: DbSession, principal: Reader, e: VisibleEnterprise) -> FactsOut:
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
    "/{enterprise_id}/awards",
    response_model=list[AwardOut],
    summary="获奖记录（新的在前）",
    responses=NOT_FOUND,
)
def list_awards(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> list[AwardOut]:
    return [AwardOut.model_validate(a) for a in award_service.list_awards(ent)]


@router.post(
    "/{enterprise_id}/awards",
    response_model=AwardOut,
    status_code=201,
    summary="新增获奖记录（主管部门）",
    responses=NOT_FOUND,
)
def create_award(db: DbSession, principal: AwardWriter, ent: VisibleEnterprise, body: AwardIn) -> AwardOut:
    award = award_service.create_award(db, ent, body, actor=principal.username)
    audit(
        db,
        principal,
        AuditAction.award_created,
        ("award", award.id),
        {"enterprise_id": ent.id, "kind": award.kind, "contest_group": award.contest_group},
    )
    return AwardOut.model_validate(award)


@router.put(
    "/{enterprise_id}/awards/{award_id}",
    response_model=AwardOut,
    summary="更正获奖记录（主管部门）",
    responses=AWARD_NOT_FOUND,
)
def update_award(
    db: DbSession, principal: AwardWriter, ent: VisibleEnterprise, award_id: AwardId, body: AwardIn
) -> AwardOut:
    award = award_service.get_award(ent, award_id)
    changed = award_service.update_award(db, award, body, actor=principal.username)
    audit(
        db,
        principal,
        AuditAction.award_updated,
        ("award", award.id),
        {"enterprise_id": ent.id, "changes": changed},
    )
    return AwardOut.model_validate(award)


@router.delete(
    "/{enterprise_id}/awards/{award_id}",
    status_code=204,
    summary="删除获奖记录（主管部门）",
    responses=AWARD_NOT_FOUND,
)
def delete_award(db: DbSession, principal: AwardWriter, ent: VisibleEnterprise, award_id: AwardId) -> None:
    award = award_service.get_award(ent, award_id)
    detail = {"enterprise_id": ent.id, "kind": award.kind, "name": award.name}
    award_service.delete_award(db, ent, award, actor=principal.username)
    audit(db, principal, AuditAction.award_deleted, ("award", award_id), detail)


@router.get(
    "/{enterprise_id}/recognitions",
    response_model=list[RecognitionOut],
    summary="认定记录",
    responses=NOT_FOUND,
)
def get_recognitions(db: DbSession, principal: Reader, e: VisibleEnterprise) -> list[RecognitionOut]:
    return [RecognitionOut.model_validate(r) for r in sorted(e.recognitions, key=lambda r: r.announced_date)]


@router.get(
    "/{enterprise_id}/history",
    response_model=Page[ChangeLogOut],
    summary="变更历史（谁、何时、旧值→新值）",
    responses=NOT_FOUND,
)
def get_history(
    db: DbSession,
    principal: Reader,
    ent: VisibleEnterprise,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[ChangeLogOut]:
    rows, total = service.history(db, ent.id, page=page, page_size=page_size)
    words = service.history_words(ent, rows)
    items = [ChangeLogOut.model_validate(r).model_copy(update=w) for r, w in zip(rows, words, strict=True)]
    return Page(items=items, total=total, page=page, page_size=page_size)
