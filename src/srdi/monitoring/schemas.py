"""API shapes of the monitoring views. Money totals are yuan as exact decimals (strings in JSON)."""

from __future__ import annotations

from datetime import date
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
