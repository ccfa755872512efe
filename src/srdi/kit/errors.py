"""Errors that reach users: a stable code, a Chinese message for people and an English one for logs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message_zh: str, message_en: str, *, details: Any = None, code: str | None = None):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.details = details
        if code:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message_zh, "message_en": self.message_en}
        if self.details is not None:
            body["details"] = self.details
        return body


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_failed"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class PermissionDenied(AppError):
    status_code = 403
    code = "forbidden"


class ErrorOut(BaseModel):
    """The body of every error answer of the API."""

    code: str = Field(description="错误代码", examples=["not_found"])
    message: str = Field(description="中文错误信息", examples=["未找到该企业"])
    message_en: str = Field(description="English message for logs")
    details: Any = Field(None, description="逐项错误说明")


# Documented on every API operation: any of them may answer with these, always with an ErrorOut body.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "请求有误"),
        (401, "未登录或登录已过期"),
        (403, "没有权限，或缺少 CSRF 令牌"),
        (404, "不存在，或不在本账号的数据范围内"),
        (409, "与现有数据冲突"),
        (413, "请求或文件过大"),
        (422, "提交的数据有误（details 逐项说明）"),
        (429, "请求过于频繁"),
        (503, "系统繁忙（数据库连接已满），请按 Retry-After 稍后重试"),
    )
}
