"""Export of the registry and the import template, in the import file's own columns (CSV or XLSX).

An export can be edited and imported again: same headers, money in 万元 as exact decimals, codes as text.
No cell that a spreadsheet would run as a formula is ever written (CSV/formula injection, OWASP): text that
starts with ``= + - @``, a tab or a carriage return gets a leading apostrophe; numbers stay numbers, so a
negative 净利润 is still the number -120.25.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from srdi.enterprise import repository
from srdi.enterprise.enums import ImportMode, ProductField, Provenance
from srdi.enterprise.io_columns import COLUMNS, MONEY_UNITS
from srdi.enterprise.models import MONEY_FIGURES, Enterprise, YearlyFigure
from srdi.enterprise.repository import EnterpriseFilter
from srdi.enterprise.tabular import PREFERRED_SHEET
from srdi.kit.masking import mask_phone
from srdi.kit.spreadsheet import neutralise

Format = Literal["csv", "xlsx"]
TITLES = [c.title for c in COLUMNS]
REPORT_SHEET = "错误清单"


def _wan(fen: int | None) -> Decimal | None:
    if fen is None:
        return None
    return (Decimal(fen) / MONEY_UNITS["万元"]).normalize() if fen else Decimal(0)


def _plain(value: Decimal) -> str:
    """Fixed-point text: ``1E+3`` would be read back as a formula-free but non-numeric string by some tools."""
    return format(value, "f")


def _source_label(fig: YearlyFigure) -> str:
    sources = [s for s in (fig.sources or {}).values() if s]
    if not sources:
        return Provenance.self_reported.label
    # A year whose figures come from several sources exports the most frequent one (the column holds one value).
    return Provenance(Counter(sources).most_common(1)[0][0]).label


def _bool(v: bool | None) -> str | None:
    return None if v is None else ("是" if v else "否")


def enterprise_rows(ent: Enterprise, *, mask_personal: bool = True) -> Iterator[list[Any]]:
    """One row per enterprise-year (one row with empty yearly columns when no year is on file)."""
    profile: dict[str, Any] = {
        "uscc": ent.uscc,
        "name": ent.name,
        "founded_date": ent.founded_date.isoformat() if ent.founded_date else None,
        "region_code": ent.region_code,
        "industry_code": ent.industry_code,
        "tags": "、".join(ent.tags or []) or None,
        "digital_level": ent.digital_level,
        "own_brand": _bool(ent.own_brand),
        "standards_drafted": ent.standards_drafted,
        "core_business_on_it_system": _bool(ent.core_business_on_it_system),
        "main_product_field": ProductField(ent.main_product_field).label if ent.main_product_field else None,
        "contact_name": ent.contact_name,
        "contact_phone": mask_phone(ent.contact_phone) if mask_personal else ent.contact_phone,
        "address": ent.address,
    }
    figures: list[YearlyFigure | None] = [*sorted(ent.yearly_figures, key=lambda f: f.fiscal_year)] or [None]
    for fig in figures:
        values = dict(profile)
        if fig is not None:
            values["fiscal_year"] = fig.fiscal_year
            for name in MONEY_FIGURES:
                values[name] = _wan(getattr(fig, name))
            values["employees"] = fig.employees
            values["rd_staff"] = fig.rd_staff
            values["source"] = _source_label(fig)
        yield [values.get(c.key) for c in COLUMNS]


def iter_export(db: Session, flt: EnterpriseFilter, *, mask_personal: bool = True) -> Iterator[list[Any]]:
    for ent in repository.iter_enterprises(db, flt):
        yield from enterprise_rows(ent, mask_personal=mask_personal)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, int | date):
        return str(value)
    return str(neutralise(str(value)))


def write_csv(rows: Iterator[list[Any]], out: io.TextIOBase | Any, *, header: bool = True) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(TITLES)
    n = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        n += 1
    return n


def _xlsx_cell(value: object) -> object:
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_xlsx(rows: Iterator[list[Any]], path: Path | io.BytesIO, *, with_notes: bool = False) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PREFERRED_SHEET)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    head = []
    for c in COLUMNS:
        cell = WriteOnlyCell(ws, value=c.title)
        cell.font = bold
        if c.required:
            cell.fill = fill
        head.append(cell)
    ws.append(head)
    n = 0
    for row in rows:
        # Codes stay text so that leading zeros survive (行业代码 0111).
        ws.append([_xlsx_cell(v) for v in row])
        n += 1
    if with_notes:
        _notes_sheet(wb)
    wb.save(path)
    return n


def _notes_sheet(wb: Any) -> None:
    ws = wb.create_sheet("填写说明")
    ws.append(["列名", "必填", "说明", "示例"])
    for c in COLUMNS:
        ws.append([c.title, "是" if c.required else "", c.note, neutralise(c.example)])
    ws.append([])
    for line in TEMPLATE_NOTES:
        ws.append([line])


TEMPLATE_NOTES = (
    "每行填写一家企业一个会计年度的数据；同一企业多个年度请分行填写，企业信息各行保持一致。",
    "按统一社会信用代码更新：已有企业的数据被更新，新企业被新建；留空的单元格不修改已有数据。",
    "金额单位为万元，最多精确到分（万元后6位小数），不会四舍五入；列名写成“营业收入（元）”时按元导入。",
    "请勿使用公式和合并单元格；文件可为 .xlsx，或 UTF-8 / GB18030 编码的 .csv。",
    f"导入方式：{ImportMode.all_or_nothing.label}；或{ImportMode.valid_rows_only.label}。可先“试导入”查看错误清单。",
    "联系电话若为导出文件中的脱敏号码（含 *），导入时不修改原号码。",
)


def template_rows() -> Iterator[list[Any]]:
    return iter(())


def write_template(fmt: Format, out: Path | io.BytesIO | io.StringIO) -> None:
    if fmt == "xlsx":
        assert not isinstance(out, io.StringIO)
        write_xlsx(template_rows(), out, with_notes=True)
        return
    text = io.StringIO()
    write_csv(template_rows(), text)
    data = text.getvalue()
    if isinstance(out, io.StringIO):
        out.write(data)
    elif isinstance(out, io.BytesIO):
        out.write(data.encode("utf-8-sig"))
    else:
        # UTF-8 with BOM: Excel on Chinese Windows opens it without garbling the headers.
        out.write_bytes(data.encode("utf-8-sig"))


def export_to(
    db: Session, flt: EnterpriseFilter, fmt: Format, out: Path | io.BytesIO, *, mask_personal: bool = True
) -> int:
    rows = iter_export(db, flt, mask_personal=mask_personal)
    if fmt == "xlsx":
        return write_xlsx(rows, out)
    text = io.StringIO()
    n = write_csv(rows, text)
    data = text.getvalue().encode("utf-8-sig")
    if isinstance(out, io.BytesIO):
        out.write(data)
    else:
        out.write_bytes(data)
    return n


def error_report_xlsx(report: dict[str, Any], out: Path | io.BytesIO) -> None:
    """The per-row, per-field error list of an import job as a spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(REPORT_SHEET)
    ws.append([report.get("message", "")])
    summary = report.get("summary", {})
    ws.append(
        [
            f"总行数 {summary.get('total_rows', 0)}",
            f"无误 {summary.get('valid_rows', 0)}",
            f"有错误 {summary.get('error_rows', 0)}",
        ]
    )
    ws.append([])
    from openpyxl.cell import WriteOnlyCell

    head = []
    for title in ("行号", "列名", "单元格内容", "错误说明"):
        c = WriteOnlyCell(ws, value=title)
        c.font = Font(bold=True)
        head.append(c)
    ws.append(head)
    for e in report.get("errors", []):
        ws.append(
            [
                e.get("row"),
                neutralise(e.get("column")),
                neutralise(e.get("value")),
                neutralise(e.get("message")),
            ]
        )
    if report.get("errors_truncated"):
        ws.append([None, None, None, f"错误过多，仅列出前 {len(report.get('errors', []))} 条"])
    wb.save(out)
