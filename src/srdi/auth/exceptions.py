"""Errors of authentication and account management (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import AppError, ConflictError, NotFoundError, ValidationFailed


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, message_zh: str = "请先登录", message_en: str = "not authenticated"):
        super().__init__(message_zh, message_en)


class LoginFailed(AppError):
    status_code = 401
    code = "login_failed"

    def __init__(self) -> None:
        # One message for unknown user, wrong password and disabled account: no account enumeration.
        super().__init__("用户名或密码错误", "login failed")


class AccountLocked(AppError):
    status_code = 429
    code = "login_locked"

    def __init__(self, seconds: int):
        wait = f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分钟"
        super().__init__(
            f"登录失败次数过多，请 {wait}后再试",
            f"too many failed logins; retry in {seconds} s",
            details={"retry_after_seconds": seconds},
        )
        self.retry_after_seconds = seconds


class CsrfFailed(AppError):
    status_code = 403
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "安全校验失败，请刷新页面后重试",
            "missing or invalid X-CSRF-Token for a cookie-authenticated write",
        )


class WeakPassword(ValidationFailed):
    code = "weak_password"


class InvalidUserData(ValidationFailed):
    code = "invalid_user"


class UsernameTaken(ConflictError):
    def __init__(self, username: str):
        super().__init__(f"用户名 {username} 已存在", f"username {username} exists")


class UserNotFound(NotFoundError):
    def __init__(self, user_id: object):
        super().__init__("用户不存在", f"user not found: {user_id}")
