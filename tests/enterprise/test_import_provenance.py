"""An import states its figures' provenance (decision 0012-provenance): 官方名单 is accepted, 已核验 and 演示数据
are not — 已核验 comes only from the verification queue, 演示数据 only from ``srdi demo``."""

from __future__ import annotations

from sqlalchemy import select

from srdi.enterprise.enums import ImportMode
from srdi.enterprise.importing.service import run_import
from srdi.enterprise.models import YearlyFigure
from tests.enterprise.import_files import errors_of, row, write_csv

ALLOWED = "企业自报、税务数据、统计数据、审计报告、市场监管数据、官方名单"


def test_an_import_may_state_official_list_but_never_verified_or_synthetic(db, tmp_path):
    path = write_csv(
        tmp_path / "sources.csv",
        [row(1, source="官方名单"), row(2, source="已核验"), row(3, source="synthetic")],
    )
    _, out = run_import(db, path, mode=ImportMode.valid_rows_only, dry_run=False, actor="tester")
    assert errors_of(out) == [
        (3, "数据来源", f"“已核验”不是允许的取值，应为：{ALLOWED}"),
        (4, "数据来源", f"“synthetic”不是允许的取值，应为：{ALLOWED}"),
    ]
    sources = [f.sources for f in db.scalars(select(YearlyFigure)).all()]
    assert len(sources) == 1 and set(sources[0].values()) == {"official_list"}
