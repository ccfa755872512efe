"""``srdi evaluate -o`` writes the registry's results chunk by chunk (output.RowStream)."""

from __future__ import annotations

import csv
import json

import polars as pl
import pytest

from srdi.criteria.output import RowStream


def _chunk(first: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "uscc": [f"9144030000000000{first + i:02d}" for i in range(2)],
            "name": ["=HYPERLINK(1)", "示例企业"],
            "region_code": ["440305", "440305"],
            "tier": ["innovative_sme", "tech_sme"],
            "tier_label": ["创新型中小企业", "科技型中小企业"],
            "rule_set_id": ["innovative_sme_2022", "tech_sme_2017"],
            "status": ["pass", "unknown"],
            "total": [72, None],
            "enterprise_id": [first, first + 1],
        }
    )


@pytest.mark.parametrize("suffix", ["csv", "json", "parquet", "xlsx"])
def test_two_chunks_make_one_file_with_every_row(tmp_path, suffix):
    path = tmp_path / f"out.{suffix}"
    stream = RowStream(path, {"batch_run": 7, "as_of": "2026-06-30"})
    stream.write(_chunk(1))
    stream.write(_chunk(3))
    stream.close({"funnel": [{"tier": "tech_sme", "pass": 0}]})
    assert stream.count == 4
    if suffix == "json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert (doc["batch_run"], doc["as_of"], len(doc["results"])) == (7, "2026-06-30", 4)
        assert doc["results"][1]["status"] == "unknown" and doc["results"][1]["total"] is None
        assert doc["summary"]["funnel"][0]["tier"] == "tech_sme"
    elif suffix == "csv":
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        assert rows[0][:3] == ["统一社会信用代码", "企业名称", "行政区划代码"]
        assert len(rows) == 5
        assert rows[1][1] == "'=HYPERLINK(1)"  # formula-safe, as write_rows
        assert rows[2][7] == ""
    elif suffix == "parquet":
        frame = pl.read_parquet(path)
        assert frame.height == 4
        assert frame["total"].to_list() == [72, None, 72, None]
    else:
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True)["评价结果"]
        assert len(list(ws.iter_rows(values_only=True))) == 5
