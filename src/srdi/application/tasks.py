"""Background work of applications: 1 January's annual update tasks, the 动态管理 overdue sweep (annual update
deadlines) and the reminders on review deadlines (expert scoring, 补正).

Stateless like the appeals sweeper (decision 0015): the task row's deadline is the job, every run selects what is
due and records each consequence with a compare-and-set, in its own committed transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from srdi.application import dynamic_service, reminders
from srdi.db.session import SessionFactory, task_session
from srdi.kit.faults import fault_point

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


def open_annual_updates_once(
    session_factory: SessionFactory = task_session, day: date | None = None
) -> int | None:
    """1 January's job: this year's annual update tasks for every holder, opened once per year (see
    dynamic_service.open_annual_updates_on_schedule); None when the year was already opened."""
    with session_factory() as db:
        n = dynamic_service.open_annual_updates_on_schedule(db, day)
        fault_point("application.annual_open.before_commit")
        db.commit()
    if n:
        log.info("annual updates opened for %d enterprises", n)
    return n


def remind_deadlines_once(
    session_factory: SessionFactory = task_session, day: date | None = None
) -> reminders.ReminderResult:
    """Inbox reminders on expert-scoring and 补正 deadlines (srdi.application.reminders), one transaction."""
    with session_factory() as db:
        out = reminders.send_reminders(db, day)
        fault_point("application.reminders.before_commit")
        db.commit()
    if out.total:
        log.info("review deadline reminders: %s", out)
    return out


def remind_expiring_once(session_factory: SessionFactory = task_session, day: date | None = None) -> int:
    """复核 notices for recognitions ending within a year (dynamic_service.remind_expiring), one transaction."""
    with session_factory() as db:
        n = dynamic_service.remind_expiring(db, day)
        db.commit()
    if n:
        log.info("re-review notices: %d recognitions ending soon", n)
    return n


def sweep_expiry_once(session_factory: SessionFactory = task_session, day: date | None = None) -> int:
    """Titles whose validity ended: 复核中 with a 复核 in progress, else 已过期 (dynamic_service.sweep_expiry)."""
    total = 0
    with session_factory() as db:
        while True:
            n = dynamic_service.sweep_expiry(db, day).total
            fault_point("application.expiry.before_commit")
            db.commit()
            total += n
            if n == 0:
                break
    if total:
        log.info("expiry sweep: %d recognitions changed status", total)
    return total


# The application domain's jobs in the scheduler loop (srdi.appeal.tasks.Sweeper ``also``, srdi.main, srdi worker).
SCHEDULED_JOBS: tuple[Callable[[SessionFactory], object], ...] = (
    open_annual_updates_once,
    sweep_dynamic_once,
    remind_deadlines_once,
    remind_expiring_once,
    sweep_expiry_once,
)
