"""Events (对接会、路演、新品发布、校企人才对接) and talent needs (用人用工), PRODUCT C6; issue 17 items 5–6.

Events: an official (of the event's region) or a chain leader creates one; enterprises register while it is open
(报名中); the organiser records attendance and marks it held (已举办) — a held event counts towards the region's
targets (rules/monitoring/targets.yaml, measures with ``event_kind``); a chain leader records the meetings it held
with enterprises there, and the contracts that came of them. A contract's provenance: recorded by the buyer (the
leader), confirmed by the seller, or verified by an official of the region (an official who records one verifies
it at once). Cancelling needs a reason. Every step writes one ``ActivityLog`` row (who, when, why).

Talent needs (SEED-001 (十五)(十六)): an enterprise publishes a hiring or training need (post, skills, head count,
place, optional monthly salary range, 校企联合培养); it is pushed at once to its district's human-resources
services (the officials of that district see it in their queue, 待响应) and matched to upcoming 校企人才对接会 of
its city (the enterprise is told in its inbox); the district answers with the help it gives (the enterprise is
told); résumés, interviews and hires are recorded as outcomes and counted in the figures. Services never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from srdi.auth.enums import OFFICIAL_ROLES, Role
from srdi.auth.models import User
from srdi.db.base import utcnow
from srdi.enterprise.models import Enterprise
from srdi.kit.errors import NotFoundError
from srdi.kit.money import FEN_PER_WAN_YUAN, MoneyError, wan_to_fen, yuan_to_fen
from srdi.kit.workdays import beijing_today
from srdi.matchmaking import events_repository as repo
from srdi.matchmaking.enums import EventKind, EventStatus, TalentKind, TalentStatus
from srdi.matchmaking.exceptions import ActionNotAllowed, DuplicatePosting, InvalidPosting
from srdi.matchmaking.models import (
    ActivityLog,
    EventMeeting,
    EventOutcome,
    EventRegistration,
    MatchEvent,
    TalentNeed,
    TalentOutcome,
)
from srdi.matchmaking.service import _industry_codes, _region_code, _text, region_label, title_key
from srdi.notification import service as notification_service

EVENT_TITLE_MAX = 100
PLACE_MAX = 200
ORGANISER_MAX = 100
DESCRIPTION_MAX = 3000
NOTE_MAX = 2000
MAX_LINKED_NEEDS = 20
CAPACITY_MAX = 5000
OUTCOME_MAX_WAN = Decimal("1000000")  # 100 亿元 in 万元: anything above is a typing error
POST_MIN, POST_MAX = 2, 60
SKILLS_MAX, SKILL_MAX = 20, 30
HEADCOUNT_MAX = 10000
SALARY_MAX_YUAN = Decimal("1000000")  # per month
COUNT_MAX = 100000
# How far ahead an enterprise is told of a job fair that fits its talent need.
FAIR_LOOKAHEAD_DAYS = 120


class EventNotFound(NotFoundError):
    def __init__(self, event_id: object) -> None:
        super().__init__("未找到该活动", f"event {event_id} not found")


class MeetingNotFound(NotFoundError):
    def __init__(self, meeting_id: object) -> None:
        super().__init__("未找到该洽谈记录", f"meeting {meeting_id} not found")


class OutcomeNotFound(NotFoundError):
    def __init__(self, outcome_id: object) -> None:
        super().__init__("未找到该合作成果", f"outcome {outcome_id} not found")


class RegionOutOfScope(NotFoundError):
    def __init__(self, region_code: object) -> None:
        super().__init__(f"地区 {region_code} 不在您的管辖范围内", f"region {region_code} out of scope")


class TalentNotFound(NotFoundError):
    def __init__(self, need_id: object) -> None:
        super().__init__("未找到该用人需求", f"talent need {need_id} not found")


# --- who may do what ---------------------------------------------------------------------------------------------


def _role(user: User) -> Role:
    return Role(user.role)


def covers(user: User, region_code: str) -> bool:
    """An administrator, or an official whose region prefix covers ``region_code``."""
    role = _role(user)
    if role is Role.admin:
        return True
    return (
        role in OFFICIAL_ROLES and bool(user.region_code) and region_code.startswith(user.region_code or "-")
    )


def scope(user: User) -> list[str] | None:
    """Region prefixes an official works in (None: everywhere, an administrator)."""
    if _role(user) is Role.admin:
        return None
    return [user.region_code] if user.region_code else []


def organises(user: User, event: MatchEvent) -> bool:
    if covers(user, event.region_code):
        return True
    return (
        _role(user) is Role.chain_leader
        and event.leader_enterprise_id is not None
        and user.enterprise_id == event.leader_enterprise_id
    )


def _log(
    db: Session,
    row: MatchEvent | TalentNeed,
    action: str,
    actor: User | None,
    from_status: str | None,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One ``ActivityLog`` row for an event or a talent need, ending in the status the row has now."""
    db.add(
        ActivityLog(
            subject="event" if isinstance(row, MatchEvent) else "talent",
            subject_id=row.id,
            at=utcnow(),
            action=action,
            from_status=from_status,
            to_status=row.status,
            actor_user_id=actor.id if actor else None,
            actor_name=actor.display_name if actor else "系统",
            reason=reason,
            detail=detail or {},
        )
    )


