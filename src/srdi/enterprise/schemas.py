"""API shapes of the registry. Money is exchanged in yuan as exact decimals (strings in JSON)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from srdi.enterprise.enums import AwardKind, AwardLevel, ContestGroup, Provenance, provenance_label
from srdi.enterprise.validation import award_error, industry_error, region_error
from srdi.kit.money import MAX_YUAN
from srdi.kit.text import clean_name
from srdi.kit.uscc import normalize_uscc, uscc_error

ORM = ConfigDict(from_attributes=True)
YUAN = "元，精确到分；界面以万元显示"


class RegionRef(BaseModel):
    code: str = Field(description="行政区划代码（6位）", examples=["440305"])
    name: str = Field(description="区划全称", examples=["广东省深圳市南山区"])


class IndustryRef(BaseModel):
    code: str = Field(description="GB/T 4754-2017 行业小类代码", examples=["3562"])
    name: str = Field(description="行业名称", examples=["半导体器件专用设备制造"])


class EnterpriseSummary(BaseModel):
    model_config = ORM

    id: int = Field(description="平台内部编号")
    uscc: str = Field(description="统一社会信用代码（GB 32100-2015）", examples=["91440300192317458F"])
    name: str = Field(description="企业名称", examples=["深圳市示例精密科技有限公司"])
    region_code: str = Field(description="行政区划代码")
    region_name: str = Field(description="行政区划名称")
    industry_code: str = Field(description="行业小类代码")
    industry_name: str = Field(description="行业名称")
    size_class: str | None = Field(
        description="企业规模（划型，300号）：large/medium/small/micro；null 表示数据不足"
    )
    size_class_label: str | None = Field(description="企业规模中文名")
    tags: list[str] = Field(description="标签")
    valid_tiers: list[str] = Field(description="当前有效的梯度培育称号")
    is_synthetic: bool = Field(description="是否为演示用合成数据")


class ContactOut(BaseModel):
    contact_name: str | None = Field(description="联系人")
    contact_phone: str | None = Field(description="联系电话（完整，不打码）")


class YearlyFigureOut(BaseModel):
    model_config = ORM

    fiscal_year: int = Field(description="会计年度", examples=[2025])
    operating_revenue: Decimal | None = Field(None, description=f"营业收入（{YUAN}）")
    main_business_revenue: Decimal | None = Field(None, description=f"主营业务收入（{YUAN}）")
    rd_expense: Decimal | None = Field(None, description=f"研发费用（{YUAN}）")
    net_profit: Decimal | None = Field(None, description=f"净利润（{YUAN}）")
    total_assets: Decimal | None = Field(None, description=f"资产总额（{YUAN}）")
    total_liabilities: Decimal | None = Field(None, description=f"负债总额（{YUAN}）")
    qualified_equity_raised: Decimal | None = Field(
        None, description=f"新增股权融资（合格机构投资者实缴额，{YUAN}）"
    )
    total_cost_expense: Decimal | None = Field(None, description=f"成本费用支出总额（{YUAN}）")
    employees: int | None = Field(None, description="从业人员（人）")
    rd_staff: int | None = Field(None, description="研发人员（人）")
    development_score: Decimal | None = Field(
        None, description="专精特新发展评价得分（75号，平台计算，作为输入）"
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="各项数据来源：self_reported/tax/statistics/audited_report…"
    )
    source_labels: dict[str, str] = Field(
        default_factory=dict, description="各项数据来源的中文名（已核验/企业自报/税务数据…）"
    )
    updated_at: datetime | None = Field(None, description="最后修改时间")
    updated_by: str | None = Field(None, description="最后修改人")
    provenance_notice: str | None = Field(
        None, description="服务器如何记录本次提交的数据来源（例如忽略了企业账号请求中的来源）"
    )


class YearlyFigureIn(BaseModel):
    """Figures of one year; omitted fields stay unchanged."""

    operating_revenue: Decimal | None = Field(
        None, ge=0, le=MAX_YUAN, description=f"营业收入（{YUAN}）", examples=["86000000.00"]
    )
    main_business_revenue: Decimal | None = Field(
        None, ge=0, le=MAX_YUAN, description=f"主营业务收入（{YUAN}）"
    )
    rd_expense: Decimal | None = Field(None, ge=0, le=MAX_YUAN, description=f"研发费用（{YUAN}）")
    net_profit: Decimal | None = Field(
        None, ge=-MAX_YUAN, le=MAX_YUAN, description=f"净利润（{YUAN}），可为负"
    )
    total_assets: Decimal | None = Field(None, ge=0, le=MAX_YUAN, description=f"资产总额（{YUAN}）")
    total_liabilities: Decimal | None = Field(None, ge=0, le=MAX_YUAN, description=f"负债总额（{YUAN}）")
    qualified_equity_raised: Decimal | None = Field(
        None, ge=0, le=MAX_YUAN, description=f"新增股权融资（{YUAN}）"
    )
    total_cost_expense: Decimal | None = Field(
        None, ge=0, le=MAX_YUAN, description=f"成本费用支出总额（{YUAN}）"
    )
    employees: int | None = Field(None, strict=True, ge=0, le=10_000_000, description="从业人员（人）")
    rd_staff: int | None = Field(None, strict=True, ge=0, le=10_000_000, description="研发人员（人）")
    development_score: Decimal | None = Field(None, ge=0, le=100, description="专精特新发展评价得分")
    source: Provenance | None = Field(
        None,
        description=(
            "数据来源：仅主管部门账号可注明（税务/统计/审计报告/市场监管/官方名单）；"
            "企业账号填报的数据一律记为企业自报，请求中的来源被忽略并在返回中说明"
        ),
    )


class EnterpriseIn(BaseModel):
    uscc: str = Field(description="统一社会信用代码", examples=["91440300192317458F"])
    name: str = Field(min_length=2, max_length=200, description="企业名称")
    founded_date: date | None = Field(None, description="成立日期 YYYY-MM-DD")
    region_code: str = Field(description="行政区划代码（6位）", examples=["440305"])
    industry_code: str = Field(description="GB/T 4754-2017 行业小类代码（4位）", examples=["3562"])
    tags: list[str] = Field(default_factory=list, description="标签")
    digital_level: int | None = Field(None, strict=True, ge=1, le=4, description="数字化水平等级（1–4级）")
    own_brand: bool | None = Field(None, strict=True, description="是否拥有自主品牌")
    standards_drafted: int | None = Field(None, strict=True, ge=0, description="参与制修订标准数量")
    core_business_on_it_system: bool | None = Field(
        None, strict=True, description="是否至少1项核心业务采用信息系统支撑"
    )
    main_product_field: str | None = Field(
        None, description="主导产品所属领域：key_chain_gap/industrial_foundation/other"
    )
    independent_legal_person: bool | None = Field(
        None, strict=True, description="在境内工商注册登记、具有独立法人资格（经核实）"
    )
    restricted_product: bool | None = Field(
        None, strict=True, description="产品（服务）属于国家禁止、限制或淘汰类"
    )
    niche_market_leading: bool | None = Field(
        None, strict=True, description="主导产品细分市场占有率较为靠前（2026年标准 N8，经审核）"
    )
    local_feature_score: int | None = Field(
        None, strict=True, ge=0, le=15, description="特色化指标得分（无省级指标表的省份直接填报，满分15）"
    )
    local_answers: dict[str, Any] = Field(
        default_factory=dict, description="省级特色化指标的作答（键见规则文件）"
    )
    contact_name: str | None = Field(None, max_length=50, description="联系人")
    contact_phone: str | None = Field(None, max_length=30, description="联系电话")
    address: str | None = Field(None, max_length=300, description="地址")

    @field_validator("founded_date", mode="before")
    @classmethod
    def _date_as_text(cls, v: object) -> object:
        # JSON has no date type: a number is not a date (0 would otherwise become 1970-01-01).
        if isinstance(v, int | float):
            raise ValueError("日期格式应为 YYYY-MM-DD")
        return v

    @field_validator("name", "contact_name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        # NFKC and no invisible or direction-control characters: a look-alike of an existing name is refused.
        return None if v is None else clean_name(v)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str) -> str:
        if err := uscc_error(v):
            raise ValueError(err)
        return normalize_uscc(v)

    @field_validator("region_code")
    @classmethod
    def _region(cls, v: str) -> str:
        if err := region_error(v):
            raise ValueError(err)
        return v.strip()

    @field_validator("industry_code")
    @classmethod
    def _industry(cls, v: str) -> str:
        if err := industry_error(v):
            raise ValueError(err)
        return v.strip()


class IpItemOut(BaseModel):
    model_config = ORM
    id: int
    ip_type: str = Field(description="知识产权类型")
    ip_class: int = Field(description="Ⅰ类=1，Ⅱ类=2")
    title: str
    number: str | None
    granted_date: date | None
    self_developed: bool = Field(description="是否自主研发")
    high_value: bool = Field(description="是否Ⅰ类高价值知识产权")
    related_to_main_product: bool = Field(description="是否与主导产品相关")
    in_use: bool = Field(description="是否实际应用并产生经济效益")
    transferred_in_date: date | None = Field(description="转入日期（受让取得的）")
    rank_among_holders: int | None = Field(description="在权利人中的排名")
    source: str


class AwardOut(BaseModel):
    model_config = ORM
    id: int
    kind: str
    level: str
    name: str
    award_date: date
    rank: int | None = Field(description="获奖单位中排名")
    top_group: int | None = Field(description="创客中国全国500强/50强")
    contest_group: str | None = Field(
        None,
        description="创客中国组别：enterprise_group 企业组 / maker_group 创客组（只有企业组名单计入直通条件）",
    )
    evidence: str | None = Field(None, description="证明材料说明")
    source: str


class AwardIn(BaseModel):
    """One award as an official records it. The group is required for 创客中国 and refused for any other contest."""

    kind: AwardKind = Field(description="奖项类别", examples=["maker_china"])
    level: AwardLevel = Field(description="奖项级别", examples=["national"])
    name: str = Field(
        min_length=2, max_length=300, description="奖项（赛事）名称", examples=["第九届“创客中国”大赛"]
    )
    award_date: date = Field(description="获奖日期 YYYY-MM-DD", examples=["2025-11-20"])
    rank: int | None = Field(None, strict=True, ge=1, le=1000, description="获奖单位中排名（第几完成单位）")
    top_group: int | None = Field(
        None, strict=True, description="创客中国名单：500 = 全国500强，50 = 全国50强"
    )
    contest_group: ContestGroup | None = Field(
        None,
        description="创客中国组别：enterprise_group 企业组 / maker_group 创客组（创客中国必填，其他奖项不填）",
    )
    evidence: str | None = Field(None, max_length=2000, description="证明材料说明（文件名、公告文号等）")
    source: Provenance = Field(Provenance.self_reported, description="这条记录的来源")

    @field_validator("award_date", mode="before")
    @classmethod
    def _date_as_text(cls, v: object) -> object:
        if isinstance(v, int | float):
            raise ValueError("日期格式应为 YYYY-MM-DD")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if len(v) < 2:
            raise ValueError("奖项名称至少2个字")
        return v

    @model_validator(mode="after")
    def _group(self) -> AwardIn:
        group = self.contest_group.value if self.contest_group else None
        if err := award_error(self.kind.value, group, self.top_group):
            raise ValueError(err)
        return self


class HonourOut(BaseModel):
    model_config = ORM
    id: int
    kind: str
    name: str
    level: str | None
    valid_from: date | None
    valid_until: date | None
    source: str


class RdInstitutionOut(BaseModel):
    model_config = ORM
    id: int
    name: str
    level: str
    recognized_date: date | None
    source: str


class CertificationOut(BaseModel):
    model_config = ORM
    id: int
    kind: str
    name: str
    valid_until: date | None
    source: str


class NicheMarketOut(BaseModel):
    model_config = ORM
    id: int
    description: str
    start_date: date
    market_share_bp: int | None = Field(description="全国细分市场占有率（万分比，100 = 1%）")
    national_rank: int | None
    source: str


class MainProductOut(BaseModel):
    model_config = ORM
    id: int
    name: str
    strategic_emerging: bool = Field(description="是否属于《战略性新兴产业分类（2018）》")
    strategic_category: str | None
    revenue_share_bp: int | None
    source: str


class ComplianceRecordOut(BaseModel):
    model_config = ORM
    id: int
    kind: str
    severity: str | None
    occurred_date: date
    resolved_date: date | None
    description: str | None
    source: str


class FactsOut(BaseModel):
    ip_items: list[IpItemOut]
    awards: list[AwardOut]
    honours: list[HonourOut]
    rd_institutions: list[RdInstitutionOut]
    certifications: list[CertificationOut]
    niche_markets: list[NicheMarketOut]
    main_products: list[MainProductOut]
    compliance_records: list[ComplianceRecordOut]


class RecognitionOut(BaseModel):
    model_config = ORM
    id: int
    tier: str = Field(description="称号：innovative_sme/srdi_sme/little_giant/tech_sme…")
    level: str = Field(description="认定层级")
    batch: str | None
    announced_date: date = Field(description="公告日期")
    valid_until: date = Field(description="有效期至")
    status: str = Field(description="valid/expired/revoked/under_re_review")
    document_no: str | None
    revoked_date: date | None = Field(None, description="撤销（取消认定）日期")
    revocation_reason: str | None = Field(
        None,
        description="撤销原因：fraud 数据造假 / major_accident 重大事故 / serious_dishonesty 严重失信 / "
        "other_revocation 其他；前三者三年内不得再次申报",
    )
    source: str = Field("self_reported", description="数据来源（官方名单/已核验/企业自报…）")


class ChangeLogOut(BaseModel):
    model_config = ORM
    id: int
    entity: str = Field(description="变更对象：enterprise/yearly_figure/…")
    entity_key: str | None = Field(description="对象键，如会计年度")
    field: str
    old_value: str | None
    new_value: str | None
    source: str | None
    source_label: str | None = Field(None, description="数据来源的中文名")
    actor: str = Field(description="修改人")
    changed_at: datetime
    note: str | None = Field(None, description="核验说明或核验未通过的理由")
    evidence: str | None = Field(None, description="核验依据（文件编号、系统截图说明等）")
    entity_label: str | None = Field(None, description="变更对象的中文说明：记录以名称而非编号称呼")
    field_label: str | None = Field(None, description="字段的中文名")
    old_shown: str | None = Field(None, description="原值的显示形式（金额为万元，两位小数）")
    new_shown: str | None = Field(None, description="新值的显示形式（金额为万元，两位小数）")

    @model_validator(mode="after")
    def _label(self) -> ChangeLogOut:
        if self.source and self.source_label is None:
            self.source_label = provenance_label(self.source)
        return self


class EnterpriseDetail(EnterpriseSummary):
    founded_date: date | None
    size_class_year: int | None = Field(description="划型所依据的会计年度")
    digital_level: int | None
    own_brand: bool | None
    standards_drafted: int | None
    core_business_on_it_system: bool | None
    main_product_field: str | None
    independent_legal_person: bool | None
    restricted_product: bool | None
    niche_market_leading: bool | None
    local_feature_score: int | None
    local_answers: dict[str, Any]
    contact_name: str | None
    contact_phone: str | None = Field(description="联系电话（已脱敏）")
    address: str | None
    created_at: datetime
    updated_at: datetime
