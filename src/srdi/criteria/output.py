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


class RowStream:
    """Result rows written chunk by chunk, so a registry run never holds every row (issue 12).

    CSV and XLSX (openpyxl's write-only mode) append rows; Parquet appends one row group per chunk; JSON writes
    ``{"batch_run", "as_of", "results": [...], "summary"}`` with the results streamed and the summary last.
    """

    def __init__(self, path: Path, header: dict[str, Any] | None = None) -> None:
        self.path = path
        self.fmt = output_format(path)
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._parquet: Any = None
        self._wb: Any = None
        if self.fmt == "csv":
            self._fh = path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._fh, lineterminator="\r\n")
            self._csv.writerow([t for _, t in COLUMNS])
        elif self.fmt == "json":
            self._fh = path.open("w", encoding="utf-8")
            head = json.dumps(header or {}, ensure_ascii=False, default=str)[:-1]
            self._fh.write(head + (", " if header else "") + '"results": [\n')
        elif self.fmt == "xlsx":
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet("评价结果")
            self._ws.append([t for _, t in COLUMNS])

    def write(self, frame: pl.DataFrame) -> None:
        """``frame`` holds the columns of ``COLUMNS`` (missing ones are written empty)."""
        keys = [k for k, _ in COLUMNS]
        frame = frame.with_columns([pl.lit(None).alias(k) for k in keys if k not in frame.columns]).select(
            keys
        )
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            table = frame.with_columns(
                pl.col(c).cast(pl.Utf8) for c in ("needs_verification", "gap") if frame.schema[c] == pl.Null
            ).to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema)
            self._parquet.write_table(table)
        elif self.fmt == "json":
            for record in frame.iter_rows(named=True):
                self._fh.write(("" if self.count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
                self.count += 1
            return
        else:
            for row in frame.iter_rows():
                cells = [_cell(v) for v in row]
                if self.fmt == "csv":
                    self._csv.writerow(["" if v is None else v for v in cells])
                else:
                    self._ws.append(cells)
        self.count += frame.height

    def close(self, summary: dict[str, Any] | None = None) -> None:
        if self.fmt == "parquet":
            if self._parquet is not None:
                self._parquet.close()
            else:
                pl.DataFrame(schema={k: pl.Utf8 for k, _ in COLUMNS}).write_parquet(self.path)
        elif self.fmt == "json":
            tail = "" if summary is None else ', "summary": ' + json.dumps(summary, ensure_ascii=False)
            self._fh.write("\n]" + tail + "}\n")
            self._fh.close()
        elif self.fmt == "csv":
            self._fh.close()
        else:
            self._wb.save(self.path)
