"""HTTP endpoints of tier evaluation: self-assessment, stored evaluations, batch runs, rule sets.

Scoping follows the registry (docs/decisions/0006-authorization.md): an enterprise or a run outside the
caller's scope answers 404 as if absent; batch runs are for officials over their own region.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from sqlalchemy.orm import Session

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import MANAGERS, MONITORS, REGISTRY_READERS
from srdi.auth.service import Principal, audit
from srdi.criteria import batch_service, dynamic_service, service, tasks
from srdi.criteria.enums import DynamicCategory
from srdi.criteria.exceptions import BatchRunNotFound, EvaluationNotFound
from srdi.criteria.models import BatchRun, Evaluation
from srdi.criteria.schemas import (
    AssessmentOut,
    AssessmentRequest,
    BatchResultOut,
    BatchRunOut,
    BatchRunRequest,
    DynamicManagementOut,
    EvaluationOut,
    FactsAssessmentRequest,
    RuleSetSummary,
    SeedPoolEntry,
)
from srdi.db.session import DbSession, SessionFactory, get_task_session_factory
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.enterprise.exceptions import EnterpriseNotFound
from srdi.kit.errors import ErrorOut, PermissionDenied
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize
from srdi.kit.workdays import beijing_today
from srdi.rules_engine.schemas import Gap, TraceResult

router = APIRouter(tags=["梯度培育评价 criteria"])

ASSESSORS = REGISTRY_READERS
RUNNERS = MANAGERS
RUN_READERS = MONITORS

Assessor = Annotated[Principal, Depends(require_roles(*ASSESSORS))]
Runner = Annotated[Principal, Depends(require_roles(*RUNNERS))]
RunReader = Annotated[Principal, Depends(require_roles(*RUN_READERS))]
RunId = Annotated[int, Path(description="批量评价任务编号", ge=1, le=2**31 - 1)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "不存在或不在数据范围内"}
}


TaskSessions = Annotated[SessionFactory, Depends(get_task_session_factory)]


def _run(db: Session, principal: Principal, run_id: int) -> BatchRun:
    run = db.get(BatchRun, run_id)
    prefixes = principal.scope.region_prefixes
    if run is None or (
        prefixes is not None
        and not (run.region_prefix and any(run.region_prefix.startswith(p) for p in prefixes))
    ):
        raise BatchRunNotFound(run_id)
    return run


def _run_out(run: BatchRun) -> BatchRunOut:
    return BatchRunOut(
        id=run.id,
        as_of_date=run.as_of_date,
        purpose=run.purpose,
        region_prefix=run.region_prefix,
        status=run.status,
        total=run.total,
        processed=run.processed,
        progress=batch_service.progress(run),
        regime=run.regime,
        rule_sets=run.rule_sets or {},
        summary=run.summary or {},
        error=run.error,
        actor=run.actor,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def _evaluation_out(row: Evaluation, full: bool) -> EvaluationOut:
    return EvaluationOut(
        id=row.id,
        enterprise_id=row.enterprise_id,
        tier=row.tier,
        rule_set_id=row.rule_set_id,
        rule_set_hash=row.rule_set_hash,
        regime=row.regime,
        as_of_date=row.as_of_date,
        purpose=row.purpose,
        status=row.status,
        total=row.total,
        needs_verification=row.needs_verification,
        actor=row.actor,
        created_at=row.created_at,
        result=cast(TraceResult, row.result) if full else None,
        gap=cast(Gap, row.gap) if full else None,
        inputs_snapshot=row.inputs_snapshot if full else None,
    )


@router.post(
    "/enterprises/{enterprise_id}/evaluations",
    response_model=AssessmentOut,
    status_code=201,
    summary="企业自评：按基准日评价全部梯度（含追溯与差距分析），并保存结果",
    responses=NOT_FOUND,
)
def evaluate_enterprise(
    db: DbSession, principal: Assessor, ent: VisibleEnterprise, body: AssessmentRequest
) -> AssessmentOut:
    as_of = body.as_of or beijing_today()
    out = service.self_assess(db, ent, as_of=as_of, purpose=body.purpose, actor=principal.username)
    audit(
        db,
        principal,
        "criteria.evaluate",
        ("enterprise", ent.id),
        {
            "as_of": as_of.isoformat(),
            "purpose": body.purpose.value,
            "evaluations": [t.evaluation_id for t in out.tiers],
        },
    )
    return out


@router.get(
    "/enterprises/{enterprise_id}/evaluations",
    response_model=list[EvaluationOut],
    summary="企业的历次评价记录",
    responses=NOT_FOUND,
)
def list_evaluations(db: DbSession, principal: Assessor, ent: VisibleEnterprise) -> list[EvaluationOut]:
    return [_evaluation_out(r, full=False) for r in service.evaluations_of(db, ent.id)]


@router.get(
    "/evaluations/{evaluation_id}",
    response_model=EvaluationOut,
    summary="一条已保存的评价：输入快照、规则版本哈希与逐项追溯",
    responses=NOT_FOUND,
)
def get_evaluation(
    db: DbSession,
    principal: Assessor,
    evaluation_id: Annotated[int, Path(description="评价记录编号", ge=1, le=2**31 - 1)],
) -> EvaluationOut:
    row = db.get(Evaluation, evaluation_id)
    if row is None:
        raise EvaluationNotFound(evaluation_id)
    try:
        enterprise_service.get_visible(db, principal.scope, row.enterprise_id)
    except EnterpriseNotFound as exc:
        raise EvaluationNotFound(evaluation_id) from exc
    return _evaluation_out(row, full=True)


@router.post(
    "/self-assessment",
    response_model=AssessmentOut,
    summary="未注册企业自测：提交企业事实文档，按基准日评价全部梯度（不保存）",
)
def assess_posted_facts(body: FactsAssessmentRequest) -> AssessmentOut:
    return service.assess_facts(body.facts, as_of=body.as_of or beijing_today(), purpose=body.purpose)


@router.get(
    "/rule-sets", response_model=list[RuleSetSummary], summary="全部规则集（出处、生效日期、核实状态）"
)
def list_rule_sets() -> list[RuleSetSummary]:
    return service.rule_set_summaries()


@router.post(
    "/batch-runs", response_model=BatchRunOut, status_code=202, summary="发起批量评价（后台执行，可查询进度）"
)
def create_batch_run(
    db: DbSession,
    principal: Runner,
    body: BatchRunRequest,
    background: BackgroundTasks,
    sessions: TaskSessions,
) -> BatchRunOut:
    prefixes = principal.scope.region_prefixes
    region = body.region
    if prefixes is not None:
        if region is None:
            region = prefixes[0] if prefixes else None
        if region is None or not any(region.startswith(p) for p in prefixes):
            raise PermissionDenied("只能评价本辖区内的企业", "batch run outside the caller's region")
    run = batch_service.create_run(
        db,
        as_of=body.as_of or beijing_today(),
        purpose=body.purpose,
        region_prefix=region,
        actor=principal.username,
    )
    audit(
        db,
        principal,
        "criteria.batch_run",
        ("batch_run", run.id),
        {"as_of": run.as_of_date.isoformat(), "region": region},
    )
    db.commit()
    background.add_task(tasks.run_batch, run.id, sessions)
    return _run_out(run)


@router.get("/batch-runs", response_model=Page[BatchRunOut], summary="批量评价任务列表（分页）")
def list_batch_runs(
    db: DbSession, principal: RunReader, page: PageNo = 1, page_size: PageSize = 20
) -> Page[BatchRunOut]:
    prefixes = principal.scope.region_prefixes
    rows, total = service.runs_page(
        db, region_scope=list(prefixes) if prefixes is not None else None, page=page, page_size=page_size
    )
    return Page(items=[_run_out(r) for r in rows], total=total, page=page, page_size=page_size)


@router.get(
    "/batch-runs/{run_id}",
    response_model=BatchRunOut,
    summary="批量评价任务：进度与汇总（梯度漏斗、区县分布）",
    responses=NOT_FOUND,
)
def get_batch_run(db: DbSession, principal: RunReader, run_id: RunId) -> BatchRunOut:
    return _run_out(_run(db, principal, run_id))


@router.get(
    "/batch-runs/{run_id}/results",
    response_model=Page[BatchResultOut],
    summary="批量评价明细",
    responses=NOT_FOUND,
)
def get_batch_results(
    db: DbSession,
    principal: RunReader,
    run_id: RunId,
    tier: Annotated[str | None, Query(max_length=40, description="梯度")] = None,
    status: Annotated[str | None, Query(pattern="^(pass|fail|unknown)$", description="结果")] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[BatchResultOut]:
    run = _run(db, principal, run_id)
    prefixes = principal.scope.region_prefixes
    rows, total = service.results_page(
        db,
        run.id,
        tier=tier,
        status=status,
        page=page,
        page_size=page_size,
        region_scope=list(prefixes) if prefixes is not None else None,
    )
    items = [
        BatchResultOut(
            enterprise_id=e.id,
            uscc=e.uscc,
            name=e.name,
            region_code=e.region_code,
            tier=r.tier,
            rule_set_id=r.rule_set_id,
            status=r.status,
            total=r.total,
            conditions_failed=r.conditions_failed,
            conditions_unknown=r.conditions_unknown,
        )
        for r, e in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)


@router.get(
    "/batch-runs/{run_id}/seed-pool",
    response_model=list[SeedPoolEntry],
    summary="种子培育库：距目标梯度最近的企业（含差距分析）",
    responses=NOT_FOUND,
)
def get_seed_pool(
    db: DbSession,
    principal: RunReader,
    run_id: RunId,
    tier: Annotated[str, Query(max_length=40, description="目标梯度")] = "srdi_sme",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[SeedPoolEntry]:
    run = _run(db, principal, run_id)
    prefixes = principal.scope.region_prefixes
    return batch_service.seed_pool(
        db, run, tier=tier, limit=limit, region_scope=list(prefixes) if prefixes is not None else None
    )


@router.get(
    "/batch-runs/{run_id}/dynamic-management",
    response_model=DynamicManagementOut,
    summary="动态管理：新达标、风险、即将到期、应撤销、未按期更新",
    responses=NOT_FOUND,
)
def get_dynamic_management(
    db: DbSession,
    principal: RunReader,
    run_id: RunId,
    within_days: Annotated[int, Query(ge=1, le=1095, description="到期预警天数")] = 90,
    category: Annotated[
        DynamicCategory | None, Query(description="只取这一类的这一页（其余类为空列表，合计照常）")
    ] = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> DynamicManagementOut:
    run = _run(db, principal, run_id)
    prefixes = principal.scope.region_prefixes
    full = dynamic_service.dynamic_management(
        db, run, within_days=within_days, region_scope=list(prefixes) if prefixes is not None else None
    )
    return dynamic_service.paged(full, category, page, page_size)
