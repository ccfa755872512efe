"""API shapes of matchmaking (供需对接 / 揭榜挂帅); money in yuan (Decimal), statuses with their labels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

# Bodies are bounded generously here; the service gives the precise Chinese message (过长/过短/为空).
BODY_TEXT_MAX = 20000


class NeedIn(BaseModel):
    kind: str = Field(description="open_challenge 揭榜挂帅技术难题 | supply_need 供应链配套需求")
    title: str = Field(max_length=500, description="标题", examples=["协作机器人关节谐波减速器国产化"])
    problem: str = Field(max_length=BODY_TEXT_MAX, description="需求或技术难题描述")
    required_capability: str = Field("", max_length=BODY_TEXT_MAX, description="对揭榜方的能力要求")
    reward_yuan: Decimal | None = Field(None, description="榜单奖励（元），揭榜挂帅必填")
    budget_yuan: Decimal | None = Field(None, description="采购或研发预算（元）")
    deadline_date: date | None = Field(None, description="揭榜截止日期")
    ip_terms: str | None = Field(None, max_length=BODY_TEXT_MAX, description="知识产权归属约定")
    industry_codes: list[str] = Field(default_factory=list, max_length=20, description="GB/T 4754 行业代码")
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="需求所在地，默认发榜企业所在地")


class NeedOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    title: str
    problem: str
    required_capability: str
    reward_yuan: Decimal | None
    budget_yuan: Decimal | None
    deadline_date: date | None
    ip_terms: str | None
    industry_codes: list[str]
    industry_names: list[str]
    region_code: str
    region_name: str
    status: str
    status_label: str
    leader_enterprise_id: int
    leader_name: str
    review_note: str | None
    published_at: datetime | None
    created_at: datetime
    bid_count: int | None = Field(None, description="揭榜方案数（仅发榜方与主管部门可见）")
    notified_count: int
    delivery_note: str | None
    failure_reason: str | None


class LogOut(BaseModel):
    """One step of a need's, an event's or a talent need's history: what was done, by whom, why, and the status
    it moved between (labels)."""

    id: int
    at: datetime
    action: str
    action_label: str
    from_label: str | None
    to_label: str | None
    actor_name: str
    reason: str | None


class NeedEventOut(LogOut):
    """A step of a need's history, with the statuses' values as well."""

    from_status: str | None
    to_status: str | None


class MilestoneOut(BaseModel):
    id: int
    title: str
    due_date: date | None
    done_date: date | None
    note: str | None


class FirstPurchaseOut(BaseModel):
    eligible: bool = Field(description="是否符合首购奖励条件")
    reasons: list[str] = Field(description="逐项条件说明")
    cite: str = Field(description="政策依据")
    amount_note: str = Field(description="奖励金额（待核实时为说明）")
    provenance: str = Field(description="合同来源：供方确认 / 主管部门核实 / 仅买方登记")


class ContractIn(BaseModel):
    amount_yuan: Decimal = Field(description="采购合同金额（元）")


class NeedDetailOut(NeedOut):
    events: list[NeedEventOut]
    milestones: list[MilestoneOut]
    allowed_actions: list[str]
    my_bid_id: int | None = Field(None, description="本企业对此需求的揭榜方案编号")
    contract_amount_yuan: Decimal | None = None
    contract_recorded_at: datetime | None = None
    contract_confirmed_at: datetime | None = None
    contract_verified_at: datetime | None = None
    can_record_contract: bool = False
    can_confirm_contract: bool = False
    can_verify_contract: bool = False
    first_purchase: FirstPurchaseOut | None = None
    selected_enterprise_name: str | None = None


class NeedTransitionIn(BaseModel):
    action: str = Field(description="approve | reject | withdraw | start | deliver | fail")
    note: str | None = Field(None, max_length=BODY_TEXT_MAX, description="审核意见、交付说明或未成功原因")


class ReviewOut(BaseModel):
    need: NeedDetailOut
    notified: int = Field(description="本次通知的匹配企业数")


class DimensionOut(BaseModel):
    key: str = Field(description="text | industry | ip | tier | region | outcomes")
    label: str
    score: float = Field(description="本维度得分 0–1")
    weight: float = Field(description="权重（rules/matchmaking.yaml）")
    sentence: str = Field(description="本维度的中文说明")


class NeedMatchOut(BaseModel):
    enterprise_id: int
    enterprise_name: str
    region_name: str
    score: float
    explanation: str = Field(description="匹配理由（各维度说明，按贡献排序）")
    dimensions: list[DimensionOut]
    matched_terms: list[str]
    bid_status: str | None = Field(None, description="该企业已提交的揭榜方案状态")


class RecommendationOut(BaseModel):
    need: NeedOut
    score: float
    explanation: str
    dimensions: list[DimensionOut]


class BidIn(BaseModel):
    proposal: str = Field(max_length=BODY_TEXT_MAX, description="揭榜方案")
    confidential_note: str | None = Field(
        None, max_length=BODY_TEXT_MAX, description="保密内容（仅发榜方与主管部门可见）"
    )
    quoted_yuan: Decimal | None = Field(None, description="报价（元）")
    planned_days: int | None = Field(None, description="计划周期（天）")


class BidOut(BaseModel):
    id: int
    need_id: int
    need_title: str
    need_status_label: str
    enterprise_id: int
    enterprise_name: str
    proposal: str
    confidential_note: str | None
    quoted_yuan: Decimal | None
    planned_days: int | None
    status: str
    status_label: str
    match_score: float | None
    created_at: datetime


class BidActionIn(BaseModel):
    action: str = Field(description="shortlist | select | decline | withdraw")
    note: str | None = Field(None, max_length=2000)


class MilestoneIn(BaseModel):
    title: str = Field(max_length=500)
    due_date: date | None = None


class MilestoneDoneIn(BaseModel):
    done_date: date | None = None
    note: str | None = Field(None, max_length=BODY_TEXT_MAX)


class CapabilityIn(BaseModel):
    title: str = Field(max_length=500, description="能力或产品名称")
    description: str = Field("", max_length=BODY_TEXT_MAX)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    main_product_ids: list[int] = Field(default_factory=list, max_length=50)
    ip_item_ids: list[int] = Field(default_factory=list, max_length=200)


class CapabilityOut(BaseModel):
    id: int
    enterprise_id: int
    title: str
    description: str
    keywords: list[str]
    main_product_ids: list[int]
    ip_item_ids: list[int]
    updated_at: datetime


class CapabilityDraftOut(BaseModel):
    title: str
    description: str
    keywords: list[str]
    main_product_ids: list[int]
    ip_item_ids: list[int]
    tier: str | None
    tier_label: str | None
