"""HTTP endpoints of the monitoring views under /api/v1/monitoring (officials and administrators)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Response

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import Role
from srdi.auth.service import Principal, audit
from srdi.db.session import DbSession, SessionFactory, get_task_session_factory
from srdi.kit.workdays import beijing_today
from srdi.monitoring import aggregates, report, service, targets, tasks
from srdi.monitoring.schemas import (
    DistrictSummary,
    Freshness,
    IndustryCount,
    MeasureOut,
    OverviewOut,
    RegionCount,
    ReportedFigureIn,
    ReportedFigureOut,
    ReportIn,
    ReportOut,
    TargetIn,
    TargetProgressOut,
)

router = APIRouter(prefix="/monitoring", tags=["监测评价 monitoring"])
TaskSessions = Annotated[SessionFactory, Depends(get_task_session_factory)]
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


# --- targets, overview, reports (issue 18) -------------------------------------------------------------------

Manager = Annotated[
    Principal,
    Depends(require_roles(Role.district_official, Role.city_official, Role.provincial_official, Role.admin)),
]
Period = Annotated[
    str | None,
    Query(
        description="期间：2026（年）、2026H1、2026Q3 或 2026-09；默认本季度",
        min_length=4,
        max_length=10,
        pattern=r"^\d{4}(Q[1-4]|H[12]|-(0[1-9]|1[0-2]))?$",
    ),
]
Region = Annotated[
    str | None,
    Query(
        description="行政区划代码前缀（省2位/市4位/区县6位），默认本人辖区", pattern=r"^\d{2}(\d{2}){0,2}$"
    ),
]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def current_quarter(today: date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@router.get("/measures", response_model=list[MeasureOut], summary="可设定目标的指标")
def list_measures(principal: Official) -> list[MeasureOut]:
    return service.measures_out()


@router.get("/targets", response_model=list[TargetProgressOut], summary="目标及完成进度（本人辖区内）")
def list_targets(
    db: DbSession,
    principal: Official,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度，默认今年")] = None,
    region: Region = None,
) -> list[TargetProgressOut]:
    today = beijing_today()
    scope = _scope(principal)
    service.check_region(region, scope)
    return service.targets_for(db, region, scope, year or today.year, today, children=True)


@router.put("/targets", response_model=TargetProgressOut, summary="设定或修改目标（如下达区县的分解目标）")
def put_target(db: DbSession, principal: Manager, body: TargetIn) -> TargetProgressOut:
    row = service.set_target(db, body, _scope(principal), principal.username)
    audit(db, principal, "monitoring.target.set", ("monitoring_target", row.id), body.model_dump(mode="json"))
    t = next(t for t, tid in service.all_targets(db, _scope(principal)) if tid == row.id)
    return service.target_progress(db, t, row.id, beijing_today())


@router.delete("/targets/{target_id}", status_code=204, summary="删除官员设定的目标")
def remove_target(db: DbSession, principal: Manager, target_id: Id) -> Response:
    row = service.delete_target(db, target_id, _scope(principal))
    audit(
        db, principal, "monitoring.target.delete", ("monitoring_target", target_id), {"measure": row.measure}
    )
    return Response(status_code=204)


@router.post(
    "/reported-figures",
    response_model=ReportedFigureOut,
    status_code=201,
    summary="填报完成值（培训、活动等）",
)
def post_reported_figure(db: DbSession, principal: Manager, body: ReportedFigureIn) -> ReportedFigureOut:
    row = service.report_figure(db, body, _scope(principal), principal.username)
    audit(
        db,
        principal,
        "monitoring.figure.report",
        ("monitoring_reported_figure", row.id),
        body.model_dump(mode="json"),
    )
    return ReportedFigureOut(**body.model_dump(), id=row.id, reported_by=row.reported_by)


@router.get(
    "/overview", response_model=OverviewOut, summary="监测看板：省→市→区县钻取、进出、同比、诉求、资金、目标"
)
def get_overview(
    db: DbSession,
    principal: Official,
    background: BackgroundTasks,
    sessions: TaskSessions,
    region: Region = None,
    period: Period = None,
) -> OverviewOut:
    today = beijing_today()
    out = service.overview(
        db, region, _scope(principal), targets.parse_period(period or current_quarter(today)), today
    )
    if out.freshness.stale:
        background.add_task(tasks.refresh_aggregates, sessions, "stale_read")
    return out


@router.post("/aggregates/refresh", response_model=Freshness, summary="立即刷新预汇总（管理员）")
def refresh_aggregates(
    db: DbSession, principal: Annotated[Principal, Depends(require_roles(Role.admin))]
) -> Freshness:
    ref = aggregates.refresh(db, beijing_today(), trigger="api")
    audit(db, principal, "monitoring.aggregates.refresh", ("monitoring_aggregate_refresh", ref.id), None)
    return Freshness(source="aggregate", refreshed_at=ref.refreshed_at, stale=False)


@router.post("/reports", response_model=ReportOut, status_code=202, summary="生成通报（后台任务）")
def create_report(
    db: DbSession, principal: Manager, body: ReportIn, background: BackgroundTasks, sessions: TaskSessions
) -> ReportOut:
    rep = report.create(db, body.period, body.region_code, body.fmt, _scope(principal), principal.username)
    audit(
        db, principal, "monitoring.report.create", ("monitoring_report", rep.id), body.model_dump(mode="json")
    )
    background.add_task(tasks.build_report, rep.id, sessions)
    return report.out(rep)


@router.get("/reports", response_model=list[ReportOut], summary="通报存档（本人辖区内）")
def list_reports(db: DbSession, principal: Official) -> list[ReportOut]:
    return [report.out(r) for r in report.archive(db, _scope(principal))]


@router.get("/reports/{report_id}", response_model=ReportOut, summary="通报生成进度")
def get_report(db: DbSession, principal: Official, report_id: Id) -> ReportOut:
    return report.out(report.get_visible(db, report_id, _scope(principal)))


@router.get("/reports/{report_id}/file", summary="下载通报文件", response_class=Response)
def download_report(db: DbSession, principal: Official, report_id: Id) -> Response:
    rep = report.get_visible(db, report_id, _scope(principal))
    content = report.content_of(rep)
    audit(db, principal, "monitoring.report.export", ("monitoring_report", rep.id), {"fmt": rep.fmt})
    return Response(
        content,
        media_type=report.MEDIA_TYPES[rep.fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(rep.filename or 'report')}"},
    )