def _move(
    db: Session,
    row: MatchEvent | TalentNeed,
    action: str,
    to: EventStatus | TalentStatus,
    actor: User | None,
    *,
    reason: str | None = None,
) -> None:
    """A status change and its log row (as the needs' ``_move``); the caller has checked that it is allowed."""
    before = row.status
    row.status = to.value
    db.flush()  # the version column makes a concurrent second transition fail (StaleDataError → 409)
    _log(db, row, action, actor, before, reason=reason)


def activity(db: Session, subject: str, subject_id: int) -> list[ActivityLog]:
    return repo.log(db, subject, subject_id)


# --- events --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventData:
    kind: str
    title: str
    event_date: date
    place: str
    organiser: str
    region_code: str | None = None
    description: str = ""
    industry_codes: Sequence[str] = ()
    need_ids: Sequence[int] = ()
    capacity: int | None = None


def create_event(db: Session, user: User, data: EventData, leader: Enterprise | None) -> MatchEvent:
    """An official (within its region) or a chain leader (``leader``: its enterprise) creates an event."""
    try:
        kind = EventKind(data.kind)
    except ValueError:
        raise InvalidPosting(
            "活动类型只能是供需对接会、路演推介、新品发布会或校企人才对接会", "bad kind"
        ) from None
    title = _text(data.title, "活动名称", minimum=4, maximum=EVENT_TITLE_MAX)
    place = _text(data.place, "活动地点", minimum=2, maximum=PLACE_MAX)
    organiser = _text(data.organiser, "主办单位", minimum=2, maximum=ORGANISER_MAX)
    description = _text(data.description, "活动说明", minimum=0, maximum=DESCRIPTION_MAX, required=False)
    if data.event_date < beijing_today():
        raise InvalidPosting("活动日期不能早于今天", "event in the past")
    region_code = _region_code(data.region_code or (leader.region_code if leader else user.region_code or ""))
    if leader is None and not covers(user, region_code):
        raise InvalidPosting(
            f"活动所在地 {region_code} 不在您的管辖范围内", "event outside the official's region"
        )
    codes = _industry_codes(data.industry_codes) if any(c.strip() for c in data.industry_codes) else []
    if len(set(data.need_ids)) > MAX_LINKED_NEEDS:
        raise InvalidPosting(f"关联需求最多 {MAX_LINKED_NEEDS} 项", "too many linked needs")
    from srdi.matchmaking import repository as need_repo

    need_ids: list[int] = []
    for nid in dict.fromkeys(data.need_ids):
        need = need_repo.get_need(db, nid)
        if need is None or need.status in ("pending_review", "rejected", "withdrawn"):
            raise InvalidPosting(f"关联的需求 {nid} 不存在或尚未发布", f"linked need {nid} not published")
        if leader is not None and need.leader_enterprise_id != leader.id:
            raise InvalidPosting("链主企业只能关联本企业发布的需求", "leader links a foreign need")
        need_ids.append(nid)
    if data.capacity is not None and not 1 <= data.capacity <= CAPACITY_MAX:
        raise InvalidPosting(f"报名人数上限须在 1 至 {CAPACITY_MAX} 之间", "capacity out of range")
    key = title_key(title)
    if repo.same_event(db, region_code, data.event_date, key):
        raise DuplicatePosting(
            f"{data.event_date.isoformat()} 已有同名活动“{title}”，请勿重复创建", "duplicate event"
        )
    ev = MatchEvent(
        kind=kind.value,
        title=title,
        title_key=key,
        event_date=data.event_date,
        place=place,
        organiser=organiser,
        region_code=region_code,
        description=description,
        industry_codes=codes,
        need_ids=need_ids,
        capacity=data.capacity,
        leader_enterprise_id=leader.id if leader else None,
        status=EventStatus.open.value,
        created_by_user_id=user.id,
    )
    db.add(ev)
    db.flush()
    _log(db, ev, "event_create", user, None)
    return ev


