"""Accounts, logins, sessions, scopes and the audit log. Services never commit (convention 8)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from srdi.auth import repository
from srdi.auth.enums import (
    ENTERPRISE_BOUND_ROLES,
    OFFICIAL_SCOPE_LENGTH,
    REGION_SCOPED_ROLES,
    AuditAction,
    Role,
    audit_action_label,
)
from srdi.auth.exceptions import (
    AccountLocked,
    InvalidUserData,
    LoginFailed,
    UsernameTaken,
    UserNotFound,
    WeakPassword,
)
from srdi.auth.models import AuditLog, User, UserSession
from srdi.auth.repository import AuditFilter as AuditFilter
from srdi.auth.repository import list_audit as list_audit
from srdi.auth.repository import list_users as list_users
from srdi.auth.repository import normalize_username
from srdi.config import Settings
from srdi.db.base import utcnow
from srdi.kit.errors import AppError, PermissionDenied
from srdi.kit.reference import regions

SESSION_TOKEN_BYTES = 32
# last_seen_at is written at most this often, so reads do not each cost a write.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
MIN_PASSWORD_LENGTH = 8


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- passwords -----------------------------------------------------------------------------------------


@lru_cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


def hash_password(password: str, settings: Settings) -> str:
    return hasher(settings).hash(password)


def verify_password(password_hash: str, password: str, settings: Settings) -> bool:
    try:
        return hasher(settings).verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(16))


def check_password_strength(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位", f"password shorter than {MIN_PASSWORD_LENGTH}"
        )
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise WeakPassword("密码须同时包含字母和数字", "password needs letters and digits")
    if password.lower() == username.lower():
        raise WeakPassword("密码不能与用户名相同", "password equals username")


# --- scope ---------------------------------------------------------------------------------------------


class EnterpriseRestrictable(Protocol):
    region_scope: list[str] | None
    enterprise_ids: list[int] | None


@dataclass(frozen=True)
class Scope:
    """Which enterprises a user may see: ``None`` means no restriction on that axis; empty means nothing."""

    region_prefixes: tuple[str, ...] | None = None
    enterprise_ids: tuple[int, ...] | None = None

    @property
    def unrestricted(self) -> bool:
        return self.region_prefixes is None and self.enterprise_ids is None

    def allows(self, region_code: str | None, enterprise_id: int | None) -> bool:
        if self.enterprise_ids is not None and enterprise_id not in self.enterprise_ids:
            return False
        if self.region_prefixes is not None:
            return region_code is not None and any(region_code.startswith(p) for p in self.region_prefixes)
        return True

    def allows_region(self, region_code: str) -> bool:
        """May this user create or move an enterprise into ``region_code``? (enterprise-bound users: never)"""
        if self.enterprise_ids is not None:
            return False
        return self.region_prefixes is None or any(region_code.startswith(p) for p in self.region_prefixes)

    def restrict(self, flt: EnterpriseRestrictable) -> None:
        """Narrow an EnterpriseFilter (srdi.enterprise.repository) to this scope."""
        if self.region_prefixes is not None:
            flt.region_scope = list(self.region_prefixes)
        if self.enterprise_ids is not None:
            flt.enterprise_ids = list(self.enterprise_ids)


def scope_for(user: User) -> Scope:
    role = Role(user.role)
    if role is Role.admin:
        return Scope()
    if role in ENTERPRISE_BOUND_ROLES:
        return Scope(enterprise_ids=(user.enterprise_id,) if user.enterprise_id else ())
    if role in REGION_SCOPED_ROLES:
        return Scope(region_prefixes=(user.region_code,) if user.region_code else ())
    # Experts, banks and department handlers reach enterprises only through their own workflows
    # (assigned applications, the whitelist, routed appeals), never by browsing the registry.
    return Scope(region_prefixes=())


def scope_label(user: User) -> str | None:
    code = user.region_code
    if not code:
        return None
    if len(code) == 2:
        return next((r.province_name for r in regions().values() if r.province_code == code), code)
    if len(code) == 4:
        r = next((r for r in regions().values() if r.city_code == code), None)
        if r is None:
            return code
        return r.province_name + (r.city_name if r.city_name not in ("市辖区", "县") else "")
    r6 = regions().get(code)
    return r6.full_name if r6 else code


def scope_description(db: Session, user: User) -> str | None:
    """What the account may see, in words: its region, its department or its enterprise's name."""
    if user.enterprise_id is not None:
        return repository.enterprise_name(db, user.enterprise_id)
    return scope_label(user) or user.department


# --- the authenticated principal --------------------------------------------------------------------


@dataclass
class Principal:
    """The user behind one request, how they authenticated, and from where."""

    user: User
    session: UserSession | None
    via: str  # "cookie" | "bearer"
    ip: str | None = None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def scope(self) -> Scope:
        return scope_for(self.user)


