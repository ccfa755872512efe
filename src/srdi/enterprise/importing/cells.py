"""Cell parsers of a registry import: one function per column kind turns what a spreadsheet holds into the
stored value or a :class:`CellError` whose message is shown to the user as is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from srdi.enterprise.enums import OFFICIAL_STATABLE, ProductField, Provenance
from srdi.enterprise.io_columns import MONEY_UNITS, Column
from srdi.enterprise.tabular import Formula
from srdi.enterprise.validation import industry_error, region_error
from srdi.kit.uscc import normalize_uscc, uscc_error, uscc_ok
from srdi.kit.workdays import beijing_today

# Sanity bounds. 1 亿万元 = 1 万亿元: more than any SME and than all but a handful of listed groups; a value above
# it is almost always a figure typed in 元 into a 万元 column.
MAX_MONEY_WAN = 100_000_000
MAX_PERSONS = 10_000_000
MIN_FOUNDED = date(1900, 1, 1)
MIN_YEAR = 1949

PROVENANCE_INPUT = {
    # An import states the provenance of its figures: only what an official may state (OFFICIAL_STATABLE);
    # 已核验 comes from the verification queue, 演示数据 from ``srdi demo``, never from a file.
    **{p.label: p.value for p in Provenance if p in OFFICIAL_STATABLE},
    **{p.value: p.value for p in Provenance if p in OFFICIAL_STATABLE},
    "自报": Provenance.self_reported.value,
    "税务": Provenance.tax.value,
    "统计": Provenance.statistics.value,
    "审计": Provenance.audited_report.value,
    "审计报告数据": Provenance.audited_report.value,
    "市场监管": Provenance.market_supervision.value,
}
PRODUCT_FIELD_INPUT = {
    **{f.value: f.value for f in ProductField},
    **{f.label: f.value for f in ProductField},
    "产业链补短板/锻长板/填空白": ProductField.key_chain_gap.value,
    "补短板": ProductField.key_chain_gap.value,
    "锻长板": ProductField.key_chain_gap.value,
    "填空白": ProductField.key_chain_gap.value,
    "工业六基/老字号/龙头配套": ProductField.industrial_foundation.value,
    "工业六基": ProductField.industrial_foundation.value,
    "中华老字号": ProductField.industrial_foundation.value,
    "龙头配套": ProductField.industrial_foundation.value,
    "其他": ProductField.other.value,
}
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "✗"}
_TAG_SPLIT = re.compile(r"[、,，;；|]")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YEAR_RE = re.compile(r"^(\d{4})\s*年?(?:度)?$")


THIS_YEAR = [beijing_today().year]  # refreshed at the start of each validation


class CellError(Exception):
    """A cell's value is wrong; the message is shown to the user as is."""


@dataclass(slots=True)
class RowError:
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass(slots=True)
class Bound:
    """A file column bound to a registry column."""

    index: int
    column: Column
    title: str  # the header exactly as the file wrote it
    factor: int  # fen per unit for money columns


def display(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Formula):
        return "（公式）"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _as_text(value: object, fold: bool = True) -> str:
    """Cell as stripped text. ``fold``: full-width digits and letters to ASCII (for codes, numbers, dates) —
    never for free text, where NFKC would also turn the full-width brackets of company names into ASCII."""
    if isinstance(value, str):
        text = value.strip()
        return unicodedata.normalize("NFKC", text) if fold and not text.isascii() else text
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return display(value) or ""
    return str(value).strip()


SKIP = object()  # a cell deliberately left out, like an empty one
_PHONE_RE = re.compile(r"[0-9+\-() ]{5,30}(?:转[0-9]{1,6})?")


def _parse_text(col: Column) -> Callable[[object], Any]:
    limit = col.max_length

    def parse(value: object) -> object:
        text = value.strip() if isinstance(value, str) else _as_text(value, fold=False)
        if limit and len(text) > limit:
            raise CellError(f"内容过长：最多 {limit} 个字符，实际 {len(text)} 个")
        if col.key == "name" and len(text) < 2:
            raise CellError("企业名称至少2个字")
        if col.key == "contact_phone":
            if "*" in text:
                return SKIP  # a masked number from an export: keep the stored one
            if not _PHONE_RE.fullmatch(unicodedata.normalize("NFKC", text)):
                raise CellError("联系电话格式不正确，只能包含数字、空格、+、-、括号")
        return text

    return parse


# The fast check first (srdi.kit.uscc.uscc_ok); a code it rejects goes to uscc_error for the precise message.
_USCC_CACHE: dict[str, tuple[str, str | None]] = {}


