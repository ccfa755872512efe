"""HTTP endpoints of 免申即享: runs and grants for officials; confirmation and contests for enterprises.

Bank accounts leave masked (srdi.kit.masking.mask_account); the finance export is the only place with full
numbers and every download of it is in the audit log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from srdi.auth.dependencies import current_user, require_roles
from srdi.auth.enums import ENTERPRISE_SELF, MANAGERS, REGISTRY_READERS
from srdi.auth.service import Principal, audit
from srdi.auto_grant import service, tasks
from srdi.auto_grant.enums import ContestStatus, GrantStatus, RunStatus
from srdi.auto_grant.exceptions import GrantNotFound, RunNotFound
from srdi.auto_grant.models import Contest, Grant, GrantRun
from srdi.auto_grant.schemas import (
    BatchOut,
    ConsentIn,
    ContestIn,
    ContestOut,
    DeclineIn,
    EventOut,
    GrantDetailOut,
    GrantOut,
    PolicyPeriodIn,
    PublicityOut,
    ResolveIn,
    RunIn,
    RunOut,
)
from srdi.db.session import DbSession, SessionFactory, get_task_session_factory
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.enterprise.models import Enterprise
from srdi.kit.masking import mask_account
from srdi.kit.money import fen_to_yuan
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize
from srdi.kit.workdays import beijing_today
from srdi.policy import service as policy_service

router = APIRouter(tags=["免申即享 auto_grant"])

READERS = REGISTRY_READERS

# scope="function": the request's transaction commits before the response is sent, so a client that reads
# right after a change, and a background task started by it, see the change (FastAPI's default ends a yield
# dependency only after the response and its background tasks).
TaskSessions = Annotated[SessionFactory, Depends(get_task_session_factory)]
Anyone = Annotated[Principal, Depends(current_user)]
Manager = Annotated[Principal, Depends(require_roles(*MANAGERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
SelfUser = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_yuan(fen)


def _run_out(run: GrantRun) -> RunOut:
    return RunOut(
        id=run.id,
        policy_key=run.policy_key,
        policy_version_id=run.policy_version_id,
        period=run.period,
        as_of_date=run.as_of_date,
        status=run.status,
        status_label=RunStatus(run.status).label,
        resumable=run.status == RunStatus.interrupted,
        budget_yuan=_yuan(run.budget_fen),
        allocation_order=run.allocation_order,
        total=run.total,
        processed=run.processed,
        progress=1.0 if run.status == "done" else (run.processed / run.total if run.total else 0.0),
        summary=run.summary or {},
        error=run.error,
        actor=run.actor,
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


def _run_in_scope(db: Session, principal: Principal, run: GrantRun) -> GrantRun:
    version = policy_service.get_version(db, run.policy_version_id)
    prefixes = principal.scope.region_prefixes
    if prefixes is not None and not any(
        code.startswith(p) or p.startswith(code) for code in version.region_codes for p in prefixes
    ):
        raise RunNotFound(run.id)
    return run


def _grant_out(db: Session, g: Grant, e: Enterprise) -> GrantOut:
    pd = service.payment_deadline(db, g)
    return GrantOut(
        id=g.id,
        policy_key=g.policy_key,
        policy_title=policy_service.get_version(db, g.policy_version_id).title,
        period=g.period,
        enterprise_id=g.enterprise_id,
        enterprise_name=e.name,
        uscc=e.uscc,
        status=g.status,
        status_label=GrantStatus(g.status).label,
        amount_yuan=fen_to_yuan(g.amount_fen),
        rank=g.rank,
        bank_name=g.bank_name,
        account_name=g.account_name,
        bank_account_masked=mask_account(g.bank_account),
        consented_at=g.consented_at,
        published_at=g.published_at,
        payment_deadline_days=pd.working_days,
        payment_due_at=pd.due_at,
        disbursed_at=pd.disbursed_at,
        overdue=pd.overdue,
        overdue_label=pd.label,
        payment_note=pd.note,
    )


def _detail(db: Session, g: Grant) -> GrantDetailOut:
    e = enterprise_service.get_or_404(db, g.enterprise_id)
    d = service.disbursement_of(db, g.id)
    return GrantDetailOut(
        **_grant_out(db, g, e).model_dump(),
        trace=g.trace,
        events=[EventOut.model_validate(ev, from_attributes=True) for ev in service.events_of(db, g.id)],
        disbursement_status=d.status if d else None,
    )


@router.get("/grant-runs", response_model=Page[RunOut], summary="免申即享批次列表（分页）")
def list_runs(db: DbSession, principal: Manager, page: PageNo = 1, page_size: PageSize = 20) -> Page[RunOut]:
    rows, total = service.runs_page(db, principal.scope.region_prefixes, page, page_size)
    return Page(items=[_run_out(r) for r in rows], total=total, page=page, page_size=page_size)


@router.post("/grant-runs", response_model=RunOut, status_code=202, summary="发起数据比对（免申即享）")
def start_run(
    db: DbSession, principal: Manager, body: RunIn, background: BackgroundTasks, sessions: TaskSessions
) -> RunOut:
    run = service.create_run(
        db,
        body.policy_key,
        body.as_of or beijing_today(),
        actor=principal.username,
        scope_prefixes=principal.scope.region_prefixes,
    )
    # Take the run now (a new one, or an interrupted one to resume), so the answer already says 比对中; a run that
    # another live process is executing stays with it, and the background task then leaves it alone.
    service.claim_run(db, run)
    audit(db, principal, "auto_grant.run", ("grant_run", run.id), body.model_dump(mode="json"))
    background.add_task(tasks.execute_run, run.id, sessions)
    return _run_out(run)


@router.get("/grant-runs/{run_id}", response_model=RunOut, summary="批次进度与变化")
def get_run(db: DbSession, principal: Manager, run_id: Id) -> RunOut:
    return _run_out(_run_in_scope(db, principal, service.get_run(db, run_id)))


@router.get("/grant-runs/{run_id}/grants", response_model=Page[GrantOut], summary="批次的比对结果（分页）")
def run_grants(
    db: DbSession,
    principal: Manager,
    run_id: Id,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[GrantOut]:
    run = _run_in_scope(db, principal, service.get_run(db, run_id))
    rows, total = service.run_grants_page(
        db, run.policy_key, run.period, principal.scope.region_prefixes, status, page, page_size
    )
    return Page(items=[_grant_out(db, g, e) for g, e in rows], total=total, page=page, page_size=page_size)


@router.get("/overdue-grants", response_model=list[GrantOut], summary="逾期拨付的免申即享事项")
def overdue_grants(db: DbSession, principal: Manager) -> list[GrantOut]:
    out = []
    for g, _ in service.overdue_grants(db, scope_prefixes=principal.scope.region_prefixes):
        out.append(_grant_out(db, g, enterprise_service.get_or_404(db, g.enterprise_id)))
    return out


@router.get(
    "/enterprises/{enterprise_id}/grants", response_model=list[GrantDetailOut], summary="企业的免申即享事项"
)
def enterprise_grants(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> list[GrantDetailOut]:
    return [_detail(db, g) for g in service.grants_of_enterprise(db, ent.id)]


def _grant_for(db: Session, principal: Principal, grant_id: int) -> Grant:
    g = service.get_grant(db, grant_id)
    ent = enterprise_service.get_or_404(db, g.enterprise_id)
    if not principal.scope.allows(ent.region_code, ent.id):
        raise GrantNotFound(grant_id)
    return g


@router.get("/grants/{grant_id}", response_model=GrantDetailOut, summary="免申即享事项详情（含判定过程）")
def get_grant(db: DbSession, principal: Reader, grant_id: Id) -> GrantDetailOut:
    return _detail(db, _grant_for(db, principal, grant_id))


@router.post("/grants/{grant_id}/consent", response_model=GrantDetailOut, summary="意愿确认并提供收款账户")
def consent(db: DbSession, principal: SelfUser, grant_id: Id, body: ConsentIn) -> GrantDetailOut:
    g = _grant_for(db, principal, grant_id)
    g, created = service.consent(
        db,
        g.id,
        bank_name=body.bank_name,
        account_name=body.account_name,
        bank_account=body.bank_account,
        actor=principal.username,
        enterprise_ids=principal.scope.enterprise_ids,
    )
    audit(
        db,
        principal,
        "auto_grant.consent",
        ("grant", g.id),
        {"bank_account": mask_account(g.bank_account), "created": created},
    )
    return _detail(db, g)


@router.post("/grants/{grant_id}/decline", response_model=GrantDetailOut, summary="放弃该事项")
def decline(db: DbSession, principal: SelfUser, grant_id: Id, body: DeclineIn) -> GrantDetailOut:
    g = _grant_for(db, principal, grant_id)
    g = service.decline(db, g.id, reason=body.reason, actor=principal.username, enterprise_ids=None)
    audit(db, principal, "auto_grant.decline", ("grant", g.id), {"reason": body.reason})
    return _detail(db, g)


def _contest_out(c: Contest, enterprise_name: str) -> ContestOut:
    return ContestOut(
        **{k: getattr(c, k) for k in ContestOut.model_fields if k not in ("status_label", "enterprise_name")},
        status_label=ContestStatus(c.status).label,
        enterprise_name=enterprise_name,
    )


@router.post(
    "/enterprises/{enterprise_id}/contests",
    response_model=ContestOut,
    status_code=201,
    summary="对判定提出异议",
)
def contest(db: DbSession, principal: SelfUser, ent: VisibleEnterprise, body: ContestIn) -> ContestOut:
    trace: dict[str, Any]
    if body.grant_id is not None:
        g = service.get_grant(db, body.grant_id, [ent.id])
        trace = {"grant_id": g.id, "status": g.status, "amount_fen": g.amount_fen, "trace": g.trace}
        policy_key = g.policy_key
    else:
        policy_service.published_version(db, body.policy_key)  # 404 for an unknown policy
        matches = {
            m["policy_key"]: m
            for grp in ("eligible", "unknown", "ineligible")
            for m in policy_service.my_policies(db, ent, beijing_today())[grp]
        }
        m = matches.get(body.policy_key, {})
        trace = {"status": m.get("status"), "reasons": m.get("reasons"), "assessment": m.get("assessment")}
        policy_key = body.policy_key
    row = service.contest(
        db,
        enterprise_id=ent.id,
        policy_key=policy_key,
        grant_id=body.grant_id,
        reason=body.reason,
        trace=trace,
        actor=principal.username,
    )
    audit(db, principal, "auto_grant.contest", ("contest", row.id), {"policy_key": policy_key})
    return _contest_out(row, ent.name)


@router.get("/contests", response_model=Page[ContestOut], summary="异议列表（分页）")
def list_contests(
    db: DbSession, principal: Reader, page: PageNo = 1, page_size: PageSize = 20
) -> Page[ContestOut]:
    scope = principal.scope
    rows, total = service.contests_page(db, scope.region_prefixes, scope.enterprise_ids, page, page_size)
    return Page(
        items=[_contest_out(c, name) for c, name in rows], total=total, page=page, page_size=page_size
    )


@router.post("/contests/{contest_id}/resolve", response_model=ContestOut, summary="答复异议")
def resolve(db: DbSession, principal: Manager, contest_id: Id, body: ResolveIn) -> ContestOut:
    c = db.get(Contest, contest_id)
    if c is not None:
        ent = enterprise_service.get_or_404(db, c.enterprise_id)
        if not principal.scope.allows(ent.region_code, ent.id):
            c = None
    if c is None:
        from srdi.auto_grant.exceptions import ContestNotFound

        raise ContestNotFound(contest_id)
    row = service.resolve_contest(
        db, c.id, upheld=body.upheld, response=body.response, actor=principal.username
    )
    audit(db, principal, "auto_grant.contest.resolve", ("contest", row.id), body.model_dump())
    return _contest_out(row, enterprise_service.get_or_404(db, row.enterprise_id).name)


def _batch_out(b: Any) -> BatchOut:
    return BatchOut(
        id=b.id,
        policy_key=b.policy_key,
        period=b.period,
        status=b.status,
        count=b.count,
        total_yuan=fen_to_yuan(b.total_fen),
        created_by=b.created_by,
        created_at=b.created_at,
        closed_at=b.closed_at,
    )


def _managed(db: Session, principal: Principal, policy_key: str) -> None:
    v = policy_service.published_version(db, policy_key)
    policy_service.check_region(principal.scope.region_prefixes, v)


@router.post("/disbursement-batches", response_model=BatchOut, status_code=201, summary="拨付：生成拨付批次")
def disburse(db: DbSession, principal: Manager, body: PolicyPeriodIn) -> BatchOut:
    _managed(db, principal, body.policy_key)
    b = service.disburse(db, body.policy_key, body.period, actor=principal.username)
    audit(
        db,
        principal,
        "auto_grant.disburse",
        ("disbursement_batch", b.id),
        {"count": b.count, "total_fen": b.total_fen},
    )
    return _batch_out(b)


@router.get("/disbursement-batches", response_model=Page[BatchOut], summary="拨付批次列表（分页）")
def list_batches(
    db: DbSession, principal: Manager, page: PageNo = 1, page_size: PageSize = 20
) -> Page[BatchOut]:
    rows, total = service.batches_page(db, principal.scope.region_prefixes, page, page_size)
    return Page(items=[_batch_out(b) for b in rows], total=total, page=page, page_size=page_size)


@router.get(
    "/disbursement-batches/{batch_id}/export.csv",
    summary="导出拨付文件（含完整账号，记入审计日志）",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_batch(db: DbSession, principal: Manager, batch_id: Id) -> Response:
    b = service.get_batch(db, batch_id)
    _managed(db, principal, b.policy_key)
    text = service.export_csv(db, b.id)
    audit(db, principal, "auto_grant.disbursement.export", ("disbursement_batch", b.id), {"rows": b.count})
    return Response(
        content=("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="disbursement_{b.id}.csv"'},
    )


@router.post("/grant-publicity", response_model=PublicityOut, summary="公示归档")
def publish(db: DbSession, principal: Manager, body: PolicyPeriodIn) -> PublicityOut:
    _managed(db, principal, body.policy_key)
    done = service.publish(db, body.policy_key, body.period, actor=principal.username)
    audit(
        db,
        principal,
        "auto_grant.publish",
        ("policy", body.policy_key),
        {"period": body.period, "count": len(done)},
    )
    return publicity(db, principal, body.policy_key, body.period)


@router.get("/grant-publicity/{policy_key}/{period}", response_model=PublicityOut, summary="公示名单")
def publicity(
    db: DbSession,
    principal: Anyone,
    policy_key: Annotated[str, Path(min_length=1, max_length=80)],
    period: Annotated[str, Path(min_length=4, max_length=10)],
) -> PublicityOut:
    rows = service.run_grants(db, policy_key, period, None, GrantStatus.published.value)
    items = [
        {
            "enterprise_name": e.name,
            "uscc": e.uscc,
            "amount_yuan": str(fen_to_yuan(g.amount_fen)),
            "published_at": g.published_at.isoformat() if g.published_at else None,
        }
        for g, e in rows
    ]
    return PublicityOut(
        policy_key=policy_key,
        period=period,
        items=items,
        total_yuan=fen_to_yuan(sum(g.amount_fen for g, _ in rows)),
    )