def get_event(db: Session, event_id: int) -> MatchEvent:
    ev = repo.get_event(db, event_id)
    if ev is None:
        raise EventNotFound(event_id)
    return ev


def visible_event(db: Session, user: User, event_id: int) -> MatchEvent:
    """Organisers and officials of its region see any event; enterprises see events not cancelled, and cancelled
    ones they had registered for."""
    ev = get_event(db, event_id)
    if organises(user, ev):
        return ev
    if _role(user) in (Role.enterprise, Role.chain_leader):
        if ev.status != EventStatus.cancelled.value:
            return ev
        if user.enterprise_id and repo.registration_of(db, ev.id, user.enterprise_id):
            return ev
    raise EventNotFound(event_id)


def managed_event(db: Session, user: User, event_id: int) -> MatchEvent:
    ev = get_event(db, event_id)
    if not organises(user, ev):
        raise EventNotFound(event_id)
    return ev


def list_events(db: Session, user: User, view: str) -> list[MatchEvent]:
    """``manage``: an official's region / a leader's own; ``open``: upcoming events to register for; ``mine``:
    the events the caller's enterprise registered for."""
    role = _role(user)
    if view == "manage":
        if role is Role.chain_leader and user.enterprise_id:
            return repo.events(db, leader_enterprise_id=user.enterprise_id)
        if role is Role.admin or role in OFFICIAL_ROLES:
            return repo.events(db, region_prefixes=scope(user))
        return []
    if view == "mine":
        if not user.enterprise_id:
            return []
        ids = [r.event_id for r in repo.registrations_of_enterprise(db, user.enterprise_id)]
        return repo.events(db, ids=ids)
    return repo.events(db, statuses=[EventStatus.open.value], from_date=beijing_today())


def register(db: Session, ev: MatchEvent, ent: Enterprise, user: User, note: str | None) -> EventRegistration:
    if ev.status != EventStatus.open.value or ev.event_date < beijing_today():
        raise ActionNotAllowed(f"活动当前为“{EventStatus(ev.status).label}”，不能报名", "register closed")
    if ev.leader_enterprise_id == ent.id:
        raise ActionNotAllowed("不能报名本企业主办的活动", "organiser registers")
    text = _text(note, "报名备注", minimum=0, maximum=500, required=False) or None
    reg = repo.registration_of(db, ev.id, ent.id)
    if reg is not None and reg.status == "registered":
        raise DuplicatePosting("贵企业已报名该活动，请勿重复报名", "duplicate registration")
    if ev.capacity is not None and repo.registered_count(db, [ev.id]).get(ev.id, 0) >= ev.capacity:
        raise ActionNotAllowed(f"报名人数已满（上限 {ev.capacity} 家）", "event full")
    if reg is None:
        reg = EventRegistration(event_id=ev.id, enterprise_id=ent.id)
        db.add(reg)
    reg.status, reg.note, reg.registered_by_user_id = "registered", text, user.id
    db.flush()
    _log(db, ev, "register", user, ev.status, detail={"enterprise_id": ent.id})
    return reg


def unregister(db: Session, ev: MatchEvent, ent: Enterprise, user: User) -> EventRegistration:
    reg = repo.registration_of(db, ev.id, ent.id)
    if reg is None or reg.status != "registered":
        raise ActionNotAllowed("贵企业未报名该活动", "not registered")
    if ev.status != EventStatus.open.value:
        raise ActionNotAllowed("活动已举办或已取消，不能取消报名", "unregister after event")
    reg.status = "cancelled"
    _log(db, ev, "unregister", user, ev.status, detail={"enterprise_id": ent.id})
    return reg


def registrations(db: Session, ev: MatchEvent) -> list[EventRegistration]:
    return repo.registrations(db, ev.id)


def registration_of(db: Session, ev: MatchEvent, enterprise_id: int) -> EventRegistration | None:
    return repo.registration_of(db, ev.id, enterprise_id)


