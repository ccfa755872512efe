"""The columns of the registry's import file, export file and template: one row per enterprise-year.

One table drives all three so that an exported file can be imported again unchanged, and the template is exactly
what the importer expects. Headers are the Chinese names officials use; money is in 万元 unless the header says 元.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["uscc", "text", "date", "region", "industry", "tags", "int", "money", "bool", "year", "enum"]
Level = Literal["enterprise", "yearly", "row"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # canonical header without the unit
    kind: Kind
    level: Level
    required: bool = False
    unit: str | None = None  # default unit shown in the template header
    aliases: tuple[str, ...] = ()
    note: str = ""
    example: str = ""
    max_length: int | None = None

    @property
    def title(self) -> str:
        """The header as written in templates and exports: ``营业收入（万元）``."""
        return f"{self.header}（{self.unit}）" if self.unit else self.header


COLUMNS: tuple[Column, ...] = (
    Column(
        "uscc",
        "统一社会信用代码",
        "uscc",
        "enterprise",
        True,
        note="18位，GB 32100-2015 校验",
        example="91440300192317458F",
    ),
    Column(
        "name",
        "企业名称",
        "text",
        "enterprise",
        True,
        aliases=("企业全称", "单位名称"),
        example="深圳市示例精密科技有限公司",
        max_length=200,
    ),
    Column(
        "founded_date",
        "成立日期",
        "date",
        "enterprise",
        aliases=("注册日期", "成立时间"),
        note="YYYY-MM-DD",
        example="2015-03-01",
    ),
    Column(
        "region_code",
        "行政区划代码",
        "region",
        "enterprise",
        True,
        aliases=("区划代码", "所在地区代码"),
        note="6位区县级代码",
        example="440305",
    ),
    Column(
        "industry_code",
        "行业代码",
        "industry",
        "enterprise",
        True,
        aliases=("国民经济行业代码", "行业小类代码", "所属行业代码"),
        note="GB/T 4754-2017 4位小类代码",
        example="3562",
    ),
    Column("tags", "标签", "tags", "enterprise", note="多个标签用顿号或逗号分隔", example="重点培育、拟上市"),
    Column(
        "fiscal_year",
        "会计年度",
        "year",
        "yearly",
        True,
        aliases=("年度", "年份", "统计年度"),
        example="2025",
    ),
    Column("operating_revenue", "营业收入", "money", "yearly", unit="万元", example="8600"),
    Column("main_business_revenue", "主营业务收入", "money", "yearly", unit="万元", example="8200"),
    Column(
        "rd_expense",
        "研发费用",
        "money",
        "yearly",
        unit="万元",
        aliases=("研发投入", "研究开发费用"),
        example="650.5",
    ),
    Column("net_profit", "净利润", "money", "yearly", unit="万元", note="可为负数", example="-120.25"),
    Column("total_assets", "资产总额", "money", "yearly", unit="万元", aliases=("总资产",), example="12000"),
    Column(
        "total_liabilities", "负债总额", "money", "yearly", unit="万元", aliases=("总负债",), example="5000"
    ),
    Column(
        "qualified_equity_raised",
        "新增股权融资",
        "money",
        "yearly",
        unit="万元",
        aliases=("新增股权融资额",),
        note="合格机构投资者实缴额",
        example="0",
    ),
    Column(
        "total_cost_expense",
        "成本费用支出",
        "money",
        "yearly",
        unit="万元",
        aliases=("成本费用支出总额",),
        example="7800",
    ),
    Column(
        "employees",
        "从业人员",
        "int",
        "yearly",
        unit="人",
        aliases=("从业人员数", "从业人数", "职工人数"),
        example="180",
    ),
    Column(
        "rd_staff", "研发人员", "int", "yearly", unit="人", aliases=("研发人员数", "研发人数"), example="36"
    ),
    Column(
        "source",
        "数据来源",
        "enum",
        "row",
        note="企业自报/税务数据/统计数据/审计报告/市场监管数据/官方名单；空白视为企业自报",
        example="企业自报",
    ),
    Column(
        "digital_level",
        "数字化水平等级",
        "int",
        "enterprise",
        aliases=("数字化水平",),
        note="1–4 级",
        example="2",
    ),
    Column(
        "own_brand",
        "自主品牌",
        "bool",
        "enterprise",
        aliases=("是否拥有自主品牌",),
        note="是/否",
        example="是",
    ),
    Column(
        "standards_drafted",
        "参与制修订标准数",
        "int",
        "enterprise",
        aliases=("参与制修订标准数量",),
        example="1",
    ),
    Column(
        "core_business_on_it_system",
        "核心业务信息系统支撑",
        "bool",
        "enterprise",
        aliases=("核心业务采用信息系统支撑",),
        note="是/否",
        example="是",
    ),
    Column(
        "main_product_field",
        "主导产品所属领域",
        "enum",
        "enterprise",
        note="产业链补短板/锻长板/填空白、工业六基/老字号/龙头配套、其他",
        example="其他",
    ),
    Column("contact_name", "联系人", "text", "enterprise", example="张三", max_length=50),
    Column("contact_phone", "联系电话", "text", "enterprise", example="13800138000", max_length=30),
    Column(
        "address",
        "地址",
        "text",
        "enterprise",
        aliases=("企业地址", "注册地址"),
        example="广东省深圳市南山区科技园",
        max_length=300,
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
MONEY_UNITS = {"万元": 1_000_000, "元": 100}
_UNIT_RE = re.compile(r"^(?P<base>.*?)\((?P<unit>[^()]*)\)$")


def normalize_header(raw: object) -> str:
    """Full-width brackets and spaces folded, the template's required marker ``*`` dropped."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return text.replace(" ", "").replace("\u3000", "").strip("*").strip()


def split_unit(header: str) -> tuple[str, str | None]:
    m = _UNIT_RE.match(header)
    if not m:
        return header, None
    return m["base"], m["unit"]


_LOOKUP: dict[str, Column] = {}
for _c in COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _LOOKUP[normalize_header(_name)] = _c


def match_column(raw_header: object) -> tuple[Column | None, str | None]:
    """The column a header names and its unit (``None`` = the column's default), or ``(None, None)``."""
    header = normalize_header(raw_header)
    if header in _LOOKUP:
        return _LOOKUP[header], None
    base, unit = split_unit(header)
    col = _LOOKUP.get(base)
    return (col, unit) if col else (None, None)
