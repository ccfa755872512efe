"""HTTP endpoints of financing (产融对接).

Officials generate and approve whitelists and review loan products; banks receive approved lists of their region,
publish products and handle the requests addressed to them; enterprises see their score, the products they
qualify for and send requests. Outside a caller's scope an object answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import ENTERPRISE_SELF, OFFICIALS, Role
from srdi.auth.service import Principal
from srdi.db.session import DbSession
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.finance import service
from srdi.finance.enums import RUN_STATUS_LABELS, SHARE_LABELS, RequestAction, RequestStatus, RunStatus
from srdi.finance.exceptions import WhitelistNotFound
from srdi.finance.models import WhitelistRun
from srdi.finance.schemas import (
    BankAccountIn,
    BankAccountOut,
    BankOut,
    CreditScoreOut,
    FinanceFigureOut,
    FinanceMeOut,
    FinancingRequestIn,
    FinancingRequestOut,
    FinancingTransitionIn,
    LoanProductIn,
    LoanProductOut,
    ProductFieldOut,
    ProductMatchesOut,
    ProductReviewIn,
    ScorecardOut,
    TimeLimitsOut,
    WhitelistEntryOut,
    WhitelistGenerateIn,
    WhitelistOut,
    WhitelistRunDetailOut,
    WhitelistRunOut,
)
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize

router = APIRouter(tags=["产融对接 finance"])

MANAGERS = (Role.admin, *OFFICIALS)
LIST_READERS = (*MANAGERS, Role.bank)
SCORE_READERS = (*MANAGERS, Role.service_commissioner, *ENTERPRISE_SELF)
FINANCE_USERS = (*MANAGERS, Role.bank, *ENTERPRISE_SELF)
Manager = Annotated[Principal, Depends(require_roles(*MANAGERS))]
ListReader = Annotated[Principal, Depends(require_roles(*LIST_READERS))]
ScoreReader = Annotated[Principal, Depends(require_roles(*SCORE_READERS))]
FinanceUser = Annotated[Principal, Depends(require_roles(*FINANCE_USERS))]
BankUser = Annotated[Principal, Depends(require_roles(Role.bank))]
EnterpriseUser = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1, description="用户编号")]
RunId = Annotated[int, Path(ge=1, le=2**31 - 1, description="白名单批次编号")]
ProductId = Annotated[int, Path(ge=1, le=2**31 - 1, description="贷款产品编号")]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="融资需求编号")]
ListKey = Annotated[str, Path(min_length=2, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]


def _run_out(db: Session, run: WhitelistRun) -> WhitelistRunOut:
    prev = db.get(WhitelistRun, run.previous_run_id) if run.previous_run_id else None
    return WhitelistRunOut(
        id=run.id,
        list_key=run.list_key,
        period=run.period,
        as_of=run.as_of,
        status=run.status,
        status_label=RUN_STATUS_LABELS[RunStatus(run.status)],
        members=run.members,
        entered=run.entered,
        exited=run.exited,
        undecided=run.undecided,
        previous_period=prev.period if prev else None,
        approved_at=run.approved_at,
        content_hash=run.content_hash,
    )


def _whitelist_out(db: Session, principal: Principal, wl: service.Whitelist) -> WhitelistOut:
    rs = wl.rule_set
    runs = service.runs_of(db, wl.key)
    if principal.role is Role.bank:
        runs = [r for r in runs if r.status == RunStatus.approved]
    return WhitelistOut(
        key=wl.key,
        title=rs.meta.title,
        purpose=str(wl.block.get("purpose", "")),
        region_codes=list(wl.region_codes),
        period_kind=wl.period_kind,
        current_period=service.current_period(wl.period_kind),
        departments=[str(d) for d in wl.block["departments"]],
        conditions=[
            {
                "id": f.id,
                "label": f.label,
                "rule": f.text,
                "needs_verification": f.citation.needs_verification,
            }
            for f in rs.conditions
        ],
        unverified=[dict(u) for u in wl.block.get("unverified", [])],
        seeds=[{k: str(v) for k, v in s.items()} for s in wl.block["seeds"]],
        citation=service.citation_view(rs),  # type: ignore[arg-type]
        may_manage=principal.role is not Role.bank and service.official_may_manage(principal, wl),
        runs=[_run_out(db, r) for r in runs],
    )


def _visible_lists(db: Session, principal: Principal) -> list[service.Whitelist]:
    lists = list(service.rules().whitelists.values())
    if principal.role is Role.bank:
        bank = service.bank_or_none(db, principal)
        return [wl for wl in lists if bank is not None and service.bank_sees_list(bank, wl)]
    prefixes = principal.scope.region_prefixes
    if prefixes is None:
        return lists
    return [wl for wl in lists if any(service.overlaps(p, c) for p in prefixes for c in wl.region_codes)]


@router.get("/finance/me", response_model=FinanceMeOut, summary="当前账号在产融对接中的身份（所属银行）")
def me(db: DbSession, principal: FinanceUser) -> FinanceMeOut:
    bank = service.bank_of_user(db, principal.user.id) if principal.role is Role.bank else None
    return FinanceMeOut(
        bank=BankOut.model_validate(bank) if bank else None,
        share_fields={k.value: v for k, v in SHARE_LABELS.items()},
        time_limits=TimeLimitsOut(**service.time_limits().view()),
        bank_note=service.NO_BANK_NOTE if principal.role is Role.bank and bank is None else "",
    )


@router.get("/finance/banks", response_model=list[BankOut], summary="合作金融机构")
def banks(db: DbSession, principal: FinanceUser) -> list[BankOut]:
    return [BankOut.model_validate(b) for b in service.banks(db)]


@router.get("/finance/whitelists", response_model=list[WhitelistOut], summary="白名单（规则、期次）")
def whitelists(db: DbSession, principal: ListReader) -> list[WhitelistOut]:
    return [_whitelist_out(db, principal, wl) for wl in _visible_lists(db, principal)]


@router.post(
    "/finance/whitelists/{list_key}/runs", response_model=WhitelistRunOut, summary="生成一期白名单（草稿）"
)
def generate(
    db: DbSession, principal: Manager, list_key: ListKey, body: WhitelistGenerateIn
) -> WhitelistRunOut:
    wl = service.whitelist(list_key)
    if not service.official_may_manage(principal, wl):
        raise WhitelistNotFound(list_key)
    run = service.generate_whitelist(
        db, list_key, body.period, principal, region_prefixes=principal.scope.region_prefixes
    )
    db.commit()
    return _run_out(db, run)


@router.get(
    "/finance/whitelist-runs/{run_id}",
    response_model=WhitelistRunDetailOut,
    summary="一期白名单及每家企业的入选理由",
)
def run_detail(db: DbSession, principal: ListReader, run_id: RunId) -> WhitelistRunDetailOut:
    run, wl, bank = service.visible_run(db, principal, run_id)
    entries = service.run_entries(db, run, principal, bank)
    return WhitelistRunDetailOut(
        run=_run_out(db, run),
        whitelist=_whitelist_out(db, principal, wl),
        entries=[WhitelistEntryOut(**e.__dict__) for e in entries],
    )


@router.post(
    "/finance/whitelist-runs/{run_id}/approval",
    response_model=WhitelistRunOut,
    summary="审定发布（银行此后可见）",
)
def approve(db: DbSession, principal: Manager, run_id: RunId) -> WhitelistRunOut:
    run = service.approve_run(db, principal, run_id)
    db.commit()
    return _run_out(db, run)


@router.get(
    "/finance/whitelist-runs/{run_id}/export",
    summary="导出白名单 XLSX（防公式注入，下载留痕）",
    response_class=Response,
    responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}},
)
def export(db: DbSession, principal: ListReader, run_id: RunId) -> Response:
    data, filename = service.export_run_xlsx(db, principal, run_id)
    db.commit()
    return Response(
        content=data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
        },
    )


@router.get("/finance/scorecard", response_model=ScorecardOut, summary="信用评分卡：因子、分档、权重及来源")
def scorecard(principal: Anyone) -> ScorecardOut:
    return ScorecardOut(**service.scorecard_view())


@router.get(
    "/finance/enterprises/{enterprise_id}/credit-score",
    response_model=CreditScoreOut,
    summary="企业信用评分：各因子得分、数据来源及提升建议",
)
def credit_score(db: DbSession, principal: ScoreReader, visible: VisibleEnterprise) -> CreditScoreOut:
    ent = enterprise_service.with_facts(db, [visible.id])[0]
    return CreditScoreOut(**service.enterprise_score(db, ent))


@router.get("/finance/product-fields", response_model=list[ProductFieldOut], summary="产品准入条件可用字段")
def product_fields(principal: FinanceUser) -> list[ProductFieldOut]:
    return [ProductFieldOut(**f) for f in service.product_fields().values()]


@router.get("/finance/products", response_model=list[LoanProductOut], summary="贷款产品")
def products(db: DbSession, principal: FinanceUser) -> list[LoanProductOut]:
    return [LoanProductOut(**service.product_view(db, p)) for p in service.list_products(db, principal)]


@router.post("/finance/products", response_model=LoanProductOut, summary="银行新建贷款产品（提交审核）")
def create_product(db: DbSession, principal: BankUser, body: LoanProductIn) -> LoanProductOut:
    data = service.ProductIn(
        **body.model_dump(exclude={"eligibility"}),
        eligibility=[c.model_dump(exclude_none=True) for c in body.eligibility],
    )
    p = service.create_product(db, principal, data)
    db.commit()
    return LoanProductOut(**service.product_view(db, p))


@router.get("/finance/products/{product_id}", response_model=LoanProductOut, summary="贷款产品详情")
def product(db: DbSession, principal: FinanceUser, product_id: ProductId) -> LoanProductOut:
    return LoanProductOut(**service.product_view(db, service.get_product(db, principal, product_id)))


@router.post("/finance/products/{product_id}/review", response_model=LoanProductOut, summary="审核贷款产品")
def review(db: DbSession, principal: Manager, product_id: ProductId, body: ProductReviewIn) -> LoanProductOut:
    p = service.review_product(db, principal, product_id, body.decision == "publish", body.note)
    db.commit()
    return LoanProductOut(**service.product_view(db, p))


@router.get(
    "/finance/enterprises/{enterprise_id}/product-matches",
    response_model=ProductMatchesOut,
    summary="企业符合条件的贷款产品及差一点符合的产品",
)
def matches(db: DbSession, principal: ScoreReader, visible: VisibleEnterprise) -> ProductMatchesOut:
    ent = enterprise_service.with_facts(db, [visible.id])[0]
    return ProductMatchesOut(**service.product_matches(db, ent))


@router.post(
    "/finance/requests",
    response_model=list[FinancingRequestOut],
    summary="企业发送融资需求（可发给多家银行）",
)
def create_requests(
    db: DbSession, principal: EnterpriseUser, body: FinancingRequestIn
) -> list[FinancingRequestOut]:
    eid = principal.user.enterprise_id
    ent = enterprise_service.get_visible(db, principal.scope, eid or 0)
    data = service.RequestIn(**body.model_dump(exclude={"share"}), share=[s.value for s in body.share])
    reqs = service.create_requests(db, principal, ent, data)
    db.commit()
    return [FinancingRequestOut(**service.request_view(db, r, for_bank=False)) for r in reqs]


# 待处理: what a bank still has to decide.
PENDING = {RequestStatus.submitted, RequestStatus.accepted, RequestStatus.info_requested}


@router.get(
    "/finance/requests",
    response_model=Page[FinancingRequestOut],
    summary="融资需求（银行只见发给本行的；分页）",
)
def list_requests(
    db: DbSession,
    principal: FinanceUser,
    pending: Annotated[bool, Query(description="只看待处理的（已提交、已受理、待补充材料）")] = False,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> Page[FinancingRequestOut]:
    for_bank = principal.role is Role.bank
    statuses = sorted(s.value for s in PENDING) if pending else None
    rows, total = service.page_requests(db, principal, statuses=statuses, page=page, page_size=page_size)
    # One calendar read for the page (the deadlines of each row), not one per row.
    views = service.request_views(db, rows, for_bank=for_bank)
    return Page(items=[FinancingRequestOut(**v) for v in views], total=total, page=page, page_size=page_size)


@router.get("/finance/requests/{request_id}", response_model=FinancingRequestOut, summary="融资需求详情")
def get_request(db: DbSession, principal: FinanceUser, request_id: RequestId) -> FinancingRequestOut:
    req, bank = service.visible_request(db, principal, request_id)
    return FinancingRequestOut(**service.request_view(db, req, for_bank=bank is not None))


@router.post(
    "/finance/requests/{request_id}/transitions", response_model=FinancingRequestOut, summary="处理融资需求"
)
def transition(
    db: DbSession, principal: FinanceUser, request_id: RequestId, body: FinancingTransitionIn
) -> FinancingRequestOut:
    req = service.transition(
        db,
        principal,
        request_id,
        RequestAction(body.action),
        note=body.note,
        amount=body.amount,
        rate_percent=body.rate_percent,
    )
    db.commit()
    return FinancingRequestOut(**service.request_view(db, req, for_bank=principal.role is Role.bank))


@router.get("/finance/figures", response_model=list[FinanceFigureOut], summary="融资对接监测：按银行或区县")
def figures(
    db: DbSession,
    principal: FinanceUser,
    by: Annotated[str, Query(pattern="^(bank|district|tier)$")] = "bank",
) -> list[FinanceFigureOut]:
    rows: list[dict[str, Any]] = service.figures(db, principal, by)
    return [FinanceFigureOut(**r) for r in rows]


@router.get(
    "/finance/bank-accounts",
    response_model=list[BankAccountOut],
    summary="银行账号及其所属金融机构（管理员）",
)
def bank_accounts(db: DbSession, principal: Admin) -> list[BankAccountOut]:
    return [BankAccountOut(**a) for a in service.bank_accounts(db)]


@router.put(
    "/finance/bank-accounts/{user_id}",
    response_model=BankAccountOut,
    summary="为银行账号关联（或解除）所属金融机构（管理员，留痕）",
)
def set_bank_account(db: DbSession, principal: Admin, user_id: UserId, body: BankAccountIn) -> BankAccountOut:
    out = service.set_bank_of_account(db, principal, user_id, body.bank_id)
    db.commit()
    return BankAccountOut(**out)