def _parse_uscc(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An all-digit code typed into a number cell: Excel keeps 15 significant digits, the rest is lost.
        raise CellError(
            "统一社会信用代码被存成了数字（Excel 只保留15位有效数字），请将该列设为“文本”格式后重新填写"
        )
    raw = value if isinstance(value, str) else _as_text(value)
    hit = _USCC_CACHE.get(raw)
    if hit is None:
        code = normalize_uscc(raw if raw.isascii() else unicodedata.normalize("NFKC", raw))
        if uscc_ok(code):
            hit = (code, None)
        else:
            err = uscc_error(code)
            hit = (code.replace("-", ""), err)
        if len(_USCC_CACHE) > 2_000_000:
            _USCC_CACHE.clear()
        _USCC_CACHE[raw] = hit
    if hit[1]:
        raise CellError(hit[1])
    return hit[0]


_CODE_CACHE: dict[tuple[str, str], tuple[str, str | None]] = {}


def _code_text(value: object, width: int) -> str:
    # A code typed into a number-formatted Excel cell loses its leading zeros (0111 → 111.0).
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value)).zfill(width)
    return _as_text(value)


def _parse_region(value: object) -> str:
    text = _code_text(value, 6)
    hit = _CODE_CACHE.get(("r", text))
    if hit is None:
        hit = _CODE_CACHE[("r", text)] = (text, region_error(text))
    if hit[1]:
        raise CellError(hit[1])
    return hit[0]


def _parse_industry(value: object) -> str:
    text = _code_text(value, 4)
    hit = _CODE_CACHE.get(("i", text))
    if hit is None:
        hit = _CODE_CACHE[("i", text)] = (text, industry_error(text))
    if hit[1]:
        raise CellError(hit[1])
    return hit[0]


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        text = _as_text(value)
        m = _DATE_RE.match(text)
        if not m and len(text) == 8 and text.isascii() and text.isdigit():
            m = re.match(r"(\d{4})(\d{2})(\d{2})", text)
        if not m:
            raise CellError("日期格式应为 YYYY-MM-DD（如 2015-03-01）")
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise CellError(f"日期不存在：{text}") from exc
    if d < MIN_FOUNDED:
        raise CellError("成立日期早于 1900-01-01，请检查")
    if d > _today():
        raise CellError("成立日期晚于今天，请检查")
    return d


def _today() -> date:
    return beijing_today()


def _parse_year(value: object) -> int:
    if isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit():
        year = int(value)
        if MIN_YEAR <= year <= THIS_YEAR[0]:
            return year
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            raise CellError("会计年度应为4位年份，如 2025")
        year = int(value)
    else:
        m = _YEAR_RE.match(_as_text(value))
        if not m:
            raise CellError("会计年度应为4位年份，如 2025")
        year = int(m.group(1))
    last = THIS_YEAR[0]
    if year < MIN_YEAR or year > last:
        raise CellError(f"会计年度应在 {MIN_YEAR}–{last} 之间")
    return year


# What a number cell may look like as text. A comma is a thousands separator only where it groups exactly three
# digits before any decimal point: "1,234.5" is 1234.5, but "1.234,5" (a European decimal comma) and "1,23,4" are
# ambiguous and refused rather than guessed. An exponent is accepted ("1.5E+07", as Excel writes long numbers) but
# any value of 10^18 or more is refused before it reaches arithmetic: "1e999999" must not overflow the job.
_PLAIN_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,6})?", re.ASCII)
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_MAX_ADJUSTED = 17  # |value| < 10^18: far above every sanity bound below, far below any overflow
_MAX_NUMBER_CHARS = 64


def _decimal(value: object) -> Decimal:
    if isinstance(value, (bool, datetime | date)):
        raise CellError(f"应为数字，实际为“{display(value)}”")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"应为有限的数字，实际为“{display(value)}”")
        # repr() is the shortest text that reads back as the same double: what the spreadsheet shows.
        d = Decimal(repr(value))
    else:
        text = value.strip() if isinstance(value, str) else str(value)
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        text = text.replace(" ", "")
        if len(text) > _MAX_NUMBER_CHARS:
            raise CellError(f"数字过长（超过 {_MAX_NUMBER_CHARS} 个字符），请检查")
        if "," in text:
            if not _GROUPED_RE.fullmatch(text):
                raise CellError(
                    f"数字“{display(value)}”的分隔符有歧义：千位分隔符“,”应每三位一个，小数点只能用“.”（如 1,234.5）"
                )
            text = text.replace(",", "")
        elif not _PLAIN_RE.fullmatch(text):
            lowered = text.lower().lstrip("+-")
            if lowered in ("inf", "infinity", "nan", "snan"):
                raise CellError(f"应为有限的数字，实际为“{display(value)}”")
            if text.count(".") > 1:
                raise CellError(
                    f"数字“{display(value)}”含有多个“.”：小数点只能有一个，千位分隔符请用“,”或不写"
                )
            raise CellError(f"应为数字，实际为“{display(value)}”")
        d = Decimal(text)
    if d and d.adjusted() > _MAX_ADJUSTED:
        shown = f"{value:.6g}" if isinstance(value, float) else display(value)
        raise CellError(f"数值过大（“{shown}”），请检查单位和数字")
    return d


