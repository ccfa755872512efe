"""Import of the enterprise registry from CSV/XLSX: validate every cell, report every error, then write.

A file is read once and validated completely before anything is written: the report lists every bad cell by
row number (as the spreadsheet shows it) and Chinese column name. Then, by the user's choice:

* ``all_or_nothing`` — any error, nothing is written;
* ``valid_rows_only`` — exactly the rows without error are written, every rejected row is listed.

A dry run produces the same report and writes nothing. Writing goes through
:func:`srdi.enterprise.bulk_service.bulk_upsert` (upsert by USCC, change log with the job id) inside the caller's
transaction; docs/decisions/0005-import-transactions.md explains why one transaction per job.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import operator
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.enterprise import repository
from srdi.enterprise.bulk_service import BulkRow, bulk_upsert
from srdi.enterprise.enums import OFFICIAL_STATABLE, ImportMode, ImportStatus, ProductField, Provenance
from srdi.enterprise.io_columns import BY_KEY, COLUMNS, MONEY_UNITS, Column, match_column, normalize_header
from srdi.enterprise.models import Enterprise, ImportJob
from srdi.enterprise.tabular import Formula, Table, col_letter, read_table
from srdi.enterprise.validation import industry_error, normalize_uscc, region_error, uscc_error
from srdi.kit.errors import AppError
from srdi.kit.workdays import beijing_today

log = logging.getLogger("srdi.import")

# Sanity bounds. 1 亿万元 = 1 万亿元: more than any SME and than all but a handful of listed groups; a value above
# it is almost always a figure typed in 元 into a 万元 column.
MAX_MONEY_WAN = 100_000_000
MAX_PERSONS = 10_000_000
MIN_FOUNDED = date(1900, 1, 1)
MIN_YEAR = 1949
REPORT_ERROR_LIMIT = 100_000  # errors kept in the stored JSON report; the counts are always complete
PROGRESS_EVERY = 5_000

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


_THIS_YEAR = [beijing_today().year]  # refreshed at the start of each validation


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
class _Bound:
    """A file column bound to a registry column."""

    index: int
    column: Column
    title: str  # the header exactly as the file wrote it
    factor: int  # fen per unit for money columns


@dataclass(slots=True)
class _Valid:
    row: int
    uscc: str
    year: int
    source: str
    profile: dict[str, Any]
    figures: dict[str, int]


@dataclass
class ImportOutcome:
    status: ImportStatus
    total_rows: int = 0
    valid_rows: int = 0
    error_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years_created: int = 0
    years_updated: int = 0
    would_create: int = 0
    would_update: int = 0
    file_info: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    def report(self) -> dict[str, Any]:
        errors = self.errors[:REPORT_ERROR_LIMIT]
        return {
            "message": self.message,
            "file": self.file_info,
            "summary": {
                "total_rows": self.total_rows,
                "valid_rows": self.valid_rows,
                "error_rows": self.error_rows,
                "error_count": len(self.errors),
                "enterprises_created": self.created,
                "enterprises_updated": self.updated,
                "enterprises_unchanged": self.unchanged,
                "years_created": self.years_created,
                "years_updated": self.years_updated,
                "would_create": self.would_create,
                "would_update": self.would_update,
            },
            "rejected_rows": self.rejected_rows,
            "errors": [e.as_dict() for e in errors],
            "errors_truncated": len(self.errors) > len(errors),
        }


ProgressFn = Callable[[str, int, int | None], None]

# Live progress of running jobs in this process, for GET /imports/{id} while the job's transaction is open
# (its own row is not visible to other sessions until commit).
_LIVE: dict[int, dict[str, Any]] = {}
_LIVE_LOCK = threading.Lock()


def live_progress(job_id: int) -> dict[str, Any] | None:
    with _LIVE_LOCK:
        p = _LIVE.get(job_id)
        return dict(p) if p else None


def _set_live(job_id: int | None, **values: Any) -> None:
    if job_id is None:
        return
    with _LIVE_LOCK:
        _LIVE.setdefault(job_id, {}).update(values)


def _clear_live(job_id: int | None) -> None:
    if job_id is not None:
        with _LIVE_LOCK:
            _LIVE.pop(job_id, None)


# --- cell parsers ------------------------------------------------------------------------------------------


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


_USCC_CACHE: dict[str, tuple[str, str | None]] = {}
# GB 32100-2015 check character, the same rule as stdnum.cn.uscc (validation.uscc_error) but ~20× faster:
# a million-row file holds ~200,000 codes. Any code this rejects goes to uscc_error for the precise message.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_INDEX = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_ok(code: str) -> bool:
    if len(code) != 18 or not code[:8].isascii() or not code[:8].isdigit() or code[17] not in _USCC_INDEX:
        return False
    try:
        total = sum(_USCC_INDEX[c] * w for c, w in zip(code, _USCC_WEIGHTS, strict=False))
    except KeyError:
        return False
    return _USCC_ALPHABET[(31 - total) % 31] == code[17]


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
        if MIN_YEAR <= year <= _THIS_YEAR[0]:
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
    last = _THIS_YEAR[0]
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


def _parser(bound: _Bound) -> Callable[[object], Any]:
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


# --- headers -----------------------------------------------------------------------------------------------


def bind_headers(headers: list[object], header_row: int = 1) -> tuple[list[_Bound], list[RowError]]:
    bound: list[_Bound] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    known_titles = [c.title for c in COLUMNS]
    for i, raw in enumerate(headers):
        title = "" if raw is None else str(raw).strip()
        if isinstance(raw, Formula) or not normalize_header(title):
            continue  # blank header: the column is checked for stray data below
        col, unit = match_column(title)
        letter = col_letter(i)
        if col is None:
            hint = difflib.get_close_matches(normalize_header(title), known_titles, n=1, cutoff=0.5)
            tip = f"，是否应为“{hint[0]}”？" if hint else "。可用的列名见导入模板"
            errors.append(RowError(header_row, title, title, f"无法识别的列“{title}”（第 {letter} 列）{tip}"))
            continue
        factor = 1
        if col.kind == "money":
            if unit is None:
                factor = MONEY_UNITS["万元"]
            elif unit in MONEY_UNITS:
                factor = MONEY_UNITS[unit]
            else:
                errors.append(
                    RowError(
                        header_row,
                        title,
                        title,
                        f"列“{title}”的单位“{unit}”无法识别，金额单位应为“万元”或“元”",
                    )
                )
                continue
        elif unit is not None and unit != col.unit:
            errors.append(
                RowError(header_row, title, title, f"列“{title}”的单位“{unit}”不正确，应为“{col.title}”")
            )
            continue
        if col.key in seen:
            errors.append(
                RowError(
                    header_row, title, title, f"列“{title}”与列“{seen[col.key]}”重复，同一项只能出现一次"
                )
            )
            continue
        seen[col.key] = title
        bound.append(_Bound(i, col, title, factor))
    for col in COLUMNS:
        if col.required and col.key not in seen:
            errors.append(RowError(header_row, col.title, None, f"缺少必填列“{col.title}”"))
    return bound, errors


# --- validation --------------------------------------------------------------------------------------------


@dataclass
class _Validation:
    total_rows: int = 0
    valid: list[_Valid] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def validate_table(
    table: Table,
    progress: ProgressFn | None = None,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> tuple[_Validation, list[RowError]]:
    """Every row checked; returns the valid rows, every error, and the header errors (fatal when non-empty)."""
    header_row = table.header_row
    bound, header_errors = bind_headers(table.headers, header_row)
    if table.format == "xlsx":
        for m in table.merged:
            if m.first_row <= header_row <= m.last_row:
                header_errors.append(
                    RowError(
                        header_row, None, m.ref, f"表头含有合并单元格（{m.ref}），请取消合并，每列一个列名"
                    )
                )
    if header_errors:
        return _Validation(), header_errors

    _THIS_YEAR[0] = beijing_today().year
    scope = tuple(region_scope) if region_scope is not None else None
    val = _Validation()
    ent_bound = [b for b in bound if b.column.level == "enterprise"]
    row_bound = [b for b in bound if b.column.level != "enterprise"]
    ent_parsers = [(b, _parser(b)) for b in ent_bound]
    row_parsers = [(b, _parser(b)) for b in row_bound]
    ent_idx = [b.index for b in ent_bound]
    width = len(table.headers)
    title_of = {b.column.key: b.title for b in bound}
    merged_cells = _merged_cells(table, bound)

    # Cross-row state.
    first_of_key: dict[tuple[str, int], int] = {}
    dup_rows: dict[tuple[str, int], list[int]] = {}
    ent_rows: dict[str, list[int]] = {}
    ent_first: dict[str, tuple[int, dict[str, Any]]] = {}
    conflicts: dict[str, dict[str, list[tuple[int, Any]]]] = {}

    last_raw: tuple[object, ...] | None = None
    last_parsed: tuple[dict[str, Any], list[RowError]] = ({}, [])
    today = beijing_today()

    blank_header_idx = [i for i, h in enumerate(table.headers) if _is_blank(h)]
    row_specs = [(b.index, b.column.key, parse, b) for b, parse in row_parsers]
    # Required columns make at least four enterprise-level columns, so itemgetter always returns a tuple.
    pick = operator.itemgetter(*ent_idx)
    need = max(ent_idx) + 1

    for row_no, cells in table.rows:
        if not any(cells) or (_is_blank(cells[0]) and all(_is_blank(v) for v in cells)):
            continue
        val.total_rows += 1
        n = len(cells)
        errs: list[RowError] = []

        # Enterprise-level cells repeat on every year of the same enterprise: parse once per distinct run.
        raw = pick(cells) if n >= need else tuple(cells[i] if i < n else None for i in ent_idx)
        if raw == last_raw:
            profile, cached = last_parsed
            errs.extend(RowError(row_no, e.column, e.value, e.message) for e in cached)
        else:
            profile = {}
            perrs: list[RowError] = []
            for (b, parse), v in zip(ent_parsers, raw, strict=True):
                _cell(b, parse, v, row_no, profile, perrs)
            last_raw, last_parsed = raw, (profile, perrs)
            errs.extend(perrs)

        figures: dict[str, Any] = {}
        for idx, key, parse, b in row_specs:
            v = cells[idx] if idx < n else None
            if not v or v.__class__ is Formula:
                _cell(b, parse, v, row_no, figures, errs)
                continue
            try:
                figures[key] = parse(v)
            except CellError as exc:
                if isinstance(v, str) and v.isspace():  # a blank cell with stray spaces is an empty cell
                    _cell(b, parse, "", row_no, figures, errs)
                else:
                    errs.append(RowError(row_no, b.title, display(v), str(exc)))

        if n > width and any(not _is_blank(v) for v in cells[width:]):
            extra = next(i for i in range(width, n) if not _is_blank(cells[i]))
            errs.append(
                RowError(
                    row_no, None, display(cells[extra]), f"第 {col_letter(extra)} 列没有列名，无法识别该数据"
                )
            )
        for i in blank_header_idx:
            if i < n and not _is_blank(cells[i]):
                errs.append(
                    RowError(
                        row_no, None, display(cells[i]), f"第 {col_letter(i)} 列没有列名，无法识别该数据"
                    )
                )
                break
        if merged_cells and row_no in merged_cells:
            # A merged cell is reported as such, not as the empty or repeated value it leaves behind.
            covered = {title for title, _ in merged_cells[row_no]}
            errs = [e for e in errs if e.column not in covered]
            for title, ref in merged_cells[row_no]:
                errs.append(
                    RowError(row_no, title, ref, f"单元格在合并区域 {ref} 内，请取消合并并在每一行分别填写")
                )

        year = figures.pop("fiscal_year", None)
        source = figures.pop("source", None) or Provenance.self_reported.value
        _cross_checks(row_no, profile, figures, year, title_of, errs, today)
        if scope is not None and "region_code" in profile and not profile["region_code"].startswith(scope):
            errs.append(
                RowError(row_no, title_of["region_code"], profile["region_code"],
                         f"行政区划代码 {profile['region_code']} 不在本账号管辖范围内，不能导入")
            )  # fmt: skip

        uscc = profile.get("uscc")
        if uscc is not None:
            ent_rows.setdefault(uscc, []).append(row_no)
            if year is not None:
                ukey = (uscc, year)
                first = first_of_key.setdefault(ukey, row_no)
                if first != row_no:
                    dup_rows.setdefault(ukey, [first]).append(row_no)
            seen = ent_first.get(uscc)
            if seen is None:
                ent_first[uscc] = (row_no, profile)
            elif seen[1] is not profile:
                for k, v in profile.items():
                    other = seen[1].get(k)
                    if other is not None and v is not None and other != v:
                        c = conflicts.setdefault(uscc, {}).setdefault(k, [(seen[0], other)])
                        c.append((row_no, v))

        if errs:
            val.errors.extend(errs)
            val.bad_rows.add(row_no)
        elif uscc is not None and year is not None:
            val.valid.append(_Valid(row_no, uscc, year, source, profile, figures))
        if progress and val.total_rows % PROGRESS_EVERY == 0:
            progress("validating", val.total_rows, table.total_rows)

    # Rows that are fine alone but contradict other rows of the file: every row of the group is rejected.
    for (uscc, year), rows in dup_rows.items():
        listed = "、".join(str(r) for r in rows)
        for r in rows:
            val.errors.append(
                RowError(
                    r,
                    title_of["fiscal_year"],
                    str(year),
                    f"同一企业（{uscc}）同一会计年度 {year} 在第 {listed} 行重复出现",
                )
            )
            val.bad_rows.add(r)
    for uscc, fields in conflicts.items():
        for key, pairs in fields.items():
            label = BY_KEY[key].header
            shown = _conflict_text(pairs)
            for r in ent_rows[uscc]:
                val.errors.append(
                    RowError(
                        r, title_of[key], None, f"同一统一社会信用代码 {uscc} 的“{label}”前后不一致：{shown}"
                    )
                )
                val.bad_rows.add(r)
    if dup_rows or conflicts:
        val.valid = [v for v in val.valid if v.row not in val.bad_rows]
    val.errors.sort(key=lambda e: e.row or 0)
    if progress:
        progress("validating", val.total_rows, val.total_rows)
    return val, []


def _conflict_text(pairs: list[tuple[int, Any]]) -> str:
    """``第 2 行为“A”；第 5、6 行为“B”`` — each distinct value once, at most 5 row numbers each."""
    by_value: dict[str, list[int]] = {}
    for r, v in pairs:
        by_value.setdefault("、".join(v) if isinstance(v, list) else (display(v) or ""), []).append(r)
    parts = []
    for text, rows in by_value.items():
        listed = "、".join(str(r) for r in rows[:5])
        more = f" 等 {len(rows)} 行" if len(rows) > 5 else " 行"
        parts.append(f"第 {listed}{more}为“{text}”")
    return "；".join(parts)


def _cell(
    b: _Bound,
    parse: Callable[[object], Any],
    v: object,
    row_no: int,
    out: dict[str, Any],
    errs: list[RowError],
) -> None:
    if v is None or (isinstance(v, str) and not v.strip()):
        if b.column.required:
            errs.append(RowError(row_no, b.title, None, f"“{b.column.header}”为必填项，不能为空"))
        return
    if isinstance(v, Formula):
        errs.append(
            RowError(row_no, b.title, v.ref, f"单元格 {v.ref} 含有公式，请复制后“选择性粘贴为数值”再导入")
        )
        return
    try:
        parsed = parse(v)
    except CellError as exc:
        errs.append(RowError(row_no, b.title, display(v), str(exc)))
        return
    if parsed is not SKIP:
        out[b.column.key] = parsed


def _cross_checks(
    row_no: int,
    profile: dict[str, Any],
    f: dict[str, Any],
    year: int | None,
    title_of: dict[str, str],
    errs: list[RowError],
    today: date,
) -> None:
    def check(ok: bool, key: str, msg: str) -> None:
        if not ok:
            errs.append(RowError(row_no, title_of[key], display(f.get(key)) if key in f else None, msg))

    mbr, rev = f.get("main_business_revenue"), f.get("operating_revenue")
    if mbr is not None and rev is not None:
        check(mbr <= rev, "main_business_revenue", "主营业务收入不能大于营业收入")
    rd_staff, emp = f.get("rd_staff"), f.get("employees")
    if rd_staff is not None and emp is not None:
        check(rd_staff <= emp, "rd_staff", "研发人员不能多于从业人员")
    rd, cost = f.get("rd_expense"), f.get("total_cost_expense")
    if rd is not None and cost is not None:
        check(rd <= cost, "rd_expense", "研发费用不能大于成本费用支出（研发费用是成本费用的一部分）")
    founded = profile.get("founded_date")
    if founded is not None and year is not None and year < founded.year:
        errs.append(
            RowError(
                row_no,
                title_of["fiscal_year"],
                str(year),
                f"会计年度 {year} 早于成立日期 {founded.isoformat()}",
            )
        )


def _merged_cells(table: Table, bound: list[_Bound]) -> dict[int, list[tuple[str, str]]]:
    """Row → (column title, range) for every data cell inside a merged range."""
    if not table.merged:
        return {}
    titles = {b.index: b.title for b in bound}
    out: dict[int, list[tuple[str, str]]] = {}
    for m in table.merged:
        if m.last_row <= table.header_row:
            continue
        cols = [titles[c] for c in range(m.first_col, m.last_col + 1) if c in titles] or [""]
        for r in range(max(m.first_row, table.header_row + 1), m.last_row + 1):
            for t in cols:
                out.setdefault(r, []).append((t, m.ref))
    return out


# --- the job -----------------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def create_job(
    db: Session, *, filename: str, path: Path, mode: ImportMode, dry_run: bool, actor: str
) -> ImportJob:
    suffix = Path(filename).suffix.lower().lstrip(".") or "csv"
    job = ImportJob(
        filename=filename[:300],
        file_sha256=file_sha256(path),
        file_format=suffix[:20],
        mode=mode.value,
        dry_run=dry_run,
        status=ImportStatus.pending.value,
        actor=actor,
        report={},
    )
    db.add(job)
    db.flush()
    return job


def run_import(
    db: Session,
    path: Path,
    *,
    filename: str | None = None,
    mode: ImportMode = ImportMode.all_or_nothing,
    dry_run: bool = False,
    actor: str,
    job: ImportJob | None = None,
    progress: ProgressFn | None = None,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> tuple[ImportJob, ImportOutcome]:
    """Validate and (unless dry run or refused) write one file, recording the job. Never commits.

    The caller's transaction holds the job row and the data: commit once afterwards, so a crash writes nothing.
    """
    filename = filename or path.name
    if job is None:
        job = create_job(db, filename=filename, path=path, mode=mode, dry_run=dry_run, actor=actor)
    job_id = job.id
    job.status = ImportStatus.running.value

    def report_progress(phase: str, done: int, total: int | None) -> None:
        _set_live(job_id, phase=phase, processed_rows=done, total_rows=total)
        if progress:
            progress(phase, done, total)

    try:
        outcome = _run(db, path, filename, mode, dry_run, actor, job_id, report_progress, region_scope)
    except AppError as exc:
        outcome = ImportOutcome(
            status=ImportStatus.failed,
            errors=[RowError(None, None, None, exc.message_zh)],
            # The refusal's code and, for a broken limit, which limit, its maximum and what the file had.
            file_info={"filename": filename, "error_code": exc.code, "error_details": exc.details},
            message=f"文件无法导入：{exc.message_zh}",
        )
    finally:
        _clear_live(job_id)
    job.status = outcome.status.value
    job.file_format = outcome.file_info.get("format", job.file_format)
    job.encoding = outcome.file_info.get("encoding")
    job.total_rows = outcome.total_rows
    job.processed_rows = outcome.total_rows
    job.valid_rows = outcome.valid_rows
    job.error_rows = outcome.error_rows
    job.created_count = outcome.created
    job.updated_count = outcome.updated
    job.report = outcome.report()
    job.finished_at = utcnow()
    db.flush()
    log.info(
        "import job %s %s: %s rows, %s valid, %s rejected, %s created, %s updated",
        job_id, outcome.status.value, outcome.total_rows, outcome.valid_rows, outcome.error_rows,
        outcome.created, outcome.updated,
    )  # fmt: skip
    return job, outcome


def _run(
    db: Session,
    path: Path,
    filename: str,
    mode: ImportMode,
    dry_run: bool,
    actor: str,
    job_id: int | None,
    progress: ProgressFn,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> ImportOutcome:
    table = read_table(path, filename)
    try:
        return _run_table(db, table, filename, mode, dry_run, actor, job_id, progress, region_scope)
    finally:
        table.close()


def _run_table(
    db: Session,
    table: Table,
    filename: str,
    mode: ImportMode,
    dry_run: bool,
    actor: str,
    job_id: int | None,
    progress: ProgressFn,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> ImportOutcome:
    info = {
        "filename": filename,
        "format": table.format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "size_bytes": table.size_bytes,
    }
    progress("validating", 0, table.total_rows)
    val, header_errors = validate_table(table, progress, region_scope)
    if header_errors:
        return ImportOutcome(
            status=ImportStatus.failed,
            errors=header_errors,
            file_info=info,
            message=f"表头有 {len(header_errors)} 处问题，文件未导入。请对照导入模板修改列名",
        )
    if val.total_rows == 0:
        return ImportOutcome(
            status=ImportStatus.failed,
            errors=[RowError(None, None, None, "文件中没有数据行（只有表头）")],
            file_info=info,
            message="文件中没有数据行，未导入",
        )
    if region_scope is not None and val.valid:
        _reject_outside_scope(db, val, tuple(region_scope), table)
    out = ImportOutcome(
        status=ImportStatus.running,
        total_rows=val.total_rows,
        valid_rows=len(val.valid),
        error_rows=len(val.bad_rows),
        errors=val.errors,
        rejected_rows=sorted(val.bad_rows),
        file_info=info,
    )
    usccs = list(dict.fromkeys(v.uscc for v in val.valid))
    existing = len(repository.ids_by_uscc(db, usccs)) if usccs else 0
    out.would_create, out.would_update = len(usccs) - existing, existing

    refuse = mode is ImportMode.all_or_nothing and out.error_rows > 0
    if dry_run:
        out.status = ImportStatus.validated
        out.message = _dry_run_message(out, mode)
        return out
    if refuse or not val.valid:
        out.status = ImportStatus.rejected
        out.message = (
            f"共 {out.total_rows} 行，其中 {out.error_rows} 行有错误。按“全部成功才导入”方式，本次未写入任何数据"
            if refuse
            else f"共 {out.total_rows} 行，全部有错误，未写入任何数据"
        )
        return out

    progress("writing", 0, len(val.valid))
    result = bulk_upsert(
        db,
        _bulk_rows(val.valid),
        actor=actor,
        import_job_id=job_id,
        on_progress=lambda n: progress("writing", n, len(val.valid)),
    )
    out.created, out.updated, out.unchanged = (
        result.enterprises_created,
        result.enterprises_updated,
        result.enterprises_unchanged,
    )
    out.years_created, out.years_updated = result.years_created, result.years_updated
    out.status = ImportStatus.succeeded if out.error_rows == 0 else ImportStatus.partially_succeeded
    done = f"新建企业 {out.created} 家，更新 {out.updated} 家，未变化 {out.unchanged} 家"
    out.message = (
        f"导入成功：共 {out.total_rows} 行全部导入，{done}"
        if out.error_rows == 0
        else f"已导入无误的 {out.valid_rows} 行（{done}）；{out.error_rows} 行有错误未导入，见错误清单"
    )
    return out


def _reject_outside_scope(db: Session, val: _Validation, scope: tuple[str, ...], table: Table) -> None:
    """An official's file may not change an enterprise registered outside their region."""
    usccs = list(dict.fromkeys(v.uscc for v in val.valid))
    stored: dict[str, str] = {}
    for i in range(0, len(usccs), 500):
        chunk = usccs[i : i + 500]
        stmt = select(Enterprise.uscc, Enterprise.region_code).where(Enterprise.uscc.in_(chunk))
        stored.update((u, r) for u, r in db.execute(stmt))
    outside = {u for u, region in stored.items() if not region.startswith(scope)}
    if not outside:
        return
    title = next((str(h) for h in table.headers if match_column(h)[0] is BY_KEY["uscc"]), "统一社会信用代码")
    for v in val.valid:
        if v.uscc in outside:
            val.errors.append(
                RowError(v.row, title, v.uscc, "该企业登记在本账号管辖范围以外，不能通过导入修改")
            )
            val.bad_rows.add(v.row)
    val.valid = [v for v in val.valid if v.uscc not in outside]
    val.errors.sort(key=lambda e: e.row or 0)


