"""Background work of tier evaluation. Each chunk is its own transaction so progress is visible."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from srdi.criteria import batch_service
from srdi.criteria.models import BatchRun
from srdi.criteria.service import rule_book
from srdi.db.session import SessionFactory, task_session

log = logging.getLogger("srdi.criteria")


def guarded_run(
    run_id: int,
    session_factory: SessionFactory,
    body: Callable[[Session, BatchRun], None],
    *,
    what: str = "batch",
) -> None:
    """Start the run, do ``body``, finish it; on any failure roll back, mark the run failed and re-raise.

    Shared by the embedded batch and the Spark path, so both leave the same states behind.
    """
    started = time.perf_counter()
    with session_factory() as db:
        run = db.get(BatchRun, run_id)
        if run is None or run.status not in ("queued", "running"):
            return
        batch_service.start(db, run)
        db.commit()
        try:
            body(db, run)
            batch_service.finish(db, run, started)
            db.commit()
        except Exception as exc:
            log.exception("%s run %s failed", what, run_id)
            db.rollback()
            failed = db.get(BatchRun, run_id)
            if failed is not None:
                batch_service.fail(failed, exc)
                db.commit()
            raise


def run_batch(
    run_id: int,
    session_factory: SessionFactory = task_session,
    on_progress: Callable[[BatchRun], None] | None = None,
    sink: batch_service.ChunkSink | None = None,
) -> None:
    def body(db: Session, run: BatchRun) -> None:
        plans = batch_service.RunPlans(rule_book())  # compiled once per run
        for lo, hi in batch_service.chunks(db, run):
            batch_service.evaluate_chunk(db, run, lo, hi, plans, sink)
            db.commit()
            if on_progress:
                on_progress(run)

    guarded_run(run_id, session_factory, body)
