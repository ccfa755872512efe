"""HTTP endpoints of 动态管理 (CRITERIA §7): annual update tasks, major-change reports and revocation.

An enterprise sees and submits its own tasks and reports; officials see those in their region, open a year's
tasks, acknowledge updates and reports; provincial officials revoke a recognition. Outside the caller's scope a
task, report or recognition answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from srdi.application import dynamic_service as service
from srdi.application.enums import MajorChangeKind, MajorChangeStatus, UpdateTaskStatus
from srdi.application.models import AnnualUpdateTask, MajorChangeReport, RecognitionRevocation
from srdi.application.schemas import (
    AcknowledgeIn,
    AnnualUpdateOpenIn,
    AnnualUpdateSubmitIn,
    AnnualUpdateSubmitOut,
    AnnualUpdateTaskOut,
    MajorChangeIn,
    MajorChangeOut,
    ReReviewCandidateOut,
    ReReviewCandidatePage,
    RevocationIn,
    RevocationKindOut,
    RevocationOut,
)
from srdi.auth.dependencies import require_roles
from srdi.auth.enums import ENTERPRISE_SELF, OFFICIALS, Role
from srdi.auth.service import Principal, audit
from srdi.criteria.service import tier_label
from srdi.db.session import DbSession
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.enterprise.enums import LABELS, RecognitionStatus
from srdi.kit.params import PageNo, PageSize

router = APIRouter(tags=["动态管理 dynamic management"])

DynUser = Annotated[Principal, Depends(require_roles(Role.admin, *OFFICIALS, *ENTERPRISE_SELF))]
Enterprise = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]
Official = Annotated[Principal, Depends(require_roles(Role.admin, *OFFICIALS))]
CertificateReader = Annotated[
    Principal, Depends(require_roles(Role.admin, Role.service_commissioner, *OFFICIALS, *ENTERPRISE_SELF))
]
Revoker = Annotated[Principal, Depends(require_roles(Role.admin, Role.provincial_official))]
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1, description="年度更新任务编号")]
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="重大变化报告编号")]
RecognitionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="认定记录编号")]


def task_out(t: AnnualUpdateTask, names: dict[int, str]) -> AnnualUpdateTaskOut:
    return AnnualUpdateTaskOut(
        id=t.id,
        enterprise_id=t.enterprise_id,
        enterprise_name=names.get(t.enterprise_id, ""),
        region_code=t.region_code,
        year=t.year,
        fiscal_year=t.fiscal_year,
        regime=t.regime,
        deadline_date=t.deadline_date,
        status=t.status,
        status_label=UpdateTaskStatus(t.status).label,
        overdue=service.is_overdue(t),
        consequence=service.consequence(t.regime),
        tiers=list(t.tiers or []),
        tier_labels=[tier_label(x) for x in t.tiers or []],
        submitted_at=t.submitted_at,
        submitted_by=t.submitted_by,
        note=t.note,
        acknowledged_at=t.acknowledged_at,
        acknowledged_by=t.acknowledged_by,
        overdue_at=t.overdue_at,
    )


def _tasks_out(db: Session, rows: list[AnnualUpdateTask]) -> list[AnnualUpdateTaskOut]:
    names = service.enterprise_names(db, {t.enterprise_id for t in rows})
    return [task_out(t, names) for t in rows]


def report_out(r: MajorChangeReport, names: dict[int, str]) -> MajorChangeOut:
    return MajorChangeOut(
        id=r.id,
        enterprise_id=r.enterprise_id,
        enterprise_name=names.get(r.enterprise_id, ""),
        region_code=r.region_code,
        kind=r.kind,
        kind_label=MajorChangeKind(r.kind).label,
        change_date=r.change_date,
        due_date=r.due_date,
        late=r.late,
        description=r.description,
        old_name=r.old_name,
        new_name=r.new_name,
        status=r.status,
        status_label=MajorChangeStatus(r.status).label,
        reported_by=r.reported_by,
        acknowledged_by=r.acknowledged_by,
        acknowledgement_note=r.acknowledgement_note,
    )


def revocation_out(r: RecognitionRevocation) -> RevocationOut:
    return RevocationOut(
        recognition_id=r.recognition_id,
        enterprise_id=r.enterprise_id,
        kind=r.kind,
        kind_label=LABELS.get(r.kind, r.kind),
        severity=r.severity,
        severity_label=service.severity_label(r.severity),
        reason=r.reason,
        revoked_date=r.revoked_date,
        ban_until=r.ban_until,
        recorded_by=r.recorded_by,
    )


@router.get("/annual-updates", response_model=list[AnnualUpdateTaskOut], summary="年度更新任务")
def list_tasks(
    db: DbSession,
    principal: DynUser,
    status: Annotated[str | None, Query(max_length=20, description="按状态筛选；late 为已逾期")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="更新年份")] = None,
) -> list[AnnualUpdateTaskOut]:
    return _tasks_out(db, service.update_tasks(db, principal.user, status=status, year=year))


@router.post(
    "/annual-updates/generation",
    response_model=list[AnnualUpdateTaskOut],
    status_code=201,
    summary="开启年度更新（为辖区内已认定企业生成任务）",
)
def open_tasks(body: AnnualUpdateOpenIn, db: DbSession, principal: Official) -> list[AnnualUpdateTaskOut]:
    rows = service.open_annual_updates(db, principal.user, body.year)
    audit(db, principal, "dynamic.annual_update.open", None, {"year": body.year, "created": len(rows)})
    return _tasks_out(db, rows)


@router.get("/annual-updates/{task_id}", response_model=AnnualUpdateTaskOut, summary="年度更新任务详情")
def get_task(task_id: TaskId, db: DbSession, principal: DynUser) -> AnnualUpdateTaskOut:
    return _tasks_out(db, [service.get_task(db, principal.user, task_id)])[0]


@router.post(
    "/annual-updates/{task_id}/submission", response_model=AnnualUpdateSubmitOut, summary="提交年度更新"
)
def submit_task(
    task_id: TaskId, body: AnnualUpdateSubmitIn, db: DbSession, principal: Enterprise
) -> AnnualUpdateSubmitOut:
    task, notice = service.submit_annual_update(db, principal.user, task_id, body.figures, body.note)
    audit(db, principal, "dynamic.annual_update.submit", ("annual_update_task", task.id), {"year": task.year})
    return AnnualUpdateSubmitOut(task=_tasks_out(db, [task])[0], provenance_notice=notice)


@router.post(
    "/annual-updates/{task_id}/acknowledgement", response_model=AnnualUpdateTaskOut, summary="确认年度更新"
)
def acknowledge_task(
    task_id: TaskId, body: AcknowledgeIn, db: DbSession, principal: Official
) -> AnnualUpdateTaskOut:
    task = service.acknowledge_annual_update(db, principal.user, task_id, body.note)
    audit(db, principal, "dynamic.annual_update.acknowledge", ("annual_update_task", task.id), {})
    return _tasks_out(db, [task])[0]


@router.get("/major-changes", response_model=list[MajorChangeOut], summary="重大变化报告")
def list_reports(db: DbSession, principal: DynUser) -> list[MajorChangeOut]:
    rows = service.major_changes(db, principal.user)
    names = service.enterprise_names(db, {r.enterprise_id for r in rows})
    return [report_out(r, names) for r in rows]


@router.post("/major-changes", response_model=MajorChangeOut, status_code=201, summary="报告重大变化")
def create_report(body: MajorChangeIn, db: DbSession, principal: Enterprise) -> MajorChangeOut:
    r = service.report_major_change(
        db, principal.user, body.kind, body.change_date, body.description, new_name=body.new_name
    )
    audit(db, principal, "dynamic.major_change.report", ("major_change_report", r.id), {"kind": r.kind})
    return report_out(r, service.enterprise_names(db, {r.enterprise_id}))


@router.post(
    "/major-changes/{report_id}/acknowledgement", response_model=MajorChangeOut, summary="确认重大变化报告"
)
def acknowledge_report(
    report_id: ReportId, body: AcknowledgeIn, db: DbSession, principal: Official
) -> MajorChangeOut:
    r = service.acknowledge_major_change(db, principal.user, report_id, body.note)
    audit(db, principal, "dynamic.major_change.acknowledge", ("major_change_report", r.id), {})
    return report_out(r, service.enterprise_names(db, {r.enterprise_id}))


@router.get(
    "/re-review-candidates", response_model=ReReviewCandidatePage, summary="复核候选（即将到期的认定；分页）"
)
def re_review_candidates(
    db: DbSession, principal: Official, page: PageNo = 1, page_size: PageSize = 20
) -> ReReviewCandidatePage:
    from srdi.application.service import workflow

    rows, total, horizon = service.re_review_candidates(db, principal.user, page=page, page_size=page_size)
    items = [
        ReReviewCandidateOut(
            recognition_id=c.recognition.id,
            enterprise_id=c.recognition.enterprise_id,
            enterprise_name=c.enterprise_name,
            region_code=c.region_code,
            tier=c.recognition.tier,
            tier_label=tier_label(c.recognition.tier),
            announced_date=c.recognition.announced_date,
            valid_until=c.recognition.valid_until,
            recognition_status=c.recognition.status,
            recognition_status_label=RecognitionStatus(c.recognition.status).label,
            state=c.state.value,
            state_label=c.state.label,
            application_id=c.application_id,
            lost_reason=(
                f"未在{c.lost.deadline_date}前更新{c.lost.fiscal_year}年度数据"
                if c.lost is not None
                else None
            ),
            batch_close_date=c.batch_close_date,
        )
        for c in rows
    ]
    return ReReviewCandidatePage(
        items=items, total=total, page=page, page_size=page_size, horizon=horizon,
        months=workflow().re_review_candidate_months,
    )  # fmt: skip


@router.get("/revocation-kinds", response_model=list[RevocationKindOut], summary="撤销认定的情形")
def revocation_kinds(principal: Official) -> list[RevocationKindOut]:
    return [
        RevocationKindOut(
            kind=k.kind,
            label=k.label,
            severities=list(k.severities),
            severity_labels=[service.severity_label(s) or s for s in k.severities],
            bars_application=service.rec_reason_bars(k.reason),
        )
        for k in service.revocation_kinds()
    ]


@router.post(
    "/recognitions/{recognition_id}/revocation",
    response_model=RevocationOut,
    status_code=201,
    summary="撤销认定",
)
def revoke(
    recognition_id: RecognitionId, body: RevocationIn, db: DbSession, principal: Revoker
) -> RevocationOut:
    r = service.revoke(
        db, principal.user, recognition_id, kind=body.kind, severity=body.severity, reason=body.reason
    )
    audit(
        db, principal, "dynamic.revoke", ("recognition", recognition_id),
        {"kind": r.kind, "severity": r.severity, "ban_until": str(r.ban_until) if r.ban_until else None},
    )  # fmt: skip
    return revocation_out(r)


@router.get(
    "/enterprises/{enterprise_id}/recognitions/{recognition_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "认定证书 PDF"}},
    summary="认定证书（PDF）",
)
def certificate(
    recognition_id: RecognitionId, db: DbSession, principal: CertificateReader, e: VisibleEnterprise
) -> Response:
    rec, pdf = service.certificate_pdf(e, recognition_id)
    audit(db, principal, "dynamic.certificate.download", ("recognition", rec.id), {"enterprise_id": e.id})
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename=certificate-{rec.id}.pdf"},
    )
