"""Tabular output of evaluation results (CLI): CSV, XLSX, Parquet or JSON, formula-safe."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from srdi.kit.spreadsheet import neutralise

COLUMNS = (
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("region_code", "行政区划代码"),
    ("tier", "梯度"),
    ("tier_label", "梯度名称"),
    ("rule_set_id", "规则集"),
    ("status", "结果"),
    ("total", "得分"),
    ("needs_verification", "含待核实规则"),
    ("gap", "差距分析"),
)
FORMATS = ("json", "csv", "xlsx", "parquet")


def output_format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"输出文件扩展名应为 {', '.join(FORMATS)} / output must end in one of {FORMATS}")
    return fmt


def write_rows(path: Path, rows: Sequence[dict[str, Any]], document: Any = None) -> None:
    fmt = output_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        path.write_text(
            json.dumps(document if document is not None else rows, ensure_ascii=False, indent=2, default=str),
            encoding="utf-8",
        )
        return
    keys = [k for k, _ in COLUMNS]
    titles = [t for _, t in COLUMNS]
    table = [[_cell(r.get(k)) for k in keys] for r in rows]
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(titles)
            w.writerows(["" if v is None else v for v in row] for row in table)
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("评价结果")
        ws.append(titles)
        for row in table:
            ws.append(row)
        wb.save(path)
    else:
        pl.DataFrame(
            {k: [r.get(k) if k != "gap" else _cell(r.get(k)) for r in rows] for k in keys}
        ).write_parquet(path)


def _cell(value: object) -> object:
    if isinstance(value, list):
        value = "；".join(str(v) for v in value)
    return neutralise(value) if isinstance(value, str) else value
