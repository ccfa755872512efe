"""API shapes of the policy library and precise push. Money leaves as exact yuan decimals (``*_yuan``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict

from srdi.policy.enums import MatchStatus
from srdi.rules_engine.schemas import InputProvenance, TraceResult


@with_config(ConfigDict(extra="allow"))
class PolicyAssessment(TypedDict, total=False):
    """One enterprise against one policy on one date (srdi.rules_engine.policy.Assessment), as stored with the
    match; a match whose facts could not be read holds only ``data_error``."""

    policy_id: str
    as_of: str
    status: MatchStatus
    amount_fen: int | None
    in_region: bool | None
    in_force: bool
    reasons: list[str]
    missing_inputs: list[dict[str, str]]
    amount_missing: list[dict[str, str]]
    bound_violations: list[dict[str, str]]
    benefit: dict[str, Any]
    result: TraceResult
    provenance: list[InputProvenance]
    verification: str
    data_error: str


class SeedRefOut(BaseModel):
    file: str = Field(description="种子材料文件名")
    article: str = Field(description="条款")
    quote: str = Field(description="原文摘录")
    seed_title: str = Field(default="", description="种子材料的标题（文书名称）")
    source_address: str = Field(default="", description="种子材料自身载明的出处（网址或来源说明）")


class ParameterOut(BaseModel):
    id: str
    label: str
    type: str = Field(description="money | number | int")
    value: str = Field(description="参数值，如 5%、30万元")
    unverified: str | None = Field(default=None, description="待核实的原因（种子材料未给出该值）；已核实为空")


class AmountRuleOut(BaseModel):
    kind: str = Field(
        description="fixed 定额 | rate 按比例 | rate_capped 按比例设上限 | capped 上限 | pro_rata | none"
    )
    kind_label: str
    text: str = Field(description="金额如何确定（文字，参数已代入）")
    cite: str = Field(description="依据的种子条款")


class BoundOut(BaseModel):
    id: str
    label: str
    min: str | None
    max: str


class UnverifiedOut(BaseModel):
    item: str = Field(description="参数编号或 allocation / budget / payment_deadline / mode / period")
    reason: str


class PolicyOut(BaseModel):
    """One policy version as the library shows it."""

    version_id: int
    policy_key: str
    version: int
    status: str = Field(description="draft 草稿 | published 已发布 | superseded 已替代")
    origin: str = Field(description="library 政策库文件 | draft 官员草稿")
    may_manage: bool = Field(
        default=False,
        description="当前账号可管理该政策（起草新版本、沙盘测算、发布、免申即享比对与拨付）：管理角色且政策适用地区均在本辖区内",
    )
    title: str
    source: str = Field(description="文号或出处")
    issuer: str
    region_codes: list[str] = Field(description="适用地区（行政区划代码前缀）")
    departments: list[str] = Field(description="责任单位")
    mode: str = Field(description="auto_grant 免申即享 | application 申请 | commitment 告知承诺")
    mode_label: str
    effective_from: date | None = Field(description="施行日期；征求意见稿无施行日期时为空")
    effective_to: date | None
    verification: str
    policy_status: str = Field(description="in_force 已施行 | draft 征求意见稿（未施行）")
    policy_status_label: str
    amount_rule: AmountRuleOut
    allocation_label: str = Field(description="预算不足时的安排方式（文字）")
    allocation_stated: bool = Field(description="安排方式为原文所定；否则为待核实的选择")
    payment_deadline_days: int | None = Field(description="确认后拨付时限（工作日）")
    bounds: list[BoundOut] = Field(description="金额/数量输入的合理范围，超出即拒绝")
    unverified: list[UnverifiedOut] = Field(description="待核实事项（种子材料未给出）")
    unverified_labels: list[str] = Field(description="待核实事项（文字：是什么、为什么）")
    budget_yuan: Decimal | None = Field(description="每期预算（元），无则为空")
    period: str = Field(description="year 每年一次 | once 仅一次")
    allocation_order: str
    beneficiary: str
    benefit_kind: str = Field(description="money 资金 | non_monetary 非资金")
    benefit_description: str
    amount_is_maximum: bool = Field(description="金额为上限（最高），实际金额经审核确定")
    unit: str
    review_checks: list[str] = Field(description="审核要点（申请/告知承诺类）")
    seeds: list[SeedRefOut]
    parameters: list[ParameterOut]
    conditions: list[dict[str, str]] = Field(description="资格条件（编号、说明、表达式）")
    note: str | None
    sandbox: dict[str, Any] | None = Field(description="最近一次政策沙盘测算结果（草稿）")
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None


class DraftIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"parameters": {"rate": "4%"}, "budget_yuan": "30000000", "note": "年度预算调整"}
        }
    )

    parameters: dict[str, str] = Field(default_factory=dict, description='参数新值，如 {"rate": "4%"}')
    budget_yuan: Decimal | None = Field(default=None, ge=0, le=Decimal("1e12"), description="每期预算（元）")
    clear_budget: bool = Field(default=False, description="取消预算上限")
    note: str | None = Field(default=None, max_length=500)


class SandboxIn(BaseModel):
    as_of: date | None = Field(default=None, description="测算基准日，默认今天")


class SandboxSide(BaseModel):
    counts: dict[str, int]
    amount_yuan: Decimal
    budget_yuan: Decimal | None
    funded: int
    funded_yuan: Decimal
    oversubscribed: bool


class SandboxOut(BaseModel):
    policy_key: str
    draft_version_id: int
    published_version_id: int
    as_of: date
    enterprises: int
    data_errors: int
    before: SandboxSide
    after: SandboxSide
    gained: int = Field(description="新增符合的企业数")
    lost: int = Field(description="不再符合的企业数")
    amount_changed: int
    delta_amount_yuan: Decimal
    summary: str
    examples: list[dict[str, Any]]


class MatchOut(BaseModel):
    policy_key: str
    version_id: int
    title: str
    mode: str
    status: str = Field(description="eligible 符合 | unknown 可能符合 | ineligible 不符合")
    amount_yuan: Decimal | None = Field(description="预计金额（元）")
    amount_is_maximum: bool
    unit: str
    benefit_description: str
    reasons: list[str] = Field(description="不符合的原因")
    missing_inputs: list[dict[str, str]] = Field(description="缺少的信息")
    departments: list[str]
    source: str
    review_checks: list[str]
    amount_rule: str = Field(description="金额如何确定（文字）")
    policy_status: str = Field(description="in_force 已施行 | draft 征求意见稿（未施行）")
    unverified: list[str] = Field(description="待核实事项（种子材料未给出的取值或选择）")
    payment_deadline_days: int | None = Field(description="免申即享：确认后拨付时限（工作日）")
    assessment: PolicyAssessment = Field(description="判定过程（trace）")
    verification_status: str | None = Field(
        None, description="符合时各输入的核验状态：verified 已可信 | pending 待核验 | rejected 核验未通过"
    )
    verification_label: str | None = None
    provenance: list[InputProvenance] = Field(
        default_factory=list, description="判定所用每项输入的数据来源（已核验/企业自报/税务…）"
    )


class MyPoliciesOut(BaseModel):
    as_of: date
    eligible: list[MatchOut]
    unknown: list[MatchOut]
    ineligible: list[MatchOut]
    eligible_amount_yuan: Decimal


class AnswerIn(BaseModel):
    key: str = Field(min_length=1, max_length=60)
    fiscal_year: int = Field(default=0, ge=0, le=2100, description="年度数据填年份；非年度数据填0")
    value: bool | int | str | None = Field(description='金额以元为单位的字符串，如 "3500000.00"')


class AnswersIn(BaseModel):
    answers: list[AnswerIn] = Field(max_length=50)
    source: str | None = Field(
        None,
        max_length=40,
        description=(
            "数据来源：仅主管部门账号可注明（tax/statistics/audited_report/market_supervision/official_list）；"
            "企业账号填报的一律记为企业自报（self_reported），请求中的来源被忽略并在返回中说明"
        ),
    )


class AnswerOut(BaseModel):
    key: str
    fiscal_year: int
    value: bool | int | str | None
    source: str = Field(description="数据来源（由服务器根据填报人确定）")
    source_label: str = Field(description="数据来源中文名：企业自报/官方名单/税务数据/已核验…")
    updated_by: str
    updated_at: datetime
    provenance_notice: str | None = Field(None, description="服务器如何记录本次提交的数据来源")


class VerificationOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    uscc: str
    region_code: str
    policy_key: str
    policy_title: str
    input_id: str
    input_label: str = Field(description="政策输入项名称")
    value_type: str = Field(description="bool | int | money | number | str")
    claimed_yuan: Decimal | None = Field(None, description="填报金额（元，金额类输入）；界面以万元显示")
    claimed_shown: str = Field(description="填报值（金额以万元显示）")
    provenance: list[str] = Field(description="当前数据来源")
    provenance_labels: list[str]
    status: str = Field(description="pending 待核验 | verified 已核验 | rejected 核验未通过")
    status_label: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str | None = Field(description="核验说明或不通过理由")
    evidence: str | None = Field(description="核验依据（文件编号、系统查询记录等）")


class VerifyIn(BaseModel):
    note: str = Field(
        min_length=2, max_length=500, description="核验说明（必填）：核对了什么、与哪里的数据比对"
    )
    evidence: str | None = Field(
        None, max_length=500, description="核验依据（可选）：文件编号、名单文号、系统查询记录等"
    )


class RejectIn(BaseModel):
    reason: str = Field(min_length=2, max_length=500, description="不通过理由（必填，将告知企业）")


class AnswerKeyOut(BaseModel):
    key: str
    label: str
    type: str = Field(description="bool | int | money（元） | str")
    yearly: bool
    year: int = Field(description="年度数据：1 = 基准日上一年度")
    input_ids: list[str] = Field(description="读取该信息项的政策输入（与 missing_inputs 的 id 对应）")
    min: str | None = Field(default=None, description="合理范围下限（政策文件声明）")
    max: str | None = Field(default=None, description="合理范围上限（政策文件声明），超出即拒绝")
