"""The set-based writer agrees with the single-record service path on values, size class and history."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from srdi.enterprise import service
from srdi.enterprise.bulk_service import BulkRow, bulk_upsert
from srdi.enterprise.models import ChangeLog, Enterprise, YearlyFigure
from srdi.enterprise.schemas import EnterpriseIn
from tests.enterprise.import_files import make_uscc

PROFILE = {
    "name": "深圳市批量写入测试有限公司",
    "region_code": "440305",
    "industry_code": "3562",
    "tags": ["重点培育"],
}


def test_new_enterprise_gets_one_created_log_row_per_record_and_its_size_class(db):
    rows = [
        BulkRow(make_uscc(1), 2024, PROFILE, {"employees": 150, "operating_revenue": 30_000_000_000}, "tax"),
        BulkRow(make_uscc(1), 2025, PROFILE, {"employees": 8, "operating_revenue": 500_000_000}, "tax"),
    ]
    result = bulk_upsert(db, rows, actor="loader", is_synthetic=True)
    assert (result.enterprises_created, result.years_created, result.change_log_rows) == (1, 2, 3)
    ent = db.scalar(select(Enterprise))
    # 300号 工业: 8 人 and 500 万元 → micro, from the latest year, as service.recompute_size_class decides.
    assert (ent.size_class, ent.size_class_year, ent.is_synthetic, ent.tags) == (
        "micro",
        2025,
        True,
        ["重点培育"],
    )
    logs = db.scalars(select(ChangeLog).order_by(ChangeLog.id)).all()
    assert [(c.entity, c.entity_key, c.field, c.actor, c.import_job_id) for c in logs] == [
        ("enterprise", None, "created", "loader", None),
        ("yearly_figure", "2024", "created", "loader", None),
        ("yearly_figure", "2025", "created", "loader", None),
    ]
    assert json.loads(logs[2].new_value) == {"employees": 8, "operating_revenue": 500_000_000}
    fig = db.scalar(select(YearlyFigure).where(YearlyFigure.fiscal_year == 2025))
    assert fig.sources == {"employees": "tax", "operating_revenue": "tax"}


def test_existing_enterprise_changes_match_the_service_path(db):
    ent = service.create(db, EnterpriseIn(uscc=make_uscc(2), **PROFILE), actor="official")
    service.set_yearly_figures(db, ent, 2025, {"employees": 150}, source="self_reported", actor="official")
    db.flush()
    before = db.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    rows = [
        BulkRow(make_uscc(2), 2025, {"name": "新名称有限公司"}, {"employees": 150, "rd_staff": 20}, "tax")
    ]
    result = bulk_upsert(db, rows, actor="importer", import_job_id=None)
    assert (result.enterprises_updated, result.years_updated) == (1, 1)
    new_logs = db.scalars(select(ChangeLog).where(ChangeLog.id > before).order_by(ChangeLog.id)).all()
    assert [(c.field, c.old_value, c.new_value, c.source) for c in new_logs] == [
        ("name", PROFILE["name"], "新名称有限公司", "tax"),
        ("employees", "150", "150", "tax"),  # same value, new provenance: logged like set_yearly_figures does
        ("rd_staff", None, "20", "tax"),
    ]


def test_repeated_enterprise_year_in_one_call_is_refused(db):
    row = BulkRow(make_uscc(3), 2025, PROFILE, {"employees": 1}, "tax")
    with pytest.raises(ValueError, match="repeat"):
        bulk_upsert(db, [row, row], actor="loader")
