"""HTTP endpoints of matchmaking (供需对接 / 揭榜挂帅, PRODUCT C6).

Chain leaders post needs and see their matches and bidders; officials of the need's region review; enterprises
see published needs, their recommendations, their capabilities and their bids. A need's bidders and matches are
visible only to its leader and to officials of its region: anyone else gets 404, as if the need had none.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from srdi.auth.service import Principal, audit
from srdi.db.session import DbSession
from srdi.enterprise.models import Enterprise
from srdi.kit.money import fen_to_yuan
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize
from srdi.kit.reference import industry
from srdi.matchmaking import service
from srdi.matchmaking.dependencies import Leader, MatchUser, Official, Organiser, SelfUser
from srdi.matchmaking.enums import BidStatus, NeedAction, NeedKind, NeedStatus
from srdi.matchmaking.exceptions import BidNotFound, NeedNotFound
from srdi.matchmaking.matching import TIER_LABELS, Match
from srdi.matchmaking.models import Bid, Capability, MatchNeed, MatchNeedEvent, Milestone
from srdi.matchmaking.schemas import (
    BidActionIn,
    BidIn,
    BidOut,
    CapabilityDraftOut,
    CapabilityIn,
    CapabilityOut,
    ContractIn,
    DimensionOut,
    FirstPurchaseOut,
    MilestoneDoneIn,
    MilestoneIn,
    MilestoneOut,
    NeedDetailOut,
    NeedEventOut,
    NeedIn,
    NeedMatchOut,
    NeedOut,
    NeedTransitionIn,
    RecommendationOut,
    ReviewOut,
)

router = APIRouter(tags=["供需对接 matchmaking"])

NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="需求编号")]
BidId = Annotated[int, Path(ge=1, le=2**31 - 1, description="揭榜方案编号")]
CapabilityId = Annotated[int, Path(ge=1, le=2**31 - 1, description="能力编号")]
MilestoneId = Annotated[int, Path(ge=1, le=2**31 - 1, description="里程碑编号")]

EVENT_LABELS = {
    **{a.value: a.label for a in NeedAction},
    "bid": "提交揭榜方案",
    "bid_withdraw": "撤回揭榜方案",
    "bid_shortlist": "方案入围",
    "bid_decline": "方案未入选",
    "milestone_add": "新增里程碑",
    "milestone_done": "里程碑完成",
    "contract_record": "登记采购合同",
    "contract_confirm": "供方确认合同",
    "contract_verify": "主管部门核实合同",
}


def _yuan(fen: int | None) -> object:
    return fen_to_yuan(fen) if fen is not None else None


def need_out(n: MatchNeed, leaders: dict[int, Enterprise], bid_count: int | None = None) -> NeedOut:
    leader = leaders.get(n.leader_enterprise_id)
    return NeedOut(
        id=n.id,
        kind=n.kind,
        kind_label=NeedKind(n.kind).label,
        title=n.title,
        problem=n.problem,
        required_capability=n.required_capability,
        reward_yuan=_yuan(n.reward_fen),  # type: ignore[arg-type]
        budget_yuan=_yuan(n.budget_fen),  # type: ignore[arg-type]
        deadline_date=n.deadline_date,
        ip_terms=n.ip_terms,
        industry_codes=list(n.industry_codes or []),
        industry_names=[(ind.name if (ind := industry(c)) else c) for c in n.industry_codes or []],
        region_code=n.region_code,
        region_name=service.region_label(n.region_code),
        status=n.status,
        status_label=NeedStatus(n.status).label,
        leader_enterprise_id=n.leader_enterprise_id,
        leader_name=leader.name if leader else "",
        review_note=n.review_note,
        published_at=n.published_at,
        created_at=n.created_at,
        bid_count=bid_count,
        notified_count=n.notified_count,
        delivery_note=n.delivery_note,
        failure_reason=n.failure_reason,
    )


def event_out(e: MatchNeedEvent) -> NeedEventOut:
    return NeedEventOut(
        id=e.id,
        at=e.at,
        action=e.action,
        action_label=EVENT_LABELS.get(e.action, e.action),
        from_status=e.from_status,
        from_label=NeedStatus(e.from_status).label if e.from_status else None,
        to_status=e.to_status,
        to_label=NeedStatus(e.to_status).label if e.to_status else None,
        actor_name=e.actor_name,
        reason=e.reason,
    )


def milestone_out(m: Milestone) -> MilestoneOut:
    return MilestoneOut(id=m.id, title=m.title, due_date=m.due_date, done_date=m.done_date, note=m.note)


def _sees_bidders(principal: Principal, n: MatchNeed) -> bool:
    return service.is_leader_of(principal.user, n) or service.is_official_for(principal.user, n)


def detail_out(db: Session, n: MatchNeed, principal: Principal) -> NeedDetailOut:
    leaders = service.enterprises_by_ids(db, [n.leader_enterprise_id])
    sees = _sees_bidders(principal, n)
    count = service.bid_counts(db, [n.id]).get(n.id, 0) if sees else None
    my_bid = None
    if principal.user.enterprise_id is not None:
        my_bid = next(
            (b.id for b in service.bids_of_enterprise(db, principal.user.enterprise_id) if b.need_id == n.id),
            None,
        )
    selected_name = None
    seller_id = None
    if n.selected_bid_id:
        bid = service.get_bid(db, n.selected_bid_id)
        seller_id = bid.enterprise_id
        selected_name = service.enterprises_by_ids(db, [bid.enterprise_id])[bid.enterprise_id].name
    delivered = n.status == NeedStatus.delivered.value
    confirmed = n.contract_confirmed_at is not None or n.contract_verified_at is not None
    recorded = n.contract_recorded_at is not None
    fp = service.first_purchase(db, n) if (sees or principal.user.enterprise_id == seller_id) else None
    return NeedDetailOut(
        **need_out(n, leaders, count).model_dump(),
        events=[event_out(e) for e in service.events(db, n)],
        milestones=[milestone_out(m) for m in service.milestones(db, n)],
        allowed_actions=service.allowed_actions(db, n, principal.user),
        my_bid_id=my_bid,
        selected_enterprise_name=selected_name,
        contract_amount_yuan=_yuan(n.contract_amount_fen),  # type: ignore[arg-type]
        contract_recorded_at=n.contract_recorded_at,
        contract_confirmed_at=n.contract_confirmed_at,
        contract_verified_at=n.contract_verified_at,
        can_record_contract=delivered and not confirmed and service.is_leader_of(principal.user, n),
        can_confirm_contract=recorded
        and n.contract_confirmed_at is None
        and seller_id is not None
        and principal.user.enterprise_id == seller_id,
        can_verify_contract=recorded
        and n.contract_verified_at is None
        and service.is_official_for(principal.user, n),
        first_purchase=FirstPurchaseOut(**fp) if fp else None,
    )


def dimensions_out(m: Match) -> list[DimensionOut]:
    return [
        DimensionOut(key=d.key, label=d.label, score=d.score, weight=d.weight, sentence=d.sentence)
        for d in m.dimensions
    ]


def bid_out(b: Bid, needs: dict[int, MatchNeed], ents: dict[int, Enterprise]) -> BidOut:
    n = needs[b.need_id]
    e = ents.get(b.enterprise_id)
    return BidOut(
        id=b.id,
        need_id=b.need_id,
        need_title=n.title,
        need_status_label=NeedStatus(n.status).label,
        enterprise_id=b.enterprise_id,
        enterprise_name=e.name if e else "",
        proposal=b.proposal,
        confidential_note=b.confidential_note,
        quoted_yuan=_yuan(b.quoted_fen),  # type: ignore[arg-type]
        planned_days=b.planned_days,
        status=b.status,
        status_label=BidStatus(b.status).label,
        match_score=b.match_score,
        created_at=b.created_at,
    )


def capability_out(c: Capability) -> CapabilityOut:
    return CapabilityOut.model_validate(c, from_attributes=True)


# --- needs ---------------------------------------------------------------------------------------------------


@router.post(
    "/match-needs", response_model=NeedDetailOut, status_code=201, summary="发布需求或揭榜挂帅榜单（待审核）"
)
def post_need(db: DbSession, principal: Leader, body: NeedIn) -> NeedDetailOut:
    leader = service.own_enterprise(db, principal.user)
    need = service.post_need(db, leader, service.NeedData(**body.model_dump()), principal.user)
    audit(
        db,
        principal,
        "matchmaking.need.post",
        ("match_need", need.id),
        {"title": need.title, "kind": need.kind},
    )
    return detail_out(db, need, principal)


@router.get(
    "/match-needs", response_model=Page[NeedOut], summary="需求列表：本企业发布 / 待审核 / 征集中（分页）"
)
def list_needs(
    db: DbSession,
    principal: MatchUser,
    view: Annotated[
        Literal["mine", "review", "open"], Query(description="mine 本企业发布 | review 审核 | open 征集中")
    ] = "open",
    status: Annotated[NeedStatus | None, Query(description="按状态筛选")] = None,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> Page[NeedOut]:
    rows, total = service.page_needs(
        db, principal.user, view=view, status=status.value if status else None, page=page, page_size=page_size
    )
    leaders = service.enterprises_by_ids(db, {n.leader_enterprise_id for n in rows})
    counts = service.bid_counts(db, [n.id for n in rows if _sees_bidders(principal, n)])
    items = [need_out(n, leaders, counts.get(n.id, 0) if _sees_bidders(principal, n) else None) for n in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


@router.get("/match-needs/{need_id}", response_model=NeedDetailOut, summary="需求详情与进展")
def get_need(db: DbSession, principal: MatchUser, need_id: NeedId) -> NeedDetailOut:
    return detail_out(db, service.visible_need(db, principal.user, need_id), principal)


@router.post(
    "/match-needs/{need_id}/transitions",
    response_model=ReviewOut,
    summary="审核、撤回、开始攻关、交付或记录未成功",
)
def transition(db: DbSession, principal: Organiser, need_id: NeedId, body: NeedTransitionIn) -> ReviewOut:
    need = service.owned_need(db, principal.user, need_id)
    notified = service.transition(db, need, principal.user, body.action, body.note)
    audit(
        db,
        principal,
        f"matchmaking.need.{body.action}",
        ("match_need", need.id),
        {"note": body.note, "notified": notified},
    )
    return ReviewOut(need=detail_out(db, need, principal), notified=notified)


@router.get(
    "/match-needs/{need_id}/matches",
    response_model=list[NeedMatchOut],
    summary="匹配企业排名（含各维度理由）",
)
def need_matches(
    db: DbSession, principal: Organiser, need_id: NeedId, top_k: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[NeedMatchOut]:
    need = service.owned_need(db, principal.user, need_id)
    ranked = service.matches_for_need(db, need, top_k=top_k)
    ents = service.enterprises_by_ids(db, [m.enterprise_id for m in ranked])
    bids = {b.enterprise_id: b.status for b in service.bids_of_need(db, need)}
    return [
        NeedMatchOut(
            enterprise_id=m.enterprise_id,
            enterprise_name=ents[m.enterprise_id].name if m.enterprise_id in ents else "",
            region_name=service.region_label(ents[m.enterprise_id].region_code)
            if m.enterprise_id in ents
            else "",
            score=m.score,
            explanation=m.explanation,
            dimensions=dimensions_out(m),
            matched_terms=list(m.matched_terms),
            bid_status=bids.get(m.enterprise_id),
        )
        for m in ranked
    ]


@router.get(
    "/match-needs/{need_id}/bids", response_model=list[BidOut], summary="揭榜方案（仅发榜方与主管部门）"
)
def need_bids(db: DbSession, principal: Organiser, need_id: NeedId) -> list[BidOut]:
    need = service.owned_need(db, principal.user, need_id)
    bids = service.bids_of_need(db, need)
    ents = service.enterprises_by_ids(db, [b.enterprise_id for b in bids])
    return [bid_out(b, {need.id: need}, ents) for b in bids]


@router.post("/match-needs/{need_id}/bids", response_model=BidOut, status_code=201, summary="揭榜：提交方案")
def place_bid(db: DbSession, principal: SelfUser, need_id: NeedId, body: BidIn) -> BidOut:
    need = service.visible_need(db, principal.user, need_id)
    ent = service.own_enterprise(db, principal.user)
    bid = service.place_bid(db, need, ent, service.BidData(**body.model_dump()), principal.user)
    audit(db, principal, "matchmaking.bid.place", ("match_bid", bid.id), {"need_id": need.id})
    return bid_out(bid, {need.id: need}, {ent.id: ent})


@router.get("/match-bids", response_model=Page[BidOut], summary="本企业的揭榜方案（分页）")
def my_bids(db: DbSession, principal: SelfUser, page: PageNo = 1, page_size: PageSize = 20) -> Page[BidOut]:
    ent = service.own_enterprise(db, principal.user)
    shown, total = service.bids_page(db, ent.id, page, page_size)
    needs = {b.need_id: service.get_need(db, b.need_id) for b in shown}
    items = [bid_out(b, needs, {ent.id: ent}) for b in shown]
    return Page(items=items, total=total, page=page, page_size=page_size)


@router.post(
    "/match-bids/{bid_id}/transitions",
    response_model=BidOut,
    summary="入围、选定、未入选（发榜方）或撤回（揭榜方）",
)
def bid_action(db: DbSession, principal: SelfUser, bid_id: BidId, body: BidActionIn) -> BidOut:
    bid = service.get_bid(db, bid_id)
    need = service.get_need(db, bid.need_id)
    if not (service.is_leader_of(principal.user, need) or principal.user.enterprise_id == bid.enterprise_id):
        raise BidNotFound(bid.id)
    service.act_on_bid(db, bid, principal.user, body.action, body.note)
    audit(db, principal, f"matchmaking.bid.{body.action}", ("match_bid", bid.id), {"need_id": need.id})
    ents = service.enterprises_by_ids(db, [bid.enterprise_id])
    return bid_out(bid, {need.id: need}, ents)


@router.post(
    "/match-needs/{need_id}/milestones", response_model=MilestoneOut, status_code=201, summary="记录里程碑"
)
def add_milestone(db: DbSession, principal: Leader, need_id: NeedId, body: MilestoneIn) -> MilestoneOut:
    need = service.owned_need(db, principal.user, need_id)
    m = service.add_milestone(db, need, principal.user, body.title, body.due_date)
    audit(db, principal, "matchmaking.milestone.add", ("match_milestone", m.id), {"need_id": need.id})
    return milestone_out(m)


@router.post("/match-milestones/{milestone_id}/done", response_model=MilestoneOut, summary="里程碑完成")
def milestone_done(
    db: DbSession, principal: Leader, milestone_id: MilestoneId, body: MilestoneDoneIn
) -> MilestoneOut:
    m = service.get_milestone(db, milestone_id)
    service.owned_need(db, principal.user, m.need_id)
    service.complete_milestone(db, m, principal.user, body.done_date, body.note)
    audit(db, principal, "matchmaking.milestone.done", ("match_milestone", m.id), {"need_id": m.need_id})
    return milestone_out(m)


@router.post(
    "/match-needs/{need_id}/contract", response_model=NeedDetailOut, summary="登记交付后的采购合同（发榜方）"
)
def record_contract(db: DbSession, principal: Leader, need_id: NeedId, body: ContractIn) -> NeedDetailOut:
    need = service.owned_need(db, principal.user, need_id)
    service.record_contract(db, need, principal.user, body.amount_yuan)
    audit(
        db,
        principal,
        "matchmaking.contract.record",
        ("match_need", need.id),
        {"amount_yuan": str(body.amount_yuan)},
    )
    return detail_out(db, need, principal)


@router.post(
    "/match-needs/{need_id}/contract/confirm", response_model=NeedDetailOut, summary="供方确认采购合同"
)
def confirm_contract(db: DbSession, principal: SelfUser, need_id: NeedId) -> NeedDetailOut:
    need = service.visible_need(db, principal.user, need_id)
    service.confirm_contract(db, need, principal.user)
    audit(db, principal, "matchmaking.contract.confirm", ("match_need", need.id))
    return detail_out(db, need, principal)


@router.post(
    "/match-needs/{need_id}/contract/verify", response_model=NeedDetailOut, summary="主管部门核实采购合同"
)
def verify_contract(db: DbSession, principal: Official, need_id: NeedId) -> NeedDetailOut:
    need = service.owned_need(db, principal.user, need_id)
    if not service.is_official_for(principal.user, need):
        raise NeedNotFound(need.id)
    service.verify_contract(db, need, principal.user)
    audit(db, principal, "matchmaking.contract.verify", ("match_need", need.id))
    return detail_out(db, need, principal)


# --- enterprises: recommendations and capabilities ------------------------------------------------------------


@router.get("/match-recommendations", response_model=list[RecommendationOut], summary="为本企业推荐的需求")
def recommendations(db: DbSession, principal: SelfUser) -> list[RecommendationOut]:
    ent = service.own_enterprise(db, principal.user)
    pairs = service.recommended_needs(db, ent.id)
    leaders = service.enterprises_by_ids(db, {n.leader_enterprise_id for n, _ in pairs})
    return [
        RecommendationOut(
            need=need_out(n, leaders), score=m.score, explanation=m.explanation, dimensions=dimensions_out(m)
        )
        for n, m in pairs
    ]


@router.get("/match-capabilities", response_model=list[CapabilityOut], summary="本企业发布的能力与产品")
def my_capabilities(db: DbSession, principal: SelfUser) -> list[CapabilityOut]:
    ent = service.own_enterprise(db, principal.user)
    return [capability_out(c) for c in service.capabilities_of(db, ent.id)]


@router.get("/match-capabilities/draft", response_model=CapabilityDraftOut, summary="按企业档案预填能力")
def capability_draft(db: DbSession, principal: SelfUser) -> CapabilityDraftOut:
    ent = service.own_enterprise(db, principal.user)
    draft = service.capability_draft(ent)
    return CapabilityDraftOut(**draft, tier_label=TIER_LABELS.get(draft["tier"]) if draft["tier"] else None)


@router.post("/match-capabilities", response_model=CapabilityOut, status_code=201, summary="发布能力或产品")
def add_capability(db: DbSession, principal: SelfUser, body: CapabilityIn) -> CapabilityOut:
    ent = service.own_enterprise(db, principal.user)
    cap = service.save_capability(db, ent, service.CapabilityData(**body.model_dump()))
    audit(db, principal, "matchmaking.capability.save", ("match_capability", cap.id), {"title": cap.title})
    return capability_out(cap)


@router.put("/match-capabilities/{capability_id}", response_model=CapabilityOut, summary="修改能力或产品")
def put_capability(
    db: DbSession, principal: SelfUser, capability_id: CapabilityId, body: CapabilityIn
) -> CapabilityOut:
    ent = service.own_enterprise(db, principal.user)
    cap = service.own_capability(db, ent.id, capability_id)
    service.save_capability(db, ent, service.CapabilityData(**body.model_dump()), cap)
    audit(db, principal, "matchmaking.capability.save", ("match_capability", cap.id), {"title": cap.title})
    return capability_out(cap)


@router.delete("/match-capabilities/{capability_id}", status_code=204, summary="删除能力或产品")
def delete_capability(db: DbSession, principal: SelfUser, capability_id: CapabilityId) -> Response:
    ent = service.own_enterprise(db, principal.user)
    cap = service.own_capability(db, ent.id, capability_id)
    audit(db, principal, "matchmaking.capability.delete", ("match_capability", cap.id), {"title": cap.title})
    service.delete_capability(db, cap)
    return Response(status_code=204)