def record_attendance(db: Session, ev: MatchEvent, user: User, attended: Sequence[int]) -> int:
    """The organiser marks which registered enterprises came (the others did not); returns how many came."""
    if ev.status == EventStatus.cancelled.value:
        raise ActionNotAllowed("活动已取消，不能登记出席", "attendance on cancelled")
    if ev.event_date > beijing_today():
        raise ActionNotAllowed("活动尚未举办，不能登记出席", "attendance before the event")
    regs = [r for r in repo.registrations(db, ev.id) if r.status == "registered"]
    known = {r.enterprise_id for r in regs}
    unknown = set(attended) - known
    if unknown:
        raise InvalidPosting("只能登记已报名企业的出席情况", f"not registered: {sorted(unknown)}")
    for r in regs:
        r.attended = r.enterprise_id in set(attended)
    n = sum(1 for r in regs if r.attended)
    _log(db, ev, "attendance", user, ev.status, detail={"attended": n, "registered": len(regs)})
    return n


def hold_event(db: Session, ev: MatchEvent, user: User, note: str | None) -> None:
    if ev.status != EventStatus.open.value:
        raise ActionNotAllowed(f"活动当前为“{EventStatus(ev.status).label}”，不能确认举办", "hold")
    if ev.event_date > beijing_today():
        raise ActionNotAllowed(
            f"活动日期为 {ev.event_date.isoformat()}，举办后才能确认", "hold before the date"
        )
    ev.held_at = utcnow()
    _move(db, ev, "event_hold", EventStatus.held, user, reason=(note or "").strip() or None)


def cancel_event(db: Session, ev: MatchEvent, user: User, reason: str | None) -> None:
    if ev.status != EventStatus.open.value:
        raise ActionNotAllowed(f"活动当前为“{EventStatus(ev.status).label}”，不能取消", "cancel")
    text = _text(reason, "取消原因", minimum=4, maximum=NOTE_MAX)
    ev.cancel_reason = text
    _move(db, ev, "event_cancel", EventStatus.cancelled, user, reason=text)
    for r in repo.registrations(db, ev.id):
        if r.status == "registered":
            notification_service.notify(
                db,
                r.enterprise_id,
                kind="match_event",
                title=f"活动已取消：{ev.title}",
                body=f"原定 {ev.event_date.isoformat()} 在{ev.place}举办的活动已取消。原因：{text}",
                link=f"/matchmaking/events/{ev.id}",
                dedupe_key=f"match_event_cancel:{ev.id}",
            )


# --- meetings and outcomes ---------------------------------------------------------------------------------------


def record_meeting(
    db: Session,
    ev: MatchEvent,
    user: User,
    leader_id: int,
    enterprise_id: int,
    need_id: int | None,
    note: str | None,
) -> EventMeeting:
    """A meeting between a chain leader (``leader_id``) and a registered enterprise at a held or ongoing event."""
    if ev.status == EventStatus.cancelled.value or ev.event_date > beijing_today():
        raise ActionNotAllowed("活动举办后才能登记洽谈", "meeting before the event")
    if leader_id == enterprise_id:
        raise InvalidPosting("洽谈双方不能是同一家企业", "self meeting")
    reg = repo.registration_of(db, ev.id, enterprise_id)
    if reg is None or reg.status != "registered":
        raise InvalidPosting("洽谈企业须为该活动的报名企业", "enterprise not registered")
    if need_id is not None:
        from srdi.matchmaking import repository as need_repo

        need = need_repo.get_need(db, need_id)
        if need is None or need.leader_enterprise_id != leader_id:
            raise InvalidPosting("关联需求须为该链主企业发布的需求", "foreign need")
    if repo.meeting_of(db, ev.id, leader_id, enterprise_id):
        raise DuplicatePosting("该活动中与这家企业的洽谈已登记，请勿重复登记", "duplicate meeting")
    m = EventMeeting(
        event_id=ev.id,
        leader_enterprise_id=leader_id,
        enterprise_id=enterprise_id,
        need_id=need_id,
        note=_text(note, "洽谈纪要", minimum=0, maximum=NOTE_MAX, required=False),
        recorded_by_user_id=user.id,
    )
    db.add(m)
    db.flush()
    _log(db, ev, "meeting", user, ev.status, detail={"meeting_id": m.id})
    return m


