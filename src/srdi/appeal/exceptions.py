"""User-facing errors of the appeals domain (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed


class AppealNotFound(NotFoundError):
    def __init__(self, appeal_id: object) -> None:
        super().__init__("未找到该诉求", f"appeal {appeal_id} not found")


class DepartmentNotFound(NotFoundError):
    def __init__(self, key: object) -> None:
        super().__init__(f"未找到责任单位 {key}", f"department {key} not found")


class CategoryNotFound(ValidationFailed):
    def __init__(self, key: object) -> None:
        super().__init__(f"诉求类别 {key} 不存在", f"appeal category {key} not found")


class InvalidAppeal(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class TransitionNotAllowed(ConflictError):
    code = "transition_not_allowed"

    def __init__(self, action_label: str, status_label: str, action: str, status: str) -> None:
        super().__init__(
            f"诉求当前状态为“{status_label}”，不能执行“{action_label}”",
            f"action {action} not allowed from status {status}",
            details={"action": action, "status": status},
        )


class ConcurrentChange(ConflictError):
    code = "concurrent_change"

    def __init__(self, appeal_id: int) -> None:
        super().__init__(
            "该诉求刚被他人处理，请刷新后重试",
            f"appeal {appeal_id} changed concurrently",
            details={"id": appeal_id},
        )


class NotYourAppeal(PermissionDenied):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class DuplicateAppeal(ConflictError):
    code = "duplicate_appeal"

    def __init__(self, existing_id: int, title: str) -> None:
        super().__init__(
            f"您已提交过相似的诉求（编号 {existing_id}：{title}），该诉求仍在办理中，请勿重复提交",
            f"similar open appeal {existing_id} exists",
            details={"existing_id": existing_id},
        )


class InvalidCalendar(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
