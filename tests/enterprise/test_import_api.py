"""Import over HTTP end to end: upload, background job, progress, JSON and XLSX report, template, limits."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from srdi.auth.models import AuditLog
from srdi.enterprise.importing.router import get_session_factory, get_upload_limit
from srdi.enterprise.models import ChangeLog, Enterprise, ImportJob, YearlyFigure
from tests.enterprise.import_files import TITLES, bad_check, csv_text, make_uscc, row, snapshot


@pytest.fixture(autouse=True)
def _jobs_in_test_transaction(app, db):
    """Background imports use the test's rolled-back session instead of opening their own transaction."""

    @contextmanager
    def factory():
        yield db
        db.flush()

    app.dependency_overrides[get_session_factory] = lambda: factory
    yield
    app.dependency_overrides.pop(get_session_factory, None)


def _upload(client, data: bytes, name="企业数据.csv", **form):
    files = {"file": (name, data, "text/csv")}
    return client.post("/api/v1/imports", files=files, data={k: str(v).lower() for k, v in form.items()})


def _gb18030_file_with_bad_rows() -> bytes:
    rows = [
        row(1),
        row(2, uscc=bad_check(make_uscc(2))),  # file row 3
        row(3, operating_revenue="一千万"),  # file row 4
        row(4),
        row(5, rd_staff="500"),  # file row 6: more R&D staff than employees
    ]
    return csv_text(rows).encode("gb18030")


EXPECTED_ERRORS = [
    {"row": 3, "column": "统一社会信用代码", "value": bad_check(make_uscc(2)),
     "message": "统一社会信用代码校验位错误（GB 32100-2015）"},
    {"row": 4, "column": "营业收入（万元）", "value": "一千万", "message": "应为数字，实际为“一千万”"},
    {"row": 6, "column": "研发人员（人）", "value": "500", "message": "研发人员不能多于从业人员"},
]  # fmt: skip


def test_gb18030_csv_with_bad_rows_valid_rows_only_shows_exactly_which_rows_failed_and_why(client, db):
    before = snapshot(db)
    r = _upload(client, _gb18030_file_with_bad_rows(), mode="valid_rows_only")
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.json()["status"] == "pending"

    job = client.get(f"/api/v1/imports/{job_id}").json()
    assert (job["status"], job["status_label"], job["encoding"], job["file_format"]) == (
        "partially_succeeded",
        "部分导入（有误的行已拒绝）",
        "gb18030",
        "csv",
    )
    assert (job["total_rows"], job["valid_rows"], job["error_rows"], job["created_count"]) == (5, 2, 3, 2)
    assert (
        job["message"]
        == "已导入无误的 2 行（新建企业 2 家，更新 0 家，未变化 0 家）；3 行有错误未导入，见错误清单"
    )

    report = client.get(f"/api/v1/imports/{job_id}/report").json()
    assert report["rejected_rows"] == [3, 4, 6]
    assert report["errors"] == EXPECTED_ERRORS

    # Exactly the valid rows were written, nothing else changed.
    assert db.scalars(select(Enterprise.uscc).order_by(Enterprise.uscc)).all() == [make_uscc(1), make_uscc(4)]
    assert (
        db.scalar(
            select(YearlyFigure.operating_revenue).join(Enterprise).where(Enterprise.uscc == make_uscc(4))
        )
        == 8_600_000_000
    )
    logs = db.scalars(select(ChangeLog.import_job_id).distinct()).all()
    assert logs == [job_id]
    assert before[1] == ()  # the registry was empty before

    x = client.get(f"/api/v1/imports/{job_id}/report.xlsx")
    assert x.status_code == 200
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(x.content)).active
    values = [list(r) for r in ws.iter_rows(min_row=5, values_only=True)]
    assert values == [[e["row"], e["column"], e["value"], e["message"]] for e in EXPECTED_ERRORS]


def test_gb18030_csv_with_bad_rows_all_or_nothing_changes_nothing(client, db):
    client.post(
        "/api/v1/enterprises",
        json={"uscc": make_uscc(9), "name": "已有企业", "region_code": "440305", "industry_code": "3562"},
    )
    before = snapshot(db)
    r = _upload(client, _gb18030_file_with_bad_rows(), mode="all_or_nothing")
    job = client.get(f"/api/v1/imports/{r.json()['id']}").json()
    assert (job["status"], job["status_label"]) == ("rejected", "有错误，未导入")
    assert job["message"] == "共 5 行，其中 3 行有错误。按“全部成功才导入”方式，本次未写入任何数据"
    assert client.get(f"/api/v1/imports/{job['id']}/report").json()["errors"] == EXPECTED_ERRORS
    assert snapshot(db) == before


