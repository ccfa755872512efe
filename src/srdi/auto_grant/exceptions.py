"""User-facing errors of 免申即享 (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import ConflictError, NotFoundError, ValidationFailed


class GrantNotFound(NotFoundError):
    def __init__(self, gid: object) -> None:
        super().__init__("未找到该免申即享事项", f"grant {gid} not found")


class RunNotFound(NotFoundError):
    def __init__(self, rid: object) -> None:
        super().__init__("未找到该免申即享批次", f"grant run {rid} not found")


class BatchNotFound(NotFoundError):
    def __init__(self, bid: object) -> None:
        super().__init__("未找到该拨付批次", f"disbursement batch {bid} not found")


class ContestNotFound(NotFoundError):
    def __init__(self, cid: object) -> None:
        super().__init__("未找到该异议", f"contest {cid} not found")


class NotAutoGrant(ValidationFailed):
    def __init__(self, key: str) -> None:
        super().__init__(
            "该政策不是可拨付资金的免申即享政策（需为免申即享方式且有金额公式）",
            f"policy {key} is not a monetary auto_grant policy",
        )


class TransitionNotAllowed(ConflictError):
    def __init__(self, current: str, target: str, label: str) -> None:
        super().__init__(
            f"当前状态（{label}）不能执行此操作", f"grant transition {current} -> {target} not allowed"
        )


class BadAccount(ValidationFailed):
    def __init__(self) -> None:
        super().__init__("银行账号应为8至30位数字", "bank account must be 8-30 digits")


class ContestClosed(ConflictError):
    def __init__(self) -> None:
        super().__init__("该异议已处理完毕", "contest already resolved")


class ExecutorsDisagree(ConflictError):
    def __init__(self, enterprise_id: int) -> None:
        super().__init__(
            "批量比对与逐户核验结果不一致，批次已中止，请联系管理员",
            f"batch and trace executors disagree for enterprise {enterprise_id}",
        )


class RunLeaseLost(ConflictError):
    """Another process took the run over (this one was presumed dead): stop without writing this chunk."""

    def __init__(self, rid: object) -> None:
        super().__init__("该批次已由其他进程接续执行，本进程已停止", f"grant run {rid}: lease lost")


class RunBusy(ConflictError):
    def __init__(self, rid: object) -> None:
        super().__init__(
            "该批次正在由其他进程执行，请稍后查看进度",
            f"grant run {rid} is being executed by another process",
        )
