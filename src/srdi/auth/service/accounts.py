"""Accounts: creation with the binding each role needs, activation, password reset and change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from srdi.auth import repository
from srdi.auth.enums import (
    ENTERPRISE_BOUND_ROLES,
    OFFICIAL_SCOPE_LENGTH,
    REGION_SCOPED_ROLES,
    AuditAction,
    Role,
)
from srdi.auth.exceptions import (
    InvalidUserData,
    UsernameTaken,
    UserNotFound,
)
from srdi.auth.models import User
from srdi.auth.repository import list_users as list_users
from srdi.auth.repository import normalize_username
from srdi.auth.service.auditing import audit
from srdi.auth.service.passwords import check_password_strength, hash_password, verify_password
from srdi.auth.service.principal import Principal
from srdi.config import Settings
from srdi.db.base import utcnow
from srdi.kit.errors import AppError, PermissionDenied
from srdi.kit.reference import regions


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
