"""API shapes of tier evaluation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from srdi.criteria.enums import Purpose
from srdi.rules_engine.schemas import Gap, TraceResult
from srdi.rules_engine.trace import Outcome


class TierAssessment(BaseModel):
    tier: str = Field(description="梯度：tech_sme/innovative_sme/tech_innovative_sme/srdi_sme/little_giant")
    tier_label: str = Field(description="称号中文名")
    rule_set_id: str = Field(description="所用规则集")
    rule_set_title: str
    content_hash: str = Field(description="规则文本的内容哈希（版本）")
    status: Outcome = Field(description="pass 达到 / fail 未达到 / unknown 数据不足")
    total: int | None = Field(description="总得分（有评分表的标准）")
    scores: dict[str, int | None] = Field(description="分类得分")
    needs_verification: list[str] = Field(description="待核实的规则条目（S-code/UNVERIFIED）")
    deciding_inputs: list[str] = Field(description="结果为“数据不足”时，补齐即可判定的输入项")
    note: str | None = Field(None, description="规则选择说明（如复核适用63号标准、省级特色化指标）")
    gap: list[str] = Field(default_factory=list, description="差距分析：达到该梯度的最小改变（中文）")
    result: TraceResult = Field(description="完整结果与逐项追溯（输入值、命中分档、得分、出处）")
    evaluation_id: int | None = Field(None, description="已保存的评价记录编号")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="本结果中出现的分类、指标、输入项标识的中文名（来自规则文件），供界面显示",
    )
    category_max_points: dict[str, int] = Field(default_factory=dict, description="各分类满分")


class AssessmentOut(BaseModel):
    as_of: date = Field(description="评价基准日")
    purpose: Purpose = Field(description="new_application 申报 / re_review 复核")
    regime: str = Field(description="适用的制度版本")
    regime_label: str = Field(description="适用的制度：办法名称与文号（rules/regimes.yaml）")
    tiers: list[TierAssessment]


class AssessmentRequest(BaseModel):
    as_of: date | None = Field(None, description="评价基准日，默认今天", examples=["2026-06-30"])
    purpose: Purpose = Field(Purpose.new_application, description="申报或复核")


class FactsAssessmentRequest(AssessmentRequest):
    facts: dict[str, Any] = Field(
        description="企业事实文档（格式见 docs/rules-authoring.md 第8节；金额以元为单位的十进制字符串）",
        examples=[
            {
                "region_code": "440305",
                "industry_code": "3562",
                "independent_legal_person": True,
                "yearly": {"2025": {"operating_revenue": "30000000.00", "rd_expense": "1500000.00"}},
                "ip_items": [],
            }
        ],
    )


class EvaluationOut(BaseModel):
    id: int
    enterprise_id: int
    tier: str
    rule_set_id: str
    rule_set_hash: str
    regime: str
    as_of_date: date
    purpose: str
    status: str
    total: int | None
    needs_verification: bool
    actor: str
    created_at: datetime
    result: TraceResult | None = Field(None, description="完整结果与追溯")
    gap: Gap | None = None
    inputs_snapshot: dict[str, Any] | None = Field(None, description="评价时的输入快照")


class BatchRunRequest(BaseModel):
    as_of: date | None = Field(None, description="评价基准日，默认今天")
    purpose: Purpose = Field(Purpose.new_application)
    region: str | None = Field(None, pattern=r"^\d{2,6}$", description="只评价该区划（前缀）内的企业")


class BatchRunOut(BaseModel):
    id: int
    as_of_date: date
    purpose: str
    region_prefix: str | None
    status: str = Field(description="queued/running/succeeded/failed")
    total: int
    processed: int
    progress: float = Field(description="进度 0–1")
    regime: str | None
    rule_sets: dict[str, Any]
    summary: dict[str, Any]
    error: str | None
    actor: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class BatchResultOut(BaseModel):
    enterprise_id: int
    uscc: str
    name: str
    region_code: str
    tier: str
    rule_set_id: str
    status: str
    total: int | None
    conditions_failed: int
    conditions_unknown: int


class SeedPoolEntry(BaseModel):
    rank: int
    enterprise_id: int
    uscc: str
    name: str
    region_code: str
    tier: str = Field(description="目标梯度")
    total: int | None
    conditions_failed: int = Field(description="未满足的条件数")
    conditions_unknown: int
    gap: list[str] = Field(description="差距分析（中文）")


class DynamicEntry(BaseModel):
    enterprise_id: int
    uscc: str
    name: str
    region_code: str
    tier: str
    reason: str = Field(description="列入原因（中文）")
    valid_until: date | None = None
    citation: str | None = None


class DynamicManagementOut(BaseModel):
    """Each list holds one page (``page``, ``page_size``); ``totals`` counts each list in full."""

    as_of: date
    within_days: int
    totals: dict[str, int] = Field(default_factory=dict, description="每类企业总数")
    page: int = 1
    page_size: int = 0
    newly_eligible: list[DynamicEntry]
    at_risk: list[DynamicEntry]
    expiring: list[DynamicEntry]
    to_be_revoked: list[DynamicEntry]
    update_overdue: list[DynamicEntry]


class RuleReference(BaseModel):
    """One document a rule set encodes (the rule file's ``references:``, docs/sources.md)."""

    title: str = Field(description="文献名称")
    role: str = Field(
        description="official 发布机关原文 | copy_read 实际阅读的转载 | platform 本平台决策记录"
    )
    role_label: str = Field(description="role 的中文名称")
    href: str | None = Field(None, description="网址；转载未载网址时为空（见 note）")
    source: str | None = Field(None, description="docs/sources.md 中的出处编号")
    published: str | None = Field(None, description="发布日期（按出处所载精度：年、年月或年月日）")
    retrieved: date | None = Field(None, description="阅读日期")
    note: str | None = Field(None, description="说明，如“官方发布地址待核实”")


class RuleSetSummary(BaseModel):
    id: str
    tier: str
    title: str
    instrument: str
    article: str | None
    url: str | None
    issuer: str | None
    effective_from: date | None
    effective_to: date | None
    last_checked: date | None
    verification: str
    needs_verification: bool = Field(description="整套规则待核实（S-code/UNVERIFIED）")
    content_hash: str
    path: str | None = None
    references: list[RuleReference] = Field(
        default_factory=list, description="出处：发布机关原文在前，实际阅读的转载在后"
    )
