"""String enums of the enterprise registry. Values are the identifiers of docs/glossary.md; labels are the UI text."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    @property
    def label(self) -> str:
        return LABELS.get(self.value, self.value)


class SizeClass(LabelledEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class Provenance(LabelledEnum):
    """Where a figure came from (PRODUCT C1): who vouches for it."""

    self_reported = "self_reported"
    tax = "tax"
    statistics = "statistics"
    audited_report = "audited_report"
    market_supervision = "market_supervision"
    official_list = "official_list"  # an imported 科技局/工信局 list (瞪羚、百强、认定名单 …)
    verified = (
        "verified"  # checked by an official or commissioner: who, when, note and evidence in change_log
    )
    synthetic = "synthetic"


def provenance_label(value: str | None) -> str | None:
    """The Chinese name of a provenance value (an unknown value is shown as stored)."""
    if value is None:
        return None
    return LABELS.get(value, value) if value in {p.value for p in Provenance} else value


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
    tech_sme = "tech_sme"
    innovative_sme = "innovative_sme"
    tech_innovative_sme = "tech_innovative_sme"
    srdi_sme = "srdi_sme"
    little_giant = "little_giant"
    single_champion = "single_champion"


class RecognitionLevel(LabelledEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"
    district = "district"


class RecognitionStatus(LabelledEnum):
    valid = "valid"
    expired = "expired"
    revoked = "revoked"
    under_re_review = "under_re_review"


class IpType(LabelledEnum):
    invention_patent = "invention_patent"
    defense_patent = "defense_patent"
    plant_variety = "plant_variety"
    crop_variety = "crop_variety"
    new_drug = "new_drug"
    tcm_protected_variety = "tcm_protected_variety"
    ic_layout_design = "ic_layout_design"
    utility_model = "utility_model"
    design_patent = "design_patent"
    software_copyright = "software_copyright"


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
    science_technology = "science_technology"
    maker_china = "maker_china"
    quality = "quality"
    industrial_design = "industrial_design"
    other = "other"


class ContestGroup(LabelledEnum):
    """创客中国 大赛的组别: only the 企业组 lists (全国500强 / 50强) are direct routes (CRITERIA §4.1 ZD4, §5 X4D2)."""

    enterprise_group = "enterprise_group"
    maker_group = "maker_group"


class RevocationReason(LabelledEnum):
    """Why a recognition was revoked (撤销). The first three bar a new application for at least three years
    (暂行办法 第十六条, CRITERIA §7 row "Revocation")."""

    fraud = "fraud"
    major_accident = "major_accident"
    serious_dishonesty = "serious_dishonesty"
    other_revocation = "other_revocation"


class AwardLevel(LabelledEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"


class HonourKind(LabelledEnum):
    high_tech_enterprise = "high_tech_enterprise"
    tech_innovation_demo = "tech_innovation_demo"
    ip_advantage = "ip_advantage"
    ip_demo = "ip_demo"
    first_set_product = "first_set_product"
    green_factory = "green_factory"
    time_honoured_brand = "time_honoured_brand"
    other = "other"


class RdInstitutionLevel(LabelledEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"
    below_municipal = "below_municipal"


class CertificationKind(LabelledEnum):
    iso9001 = "iso9001"
    management_system = "management_system"
    developed_market_product = "developed_market_product"
    other = "other"


class ComplianceKind(LabelledEnum):
    abnormal_operation_list = "abnormal_operation_list"
    serious_dishonesty_list = "serious_dishonesty_list"
    safety_incident = "safety_incident"
    quality_incident = "quality_incident"
    environmental_incident = "environmental_incident"
    cyber_data_incident = "cyber_data_incident"
    tax_violation = "tax_violation"


class ProductField(LabelledEnum):
    """专精特新 indicator 4 (CRITERIA §4.2): A 补短板/锻长板/填空白, B 六基/老字号/龙头配套, C other."""

    key_chain_gap = "key_chain_gap"
    industrial_foundation = "industrial_foundation"
    other = "other"


LABELS: dict[str, str] = {
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
    "self_reported": "企业自报",
    "tax": "税务数据",
    "statistics": "统计数据",
    "audited_report": "审计报告",
    "market_supervision": "市场监管数据",
    "official_list": "官方名单",
    "verified": "已核验",
    "synthetic": "演示数据（合成）",
    "tech_sme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "tech_innovative_sme": "科技和创新型中小企业",
    "srdi_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "single_champion": "制造业单项冠军企业",
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "district": "区县级",
    "below_municipal": "市级以下",
    "valid": "有效",
    "expired": "已过期",
    "revoked": "已撤销",
    "under_re_review": "复核中",
    "invention_patent": "发明专利",
    "defense_patent": "国防专利",
    "plant_variety": "植物新品种",
    "crop_variety": "国家级农作物品种",
    "new_drug": "国家新药",
    "tcm_protected_variety": "国家一级中药保护品种",
    "ic_layout_design": "集成电路布图设计专有权",
    "utility_model": "实用新型专利",
    "design_patent": "外观设计专利",
    "software_copyright": "软件著作权",
    "science_technology": "科学技术奖",
    "maker_china": "“创客中国”大赛",
    "quality": "质量奖",
    "industrial_design": "工业设计奖",
    "other": "其他",
    "enterprise_group": "企业组",
    "maker_group": "创客组",
    "fraud": "数据造假等弄虚作假",
    "major_accident": "发生重大安全（含网络安全、数据安全）、质量、环境污染等事故",
    "serious_dishonesty": "严重失信、偷漏税等违法违规行为",
    "other_revocation": "其他原因（不限制再次申报）",
    "high_tech_enterprise": "高新技术企业",
    "tech_innovation_demo": "国家级技术创新示范企业",
    "ip_advantage": "知识产权优势企业",
    "ip_demo": "知识产权示范企业",
    "first_set_product": "首台（套）/首批次/首版次产品",
    "green_factory": "绿色工厂",
    "time_honoured_brand": "中华老字号",
    "iso9001": "ISO 9001 质量管理体系认证",
    "management_system": "其他管理体系认证",
    "developed_market_product": "发达国家和地区产品认证",
    "abnormal_operation_list": "经营异常名录",
    "serious_dishonesty_list": "严重失信主体名单",
    "safety_incident": "安全事故",
    "quality_incident": "质量事故",
    "environmental_incident": "环境污染事故",
    "cyber_data_incident": "网络/数据安全事件",
    "tax_violation": "偷漏税等违法行为",
    "key_chain_gap": "产业链“补短板/锻长板/填空白”成效",
    "industrial_foundation": "工业“六基”/中华老字号/服务龙头企业",
    # 变更历史 (一企一档): what a history row is about (ChangeEntity) and which field changed (ChangeField).
    "enterprise": "企业基本信息",
    "yearly_figure": "年度经营数据",
    "recognition": "认定记录",
    "award": "获奖记录",
    "policy_answer": "政策补充信息",
    "annual_update_task": "年度更新任务",
    "major_change_report": "重大变化报告",
    "ip_item": "知识产权",
    "honour": "荣誉资质",
    "rd_institution": "研发机构",
    "certification": "认证",
    "niche_market": "细分市场",
    "main_product": "主导产品",
    "compliance_record": "合规记录",
    "operating_revenue": "营业收入",
    "main_business_revenue": "主营业务收入",
    "rd_expense": "研发费用",
    "net_profit": "净利润",
    "total_assets": "资产总额",
    "total_liabilities": "负债总额",
    "qualified_equity_raised": "新增股权融资",
    "total_cost_expense": "成本费用总额",
    "employees": "从业人员",
    "rd_staff": "研发人员",
    "development_score": "发展评价得分",
    "status": "状态",
    "source": "数据来源",
}


class ChangeEntity(LabelledEnum):
    """What a 变更历史 row (一企一档) is about: the ``entity`` of a change-log row."""

    enterprise = "enterprise"
    yearly_figure = "yearly_figure"
    recognition = "recognition"
    award = "award"
    policy_answer = "policy_answer"
    annual_update_task = "annual_update_task"
    major_change_report = "major_change_report"
    # fact records whose 核验 is logged under their table's name
    ip_item = "ip_item"
    honour = "honour"
    rd_institution = "rd_institution"
    certification = "certification"
    niche_market = "niche_market"
    main_product = "main_product"
    compliance_record = "compliance_record"


class ChangeField(LabelledEnum):
    """The changed field of a 变更历史 row, where it is a yearly figure or a record's state."""

    operating_revenue = "operating_revenue"
    main_business_revenue = "main_business_revenue"
    rd_expense = "rd_expense"
    net_profit = "net_profit"
    total_assets = "total_assets"
    total_liabilities = "total_liabilities"
    qualified_equity_raised = "qualified_equity_raised"
    total_cost_expense = "total_cost_expense"
    employees = "employees"
    rd_staff = "rd_staff"
    development_score = "development_score"
    status = "status"
    source = "source"


class ImportMode(LabelledEnum):
    """What happens to a file with bad rows: nothing is written, or exactly the valid rows are."""

    all_or_nothing = "all_or_nothing"
    valid_rows_only = "valid_rows_only"


class ImportStatus(LabelledEnum):
    pending = "pending"
    running = "running"
    validated = "validated"  # dry run finished: report only, nothing written
    succeeded = "succeeded"  # every row written
    partially_succeeded = "partially_succeeded"  # valid_rows_only: the valid rows written, the rest listed
    rejected = "rejected"  # errors found, nothing written
    failed = "failed"  # unreadable file or unexpected error, nothing written
    interrupted = "interrupted"  # the process stopped mid-job; its transaction was rolled back


LABELS.update(
    {
        "all_or_nothing": "全部成功才导入（有错误则全部不导入）",
        "valid_rows_only": "仅导入无误的行（列出被拒绝的行）",
        "pending": "等待中",
        "running": "进行中",
        "validated": "试导入完成（未写入）",
        "succeeded": "导入成功",
        "partially_succeeded": "部分导入（有误的行已拒绝）",
        "rejected": "有错误，未导入",
        "failed": "导入失败",
        "interrupted": "已中断（未写入）",
    }
)
