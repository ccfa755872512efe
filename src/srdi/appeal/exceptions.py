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
    """A similar appeal of the same enterprise is still open (指引: 重复提交 while in progress). The enterprise is
    pointed to it; staff, who may know better (a new problem worded alike), may file anyway with confirm_duplicate."""

    code = "duplicate_appeal"

    def __init__(
        self,
        existing_id: int,
        title: str,
        *,
        status_label: str = "",
        similarity: float = 0.0,
        staff: bool = False,
    ) -> None:
        where = f"编号 {existing_id}：{title}" + (f"，{status_label}" if status_label else "")
        zh = (
            f"该企业已有相似的诉求仍在办理中（{where}）。请先查看该诉求；如确属新的诉求，可选择“仍然登记”"
            if staff
            else f"您已提交过相似的诉求（{where}），该诉求仍在办理中，请勿重复提交；如需补充情况，请在原诉求中上传材料"
        )
        super().__init__(
            zh,
            f"similar open appeal {existing_id} exists",
            details={
                "existing_id": existing_id,
                "existing_title": title,
                "existing_url": f"/appeals/{existing_id}",
                "similarity": round(similarity, 2),
                "can_override": staff,
            },
        )


class InvalidCalendar(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class AttachmentRefused(ValidationFailed):
    code = "attachment_refused"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class AttachmentTooLarge(ValidationFailed):
    status_code = 413
    code = "attachment_too_large"

    def __init__(self, limit_bytes: int, size: int | None = None) -> None:
        mib = limit_bytes / (1024 * 1024)
        super().__init__(
            f"附件超过大小上限 {mib:g} MB，请压缩或拆分后上传",
            f"attachment larger than {limit_bytes} bytes",
            details={"max_bytes": limit_bytes, **({"size": size} if size is not None else {})},
        )


class AttachmentNotFound(NotFoundError):
    def __init__(self, attachment_id: object) -> None:
        super().__init__("未找到该附件", f"attachment {attachment_id} not found")


class InvalidDepartment(ValidationFailed):
    code = "invalid_department"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