def meetings_for(db: Session, ev: MatchEvent, user: User) -> list[EventMeeting]:
    """Organisers (officials of the region, or the leader that organised it) see all; a leader its own; an
    enterprise the meetings it took part in."""
    rows = repo.meetings(db, ev.id)
    if covers(user, ev.region_code):
        return rows
    return [m for m in rows if user.enterprise_id in (m.leader_enterprise_id, m.enterprise_id)]


def meetings_of_leader(db: Session, leader_id: int) -> list[EventMeeting]:
    return repo.meetings_of_leader(db, leader_id)


def _wan(value: Decimal, label: str) -> int:
    if value <= 0:
        raise InvalidPosting(f"{label}须大于 0", f"{label} not positive")
    if value > OUTCOME_MAX_WAN:
        raise InvalidPosting(f"{label}超过 100 亿元，请核对单位（万元）", f"{label} too large")
    try:
        return wan_to_fen(value)
    except MoneyError:
        raise InvalidPosting(
            f"{label}最多精确到分（万元小数点后六位）", f"{label} finer than a fen"
        ) from None


def record_outcome(
    db: Session,
    ev: MatchEvent,
    user: User,
    *,
    buyer_id: int,
    seller_id: int,
    title: str,
    amount_wan: Decimal,
    signed_on: date,
) -> EventOutcome:
    """A contract that came of the event. The buyer (a chain leader for itself) or an official records it; one
    recorded by an official counts as verified."""
    if ev.status != EventStatus.held.value:
        raise ActionNotAllowed("活动确认举办后才能登记合作成果", "outcome before held")
    if buyer_id == seller_id:
        raise InvalidPosting("买方与供方不能是同一家企业", "self contract")
    text = _text(title, "合作内容", minimum=4, maximum=200)
    fen = _wan(amount_wan, "合同金额")
    if signed_on < ev.event_date or signed_on > beijing_today():
        raise InvalidPosting("签约日期须在活动日期与今天之间", "signed date out of range")
    if repo.registration_of(db, ev.id, seller_id) is None and ev.leader_enterprise_id != seller_id:
        raise InvalidPosting("供方须为该活动的报名企业", "seller not at the event")
    meeting = repo.meeting_of(db, ev.id, buyer_id, seller_id) or repo.meeting_of(
        db, ev.id, seller_id, buyer_id
    )
    by_official = covers(user, ev.region_code)
    o = EventOutcome(
        event_id=ev.id,
        meeting_id=meeting.id if meeting else None,
        buyer_enterprise_id=buyer_id,
        seller_enterprise_id=seller_id,
        title=text,
        amount_fen=fen,
        signed_on=signed_on,
        recorded_by_user_id=user.id,
        recorded_at=utcnow(),
        verified_by_user_id=user.id if by_official else None,
        verified_at=utcnow() if by_official else None,
    )
    db.add(o)
    db.flush()
    _log(db, ev, "outcome_record", user, ev.status, detail={"outcome_id": o.id, "amount_fen": fen})
    if not by_official:
        notification_service.notify(
            db,
            seller_id,
            kind="match_event",
            title=f"请确认合作成果：{text}",
            body=f"买方登记了在“{ev.title}”上达成的合同（{fen / FEN_PER_WAN_YUAN:,.2f} 万元），请核对后确认。",
            link=f"/matchmaking/events/{ev.id}",
            dedupe_key=f"match_outcome_confirm:{o.id}",
        )
    return o


def get_outcome(db: Session, outcome_id: int) -> EventOutcome:
    o = repo.get_outcome(db, outcome_id)
    if o is None:
        raise OutcomeNotFound(outcome_id)
    return o


def confirm_outcome(db: Session, o: EventOutcome, user: User) -> None:
    if user.enterprise_id != o.seller_enterprise_id:
        raise OutcomeNotFound(o.id)
    if o.confirmed_at is not None:
        raise ActionNotAllowed("该合作成果已确认", "already confirmed")
    o.confirmed_at, o.confirmed_by_user_id = utcnow(), user.id
    ev = get_event(db, o.event_id)
    _log(db, ev, "outcome_confirm", user, ev.status, detail={"outcome_id": o.id})


def verify_outcome(db: Session, o: EventOutcome, user: User) -> None:
    ev = get_event(db, o.event_id)
    if not covers(user, ev.region_code):
        raise OutcomeNotFound(o.id)
    if o.verified_at is not None:
        raise ActionNotAllowed("该合作成果已核实", "already verified")
    o.verified_at, o.verified_by_user_id = utcnow(), user.id
    _log(db, ev, "outcome_verify", user, ev.status, detail={"outcome_id": o.id})


