"""Background work of the monitoring domain: building a 通报, refreshing the pre-aggregates."""

from __future__ import annotations

import logging

from srdi.db.session import SessionFactory, task_session
from srdi.kit.faults import fault_point
from srdi.kit.workdays import beijing_today
from srdi.monitoring import aggregates, report
from srdi.monitoring.models import DistrictReport

log = logging.getLogger("srdi.monitoring")


def build_report(report_id: int, session_factory: SessionFactory = task_session) -> None:
    with session_factory() as db:
        rep = db.get(DistrictReport, report_id)
        if rep is None or rep.status not in ("queued", "running"):
            return
        try:
            fault_point("monitoring.report.build")
            report.build(db, rep, commit=db.commit)
        except Exception as exc:
            log.exception("report %s failed", report_id)
            db.rollback()
            rep = db.get(DistrictReport, report_id)
            if rep is not None:
                rep.status, rep.error, rep.content = "failed", f"{type(exc).__name__}: {exc}", None
                rep.step = "失败"
                db.commit()


def refresh_aggregates(session_factory: SessionFactory = task_session, trigger: str = "scheduler") -> None:
    with session_factory() as db:
        ref = aggregates.latest(db)
        if ref is not None and ref.as_of == beijing_today() and not aggregates.is_stale(db, ref):
            return  # another request refreshed it meanwhile
        aggregates.refresh(db, beijing_today(), trigger=trigger)
        db.commit()