def test_dry_run_over_http_reports_and_writes_nothing(client, db):
    before = snapshot(db)
    r = _upload(client, csv_text([row(1), row(2)]).encode("utf-8-sig"), dry_run=True)
    job = client.get(f"/api/v1/imports/{r.json()['id']}").json()
    assert (job["status"], job["dry_run"], job["summary"]["would_create"]) == ("validated", True, 2)
    assert snapshot(db) == before


def test_upload_is_audited_with_the_file_hash(client, db):
    r = _upload(client, csv_text([row(1)]).encode())
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "enterprise.import"))
    job = db.get(ImportJob, r.json()["id"])
    assert (audit.object_type, audit.object_id, audit.username) == ("import_job", str(job.id), "test-admin")
    assert audit.detail["sha256"] == job.file_sha256 and len(job.file_sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("报表.pdf", b"%PDF-1.4", "不支持的文件类型“.pdf”，请上传 .xlsx 或 .csv 文件"),
        ("旧表.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 20, "不支持的文件类型“.xls”，请上传 .xlsx 或 .csv 文件"),
        ("伪装.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "文件类型不支持，请上传 .xlsx 或 .csv 文件"),
        ("空.csv", b"", "上传的文件为空"),
    ],
)
def test_wrong_file_type_is_refused_with_a_chinese_message_and_no_job(client, db, name, data, message):
    before = db.scalar(select(ImportJob.id).order_by(ImportJob.id.desc()).limit(1))
    r = _upload(client, data, name=name)
    assert r.status_code == 415
    assert r.json()["message"] == message
    assert db.scalar(select(ImportJob.id).order_by(ImportJob.id.desc()).limit(1)) == before


def test_a_file_over_100_mb_is_refused_with_413_and_nothing_changes(client, db, tmp_path):
    # Built at test time (never committed): 100 MiB + 1 byte of syntactically valid rows.
    limit = 100 * 1024 * 1024
    line = (",".join(str(v) for v in row(1).values()) + "\r\n").encode()
    head = (",".join(TITLES) + "\r\n").encode()
    body = head + line * ((limit - len(head)) // len(line) + 1)
    assert len(body) > limit
    before = snapshot(db)
    r = _upload(client, body)
    assert r.status_code == 413
    assert (
        r.json()["message"]
        == "文件超过大小上限 100 MB，请拆分后分批导入，或由管理员用命令行 srdi import 导入"
    )
    assert snapshot(db) == before


def test_upload_limit_is_configurable(app, client):
    app.dependency_overrides[get_upload_limit] = lambda: 100
    try:
        r = _upload(client, csv_text([row(1)]).encode())
    finally:
        app.dependency_overrides.pop(get_upload_limit, None)
    assert (r.status_code, r.json()["code"]) == (413, "upload_too_large")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_download_has_the_import_headers_and_imports_as_empty(client, fmt):
    r = client.get(f"/api/v1/imports/template?format={fmt}")
    assert r.status_code == 200
    assert "filename*=UTF-8''%E4%BC%81%E4%B8%9A" in r.headers["content-disposition"]
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(r.content))
        assert wb.sheetnames == ["企业年度数据", "填写说明"]
        assert [c.value for c in wb["企业年度数据"][1]] == TITLES
    else:
        assert r.content.startswith(b"\xef\xbb\xbf")
        assert r.content.decode("utf-8-sig").splitlines() == [",".join(TITLES)]
    back = _upload(client, r.content, name=f"模板.{fmt}")
    job = client.get(f"/api/v1/imports/{back.json()['id']}").json()
    assert (job["status"], job["message"]) == ("failed", "文件中没有数据行，未导入")


def test_district_official_cannot_import_into_another_district_nor_see_others_jobs(client_as, db):
    official = client_as("district_official", region_code="440305")
    r = _upload(official, csv_text([row(1), row(2, region_code="440306")]).encode(), mode="valid_rows_only")
    job_id = r.json()["id"]
    report = official.get(f"/api/v1/imports/{job_id}/report").json()
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (3, "行政区划代码", "行政区划代码 440306 不在本账号管辖范围内，不能导入")
    ]
    assert db.scalars(select(Enterprise.uscc)).all() == [make_uscc(1)]
    neighbour = client_as("district_official", region_code="440306")
    assert neighbour.get(f"/api/v1/imports/{job_id}").status_code == 404
    listed = neighbour.get("/api/v1/imports").json()
    assert listed["total"] == 0
    assert official.get("/api/v1/imports").json()["items"][0]["id"] == job_id


def test_enterprise_user_may_not_import(client_as):
    r = _upload(client_as("enterprise"), csv_text([row(1)]).encode())
    assert r.status_code == 403
