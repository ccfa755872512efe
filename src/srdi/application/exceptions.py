"""User-facing errors of applications and review (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed


class ApplicationNotFound(NotFoundError):
    def __init__(self, application_id: object) -> None:
        super().__init__("未找到该申报", f"application {application_id} not found")


class BatchNotFound(NotFoundError):
    def __init__(self, batch_id: object) -> None:
        super().__init__("未找到该申报批次", f"batch {batch_id} not found")


class EvidenceNotFound(NotFoundError):
    def __init__(self, file_id: object) -> None:
        super().__init__("未找到该证明材料", f"evidence file {file_id} not found")


class AssignmentNotFound(NotFoundError):
    def __init__(self, assignment_id: object) -> None:
        super().__init__("未找到该评审任务", f"assignment {assignment_id} not found")


class InvalidApplication(ValidationFailed):
    def __init__(self, zh: str, en: str, details: object = None) -> None:
        super().__init__(zh, en, details=details)


class ApplicationConflict(ConflictError):
    code = "application_conflict"

    def __init__(self, zh: str, en: str, details: object = None) -> None:
        super().__init__(zh, en, details=details)


class ConcurrentChange(ConflictError):
    code = "concurrent_change"

    def __init__(self, application_id: int) -> None:
        super().__init__(
            "该申报刚被他人处理，请刷新后重试",
            f"application {application_id} changed concurrently",
            details={"id": application_id},
        )


class NotYourStep(PermissionDenied):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class ForbiddenFile(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class DynamicNotFound(NotFoundError):
    """An annual update task, major-change report or recognition outside the caller's reach (404, as if absent)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
