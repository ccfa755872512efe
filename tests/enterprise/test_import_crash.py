"""QUALITY R3, R8 for imports: an upload's import killed at every named fault point (``srdi.kit.faults``), then the
start-up recovery and a re-upload — never a half-written file, never a duplicate, never a job left 等待中, never
an uploaded file (with its phone numbers) left behind. The import runs in a process of its own that dies at the
armed point (tests/crash_support.py), so the result is the same on an idle machine and a loaded one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from srdi.db.base import Base
from srdi.enterprise.enums import ImportStatus
from srdi.enterprise.models import ChangeLog, Enterprise, ImportJob, YearlyFigure
from srdi.kit.faults import FAULT_EXIT_CODE
from srdi.recovery import recover
from tests.auto_grant.realdb import RealDb, module_real_db  # noqa: F401 - fixture
from tests.crash_support import run_in_child, upload_and_import
from tests.enterprise.import_files import row, write_csv

ENTERPRISES = 30
YEARS = ("2024", "2025")

# point → (SRDI_FAULT value, the job's status when the process dies, after recovery)
IMPORT_POINTS = {
    "import.after_claim": ("import.after_claim", "running", "interrupted"),
    "import.after_chunk": ("import.after_chunk", "running", "interrupted"),
    "import.before_commit": ("import.before_commit", "running", "interrupted"),
    "import.after_commit": ("import.after_commit", "succeeded", "succeeded"),
}


def _clean(db: Session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        db.execute(delete(table))
    db.commit()


def _registry(db: Session) -> dict[str, Any]:
    """Everything an import writes, by USCC, without ids and timestamps."""
    uscc = dict(db.execute(select(Enterprise.id, Enterprise.uscc)).all())
    skip = {"id", "enterprise_id", "created_at", "updated_at", "changed_at", "import_job_id"}

    def plain(obj: Any) -> tuple[Any, ...]:
        cols = [c.key for c in obj.__table__.columns if c.key not in skip]
        return tuple((c, str(getattr(obj, c))) for c in cols)

    return {
        "enterprises": sorted(plain(e) for e in db.scalars(select(Enterprise))),
        "years": sorted((uscc[y.enterprise_id], plain(y)) for y in db.scalars(select(YearlyFigure))),
        "changes": sorted((uscc[c.enterprise_id], plain(c)) for c in db.scalars(select(ChangeLog))),
    }


def _upload(source: Path, uploads: Path, n: int) -> Path:
    """The file as ``POST /imports`` saves it (importing.router._save_upload)."""
    target = uploads / f"srdi_import_{n}.csv"
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="module")
def world(module_real_db: RealDb) -> Iterator[dict[str, Any]]:  # noqa: F811
    rdb = module_real_db
    uploads = rdb.tmp / "uploads"
    uploads.mkdir()
    rows = [row(n, fiscal_year=y) for n in range(1, ENTERPRISES + 1) for y in YEARS]
    source = write_csv(rdb.tmp / "registry.csv", rows)
    saved = os.environ.get("SRDI_DATABASE_URL")
    # The reference: the same upload, never interrupted (in this process, through the same functions).
    from srdi.config import get_settings
    from srdi.db import session

    os.environ["SRDI_DATABASE_URL"] = rdb.url
    for cache in (get_settings, session.get_engine, session.get_sessionmaker):
        cache.cache_clear()
    try:
        path = _upload(source, uploads, 0)
        upload_and_import(path)
        assert not path.exists()
        with rdb.session() as db:
            job = db.scalars(select(ImportJob)).one()
            assert (job.status, job.created_count, job.upload_path, job.lease_owner) == (
                "succeeded", ENTERPRISES, None, None,
            )  # fmt: skip
            reference = _registry(db)
            assert len(reference["enterprises"]) == ENTERPRISES
            assert len(reference["years"]) == ENTERPRISES * len(YEARS)
            _clean(db)
        yield {"db": rdb, "source": source, "uploads": uploads, "reference": reference}
    finally:
        if saved is None:
            os.environ.pop("SRDI_DATABASE_URL", None)
        else:
            os.environ["SRDI_DATABASE_URL"] = saved
        for cache in (get_settings, session.get_engine, session.get_sessionmaker):
            cache.cache_clear()


@pytest.mark.parametrize("point", list(IMPORT_POINTS))
def test_import_killed_at_a_fault_point_writes_all_or_nothing_and_leaves_no_file_or_waiting_job(
    world: dict[str, Any], point: str
) -> None:
    rdb: RealDb = world["db"]
    uploads: Path = world["uploads"]
    fault, died_as, recovered_as = IMPORT_POINTS[point]
    path = _upload(world["source"], uploads, 1)
    died = run_in_child("upload", [str(path)], url=rdb.url, fault=fault, tmp=rdb.tmp)
    assert died.exitcode == FAULT_EXIT_CODE, died.stderr[-2000:]
    assert f"fault injected at {point}" in died.stderr
    assert path.exists()  # the process died before it could remove the upload

    with rdb.session() as db:
        job = db.scalars(select(ImportJob)).one()
        assert job.status == died_as
        written = _registry(db)
        assert written == (world["reference"] if died_as == "succeeded" else _registry_empty())
        found = recover(db, upload_dir=uploads)  # what `srdi serve` does at start-up
        db.commit()
        db.refresh(job)
        assert found.imports == ([job.id] if recovered_as == "interrupted" else [])
        assert (job.status, ImportStatus(job.status).label) == (
            recovered_as,
            "已中断（未写入）" if recovered_as == "interrupted" else "导入成功",
        )
        assert (job.lease_owner, job.upload_path) == (None, None)
        assert not path.exists()  # removed: by the interrupted job's recovery, or the sweep of finished jobs
        if recovered_as == "interrupted":
            assert job.finished_at is not None
            assert job.report["message"] == "导入过程中服务中断，本次未写入任何数据，请重新上传文件"

    if recovered_as == "interrupted":  # the official uploads the file again
        again = _upload(world["source"], uploads, 2)
        done = run_in_child("upload", [str(again)], url=rdb.url, fault=None, tmp=rdb.tmp)
        assert done.exitcode == 0, done.stderr[-2000:]
        assert not again.exists()
    with rdb.session() as db:
        assert _registry(db) == world["reference"]
        statuses = [j.status for j in db.scalars(select(ImportJob).order_by(ImportJob.id))]
        assert statuses == (["interrupted", "succeeded"] if recovered_as == "interrupted" else ["succeeded"])
        _clean(db)
    assert list(uploads.iterdir()) == []


def _registry_empty() -> dict[str, Any]:
    return {"enterprises": [], "years": [], "changes": []}


def test_sweep_removes_orphan_uploads_older_than_a_lease_and_keeps_fresh_ones(world: dict[str, Any]) -> None:
    rdb: RealDb = world["db"]
    uploads: Path = world["uploads"]
    old = uploads / "srdi_import_orphan_old.csv"
    fresh = uploads / "srdi_import_orphan_fresh.csv"
    other = uploads / "someone_elses.csv"
    for p in (old, fresh, other):
        p.write_text("uscc,phone\n", encoding="utf-8")
    os.utime(old, (1_000_000_000, 1_000_000_000))  # 2001: long past any lease
    with rdb.session() as db:
        found = recover(db, upload_dir=uploads)
        db.commit()
    assert found.files == [old]
    assert sorted(p.name for p in uploads.iterdir()) == sorted([fresh.name, other.name])
    fresh.unlink()
    other.unlink()
