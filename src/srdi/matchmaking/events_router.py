"""HTTP endpoints of events (对接会、路演、新品发布、校企人才对接) and talent needs (用人用工), PRODUCT C6.

Officials create events in their region and chain leaders their own; enterprises register; the organiser records
attendance and that the event was held; a leader records its meetings and contracts. A leader sees only its own
meetings, an enterprise only the meetings and contracts it is party to and only its own talent needs (with the
district's answers and the outcomes); officials see their region's. Anything else answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from srdi.auth.enums import ENTERPRISE_SELF, Role
from srdi.auth.service import Principal, audit
from srdi.db.session import DbSession
from srdi.enterprise import service as enterprise_service
from srdi.kit.money import fen_to_wan, fen_to_yuan, format_wan
from srdi.kit.reference import industry
from srdi.kit.workdays import beijing_today
from srdi.matchmaking import events_service as svc
from srdi.matchmaking import service as need_service
from srdi.matchmaking.dependencies import Leader, MatchUser, Official, Organiser, SelfUser
from srdi.matchmaking.enums import (
    ACTIVITY_LABELS,
    Attendance,
    EventKind,
    EventStatus,
    RegistrationStatus,
    TalentKind,
    TalentStatus,
)
from srdi.matchmaking.events_schemas import (
    AttendanceIn,
    EventDetailOut,
    EventIn,
    EventTransitionIn,
    FairTalentOut,
    FiguresOut,
    MatchEventOut,
    MeetingIn,
    MeetingOut,
    OutcomeIn,
    OutcomeOut,
    ParticipantOut,
    RegisterIn,
    RegistrationOut,
    TalentDetailOut,
    TalentIn,
    TalentOut,
    TalentOutcomeIn,
    TalentOutcomeOut,
    TalentTransitionIn,
)
from srdi.matchmaking.exceptions import InvalidPosting
from srdi.matchmaking.models import (
    ActivityLog,
    EventMeeting,
    EventOutcome,
    MatchEvent,
    TalentNeed,
    TalentOutcome,
)
from srdi.matchmaking.schemas import LogOut

router = APIRouter(tags=["对接活动与用人用工 events and talent"])

EventId = Annotated[int, Path(ge=1, le=2**31 - 1, description="活动编号")]
OutcomeId = Annotated[int, Path(ge=1, le=2**31 - 1, description="合作成果编号")]
TalentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="用人需求编号")]

STATUS_LABELS = {
    **{s.value: s.label for s in EventStatus},
    **{s.value: s.label for s in TalentStatus},
}


def _names(db: Session, ids: set[int]) -> dict[int, str]:
    return {k: e.name for k, e in need_service.enterprises_by_ids(db, ids).items()}


def log_out(rows: list[ActivityLog]) -> list[LogOut]:
    return [
        LogOut(
            id=r.id,
            at=r.at,
            action=r.action,
            action_label=ACTIVITY_LABELS.get(r.action, r.action),
            from_label=STATUS_LABELS.get(r.from_status or "") if r.from_status else None,
            to_label=STATUS_LABELS.get(r.to_status or "") if r.to_status else None,
            actor_name=r.actor_name,
            reason=r.reason,
        )
        for r in rows
    ]


def event_out(db: Session, e: MatchEvent, principal: Principal, count: int | None = None) -> MatchEventOut:
    user = principal.user
    mine = None
    if user.enterprise_id:
        reg = svc.registration_of(db, e, user.enterprise_id)
        mine = reg.status if reg else None
    titles = []
    for nid in e.need_ids or []:
        n = need_service.get_need(db, nid)
        titles.append(n.title)
    return MatchEventOut(
        id=e.id,
        kind=e.kind,
        kind_label=EventKind(e.kind).label,
        title=e.title,
        event_date=e.event_date,
        place=e.place,
        organiser=e.organiser,
        region_code=e.region_code,
        region_name=need_service.region_label(e.region_code),
        description=e.description,
        industry_codes=list(e.industry_codes or []),
        industry_names=[(ind.name if (ind := industry(c)) else c) for c in e.industry_codes or []],
        need_ids=list(e.need_ids or []),
        need_titles=titles,
        capacity=e.capacity,
        status=e.status,
        status_label=EventStatus(e.status).label,
        leader_enterprise_id=e.leader_enterprise_id,
        registered_count=count
        if count is not None
        else sum(1 for r in svc.registrations(db, e) if r.status == RegistrationStatus.registered.value),
        my_registration=mine,
        cancel_reason=e.cancel_reason,
        can_manage=svc.organises(user, e),
    )


def meeting_out(db: Session, rows: list[EventMeeting]) -> list[MeetingOut]:
    names = _names(db, {m.leader_enterprise_id for m in rows} | {m.enterprise_id for m in rows})
    out = []
    for m in rows:
        ev = svc.get_event(db, m.event_id)
        need = need_service.get_need(db, m.need_id) if m.need_id else None
        out.append(
            MeetingOut(
                id=m.id,
                event_id=m.event_id,
                event_title=ev.title,
                leader_enterprise_id=m.leader_enterprise_id,
                leader_name=names.get(m.leader_enterprise_id, ""),
                enterprise_id=m.enterprise_id,
                enterprise_name=names.get(m.enterprise_id, ""),
                need_id=m.need_id,
                need_title=need.title if need else None,
                note=m.note,
                created_at=m.created_at,
            )
        )
    return out


def outcome_out(
    db: Session, ev: MatchEvent, rows: list[EventOutcome], principal: Principal
) -> list[OutcomeOut]:
    names = _names(db, {o.buyer_enterprise_id for o in rows} | {o.seller_enterprise_id for o in rows})
    official = svc.covers(principal.user, ev.region_code)
    return [
        OutcomeOut(
            id=o.id,
            event_id=o.event_id,
            buyer_enterprise_id=o.buyer_enterprise_id,
            buyer_name=names.get(o.buyer_enterprise_id, ""),
            seller_enterprise_id=o.seller_enterprise_id,
            seller_name=names.get(o.seller_enterprise_id, ""),
            title=o.title,
            amount_wan=fen_to_wan(o.amount_fen),
            amount_text=format_wan(o.amount_fen),
            signed_on=o.signed_on,
            provenance=svc.provenance(o),
            can_confirm=o.confirmed_at is None and principal.user.enterprise_id == o.seller_enterprise_id,
            can_verify=o.verified_at is None and official,
        )
        for o in rows
    ]


def _salary_text(lo: int | None, hi: int | None) -> str:
    def y(f: int) -> str:
        return f"{fen_to_yuan(f).normalize():,f}"

    if lo is None and hi is None:
        return "面议"
    if lo is not None and hi is not None:
        return f"{y(lo)}–{y(hi)} 元/月"
    return f"{y(lo)} 元/月起" if lo is not None else f"最高 {y(hi or 0)} 元/月"


def detail_out(db: Session, e: MatchEvent, principal: Principal) -> EventDetailOut:
    user = principal.user
    manages = svc.organises(user, e)
    regs = svc.registrations(db, e)
    names = _names(db, {r.enterprise_id for r in regs})
    registrations = (
        [
            RegistrationOut(
                id=r.id,
                enterprise_id=r.enterprise_id,
                enterprise_name=names.get(r.enterprise_id, ""),
                status=r.status,
                status_label=RegistrationStatus(r.status).label,
                attended=r.attended,
                attended_label=Attendance.of(r.attended).label,
                note=r.note,
                created_at=r.created_at,
            )
            for r in regs
        ]
        if manages
        else None
    )
    fair_posts: list[FairTalentOut] = []
    if e.kind == EventKind.job_fair.value and manages:
        ids = {r.enterprise_id for r in regs if r.status == RegistrationStatus.registered.value}
        fair_posts = [
            FairTalentOut(
                id=t.id,
                enterprise_name=names.get(t.enterprise_id, ""),
                post=t.post,
                headcount=t.headcount,
                skills=list(t.skills or []),
                joint_training=t.joint_training,
                salary_text=_salary_text(t.salary_min_fen, t.salary_max_fen),
            )
            for t in svc.talent_of_enterprises(db, ids)
        ]
    leader_there = Role(user.role) is Role.chain_leader and any(
        r.enterprise_id == user.enterprise_id and r.status == RegistrationStatus.registered.value
        for r in regs
    )
    participants = (
        [
            ParticipantOut(enterprise_id=r.enterprise_id, enterprise_name=names.get(r.enterprise_id, ""))
            for r in regs
            if r.status == RegistrationStatus.registered.value and r.enterprise_id != user.enterprise_id
        ]
        if manages or leader_there
        else []
    )
    actions: list[str] = []
    if manages and e.status == EventStatus.open.value:
        actions.append("cancel")
        if e.event_date <= beijing_today():
            actions += ["hold", "attendance"]
    if manages and e.status == EventStatus.held.value:
        actions.append("attendance")
    if user.enterprise_id and Role(user.role) in ENTERPRISE_SELF and e.status == EventStatus.open.value:
        reg = svc.registration_of(db, e, user.enterprise_id)
        if e.leader_enterprise_id != user.enterprise_id and e.event_date >= beijing_today():
            actions.append(
                "unregister"
                if reg is not None and reg.status == RegistrationStatus.registered.value
                else "register"
            )
    at_or_after = e.status != EventStatus.cancelled.value and e.event_date <= beijing_today()
    if at_or_after and (Role(user.role) is Role.chain_leader or svc.covers(user, e.region_code)):
        actions.append("meeting")
    if e.status == EventStatus.held.value and (
        Role(user.role) is Role.chain_leader or svc.covers(user, e.region_code)
    ):
        actions.append("outcome")
    return EventDetailOut(
        **event_out(db, e, principal).model_dump(),
        log=log_out(svc.activity(db, "event", e.id)),
        registrations=registrations,
        meetings=meeting_out(db, svc.meetings_for(db, e, user)),
        outcomes=outcome_out(db, e, svc.outcomes_for(db, e, user), principal),
        fair_posts=fair_posts,
        participants=participants,
        allowed_actions=actions,
    )


# --- events --------------------------------------------------------------------------------------------------


@router.post("/match-events", response_model=EventDetailOut, status_code=201, summary="创建对接活动")
def create_event(db: DbSession, principal: Organiser, body: EventIn) -> EventDetailOut:
    leader = (
        need_service.own_enterprise(db, principal.user)
        if Role(principal.user.role) is Role.chain_leader
        else None
    )
    ev = svc.create_event(db, principal.user, svc.EventData(**body.model_dump()), leader)
    audit(
        db,
        principal,
        "matchmaking.event.create",
        ("match_event", ev.id),
        {"title": ev.title, "kind": ev.kind},
    )
    return detail_out(db, ev, principal)


@router.get("/match-events", response_model=list[MatchEventOut], summary="对接活动：管理 / 可报名 / 已报名")
def list_events(
    db: DbSession,
    principal: MatchUser,
    view: Annotated[
        Literal["manage", "open", "mine"],
        Query(description="manage 本辖区或本企业主办 | open 可报名 | mine 已报名"),
    ] = "open",
) -> list[MatchEventOut]:
    rows = svc.list_events(db, principal.user, view)
    return [event_out(db, e, principal) for e in rows]


@router.get("/match-events/{event_id}", response_model=EventDetailOut, summary="活动详情")
def get_event(db: DbSession, principal: MatchUser, event_id: EventId) -> EventDetailOut:
    return detail_out(db, svc.visible_event(db, principal.user, event_id), principal)


@router.post(
    "/match-events/{event_id}/transitions", response_model=EventDetailOut, summary="确认已举办或取消活动"
)
def event_transition(
    db: DbSession, principal: Organiser, event_id: EventId, body: EventTransitionIn
) -> EventDetailOut:
    ev = svc.managed_event(db, principal.user, event_id)
    if body.action == "hold":
        svc.hold_event(db, ev, principal.user, body.note)
    elif body.action == "cancel":
        svc.cancel_event(db, ev, principal.user, body.note)
    else:
        raise InvalidPosting("操作只能是确认已举办或取消活动", f"unknown action {body.action}")
    audit(db, principal, f"matchmaking.event.{body.action}", ("match_event", ev.id), {"note": body.note})
    return detail_out(db, ev, principal)


@router.post("/match-events/{event_id}/registration", response_model=EventDetailOut, summary="企业报名活动")
def register(db: DbSession, principal: SelfUser, event_id: EventId, body: RegisterIn) -> EventDetailOut:
    ev = svc.visible_event(db, principal.user, event_id)
    ent = need_service.own_enterprise(db, principal.user)
    reg = svc.register(db, ev, ent, principal.user, body.note)
    audit(
        db, principal, "matchmaking.event.register", ("match_event_registration", reg.id), {"event_id": ev.id}
    )
    return detail_out(db, ev, principal)


@router.delete("/match-events/{event_id}/registration", response_model=EventDetailOut, summary="取消报名")
def unregister(db: DbSession, principal: SelfUser, event_id: EventId) -> EventDetailOut:
    ev = svc.visible_event(db, principal.user, event_id)
    ent = need_service.own_enterprise(db, principal.user)
    reg = svc.unregister(db, ev, ent, principal.user)
    audit(
        db,
        principal,
        "matchmaking.event.unregister",
        ("match_event_registration", reg.id),
        {"event_id": ev.id},
    )
    return detail_out(db, ev, principal)


@router.post("/match-events/{event_id}/attendance", response_model=EventDetailOut, summary="登记出席企业")
def attendance(db: DbSession, principal: Organiser, event_id: EventId, body: AttendanceIn) -> EventDetailOut:
    ev = svc.managed_event(db, principal.user, event_id)
    n = svc.record_attendance(db, ev, principal.user, body.attended_enterprise_ids)
    audit(db, principal, "matchmaking.event.attendance", ("match_event", ev.id), {"attended": n})
    return detail_out(db, ev, principal)


@router.post(
    "/match-events/{event_id}/meetings", response_model=MeetingOut, status_code=201, summary="登记洽谈"
)
def add_meeting(db: DbSession, principal: Organiser, event_id: EventId, body: MeetingIn) -> MeetingOut:
    user = principal.user
    ev = svc.visible_event(db, user, event_id)
    if Role(user.role) is Role.chain_leader:
        leader_id = need_service.own_enterprise(db, principal.user).id
        if not svc.organises(user, ev) and svc.registration_of(db, ev, leader_id) is None:
            raise InvalidPosting("贵企业须主办或报名该活动后才能登记洽谈", "leader not at the event")
    else:
        if not svc.covers(user, ev.region_code):
            raise svc.EventNotFound(ev.id)
        if body.leader_enterprise_id is None:
            raise InvalidPosting("请选择链主企业", "no leader given")
        leader_id = enterprise_service.get_or_404(db, body.leader_enterprise_id).id
    m = svc.record_meeting(db, ev, user, leader_id, body.enterprise_id, body.need_id, body.note)
    audit(db, principal, "matchmaking.event.meeting", ("match_event_meeting", m.id), {"event_id": ev.id})
    return meeting_out(db, [m])[0]


@router.get("/match-meetings", response_model=list[MeetingOut], summary="本企业（链主）的洽谈记录")
def my_meetings(db: DbSession, principal: Leader) -> list[MeetingOut]:
    ent = need_service.own_enterprise(db, principal.user)
    return meeting_out(db, svc.meetings_of_leader(db, ent.id))


@router.post(
    "/match-events/{event_id}/outcomes",
    response_model=EventDetailOut,
    status_code=201,
    summary="登记合作成果",
)
def add_outcome(db: DbSession, principal: Organiser, event_id: EventId, body: OutcomeIn) -> EventDetailOut:
    user = principal.user
    ev = svc.visible_event(db, user, event_id)
    if Role(user.role) is Role.chain_leader:
        buyer_id = need_service.own_enterprise(db, principal.user).id
    else:
        if not svc.covers(user, ev.region_code):
            raise svc.EventNotFound(ev.id)
        if body.buyer_enterprise_id is None:
            raise InvalidPosting("请选择买方企业", "no buyer given")
        buyer_id = enterprise_service.get_or_404(db, body.buyer_enterprise_id).id
    o = svc.record_outcome(
        db, ev, user, buyer_id=buyer_id, seller_id=body.seller_enterprise_id, title=body.title,
        amount_wan=body.amount_wan, signed_on=body.signed_on,
    )  # fmt: skip
    audit(db, principal, "matchmaking.event.outcome", ("match_event_outcome", o.id),
          {"event_id": ev.id, "amount_wan": str(body.amount_wan)})  # fmt: skip
    return detail_out(db, ev, principal)


@router.post(
    "/match-outcomes/{outcome_id}/confirm", response_model=EventDetailOut, summary="供方确认合作成果"
)
def confirm_outcome(db: DbSession, principal: SelfUser, outcome_id: OutcomeId) -> EventDetailOut:
    o = svc.get_outcome(db, outcome_id)
    svc.confirm_outcome(db, o, principal.user)
    audit(db, principal, "matchmaking.event.outcome_confirm", ("match_event_outcome", o.id))
    return detail_out(db, svc.get_event(db, o.event_id), principal)


@router.post(
    "/match-outcomes/{outcome_id}/verify", response_model=EventDetailOut, summary="主管部门核实合作成果"
)
def verify_outcome(db: DbSession, principal: Official, outcome_id: OutcomeId) -> EventDetailOut:
    o = svc.get_outcome(db, outcome_id)
    svc.verify_outcome(db, o, principal.user)
    audit(db, principal, "matchmaking.event.outcome_verify", ("match_event_outcome", o.id))
    return detail_out(db, svc.get_event(db, o.event_id), principal)


# --- talent needs --------------------------------------------------------------------------------------------


def _counts(rows: list[TalentOutcome]) -> dict[int, tuple[int, int, int]]:
    out: dict[int, tuple[int, int, int]] = {}
    for o in rows:
        r, i, h = out.get(o.need_id, (0, 0, 0))
        out[o.need_id] = (r + o.resumes, i + o.interviews, h + o.hires)
    return out


def talent_out(t: TalentNeed, names: dict[int, str], counts: dict[int, tuple[int, int, int]]) -> TalentOut:
    r, i, h = counts.get(t.id, (0, 0, 0))
    return TalentOut(
        id=t.id,
        enterprise_id=t.enterprise_id,
        enterprise_name=names.get(t.enterprise_id, ""),
        kind=t.kind,
        kind_label=TalentKind(t.kind).label,
        post=t.post,
        skills=list(t.skills or []),
        headcount=t.headcount,
        region_code=t.region_code,
        region_name=need_service.region_label(t.region_code),
        place=t.place,
        salary_min_yuan=fen_to_yuan(t.salary_min_fen) if t.salary_min_fen is not None else None,
        salary_max_yuan=fen_to_yuan(t.salary_max_fen) if t.salary_max_fen is not None else None,
        salary_text=_salary_text(t.salary_min_fen, t.salary_max_fen),
        joint_training=t.joint_training,
        description=t.description,
        status=t.status,
        status_label=TalentStatus(t.status).label,
        pushed_at=t.pushed_at,
        responded_at=t.responded_at,
        response_note=t.response_note,
        resumes=r,
        interviews=i,
        hires=h,
        created_at=t.created_at,
    )


def talent_detail(db: Session, t: TalentNeed, principal: Principal) -> TalentDetailOut:
    user = principal.user
    outs = svc.talent_outcomes(db, [t.id])
    owner = user.enterprise_id == t.enterprise_id
    official = svc.covers(user, t.region_code)
    actions = []
    if t.status == TalentStatus.open.value and official:
        actions.append("respond")
    if t.status != TalentStatus.closed.value and (owner or official):
        actions.append("outcome")
    if t.status != TalentStatus.closed.value and owner:
        actions.append("close")
    return TalentDetailOut(
        **talent_out(t, _names(db, {t.enterprise_id}), _counts(outs)).model_dump(),
        outcomes=[TalentOutcomeOut.model_validate(o, from_attributes=True) for o in outs],
        log=log_out(svc.activity(db, "talent", t.id)),
        fairs=[event_out(db, e, principal) for e in svc.fairs_for(db, t)] if t.status == "open" else [],
        allowed_actions=actions,
    )


@router.post("/match-talent", response_model=TalentDetailOut, status_code=201, summary="发布用人用工需求")
def post_talent(db: DbSession, principal: SelfUser, body: TalentIn) -> TalentDetailOut:
    ent = need_service.own_enterprise(db, principal.user)
    t = svc.post_talent(db, ent, principal.user, svc.TalentData(**body.model_dump()))
    audit(db, principal, "matchmaking.talent.post", ("match_talent_need", t.id), {"post": t.post})
    return talent_detail(db, t, principal)


@router.get("/match-talent", response_model=list[TalentOut], summary="用人用工需求：本企业 / 本辖区")
def list_talent(
    db: DbSession,
    principal: MatchUser,
    view: Annotated[Literal["mine", "district"], Query(description="mine 本企业 | district 本辖区")] = "mine",
    status: Annotated[TalentStatus | None, Query(description="按状态筛选")] = None,
) -> list[TalentOut]:
    rows = svc.list_talent(db, principal.user, view, status.value if status else None)
    counts = _counts(svc.talent_outcomes(db, [t.id for t in rows]))
    names = _names(db, {t.enterprise_id for t in rows})
    return [talent_out(t, names, counts) for t in rows]


@router.get("/match-talent/{need_id}", response_model=TalentDetailOut, summary="用人需求详情与成效")
def get_talent(db: DbSession, principal: MatchUser, need_id: TalentId) -> TalentDetailOut:
    return talent_detail(db, svc.visible_talent(db, principal.user, need_id), principal)


@router.post(
    "/match-talent/{need_id}/transitions", response_model=TalentDetailOut, summary="区人社响应或关闭需求"
)
def talent_transition(
    db: DbSession, principal: MatchUser, need_id: TalentId, body: TalentTransitionIn
) -> TalentDetailOut:
    user = principal.user
    t = svc.visible_talent(db, user, need_id)
    if body.action == "respond" and svc.covers(user, t.region_code):
        svc.respond_talent(db, t, user, body.note)
    elif body.action == "close" and user.enterprise_id == t.enterprise_id:
        svc.close_talent(db, t, user, body.note)
    else:
        raise InvalidPosting("您不能对该需求执行此操作", f"talent action {body.action} not allowed")
    audit(
        db, principal, f"matchmaking.talent.{body.action}", ("match_talent_need", t.id), {"note": body.note}
    )
    return talent_detail(db, t, principal)


@router.post(
    "/match-talent/{need_id}/outcomes",
    response_model=TalentDetailOut,
    status_code=201,
    summary="登记招聘成效",
)
def talent_outcome(
    db: DbSession, principal: MatchUser, need_id: TalentId, body: TalentOutcomeIn
) -> TalentDetailOut:
    t = svc.visible_talent(db, principal.user, need_id)
    o = svc.record_talent_outcome(
        db, t, principal.user, on_date=body.on_date, resumes=body.resumes, interviews=body.interviews,
        hires=body.hires, event_id=body.event_id, note=body.note,
    )  # fmt: skip
    audit(db, principal, "matchmaking.talent.outcome", ("match_talent_outcome", o.id), {"need_id": t.id})
    return talent_detail(db, t, principal)


# --- figures -------------------------------------------------------------------------------------------------


@router.get("/match-figures", response_model=FiguresOut, summary="对接活动与用人用工成效（本辖区）")
def figures(
    db: DbSession,
    principal: Official,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度，默认今年")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2}(\d{2}(\d{2})?)?$", description="地区前缀")] = None,
) -> FiguresOut:
    user = principal.user
    y = year or beijing_today().year
    prefixes = svc.scope(user)
    if region:
        if prefixes is not None and not any(region.startswith(p) for p in prefixes):
            raise svc.RegionOutOfScope(region)
        prefixes = [region]
    f = svc.figures(db, prefixes, date(y, 1, 1), date(y, 12, 31))
    code = prefixes[0] if prefixes else None
    return FiguresOut(
        region_code=code,
        region_name=need_service.region_label(code) if code else "全部地区",
        year=y,
        events_held=f["events_held"],
        events_by_kind={EventKind(k).label: v for k, v in f["events_by_kind"].items()},
        events_planned=f["events_planned"],
        registrations=f["registrations"],
        attended=f["attended"],
        meetings=f["meetings"],
        outcomes=f["outcomes"],
        outcomes_proven=f["outcomes_proven"],
        amount_text=format_wan(f["amount_fen"]),
        amount_proven_text=format_wan(f["amount_proven_fen"]),
        talent_needs=f["talent_needs"],
        headcount=f["headcount"],
        joint_training=f["joint_training"],
        responded=f["responded"],
        awaiting_response=f["awaiting_response"],
        resumes=f["resumes"],
        interviews=f["interviews"],
        hires=f["hires"],
    )
