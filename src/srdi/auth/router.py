"""HTTP endpoints: login/logout under /api/v1/auth, account management and the audit log under /api/v1/admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from srdi.auth import service
from srdi.auth.dependencies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    SettingsDep,
    client_ip,
    require_roles,
)
from srdi.auth.enums import (
    ENTERPRISE_BOUND_ROLES,
    OFFICIAL_SCOPE_LENGTH,
    REGION_SCOPED_ROLES,
    AuditAction,
    Role,
)
from srdi.auth.exceptions import AccountLocked
from srdi.auth.models import User
from srdi.auth.schemas import (
    AuditLogOut,
    DemoAccountOut,
    DemoAccountsOut,
    LoginIn,
    PasswordChangeIn,
    PasswordResetIn,
    RoleOut,
    SessionOut,
    TokenOut,
    UserCreateIn,
    UserOut,
)
from srdi.auth.service import Principal
from srdi.config import Settings
from srdi.db.session import DbSession
from srdi.kit.errors import AppError, NotFoundError
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize
from srdi.kit.workdays import beijing_today

router = APIRouter(prefix="/auth", tags=["登录与账号 auth"])
admin_router = APIRouter(prefix="/admin", tags=["系统管理 admin"])

Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
UserId = Annotated[int, Path(description="用户编号", ge=1, le=2**31 - 1)]


def user_out(user: User) -> UserOut:
    role = Role(user.role)
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        role_label=role.label,
        region_code=user.region_code,
        region_label=service.scope_label(user),
        enterprise_id=user.enterprise_id,
        department=user.department,
        active=user.active,
        is_demo=user.is_demo,
        last_login_at=service.as_utc(user.last_login_at) if user.last_login_at else None,
        failed_login_count=user.failed_login_count,
    )


def _error(exc: AppError) -> JSONResponse:
    headers = {}
    if isinstance(exc, AccountLocked):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)


def _login(
    db: DbSession, body: LoginIn, request: Request, settings: Settings
) -> service.LoginResult | JSONResponse:
    try:
        return service.login(
            db,
            body.username,
            body.password,
            settings,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except AppError as exc:
        # Returned, not raised: the failure counter and its audit row must be committed.
        return _error(exc)


def _set_session_cookies(response: Response, token: str, settings: Settings) -> None:
    secure = settings.env == "production"
    max_age = settings.session_max_hours * 3600
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/"
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token (double submit, HMAC-bound to the session).
    response.set_cookie(
        CSRF_COOKIE,
        service.csrf_token_for(token, settings),
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=secure,
        path="/",
    )


@router.post(
    "/login",
    response_model=SessionOut,
    summary="登录（网页：设置会话 Cookie 与 CSRF 令牌）",
    responses={401: {"description": "用户名或密码错误"}, 429: {"description": "失败次数过多，暂时锁定"}},
)
def login(db: DbSession, body: LoginIn, request: Request, response: Response, settings: SettingsDep):  # type: ignore[no-untyped-def]
    result = _login(db, body, request, settings)
    if isinstance(result, JSONResponse):
        return result
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        # Never leave two sessions in one browser: the one the cookie held (perhaps another user's) ends now.
        service.revoke_token(db, previous)
    _set_session_cookies(response, result.token, settings)
    return SessionOut(
        user=user_out(result.user),
        csrf_token=service.csrf_token_for(result.token, settings),
        expires_at=result.session.expires_at,
        idle_timeout_minutes=settings.session_ttl_minutes,
    )


@router.post(
    "/token",
    response_model=TokenOut,
    summary="获取 API 令牌（接口调用方：Authorization: Bearer）",
    responses={401: {"description": "用户名或密码错误"}, 429: {"description": "失败次数过多，暂时锁定"}},
)
def token(db: DbSession, body: LoginIn, request: Request, settings: SettingsDep):  # type: ignore[no-untyped-def]
    result = _login(db, body, request, settings)
    if isinstance(result, JSONResponse):
        return result
    return TokenOut(
        access_token=result.token, expires_at=result.session.expires_at, user=user_out(result.user)
    )


@router.post("/logout", status_code=204, summary="退出登录")
def logout(db: DbSession, principal: CurrentUser) -> Response:
    service.logout(db, principal)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserOut, summary="当前用户")
def me(principal: CurrentUser) -> UserOut:
    return user_out(principal.user)


@router.post("/password", status_code=204, summary="修改本人密码（其他会话随之失效）")
def change_password(
    db: DbSession, principal: CurrentUser, body: PasswordChangeIn, settings: SettingsDep
) -> Response:
    service.change_own_password(db, principal, body.old_password, body.new_password, settings)
    return Response(status_code=204)


@router.get(
    "/demo-accounts",
    response_model=DemoAccountsOut,
    summary="演示账号列表（仅演示模式，供登录页显示）",
    responses={404: {"description": "非演示模式"}},
)
def demo_accounts(db: DbSession, settings: SettingsDep) -> DemoAccountsOut:
    if not settings.demo_mode:
        raise NotFoundError("请求的资源不存在", "demo accounts are listed in demo mode only")
    order = {r: i for i, r in enumerate(Role)}
    users = db.scalars(select(User).where(User.is_demo.is_(True), User.active.is_(True))).all()
    users = sorted(users, key=lambda u: (order.get(Role(u.role), 99), u.username))
    return DemoAccountsOut(
        password=settings.demo_password,
        accounts=[
            DemoAccountOut(
                username=u.username,
                display_name=u.display_name,
                role=Role(u.role),
                role_label=Role(u.role).label,
                scope=service.scope_description(db, u),
            )
            for u in users
        ],
    )


# --- administration ------------------------------------------------------------------------------------


@admin_router.get("/users", response_model=Page[UserOut], summary="用户列表")
def list_users(
    db: DbSession,
    _: Admin,
    role: Annotated[Role | None, Query(description="角色")] = None,
    active: Annotated[bool | None, Query(description="是否启用")] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[UserOut]:
    rows, total = service.list_users(
        db, role=role.value if role else None, active=active, page=page, page_size=page_size
    )
    return Page(items=[user_out(u) for u in rows], total=total, page=page, page_size=page_size)


@admin_router.post("/users", response_model=UserOut, status_code=201, summary="新建用户")
def create_user(db: DbSession, admin: Admin, body: UserCreateIn, settings: SettingsDep) -> UserOut:
    user = service.create_user(
        db,
        service.UserData(
            username=body.username,
            display_name=body.display_name,
            role=body.role,
            password=body.password,
            region_code=body.region_code,
            enterprise_id=body.enterprise_id,
            department=body.department,
        ),
        settings,
        actor=admin,
    )
    return user_out(user)


@admin_router.post("/users/{user_id}/deactivate", response_model=UserOut, summary="停用用户（会话立即失效）")
def deactivate_user(db: DbSession, admin: Admin, user_id: UserId) -> UserOut:
    return user_out(service.set_active(db, service.get_user_or_404(db, user_id), False, actor=admin))


@admin_router.post("/users/{user_id}/activate", response_model=UserOut, summary="启用用户")
def activate_user(db: DbSession, admin: Admin, user_id: UserId) -> UserOut:
    return user_out(service.set_active(db, service.get_user_or_404(db, user_id), True, actor=admin))


@admin_router.post(
    "/users/{user_id}/reset-password", response_model=UserOut, summary="重置密码（该用户所有会话失效）"
)
def reset_password(
    db: DbSession, admin: Admin, user_id: UserId, body: PasswordResetIn, settings: SettingsDep
) -> UserOut:
    user = service.get_user_or_404(db, user_id)
    return user_out(service.reset_password(db, user, body.new_password, settings, actor=admin))


def _audit_filter(
    action: Annotated[
        str | None, Query(max_length=80, description="操作（前缀匹配，如 enterprise.）")
    ] = None,
    username: Annotated[str | None, Query(max_length=64, description="操作人")] = None,
    object_type: Annotated[str | None, Query(max_length=60, description="对象类型")] = None,
    object_id: Annotated[str | None, Query(max_length=80, description="对象编号")] = None,
    since: Annotated[datetime | None, Query(description="起始时间（含）")] = None,
    until: Annotated[datetime | None, Query(description="截止时间（不含）")] = None,
) -> service.AuditFilter:
    return service.AuditFilter(
        action=action,
        username=username,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
    )


AuditQuery = Annotated[service.AuditFilter, Depends(_audit_filter)]
# One export holds at most this many rows (a narrower filter gets the rest); the file says when it was cut.
AUDIT_EXPORT_LIMIT = 50_000


@admin_router.get("/audit-log", response_model=Page[AuditLogOut], summary="审计日志（谁、何时、做了什么）")
def audit_log(
    db: DbSession,
    admin: Admin,
    flt: AuditQuery,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[AuditLogOut]:
    rows, total = service.list_audit(db, flt, page=page, page_size=page_size)
    # The audit log holds personal data (who did what, from where): reading it is itself audited.
    service.audit(db, admin, AuditAction.audit_log_read, ("audit_log", None), {"filter": flt.__dict__})
    return Page(
        items=[AuditLogOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size
    )


@admin_router.get(
    "/audit-log.csv",
    summary="导出审计日志（CSV，UTF-8 带 BOM；按查询条件，最多 5 万行）",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV 文件"}},
)
def export_audit_log(db: DbSession, admin: Admin, flt: AuditQuery) -> Response:
    rows, total = service.list_audit(db, flt, page=1, page_size=AUDIT_EXPORT_LIMIT)
    body = service.audit_csv(rows, total)
    # Exporting who-did-what is itself recorded, with the filter and how many rows left the system.
    service.audit(
        db,
        admin,
        AuditAction.audit_log_exported,
        ("audit_log", None),
        {"filter": flt.__dict__, "rows": len(rows), "total": total},
    )
    stamp = beijing_today().strftime("%Y%m%d")
    return Response(
        content=body.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'},
    )


def _binding(role: Role) -> str:
    if role in REGION_SCOPED_ROLES:
        return "region"
    if role in ENTERPRISE_BOUND_ROLES:
        return "enterprise"
    return "department" if role is Role.department_handler else "none"


@admin_router.get("/roles", response_model=list[RoleOut], summary="角色列表（名称与账号须绑定的范围）")
def list_roles(_: Admin) -> list[RoleOut]:
    return [
        RoleOut(value=r, label=r.label, binding=_binding(r), region_digits=OFFICIAL_SCOPE_LENGTH.get(r))
        for r in Role
    ]
