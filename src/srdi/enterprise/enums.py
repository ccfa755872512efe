"""String enums of the enterprise registry. Values are the identifiers of docs/glossary.md; labels are the UI text."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Self


class LabelledEnum(StrEnum):
    """A registry enum whose members carry their Chinese label beside their value: ``large = "large", "大型"``
    (the one copy of the word: the web UI's labels are generated from it, and :data:`LABELS` is derived)."""

    _value_: str
    _label: str

    # Runs once per member as the class is built; ``SizeClass("small")`` afterwards is the usual lookup by value
    # (Enum's own __new__), hence the default that only keeps that call well typed.
    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label


class SizeClass(LabelledEnum):
    large = "large", "大型"
    medium = "medium", "中型"
    small = "small", "小型"
    micro = "micro", "微型"


class Provenance(LabelledEnum):
    """Where a figure came from (PRODUCT C1): who vouches for it."""

    self_reported = "self_reported", "企业自报"
    tax = "tax", "税务数据"
    statistics = "statistics", "统计数据"
    audited_report = "audited_report", "审计报告"
    market_supervision = "market_supervision", "市场监管数据"
    official_list = "official_list", "官方名单"  # an imported 科技局/工信局 list (瞪羚、百强、认定名单 …)
    # checked by an official or commissioner: who, when, note and evidence in change_log
    verified = "verified", "已核验"
    synthetic = "synthetic", "演示数据（合成）"


def provenance_label(value: str | None) -> str | None:
    """The Chinese name of a provenance value (an unknown value is shown as stored)."""
    if value is None:
        return None
    return Provenance(value).label if value in {p.value for p in Provenance} else value


# Provenance a policy may decide money on (PRODUCT C1, C3; QUALITY S5; docs/decisions/0012-provenance-…).
# ``synthetic`` stands for the government's own data in a demo database: only the demo loader writes it, for
# enterprises marked is_synthetic, and no API or import accepts it.
AUTHORITATIVE = frozenset(
    {
        Provenance.tax,
        Provenance.statistics,
        Provenance.audited_report,
        Provenance.market_supervision,
        Provenance.official_list,
        Provenance.verified,
        Provenance.synthetic,
    }
)
# What an official (or an administrator) may state for a value it writes or imports. ``verified`` is only
# reached through the verification queue (a note is required there); ``synthetic`` only through ``srdi demo``.
OFFICIAL_STATABLE = frozenset(
    {
        Provenance.self_reported,
        Provenance.tax,
        Provenance.statistics,
        Provenance.audited_report,
        Provenance.market_supervision,
        Provenance.official_list,
    }
)


class Tier(LabelledEnum):
    tech_sme = "tech_sme", "科技型中小企业"
    innovative_sme = "innovative_sme", "创新型中小企业"
    tech_innovative_sme = "tech_innovative_sme", "科技和创新型中小企业"
    srdi_sme = "srdi_sme", "专精特新中小企业"
    little_giant = "little_giant", "专精特新“小巨人”企业"
    single_champion = "single_champion", "制造业单项冠军企业"


class RecognitionLevel(LabelledEnum):
    national = "national", "国家级"
    provincial = "provincial", "省级"
    municipal = "municipal", "市级"
    district = "district", "区县级"


class RecognitionStatus(LabelledEnum):
    valid = "valid", "有效"
    expired = "expired", "已过期"
    revoked = "revoked", "已撤销"
    under_re_review = "under_re_review", "复核中"


class IpType(LabelledEnum):
    invention_patent = "invention_patent", "发明专利"
    defense_patent = "defense_patent", "国防专利"
    plant_variety = "plant_variety", "植物新品种"
    crop_variety = "crop_variety", "国家级农作物品种"
    new_drug = "new_drug", "国家新药"
    tcm_protected_variety = "tcm_protected_variety", "国家一级中药保护品种"
    ic_layout_design = "ic_layout_design", "集成电路布图设计专有权"
    utility_model = "utility_model", "实用新型专利"
    design_patent = "design_patent", "外观设计专利"
    software_copyright = "software_copyright", "软件著作权"


# CRITERIA §6: Ⅰ类 and Ⅱ类 members ([V-multi], the 高新技术企业认定工作指引 list).
IP_CLASS_1 = frozenset(
    {
        IpType.invention_patent,
        IpType.defense_patent,
        IpType.plant_variety,
        IpType.crop_variety,
        IpType.new_drug,
        IpType.tcm_protected_variety,
        IpType.ic_layout_design,
    }
)


def ip_class_of(ip_type: IpType) -> int:
    return 1 if ip_type in IP_CLASS_1 else 2


class AwardKind(LabelledEnum):
    science_technology = "science_technology", "科学技术奖"
    maker_china = "maker_china", "“创客中国”大赛"
    quality = "quality", "质量奖"
    industrial_design = "industrial_design", "工业设计奖"
    other = "other", "其他"


class ContestGroup(LabelledEnum):
    """创客中国 大赛的组别: only the 企业组 lists (全国500强 / 50强) are direct routes (CRITERIA §4.1 ZD4, §5 X4D2)."""

    enterprise_group = "enterprise_group", "企业组"
    maker_group = "maker_group", "创客组"


class RevocationReason(LabelledEnum):
    """Why a recognition was revoked (撤销). The first three bar a new application for at least three years
    (暂行办法 第十六条, CRITERIA §7 row "Revocation")."""

    fraud = "fraud", "数据造假等弄虚作假"
    major_accident = "major_accident", "发生重大安全（含网络安全、数据安全）、质量、环境污染等事故"
    serious_dishonesty = "serious_dishonesty", "严重失信、偷漏税等违法违规行为"
    other_revocation = "other_revocation", "其他原因（不限制再次申报）"


class AwardLevel(LabelledEnum):
    national = "national", "国家级"
    provincial = "provincial", "省级"
    municipal = "municipal", "市级"


class HonourKind(LabelledEnum):
    high_tech_enterprise = "high_tech_enterprise", "高新技术企业"
    tech_innovation_demo = "tech_innovation_demo", "国家级技术创新示范企业"
    ip_advantage = "ip_advantage", "知识产权优势企业"
    ip_demo = "ip_demo", "知识产权示范企业"
    first_set_product = "first_set_product", "首台（套）/首批次/首版次产品"
    green_factory = "green_factory", "绿色工厂"
    time_honoured_brand = "time_honoured_brand", "中华老字号"
    other = "other", "其他"


class RdInstitutionLevel(LabelledEnum):
    national = "national", "国家级"
    provincial = "provincial", "省级"
    municipal = "municipal", "市级"
    below_municipal = "below_municipal", "市级以下"


class CertificationKind(LabelledEnum):
    iso9001 = "iso9001", "ISO 9001 质量管理体系认证"
    management_system = "management_system", "其他管理体系认证"
    developed_market_product = "developed_market_product", "发达国家和地区产品认证"
    other = "other", "其他"


class ComplianceKind(LabelledEnum):
    abnormal_operation_list = "abnormal_operation_list", "经营异常名录"
    serious_dishonesty_list = "serious_dishonesty_list", "严重失信主体名单"
    safety_incident = "safety_incident", "安全事故"
    quality_incident = "quality_incident", "质量事故"
    environmental_incident = "environmental_incident", "环境污染事故"
    cyber_data_incident = "cyber_data_incident", "网络/数据安全事件"
    tax_violation = "tax_violation", "偷漏税等违法行为"


class ProductField(LabelledEnum):
    """专精特新 indicator 4 (CRITERIA §4.2): A 补短板/锻长板/填空白, B 六基/老字号/龙头配套, C other."""

    key_chain_gap = "key_chain_gap", "产业链“补短板/锻长板/填空白”成效"
    industrial_foundation = "industrial_foundation", "工业“六基”/中华老字号/服务龙头企业"
    other = "other", "其他"


class ChangeEntity(LabelledEnum):
    """What a 变更历史 row (一企一档) is about: the ``entity`` of a change-log row."""

    enterprise = "enterprise", "企业基本信息"
    yearly_figure = "yearly_figure", "年度经营数据"
    recognition = "recognition", "认定记录"
    award = "award", "获奖记录"
    policy_answer = "policy_answer", "政策补充信息"
    annual_update_task = "annual_update_task", "年度更新任务"
    major_change_report = "major_change_report", "重大变化报告"
    # fact records whose 核验 is logged under their table's name
    ip_item = "ip_item", "知识产权"
    honour = "honour", "荣誉资质"
    rd_institution = "rd_institution", "研发机构"
    certification = "certification", "认证"
    niche_market = "niche_market", "细分市场"
    main_product = "main_product", "主导产品"
    compliance_record = "compliance_record", "合规记录"


class ChangeField(LabelledEnum):
    """The changed field of a 变更历史 row, where it is a yearly figure or a record's state."""

    operating_revenue = "operating_revenue", "营业收入"
    main_business_revenue = "main_business_revenue", "主营业务收入"
    rd_expense = "rd_expense", "研发费用"
    net_profit = "net_profit", "净利润"
    total_assets = "total_assets", "资产总额"
    total_liabilities = "total_liabilities", "负债总额"
    qualified_equity_raised = "qualified_equity_raised", "新增股权融资"
    total_cost_expense = "total_cost_expense", "成本费用总额"
    employees = "employees", "从业人员"
    rd_staff = "rd_staff", "研发人员"
    development_score = "development_score", "发展评价得分"
    status = "status", "状态"
    source = "source", "数据来源"
    # "name" is the stored value; the member cannot be called name (Enum.name would be shadowed).
    enterprise_name = "name", "企业名称"


class ImportMode(LabelledEnum):
    """What happens to a file with bad rows: nothing is written, or exactly the valid rows are."""

    all_or_nothing = "all_or_nothing", "全部成功才导入（有错误则全部不导入）"
    valid_rows_only = "valid_rows_only", "仅导入无误的行（列出被拒绝的行）"


class ImportStatus(LabelledEnum):
    pending = "pending", "等待中"
    running = "running", "进行中"
    validated = "validated", "试导入完成（未写入）"  # dry run finished: report only, nothing written
    succeeded = "succeeded", "导入成功"  # every row written
    partially_succeeded = (
        "partially_succeeded",
        "部分导入（有误的行已拒绝）",
    )  # valid_rows_only: the valid rows written, the rest listed
    rejected = "rejected", "有错误，未导入"  # errors found, nothing written
    failed = "failed", "导入失败"  # unreadable file or unexpected error, nothing written
    interrupted = (
        "interrupted",
        "已中断（未写入）",
    )  # the process stopped mid-job; its transaction was rolled back


def _derived_labels() -> Mapping[str, str]:
    """Every registry value's label, read from the enums: for the callers that hold a value without its enum (a
    rule file's choices, a stored kind). A value two enums share (``national``, ``other``) has one word in both."""
    out: dict[str, str] = {}
    for cls in LabelledEnum.__subclasses__():
        for member in cls:
            if out.setdefault(member.value, member.label) != member.label:
                raise ValueError(
                    f"{member.value!r} is labelled two ways: {out[member.value]} / {member.label}"
                )
    return MappingProxyType(out)


LABELS: Mapping[str, str] = _derived_labels()
