"""API shapes of applications and review (Chinese descriptions; statuses carry their labels)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

from srdi.application.enums import MajorChangeKind, ReviewAction
from srdi.enterprise.schemas import YearlyFigureIn
from srdi.rules_engine.schemas import TraceResult

# A trace item's value as the trace keeps it: bool for a condition, points for an indicator, None when unknown.
ItemValue = bool | int | str | None


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


class VerifiedValueIn(BaseModel):
    """One indicator input the reviewer checked against the evidence: the value as found (or omitted: the
    registry's value is confirmed as it is)."""

    figure: str = Field(description="年度经营数据项（operating_revenue、rd_expense、employees 等）")
    fiscal_year: int = Field(ge=2000, le=2100, description="年度")
    value: Decimal | None = Field(
        None, ge=-(10**14), le=10**14, description="核实后的数值（金额为元，人数为人）；不填则确认企业库现值"
    )
    note: str = Field(min_length=1, max_length=500, description="核验说明（依据哪份材料）")


class ReviewIn(BaseModel):
    action: ReviewAction = Field(
        description="approve 通过 | return_for_correction 退回补正 | reject 不予通过"
    )
    level: str = Field(min_length=2, max_length=40, description="审核人正在办理的审核阶段（防止并发时越级）")
    reason: str | None = Field(None, max_length=2000, description="意见或理由（不予通过时必填）")
    items: list[str] = Field(
        default_factory=list, max_length=30, description="需补正的事项（退回补正时必填）"
    )
    verified_values: list[VerifiedValueIn] = Field(
        default_factory=list,
        max_length=40,
        description="审核人按证明材料核实的指标值：写入企业库，来源记为“已核验”",
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
    trace: TraceResult = Field(description="申报时的自评结果与逐项追溯（申报快照）")
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
    claimed: dict[str, str] = Field(description="申报时（企业填报）的取值：各输入的显示文字")
    claimed_value: ItemValue
    registry: dict[str, str] = Field(description="企业库当前取值：各输入的显示文字")
    registry_value: ItemValue
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
    claimed: dict[str, str] = Field(description="申报时的取值：各输入的显示文字（已隐去企业身份）")
    self_value: ItemValue


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


# --- 动态管理 ---------------------------------------------------------------------------------------------------


class AnnualUpdateOpenIn(BaseModel):
    year: int = Field(ge=2000, le=2100, description="年度更新所在年份（更新上一年度数据）", examples=[2027])


class AnnualUpdateSubmitIn(BaseModel):
    figures: YearlyFigureIn = Field(description="上一年度经营数据（企业填报，记为企业自报）")
    note: str | None = Field(None, max_length=2000, description="说明")


class AcknowledgeIn(BaseModel):
    note: str | None = Field(None, max_length=2000, description="确认意见")


class AnnualUpdateTaskOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    year: int = Field(description="更新年份")
    fiscal_year: int = Field(description="更新的数据年度")
    regime: str
    deadline_date: date = Field(description="截止日期（北京时间）")
    status: str
    status_label: str
    overdue: bool = Field(description="已过截止日期仍未提交")
    consequence: str = Field(description="逾期后果")
    tiers: list[str]
    tier_labels: list[str]
    submitted_at: datetime | None
    submitted_by: str | None
    note: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    overdue_at: datetime | None


class AnnualUpdateSubmitOut(BaseModel):
    task: AnnualUpdateTaskOut
    provenance_notice: str | None = Field(None, description="数据来源说明（企业填报一律记为企业自报）")


class MajorChangeIn(BaseModel):
    kind: MajorChangeKind = Field(
        description="rename 更名 | merger 合并 | restructuring 重组 | cross_province_move 跨省迁移"
    )
    change_date: date = Field(description="变化发生日期")
    description: str = Field(min_length=1, max_length=2000, description="变化情况说明")
    new_name: str | None = Field(
        default=None, max_length=200, description="更名：变更后的企业名称（主管部门确认后写入企业库）"
    )

    @field_validator("change_date", mode="before")
    @classmethod
    def _iso_text(cls, v: object) -> object:
        if not isinstance(v, str | date):
            raise ValueError("日期须写作 YYYY-MM-DD")
        return v


class MajorChangeOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    kind: str
    kind_label: str
    change_date: date
    due_date: date = Field(description="应报告的最后日期")
    late: bool = Field(description="超过报告期限")
    description: str
    old_name: str | None = Field(description="更名：报告时企业库中的名称")
    new_name: str | None = Field(description="更名：变更后的名称（确认后写入企业库）")
    status: str
    status_label: str
    reported_by: str
    acknowledged_by: str | None
    acknowledgement_note: str | None


class RevocationKindOut(BaseModel):
    kind: str
    label: str
    severities: list[str]
    severity_labels: list[str]
    bars_application: bool = Field(description="是否限制再次申报")


class RevocationIn(BaseModel):
    kind: str = Field(min_length=1, max_length=60, description="撤销情形（rules/dynamic_management.yaml）")
    severity: str | None = Field(None, max_length=40, description="事故等级（该情形要求时必填）")
    reason: str = Field(min_length=1, max_length=2000, description="撤销理由")


class RevocationOut(BaseModel):
    recognition_id: int
    enterprise_id: int
    kind: str
    kind_label: str
    severity: str | None
    severity_label: str | None
    reason: str
    revoked_date: date
    ban_until: date | None = Field(description="此日期前不得再次申报")
    recorded_by: str


class ReReviewCandidateOut(BaseModel):
    """复核候选: a recognised title ending soon and where it stands for 复核."""

    recognition_id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    tier: str
    tier_label: str
    announced_date: date
    valid_until: date = Field(description="认定有效期至（复核须在此前提出）")
    recognition_status: str
    recognition_status_label: str
    state: str = Field(description="applied 已申请复核 | not_applied 未申请 | ineligible 已丧失复核资格")
    state_label: str
    application_id: int | None = Field(default=None, description="已提交的复核申请编号")
    lost_reason: str | None = Field(default=None, description="丧失复核资格的原因（未按期年度更新）")
    batch_close_date: date | None = Field(default=None, description="开放中的复核批次截止日期")


class ReReviewCandidatePage(BaseModel):
    items: list[ReReviewCandidateOut]
    total: int = Field(description="符合条件的记录总数")
    page: int
    page_size: int
    horizon: date = Field(
        description="列入候选的到期日上限（今天起若干个月，rules/applications/review.yaml）"
    )
    months: int = Field(description="候选月数")
