"""Matchmaking (供需对接 / 揭榜挂帅, PRODUCT C6): needs, review, capabilities, two-way matches, the 揭榜 flow.

A chain leader posts a need (a technology challenge with a reward, or a supply need); an official of the need's
region reviews it; on approval it is open and the best-matching enterprises get an in-app message with the
reasons. Enterprises take it up with a proposal (a bid); the leader shortlists and selects one (the need is
taken), records milestones, then the delivery or the failure with its reason. Every step writes one
``MatchNeedEvent``. Services never commit.

Statuses: pending_review → open (approve) | rejected; open → taken (select) → in_progress (start) →
delivered | failed; pending_review/open → withdrawn by the leader.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.auth.enums import OFFICIAL_ROLES, Role
from srdi.auth.models import User
from srdi.config import get_settings
from srdi.db.base import utcnow
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.kit.money import yuan_to_fen
from srdi.kit.reference import industry, region
from srdi.kit.text import control_error
from srdi.kit.workdays import beijing_today
from srdi.matchmaking import repository
from srdi.matchmaking.enums import (
    LIVE_STATUSES,
    BidAction,
    BidStatus,
    NeedAction,
    NeedKind,
    NeedStatus,
)
from srdi.matchmaking.exceptions import (
    ActionNotAllowed,
    BidNotFound,
    CapabilityNotFound,
    DuplicatePosting,
    InvalidPosting,
    MilestoneNotFound,
    NeedNotFound,
)
from srdi.matchmaking.matching import (
    IpTitle,
    Match,
    Matcher,
    NeedQuery,
    Profile,
    best_tier,
    load_vocabulary,
    load_weights,
)
from srdi.matchmaking.models import Bid, Capability, MatchNeed, MatchNeedEvent, Milestone
from srdi.notification import service as notification_service

TITLE_MIN = 4
TITLE_MAX = 100
TEXT_MIN = 10
TEXT_MAX = 5000
PROPOSAL_MIN = 10
PROPOSAL_MAX = 5000
MAX_INDUSTRY_CODES = 5
MONEY_MAX_YUAN = Decimal("10000000000")  # 100 亿元: anything above is a typing error
# Enterprises told of a newly published need: the best this many, each above the rules' min_total.
NOTIFY_TOP = 10
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


# --- validation ------------------------------------------------------------------------------------------------


def title_key(title: str) -> str:
    """A title as compared for duplicates: NFKC, lower case, without spaces and punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", title)).lower()[:100]


def _text(value: str | None, label: str, *, minimum: int, maximum: int, required: bool = True) -> str:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidPosting(f"{label}不能为空", f"{label} is empty")
        return ""
    if err := control_error(text):
        raise InvalidPosting(f"{label}{err}", f"{label} has a control character")
    if len(text) < minimum:
        raise InvalidPosting(
            f"{label}过短（{len(text)} 字），请至少写 {minimum} 字", f"{label} too short: {len(text)}"
        )
    if len(text) > maximum:
        raise InvalidPosting(
            f"{label}过长（{len(text)} 字），请精简到 {maximum} 字以内", f"{label} too long: {len(text)}"
        )
    return text


def _money(value: Decimal | None, label: str) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise InvalidPosting(f"{label}不能为负数", f"{label} negative")
    if value > MONEY_MAX_YUAN:
        raise InvalidPosting(f"{label}超过 100 亿元，请核对单位（元）", f"{label} too large")
    try:
        return yuan_to_fen(value)
    except ValueError:
        raise InvalidPosting(f"{label}最多精确到分（小数点后两位）", f"{label} finer than one fen") from None


def _industry_codes(codes: Sequence[str]) -> list[str]:
    out: list[str] = []
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        if industry(code) is None:
            raise InvalidPosting(
                f"行业代码 {code} 不在《国民经济行业分类》(GB/T 4754-2017) 中", f"unknown industry {code}"
            )
        if code not in out:
            out.append(code)
    if not out:
        raise InvalidPosting("请至少选择一个所属行业", "no industry code")
    if len(out) > MAX_INDUSTRY_CODES:
        raise InvalidPosting(f"所属行业最多选择 {MAX_INDUSTRY_CODES} 个", "too many industry codes")
    return out


def _region_code(code: str) -> str:
    code = code.strip()
    if region(code) is None and not (
        len(code) == 6 and code.isdigit() and any(r.city_code == code[:4] for r in _regions())
    ):
        raise InvalidPosting(f"行政区划代码 {code} 不存在", f"unknown region {code}")
    return code


def region_label(code: str) -> str:
    """广东省深圳市南山区 for a district, 广东省深圳市 for a city prefix; the code itself if unknown."""
    r = region(code)
    if r is not None:
        return r.full_name
    for r in _regions():
        if r.city_code == code[:4]:
            return str(r.province_name) + (r.city_name if r.city_name not in ("市辖区", "县") else "")
    return code


