"""API shapes of authentication, accounts and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from srdi.auth.enums import Role, audit_action_label, audit_object_label
from srdi.kit.text import clean_name

ORM = ConfigDict(from_attributes=True)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64, description="用户名", examples=["admin"])
    password: str = Field(min_length=1, max_length=200, description="密码")


class UserOut(BaseModel):
    model_config = ORM

    id: int
    username: str = Field(description="用户名")
    display_name: str = Field(description="显示名称")
    role: Role = Field(description="角色")
    role_label: str = Field(description="角色中文名")
    region_code: str | None = Field(description="管辖区划代码前缀（省2位/市4位/区县6位）")
    region_label: str | None = Field(description="管辖区划名称")
    enterprise_id: int | None = Field(description="所属企业编号（企业用户）")
    department: str | None = Field(description="所属责任单位（责任单位经办人）")
    active: bool = Field(description="是否启用")
    is_demo: bool = Field(description="是否演示账号")
    last_login_at: datetime | None = Field(None, description="最近登录时间")
    failed_login_count: int = Field(0, description="自上次成功登录以来的失败次数")


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="CSRF 令牌：Cookie 登录后，修改类请求须在 X-CSRF-Token 请求头中带上")
    expires_at: datetime = Field(description="会话最迟失效时间；空闲超过设定时长也会失效")
    idle_timeout_minutes: int = Field(description="空闲失效时长（分钟）")


class TokenOut(BaseModel):
    access_token: str = Field(description="以 Authorization: Bearer <token> 使用；无需 CSRF 令牌")
    token_type: str = "bearer"
    expires_at: datetime
    user: UserOut


class DemoAccountOut(BaseModel):
    username: str
    display_name: str
    role: Role
    role_label: str
    scope: str | None = Field(description="数据范围说明")


class DemoAccountsOut(BaseModel):
    password: str = Field(description="所有演示账号的统一密码（仅演示模式下公开）")
    accounts: list[DemoAccountOut]


class UserCreateIn(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^\S+$", description="用户名")
    display_name: str = Field(min_length=1, max_length=100, description="显示名称")
    role: Role = Field(description="角色")
    password: str = Field(min_length=1, max_length=200, description="初始密码（至少8位，含字母和数字）")
    region_code: str | None = Field(
        None,
        pattern=r"^\d{2}(\d{2}){0,2}$",
        description="官员/服务专员：管辖区划代码（区县6位、市4位、省2位）",
    )
    enterprise_id: int | None = Field(None, ge=1, description="企业用户/链主：所属企业编号")
    department: str | None = Field(None, max_length=100, description="责任单位经办人：所属责任单位")

    @field_validator("username", "display_name", "department")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        # A look-alike of another account (zero-width or direction-control characters) is refused.
        return None if v is None else clean_name(v)


class PasswordResetIn(BaseModel):
    new_password: str = Field(min_length=1, max_length=200, description="新密码（至少8位，含字母和数字）")


class PasswordChangeIn(BaseModel):
    old_password: str = Field(min_length=1, max_length=200, description="原密码")
    new_password: str = Field(min_length=1, max_length=200, description="新密码（至少8位，含字母和数字）")


class AuditLogOut(BaseModel):
    model_config = ORM

    id: int
    at: datetime = Field(description="时间")
    user_id: int | None
    username: str | None = Field(description="操作人")
    role: str | None = Field(description="操作人角色")
    action: str = Field(description="操作（代码）")
    object_type: str | None = Field(description="对象类型")
    object_id: str | None = Field(description="对象编号")
    detail: dict[str, Any] = Field(description="详情")
    ip: str | None = Field(description="来源地址")

    @computed_field(description="操作（名称）")  # type: ignore[prop-decorator]
    @property
    def action_label(self) -> str:
        return audit_action_label(self.action)

    @computed_field(description="对象类型（名称）")  # type: ignore[prop-decorator]
    @property
    def object_label(self) -> str | None:
        return audit_object_label(self.object_type)


class RoleOut(BaseModel):
    value: Role = Field(description="角色")
    label: str = Field(description="角色名称")
    binding: str = Field(
        description="账号须绑定：region（管辖区划）、enterprise（所属企业）、department（责任单位）或 none"
    )
    region_digits: int | None = Field(description="管辖区划代码位数（区县6位、市4位、省2位；服务专员不限）")
