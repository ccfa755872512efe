"""Migrating a SQLite database that holds data keeps every row (batch table rebuilds must not cascade)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEFORE_REBUILD = (
    "591c6eda8423"  # the revision before enterprise.local_feature_score was rebuilt as an integer
)


def _srdi(db: Path, *args: str) -> None:
    env = {**os.environ, "SRDI_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run(
        [sys.executable, "-m", "srdi.cli", *args], check=True, cwd=REPO, env=env, capture_output=True
    )


def test_upgrade_keeps_child_rows_of_a_rebuilt_table(tmp_path):
    db = tmp_path / "old.sqlite3"
    _srdi(db, "db", "upgrade", BEFORE_REBUILD)
    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO enterprise (id, uscc, name, region_code, industry_code, tags, is_synthetic, local_answers,"
        " local_feature_score, created_at, updated_at) VALUES (1, '91440300192317458F', '旧数据企业', '440305',"
        " '3562', '[]', 0, '{}', 7.00, '2026-01-01', '2026-01-01')"
    )
    con.execute(
        "INSERT INTO yearly_figure (enterprise_id, fiscal_year, operating_revenue, sources, updated_at)"
        " VALUES (1, 2025, 1000, '{}', '2026-01-01')"
    )
    con.execute(
        "INSERT INTO recognition (enterprise_id, source, tier, level, announced_date, valid_until, status)"
        " VALUES (1, 'self_reported', 'srdi_sme', 'provincial', '2025-01-01', '2028-01-01', 'valid')"
    )
    con.commit()
    con.close()
    _srdi(db, "db", "upgrade")
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM yearly_figure").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM recognition").fetchone() == (1,)
    assert con.execute("SELECT local_feature_score FROM enterprise").fetchone() == (7,)
