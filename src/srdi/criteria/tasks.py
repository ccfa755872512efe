"""Background work of tier evaluation. Each chunk is its own transaction so progress is visible."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from srdi.criteria import batch_service
from srdi.criteria.models import BatchRun
from srdi.criteria.service import rule_book
from srdi.db.session import SessionFactory, task_session

log = logging.getLogger("srdi.criteria")


def run_batch(
    run_id: int,
    session_factory: SessionFactory = task_session,
    on_progress: Callable[[BatchRun], None] | None = None,
    sink: batch_service.ChunkSink | None = None,
) -> None:
    started = time.perf_counter()
    with session_factory() as db:
        run = db.get(BatchRun, run_id)
        if run is None or run.status not in ("queued", "running"):
            return
        batch_service.start(db, run)
        db.commit()
        try:
            plans = batch_service.RunPlans(rule_book())  # compiled once per run
            for lo, hi in batch_service.chunks(db, run):
                batch_service.evaluate_chunk(db, run, lo, hi, plans, sink)
                db.commit()
                if on_progress:
                    on_progress(run)
            batch_service.finish(db, run, started)
            db.commit()
        except Exception as exc:
            log.exception("batch run %s failed", run_id)
            db.rollback()
            run = db.get(BatchRun, run_id)
            if run is not None:
                batch_service.fail(run, exc)
                db.commit()
            raise
