"""``srdi template``, ``srdi import`` and ``srdi export`` as an operator runs them (a subprocess, a SQLite file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import text

from srdi.db.migrate import upgrade
from srdi.db.session import make_engine
from tests.enterprise.import_files import TITLES, make_uscc, row, write_csv


def _srdi(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SRDI_DATABASE_URL": url, "SRDI_ENV": "test", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from srdi.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_template_import_with_report_and_export(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(conn)

    r = _srdi(url, "template", str(tmp_path / "t.xlsx"))
    assert r.returncode == 0 and "模板已写入" in r.stdout
    assert [c.value for c in load_workbook(tmp_path / "t.xlsx")["企业年度数据"][1]] == TITLES

    path = write_csv(tmp_path / "in.csv", [row(1), row(2, employees="abc")], encoding="gb18030")
    r = _srdi(url, "import", str(path), "--report", str(tmp_path / "r.xlsx"))
    assert r.returncode == 1, r.stdout  # all_or_nothing with an error: refused
    assert "有错误，未导入" in r.stdout and "应为数字，实际为“abc”" in r.stdout
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM enterprise")).scalar_one() == 0
    rows = list(load_workbook(tmp_path / "r.xlsx").active.iter_rows(min_row=5, values_only=True))
    assert rows == [(3, "从业人员（人）", "abc", "应为数字，实际为“abc”")]

    r = _srdi(url, "import", str(path), "--mode", "valid_rows_only")
    assert r.returncode == 0, r.stdout
    assert "部分导入" in r.stdout and "校验 validating" in r.stdout and "写入 writing" in r.stdout

    r = _srdi(url, "export", str(tmp_path / "out.csv"), "--region", "4403")
    assert r.returncode == 0 and "已导出 1 行" in r.stdout
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith(make_uscc(1) + ",")
    with engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log ORDER BY id")).scalars().all()
    assert actions == ["enterprise.import", "enterprise.import", "enterprise.export"]
    engine.dispose()
