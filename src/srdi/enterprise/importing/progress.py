"""Live progress of running import jobs in this process, for ``GET /imports/{id}`` while the job's transaction is
open (its own row is not visible to other sessions until commit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ProgressFn = Callable[[str, int, int | None], None]

_LIVE: dict[int, dict[str, Any]] = {}
_LIVE_LOCK = threading.Lock()


def live_progress(job_id: int) -> dict[str, Any] | None:
    with _LIVE_LOCK:
        p = _LIVE.get(job_id)
        return dict(p) if p else None


def set_live(job_id: int | None, **values: Any) -> None:
    if job_id is None:
        return
    with _LIVE_LOCK:
        _LIVE.setdefault(job_id, {}).update(values)


def clear_live(job_id: int | None) -> None:
    if job_id is not None:
        with _LIVE_LOCK:
            _LIVE.pop(job_id, None)
