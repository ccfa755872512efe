"""Award import from a generated CSV/XLSX with bad rows, on both databases, and ``srdi import-awards`` as run."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from srdi.enterprise.enums import ImportMode
from srdi.enterprise.importing.awards import import_awards
from srdi.enterprise.models import Award, ChangeLog, Enterprise
from tests.enterprise.import_files import make_uscc

HEADERS = [
    "统一社会信用代码",
    "奖项类别",
    "奖项级别",
    "奖项名称",
    "获奖日期",
    "排名",
    "全国名单",
    "组别",
    "数据来源",
]


def _enterprise(db, n: int, region: str = "440305") -> Enterprise:
    ent = Enterprise(
        uscc=make_uscc(n), name=f"获奖导入测试企业{n}", region_code=region, industry_code="3562", tags=[]
    )
    db.add(ent)
    db.flush()
    return ent


def _rows(a: Enterprise, b: Enterprise) -> list[list[object]]:
    return [
        [
            a.uscc,
            "创客中国",
            "国家级",
            "第九届创客中国大赛",
            "2025-11-20",
            "",
            "全国500强",
            "企业组",
            "企业自报",
        ],
        [b.uscc, "科学技术奖", "省级", "广东省科学技术奖", "2024/05/01", "第2名", "", "", ""],
        [
            a.uscc,
            "创客中国",
            "国家级",
            "第八届创客中国大赛",
            "2024-11-20",
            "",
            "全国50强",
            "",
            "",
        ],  # no group
        [b.uscc, "质量奖", "市级", "深圳市质量奖", "2024-13-01", "", "", "", ""],  # bad date
        [make_uscc(99), "质量奖", "市级", "深圳市质量奖", "2024-03-01", "", "", "", ""],  # not registered
        [
            a.uscc,
            "科学技术奖",
            "国家级",
            "国家科学技术进步奖",
            "2023-01-10",
            "0",
            "",
            "企业组",
            "",
        ],  # rank, group
        [
            a.uscc,
            "创客中国",
            "国家级",
            "第九届创客中国大赛",
            "2025-11-20",
            "",
            "全国500强",
            "企业组",
            "",
        ],  # repeat
    ]


EXPECTED_ERRORS = [
    (4, "组别", "“创客中国”大赛获奖须填写组别（企业组或创客组）"),
    (5, "获奖日期", "日期格式应为 YYYY-MM-DD，实际为「2024-13-01」"),
    (6, "统一社会信用代码", f"企业信息库中没有 {make_uscc(99)}（或不在本账号管辖范围内）"),
    (7, "获奖单位中排名", "排名应为1至1000的整数，实际为「0」"),
    (8, None, "与已有获奖记录重复（同一企业、类别、名称和日期）"),
]


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([HEADERS, *rows])
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "获奖记录"
    ws.append(HEADERS)
    for r in rows:
        ws.append([date.fromisoformat(v) if i == 4 and v == "2025-11-20" else v for i, v in enumerate(r)])
    wb.save(path)
    return path


@pytest.mark.parametrize("writer", [_csv, _xlsx], ids=["csv-gb18030", "xlsx"])
def test_bad_rows_are_reported_in_chinese_and_all_or_nothing_writes_none(db, tmp_path, writer):
    a, b = _enterprise(db, 1), _enterprise(db, 2)
    path = writer(tmp_path / f"awards.{'csv' if writer is _csv else 'xlsx'}", _rows(a, b))
    out = import_awards(db, path, actor="importer")
    assert out.rows == 7
    assert [(e.row, e.column, e.message) for e in out.errors] == EXPECTED_ERRORS
    assert out.written == 0
    assert db.scalars(select(Award)).all() == []


def test_valid_rows_only_writes_exactly_the_good_rows_with_change_log(db, tmp_path):
    a, b = _enterprise(db, 1), _enterprise(db, 2)
    out = import_awards(
        db, _csv(tmp_path / "a.csv", _rows(a, b)), actor="importer", mode=ImportMode.valid_rows_only
    )
    assert (out.rows, out.written, out.bad_rows) == (7, 2, 5)
    got = db.execute(
        select(Award.enterprise_id, Award.kind, Award.level, Award.award_date, Award.rank, Award.top_group,
               Award.contest_group).order_by(Award.id)
    ).all()  # fmt: skip
    assert got == [
        (a.id, "maker_china", "national", date(2025, 11, 20), None, 500, "enterprise_group"),
        (b.id, "science_technology", "provincial", date(2024, 5, 1), 2, None, None),
    ]
    logged = db.scalars(
        select(ChangeLog).where(ChangeLog.entity == "award", ChangeLog.field == "contest_group")
    ).all()
    assert [(c.enterprise_id, c.new_value, c.actor) for c in logged] == [
        (a.id, "enterprise_group", "importer")
    ]
    again = import_awards(db, _csv(tmp_path / "b.csv", _rows(a, b)[:2]), actor="importer")
    assert [e.message for e in again.errors] == ["与已有获奖记录重复（同一企业、类别、名称和日期）"] * 2


def test_an_official_imports_only_enterprises_of_their_scope(db, tmp_path):
    class Nanshan:
        def allows(self, region_code, enterprise_id):
            return (region_code or "").startswith("440305")

    a, other = _enterprise(db, 1), _enterprise(db, 3, region="440304")
    rows = [[other.uscc, "质量奖", "市级", "深圳市质量奖", "2024-03-01", "", "", "", ""]]
    out = import_awards(db, _csv(tmp_path / "s.csv", rows), actor="o", scope=Nanshan())
    assert [(e.row, e.message) for e in out.errors] == [
        (2, f"企业信息库中没有 {other.uscc}（或不在本账号管辖范围内）")
    ]
    assert a.awards == []


def test_cli_import_awards_refuses_a_file_with_a_bad_row_then_writes_the_good_one(tmp_path):
    import os
    import subprocess
    import sys

    from sqlalchemy import create_engine

    from srdi.db.migrate import upgrade
    from srdi.db.session import make_engine

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    with make_engine(url).begin() as conn:
        upgrade(conn)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            Enterprise.__table__.insert().values(
                uscc=make_uscc(1), name="命令行获奖企业", region_code="440305", industry_code="3562", tags=[],
                is_synthetic=False,
            )
        )  # fmt: skip
    rows = [
        [
            make_uscc(1),
            "创客中国",
            "国家级",
            "第九届创客中国大赛",
            "2025-11-20",
            "",
            "全国50强",
            "创客组",
            "",
        ],
        [make_uscc(1), "创客中国", "国家级", "第八届创客中国大赛", "2024-11-20", "", "全国50强", "", ""],
    ]
    path = _csv(tmp_path / "a.csv", rows)
    env = {**os.environ, "SRDI_DATABASE_URL": url, "SRDI_ENV": "test", "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-c", "from srdi.cli import main; main()", "import-awards", str(path), *args]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    r = run()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "第3行「组别」：“创客中国”大赛获奖须填写组别（企业组或创客组）" in r.stdout
    assert "共 2 行，写入 0 条，有误 1 行" in r.stdout
    r = run("--mode", "valid_rows_only")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "共 2 行，写入 1 条，有误 1 行" in r.stdout
    with engine.connect() as conn:
        got = conn.execute(select(Award.top_group, Award.contest_group)).all()
    assert got == [(50, "maker_group")]


def test_import_api_answers_per_row_errors_and_writes_only_valid_rows_when_asked(client, db, tmp_path):
    a, b = _enterprise(db, 1), _enterprise(db, 2)
    data = _csv(tmp_path / "api.csv", _rows(a, b)).read_bytes()
    files = {"file": ("awards.csv", data, "text/csv")}
    r = client.post("/api/v1/award-imports", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["written"], body["bad_rows"]) == (7, 0, 5)
    assert body["message"] == "共 7 行，有误 5 行，全部未导入"
    assert [(e["row"], e["column"], e["message"]) for e in body["errors"]] == EXPECTED_ERRORS
    r = client.post("/api/v1/award-imports", files=files, data={"mode": "valid_rows_only"})
    assert r.json()["message"] == "共 7 行，写入 2 条，有误 5 行"
    assert len(db.scalars(select(Award)).all()) == 2


def test_import_api_refuses_an_enterprise_account(client_as, db, tmp_path):
    a = _enterprise(db, 1)
    own = client_as("enterprise", username="award-import-enterprise", enterprise_id=a.id)
    rows = [[a.uscc, "质量奖", "市级", "深圳市质量奖", "2024-03-01", "", "", "", ""]]
    files = {"file": ("a.csv", _csv(tmp_path / "e.csv", rows).read_bytes(), "text/csv")}
    assert own.post("/api/v1/award-imports", files=files).status_code == 403
    assert db.scalars(select(Award)).all() == []
