"""FastAPI dependencies: who is calling (``current_user``), may they (``require_roles``), what may they see.

A request authenticates either with the HttpOnly session cookie set at login — then every state-changing
request must echo the CSRF token in ``X-CSRF-Token`` — or with ``Authorization: Bearer <token>`` from
``POST /api/v1/auth/token``, which a browser never sends by itself and so needs no CSRF token.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from srdi.auth import service
from srdi.auth.enums import Role
from srdi.auth.exceptions import CsrfFailed, NotAuthenticated
from srdi.auth.service import Principal
from srdi.config import Settings, get_settings
from srdi.db.session import DbSession
from srdi.kit.errors import PermissionDenied

SESSION_COOKIE = "srdi_session"
CSRF_COOKIE = "srdi_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SettingsDep = Annotated[Settings, Depends(get_settings)]


def client_ip(request: Request) -> str | None:
    """The client's address, or None when it is not a valid IP address.

    The direct peer, unless ``srdi serve`` was told to trust a proxy (SRDI_TRUSTED_PROXIES): then uvicorn has
    put the address that proxy reported here. Whatever arrives is checked, so an arbitrary X-Forwarded-For text
    never reaches the throttle keys or ``audit_log.ip``.
    """
    host = request.client.host if request.client else None
    if not host or len(host) > 45:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _token(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None, "bearer"
    return request.cookies.get(SESSION_COOKIE), "cookie"


def optional_user(request: Request, db: DbSession, settings: SettingsDep) -> Principal | None:
    token, via = _token(request)
    if not token:
        return None
    found = service.authenticate(db, token, settings)
    if found is None:
        raise NotAuthenticated("登录已过期或无效，请重新登录", "session expired, revoked or unknown")
    if (
        via == "cookie"
        and request.method not in SAFE_METHODS
        and not service.csrf_valid(token, request.headers.get(CSRF_HEADER), settings)
    ):
        raise CsrfFailed()
    user, sess = found
    return Principal(user=user, session=sess, via=via, ip=client_ip(request))


# Declares the bearer scheme in the OpenAPI document (the "Authorize" button of /docs); optional_user reads it.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="令牌由 POST /api/v1/auth/token 取得；在网页登录后，浏览器的会话 Cookie 同样有效。",
)


def current_user(
    principal: Annotated[Principal | None, Depends(optional_user)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """Dependency admitting only ``roles``; ``allowed_roles`` on it lets tools list the route's policy."""
    allowed = frozenset(roles)

    def _require(principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            raise PermissionDenied(
                f"当前角色（{principal.role.label}）无权执行此操作",
                f"role {principal.role} not in {sorted(allowed)}",
            )
        return principal

    _require.allowed_roles = allowed  # type: ignore[attr-defined]
    return _require
