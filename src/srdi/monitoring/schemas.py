"""API shapes of the monitoring views. Money totals are yuan as exact decimals (strings in JSON)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class RegionCount(BaseModel):
    code: str = Field(description="行政区划代码（区县6位）", examples=["440305"])
    name: str = Field(description="区划全称", examples=["广东省深圳市南山区"])
    short_name: str = Field(description="区县名称", examples=["南山区"])
    enterprises: int = Field(description="企业数")


class IndustryCount(BaseModel):
    code: str = Field(description="国民经济行业大类代码（2位）", examples=["35"])
    name: str = Field(description="大类名称", examples=["专用设备制造业"])
    section: str = Field(description="门类字母", examples=["C"])
    enterprises: int = Field(description="企业数")


class LabelledCount(BaseModel):
    key: str = Field(description="取值（称号/规模标识）")
    label: str = Field(description="中文名")
    count: int = Field(description="企业数")


class DistrictRow(BaseModel):
    code: str
    name: str
    total: int = Field(description="企业总数")
    tiers: dict[str, int] = Field(description="各称号有效企业数")


class YearTotal(BaseModel):
    fiscal_year: int
    enterprises_reporting: int = Field(description="填报该年度营业收入的企业数")
    operating_revenue: Decimal = Field(description="营业收入合计（元）")
    rd_expense: Decimal = Field(description="研发费用合计（元）")
    net_profit: Decimal = Field(description="净利润合计（元）")


class Freshness(BaseModel):
    source: str = Field(description="live（实时计算）| aggregate（预汇总）")
    refreshed_at: datetime | None = Field(description="预汇总刷新时间")
    stale: bool = Field(description="预汇总之后企业库有变化")


class DistrictSummary(BaseModel):
    as_of: date = Field(description="称号有效性的判断日期")
    region_code: str | None = Field(description="统计范围（区划代码前缀）；空表示全部")
    region_name: str = Field(description="统计范围名称")
    total: int = Field(description="企业总数")
    by_tier: list[LabelledCount] = Field(description="各称号有效企业数（梯度漏斗）")
    by_size_class: list[LabelledCount] = Field(description="企业规模分布；unknown 表示数据不足无法划型")
    by_district: list[DistrictRow] = Field(description="分区县统计，按企业数降序")
    by_industry: list[IndustryCount] = Field(description="分行业大类统计，按企业数降序（前20）")
    yearly: list[YearTotal] = Field(description="分年度经营数据合计（最近5个会计年度）")
    freshness: Freshness = Field(description="数据来源：预汇总（及其刷新时间、是否已过时）或实时计算")


# --- targets, overview, reports (issue 18) -------------------------------------------------------------------


class MeasureOut(BaseModel):
    key: str = Field(examples=["srdi_sme_count"])
    label: str = Field(examples=["专精特新中小企业数"])
    unit: str = Field(examples=["家"])
    kind: str = Field(description="tier_count | tier_entries | appeal_closure | disbursed | reported")
    reportable: bool = Field(description="由官员填报实际完成值（企业库中没有的指标）")


class TargetIn(BaseModel):
    region_code: str = Field(pattern=r"^\d{2}(\d{2}){0,2}$", description="地区（省2位/市4位/区县6位）")
    year: int = Field(ge=2000, le=2100, description="目标年度（存量指标在该年末考核）")
    from_year: int | None = Field(None, ge=2000, le=2100, description="累计类指标的起算年度，默认同目标年度")
    measure: str = Field(min_length=1, max_length=60, description="指标代码，见 /monitoring/measures")
    subject: str = Field("", max_length=100, description="目标对象（如某产业园），整个地区为空")
    value: Decimal = Field(ge=0, le=Decimal("1e15"), description="目标值（单位见指标）")
    source: str = Field(min_length=2, max_length=500, description="下达目标的文件（名称、文号）")
    note: str | None = Field(None, max_length=1000)


class TargetProgressOut(BaseModel):
    id: int | None = Field(description="官员设定的目标编号；来自规则文件的为空")
    region_code: str
    region_name: str
    year: int
    from_year: int
    measure: str
    measure_label: str
    unit: str
    subject: str
    value: Decimal = Field(description="目标值")
    actual: Decimal | None = Field(description="完成值；暂无数据为空")
    percent: Decimal | None = Field(description="完成进度（%）")
    elapsed_percent: Decimal = Field(description="时间进度（%）")
    status: str = Field(description="done | on_track | behind | no_data")
    status_label: str
    origin: str = Field(description="file（文件规定）| official（官员设定）")
    source: str = Field(description="出处：文件键（见 docs/sources.md）或下达文件")
    quote: str | None = None
    note: str | None = None
    verification: str | None = Field(None, description="核实等级；V-1 表示新闻转载，页面显示“待核实”")
    set_by: str | None = None


class ReportedFigureIn(BaseModel):
    region_code: str = Field(pattern=r"^\d{2}(\d{2}){0,2}$")
    measure: str = Field(min_length=1, max_length=60)
    subject: str = Field("", max_length=100)
    on_date: date = Field(description="完成日期（流量指标按日期计入期间；存量指标取最新值）")
    value: Decimal = Field(ge=0, le=Decimal("1e15"))
    note: str | None = Field(None, max_length=1000)


class ReportedFigureOut(ReportedFigureIn):
    id: int
    reported_by: str


class RegionTierRow(BaseModel):
    code: str
    name: str
    total: int = Field(description="企业总数")
    tiers: dict[str, int] = Field(description="各称号有效企业数")


class TrendPoint(BaseModel):
    on: date
    tiers: dict[str, int]


class MovementRow(BaseModel):
    tier: str
    tier_label: str
    new: int = Field(description="新认定")
    expired: int = Field(description="有效期届满")
    revoked: int = Field(description="撤销")
    net: int = Field(description="净增（新认定 − 届满 − 撤销）")


class GrowthRow(BaseModel):
    measure: str = Field(description="revenue | profit | rd_intensity | employees")
    label: str
    srdi: Decimal | None = Field(description="专精特新企业：同比增速（%）；研发强度为当年百分比")
    all_smes: Decimal | None = Field(description="全部监测中小企业")
    difference_pp: Decimal | None = Field(description="高出（负为低于）的百分点")


class GrowthOut(BaseModel):
    fiscal_year: int | None = Field(description="比较的会计年度（与上一年度同口径）")
    srdi_sample: int = Field(description="专精特新企业同口径样本数")
    all_sample: int = Field(description="全部监测中小企业同口径样本数")
    method: str = Field(description="口径说明")
    rows: list[GrowthRow]
    sentences: list[str] = Field(description="通报用语")


class AppealKpiOut(BaseModel):
    filed: int
    rejected: int
    done: int
    on_time: int
    satisfied: int
    rated: int
    closure_rate: Decimal | None = Field(description="办结率（%）= 办结 ÷（受理 − 不予受理）")
    on_time_rate: Decimal | None = Field(description="按时办结率（%）")
    satisfaction_rate: Decimal | None = Field(description="满意率（%）")


class MoneyRow(BaseModel):
    policy_key: str
    title: str
    disbursed: Decimal = Field(description="期间内拨付（元）")
    budget: Decimal | None = Field(description="政策资金预算（元）")
    percent: Decimal | None = Field(description="拨付占预算（%）")


class RankRow(BaseModel):
    code: str
    name: str
    measure: str
    measure_label: str
    target: Decimal
    actual: Decimal | None
    percent: Decimal | None
    status: str


class OverviewOut(BaseModel):
    region_code: str | None
    region_name: str
    level: str = Field(description="province | city | district | all")
    parent_code: str | None = Field(description="上一级（钻取返回）；超出本人辖区时为空")
    period: str
    period_label: str
    period_start: date
    period_end: date
    as_of: date = Field(description="称号计数日期（期末，未到期末则为今天）")
    total: int
    by_tier: list[LabelledCount]
    children: list[RegionTierRow] = Field(description="下一级地区（可钻取）")
    trend: list[TrendPoint] = Field(description="最近各期末的称号企业数")
    movements: list[MovementRow] = Field(description="本期进出：新认定、届满、撤销")
    growth: GrowthOut
    appeals: AppealKpiOut
    money: list[MoneyRow]
    targets: list[TargetProgressOut]
    ranking: list[RankRow] = Field(description="下一级地区对照目标的完成进度，降序")
    freshness: Freshness


class ReportIn(BaseModel):
    period: str = Field(min_length=4, max_length=10, examples=["2026Q3"])
    region_code: str = Field(pattern=r"^\d{2}(\d{2}){0,2}$", examples=["4403"])
    fmt: str = Field("xlsx", pattern=r"^(xlsx|pdf|html)$", description="xlsx | pdf | html")


class ReportOut(BaseModel):
    id: int
    period: str
    region_code: str
    region_name: str
    fmt: str
    status: str
    status_label: str
    progress: int = Field(description="进度（0–100）")
    step: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    data: dict[str, object] = Field(description="依据的数据：企业库变更位置、企业数、诉求数等")
    filename: str | None
    error: str | None
