"""Builders of import files for the tests: every file of the malformed-input corpus is made here, at test time."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.enterprise.io_columns import COLUMNS
from srdi.enterprise.models import ChangeLog, Enterprise, YearlyFigure

TITLES = [c.title for c in COLUMNS]
KEYS = [c.key for c in COLUMNS]


def make_uscc(n: int, region: str = "440305") -> str:
    body = f"91{region}{n:09d}"[:17]
    return body + uscc_std.calc_check_digit(body)


def bad_check(uscc: str) -> str:
    """The same code with a wrong check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return uscc[:17] + alphabet[(alphabet.index(uscc[17]) + 1) % 31]


def row(n: int = 1, **values: Any) -> dict[str, Any]:
    """One valid enterprise-year row (keys = column keys); override any value."""
    base: dict[str, Any] = {
        "uscc": make_uscc(n),
        "name": f"深圳市测试科技有限公司{n:03d}",
        "founded_date": "2015-03-01",
        "region_code": "440305",
        "industry_code": "3562",
        "tags": "重点培育",
        "fiscal_year": "2025",
        "operating_revenue": "8600",
        "main_business_revenue": "8200",
        "rd_expense": "650.5",
        "net_profit": "-120.25",
        "total_assets": "12000",
        "total_liabilities": "5000",
        "qualified_equity_raised": "0",
        "total_cost_expense": "7800",
        "employees": "180",
        "rd_staff": "36",
        "source": "税务数据",
        "digital_level": "2",
        "own_brand": "是",
        "standards_drafted": "1",
        "core_business_on_it_system": "是",
        "main_product_field": "其他",
        "contact_name": "张三",
        "contact_phone": "13800138000",
        "address": "广东省深圳市南山区科技园",
    }
    base.update(values)
    return base


def csv_text(
    rows: list[dict[str, Any]], titles: list[str] | None = None, keys: list[str] | None = None
) -> str:
    titles = titles or TITLES
    keys = keys or KEYS
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(titles)
    for r in rows:
        w.writerow(["" if r.get(k) is None else r.get(k) for k in keys])
    return buf.getvalue()


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8", **kw: Any) -> Path:
    path.write_bytes(csv_text(rows, **kw).encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: list[list[Any]], titles: list[str] | None = None, sheet: str = "企业年度数据"
):  # type: ignore[no-untyped-def]
    """``rows`` as lists of cell values in TITLES order; returns the openpyxl workbook (saved) for tweaks."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(titles or TITLES)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return wb


def as_list(r: dict[str, Any]) -> list[Any]:
    return [r.get(k) for k in KEYS]


def snapshot(db: Session) -> tuple[Any, ...]:
    """Everything an import could change."""
    db.flush()
    counts = tuple(
        db.scalar(select(func.count()).select_from(t)) for t in (Enterprise, YearlyFigure, ChangeLog)
    )
    ents = tuple(
        db.execute(
            select(Enterprise.uscc, Enterprise.name, Enterprise.region_code).order_by(Enterprise.uscc)
        ).all()
    )
    figs = tuple(
        db.execute(
            select(
                YearlyFigure.enterprise_id, YearlyFigure.fiscal_year, YearlyFigure.operating_revenue
            ).order_by(YearlyFigure.enterprise_id, YearlyFigure.fiscal_year)
        ).all()
    )
    return counts, ents, figs


def errors_of(outcome_or_report: Any) -> list[tuple[int | None, str | None, str]]:
    """(row, column, message) triples, from an ImportOutcome or a report dict."""
    if isinstance(outcome_or_report, dict):
        return [(e["row"], e["column"], e["message"]) for e in outcome_or_report["errors"]]
    return [(e.row, e.column, e.message) for e in outcome_or_report.errors]
