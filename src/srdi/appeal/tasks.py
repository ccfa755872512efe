"""The durable time-limit scheduler of appeals (docs/decisions/0015-appeals-durable-sweeper.md).

Nothing is kept in memory: every deadline, reminder and escalation step lives on the appeal row. The loop only
wakes up every few seconds and runs ``service.sweep`` in its own transaction, so a restart loses nothing (the
next run finds what is due), and several workers never act twice on one item: PostgreSQL hands each worker
different rows (``FOR UPDATE SKIP LOCKED``) and every step is a compare-and-set on the row.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from srdi.appeal import attachment_service, service
from srdi.config import get_settings
from srdi.db.session import SessionFactory, task_session
from srdi.kit.faults import fault_point
from srdi.notification import service as notification_service

log = logging.getLogger("srdi.appeal")


# Candidates per committed batch: each batch is a handful of statements (service.sweep), so larger batches
# mean fewer round trips; 2,000 rows without their texts are a few MiB.
SWEEP_BATCH = 2000
ORPHAN_FILE_INTERVAL_SECONDS = 3600


def sweep_once(
    session_factory: SessionFactory = task_session, now: datetime | None = None, *, batch: int = SWEEP_BATCH
) -> service.SweepResult:
    """Every due item, in committed batches of ``batch`` candidates: a crash loses at most the batch in hand
    (its steps are claimed again by the next run), and the session is emptied after each commit, so a sweep
    over a million due items holds one batch in memory."""
    with session_factory() as db:

        def commit(_: service.SweepResult) -> None:
            fault_point("appeal.sweep.before_commit")
            db.commit()
            db.expunge_all()

        total = service.sweep_all(db, now, batch=batch, after_batch=commit)
    if total.total or total.skipped_years:
        log.info(
            "appeal sweep: %d reminders, %d escalations to departments, %d to districts, years missing %s",
            total.reminded,
            total.escalated_department,
            total.escalated_district,
            total.skipped_years,
        )
    return total


def sweep_orphan_files(session_factory: SessionFactory = task_session, now: datetime | None = None) -> int:
    """Remove attachment files no row refers to (an upload whose transaction never committed), see
    attachment_service.sweep_orphans; reads only, so nothing to commit."""
    with session_factory() as db:
        n = attachment_service.sweep_orphans(db, now)
    if n:
        log.info("attachment sweep: %d unreferenced files removed", n)
    return n


def refresh_kpis(session_factory: SessionFactory = task_session, now: datetime | None = None) -> int:
    """Recount the KPI pre-aggregate (service.KPI_AGGREGATE_FROM) in one committed transaction."""
    with session_factory() as db:
        n = service.refresh_kpi_aggregate(db, now)
        db.commit()
    return n


def email_channel() -> notification_service.EmailChannel | None:
    s = get_settings()
    if not s.smtp_host:
        return None
    return notification_service.SmtpChannel(
        host=s.smtp_host,
        port=s.smtp_port,
        sender=s.smtp_sender,
        starttls=s.smtp_starttls,
        username=s.smtp_username,
        password=s.smtp_password,
    )


def deliver_email(
    session_factory: SessionFactory = task_session, channel: notification_service.EmailChannel | None = None
) -> int:
    """Send the pending e-mails of the outbox (when an SMTP host is configured), one committed batch at a time."""
    channel = channel or email_channel()
    if channel is None:
        return 0
    total = 0
    with session_factory() as db:
        while True:
            n = notification_service.deliver_pending(db, channel)
            db.commit()
            total += n
            if n == 0:
                break
    return total


class Sweeper:
    """The loop, as a daemon thread (embedded in ``srdi serve``) or in the foreground (``srdi worker``)."""

    def __init__(
        self,
        interval_seconds: float,
        session_factory: SessionFactory = task_session,
        also: Sequence[Callable[[SessionFactory], object]] = (),
    ) -> None:
        self.interval = interval_seconds
        self.session_factory = session_factory
        # Other domains' deadline sweeps run in the same loop (wired in srdi.main: 动态管理's annual updates).
        self.also = tuple(also)
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        last_files: float | None = None
        while not self.stop_event.is_set():
            try:
                sweep_once(self.session_factory)
                for job in self.also:
                    job(self.session_factory)
                deliver_email(self.session_factory)
                # The KPI page of a large installation reads this; it is as fresh as the last sweep.
                refresh_kpis(self.session_factory)
                # The file sweep walks the attachment directory: at start-up, then hourly (a restart only
                # makes it run earlier; it is idempotent).
                if last_files is None or time.monotonic() - last_files >= ORPHAN_FILE_INTERVAL_SECONDS:
                    last_files = time.monotonic()
                    sweep_orphan_files(self.session_factory)
            except Exception:
                # One failed run (database restarting …) must not end the loop; the next run retries.
                log.exception("appeal sweep failed")
            self.stop_event.wait(self.interval)

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="appeal-sweeper", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
