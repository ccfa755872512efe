"""API shapes of applications and review (Chinese descriptions; statuses carry their labels)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

from srdi.application.enums import ReviewAction


class ApplicationBatchIn(BaseModel):
    name: str = Field(
        min_length=2, max_length=100, description="批次名称", examples=["2026年第二批专精特新中小企业"]
    )
    tier: str = Field(description="申报称号（srdi_sme 等）", examples=["srdi_sme"])
    purpose: str = Field(default="new_application", description="new_application 新申报 | re_review 复核")
    region_code: str = Field(
        pattern=r"^\d{2}(\d{2}(\d{2})?)?$", description="受理范围：省（2位）、市（4位）或区县（6位）代码"
    )
    open_date: date = Field(description="开始申报日期")
    close_date: date = Field(description="截止日期")

    @field_validator("open_date", "close_date", mode="before")
    @classmethod
    def _iso_text(cls, v: object) -> object:
        # A number would be read as a Unix timestamp; a date is only ever written YYYY-MM-DD.
        if not isinstance(v, str | date):
            raise ValueError("日期须写作 YYYY-MM-DD")
        return v


class ApplicationBatchOut(BaseModel):
    id: int
    name: str
    tier: str
    tier_label: str
    purpose: str
    region_code: str
    open_date: date
    close_date: date
    is_open: bool = Field(description="今天是否在申报时间内")
    announced_date: date | None
    document_no: str | None


class ApplicationCreateIn(BaseModel):
    batch_id: int = Field(strict=True, ge=1, le=2**31 - 1, description="申报批次编号")


class ApplicationUpdateIn(BaseModel):
    statement: str | None = Field(None, max_length=5000, description="申报说明")
    pledge_accepted: bool | None = Field(
        None, strict=True, description="已阅读并承诺所填信息和材料真实、准确、完整"
    )


class ReviewIn(BaseModel):
    action: ReviewAction = Field(
        description="approve 通过 | return_for_correction 退回补正 | reject 不予通过"
    )
    level: str = Field(min_length=2, max_length=40, description="审核人正在办理的审核阶段（防止并发时越级）")
    reason: str | None = Field(None, max_length=2000, description="意见或理由（不予通过时必填）")
    items: list[str] = Field(
        default_factory=list, max_length=30, description="需补正的事项（退回补正时必填）"
    )


class EvidenceItemOut(BaseModel):
    id: str
    label: str = Field(description="所需证明材料")
    rule_label: str = Field(description="对应的认定条件或指标")
    required: bool
    file_ids: list[int]


class EvidenceFileOut(BaseModel):
    id: int
    item_id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class ApplicationEventOut(BaseModel):
    id: int
    at: datetime
    action: str
    action_label: str
    level: str | None
    level_label: str | None
    from_status: str | None
    to_status: str | None
    to_label: str | None
    actor_name: str
    reason: str | None
    detail: dict[str, Any]


class AssignmentBrief(BaseModel):
    id: int
    expert_name: str
    status: str
    status_label: str
    due_date: date
    total: int | None


class ObjectionOut(BaseModel):
    id: int
    content: str
    received_date: date
    recorded_by: str
    status: str
    status_label: str
    answer: str | None
    answered_date: date | None


class ApplicationOut(BaseModel):
    id: int
    version: int
    batch_id: int
    batch_name: str
    enterprise_id: int
    enterprise_name: str
    region_code: str
    tier: str
    tier_label: str
    status: str
    status_label: str
    level: str | None
    level_label: str | None
    chain: list[str]
    chain_labels: list[str]
    self_status: str
    rule_set_id: str
    rule_set_hash: str
    submitted_at: datetime | None
    correction_items: list[str]
    correction_due_date: date | None
    reject_reason: str | None
    expert_score: Decimal | None
    expert_divergent: bool | None
    publicity_start_date: date | None
    publicity_end_date: date | None
    publicity_paused: bool
    recognition_id: int | None


class ApplicationDetailOut(ApplicationOut):
    profile: dict[str, Any]
    statement: str | None
    pledge_accepted: bool
    as_of_date: date
    trace: dict[str, Any]
    evidence_items: list[EvidenceItemOut]
    files: list[EvidenceFileOut]
    events: list[ApplicationEventOut]
    assignments: list[AssignmentBrief]
    objections: list[ObjectionOut]
    allowed_actions: list[str] = Field(description="当前用户可执行的操作")


class ComparisonRow(BaseModel):
    id: str
    label: str
    kind: str | None
    claimed: dict[str, Any] = Field(description="申报时（企业填报）的取值")
    claimed_value: Any
    registry: dict[str, Any] = Field(description="企业库当前取值")
    registry_value: Any
    differs: bool
    file_ids: list[int]


class ExpertIn(BaseModel):
    name: str = Field(min_length=2, max_length=50)
    region_code: str = Field(pattern=r"^\d{6}$", description="专家所在区县")
    fields: list[str] = Field(
        default_factory=list, max_length=20, description="擅长行业（国民经济行业代码前缀）"
    )
    declared_enterprise_ids: list[int] = Field(
        default_factory=list, strict=True, max_length=200, description="申报回避的企业"
    )
    user_id: int | None = Field(None, strict=True, ge=1, le=2**31 - 1, description="专家的登录账号")


class ExpertOut(BaseModel):
    id: int
    name: str
    region_code: str
    fields: list[str]
    declared_enterprise_ids: list[int]
    user_id: int | None
    active: bool


class AssignIn(BaseModel):
    count: int | None = Field(
        None, strict=True, ge=1, le=15, description="抽取人数（默认见 rules/applications/review.yaml）"
    )
    seed: int | None = Field(
        None, strict=True, ge=0, le=2**31 - 1, description="随机种子（可复现）；不填则随机生成并记录"
    )
    expert_ids: list[int] | None = Field(
        None, strict=True, max_length=15, description="指定专家（须无利益冲突）"
    )


class ExpertAssignmentOut(BaseModel):
    id: int
    application_id: int
    expert_id: int
    expert_name: str
    seed: int
    due_date: date


class SheetItemOut(BaseModel):
    id: str
    label: str
    max_points: int


class BlindItemOut(BaseModel):
    id: str
    label: str
    kind: str | None
    claimed: dict[str, Any]
    self_value: Any


class BlindAssignmentOut(BaseModel):
    """What an expert sees: no enterprise name, USCC, address or contact (盲审)."""

    id: int
    code: str = Field(description="匿名评审编号")
    tier: str
    tier_label: str
    industry_code: str
    size_class: str | None
    status: str
    status_label: str
    due_date: date
    sheet: list[SheetItemOut]
    items: list[BlindItemOut] = Field(description="各认定条件或指标的申报取值（已隐去企业身份）")
    scores: dict[str, int]
    total: int | None
    comment: str | None


class ScoresIn(BaseModel):
    scores: dict[str, int] = Field(strict=True, description="评分表各项得分")
    comment: str | None = Field(None, max_length=2000)


class ObjectionIn(BaseModel):
    content: str = Field(min_length=1, max_length=2000, description="异议内容（来信、来电等）")


class ObjectionAnswerIn(BaseModel):
    upheld: bool = Field(strict=True, description="异议是否成立（成立则申报不予通过）")
    answer: str = Field(min_length=1, max_length=2000, description="答复内容")


class AnnounceIn(BaseModel):
    document_no: str | None = Field(None, max_length=100, description="公告文号")


class PublicityRowOut(BaseModel):
    application_id: int
    enterprise_name: str
    region_code: str
    tier_label: str
    status_label: str
    publicity_start_date: date | None
    publicity_end_date: date | None
    publicity_paused: bool