def own_enterprise(db: Session, user: User) -> Enterprise:
    """The enterprise an enterprise account acts for (a chain leader's, a bidder's, a talent need's poster)."""
    if user.enterprise_id is None:
        raise InvalidPosting("账号未绑定企业", "account has no enterprise")
    return enterprise_service.get_or_404(db, user.enterprise_id)


def _regions() -> Iterable[Any]:
    from srdi.kit.reference import regions

    return regions().values()


@dataclass(frozen=True)
class NeedData:
    kind: str
    title: str
    problem: str
    required_capability: str = ""
    reward_yuan: Decimal | None = None
    budget_yuan: Decimal | None = None
    deadline_date: date | None = None
    ip_terms: str | None = None
    industry_codes: Sequence[str] = ()
    region_code: str | None = None


@dataclass(frozen=True)
class BidData:
    proposal: str
    confidential_note: str | None = None
    quoted_yuan: Decimal | None = None
    planned_days: int | None = None


@dataclass(frozen=True)
class CapabilityData:
    title: str
    description: str = ""
    keywords: Sequence[str] = ()
    main_product_ids: Sequence[int] = ()
    ip_item_ids: Sequence[int] = ()


# --- events ------------------------------------------------------------------------------------------------------


def _event(
    db: Session,
    need: MatchNeed,
    action: NeedAction | str,
    actor: User | None,
    from_status: str | None,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> MatchNeedEvent:
    ev = MatchNeedEvent(
        need_id=need.id,
        at=utcnow(),
        action=str(action),
        from_status=from_status,
        to_status=need.status,
        actor_user_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else "系统",
        reason=reason,
        detail=detail or {},
    )
    db.add(ev)
    return ev


def _move(
    db: Session,
    need: MatchNeed,
    action: NeedAction,
    to: NeedStatus,
    sources: Iterable[NeedStatus],
    actor: User | None,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    if NeedStatus(need.status) not in set(sources):
        raise ActionNotAllowed(
            f"需求当前状态为“{NeedStatus(need.status).label}”，不能{action.label}",
            f"action {action} not allowed from {need.status}",
        )
    before = need.status
    need.status = to.value
    db.flush()  # the version column makes a concurrent second transition fail (StaleDataError → 409)
    _event(db, need, action, actor, before, reason=reason, detail=detail)


# --- needs ---------------------------------------------------------------------------------------------------


def post_need(db: Session, leader: Enterprise, data: NeedData, actor: User) -> MatchNeed:
    """A chain leader posts a need; it waits for an official's review before anyone else sees it."""
    try:
        kind = NeedKind(data.kind)
    except ValueError:
        raise InvalidPosting("需求类型只能是揭榜挂帅技术难题或供应链配套需求", "bad kind") from None
    title = _text(data.title, "标题", minimum=TITLE_MIN, maximum=TITLE_MAX)
    problem = _text(data.problem, "需求描述", minimum=TEXT_MIN, maximum=TEXT_MAX)
    required = _text(data.required_capability, "能力要求", minimum=0, maximum=TEXT_MAX, required=False)
    ip_terms = _text(data.ip_terms, "知识产权约定", minimum=0, maximum=2000, required=False) or None
    if kind is NeedKind.open_challenge and data.reward_yuan is None:
        raise InvalidPosting("揭榜挂帅需填写榜单奖励金额（元）", "challenge without reward")
    reward = _money(data.reward_yuan, "榜单奖励")
    budget = _money(data.budget_yuan, "预算")
    if data.deadline_date is not None and data.deadline_date <= beijing_today():
        raise InvalidPosting("揭榜截止日期须晚于今天", "deadline not in the future")
    codes = _industry_codes(data.industry_codes)
    region_code = _region_code(data.region_code or leader.region_code)
    key = title_key(title)
    if repository.live_need_with_title(db, leader.id, key, [s.value for s in LIVE_STATUSES]):
        raise DuplicatePosting(
            f"贵企业已发布过同名需求“{title}”（尚未办结），请勿重复发布",
            f"a live need titled {title!r} exists for this leader",
        )
    need = MatchNeed(
        leader_enterprise_id=leader.id,
        kind=kind.value,
        title=title,
        title_key=key,
        problem=problem,
        required_capability=required,
        reward_fen=reward,
        budget_fen=budget,
        deadline_date=data.deadline_date,
        ip_terms=ip_terms,
        industry_codes=codes,
        region_code=region_code,
        status=NeedStatus.pending_review.value,
        created_by_user_id=actor.id,
        notified_count=0,
    )
    db.add(need)
    db.flush()
    _event(db, need, NeedAction.submit, actor, None)
    return need


def get_need(db: Session, need_id: int) -> MatchNeed:
    need = repository.get_need(db, need_id)
    if need is None:
        raise NeedNotFound(need_id)
    return need


def is_official_for(user: User, need: MatchNeed) -> bool:
    role = Role(user.role)
    if role is Role.admin:
        return True
    return (
        role in OFFICIAL_ROLES
        and bool(user.region_code)
        and need.region_code.startswith(user.region_code or "-")
    )


def is_leader_of(user: User, need: MatchNeed) -> bool:
    return Role(user.role) is Role.chain_leader and user.enterprise_id == need.leader_enterprise_id


PUBLIC_STATUSES = (
    NeedStatus.open,
    NeedStatus.taken,
    NeedStatus.in_progress,
    NeedStatus.delivered,
    NeedStatus.failed,
)


def visible_need(db: Session, user: User, need_id: int) -> MatchNeed:
    """The need if the caller may see it: its leader, officials of its region, anyone once published; else 404."""
    need = get_need(db, need_id)
    if is_leader_of(user, need) or is_official_for(user, need):
        return need
    if NeedStatus(need.status) in PUBLIC_STATUSES and Role(user.role) in (Role.enterprise, Role.chain_leader):
        return need
    raise NeedNotFound(need_id)


def owned_need(db: Session, user: User, need_id: int) -> MatchNeed:
    """The need if the caller is its leader or an official of its region (bidders, matches); else 404."""
    need = get_need(db, need_id)
    if is_leader_of(user, need) or is_official_for(user, need):
        return need
    raise NeedNotFound(need_id)


def list_needs(db: Session, user: User, *, view: str, status: str | None = None) -> list[MatchNeed]:
    """``mine``: a leader's own; ``review``: an official's region; ``open``: published needs for enterprises."""
    role = Role(user.role)
    statuses = [status] if status else None
    if view == "mine":
        if role is not Role.chain_leader or user.enterprise_id is None:
            return []
        return repository.needs(db, leader_enterprise_id=user.enterprise_id, statuses=statuses)
    if view == "review":
        if role is Role.admin:
            return repository.needs(db, statuses=statuses)
        if role in OFFICIAL_ROLES:
            return repository.needs(db, statuses=statuses, region_prefixes=[user.region_code or "-"])
        return []
    wanted = statuses or [NeedStatus.open.value]
    return [n for n in repository.needs(db, statuses=wanted) if NeedStatus(n.status) in PUBLIC_STATUSES]


def page_needs(
    db: Session, user: User, *, view: str, status: str | None, page: int, page_size: int
) -> tuple[list[MatchNeed], int]:
    """``list_needs`` as one page counted and cut in SQL, the same rows in the same order."""
    role = Role(user.role)
    statuses = [status] if status else None
    if view == "mine":
        if role is not Role.chain_leader or user.enterprise_id is None:
            return [], 0
        return repository.needs_page(
            db, statuses=statuses, leader_enterprise_id=user.enterprise_id, page=page, page_size=page_size
        )
    if view == "review":
        if role is Role.admin:
            return repository.needs_page(db, statuses=statuses, page=page, page_size=page_size)
        if role in OFFICIAL_ROLES:
            return repository.needs_page(
                db,
                statuses=statuses,
                region_prefixes=[user.region_code or "-"],
                page=page,
                page_size=page_size,
            )
        return [], 0
    public = {s.value for s in PUBLIC_STATUSES}
    wanted = [s for s in (statuses or [NeedStatus.open.value]) if s in public]
    return repository.needs_page(db, statuses=wanted, page=page, page_size=page_size)


def bids_page(db: Session, enterprise_id: int, page: int, page_size: int) -> tuple[list[Bid], int]:
    return repository.bids_page(db, enterprise_id, page, page_size)


def needs_of_leader(db: Session, leader_enterprise_id: int) -> list[MatchNeed]:
    return repository.needs(db, leader_enterprise_id=leader_enterprise_id)


def review_need(db: Session, need: MatchNeed, actor: User, *, approve: bool, note: str | None) -> int:
    """An official approves (the need is published and matching enterprises told) or rejects with a reason.

    Returns how many enterprises were notified.
    """
    if need.status != NeedStatus.pending_review.value:
        raise ActionNotAllowed(
            f"需求当前状态为“{NeedStatus(need.status).label}”，无需审核", f"review from {need.status}"
        )
    note = (note or "").strip() or None
    if not approve and not note:
        raise InvalidPosting("审核不通过须写明原因", "rejection without a reason")
    need.reviewed_by_user_id = actor.id
    need.reviewed_at = utcnow()
    need.review_note = note[:500] if note else None
    if not approve:
        _move(
            db, need, NeedAction.reject, NeedStatus.rejected, [NeedStatus.pending_review], actor, reason=note
        )
        return 0
    need.published_at = utcnow()
    _move(db, need, NeedAction.approve, NeedStatus.open, [NeedStatus.pending_review], actor, reason=note)
    return notify_matches(db, need)


def withdraw_need(db: Session, need: MatchNeed, actor: User, reason: str | None) -> None:
    _move(
        db,
        need,
        NeedAction.withdraw,
        NeedStatus.withdrawn,
        [NeedStatus.pending_review, NeedStatus.open],
        actor,
        reason=(reason or "").strip() or None,
    )
    for b in repository.bids_of_need(db, need.id):
        if b.status in (BidStatus.submitted.value, BidStatus.shortlisted.value):
            b.status = BidStatus.declined.value


def start_need(db: Session, need: MatchNeed, actor: User) -> None:
    _move(db, need, NeedAction.start, NeedStatus.in_progress, [NeedStatus.taken], actor)


def deliver_need(db: Session, need: MatchNeed, actor: User, note: str | None) -> None:
    text = _text(note, "交付说明", minimum=4, maximum=TEXT_MAX)
    need.delivered_at = utcnow()
    need.delivery_note = text
    _move(db, need, NeedAction.deliver, NeedStatus.delivered, [NeedStatus.in_progress], actor, reason=text)
    _tell_selected(db, need, "揭榜任务已确认交付", f"“{need.title}”已由发榜方确认交付。")


def fail_need(db: Session, need: MatchNeed, actor: User, reason: str | None) -> None:
    text = _text(reason, "未成功原因", minimum=4, maximum=TEXT_MAX)
    need.failure_reason = text
    _move(
        db,
        need,
        NeedAction.fail,
        NeedStatus.failed,
        [NeedStatus.taken, NeedStatus.in_progress],
        actor,
        reason=text,
    )
    _tell_selected(db, need, "揭榜任务记录为未成功", f"“{need.title}”：{text}")


def _tell_selected(db: Session, need: MatchNeed, title: str, body: str) -> None:
    bid = repository.get_bid(db, need.selected_bid_id) if need.selected_bid_id else None
    if bid is not None:
        notification_service.notify(
            db,
            bid.enterprise_id,
            kind="match_outcome",
            title=title,
            body=body,
            link="/matchmaking/bids",
            dedupe_key=f"match_outcome:{need.id}:{need.status}",
        )


def events(db: Session, need: MatchNeed) -> list[MatchNeedEvent]:
    return repository.events(db, need.id)


def allowed_actions(db: Session, need: MatchNeed, user: User) -> list[str]:
    status = NeedStatus(need.status)
    out: list[str] = []
    if is_official_for(user, need) and status is NeedStatus.pending_review:
        out += [NeedAction.approve.value, NeedAction.reject.value]
    if is_leader_of(user, need):
        if status in (NeedStatus.pending_review, NeedStatus.open):
            out.append(NeedAction.withdraw.value)
        if status is NeedStatus.taken:
            out.append(NeedAction.start.value)
        if status is NeedStatus.in_progress:
            out.append(NeedAction.deliver.value)
        if status in (NeedStatus.taken, NeedStatus.in_progress):
            out.append(NeedAction.fail.value)
    return out


def transition(db: Session, need: MatchNeed, user: User, action: str, note: str | None) -> int:
    """One action on a need by its leader or a reviewing official; returns enterprises notified (approve)."""
    try:
        act = NeedAction(action)
    except ValueError:
        raise InvalidPosting(f"未知操作 {action}", f"unknown action {action}") from None
    if act.value not in allowed_actions(db, need, user):
        raise ActionNotAllowed(
            f"需求当前状态为“{NeedStatus(need.status).label}”，您不能执行“{act.label}”",
            f"action {act} not allowed for this user from {need.status}",
        )
    if act in (NeedAction.approve, NeedAction.reject):
        return review_need(db, need, user, approve=act is NeedAction.approve, note=note)
    if act is NeedAction.withdraw:
        withdraw_need(db, need, user, note)
    elif act is NeedAction.start:
        start_need(db, need, user)
    elif act is NeedAction.deliver:
        deliver_need(db, need, user, note)
    elif act is NeedAction.fail:
        fail_need(db, need, user, note)
    return 0


# --- the purchase after delivery (首购, SEED-001 (二十七)) ------------------------------------------------------------


def record_contract(db: Session, need: MatchNeed, actor: User, amount_yuan: Decimal) -> None:
    """The buyer (the leader) records the purchase contract that followed a delivery; the seller must confirm."""
    if need.status != NeedStatus.delivered.value:
        raise ActionNotAllowed("确认交付后才能登记采购合同", "contract before delivery")
    if need.contract_confirmed_at is not None or need.contract_verified_at is not None:
        raise ActionNotAllowed("采购合同已确认，不能再修改", "contract already confirmed")
    fen = _money(amount_yuan, "合同金额")
    if not fen:
        raise InvalidPosting("合同金额须大于 0", "contract amount must be positive")
    need.contract_amount_fen = fen
    need.contract_recorded_at = utcnow()
    _event(db, need, "contract_record", actor, need.status, detail={"amount_fen": fen})


def confirm_contract(db: Session, need: MatchNeed, actor: User) -> None:
    """The seller (the selected bidder) confirms the contract the buyer recorded."""
    bid = repository.get_bid(db, need.selected_bid_id) if need.selected_bid_id else None
    if bid is None or actor.enterprise_id != bid.enterprise_id:
        raise NeedNotFound(need.id)
    if need.contract_recorded_at is None:
        raise ActionNotAllowed("发榜方尚未登记采购合同", "no contract recorded")
    need.contract_confirmed_at = utcnow()
    _event(db, need, "contract_confirm", actor, need.status)


def verify_contract(db: Session, need: MatchNeed, actor: User) -> None:
    """An official of the need's region verifies the recorded contract (instead of, or beside, the seller)."""
    if need.contract_recorded_at is None:
        raise ActionNotAllowed("发榜方尚未登记采购合同", "no contract recorded")
    need.contract_verified_by_user_id = actor.id
    need.contract_verified_at = utcnow()
    _event(db, need, "contract_verify", actor, need.status)


def first_purchase(db: Session, need: MatchNeed) -> dict[str, Any] | None:
    """Whether the purchase counts for the 首购 reward, with the reason for each condition (None: no contract)."""
    if need.contract_amount_fen is None or not need.selected_bid_id:
        return None
    import yaml

    rules = yaml.safe_load((get_settings().rules_dir / "matchmaking.yaml").read_text(encoding="utf-8"))
    fp = rules["first_purchase"]
    bid = repository.get_bid(db, need.selected_bid_id)
    seller = enterprise_service.get_or_404(db, bid.enterprise_id) if bid else None
    if seller is None:
        return None
    tiers = set(enterprise_service.valid_tiers(seller))
    proven = need.contract_confirmed_at is not None or need.contract_verified_at is not None
    earlier = [
        n
        for n in repository.needs(db, leader_enterprise_id=need.leader_enterprise_id, statuses=[NeedStatus.delivered.value])
        if n.id < need.id and n.contract_amount_fen is not None and n.selected_bid_id
        and (b := repository.get_bid(db, n.selected_bid_id)) is not None and b.enterprise_id == seller.id
    ]  # fmt: skip
    seller_region = region(seller.region_code)
    checks = [
        (proven, "合同已由供方确认或经主管部门核实" if proven else "合同尚待供方确认或主管部门核实"),
        (
            seller.region_code.startswith(fp["seller_region_prefix"]),
            f"供方位于{seller_region.full_name if seller_region else seller.region_code}",
        ),
        (
            bool(tiers & set(fp["seller_tiers"])),
            "供方为有效期内的专精特新企业"
            if tiers & set(fp["seller_tiers"])
            else "供方不是有效期内的专精特新企业",
        ),
        (not earlier, "买方首次向该企业采购" if not earlier else "买方此前已向该企业采购"),
    ]
    return {
        "eligible": all(ok for ok, _ in checks),
        "reasons": [text for _, text in checks],
        "cite": fp["cite"],
        "amount_note": "奖励金额待核实（政策原文未给出标准）"
        if fp.get("amount") is None
        else str(fp["amount"]),
        "provenance": "供方确认"
        if need.contract_confirmed_at
        else "主管部门核实"
        if need.contract_verified_at
        else "仅买方登记",
    }


# --- bids (揭榜) -----------------------------------------------------------------------------------------------


def place_bid(db: Session, need: MatchNeed, ent: Enterprise, data: BidData, actor: User | None) -> Bid:
    """揭榜: ``actor`` is the bidder's user (None when the demo data records a bid for an enterprise)."""
    if need.status != NeedStatus.open.value:
        raise ActionNotAllowed(
            f"需求当前状态为“{NeedStatus(need.status).label}”，已不接受揭榜", f"bid on {need.status}"
        )
    if ent.id == need.leader_enterprise_id:
        raise ActionNotAllowed("不能揭自己发布的榜", "leader bids on own need")
    if need.deadline_date is not None and beijing_today() > need.deadline_date:
        raise ActionNotAllowed(f"揭榜已于 {need.deadline_date.isoformat()} 截止", "deadline passed")
    proposal = _text(data.proposal, "揭榜方案", minimum=PROPOSAL_MIN, maximum=PROPOSAL_MAX)
    note = (
        _text(data.confidential_note, "保密附件说明", minimum=0, maximum=PROPOSAL_MAX, required=False) or None
    )
    if data.planned_days is not None and not 1 <= data.planned_days <= 3650:
        raise InvalidPosting("计划周期须在 1 至 3650 天之间", "planned days out of range")
    if repository.bid_of(db, need.id, ent.id) is not None:
        raise DuplicatePosting("贵企业已对该需求提交过揭榜方案，请勿重复提交", "duplicate bid")
    match = get_matcher(db).score(need_query(need), ent.id)
    bid = Bid(
        need_id=need.id,
        enterprise_id=ent.id,
        proposal=proposal,
        confidential_note=note,
        quoted_fen=_money(data.quoted_yuan, "报价"),
        planned_days=data.planned_days,
        status=BidStatus.submitted.value,
        match_score=match.score if match else None,
        submitted_by_user_id=actor.id if actor else None,
    )
    db.add(bid)
    db.flush()
    _event(db, need, "bid", actor, need.status, detail={"bid_id": bid.id, "enterprise_id": ent.id})
    notification_service.notify(
        db,
        need.leader_enterprise_id,
        kind="match_bid_received",
        title=f"新的揭榜方案：{need.title}",
        body=f"{ent.name}提交了揭榜方案" + (f"，匹配度 {round(match.score * 100)}" if match else "") + "。",
        link=f"/matchmaking/needs/{need.id}",
        dedupe_key=f"match_bid_received:{bid.id}",
    )
    return bid


def get_bid(db: Session, bid_id: int) -> Bid:
    bid = repository.get_bid(db, bid_id)
    if bid is None:
        raise BidNotFound(bid_id)
    return bid


def bids_of_need(db: Session, need: MatchNeed) -> list[Bid]:
    return repository.bids_of_need(db, need.id)


def bids_of_enterprise(db: Session, enterprise_id: int) -> list[Bid]:
    return repository.bids_of_enterprise(db, enterprise_id)


def act_on_bid(db: Session, bid: Bid, user: User, action: str, note: str | None) -> Bid:
    """The leader shortlists, selects or declines a bid; the bidder may withdraw while undecided."""
    need = get_need(db, bid.need_id)
    try:
        act = BidAction(action)
    except ValueError:
        raise InvalidPosting(f"未知操作 {action}", f"unknown action {action}") from None
    status = BidStatus(bid.status)
    if act is BidAction.withdraw:
        if user.enterprise_id != bid.enterprise_id:
            raise BidNotFound(bid.id)
        if status not in (BidStatus.submitted, BidStatus.shortlisted):
            raise ActionNotAllowed(f"方案当前为“{status.label}”，不能撤回", "withdraw decided bid")
        bid.status = BidStatus.withdrawn.value
        _event(db, need, "bid_withdraw", user, need.status, detail={"bid_id": bid.id})
        return bid
    if not is_leader_of(user, need):
        raise BidNotFound(bid.id)
    if need.status != NeedStatus.open.value:
        raise ActionNotAllowed(
            f"需求当前状态为“{NeedStatus(need.status).label}”，不能再筛选方案", f"bid action on {need.status}"
        )
    if act is BidAction.shortlist:
        if status is not BidStatus.submitted:
            raise ActionNotAllowed(f"方案当前为“{status.label}”，不能入围", "shortlist")
        bid.status = BidStatus.shortlisted.value
        _event(db, need, "bid_shortlist", user, need.status, detail={"bid_id": bid.id})
        notification_service.notify(
            db,
            bid.enterprise_id,
            kind="match_bid",
            title=f"揭榜方案已入围：{need.title}",
            body="发榜方已将贵企业的揭榜方案列入候选，请留意后续沟通。",
            link="/matchmaking/bids",
            dedupe_key=f"match_bid:{bid.id}:shortlisted",
        )
    elif act is BidAction.decline:
        if status not in (BidStatus.submitted, BidStatus.shortlisted):
            raise ActionNotAllowed(f"方案当前为“{status.label}”，不能设为未入选", "decline")
        bid.status = BidStatus.declined.value
        _event(db, need, "bid_decline", user, need.status, reason=note, detail={"bid_id": bid.id})
    elif act is BidAction.select:
        if status not in (BidStatus.submitted, BidStatus.shortlisted):
            raise ActionNotAllowed(f"方案当前为“{status.label}”，不能选定", "select")
        bid.status = BidStatus.selected.value
        need.selected_bid_id = bid.id
        for other in repository.bids_of_need(db, need.id):
            if other.id != bid.id and other.status in (
                BidStatus.submitted.value,
                BidStatus.shortlisted.value,
            ):
                other.status = BidStatus.declined.value
        _move(
            db, need, NeedAction.select, NeedStatus.taken, [NeedStatus.open], user,
            reason=note, detail={"bid_id": bid.id, "enterprise_id": bid.enterprise_id},
        )  # fmt: skip
        notification_service.notify(
            db,
            bid.enterprise_id,
            kind="match_bid",
            title=f"揭榜成功：{need.title}",
            body="发榜方已选定贵企业为揭榜方，请按约定开展攻关并记录里程碑。",
            link="/matchmaking/bids",
            dedupe_key=f"match_bid:{bid.id}:selected",
        )
    return bid


# --- milestones --------------------------------------------------------------------------------------------------


def add_milestone(db: Session, need: MatchNeed, user: User, title: str, due_date: date | None) -> Milestone:
    if NeedStatus(need.status) not in (NeedStatus.taken, NeedStatus.in_progress):
        raise ActionNotAllowed("选定揭榜方后才能记录里程碑", "milestone before selection")
    m = Milestone(
        need_id=need.id, title=_text(title, "里程碑名称", minimum=2, maximum=100), due_date=due_date
    )
    db.add(m)
    db.flush()
    _event(db, need, "milestone_add", user, need.status, detail={"milestone_id": m.id, "title": m.title})
    return m


def complete_milestone(
    db: Session, m: Milestone, user: User, done_date: date | None, note: str | None
) -> Milestone:
    need = get_need(db, m.need_id)
    if NeedStatus(need.status) not in (NeedStatus.taken, NeedStatus.in_progress):
        raise ActionNotAllowed("需求已办结，里程碑不能再修改", "milestone after close")
    m.done_date = done_date or beijing_today()
    m.note = _text(note, "里程碑说明", minimum=0, maximum=2000, required=False) or None
    _event(db, need, "milestone_done", user, need.status, detail={"milestone_id": m.id, "title": m.title})
    return m


def get_milestone(db: Session, milestone_id: int) -> Milestone:
    m = repository.get_milestone(db, milestone_id)
    if m is None:
        raise MilestoneNotFound(milestone_id)
    return m


def milestones(db: Session, need: MatchNeed) -> list[Milestone]:
    return repository.milestones(db, need.id)


# --- capabilities ------------------------------------------------------------------------------------------------


def capability_draft(ent: Enterprise) -> dict[str, Any]:
    """A capability pre-filled from the registry: main products, related IP, niche market and tier."""
    products = list(ent.main_products)
    ips = [i for i in ent.ip_items if i.in_use]
    niche = [n.description for n in ent.niche_markets]
    title = products[0].name if products else ent.name
    parts = []
    if niche:
        parts.append("细分市场：" + "；".join(niche[:2]))
    if products:
        parts.append("主导产品：" + "、".join(dict.fromkeys(p.name for p in products)))
    if ips:
        parts.append("核心知识产权：" + "；".join(i.title for i in ips[:5]))
    return {
        "title": title[:100],
        "description": "。".join(parts)[:TEXT_MAX],
        "keywords": list(dict.fromkeys(p.name for p in products if len(p.name) <= 30))[:10],
        "main_product_ids": [p.id for p in products],
        "ip_item_ids": [i.id for i in ips[:20]],
        "tier": best_tier(enterprise_service.valid_tiers(ent)),
    }


def save_capability(
    db: Session, ent: Enterprise, data: CapabilityData, capability: Capability | None = None
) -> Capability:
    title = _text(data.title, "能力/产品名称", minimum=2, maximum=TITLE_MAX)
    description = _text(data.description, "能力说明", minimum=0, maximum=TEXT_MAX, required=False)
    keywords = []
    for k in data.keywords:
        k = k.strip()
        if k and k not in keywords:
            if len(k) > 30:
                raise InvalidPosting(f"关键词“{k[:10]}…”过长（最多 30 字）", "keyword too long")
            keywords.append(k)
    if len(keywords) > 20:
        raise InvalidPosting("关键词最多 20 个", "too many keywords")
    product_ids = {p.id for p in ent.main_products}
    ip_ids = {i.id for i in ent.ip_items}
    if not set(data.main_product_ids) <= product_ids or not set(data.ip_item_ids) <= ip_ids:
        raise InvalidPosting("只能关联本企业在册的主导产品和知识产权", "foreign product or IP ids")
    key = title_key(title)
    same = repository.capability_with_title(db, ent.id, key)
    if same is not None and (capability is None or same.id != capability.id):
        raise DuplicatePosting(f"已发布过同名能力/产品“{title}”，请直接修改", "duplicate capability")
    cap = capability or Capability(enterprise_id=ent.id)
    cap.title = title
    cap.title_key = key
    cap.description = description
    cap.keywords = keywords
    cap.main_product_ids = sorted(set(data.main_product_ids))
    cap.ip_item_ids = sorted(set(data.ip_item_ids))
    if capability is None:
        db.add(cap)
    db.flush()
    _invalidate()
    return cap


def capabilities_of(db: Session, enterprise_id: int) -> list[Capability]:
    return repository.capabilities_of(db, enterprise_id)


def own_capability(db: Session, enterprise_id: int, capability_id: int) -> Capability:
    cap = repository.get_capability(db, capability_id)
    if cap is None or cap.enterprise_id != enterprise_id:
        raise CapabilityNotFound(capability_id)
    return cap


def delete_capability(db: Session, cap: Capability) -> None:
    db.delete(cap)
    db.flush()
    _invalidate()


# --- matching ----------------------------------------------------------------------------------------------------


def need_query(need: MatchNeed) -> NeedQuery:
    return NeedQuery(
        need_id=need.id,
        text=f"{need.title} {need.problem} {need.required_capability}",
        industry_codes=tuple(need.industry_codes or ()),
        region_code=need.region_code,
    )


def profile_of(ent: Enterprise, caps: Sequence[Capability], outcomes: tuple[int, int]) -> Profile:
    texts = [c for cap in caps for c in (cap.title, cap.description, *cap.keywords) if c]
    texts += [p.name for p in ent.main_products]
    texts += [n.description for n in ent.niche_markets]
    return Profile(
        enterprise_id=ent.id,
        name=ent.name,
        region_code=ent.region_code,
        industry_code=ent.industry_code,
        tier=best_tier(enterprise_service.valid_tiers(ent)),
        texts=tuple(texts),
        ip_items=tuple(IpTitle(i.title, i.ip_type) for i in ent.ip_items if i.in_use),
        delivered=outcomes[0],
        failed=outcomes[1],
    )


_cache_lock = threading.Lock()
_cache: tuple[object, Matcher] | None = None


def _invalidate() -> None:
    global _cache
    with _cache_lock:
        _cache = None


def get_matcher(db: Session) -> Matcher:
    """The index of every registry enterprise, rebuilt when enterprises, capabilities or outcomes change."""
    global _cache
    stamp = (id(db.get_bind()), *repository.stamp(db))
    with _cache_lock:
        if _cache is not None and _cache[0] == stamp:
            return _cache[1]
    caps: dict[int, list[Capability]] = {}
    for c in repository.all_capabilities(db):
        caps.setdefault(c.enterprise_id, []).append(c)
    outcomes = repository.outcome_counts(db)
    ids = list(db.scalars(select(Enterprise.id).order_by(Enterprise.id)))
    profiles: list[Profile] = []
    for i in range(0, len(ids), 1000):
        for ent in repository.enterprises_for_index(db, ids[i : i + 1000]):
            assert isinstance(ent, Enterprise)
            profiles.append(profile_of(ent, caps.get(ent.id, []), outcomes.get(ent.id, (0, 0))))
    matcher = Matcher(profiles, load_weights(get_settings().rules_dir), load_vocabulary()).prepare()
    with _cache_lock:
        _cache = (stamp, matcher)
    return matcher


def matches_for_need(db: Session, need: MatchNeed, *, top_k: int = 20) -> list[Match]:
    return get_matcher(db).rank(need_query(need), top_k=top_k, exclude=[need.leader_enterprise_id])


def recommended_needs(db: Session, enterprise_id: int, *, top_k: int = 20) -> list[tuple[MatchNeed, Match]]:
    """Open needs for an enterprise, best first, with the same reasons the leader sees."""
    open_needs = [
        n
        for n in repository.needs(db, statuses=[NeedStatus.open.value])
        if n.leader_enterprise_id != enterprise_id
    ]
    by_id = {n.id: n for n in open_needs}
    ranked = get_matcher(db).rank_needs(enterprise_id, [need_query(n) for n in open_needs], top_k=top_k)
    return [(by_id[m.need_id], m) for m in ranked]


def notify_matches(db: Session, need: MatchNeed) -> int:
    """Tell the best-matching enterprises of a newly published need, with the reasons (one message each)."""
    kind = NeedKind(need.kind).label
    n = 0
    for m in matches_for_need(db, need, top_k=NOTIFY_TOP):
        row = notification_service.notify(
            db,
            m.enterprise_id,
            kind="match_need",
            title=f"新{kind}与贵企业匹配：{need.title}",
            body=f"匹配理由：{m.explanation}。",
            link=f"/matchmaking/needs/{need.id}",
            dedupe_key=f"match_need:{need.id}",
        )
        if row is not None:
            n += 1
    need.notified_count = n
    return n


def enterprises_by_ids(db: Session, ids: Iterable[int]) -> dict[int, Enterprise]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {e.id: e for e in db.scalars(select(Enterprise).where(Enterprise.id.in_(wanted)))}


def bid_counts(db: Session, need_ids: Sequence[int]) -> dict[int, int]:
    return repository.bid_counts(db, need_ids)
