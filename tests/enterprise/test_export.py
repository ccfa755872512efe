"""Export: the import file's own columns, formula-injection-safe, re-importable without changes."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from srdi.auth.models import AuditLog
from srdi.enterprise.enums import ImportMode
from srdi.enterprise.export_service import export_to, neutralise
from srdi.enterprise.importing.service import run_import
from srdi.enterprise.models import ChangeLog
from srdi.enterprise.repository import EnterpriseFilter
from tests.enterprise.import_files import TITLES, make_uscc, row, snapshot, write_csv

HOSTILE = {
    "name": '=HYPERLINK("http://x","点我")有限公司',
    "contact_name": "@SUM(1+1)",
    "address": "+86 深圳",
    "tags": "-重点、\t隐藏",
}


def test_neutralise_prefixes_every_formula_trigger_and_leaves_other_values():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "正常", "a=b")] == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "正常", "a=b",
    ]  # fmt: skip
    assert neutralise(-120.25) == -120.25


def _seed(db, tmp_path, **over):
    path = write_csv(tmp_path / "seed.csv", [row(1, **over), row(1, fiscal_year="2024", **over), row(2)])
    job, out = run_import(db, path, mode=ImportMode.all_or_nothing, actor="tester")
    assert job.status == "succeeded", out.errors


def test_csv_export_neutralises_text_and_keeps_negative_numbers_as_numbers(db, tmp_path):
    _seed(db, tmp_path, **HOSTILE)
    buf = io.BytesIO()
    assert export_to(db, EnterpriseFilter(), "csv", buf) == 3
    data = buf.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == TITLES
    first = dict(zip(TITLES, rows[1], strict=True))
    assert first["企业名称"] == '\'=HYPERLINK("http://x","点我")有限公司'
    assert first["联系人"] == "'@SUM(1+1)"
    assert first["地址"] == "'+86 深圳"
    assert first["标签"] == "'-重点、隐藏"
    assert (first["会计年度"], first["净利润（万元）"], first["研发费用（万元）"]) == (
        "2024",
        "-120.25",
        "650.5",
    )
    assert first["联系电话"] == "138****8000"
    assert first["数据来源"] == "税务数据"


def test_xlsx_export_writes_no_formula_cells_and_numbers_as_numbers(db, tmp_path):
    _seed(db, tmp_path, **HOSTILE)
    buf = io.BytesIO()
    export_to(db, EnterpriseFilter(), "xlsx", buf)
    ws = load_workbook(io.BytesIO(buf.getvalue())).active
    cells = [c for r in ws.iter_rows(min_row=2) for c in r if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    head = [c.value for c in ws[1]]
    assert head == TITLES
    second = {h: c for h, c in zip(head, ws[2], strict=True)}
    assert second["企业名称"].value == '\'=HYPERLINK("http://x","点我")有限公司'
    assert (second["净利润（万元）"].value, second["净利润（万元）"].data_type) == (-120.25, "n")
    assert second["统一社会信用代码"].value == make_uscc(1)


def test_export_then_import_changes_nothing(db, tmp_path):
    _seed(db, tmp_path)
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"out.{fmt}"
        export_to(db, EnterpriseFilter(), fmt, path)
        before = snapshot(db)
        logs = db.scalar(select(func.count()).select_from(ChangeLog))
        job, out = run_import(db, path, mode=ImportMode.all_or_nothing, actor="tester")
        assert (job.status, out.errors, out.created, out.updated, out.unchanged) == ("succeeded", [], 0, 0, 2)
        assert snapshot(db) == before
        assert db.scalar(select(func.count()).select_from(ChangeLog)) == logs


def test_export_filters_by_region_and_is_audited_over_http(client_as, db, tmp_path):
    write_csv(tmp_path / "a.csv", [row(1), row(2, region_code="440306")])
    run_import(db, tmp_path / "a.csv", actor="tester")
    official = client_as("district_official", region_code="440305")
    r = official.get("/api/v1/exports/enterprises?format=csv")
    assert r.status_code == 200
    lines = r.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [make_uscc(1)]
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "enterprise.export"))
    assert (audit.username, audit.detail["rows"], audit.detail["format"]) == (
        official.user.username,
        1,
        "csv",
    )