# --- audit ---------------------------------------------------------------------------------------------


def _jsonable(detail: dict[str, Any] | None) -> dict[str, Any]:
    if not detail:
        return {}
    loaded: dict[str, Any] = json.loads(json.dumps(detail, default=str, ensure_ascii=False))
    return loaded


def audit(
    db: Session,
    actor: Principal | User | None,
    action: str | AuditAction,
    obj: tuple[str, object] | None = None,
    detail: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
    username: str | None = None,
) -> AuditLog:
    """Write one audit row in the caller's transaction: it commits or rolls back with the change itself."""
    user = actor.user if isinstance(actor, Principal) else actor
    if ip is None and isinstance(actor, Principal):
        ip = actor.ip
    row = AuditLog(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else username,
        role=user.role if user is not None else None,
        action=str(action),
        object_type=obj[0] if obj else None,
        object_id=str(obj[1]) if obj and obj[1] is not None else None,
        detail=_jsonable(detail),
        ip=ip,
    )
    db.add(row)
    return row


# --- login throttling ----------------------------------------------------------------------------------


def _locked_until(db: Session, key: str, now: datetime) -> datetime | None:
    row = repository.get_throttle(db, key)
    if row is None or row.locked_until is None:
        return None
    until = as_utc(row.locked_until)
    return until if until > now else None


def _record_failure(
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


def _clear(db: Session, key: str) -> None:
    row = repository.get_throttle(db, key)
    if row is not None:
        db.delete(row)


def _pair_key(username: str, ip: str | None) -> str:
    """One username tried from one address: what the backoff counts (45 + 64 characters fit the key's 120)."""
    return f"pair:{ip or 'unknown'}|{normalize_username(username)[:64]}"


# How long a (username, address) pair's failures are remembered: long enough that the backoff keeps growing.
PAIR_WINDOW = timedelta(days=1)


def _ip_key(ip: str | None) -> str:
    return "ip:" + (ip or "unknown")


# --- sessions ------------------------------------------------------------------------------------------


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
    ukey, ikey = _pair_key(username, ip), _ip_key(ip)
    # Write first: on SQLite (WAL) a transaction that reads and then writes fails at once with "database is
    # locked" when another login committed in between; one that starts by writing waits its turn instead.
    for key in (ukey, ikey):
        repository.ensure_throttle(db, key, now)
    for key in (ukey, ikey):
        until = _locked_until(db, key, now)
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
            _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism),
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
        _record_failure(
            db, ukey, settings.login_max_failures, PAIR_WINDOW, now, lambda n: backoff(n, settings)
        )
        _record_failure(db, ikey, settings.login_max_failures_per_ip, lock, now, lambda _: lock)
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
    _clear(db, ukey)
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


# --- accounts ------------------------------------------------------------------------------------------


@dataclass
class UserData:
    username: str
    display_name: str
    role: Role
    password: str
    region_code: str | None = None
    enterprise_id: int | None = None
    department: str | None = None
    is_demo: bool = False


def _valid_region_prefix(code: str) -> bool:
    return any(r.code.startswith(code) for r in regions().values())


def validate_assignment(
    role: Role, region_code: str | None, enterprise_id: int | None, department: str | None
) -> None:
    """Each role carries exactly the binding its scope needs (and no other, so no scope is ambiguous)."""
    if role in REGION_SCOPED_ROLES:
        need = OFFICIAL_SCOPE_LENGTH.get(role)
        if not region_code or not region_code.isdigit():
            raise InvalidUserData(f"{role.label}须指定管辖行政区划代码", f"{role} needs region_code")
        if need is not None and len(region_code) != need:
            raise InvalidUserData(
                f"{role.label}的行政区划代码应为 {need} 位", f"{role} region_code must have {need} digits"
            )
        if len(region_code) not in (2, 4, 6) or not _valid_region_prefix(region_code):
            raise InvalidUserData(f"行政区划代码 {region_code} 不存在", f"unknown region_code {region_code}")
    elif region_code:
        raise InvalidUserData(f"{role.label}不按行政区划授权", f"{role} takes no region_code")
    if role in ENTERPRISE_BOUND_ROLES:
        if enterprise_id is None:
            raise InvalidUserData(f"{role.label}须绑定一个企业", f"{role} needs enterprise_id")
    elif enterprise_id is not None:
        raise InvalidUserData(f"{role.label}不绑定企业", f"{role} takes no enterprise_id")
    if role is Role.department_handler and not department:
        raise InvalidUserData("责任单位经办人须指定所属责任单位", "department_handler needs department")


def _check_enterprise_exists(db: Session, enterprise_id: int | None) -> None:
    if enterprise_id is None:
        return
    if repository.enterprise_name(db, enterprise_id) is None:
        raise InvalidUserData(f"企业编号 {enterprise_id} 不存在", f"enterprise {enterprise_id} not found")