def provenance(o: EventOutcome) -> str:
    if o.verified_at is not None:
        return "主管部门核实"
    if o.confirmed_at is not None:
        return "供方确认"
    return "仅买方登记"


def outcomes_for(db: Session, ev: MatchEvent, user: User) -> list[EventOutcome]:
    rows = repo.outcomes(db, ev.id)
    if covers(user, ev.region_code):
        return rows
    return [o for o in rows if user.enterprise_id in (o.buyer_enterprise_id, o.seller_enterprise_id)]


# --- talent needs (用人用工) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TalentData:
    kind: str
    post: str
    headcount: int
    skills: Sequence[str] = ()
    region_code: str | None = None
    place: str = ""
    salary_min_yuan: Decimal | None = None
    salary_max_yuan: Decimal | None = None
    joint_training: bool = False
    description: str = ""


def _salary(value: Decimal | None) -> int | None:
    if value is None:
        return None
    if value <= 0:
        raise InvalidPosting("月薪须大于 0 元", "salary not positive")
    if value > SALARY_MAX_YUAN:
        raise InvalidPosting("月薪超过 100 万元，请核对单位（元/月）", "salary too large")
    try:
        return yuan_to_fen(value)
    except MoneyError:
        raise InvalidPosting("月薪最多精确到分", "salary finer than a fen") from None


def post_talent(db: Session, ent: Enterprise, user: User, data: TalentData) -> TalentNeed:
    """The enterprise publishes a hiring or training need; it is pushed to its district at once."""
    try:
        kind = TalentKind(data.kind)
    except ValueError:
        raise InvalidPosting("需求类型只能是招聘用工或人才培训", "bad talent kind") from None
    post = _text(data.post, "岗位名称", minimum=POST_MIN, maximum=POST_MAX)
    skills: list[str] = []
    for s in data.skills:
        s = s.strip()
        if not s or s in skills:
            continue
        if len(s) > SKILL_MAX:
            raise InvalidPosting(f"技能要求“{s[:10]}…”过长（每项最多 {SKILL_MAX} 字）", "skill too long")
        if err := _control(s):
            raise InvalidPosting(f"技能要求{err}", "skill control char")
        skills.append(s)
    if len(skills) > SKILLS_MAX:
        raise InvalidPosting(f"技能要求最多 {SKILLS_MAX} 项", "too many skills")
    if not 1 <= data.headcount <= HEADCOUNT_MAX:
        raise InvalidPosting(f"需求人数须在 1 至 {HEADCOUNT_MAX} 之间", "headcount out of range")
    lo, hi = _salary(data.salary_min_yuan), _salary(data.salary_max_yuan)
    if lo is not None and hi is not None and lo > hi:
        raise InvalidPosting("月薪下限不能高于上限", "salary range inverted")
    region_code = _region_code(data.region_code or ent.region_code)
    if _district(region_code) is None:  # a district, or a city without districts (东莞市、中山市)
        raise InvalidPosting("工作地点请选择到区县", "talent region not a district")
    place = _text(data.place, "工作地址", minimum=0, maximum=PLACE_MAX, required=False)
    description = _text(data.description, "需求说明", minimum=0, maximum=NOTE_MAX, required=False)
    key = title_key(post)
    if not key:
        raise InvalidPosting("岗位名称须包含文字", "post has no letters")
    if repo.live_talent_with_post(db, ent.id, kind.value, key):
        raise DuplicatePosting(
            f"贵企业已发布岗位“{post}”且仍在招聘中，请直接修改人数或登记成效", "duplicate post"
        )
    n = TalentNeed(
        enterprise_id=ent.id,
        kind=kind.value,
        post=post,
        post_key=key,
        skills=skills,
        headcount=data.headcount,
        region_code=region_code,
        place=place,
        salary_min_fen=lo,
        salary_max_fen=hi,
        joint_training=bool(data.joint_training),
        description=description,
        status=TalentStatus.open.value,
        created_by_user_id=user.id,
        pushed_at=utcnow(),
    )
    db.add(n)
    db.flush()
    _log(db, n, "talent_post", user, None)
    _log(db, n, "talent_push", None, n.status, detail={"region_code": region_code})
    notification_service.notify(
        db,
        ent.id,
        kind="match_talent",
        title=f"用人需求已推送：{post}",
        body=f"“{post}”（{data.headcount} 人）已推送至{region_label(region_code)}人力资源服务部门，请留意响应。",
        link=f"/matchmaking/talent/{n.id}",
        dedupe_key=f"match_talent_push:{n.id}",
    )
    fairs = fairs_for(db, n)
    if fairs:
        names = "；".join(f"{f.event_date.isoformat()} {f.title}（{f.place}）" for f in fairs[:3])
        notification_service.notify(
            db,
            ent.id,
            kind="match_talent",
            title=f"有适合“{post}”的校企人才对接会",
            body=f"近期可报名：{names}。",
            link="/matchmaking/events",
            dedupe_key=f"match_talent_fairs:{n.id}",
        )
    return n


