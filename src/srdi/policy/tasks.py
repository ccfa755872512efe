"""Background work of the policy domain: recompute stale push results (idempotent, after commit)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date

from sqlalchemy.orm import Session

from srdi.policy import service

log = logging.getLogger("srdi.policy")
SessionFactory = Callable[[], AbstractContextManager[Session]]


@contextmanager
def task_session() -> Iterator[Session]:
    from srdi.db.session import get_sessionmaker

    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


def get_task_session_factory() -> SessionFactory:
    """FastAPI dependency: how a background task opens its own session (tests replace it)."""
    return task_session


def refresh_dirty(session_factory: SessionFactory = task_session) -> int:
    """Recompute every enterprise marked dirty, one committed chunk at a time."""
    total = 0
    with session_factory() as db:
        while True:
            n = service.refresh_dirty(db, date.today(), limit=200)
            db.commit()
            total += n
            if n == 0:
                break
    log.info("policy push refreshed for %d enterprises", total)
    return total
