"""Background work of applications: the 动态管理 overdue sweep (annual update deadlines).

Stateless like the appeals sweeper (decision 0015): the task row's deadline is the job, every run selects what is
due and records each consequence with a compare-and-set, in its own committed transaction.
"""

from __future__ import annotations

import logging

from srdi.application import dynamic_service
from srdi.db.session import SessionFactory, task_session

log = logging.getLogger("srdi.application")


def sweep_dynamic_once(session_factory: SessionFactory = task_session) -> int:
    """Mark every annual update task whose deadline passed as 逾期未更新, in committed batches."""
    total = 0
    with session_factory() as db:
        while True:
            n = dynamic_service.sweep_overdue(db).overdue
            db.commit()
            total += n
            if n == 0:
                break
    if total:
        log.info("dynamic-management sweep: %d annual updates overdue", total)
    return total