def _district(code: str) -> object:
    from srdi.kit.reference import region

    return region(code)


def _control(value: str) -> str | None:
    from srdi.kit.text import control_error

    return control_error(value)


def has_open_post(db: Session, enterprise_id: int, kind: str, post: str) -> bool:
    return repo.live_talent_with_post(db, enterprise_id, kind, title_key(post)) is not None


def fairs_for(db: Session, need: TalentNeed) -> list[MatchEvent]:
    """Upcoming open 校企人才对接会 of the need's city, nearest first (its district before the rest of the city)."""
    today = beijing_today()
    rows = [
        e
        for e in repo.events(
            db,
            region_prefixes=[need.region_code[:4]],
            statuses=[EventStatus.open.value],
            kind=EventKind.job_fair.value,
            from_date=today,
        )
        if (e.event_date - today).days <= FAIR_LOOKAHEAD_DAYS
    ]
    return sorted(rows, key=lambda e: (not need.region_code.startswith(e.region_code), e.event_date, e.id))


def get_talent(db: Session, need_id: int) -> TalentNeed:
    n = repo.get_talent(db, need_id)
    if n is None:
        raise TalentNotFound(need_id)
    return n


def visible_talent(db: Session, user: User, need_id: int) -> TalentNeed:
    """The enterprise that posted it and officials of its region; anyone else gets 404."""
    n = get_talent(db, need_id)
    if user.enterprise_id == n.enterprise_id and _role(user) in (Role.enterprise, Role.chain_leader):
        return n
    if covers(user, n.region_code):
        return n
    raise TalentNotFound(need_id)


def list_talent(db: Session, user: User, view: str, status: str | None) -> list[TalentNeed]:
    statuses = [status] if status else None
    if view == "mine":
        if not user.enterprise_id:
            return []
        return repo.talent_needs(db, enterprise_id=user.enterprise_id, statuses=statuses)
    if _role(user) is Role.admin or _role(user) in OFFICIAL_ROLES:
        return repo.talent_needs(db, region_prefixes=scope(user), statuses=statuses)
    return []


def respond_talent(db: Session, n: TalentNeed, user: User, note: str | None) -> None:
    """The district's human-resources services answer with the help they give (推荐简历、安排招聘会 …)."""
    if n.status != TalentStatus.open.value:
        raise ActionNotAllowed(f"需求当前为“{TalentStatus(n.status).label}”，无需响应", "respond closed")
    text = _text(note, "响应措施", minimum=4, maximum=NOTE_MAX)
    n.responded_at, n.responded_by_user_id, n.response_note = utcnow(), user.id, text
    db.flush()
    _log(db, n, "talent_respond", user, n.status, reason=text)
    notification_service.notify(
        db,
        n.enterprise_id,
        kind="match_talent",
        title=f"区人力资源服务已响应：{n.post}",
        body=text,
        link=f"/matchmaking/talent/{n.id}",
        dedupe_key=f"match_talent_respond:{n.id}:{n.version}",
    )


