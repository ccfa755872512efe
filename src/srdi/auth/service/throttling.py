"""Login throttling: failures counted per (username, address) with a growing wait, and per address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from srdi.auth import repository
from srdi.auth.repository import normalize_username
from srdi.config import Settings
from srdi.db.base import as_utc


def locked_until(db: Session, key: str, now: datetime) -> datetime | None:
    row = repository.get_throttle(db, key)
    if row is None or row.locked_until is None:
        return None
    until = as_utc(row.locked_until)
    return until if until > now else None


def record_failure(
    db: Session, key: str, limit: int, window: timedelta, now: datetime, lock_for: Callable[[int], timedelta]
) -> None:
    """Count one failure; from the ``limit``-th one the key waits ``lock_for(failures)``. Parallel guesses must
    all count: the row is created with ON CONFLICT DO NOTHING and incremented in SQL, never read-modify-written
    in Python."""
    repository.ensure_throttle(db, key, now)
    # A new window once the previous one is over (a lock never outlives the window it ended).
    repository.restart_throttle_window(db, key, older_than=now - window, now=now)
    failures = repository.increment_throttle(db, key)
    if failures >= limit:
        repository.lock_throttle(db, key, until=now + lock_for(failures))
    # The updates bypassed the identity map: reload so this session sees the counter as stored.
    repository.get_throttle(db, key)


def backoff(failures: int, settings: Settings) -> timedelta:
    """The wait after the ``failures``-th failure of one username from one address: login_backoff_seconds at the
    login_max_failures-th, doubling with each further one, never more than login_lock_minutes."""
    cap = settings.login_lock_minutes * 60
    steps = max(0, failures - settings.login_max_failures)
    return timedelta(seconds=min(cap, settings.login_backoff_seconds * 2 ** min(steps, 30)))


def clear_failures(db: Session, key: str) -> None:
    row = repository.get_throttle(db, key)
    if row is not None:
        db.delete(row)


def pair_key(username: str, ip: str | None) -> str:
    """One username tried from one address: what the backoff counts (45 + 64 characters fit the key's 120)."""
    return f"pair:{ip or 'unknown'}|{normalize_username(username)[:64]}"


# How long a (username, address) pair's failures are remembered: long enough that the backoff keeps growing.
PAIR_WINDOW = timedelta(days=1)


def ip_key(ip: str | None) -> str:
    return "ip:" + (ip or "unknown")
