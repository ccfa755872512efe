"""Import of awards (奖项) from a file of their own: one row per award of an enterprise already in the registry.

The file is read by the registry's reader (``tabular.read_table``: XLSX or CSV in UTF-8/GB18030); this module only
binds its headers, validates every row with a Chinese message per cell, and writes through ``award_service`` so each
award leaves its change-log rows. Values are the Chinese labels officials use (企业组/创客组, 国家级, …), never codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from srdi.enterprise import award_service, repository
from srdi.enterprise.enums import AwardKind, AwardLevel, ContestGroup, ImportMode, Provenance
from srdi.enterprise.schemas import AwardIn
from srdi.enterprise.tabular import read_table
from srdi.enterprise.validation import MAKER_CHINA_LISTS, award_error
from srdi.kit.errors import ValidationFailed
from srdi.kit.uscc import normalize_uscc, uscc_error

# A district's awards fit in a few thousand rows; the bound keeps one file from holding a transaction for long.
MAX_ROWS = 20_000
SHOWN = 200


@dataclass(frozen=True)
class AwardColumn:
    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()
    note: str = ""


AWARD_COLUMNS: tuple[AwardColumn, ...] = (
    AwardColumn("uscc", "统一社会信用代码", True, note="企业须已在企业信息库中"),
    AwardColumn("kind", "奖项类别", True, ("类别",), "科学技术奖 / 创客中国 / 质量奖 / 工业设计奖 / 其他"),
    AwardColumn("level", "奖项级别", True, ("级别",), "国家级 / 省级 / 市级"),
    AwardColumn("name", "奖项名称", True, ("赛事名称",)),
    AwardColumn("award_date", "获奖日期", True, ("日期",), "YYYY-MM-DD"),
    AwardColumn("rank", "获奖单位中排名", False, ("排名",), "正整数，不填为未录入"),
    AwardColumn("top_group", "全国名单", False, ("名单",), "创客中国：全国500强 / 全国50强"),
    AwardColumn("contest_group", "组别", False, ("参赛组别",), "创客中国必填：企业组 / 创客组"),
    AwardColumn("evidence", "证明材料", False, ("证明材料说明",)),
    AwardColumn(
        "source", "数据来源", False, ("来源",), "企业自报 / 市场监管数据 / 审计报告 …，不填为企业自报"
    ),
)


class Scope(Protocol):
    def allows(self, region_code: str | None, enterprise_id: int | None) -> bool: ...


@dataclass
class AwardRowError:
    row: int
    column: str | None
    message: str

    def text(self) -> str:
        where = f"第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class AwardImportOutcome:
    rows: int = 0
    written: int = 0
    errors: list[AwardRowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


class _Cell(Exception):
    pass


def _fold(text: str) -> str:
    # Full-width letters and digits (１２、ＡＢ) are common in files typed on Chinese input methods.
    return unicodedata.normalize("NFKC", text).strip()


def _header_key(value: object) -> str:
    return re.sub(r"[\s*＊]|（.*?）|\(.*?\)", "", _fold(str(value or "")))


def _choices(values: dict[str, str], what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        key = text.replace("“", "").replace("”", "").replace('"', "")
        if key in values:
            return values[key]
        raise _Cell(f"{what}应为{'、'.join(dict.fromkeys(values))}之一，实际为「{text}」")

    return parse


def _label_map(enum: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {m.label.replace("“", "").replace("”", ""): m.value for m in enum}
    return {**out, **(extra or {})}


_KIND = _choices(_label_map(AwardKind, {"创客中国": AwardKind.maker_china.value}), "奖项类别")
_LEVEL = _choices(_label_map(AwardLevel), "奖项级别")
_GROUP = _choices(_label_map(ContestGroup), "组别")
_SOURCE = _choices(_label_map([p for p in Provenance if p is not Provenance.synthetic]), "数据来源")


def _list(text: str) -> int:
    digits = text.removeprefix("全国").removesuffix("强")
    if digits.isdigit() and int(digits) in MAKER_CHINA_LISTS:
        return int(digits)
    raise _Cell(f"全国名单应为全国500强或全国50强，实际为「{text}」")


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _fold(str(value)).replace("/", "-").replace(".", "-")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _Cell(f"日期格式应为 YYYY-MM-DD，实际为「{value}」") from None
    if not date(1949, 1, 1) <= day <= date(2100, 12, 31):
        raise _Cell(f"日期 {day.isoformat()} 不在1949年至2100年之间")
    return day


def _rank(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _fold(str(value)).removeprefix("第").removesuffix("名")
    if text.isdigit() and 1 <= int(text) <= 1000:
        return int(text)
    raise _Cell(f"排名应为1至1000的整数，实际为「{value}」")


def _bind(headers: list[object]) -> tuple[dict[str, int], list[AwardRowError]]:
    names = {_header_key(c.header): c for c in AWARD_COLUMNS}
    names.update({_header_key(a): c for c in AWARD_COLUMNS for a in c.aliases})
    at: dict[str, int] = {}
    errors: list[AwardRowError] = []
    for i, h in enumerate(headers):
        col = names.get(_header_key(h))
        if col is None:
            continue
        if col.key in at:
            errors.append(AwardRowError(1, col.header, "列名重复"))
        at[col.key] = i
    for c in AWARD_COLUMNS:
        if c.required and c.key not in at:
            errors.append(AwardRowError(1, c.header, "缺少必填列"))
    return at, errors


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_row(
    values: list[object], at: dict[str, int], row: int
) -> tuple[dict[str, Any], list[AwardRowError]]:
    cols = {c.key: c for c in AWARD_COLUMNS}
    out: dict[str, Any] = {}
    errors: list[AwardRowError] = []
    text_parsers: dict[str, Callable[[str], Any]] = {
        "kind": _KIND,
        "level": _LEVEL,
        "contest_group": _GROUP,
        "source": _SOURCE,
        "top_group": _list,
    }
    for key, i in at.items():
        col = cols[key]
        raw = values[i] if i < len(values) else None
        if _blank(raw):
            if col.required:
                errors.append(AwardRowError(row, col.header, "必填项为空"))
            continue
        try:
            if key == "award_date":
                out[key] = _date(raw)
            elif key == "rank":
                out[key] = _rank(raw)
            elif key in text_parsers:
                if key == "top_group" and isinstance(raw, int | float):
                    raw = str(int(raw))
                out[key] = text_parsers[key](_fold(str(raw)))
            elif key == "uscc":
                code = normalize_uscc(_fold(str(raw)))
                if err := uscc_error(code):
                    raise _Cell(err)
                out[key] = code
            else:
                text = _fold(str(raw))
                limit = 300 if key == "name" else 2000
                if len(text) > limit:
                    raise _Cell(f"内容过长（最多{limit}字）")
                if key == "name" and len(text) < 2:
                    raise _Cell("奖项名称至少2个字")
                out[key] = text
        except _Cell as exc:
            errors.append(AwardRowError(row, col.header, str(exc)))
    if not errors and (err := award_error(out["kind"], out.get("contest_group"), out.get("top_group"))):
        column = "全国名单" if "名单" in err and "组别" not in err else "组别"
        errors.append(AwardRowError(row, column, err))
    return out, errors


def import_awards(
    db: Session,
    path: Path,
    *,
    actor: str,
    mode: ImportMode = ImportMode.all_or_nothing,
    scope: Scope | None = None,
    filename: str | None = None,
    dry_run: bool = False,
) -> AwardImportOutcome:
    """Validate every row, then write all of them, none (a bad row under ``all_or_nothing``, or ``dry_run``), or
    exactly the valid ones. A row identical to an award already recorded (same enterprise, contest, name and date)
    is refused, so importing the same file twice adds nothing."""
    table = read_table(path, filename)  # TabularError (Chinese message) for an unreadable file
    at, errors = _bind(table.headers)
    if errors:
        raise ValidationFailed(
            "文件表头不符合获奖记录模板：" + "；".join(e.text() for e in errors),
            "award file headers do not match the template",
            details=[e.__dict__ for e in errors],
            code="award_import_bad_headers",
        )
    out = AwardImportOutcome()
    valid: list[tuple[int, Any, AwardIn]] = []
    seen: set[tuple[int, str, str, date]] = set()
    enterprises: dict[str, Any] = {}
    for row, values in table.rows:
        if all(_blank(v) for v in values):
            continue
        out.rows += 1
        if out.rows > MAX_ROWS:
            raise ValidationFailed(
                f"一个文件最多导入{MAX_ROWS}条获奖记录，请拆分后导入",
                f"award file has more than {MAX_ROWS} rows",
                code="award_import_too_many_rows",
            )
        data, row_errors = _parse_row(values, at, row)
        if not row_errors:
            uscc = data["uscc"]
            if uscc not in enterprises:
                enterprises[uscc] = repository.get_by_uscc(db, uscc)
            ent = enterprises[uscc]
            if ent is None or (scope is not None and not scope.allows(ent.region_code, ent.id)):
                row_errors.append(
                    AwardRowError(
                        row, "统一社会信用代码", f"企业信息库中没有 {uscc}（或不在本账号管辖范围内）"
                    )
                )
            else:
                key = (ent.id, data["kind"], data["name"], data["award_date"])
                recorded = {(a.enterprise_id, a.kind, a.name, a.award_date) for a in ent.awards}
                if key in seen or key in recorded:
                    row_errors.append(
                        AwardRowError(row, None, "与已有获奖记录重复（同一企业、类别、名称和日期）")
                    )
                else:
                    seen.add(key)
                    valid.append((row, ent, AwardIn.model_validate(data)))
        out.errors.extend(row_errors)
    if dry_run or (out.errors and mode is ImportMode.all_or_nothing):
        return out
    for _, ent, award in valid:
        award_service.create_award(db, ent, award, actor=actor)
        out.written += 1
    return out