def record_talent_outcome(
    db: Session,
    n: TalentNeed,
    user: User,
    *,
    on_date: date,
    resumes: int,
    interviews: int,
    hires: int,
    event_id: int | None,
    note: str | None,
) -> TalentOutcome:
    if n.status == TalentStatus.closed.value:
        raise ActionNotAllowed("需求已关闭，不能再登记成效", "outcome on closed")
    for v, label in ((resumes, "收到简历数"), (interviews, "面试人数"), (hires, "录用人数")):
        if not 0 <= v <= COUNT_MAX:
            raise InvalidPosting(f"{label}须在 0 至 {COUNT_MAX} 之间", f"{label} out of range")
    if resumes + interviews + hires == 0:
        raise InvalidPosting("请至少填写简历数、面试人数或录用人数中的一项", "empty outcome")
    if on_date > beijing_today():
        raise InvalidPosting("登记日期不能晚于今天", "outcome in the future")
    if event_id is not None:
        ev = repo.get_event(db, event_id)
        if (
            ev is None
            or ev.kind != EventKind.job_fair.value
            or repo.registration_of(db, ev.id, n.enterprise_id) is None
        ):
            raise InvalidPosting(
                "关联活动须为贵企业报名的校企人才对接会", "event not a fair the enterprise attended"
            )
    o = TalentOutcome(
        need_id=n.id,
        event_id=event_id,
        on_date=on_date,
        resumes=resumes,
        interviews=interviews,
        hires=hires,
        note=_text(note, "成效说明", minimum=0, maximum=500, required=False) or None,
        recorded_by_user_id=user.id,
    )
    db.add(o)
    db.flush()
    _log(
        db,
        n,
        "talent_outcome",
        user,
        n.status,
        detail={"resumes": resumes, "interviews": interviews, "hires": hires},
    )
    hired = sum(x.hires for x in repo.talent_outcomes(db, [n.id]))
    if n.status == TalentStatus.open.value and n.kind == TalentKind.hiring.value and hired >= n.headcount:
        _move(db, n, "talent_fill", TalentStatus.filled, None, reason=f"累计录用 {hired} 人，达到需求人数")
    return o


def close_talent(db: Session, n: TalentNeed, user: User, reason: str | None) -> None:
    if n.status == TalentStatus.closed.value:
        raise ActionNotAllowed("需求已关闭", "already closed")
    text = _text(reason, "关闭原因", minimum=2, maximum=NOTE_MAX)
    _move(db, n, "talent_close", TalentStatus.closed, user, reason=text)


def talent_outcomes(db: Session, need_ids: Sequence[int]) -> list[TalentOutcome]:
    return repo.talent_outcomes(db, need_ids)


def talent_of_enterprises(db: Session, enterprise_ids: Iterable[int]) -> list[TalentNeed]:
    return repo.talent_needs(db, enterprise_ids=list(enterprise_ids), statuses=[TalentStatus.open.value])


# --- figures -----------------------------------------------------------------------------------------------------


def figures(db: Session, prefixes: list[str] | None, start: date, end: date) -> dict[str, Any]:
    """What events and talent needs achieved in a region over [start, end]: counts, money (分), people."""
    evs = repo.events_in(db, prefixes, start, end)
    held = [e for e in evs if e.status == EventStatus.held.value]
    ids = [e.id for e in held]
    regs = [r for r in repo.registrations_of_events(db, ids) if r.status == "registered"]
    outs = repo.outcomes_of_events(db, ids)
    proven = [o for o in outs if o.confirmed_at or o.verified_at]
    by_kind = {k.value: sum(1 for e in held if e.kind == k.value) for k in EventKind}
    talents = [
        t for t in repo.talent_needs(db, region_prefixes=prefixes, limit=100000)
        if start <= t.created_at.date() <= end or t.status == TalentStatus.open.value
    ]  # fmt: skip
    touts = [o for o in repo.talent_outcomes(db, [t.id for t in talents]) if start <= o.on_date <= end]
    return {
        "events_held": len(held),
        "events_by_kind": by_kind,
        "events_planned": sum(1 for e in evs if e.status == EventStatus.open.value),
        "registrations": len(regs),
        "attended": sum(1 for r in regs if r.attended),
        "meetings": len(repo.meetings_of_events(db, ids)),
        "outcomes": len(outs),
        "outcomes_proven": len(proven),
        "amount_fen": sum(o.amount_fen for o in outs),
        "amount_proven_fen": sum(o.amount_fen for o in proven),
        "talent_needs": len(talents),
        "headcount": sum(t.headcount for t in talents),
        "joint_training": sum(1 for t in talents if t.joint_training),
        "responded": sum(1 for t in talents if t.responded_at is not None),
        "awaiting_response": sum(1 for t in talents if t.responded_at is None and t.status == "open"),
        "resumes": sum(o.resumes for o in touts),
        "interviews": sum(o.interviews for o in touts),
        "hires": sum(o.hires for o in touts),
    }
