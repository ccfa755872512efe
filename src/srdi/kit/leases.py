"""Leases on long jobs (grant runs, imports): which process owns a job, and until when (QUALITY R3).

A job row carries ``lease_owner`` (``host:pid:token``) and ``lease_expires_at``. The owner renews the lease as it
works; a job whose lease has expired — or whose owner was a process on this host that no longer exists — was
interrupted. Taking a job over is a compare-and-swap on the owner the taker saw, so of two workers that find
the same dead job, exactly one gets it (the other's conditional UPDATE matches no row).

The owner string carries a random token besides the pid: a pid reused by a later process does not make that
process the owner, and a live pid with an unknown token is treated as alive (the lease then has to expire).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

DEFAULT_LEASE = timedelta(seconds=120)
LEASE_ENV = "SRDI_LEASE_SECONDS"

_token: tuple[int, str] | None = None


def owner_id() -> str:
    """This process's owner string (a fork gets its own: the pid is part of the cache key)."""
    global _token
    pid = os.getpid()
    if _token is None or _token[0] != pid:
        _token = (pid, uuid.uuid4().hex[:8])
    return f"{socket.gethostname()[:60]}:{pid}:{_token[1]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def owner_gone(owner: str | None) -> bool:
    """True when ``owner`` was a process on this host that has ended (so its lease need not be waited out)."""
    if not owner:
        return True
    parts = owner.split(":")
    if len(parts) < 3:
        return False
    host, pid_text = ":".join(parts[:-2]), parts[-2]
    if host != socket.gethostname()[:60] or not pid_text.isdigit():
        return False
    if owner == owner_id():
        return False
    return not _pid_alive(int(pid_text))


def expired(owner: str | None, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a job with this lease may be taken over at ``now``."""
    if owner is None or expires_at is None:
        return True
    return expires_at <= now or owner_gone(owner)


def lease_period() -> timedelta:
    """How long a lease lasts without renewal (``SRDI_LEASE_SECONDS``, default 120 s)."""
    seconds = os.environ.get(LEASE_ENV, "").strip()
    return timedelta(seconds=int(seconds)) if seconds.isdigit() and int(seconds) > 0 else DEFAULT_LEASE
