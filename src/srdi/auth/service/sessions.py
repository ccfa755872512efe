"""Logins and sessions: password check with throttling, session tokens (stored hashed), CSRF tokens, logout."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from srdi.auth import repository
from srdi.auth.enums import (
    AuditAction,
)
from srdi.auth.exceptions import (
    AccountLocked,
    LoginFailed,
)
from srdi.auth.models import User, UserSession
from srdi.auth.repository import normalize_username
from srdi.auth.service.auditing import audit
from srdi.auth.service.passwords import dummy_hash, hash_password, hasher, verify_password
from srdi.auth.service.principal import Principal
from srdi.auth.service.throttling import (
    PAIR_WINDOW,
    backoff,
    clear_failures,
    ip_key,
    locked_until,
    pair_key,
    record_failure,
)
from srdi.config import Settings
from srdi.db.base import as_utc, utcnow

SESSION_TOKEN_BYTES = 32
# last_seen_at is written at most this often, so reads do not each cost a write.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(session_token: str, settings: Settings) -> str:
    """The CSRF token is an HMAC of the session token: bound to the session, nothing more to store."""
    mac = hmac.new(settings.secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_valid(session_token: str, presented: str | None, settings: Settings) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token_for(session_token, settings), presented or "")


@dataclass
class LoginResult:
    user: User
    session: UserSession
    token: str


def login(
    db: Session,
    username: str,
    password: str,
    settings: Settings,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """Check the password and open a session.

    Raises LoginFailed or AccountLocked *after* recording the failure: the caller must commit even then
    (the router returns the error instead of raising it) or throttling would never count anything.
    """
    now = now or utcnow()
    lock = timedelta(minutes=settings.login_lock_minutes)
    # Throttled per (username, address) with a growing wait, and per address: no one can lock a user out from
    # elsewhere, and one address cannot guess many passwords of one user or one password of many users.
    ukey, ikey = pair_key(username, ip), ip_key(ip)
    # Write first: on SQLite (WAL) a transaction that reads and then writes fails at once with "database is
    # locked" when another login committed in between; one that starts by writing waits its turn instead.
    for key in (ukey, ikey):
        repository.ensure_throttle(db, key, now)
    for key in (ukey, ikey):
        until = locked_until(db, key, now)
        if until is not None:
            seconds = max(1, math.ceil((until - now).total_seconds()))
            audit(
                db,
                None,
                AuditAction.login_failed,
                ("user", None),
                {"reason": "locked"},
                ip=ip,
                username=username[:64],
            )
            raise AccountLocked(seconds)

    user = repository.get_user_by_username(db, normalize_username(username))
    if user is None:
        # Same work as a real check, so response time does not reveal which usernames exist.
        verify_password(
            dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism),
            password,
            settings,
        )
        ok = False
    else:
        ok = verify_password(user.password_hash, password, settings)
    reason = None
    if not ok:
        reason = "bad_credentials"
    elif user is not None and not user.active:
        reason = "inactive"
    elif user is not None and user.is_demo and not settings.demo_mode:
        reason = "demo_account_outside_demo_mode"
    if reason is not None or user is None:
        record_failure(
            db, ukey, settings.login_max_failures, PAIR_WINDOW, now, lambda n: backoff(n, settings)
        )
        record_failure(db, ikey, settings.login_max_failures_per_ip, lock, now, lambda _: lock)
        if user is not None:
            user.failed_login_count += 1
            user.last_failed_login_at = now
        audit(
            db,
            user,
            AuditAction.login_failed,
            ("user", user.id if user else None),
            {"reason": reason},
            ip=ip,
            username=username[:64],
        )
        raise LoginFailed()

    if hasher(settings).check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password, settings)
    clear_failures(db, ukey)
    # Housekeeping on the way: ended sessions and old counters have no further use after a day.
    repository.purge_ended_sessions(db, user.id, before=now - timedelta(days=1))
    repository.purge_stale_throttles(db, before=now - timedelta(days=1), now=now)
    user.failed_login_count = 0
    user.last_login_at = now
    result = open_session(db, user, settings, ip=ip, user_agent=user_agent, now=now)
    audit(db, user, AuditAction.login, ("user", user.id), {"session_id": result.session.id}, ip=ip)
    return result


def open_session(
    db: Session,
    user: User,
    settings: Settings,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    now = now or utcnow()
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    sess = UserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_max_hours),
        user_agent=(user_agent or "")[:300] or None,
        ip=ip,
    )
    db.add(sess)
    db.flush()
    return LoginResult(user=user, session=sess, token=token)


def authenticate(
    db: Session, token: str, settings: Settings, *, now: datetime | None = None
) -> tuple[User, UserSession] | None:
    """The live session for ``token``, or None when unknown, revoked, idle too long or past its cap."""
    now = now or utcnow()
    sess = repository.get_session_by_hash(db, token_hash(token))
    if sess is None or sess.revoked_at is not None:
        return None
    if as_utc(sess.expires_at) <= now:
        return None
    if as_utc(sess.last_seen_at) + timedelta(minutes=settings.session_ttl_minutes) <= now:
        return None
    user = sess.user
    if not user.active or (user.is_demo and not settings.demo_mode):
        return None
    if now - as_utc(sess.last_seen_at) >= LAST_SEEN_RESOLUTION:
        sess.last_seen_at = now
    return user, sess


def revoke_token(db: Session, token: str) -> None:
    """End the session of ``token`` if it is live (a new login replaces the browser's previous session)."""
    sess = repository.get_session_by_hash(db, token_hash(token))
    if sess is not None and sess.revoked_at is None:
        sess.revoked_at = utcnow()


def logout(db: Session, principal: Principal) -> None:
    if principal.session is not None:
        principal.session.revoked_at = utcnow()
    audit(db, principal, AuditAction.logout, ("user", principal.user.id))
