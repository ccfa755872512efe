"""API shapes of the financing domain. Money in yuan (Decimal), rates in percent per year."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from srdi.finance.enums import Collateral, Guarantee, RequestAction, ShareField


class BankOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    region_code: str


class RuleCitationOut(BaseModel):
    rule_set: str
    title: str
    instrument: str
    article: str
    issuer: str
    url: str | None
    verification: str
    content_hash: str


class WhitelistRunOut(BaseModel):
    id: int
    list_key: str
    period: str
    as_of: date
    status: str
    status_label: str
    members: int
    entered: int
    exited: int
    undecided: int
    previous_period: str | None
    approved_at: datetime | None
    content_hash: str


class WhitelistOut(BaseModel):
    key: str
    title: str
    purpose: str
    region_codes: list[str]
    period_kind: str
    current_period: str
    departments: list[str]
    conditions: list[dict[str, Any]]
    unverified: list[dict[str, Any]]
    seeds: list[dict[str, Any]]
    citation: RuleCitationOut
    may_manage: bool
    runs: list[WhitelistRunOut]


class WhitelistGenerateIn(BaseModel):
    period: str | None = Field(default=None, max_length=10, description="期次，如 2026Q4；缺省为当期")


class WhitelistEntryOut(BaseModel):
    enterprise_id: int
    name: str
    uscc: str
    region_code: str
    change: str
    change_label: str
    member: bool
    conditions: list[dict[str, Any]]
    why_change: list[str]
    needs_verification: list[str]


class WhitelistRunDetailOut(BaseModel):
    run: WhitelistRunOut
    whitelist: WhitelistOut
    entries: list[WhitelistEntryOut]


class CreditScoreOut(BaseModel):
    total: int | None
    max_total: int
    grade: str | None
    grade_label: str
    factors: list[dict[str, Any]]
    as_of: str
    needs_verification: bool
    citation: RuleCitationOut
    next_grade: str | None = None
    improvements: list[str] = []
    missing: list[str] = []


class ScorecardOut(BaseModel):
    citation: RuleCitationOut
    method: list[dict[str, Any]]
    weights_source: str
    calibration_needs: str
    needs_verification: bool
    grades: list[dict[str, Any]]
    factors: list[dict[str, Any]]


class ProductFieldOut(BaseModel):
    field: str
    label: str
    type: str
    unit: str
    ops: list[str]
    options: list[str]


class EligibilityCondition(BaseModel):
    field: str | None = Field(default=None, max_length=60)
    op: str | None = Field(default=None, max_length=10)
    value: str | list[str] | None = None
    expr: str | None = Field(default=None, max_length=500, description="高级：直接写规则表达式")
    label: str | None = Field(default=None, max_length=100)


class LoanProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    amount_min: Decimal = Field(gt=0, le=Decimal("1000000000"), description="元")
    amount_max: Decimal = Field(gt=0, le=Decimal("1000000000"), description="元")
    rate_min_percent: Decimal = Field(gt=0, le=36)
    rate_max_percent: Decimal = Field(gt=0, le=36)
    term_months_max: int = Field(ge=1, le=360)
    collateral: Collateral
    guarantee: Guarantee
    eligibility: list[EligibilityCondition] = Field(min_length=1, max_length=20)


class LoanProductOut(BaseModel):
    id: int
    bank_id: int
    bank_name: str
    name: str
    description: str
    amount_min: Decimal
    amount_max: Decimal
    rate_min_percent: Decimal
    rate_max_percent: Decimal
    term_months_max: int
    collateral: str
    collateral_label: str
    guarantee: str
    guarantee_label: str
    eligibility: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    status: str
    status_label: str
    review_note: str


class ProductReviewIn(BaseModel):
    decision: Literal["publish", "reject"]
    note: str = Field(default="", max_length=1000)


class ProductMatchOut(LoanProductOut):
    reasons: list[dict[str, Any]]
    missing: list[str] = []


class ProductMatchesOut(BaseModel):
    as_of: str
    credit_score: int | None
    qualified: list[ProductMatchOut]
    near_misses: list[ProductMatchOut]


class FinancingRequestIn(BaseModel):
    bank_ids: list[int] = Field(min_length=1, max_length=10)
    product_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    amount: Decimal = Field(gt=0, le=Decimal("1000000000"), description="元")
    purpose: str = Field(min_length=1, max_length=1000)
    term_months: int = Field(ge=1, le=360)
    first_loan: bool = Field(default=False, description="首贷户：此前未获得过银行贷款")
    consent: bool = Field(default=False, description="同意向所选银行共享 share 所列数据")
    share: list[ShareField] = Field(default_factory=list)


class FinancingTransitionIn(BaseModel):
    action: RequestAction
    note: str = Field(default="", max_length=2000)
    amount: Decimal | None = Field(default=None, gt=0, le=Decimal("1000000000"))
    rate_percent: Decimal | None = Field(default=None, gt=0, le=36)


class FinancingRequestOut(BaseModel):
    id: int
    group_key: str
    bank_id: int
    bank_name: str
    product_id: int | None
    amount: Decimal
    purpose: str
    term_months: int
    first_loan: bool
    shared: list[str]
    consent_at: datetime | None
    status: str
    status_label: str
    submitted_at: datetime
    decided_at: datetime | None
    working_days_to_decision: int | None
    approved_amount: Decimal | None
    approved_rate_percent: Decimal | None
    decline_reason: str | None
    enterprise: dict[str, Any] | None
    policy_links: list[dict[str, Any]] = []
    policy_links_note: str = Field(default="", description="政策衔接不可见时的原因（如企业未授权共享称号）")
    events: list[dict[str, Any]]
    due_at: datetime | None = Field(default=None, description="当前环节的办理时限（北京时间当日24时，UTC）")
    due_day: date | None = Field(default=None, description="当前环节最后办理日（北京时间，含当日）")
    due_label: str | None = Field(default=None, description="当前环节：受理时限或审批时限")
    time_limit_text: str | None = None
    time_limit_unverified: bool = Field(default=False, description="时限数值为平台设定，待核实")
    overdue: bool = False
    overdue_label: str = ""
    deadline_note: str = ""
    late_stages: list[str] = Field(default_factory=list, description="已办结但逾期的环节")


class FinanceFigureOut(BaseModel):
    key: str
    label: str
    requests: int
    approved: int
    declined: int
    approved_amount: Decimal
    first_loans: int
    average_rate_percent: Decimal | None
    average_working_days_to_decision: Decimal | None
    timed_stages: int = Field(description="有办理时限且已办结或已逾期的银行环节数")
    on_time_stages: int
    on_time_rate_percent: Decimal | None = Field(description="按时办理率（%）")
    overdue_open: int = Field(description="当前逾期未办的需求数")


class TimeLimitStageOut(BaseModel):
    key: str
    label: str
    action: str
    working_days: int
    starts: str
    text: str
    unverified: str | None


class TimeLimitsOut(BaseModel):
    source: str
    needs_verification: bool
    stages: list[TimeLimitStageOut]


class FinanceMeOut(BaseModel):
    bank: BankOut | None
    share_fields: dict[str, str]
    time_limits: TimeLimitsOut
    bank_note: str = Field(default="", description="银行账号尚未关联金融机构时的提示")


class BankAccountOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    active: bool
    bank_id: int | None = Field(description="所属金融机构；未关联为空")
    bank_name: str | None


class BankAccountIn(BaseModel):
    bank_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="所属金融机构编号；为空即解除关联"
    )