def _parse_money(col: Column, factor: int) -> Callable[[object], int]:
    allow_negative = col.key == "net_profit"
    limit_fen = MAX_MONEY_WAN * MONEY_UNITS["万元"]
    unit = "万元" if factor == MONEY_UNITS["万元"] else "元"
    places = 6 if unit == "万元" else 2

    scale = factor // 10**places

    # At most 15 integer digits: below the sanity bound's 13, far below int()'s 4,300-digit guard.
    fullmatch = re.compile(rf"(-?)([0-9]{{1,15}})(?:\.([0-9]{{1,{places}}}))?").fullmatch
    frac_mult = [0] + [10 ** (places - n) * scale for n in range(1, places + 1)]  # by number of decimals

    def parse(value: object) -> int:
        # Fast path for plain decimals ("8600", "-120.25"): exact integer arithmetic, no Decimal.
        m = fullmatch(value) if value.__class__ is str else None
        if m is not None:
            sign, whole, frac = m.groups()
            fen = int(whole) * factor
            if frac:
                fen += int(frac) * frac_mult[len(frac)]
            if sign:
                fen = -fen
        else:
            d = _decimal(value)
            exact = d * factor
            if exact != exact.to_integral_value():
                raise CellError(f"金额最多精确到分（以{unit}为单位时最多 {places} 位小数），不会自动四舍五入")
            fen = int(exact)
        if fen < 0 and not allow_negative:
            raise CellError("不能为负数")
        if not -limit_fen <= fen <= limit_fen:
            raise CellError("数值过大（超过 1 亿万元，即 1 万亿元），请检查单位是否应为万元")
        return fen

    return parse


def _parse_int(col: Column) -> Callable[[object], int]:
    lo, hi = {"digital_level": (1, 4), "standards_drafted": (0, 10_000)}.get(col.key, (0, MAX_PERSONS))

    def parse(value: object) -> int:
        if isinstance(value, str) and len(value) <= 15 and value.isascii() and value.isdigit():
            n = int(value)
        else:
            text = _as_text(value).removesuffix("人").removesuffix("级")
            d = _decimal(text) if not isinstance(value, int | float) else _decimal(value)
            if d != d.to_integral_value():
                raise CellError(f"应为整数，实际为“{display(value)}”")
            n = int(d)
        if n < 0:
            raise CellError("不能为负数")
        if n < lo or n > hi:
            if col.key == "digital_level":
                raise CellError("数字化水平等级应为 1–4 级")
            raise CellError(f"数值超出合理范围（{lo}–{hi:,}）")
        return n

    return parse


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("应填写“是”或“否”")


def _parse_tags(value: object) -> list[str]:
    tags: list[str] = []
    for part in _TAG_SPLIT.split(_as_text(value, fold=False)):
        t = part.strip()
        if t and t not in tags:
            if len(t) > 50:
                raise CellError("单个标签最多 50 个字")
            tags.append(t)
    return tags


def _parse_enum(col: Column) -> Callable[[object], str]:
    table = PROVENANCE_INPUT if col.key == "source" else PRODUCT_FIELD_INPUT
    allowed = (
        "企业自报、税务数据、统计数据、审计报告、市场监管数据、官方名单"
        if col.key == "source"
        else "产业链补短板/锻长板/填空白、工业六基/老字号/龙头配套、其他"
    )

    def parse(value: object) -> str:
        text = _as_text(value)
        hit = table.get(text) or table.get(text.lower())
        if hit is None:
            raise CellError(f"“{text}”不是允许的取值，应为：{allowed}")
        return hit

    return parse


def cell_parser(bound: Bound) -> Callable[[object], Any]:
    col = bound.column
    kind = col.kind
    if kind == "uscc":
        return _parse_uscc
    if kind == "text":
        return _parse_text(col)
    if kind == "date":
        return _parse_date
    if kind == "region":
        return _parse_region
    if kind == "industry":
        return _parse_industry
    if kind == "tags":
        return _parse_tags
    if kind == "year":
        return _parse_year
    if kind == "money":
        return _parse_money(col, bound.factor)
    if kind == "int":
        return _parse_int(col)
    if kind == "bool":
        return _parse_bool
    return _parse_enum(col)
