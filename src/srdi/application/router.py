"""HTTP endpoints of applications and review (申报与审核, PRODUCT C4).

Enterprises apply, upload and follow their own applications; officials review those in their region at the level
the chain gives their role; provincial officials draw experts and announce; experts see only their assignments,
blind (no enterprise name, USCC or address in any answer they can fetch). Outside a caller's scope an
application answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from srdi.application import service
from srdi.application.enums import (
    EVENT_LABELS,
    STATUS_LABELS,
    ApplicationStatus,
    AssignmentStatus,
    EventAction,
    ObjectionStatus,
)
from srdi.application.exceptions import ForbiddenFile
from srdi.application.models import (
    Application,
    ApplicationBatch,
    ApplicationEvent,
    EvidenceFile,
    Expert,
    ExpertAssignment,
    Objection,
)
from srdi.application.schemas import (
    AnnounceIn,
    ApplicationBatchIn,
    ApplicationBatchOut,
    ApplicationCreateIn,
    ApplicationDetailOut,
    ApplicationEventOut,
    ApplicationOut,
    ApplicationUpdateIn,
    AssignIn,
    AssignmentBrief,
    BlindAssignmentOut,
    BlindItemOut,
    ComparisonRow,
    EvidenceFileOut,
    EvidenceItemOut,
    ExpertAssignmentOut,
    ExpertIn,
    ExpertOut,
    ObjectionAnswerIn,
    ObjectionIn,
    ObjectionOut,
    PublicityRowOut,
    ReviewIn,
    ScoresIn,
    SheetItemOut,
)
from srdi.auth.dependencies import require_roles
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, ENTERPRISE_SELF, OFFICIALS, Role
from srdi.auth.service import Principal, audit
from srdi.criteria.service import tier_label
from srdi.db.session import DbSession
from srdi.enterprise import service as enterprise_service
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize
from srdi.rules_engine.schemas import TraceResult

router = APIRouter(tags=["申报与审核 applications"])

APP_USERS = (Role.admin, *OFFICIALS, *ENTERPRISE_SELF)
REVIEWERS = (Role.admin, *OFFICIALS)
BATCH_MANAGERS = (Role.admin, Role.provincial_official)
PUBLICITY_OFFICIALS = (Role.admin, Role.city_official, Role.provincial_official)
AppUser = Annotated[Principal, Depends(require_roles(*APP_USERS))]
Applicant = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]
Reviewer = Annotated[Principal, Depends(require_roles(*REVIEWERS))]
BatchManager = Annotated[Principal, Depends(require_roles(*BATCH_MANAGERS))]
PublicityOfficial = Annotated[Principal, Depends(require_roles(*PUBLICITY_OFFICIALS))]
ExpertUser = Annotated[Principal, Depends(require_roles(Role.expert))]
ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="申报编号")]
BatchId = Annotated[int, Path(ge=1, le=2**31 - 1, description="批次编号")]
FileId = Annotated[int, Path(ge=1, le=2**31 - 1, description="证明材料编号")]
AssignmentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="评审任务编号")]
ObjectionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="异议编号")]


def batch_out(b: ApplicationBatch) -> ApplicationBatchOut:
    return ApplicationBatchOut(
        id=b.id,
        name=b.name,
        tier=b.tier,
        tier_label=tier_label(b.tier),
        purpose=b.purpose,
        region_code=b.region_code,
        open_date=b.open_date,
        close_date=b.close_date,
        is_open=service.batch_is_open(b, service.today()),
        announced_date=b.announced_date,
        document_no=b.document_no,
    )


def _summary(db: Session, a: Application, batch_names: dict[int, str] | None = None) -> dict[str, Any]:
    names = batch_names or {a.batch_id: service.get_batch(db, a.batch_id).name}
    return {
        "id": a.id,
        "version": a.version,
        "batch_id": a.batch_id,
        "batch_name": names.get(a.batch_id, ""),
        "enterprise_id": a.enterprise_id,
        "enterprise_name": str(a.profile.get("name") or ""),
        "region_code": a.region_code,
        "tier": a.tier,
        "tier_label": tier_label(a.tier),
        "status": a.status,
        "status_label": STATUS_LABELS[ApplicationStatus(a.status)],
        "level": a.level,
        "level_label": service.level_label(a.level),
        "chain": list(a.chain),
        "chain_labels": [service.level_label(k) or k for k in a.chain],
        "self_status": a.self_status,
        "rule_set_id": a.rule_set_id,
        "rule_set_hash": a.rule_set_hash,
        "submitted_at": a.submitted_at,
        "correction_items": list(a.correction_items or []),
        "correction_due_date": a.correction_due_date,
        "reject_reason": a.reject_reason,
        "expert_score": a.expert_score,
        "expert_divergent": a.expert_divergent,
        "publicity_start_date": a.publicity_start_date,
        "publicity_end_date": a.publicity_end_date,
        "publicity_paused": a.publicity_paused,
        "recognition_id": a.recognition_id,
    }


def event_out(e: ApplicationEvent, *, for_enterprise: bool) -> ApplicationEventOut:
    detail = dict(e.detail or {})
    if for_enterprise and e.action == EventAction.assign_experts.value:
        detail = {"due_date": detail.get("due_date")}  # the enterprise is not told who reviews it
    return ApplicationEventOut(
        id=e.id,
        at=e.at,
        action=e.action,
        action_label=EVENT_LABELS[EventAction(e.action)],
        level=e.level,
        level_label=service.level_label(e.level),
        from_status=e.from_status,
        to_status=e.to_status,
        to_label=STATUS_LABELS[ApplicationStatus(e.to_status)] if e.to_status else None,
        actor_name=e.actor_name,
        reason=e.reason,
        detail=detail,
    )


def file_out(f: EvidenceFile) -> EvidenceFileOut:
    return EvidenceFileOut(
        id=f.id,
        item_id=f.item_id,
        filename=f.filename,
        content_type=f.content_type,
        size_bytes=f.size_bytes,
        sha256=f.sha256,
        uploaded_by=f.uploaded_by,
        uploaded_at=f.uploaded_at,
    )


def objection_out(o: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=o.id,
        content=o.content,
        received_date=o.received_date,
        recorded_by=o.recorded_by,
        status=o.status,
        status_label=ObjectionStatus(o.status).label,
        answer=o.answer,
        answered_date=o.answered_date,
    )


def allowed_actions(a: Application, principal: Principal) -> list[str]:
    role = principal.role
    status = ApplicationStatus(a.status)
    if role in ENTERPRISE_BOUND_ROLES:
        return (
            ["edit", "upload", "submit"]
            if status in {ApplicationStatus.draft, ApplicationStatus.returned}
            else []
        )
    out: list[str] = []
    if status is ApplicationStatus.in_review and a.level:
        level = service.workflow().level(a.level)
        if role is Role.admin or role is level.role:
            out += ["review"] if level.kind == "review" else ["assign_experts"]
    if status is ApplicationStatus.publicity and role in PUBLICITY_OFFICIALS:
        out.append("objection")
    return out


def detail_out(db: Session, a: Application, principal: Principal) -> ApplicationDetailOut:
    files = service.files_of(db, a)
    for_ent = principal.role in ENTERPRISE_BOUND_ROLES
    experts = {e.id: e for e in service.experts(db)}
    assignments = [
        AssignmentBrief(
            id=r.id,
            expert_name="评审专家" if for_ent else experts[r.expert_id].name,
            status=r.status,
            status_label=AssignmentStatus(r.status).label,
            due_date=r.due_date,
            total=None if for_ent else r.total,
        )
        for r in service.assignments_of(db, a)
    ]
    return ApplicationDetailOut(
        **_summary(db, a),
        profile=dict(a.profile),
        statement=a.statement,
        pledge_accepted=a.pledge_accepted,
        as_of_date=a.as_of_date,
        trace=cast(TraceResult, a.trace),
        evidence_items=[
            EvidenceItemOut(
                id=i.id,
                label=i.label,
                rule_label=i.rule_label,
                required=i.required,
                file_ids=[f.id for f in files if f.item_id == i.id],
            )
            for i in service.evidence_items(a)
        ],
        files=[file_out(f) for f in files],
        events=[event_out(e, for_enterprise=for_ent) for e in service.events_of(db, a)],
        assignments=assignments,
        objections=[objection_out(o) for o in service.objections_of(db, a)],
        allowed_actions=allowed_actions(a, principal),
    )


# --- batches ---------------------------------------------------------------------------------------------------


@router.get("/application-batches", response_model=list[ApplicationBatchOut], summary="申报批次")
def list_batches(db: DbSession, principal: AppUser) -> list[ApplicationBatchOut]:
    rows = service.batches(db)
    if principal.role in ENTERPRISE_BOUND_ROLES:
        ent = enterprise_service.get_or_404(db, principal.user.enterprise_id or 0)
        rows = [b for b in rows if ent.region_code.startswith(b.region_code)]
    elif principal.role is not Role.admin:
        prefix = principal.user.region_code or "--"
        rows = [b for b in rows if b.region_code.startswith(prefix) or prefix.startswith(b.region_code)]
    return [batch_out(b) for b in rows]


@router.post(
    "/application-batches", response_model=ApplicationBatchOut, status_code=201, summary="开设申报批次"
)
def create_batch(body: ApplicationBatchIn, db: DbSession, principal: BatchManager) -> ApplicationBatchOut:
    b = service.create_batch(
        db,
        service.BatchData(
            name=body.name.strip(),
            tier=body.tier,
            purpose=body.purpose,
            region_code=body.region_code,
            open_date=body.open_date,
            close_date=body.close_date,
        ),
        principal.user,
    )
    audit(db, principal, "application.batch.create", ("application_batch", b.id), {"name": b.name})
    return batch_out(b)


@router.get(
    "/application-batches/{batch_id}/publicity", response_model=list[PublicityRowOut], summary="公示名单"
)
def publicity(batch_id: BatchId, db: DbSession, principal: AppUser) -> list[PublicityRowOut]:
    batch = service.get_batch(db, batch_id)
    return [
        PublicityRowOut(
            application_id=a.id,
            enterprise_name=str(a.profile.get("name") or ""),
            region_code=a.region_code,
            tier_label=tier_label(a.tier),
            status_label=STATUS_LABELS[ApplicationStatus(a.status)],
            publicity_start_date=a.publicity_start_date,
            publicity_end_date=a.publicity_end_date,
            publicity_paused=a.publicity_paused,
        )
        for a in service.publicity_list(db, batch)
    ]


@router.post(
    "/application-batches/{batch_id}/announcement",
    response_model=list[ApplicationOut],
    summary="公告认定（创建认定记录）",
)
def announce(
    batch_id: BatchId, body: AnnounceIn, db: DbSession, principal: BatchManager
) -> list[dict[str, Any]]:
    apps = service.announce(db, principal.user, batch_id, body.document_no)
    audit(
        db, principal, "application.announce", ("application_batch", batch_id),
        {"applications": [a.id for a in apps], "document_no": body.document_no},
    )  # fmt: skip
    return [_summary(db, a) for a in apps]


# --- applications ----------------------------------------------------------------------------------------------


@router.get("/applications", response_model=Page[ApplicationOut], summary="申报列表（审核队列；分页）")
def list_applications(
    db: DbSession,
    principal: AppUser,
    status: Annotated[ApplicationStatus | None, Query(description="按状态筛选")] = None,
    awaiting_me: Annotated[bool, Query(description="只看待本人所在层级审核的")] = False,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> Page[dict[str, Any]]:
    rows, total = service.page_for(
        db,
        principal.user,
        status=status.value if status else None,
        awaiting_me=awaiting_me,
        page=page,
        page_size=page_size,
    )
    names = {b.id: b.name for b in service.batches(db)}
    return Page(items=[_summary(db, a, names) for a in rows], total=total, page=page, page_size=page_size)


@router.post(
    "/applications", response_model=ApplicationDetailOut, status_code=201, summary="新建申报（草稿）"
)
def create_application(
    body: ApplicationCreateIn, db: DbSession, principal: Applicant
) -> ApplicationDetailOut:
    ent = enterprise_service.get_or_404(db, principal.user.enterprise_id or 0)
    batch = service.get_batch(db, body.batch_id)
    a = service.create_application(db, ent, batch, principal.user)
    audit(db, principal, "application.create", ("application", a.id), {"batch_id": batch.id})
    return detail_out(db, a, principal)


@router.get("/applications/{application_id}", response_model=ApplicationDetailOut, summary="申报详情与时间线")
def get_application(application_id: ApplicationId, db: DbSession, principal: AppUser) -> ApplicationDetailOut:
    return detail_out(db, service.get_visible(db, principal.user, application_id), principal)


@router.patch(
    "/applications/{application_id}", response_model=ApplicationDetailOut, summary="填写申报说明与承诺"
)
def update_application(
    application_id: ApplicationId, body: ApplicationUpdateIn, db: DbSession, principal: Applicant
) -> ApplicationDetailOut:
    a = service.update_draft(
        db, principal.user, application_id, statement=body.statement, pledge=body.pledge_accepted
    )
    audit(db, principal, "application.update", ("application", a.id), body.model_dump(exclude_none=True))
    return detail_out(db, a, principal)


@router.post(
    "/applications/{application_id}/submission", response_model=ApplicationDetailOut, summary="提交申报"
)
def submit_application(
    application_id: ApplicationId, db: DbSession, principal: Applicant
) -> ApplicationDetailOut:
    a = service.submit(db, principal.user, application_id)
    audit(db, principal, "application.submit", ("application", a.id), {"level": a.level})
    return detail_out(db, a, principal)


@router.post(
    "/applications/{application_id}/reviews",
    response_model=ApplicationDetailOut,
    summary="审核：通过、退回补正或不予通过",
)
def review_application(
    application_id: ApplicationId, body: ReviewIn, db: DbSession, principal: Reviewer
) -> ApplicationDetailOut:
    a = service.review(
        db,
        principal.user,
        application_id,
        service.ReviewData(
            action=body.action,
            level=body.level,
            reason=body.reason,
            items=body.items,
            verified=[
                service.VerifiedValue(v.figure, v.fiscal_year, v.value, v.note) for v in body.verified_values
            ],
        ),
    )
    audit(
        db, principal, "application.review", ("application", a.id),
        {"action": body.action.value, "level": body.level,
         "verified_values": [v.model_dump(mode="json") for v in body.verified_values]},
    )  # fmt: skip
    return detail_out(db, a, principal)


@router.get(
    "/applications/{application_id}/comparison",
    response_model=list[ComparisonRow],
    summary="申报值与企业库现值对照",
)
def compare(application_id: ApplicationId, db: DbSession, principal: Reviewer) -> list[dict[str, Any]]:
    return service.comparison(db, service.get_visible(db, principal.user, application_id))


@router.post(
    "/applications/{application_id}/expert-assignments",
    response_model=list[ExpertAssignmentOut],
    status_code=201,
    summary="双随机抽取评审专家",
)
def assign(
    application_id: ApplicationId, body: AssignIn, db: DbSession, principal: BatchManager
) -> list[ExpertAssignmentOut]:
    rows = service.assign_experts(
        db, principal.user, application_id, count=body.count, seed=body.seed, expert_ids=body.expert_ids
    )
    experts = {e.id: e for e in service.experts(db)}
    audit(
        db, principal, "application.assign_experts", ("application", application_id),
        {"experts": [r.expert_id for r in rows], "seed": rows[0].seed if rows else None},
    )  # fmt: skip
    return [
        ExpertAssignmentOut(
            id=r.id,
            application_id=r.application_id,
            expert_id=r.expert_id,
            expert_name=experts[r.expert_id].name,
            seed=r.seed,
            due_date=r.due_date,
        )
        for r in rows
    ]


@router.post(
    "/applications/{application_id}/objections",
    response_model=ObjectionOut,
    status_code=201,
    summary="登记公示期异议",
)
def add_objection(
    application_id: ApplicationId, body: ObjectionIn, db: DbSession, principal: PublicityOfficial
) -> ObjectionOut:
    o = service.record_objection(db, principal.user, application_id, body.content)
    audit(db, principal, "application.objection", ("application", application_id), {"objection_id": o.id})
    return objection_out(o)


@router.post("/application-objections/{objection_id}/answer", response_model=ObjectionOut, summary="答复异议")
def answer_objection(
    objection_id: ObjectionId, body: ObjectionAnswerIn, db: DbSession, principal: PublicityOfficial
) -> ObjectionOut:
    o = service.answer_objection(db, principal.user, objection_id, upheld=body.upheld, answer=body.answer)
    audit(
        db,
        principal,
        "application.objection.answer",
        ("application_objection", o.id),
        {"upheld": body.upheld},
    )
    return objection_out(o)


# --- evidence files --------------------------------------------------------------------------------------------


@router.post("/evidence-files", response_model=EvidenceFileOut, status_code=201, summary="上传证明材料")
def upload_evidence(
    db: DbSession,
    principal: Applicant,
    application_id: Annotated[int, Form(ge=1, le=2**31 - 1, description="申报编号")],
    item_id: Annotated[str, Form(min_length=1, max_length=40, description="材料项（认定条件或指标编号）")],
    file: Annotated[UploadFile, File(description="PDF、PNG 或 JPEG")],
) -> EvidenceFileOut:
    limit = service.max_evidence_bytes()
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise ForbiddenFile(
            f"文件过大，单个文件不能超过 {limit // (1024 * 1024)} MiB", f"file exceeds {limit} bytes"
        )
    row = service.store_evidence(db, principal.user, application_id, item_id, file.filename or "", content)
    audit(
        db, principal, "application.evidence.upload", ("evidence_file", row.id),
        {"application_id": application_id, "item_id": item_id, "sha256": row.sha256},
    )  # fmt: skip
    return file_out(row)


@router.get(
    "/evidence-files/{file_id}",
    summary="下载证明材料（留痕）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
def download_evidence(file_id: FileId, db: DbSession, principal: AppUser) -> Response:
    row, path = service.evidence_file(db, principal.user, file_id)
    audit(
        db, principal, "application.evidence.download", ("evidence_file", row.id),
        {"application_id": row.application_id, "sha256": row.sha256},
    )  # fmt: skip
    ascii_name = (
        "evidence-"
        + str(row.id)
        + {"application/pdf": ".pdf", "image/png": ".png"}.get(row.content_type, ".jpg")
    )
    return Response(
        content=path.read_bytes(),
        media_type=row.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete("/evidence-files/{file_id}", status_code=204, summary="删除证明材料")
def delete_evidence(file_id: FileId, db: DbSession, principal: Applicant) -> Response:
    a = service.remove_evidence(db, principal.user, file_id)
    audit(db, principal, "application.evidence.delete", ("evidence_file", file_id), {"application_id": a.id})
    return Response(status_code=204)


# --- experts ---------------------------------------------------------------------------------------------------


def expert_out(e: Expert) -> ExpertOut:
    return ExpertOut(
        id=e.id,
        name=e.name,
        region_code=e.region_code,
        fields=list(e.fields or []),
        declared_enterprise_ids=list(e.declared_enterprise_ids or []),
        user_id=e.user_id,
        active=e.active,
    )


@router.get("/experts", response_model=list[ExpertOut], summary="评审专家库")
def list_experts(db: DbSession, principal: BatchManager) -> list[ExpertOut]:
    return [expert_out(e) for e in service.experts(db)]


@router.post("/experts", response_model=ExpertOut, status_code=201, summary="专家入库")
def create_expert(body: ExpertIn, db: DbSession, principal: BatchManager) -> ExpertOut:
    e = service.create_expert(
        db,
        service.ExpertData(
            name=body.name,
            region_code=body.region_code,
            fields=body.fields,
            declared_enterprise_ids=body.declared_enterprise_ids,
            user_id=body.user_id,
        ),
    )
    audit(db, principal, "application.expert.create", ("expert", e.id), {"name": e.name})
    return expert_out(e)


def blind_out(db: Session, r: ExpertAssignment) -> BlindAssignmentOut:
    a = service.get_application(db, r.application_id)
    items = [
        BlindItemOut(
            id=i["id"],
            label=i.get("label", i["id"]),
            kind=i.get("kind"),
            claimed=service.mask_deep(i.get("shown", {}), a),
            self_value=i.get("value"),
        )
        for i in a.trace.get("items", [])
        if i.get("kind") in ("condition", "indicator", "direct_route")
    ]
    return BlindAssignmentOut(
        id=r.id,
        code=f"盲审-{r.id:05d}",
        tier=a.tier,
        tier_label=tier_label(a.tier),
        industry_code=str(a.profile.get("industry_code") or ""),
        size_class=a.profile.get("size_class"),
        status=r.status,
        status_label=AssignmentStatus(r.status).label,
        due_date=r.due_date,
        sheet=[
            SheetItemOut(id=s.id, label=s.label, max_points=s.max_points) for s in service.scoring_sheet(a)
        ],
        items=items,
        scores=dict(r.scores or {}),
        total=r.total,
        comment=r.comment,
    )


@router.get("/expert/assignments", response_model=list[BlindAssignmentOut], summary="我的评审任务（盲审）")
def my_assignments(db: DbSession, principal: ExpertUser) -> list[BlindAssignmentOut]:
    return [blind_out(db, r) for r in service.my_assignments(db, principal.user)]


@router.get(
    "/expert/assignments/{assignment_id}", response_model=BlindAssignmentOut, summary="评审任务详情（盲审）"
)
def my_assignment(assignment_id: AssignmentId, db: DbSession, principal: ExpertUser) -> BlindAssignmentOut:
    return blind_out(db, service.my_assignment(db, principal.user, assignment_id))


@router.put(
    "/expert/assignments/{assignment_id}/scores", response_model=BlindAssignmentOut, summary="提交评分"
)
def score(
    assignment_id: AssignmentId, body: ScoresIn, db: DbSession, principal: ExpertUser
) -> BlindAssignmentOut:
    r = service.submit_scores(db, principal.user, assignment_id, body.scores, body.comment)
    audit(db, principal, "application.expert.score", ("expert_assignment", r.id), {"total": r.total})
    return blind_out(db, r)
