"""The periodic 通报 (issue 18): a background job with progress, archived with who and from which data; XLSX with
a sheet per section (formula-safe), HTML and PDF; bad requests refused in Chinese with nothing half-made."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from srdi.auth.enums import Role
from srdi.monitoring import targets
from srdi.monitoring.models import DistrictReport
from tests.monitoring.test_overview import TARGETS, seed_monitoring

REPORTS = "/api/v1/monitoring/reports"
SHEETS = [
    "概况",
    "称号分布",
    "称号趋势",
    "进出情况",
    "同比增长",
    "目标进度",
    "地区排名",
    "诉求办理",
    "资金拨付",
]


def _reports(db) -> int:
    return int(db.scalar(select(func.count()).select_from(DistrictReport)))


def _make(client, fmt="xlsx", period="2025Q3", region="4403"):
    return client.post(REPORTS, json={"period": period, "region_code": region, "fmt": fmt})


def test_city_report_xlsx_is_archived_with_author_and_data_and_has_a_sheet_per_section(client_as, db):
    seed_monitoring(db)
    city = client_as(Role.city_official)
    body = {
        "region_code": "440305",
        "year": 2025,
        "measure": "srdi_sme_count",
        "value": 4,
        "source": '=HYPERLINK("x")',
    }
    assert city.put(TARGETS, json=body).status_code == 200
    r = _make(city, region="440300")  # the GB/T 2260 city code names the same city as 4403
    assert r.status_code == 202, r.text
    rep = city.get(f"{REPORTS}/{r.json()['id']}").json()
    assert (rep["status"], rep["progress"], rep["region_code"], rep["created_by"]) == (
        "done",
        100,
        "4403",
        city.user.username,
    )
    assert rep["data"]["enterprises"] == 7
    assert rep["data"]["as_of"] == "2025-09-30"
    assert rep["filename"] == "广东省深圳市2025年第三季度专精特新企业发展情况通报.xlsx"
    assert [x["id"] for x in city.get(REPORTS).json()] == [rep["id"]]

    f = city.get(f"{REPORTS}/{rep['id']}/file")
    assert f.status_code == 200
    wb = load_workbook(io.BytesIO(f.content))
    assert wb.sheetnames == SHEETS
    summary = [row[0] for row in wb["概况"].iter_rows(min_row=3, values_only=True)]
    assert (
        "2025年，纳入监测的专精特新企业（同口径 2 家）营业收入同比增长 30.0%，高于全部监测中小企业 12.5 个百分点"
        in summary[2]
    )
    ranking = list(wb["地区排名"].iter_rows(min_row=3, values_only=True))
    assert ranking == [(1, "广东省深圳市南山区", "专精特新中小企业数", "4.00", "2", "50.0")]
    sources = [row[8] for row in wb["目标进度"].iter_rows(min_row=3, values_only=True)]
    assert "SEED-001（待核实）" in sources
    # The official's text starting with "=" is written as text, never as a formula.
    child_targets = [t for t in city.get(f"{TARGETS}?year=2025&region=440305").json()]
    assert child_targets[0]["source"] == '=HYPERLINK("x")'
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("=") for v in row)


def test_html_and_pdf_reports_render_the_charts_and_the_sentences(client_as, db):
    seed_monitoring(db)
    city = client_as(Role.city_official)
    city.put(
        TARGETS,
        json={
            "region_code": "440305",
            "year": 2025,
            "measure": "srdi_sme_count",
            "value": 4,
            "source": "分解目标",
        },
    )
    page = city.get(f"{REPORTS}/{_make(city, 'html').json()['id']}/file").content.decode("utf-8")
    assert "<svg" in page and "广东省深圳市南山区" in page
    assert "营业收入同比增长 30.0%，高于全部监测中小企业 12.5 个百分点" in page
    pytest.importorskip("reportlab")
    pdf = city.get(f"{REPORTS}/{_make(city, 'pdf').json()['id']}/file").content
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000


def test_a_period_with_no_data_is_refused_and_nothing_is_archived(client_as, db):
    seed_monitoring(db)
    city = client_as(Role.city_official)
    r = _make(city, period="2099Q1")
    assert r.status_code == 422
    assert (
        r.json()["message"]
        == "广东省深圳市在 2099Q1 没有可通报的数据（该期间自 2099-01-01 开始，尚未到来，未生成报告）"
    )
    r = _make(city, region="440306")  # 宝安区: no enterprise in the registry
    assert r.status_code == 422
    assert r.json()["message"].endswith("没有可通报的数据（企业库中该地区没有企业，未生成报告）")
    assert _reports(db) == 0


def test_a_region_outside_scope_and_a_scope_too_large_are_refused(client_as, db, monkeypatch):
    seed_monitoring(db)
    r = _make(client_as(Role.district_official), region="4403")
    assert (r.status_code, r.json()["message"]) == (404, "地区 4403 不在您的管辖范围内")
    real = targets.rules()
    small = targets.TargetRules(real.measures, real.targets, {"max_districts": 1}, real.verification)
    monkeypatch.setattr(targets, "rules", lambda root=None: small)
    r = _make(client_as(Role.city_official))
    assert r.status_code == 422
    assert (
        r.json()["message"]
        == "广东省深圳市下有 2 个地区，超过一份通报最多 1 个的限制；请选择下一级地区分别出具"
    )
    assert _reports(db) == 0


def test_a_report_that_fails_while_building_is_marked_failed_without_a_file(client_as, db, monkeypatch):
    from srdi.monitoring import report

    seed_monitoring(db)
    city = client_as(Role.city_official)

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "render", boom)
    rep = city.get(f"{REPORTS}/{_make(city).json()['id']}").json()
    assert (rep["status"], rep["error"], rep["filename"]) == ("failed", "RuntimeError: disk full", None)
    r = city.get(f"{REPORTS}/{rep['id']}/file")
    assert (r.status_code, r.json()["message"]) == (422, "通报尚未生成完毕（当前状态：失败）")
