"""QUALITY R3 for imports: ``srdi import`` killed at several points, then run again — never a half-written file,
never a duplicate. Drives a real subprocess against a SQLite file (one transaction per job, decision 0005)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from srdi.db.migrate import upgrade
from srdi.db.session import make_engine
from tests.enterprise.import_files import row, write_csv

ROWS = 3000
YEARS = ("2023", "2024", "2025")


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("enterprise", "yearly_figure", "change_log")
        )  # type: ignore[return-value]


def _start(csv_path: Path, db_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SRDI_DATABASE_URL": db_url, "SRDI_ENV": "test"}
    return subprocess.Popen(
        [sys.executable, "-c", "from srdi.cli import main; main()", "import", str(csv_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_import_killed_at_any_point_leaves_nothing_or_everything_and_a_rerun_completes(tmp_path):
    db_file = tmp_path / "crash.sqlite3"
    url = f"sqlite:///{db_file}"
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
    rows = [row(n, fiscal_year=y) for n in range(1, ROWS // len(YEARS) + 1) for y in YEARS]
    path = write_csv(tmp_path / "big.csv", rows)
    full = (ROWS // len(YEARS), ROWS, ROWS // len(YEARS) + ROWS)  # one "created" log row per record

    outcomes = set()
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = _start(path, url)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        counts = _counts(engine)
        assert counts in ((0, 0, 0), full), f"killed after {delay} s: half-written {counts}"
        outcomes.add(counts)
        if counts == full:
            break

    proc = _start(path, url)
    assert proc.wait(timeout=300) == 0
    assert _counts(engine) == full  # the rerun upserts: no duplicates, nothing lost
    with engine.connect() as conn:
        dupes = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT enterprise_id, fiscal_year FROM yearly_figure GROUP BY 1, 2 HAVING count(*) > 1) d"
            )
        ).scalar_one()
    assert dupes == 0
    engine.dispose()
