"""Background 数据比对: each chunk commits, so progress is visible and a crash resumes where it stopped.

The task first takes the run's lease (``service.claim_run``): a run another live process is executing is left
to it, and an interrupted one (its owner died) is resumed here — by exactly one process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from srdi.auto_grant import service
from srdi.auto_grant.exceptions import RunLeaseLost
from srdi.auto_grant.models import GrantRun
from srdi.db.session import SessionFactory, task_session
from srdi.kit.faults import fault_point

log = logging.getLogger("srdi.auto_grant")


def execute_run(
    run_id: int,
    session_factory: SessionFactory = task_session,
    on_progress: Callable[[GrantRun], None] | None = None,
) -> None:
    with session_factory() as db:
        run = db.get(GrantRun, run_id)
        if run is None:
            return
        fault_point("grant.before_start")
        if not service.claim_run(db, run):
            db.rollback()
            log.info("grant run %s: not claimed (finished, or executed by another process)", run_id)
            return
        db.commit()
        try:
            service.execute_run(db, run, commit=db.commit, on_progress=on_progress)
        except RunLeaseLost:
            db.rollback()
            log.warning("grant run %s was taken over by another process; this one stops", run_id)
        except Exception as exc:
            log.exception("grant run %s failed", run_id)
            db.rollback()
            run = db.get(GrantRun, run_id)
            if run is not None:
                run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
                run.lease_owner, run.lease_expires_at = None, None
                db.commit()
            raise
