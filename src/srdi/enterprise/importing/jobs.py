"""The life of an import job around ``importing.service.run_import``: lease, heartbeat, commit, clean-up (QUALITY R3).

1. ``create_upload_job`` records the job (``pending``) with the uploaded file's path and a lease held by the
   process that received it;
2. ``run_job`` takes the lease (compare-and-swap: one process only) and commits ``running``; then validates and
   writes the file in ONE transaction (decision 0005) that also releases the lease — if the job was meanwhile
   declared interrupted by another process, that transaction rolls back, so the data is written exactly once;
3. whatever happens (success, refusal, error, lease lost), the uploaded file is removed.

A process killed at any point leaves a ``pending``/``running`` job whose lease expires (or whose owner is
known to be gone): ``mark_interrupted_jobs`` — at start-up and periodically, ``srdi.recovery`` — marks it
``interrupted`` (已中断（未写入）: its transaction was rolled back) and removes its file; ``sweep_uploads``
removes upload files no live job refers to.

Fault points: ``import.after_claim``, ``import.after_chunk`` (a chunk of rows written, uncommitted),
``import.before_commit``, ``import.after_commit`` (data and status committed, the file not yet removed).
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.db.session import SessionFactory
from srdi.enterprise.enums import ImportMode, ImportStatus
from srdi.enterprise.importing import service as import_service
from srdi.enterprise.importing.cells import RowError
from srdi.enterprise.importing.progress import ProgressFn
from srdi.enterprise.models import ImportJob
from srdi.kit import leases
from srdi.kit.faults import fault_point

log = logging.getLogger("srdi.import")

UPLOAD_PREFIX = "srdi_import_"
OPEN = (ImportStatus.pending.value, ImportStatus.running.value)
INTERRUPTED_MESSAGE = "导入过程中服务中断，本次未写入任何数据，请重新上传文件"


class LeaseLost(Exception):
    """Another process declared the job interrupted while this one worked on it."""


def upload_dir() -> Path:
    from srdi.config import get_settings

    path = get_settings().upload_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_upload_job(
    db: Session, *, filename: str, path: Path, mode: ImportMode, dry_run: bool, actor: str
) -> ImportJob:
    job = import_service.create_job(db, filename=filename, path=path, mode=mode, dry_run=dry_run, actor=actor)
    job.upload_path = str(path)
    job.lease_owner, job.lease_expires_at = leases.owner_id(), utcnow() + leases.lease_period()
    db.flush()
    return job


def _take(db: Session, job_id: int, seen: str | None, **values: object) -> bool:
    cond = ImportJob.lease_owner.is_(None) if seen is None else ImportJob.lease_owner == seen
    res = db.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status.in_(OPEN), cond)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    rows: int = res.rowcount  # type: ignore[attr-defined]
    return rows == 1


def claim(db: Session, job: ImportJob, now: datetime | None = None) -> bool:
    now = now or utcnow()
    me = leases.owner_id()
    db.refresh(job)
    if job.status not in OPEN:
        return False
    seen = job.lease_owner
    if seen not in (None, me) and not leases.expired(seen, job.lease_expires_at, now):
        return False
    won = _take(
        db,
        job.id,
        seen,
        lease_owner=me,
        lease_expires_at=now + leases.lease_period(),
        status=ImportStatus.running.value,
    )
    db.refresh(job)
    return won


class _Heartbeat:
    """Renews the job's lease from a connection of its own while the import's transaction is open.

    On SQLite the import holds the database's only write lock once it writes; a renewal then could only wait
    for it, so it is skipped — and no other process can declare the job interrupted meanwhile either."""

    def __init__(self, db: Session, job_id: int) -> None:
        self.engine = db.get_bind().engine
        self.job_id = job_id
        self.owner = leases.owner_id()
        self.every = leases.lease_period().total_seconds() / 3
        self.last = time.monotonic()

    def __call__(self, phase: str) -> None:
        if time.monotonic() - self.last < self.every:
            return
        if phase == "writing" and self.engine.dialect.name == "sqlite":
            return
        self.last = time.monotonic()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    update(ImportJob)
                    .where(ImportJob.id == self.job_id, ImportJob.lease_owner == self.owner)
                    .values(lease_expires_at=utcnow() + leases.lease_period())
                )
        except Exception:  # a missed renewal only shortens the lease; the import itself goes on
            log.warning("import job %s: lease renewal failed", self.job_id, exc_info=True)


def run_job(
    factory: SessionFactory,
    job_id: int,
    path: Path,
    filename: str,
    mode: ImportMode,
    dry_run: bool,
    actor: str,
    region_scope: tuple[str, ...] | None = None,
    *,
    progress: ProgressFn | None = None,
    remove_file: bool = True,
    raise_errors: bool = False,
) -> import_service.ImportOutcome | None:
    """Claim, run and finish one job; returns the outcome, or None if the job was not ours to run or failed."""
    outcome: import_service.ImportOutcome | None = None
    ours = False
    try:
        with factory() as db:
            job = db.get(ImportJob, job_id)
            ours = job is not None and claim(db, job)
            if not ours:
                # Finished already (its file may go) or run by a live process (its file must stay).
                ours = job is None or job.status not in OPEN
                log.info("import job %s: not claimed (finished, or run by another process)", job_id)
                return None
        fault_point("import.after_claim")
        with factory() as db:
            job = db.get(ImportJob, job_id)
            assert job is not None
            beat = _Heartbeat(db, job_id)

            def report(phase: str, done: int, total: int | None) -> None:
                if phase == "writing" and done:
                    fault_point("import.after_chunk")
                beat(phase)
                if progress:
                    progress(phase, done, total)

            _, outcome = import_service.run_import(
                db, path, filename=filename, mode=mode, dry_run=dry_run, actor=actor, job=job,
                region_scope=region_scope, progress=report,
            )  # fmt: skip
            db.flush()
            # Release the lease in the data's own transaction: if someone declared us dead meanwhile, roll back.
            if not _release(db, job_id, leases.owner_id()):
                raise LeaseLost(job_id)
            fault_point("import.before_commit")
        fault_point("import.after_commit")
    except LeaseLost:
        log.warning(
            "import job %s was declared interrupted meanwhile; its transaction was rolled back", job_id
        )
        outcome = None
    except Exception:
        log.exception("import job %s crashed; its transaction was rolled back", job_id)
        with contextlib.suppress(Exception), factory() as db:
            import_service.mark_failed(db, job_id, "导入过程中发生内部错误，本次未写入任何数据，请联系管理员")
            _clear_lease(db, job_id)
        if raise_errors:
            raise
        outcome = None
    finally:
        if remove_file and ours:
            path.unlink(missing_ok=True)
            with contextlib.suppress(Exception), factory() as db:
                _forget_upload(db, job_id)
    return outcome


def _release(db: Session, job_id: int, owner: str) -> bool:
    res = db.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    rows: int = res.rowcount  # type: ignore[attr-defined]
    return rows == 1


def _clear_lease(db: Session, job_id: int) -> None:
    db.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def _forget_upload(db: Session, job_id: int) -> None:
    db.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status.not_in(OPEN))
        .values(upload_path=None)
        .execution_options(synchronize_session=False)
    )


def mark_interrupted_jobs(db: Session, now: datetime | None = None) -> list[int]:
    """Jobs left pending/running by a process that is gone → ``interrupted``; their upload files removed."""
    now = now or utcnow()
    done = []
    for job in db.scalars(select(ImportJob).where(ImportJob.status.in_(OPEN)).order_by(ImportJob.id)).all():
        if not leases.expired(job.lease_owner, job.lease_expires_at, now):
            continue
        report = {
            "message": INTERRUPTED_MESSAGE,
            "errors": [RowError(None, None, None, INTERRUPTED_MESSAGE).as_dict()],
        }
        if _take(
            db, job.id, job.lease_owner,
            status=ImportStatus.interrupted.value, finished_at=now, report=report,
            lease_owner=None, lease_expires_at=None, upload_path=None,
        ):  # fmt: skip
            done.append(job.id)
            if job.upload_path:
                Path(job.upload_path).unlink(missing_ok=True)
            db.expire(job)
    db.flush()
    return done


def sweep_uploads(db: Session, now: datetime | None = None, directory: Path | None = None) -> list[Path]:
    """Remove upload files that no open job needs: those of finished jobs, and orphans older than a lease (a
    file younger than that may belong to an upload still being received)."""
    now = now or utcnow()
    directory = directory or upload_dir()
    removed: list[Path] = []
    keep: set[str] = set()
    for job in db.scalars(select(ImportJob).where(ImportJob.upload_path.is_not(None))).all():
        assert job.upload_path is not None
        if job.status in OPEN:
            keep.add(job.upload_path)
            continue
        p = Path(job.upload_path)
        if p.exists():
            p.unlink(missing_ok=True)
            removed.append(p)
        job.upload_path = None
    cutoff = now.timestamp() - leases.lease_period().total_seconds()
    for p in directory.glob(UPLOAD_PREFIX + "*"):
        if str(p) in keep or not p.is_file():
            continue
        with contextlib.suppress(OSError):
            if p.stat().st_mtime < cutoff:
                p.unlink()
                removed.append(p)
    db.flush()
    return removed
