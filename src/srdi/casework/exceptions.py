"""User-facing errors of casework."""

from __future__ import annotations

from srdi.kit.errors import NotFoundError, ValidationFailed


class NotACommissioner(ValidationFailed):
    def __init__(self, user_id: int) -> None:
        super().__init__("所选用户不是服务专员", f"user {user_id} is not an active service commissioner")


class OutsideCommissionerRegion(ValidationFailed):
    def __init__(self) -> None:
        super().__init__("企业不在该服务专员的服务区域内", "enterprise outside the commissioner's region")


class InvalidVisit(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class CommissionerNotFound(NotFoundError):
    def __init__(self, user_id: int) -> None:
        super().__init__("未找到该服务专员", f"commissioner {user_id} not found")
