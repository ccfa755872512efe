"""User-facing errors of the policy domain (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed


class PolicyNotFound(NotFoundError):
    def __init__(self, key: object) -> None:
        super().__init__("未找到该政策", f"policy {key} not found")


class NotADraft(ConflictError):
    def __init__(self, version_id: int, status: str) -> None:
        super().__init__("只有草稿可以测算或发布", f"policy version {version_id} is {status}, not a draft")


class InvalidDraft(ValidationFailed):
    def __init__(self, problem: str) -> None:
        super().__init__(f"政策草稿有误：{problem}", f"invalid policy draft: {problem}")


class ImplausibleAnswer(ValidationFailed):
    def __init__(self, problem: str) -> None:
        super().__init__(problem, "answer outside the plausible range declared by the policy")


class OutsidePolicyRegion(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("该政策的适用地区超出本账号的管理范围", "policy region outside the caller's scope")


class VerificationNotFound(NotFoundError):
    def __init__(self, rid: int) -> None:
        super().__init__("未找到该核验事项", f"verification request {rid} not found")


class VerificationClosed(ConflictError):
    def __init__(self, label: str) -> None:
        super().__init__(
            f"该核验事项已处理（{label}），不能重复处理", f"verification request already {label}"
        )
