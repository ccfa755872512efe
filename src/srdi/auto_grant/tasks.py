"""Background 数据比对: each chunk commits, so progress is visible and a crash resumes where it stopped."""

from __future__ import annotations

import logging
from collections.abc import Callable

from srdi.auto_grant import service
from srdi.auto_grant.enums import RunStatus
from srdi.auto_grant.models import GrantRun
from srdi.db.session import SessionFactory, task_session

log = logging.getLogger("srdi.auto_grant")


def execute_run(
    run_id: int,
    session_factory: SessionFactory = task_session,
    on_progress: Callable[[GrantRun], None] | None = None,
) -> None:
    with session_factory() as db:
        run = db.get(GrantRun, run_id)
        if run is None or run.status != RunStatus.running:
            return
        try:
            service.execute_run(db, run, commit=db.commit, on_progress=on_progress)
        except Exception as exc:
            log.exception("grant run %s failed", run_id)
            db.rollback()
            run = db.get(GrantRun, run_id)
            if run is not None:
                run.status, run.error = RunStatus.failed, f"{type(exc).__name__}: {exc}"
                db.commit()
            raise
