"""``srdi report district`` (issue 18): the 通报 written to a file and archived; a refused request leaves nothing."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.demo.test_loader import cli_engine  # noqa: F401 — the fixture: a database of its own
from tests.monitoring.test_overview import seed_monitoring


def test_report_district_writes_the_xlsx_and_archives_it(cli_engine, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from srdi.cli import app
    from srdi.monitoring.models import DistrictReport

    with Session(cli_engine) as db:
        seed_monitoring(db)
        db.commit()
    out = tmp_path / "report.xlsx"
    r = CliRunner().invoke(
        app, ["report", "district", "--period", "2025Q3", "--region", "440300", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "100%  已完成" in r.output
    assert load_workbook(out).sheetnames[0] == "概况"
    with Session(cli_engine) as db:
        rep = db.scalars(select(DistrictReport)).one()
        assert (rep.region_code, rep.period, rep.status, rep.data["enterprises"]) == (
            "4403",
            "2025Q3",
            "done",
            7,
        )
        assert rep.created_by.startswith("cli:")

    bad = CliRunner().invoke(
        app, ["report", "district", "--period", "2099Q1", "--region", "4403", "-o", str(out)]
    )
    assert bad.exit_code == 1
    assert "尚未到来" in bad.output
    with Session(cli_engine) as db:
        assert db.scalar(select(func.count()).select_from(DistrictReport)) == 1