def create_user(db: Session, data: UserData, settings: Settings, *, actor: Principal | User | None) -> User:
    username = normalize_username(data.username)
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise InvalidUserData("用户名须为 1–64 个非空白字符", "username must be 1-64 non-space characters")
    if repository.get_user_by_username(db, username) is not None:
        raise UsernameTaken(username)
    validate_assignment(data.role, data.region_code, data.enterprise_id, data.department)
    _check_enterprise_exists(db, data.enterprise_id)
    check_password_strength(data.password, username)
    now = utcnow()
    user = User(
        username=username,
        display_name=data.display_name.strip() or username,
        password_hash=hash_password(data.password, settings),
        role=data.role.value,
        region_code=data.region_code,
        enterprise_id=data.enterprise_id,
        department=data.department,
        active=True,
        is_demo=data.is_demo,
        failed_login_count=0,
        password_changed_at=now,
    )
    db.add(user)
    db.flush()
    audit(
        db,
        actor,
        AuditAction.user_created,
        ("user", user.id),
        {
            "username": username,
            "role": data.role.value,
            "region_code": data.region_code,
            "enterprise_id": data.enterprise_id,
            "department": data.department,
            "is_demo": data.is_demo,
        },
        username=None if actor else "cli",
    )
    return user


def get_user_by_username(db: Session, username: str) -> User | None:
    """The account with this name (compared as normalised: case and width do not matter), or None."""
    return repository.get_user_by_username(db, username)


def get_user_or_404(db: Session, user_id: int) -> User:
    user = repository.get_user(db, user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


def set_active(db: Session, user: User, active: bool, *, actor: Principal | User | None) -> User:
    actor_user = actor.user if isinstance(actor, Principal) else actor
    if not active and actor_user is not None and actor_user.id == user.id:
        raise PermissionDenied("不能停用自己的账号", "an administrator cannot deactivate their own account")
    changed = user.active != active
    user.active = active
    if not active:
        # Also when already inactive: a deactivation must leave no live session behind, whatever came before.
        repository.revoke_user_sessions(db, user.id, utcnow())
    # Audited even when nothing changed: the administrator's decision is what the log records.
    audit(
        db,
        actor,
        AuditAction.user_activated if active else AuditAction.user_deactivated,
        ("user", user.id),
        {"username": user.username, "changed": changed},
        username=None if actor else "cli",
    )
    return user


def reset_password(
    db: Session, user: User, new_password: str, settings: Settings, *, actor: Principal | User | None
) -> User:
    """Set a new password and end every session of the account (a reset is what follows a compromise)."""
    check_password_strength(new_password, user.username)
    now = utcnow()
    user.password_hash = hash_password(new_password, settings)
    user.password_changed_at = now
    user.failed_login_count = 0
    repository.revoke_user_sessions(db, user.id, now)
    repository.clear_user_throttles(db, normalize_username(user.username))
    audit(
        db,
        actor,
        AuditAction.password_reset,
        ("user", user.id),
        {"username": user.username},
        username=None if actor else "cli",
    )
    return user


def change_own_password(
    db: Session, principal: Principal, old_password: str, new_password: str, settings: Settings
) -> None:
    user = principal.user
    if not verify_password(user.password_hash, old_password, settings):
        raise AppError("原密码不正确", "old password does not match", code="wrong_password")
    check_password_strength(new_password, user.username)
    now = utcnow()
    user.password_hash = hash_password(new_password, settings)
    user.password_changed_at = now
    # Other sessions end; the one making the change stays.
    repository.revoke_user_sessions(
        db, user.id, now, except_id=principal.session.id if principal.session else None
    )
    audit(db, principal, AuditAction.password_changed, ("user", user.id))


AUDIT_CSV_COLUMNS = (
    "时间（北京时间）",
    "操作人",
    "角色",
    "操作",
    "操作代码",
    "对象类型",
    "对象编号",
    "来源地址",
    "详情",
)
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection, OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def audit_csv(rows: list[AuditLog], total: int) -> str:
    """The audit rows as CSV text: Beijing time, role labels, details as JSON; every cell formula-safe."""
    import csv
    import io
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo("Asia/Shanghai")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_CSV_COLUMNS)
    for r in rows:
        role = Role(r.role).label if r.role and r.role in Role._value2member_map_ else r.role
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    as_utc(r.at).astimezone(beijing).strftime("%Y-%m-%d %H:%M:%S"),
                    r.username,
                    role,
                    audit_action_label(r.action),
                    r.action,
                    r.object_type,
                    r.object_id,
                    r.ip,
                    json.dumps(r.detail or {}, ensure_ascii=False, sort_keys=True),
                )
            ]
        )
    if total > len(rows):
        writer.writerow([_csv_cell(f"（仅导出前 {len(rows)} 行，共 {total} 行；请缩小查询范围）")])
    return out.getvalue()
