"""Background work of the policy domain: recompute stale push results (idempotent, after commit)."""

from __future__ import annotations

import logging

from srdi.db.session import SessionFactory, task_session
from srdi.kit.workdays import beijing_today
from srdi.policy import service

log = logging.getLogger("srdi.policy")


def refresh_dirty(session_factory: SessionFactory = task_session) -> int:
    """Recompute every enterprise marked dirty, one committed chunk at a time."""
    total = 0
    with session_factory() as db:
        while True:
            n = service.refresh_dirty(db, beijing_today(), limit=200)
            db.commit()
            total += n
            if n == 0:
                break
    log.info("policy push refreshed for %d enterprises", total)
    return total