def _bulk_rows(valid: list[_Valid]) -> Iterator[BulkRow]:
    for v in valid:
        # The profile dict is shared by the rows of one enterprise (bulk_upsert relies on that to skip merging).
        yield BulkRow(v.uscc, v.year, v.profile, v.figures, v.source)


def _dry_run_message(out: ImportOutcome, mode: ImportMode) -> str:
    head = f"试导入（未写入）：共 {out.total_rows} 行，无误 {out.valid_rows} 行，有错误 {out.error_rows} 行。"
    if out.error_rows and mode is ImportMode.all_or_nothing:
        return head + "按“全部成功才导入”方式，正式导入将不会写入任何数据，请先修正错误"
    return (
        head
        + f"正式导入将新建企业 {out.would_create} 家、按统一社会信用代码更新已有企业 {out.would_update} 家"
    )


def mark_failed(db: Session, job_id: int, message: str) -> None:
    """After a crash rolled the job's transaction back: record that nothing was written, and why."""
    job = db.get(ImportJob, job_id)
    if job is not None:
        job.status = ImportStatus.failed.value
        job.finished_at = utcnow()
        job.report = {"message": message, "errors": [RowError(None, None, None, message).as_dict()]}


def list_jobs(
    db: Session, query: Select[ImportJob], *, page: int, page_size: int
) -> tuple[list[ImportJob], int]:
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(
        query.order_by(ImportJob.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), total
