"""HTTP endpoints of the appeals closed loop.

Enterprises file and follow their own appeals; the officials of the enterprise's area and its 服务专员 receive,
dispatch and close them; department handlers see and answer the appeals dispatched (or 协办) to their unit.
Outside a caller's scope an appeal answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from srdi.appeal import attachment_service, service
from srdi.appeal.enums import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    REJECT_REASON_LABELS,
    STATUS_LABELS,
    AppealAction,
    AppealStatus,
    Channel,
    DepartmentLevel,
    RejectReason,
    Stage,
)
from srdi.appeal.exceptions import AppealNotFound, AttachmentNotFound, InvalidAppeal
from srdi.appeal.models import Appeal, AppealAttachment, AppealEvent, Department
from srdi.appeal.schemas import (
    AppealDetailOut,
    AppealEventOut,
    AppealIn,
    AppealOut,
    AppealPage,
    AttachmentOut,
    CalendarDayOut,
    CalendarOut,
    CalendarYearIn,
    CalendarYearOut,
    CategoryOut,
    DepartmentIn,
    DepartmentOut,
    KpiReportOut,
    NoticeOut,
    SuggestionIn,
    SuggestionOut,
    SweepOut,
    TransitionIn,
    TransitionRuleOut,
)
from srdi.auth.dependencies import current_user, require_roles
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, ENTERPRISE_SELF, OFFICIALS, Role
from srdi.auth.service import Principal, audit
from srdi.casework import service as casework_service
from srdi.db.session import DbSession
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.kit.params import PageNo, PageSize
from srdi.kit.reference import regions
from srdi.kit.workdays import DayOverride, WorkdayCalendar, beijing_today

router = APIRouter(tags=["诉求 appeals"])

Anyone = Annotated[Principal, Depends(current_user)]
STAFF = (Role.admin, *OFFICIALS, Role.service_commissioner, Role.department_handler)
INTAKE_STAFF = (Role.admin, *OFFICIALS, Role.service_commissioner)
APPEAL_USERS = (*STAFF, *ENTERPRISE_SELF)
AppealUser = Annotated[Principal, Depends(require_roles(*APPEAL_USERS))]
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]
KpiReader = Annotated[Principal, Depends(require_roles(Role.admin, *OFFICIALS, Role.service_commissioner))]
Filer = Annotated[Principal, Depends(require_roles(*INTAKE_STAFF, *ENTERPRISE_SELF))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
AppealId = Annotated[int, Path(ge=1, le=2**31 - 1, description="诉求编号")]
DepartmentKey = Annotated[str, Path(min_length=2, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]
Year = Annotated[int, Path(ge=2000, le=2100, description="年份")]


def appeal_scope(db: Session, principal: Principal) -> service.AppealScope:
    ids = (
        casework_service.enterprise_ids_of(db, principal.user.id)
        if principal.role is Role.service_commissioner
        else None
    )
    return service.scope_of(db, principal.user, ids)


def region_name(code: str) -> str:
    """440305 → 广东省深圳市南山区; 440300 → 广东省深圳市; 500000 → 重庆市."""
    regs = regions()
    if code in regs:
        return regs[code].full_name
    for r in regs.values():
        if code.endswith("0000") and r.province_code == code[:2]:
            return r.province_name
        if r.city_code == code[:4]:
            return r.province_name + (r.city_name if r.city_name not in ("市辖区", "县") else "")
    return code


def department_out(d: Department) -> DepartmentOut:
    return DepartmentOut(
        key=d.key,
        name=d.name,
        aliases=list(d.aliases or []),
        region_code=d.region_code,
        region_name=region_name(d.region_code),
        level=d.level,
        level_label=DepartmentLevel(d.level).label,
        duty=d.duty,
        categories=list(d.categories or []),
        leader_name=d.leader_name,
        active=d.active,
    )


class _Names:
    """Names for codes, loaded once per answer."""

    def __init__(self, db: Session, appeals: list[Appeal]) -> None:
        self.departments = {d.id: d for d in service.departments(db)}
        self.categories = {c.key: c.name for c in service.categories(db)}
        self.enterprises = service.enterprises_by_ids(db, {a.enterprise_id for a in appeals})


def appeal_out(a: Appeal, names: _Names) -> dict[str, Any]:
    dep = names.departments.get(a.department_id) if a.department_id else None
    ent = names.enterprises.get(a.enterprise_id)
    now = service.now_utc()
    return {
        "id": a.id,
        "version": a.version,
        "enterprise_id": a.enterprise_id,
        "enterprise_name": ent.name if ent else "",
        "region_code": a.region_code,
        "title": a.title,
        "content": a.content,
        "category_key": a.category_key,
        "category_name": names.categories.get(a.category_key, a.category_key),
        "channel": a.channel,
        "channel_label": CHANNEL_LABELS[Channel(a.channel)],
        "status": a.status,
        "status_label": STATUS_LABELS[AppealStatus(a.status)],
        "department_key": dep.key if dep else None,
        "department_name": dep.name if dep else None,
        "suggested_department_key": a.suggested_department_key,
        "suggested_category_key": a.suggested_category_key,
        "submitted_at": a.submitted_at,
        "accepted_at": a.accepted_at,
        "dispatched_at": a.dispatched_at,
        "answered_at": a.answered_at,
        "closed_at": a.closed_at,
        "rated_at": a.rated_at,
        "due_at": a.due_at,
        "due_stage": a.due_stage,
        "due_stage_label": Stage(a.due_stage).label if a.due_stage else None,
        "overdue": a.due_at is not None and a.due_at < now,
        "escalation_level": a.escalation_level,
        "answer": a.answer,
        "reject_reason": a.reject_reason,
        "reject_reason_label": REJECT_REASON_LABELS[RejectReason(a.reject_reason)]
        if a.reject_reason
        else None,
        "satisfied": a.satisfied,
        "rating": a.rating,
        "rating_comment": a.rating_comment,
        "redo_count": a.redo_count,
        "handling_working_days": a.handling_working_days,
        "on_time": a.on_time,
    }


def event_out(e: AppealEvent) -> AppealEventOut:
    return AppealEventOut(
        id=e.id,
        at=e.at,
        kind=e.kind,
        action=e.action,
        action_label=ACTION_LABELS[AppealAction(e.action)] if e.action else None,
        from_status=e.from_status,
        from_label=STATUS_LABELS[AppealStatus(e.from_status)] if e.from_status else None,
        to_status=e.to_status,
        to_label=STATUS_LABELS[AppealStatus(e.to_status)] if e.to_status else None,
        actor_name=e.actor_name,
        reason=e.reason,
        detail=e.detail or {},
    )


def allowed_actions(db: Session, a: Appeal, principal: Principal) -> list[str]:
    role = principal.role
    out = []
    for action, t in service.TRANSITIONS.items():
        if AppealStatus(a.status) not in t.sources or role not in t.roles:
            continue
        if role in ENTERPRISE_BOUND_ROLES and principal.user.enterprise_id != a.enterprise_id:
            continue
        if role is Role.department_handler:
            dep = service.department_of_user(db, principal.user)
            if dep is None or dep.id != a.department_id:
                continue
        if action is AppealAction.redo and a.satisfied is not False:
            continue
        out.append(action.value)
    return out


def attachment_out(r: AppealAttachment) -> AttachmentOut:
    return AttachmentOut(
        id=r.id,
        appeal_id=r.appeal_id,
        kind=r.kind,
        kind_label=attachment_service.KIND_LABELS.get(r.kind, r.kind),
        filename=r.filename,
        content_type=r.content_type,
        type_label=attachment_service.TYPE_LABELS.get(r.content_type, r.content_type),
        size_bytes=r.size_bytes,
        uploaded_by_name=r.uploaded_by_name,
        created_at=r.created_at,
        download_url=f"/api/v1/appeal-attachments/{r.id}",
    )


def detail_out(db: Session, a: Appeal, principal: Principal) -> AppealDetailOut:
    names = _Names(db, [a])
    assist_names = [names.departments[x.department_id].name for x in service.assists(db, a)]
    return AppealDetailOut(
        **appeal_out(a, names),
        events=[event_out(e) for e in service.events(db, a)],
        attachments=[attachment_out(r) for r in attachment_service.of_appeal(db, a.id)],
        assist_departments=assist_names,
        allowed_actions=allowed_actions(db, a, principal),
    )


# --- catalogue -----------------------------------------------------------------------------------------------


@router.get("/appeal-departments", response_model=list[DepartmentOut], summary="责任单位目录")
def list_departments(db: DbSession, _: Anyone) -> list[DepartmentOut]:
    service.ensure_catalogue(db)
    return [department_out(d) for d in service.departments(db)]


@router.put(
    "/appeal-departments/{department_key}", response_model=DepartmentOut, summary="新增或修改责任单位"
)
def put_department(
    db: DbSession, principal: Admin, department_key: DepartmentKey, body: DepartmentIn
) -> DepartmentOut:
    service.ensure_catalogue(db)
    dep = service.save_department(db, service.DepartmentData(key=department_key, **body.model_dump()))
    audit(db, principal, "appeal.department.save", ("department", dep.key), body.model_dump())
    return department_out(dep)


@router.get("/appeal-categories", response_model=list[CategoryOut], summary="诉求类别及答复时限")
def list_categories(db: DbSession, _: Anyone) -> list[CategoryOut]:
    service.ensure_catalogue(db)
    return [CategoryOut.model_validate(c, from_attributes=True) for c in service.categories(db)]


@router.get("/appeal-transitions", response_model=list[TransitionRuleOut], summary="诉求状态流转表")
def list_transitions(_: Anyone) -> list[dict[str, Any]]:
    return service.transition_table()


# --- routing -------------------------------------------------------------------------------------------------


@router.post(
    "/appeals/route-suggestions",
    response_model=list[SuggestionOut],
    summary="按诉求文本建议类别与责任单位（不登记诉求）",
)
def route_suggestions(db: DbSession, _: AppealUser, body: SuggestionIn) -> list[SuggestionOut]:
    service.ensure_catalogue(db)
    deps = {d.key: d.name for d in service.departments(db)}
    cats = {c.key: c.name for c in service.categories(db)}
    return [
        SuggestionOut(
            department_key=s.department_key,
            department_name=deps.get(s.department_key, s.department_key),
            category_key=s.category_key,
            category_name=cats.get(s.category_key, s.category_key),
            score=s.score,
            matched_terms=list(s.matched_terms),
        )
        for s in service.route_suggestions(db, body.text, body.region_code, body.top_k)
    ]


# --- intake and reading ----------------------------------------------------------------------------------------


def _target_enterprise(db: Session, principal: Principal, enterprise_id: int | None) -> Enterprise:
    if principal.role in ENTERPRISE_BOUND_ROLES:
        if principal.user.enterprise_id is None:
            raise InvalidAppeal("账号未绑定企业，无法提交诉求", "account has no enterprise")
        if enterprise_id is not None and enterprise_id != principal.user.enterprise_id:
            raise InvalidAppeal("企业用户只能为本企业提交诉求", "enterprise users file for themselves")
        return enterprise_service.get_or_404(db, principal.user.enterprise_id)
    if enterprise_id is None:
        raise InvalidAppeal("代企业登记诉求须指定企业", "staff intake needs enterprise_id")
    ent = enterprise_service.get_visible(db, principal.scope, enterprise_id)
    if principal.role is Role.service_commissioner and ent.id not in casework_service.enterprise_ids_of(
        db, principal.user.id
    ):
        from srdi.enterprise.exceptions import EnterpriseNotFound

        raise EnterpriseNotFound(enterprise_id)
    return ent


@router.post(
    "/appeals", response_model=AppealDetailOut, status_code=201, summary="提交诉求（企业或代企业登记）"
)
def create_appeal(db: DbSession, principal: Filer, body: AppealIn) -> AppealDetailOut:
    service.ensure_catalogue(db)
    ent = _target_enterprise(db, principal, body.enterprise_id)
    self_filed = principal.role in ENTERPRISE_BOUND_ROLES
    channel = body.channel or (Channel.web if self_filed else Channel.phone)
    if self_filed and channel not in (Channel.web, Channel.api):
        raise InvalidAppeal("企业自行提交的渠道只能是网上提交或接口", "enterprise channel must be web or api")
    a = service.file_appeal(
        db,
        ent,
        service.AppealData(
            title=body.title,
            content=body.content,
            category_key=body.category_key,
            channel=channel,
            contact_name=body.contact_name,
            contact_phone=body.contact_phone,
            contact_email=body.contact_email,
        ),
        actor=principal.user,
        duplicate_confirmed=body.confirm_duplicate and not self_filed,
    )
    audit(
        db,
        principal,
        "appeal.create",
        ("appeal", a.id),
        {"enterprise_id": ent.id, "channel": channel.value}
        | ({"confirm_duplicate": True} if body.confirm_duplicate and not self_filed else {}),
    )
    return detail_out(db, a, principal)


@router.get("/appeals", response_model=AppealPage, summary="诉求列表（按账号范围）")
def list_appeals(
    db: DbSession,
    principal: AppealUser,
    status: Annotated[list[AppealStatus] | None, Query(description="状态，可多选")] = None,
    category_key: Annotated[str | None, Query(max_length=60)] = None,
    overdue: Annotated[bool, Query(description="只看已超时")] = False,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> AppealPage:
    scope = appeal_scope(db, principal)
    rows, total = service.list_visible(
        db,
        scope,
        page=page,
        page_size=page_size,
        statuses=[s.value for s in status] if status else None,
        category_key=category_key,
        overdue_at=service.now_utc() if overdue else None,
    )
    names = _Names(db, rows)
    return AppealPage(
        items=[AppealOut(**appeal_out(a, names)) for a in rows],
        total=total,
        page=page,
        page_size=page_size,
        status_counts=service.status_counts(db, scope),
    )


@router.get("/appeals/{appeal_id:int}", response_model=AppealDetailOut, summary="诉求详情与办理进度")
def get_appeal(db: DbSession, principal: AppealUser, appeal_id: AppealId) -> AppealDetailOut:
    a = service.get_visible(db, appeal_scope(db, principal), appeal_id)
    return detail_out(db, a, principal)


@router.post(
    "/appeals/{appeal_id:int}/transitions", response_model=AppealDetailOut, summary="办理诉求（状态流转）"
)
def transition(
    db: DbSession, principal: AppealUser, appeal_id: AppealId, body: TransitionIn
) -> AppealDetailOut:
    service.get_visible(db, appeal_scope(db, principal), appeal_id)
    a = service.transition(
        db,
        appeal_id,
        service.TransitionInput(
            action=body.action,
            reason=body.reason,
            department_key=body.department_key,
            assist_department_keys=body.assist_department_keys,
            category_key=body.category_key,
            answer=body.answer,
            reject_reason=body.reject_reason,
            satisfied=body.satisfied,
            rating=body.rating,
            expected_version=body.version,
        ),
        actor=principal.user,
    )
    audit(db, principal, f"appeal.{body.action.value}", ("appeal", a.id), {"to": a.status})
    return detail_out(db, a, principal)


# --- attachments ------------------------------------------------------------------------------------------------

AttachmentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="附件编号")]


@router.post(
    "/appeal-attachments",
    response_model=AttachmentOut,
    status_code=201,
    summary="上传诉求附件（企业与受理人员：申请材料；承办单位：答复材料）",
    description="PDF、PNG 或 JPEG（按文件内容识别），单个文件不超过配置的上限（默认 10 MB）。",
)
def upload_attachment(
    db: DbSession,
    principal: AppealUser,
    appeal_id: Annotated[int, Form(ge=1, le=2**31 - 1, description="诉求编号")],
    file: Annotated[UploadFile, File(description="PDF、PNG 或 JPEG 文件")],
) -> AttachmentOut:
    a = service.get_visible(db, appeal_scope(db, principal), appeal_id)
    limit = attachment_service.max_bytes()
    data = file.file.read(limit + 1)
    dep = (
        service.department_of_user(db, principal.user) if principal.role is Role.department_handler else None
    )
    row = attachment_service.add(
        db,
        a,
        attachment_service.Upload(filename=file.filename, data=data),
        actor=principal.user,
        department_id=dep.id if dep else None,
    )
    audit(
        db,
        principal,
        "appeal.attachment.upload",
        ("appeal", a.id),
        {"attachment_id": row.id, "kind": row.kind, "sha256": row.sha256, "size": row.size_bytes},
    )
    return attachment_out(row)


@router.get(
    "/appeal-attachments/{attachment_id}",
    summary="下载诉求附件（能查看该诉求的账号；每次下载留痕）",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
def download_attachment(
    db: DbSession, principal: AppealUser, attachment_id: AttachmentId
) -> StreamingResponse:
    row = attachment_service.get(db, attachment_id)
    try:
        a = service.get_visible(db, appeal_scope(db, principal), row.appeal_id)
    except AppealNotFound:
        raise AttachmentNotFound(attachment_id) from None
    stream = attachment_service.open_bytes(row)
    audit(
        db,
        principal,
        "appeal.attachment.download",
        ("appeal", a.id),
        {"attachment_id": row.id, "filename": row.filename},
    )
    ascii_name = row.filename.encode("ascii", "ignore").decode().replace('"', "") or "attachment"
    headers = {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}",
        "Content-Length": str(row.size_bytes),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(_chunks(stream), media_type=row.content_type, headers=headers)


def _chunks(stream: Any) -> Any:
    with stream:
        while chunk := stream.read(1 << 16):
            yield chunk


@router.get("/appeals/{appeal_id:int}/suggested-policies", summary="可用于答复的政策（企业符合或可能符合）")
def suggested_policies(db: DbSession, principal: Staff, appeal_id: AppealId) -> list[dict[str, Any]]:
    a = service.get_visible(db, appeal_scope(db, principal), appeal_id)
    return service.suggested_policies(db, a, beijing_today())


@router.get(
    "/appeal-kpis",
    response_model=KpiReportOut,
    summary="诉求办理指标（办结率、按时办结率、满意率）及统计时间",
)
def appeal_kpis(
    db: DbSession,
    principal: KpiReader,
    dimension: Annotated[str, Query(pattern=r"^(department|district|category|month)$")] = "department",
    submitted_from: Annotated[datetime | None, Query()] = None,
    submitted_to: Annotated[datetime | None, Query()] = None,
) -> dict[str, Any]:
    return service.kpi_report(
        db, appeal_scope(db, principal), dimension, submitted_from=submitted_from, submitted_to=submitted_to
    )


@router.get("/appeal-notices", response_model=list[NoticeOut], summary="诉求工作消息（转派、提醒、督办）")
def appeal_notices(db: DbSession, principal: Staff) -> list[NoticeOut]:
    return [
        NoticeOut.model_validate(n, from_attributes=True) for n in service.notices_for(db, principal.user)
    ]


@router.post("/appeal-sweeps", response_model=SweepOut, summary="立即执行一次超时提醒与督办")
def run_sweep(db: DbSession, principal: Admin) -> dict[str, Any]:
    r = service.sweep_all(db)
    audit(db, principal, "appeal.sweep", None, {"total": r.total})
    return {
        "reminded": r.reminded,
        "escalated_department": r.escalated_department,
        "escalated_district": r.escalated_district,
        "skipped_years": r.skipped_years,
    }


# --- the working-day calendar -----------------------------------------------------------------------------------


def _calendar_year_out(cal: WorkdayCalendar, year: int, entered: dict[int, str | None]) -> CalendarYearOut:
    bundled = WorkdayCalendar.bundled()
    source = "bundled" if year in bundled.years else ("admin" if year in cal.years else "missing")
    days = []
    if year in cal.years:
        d = date(year, 1, 1)
        while d.year == year:
            name = cal.holiday_name(d)
            if name is not None:
                days.append(CalendarDayOut(date=d, is_off_day=not cal.is_working_day(d), name=name))
            d += timedelta(days=1)
    return CalendarYearOut(
        year=year,
        known=year in cal.years,
        source=source,
        days=days,
        entered_by=entered.get(year) if source == "admin" else None,
    )


@router.get("/admin/calendar", response_model=CalendarOut, summary="工作日历（已知年份的放假与调休安排）")
def working_day_calendar(db: DbSession, _: Admin) -> CalendarOut:
    cal = service.calendar(db)
    entered = service.calendar_entered_by(db)
    years = sorted(cal.years, reverse=True)
    this_year = beijing_today().year
    missing = next(
        y for y in range(min(years[-1] if years else this_year, this_year), 2101) if y not in cal.years
    )
    return CalendarOut(
        years=[_calendar_year_out(cal, y, entered) for y in years],
        editable=True,
        next_missing_year=missing,
    )


@router.get("/admin/calendar/{year}", response_model=CalendarYearOut, summary="某年度放假与调休安排")
def get_calendar_year(db: DbSession, _: Admin, year: Year) -> CalendarYearOut:
    return _calendar_year_out(service.calendar(db), year, service.calendar_entered_by(db))


@router.put("/admin/calendar/{year}", response_model=CalendarYearOut, summary="录入某年度放假与调休安排")
def put_calendar_year(db: DbSession, principal: Admin, year: Year, body: CalendarYearIn) -> CalendarYearOut:
    if year in WorkdayCalendar.bundled().years:
        raise InvalidAppeal(f"{year} 年的安排已内置，无需录入", f"{year} is bundled")
    before = service.calendar(db)
    previous = [o for o in before.overrides_in(year)] if year in before.years else None
    days = [DayOverride(d.date, d.is_off_day, d.name) for d in body.days]
    service.set_calendar_year(db, year, days, entered_by=principal.username)
    audit(
        db,
        principal,
        "calendar.year.save",
        ("calendar_year", year),
        {
            "days": len(days),
            "off_days": sum(1 for d in days if d.is_off_day),
            "make_up_days": sum(1 for d in days if not d.is_off_day),
            "replaced": previous is not None,
            "previous_days": len(previous) if previous is not None else 0,
        },
    )
    return get_calendar_year(db, principal, year)
