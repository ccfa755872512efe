"""User-facing errors of the financing domain (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import ConflictError, NotFoundError, ValidationFailed


class FinanceNotFound(NotFoundError):
    def __init__(self, what_zh: str, what_en: str, key: object) -> None:
        super().__init__(f"未找到该{what_zh}", f"{what_en} {key} not found")


class WhitelistNotFound(FinanceNotFound):
    def __init__(self, key: object) -> None:
        super().__init__("白名单", "whitelist", key)


class RunNotFound(FinanceNotFound):
    def __init__(self, key: object) -> None:
        super().__init__("白名单批次", "whitelist run", key)


class ProductNotFound(FinanceNotFound):
    def __init__(self, key: object) -> None:
        super().__init__("贷款产品", "loan product", key)


class RequestNotFound(FinanceNotFound):
    def __init__(self, key: object) -> None:
        super().__init__("融资需求", "financing request", key)


class BankNotFound(FinanceNotFound):
    def __init__(self, key: object) -> None:
        super().__init__("金融机构", "bank", key)


class NotABankUser(ValidationFailed):
    code = "not_a_bank_user"

    def __init__(self) -> None:
        super().__init__(
            "该账号尚未关联所属金融机构，请联系平台管理员在“银行账号”页面关联",
            "this account is not linked to a bank",
        )


class RunAlreadyApproved(ConflictError):
    code = "run_already_approved"

    def __init__(self, list_key: str, period: str) -> None:
        super().__init__(
            f"{period} 期白名单已审定发布，不能重新生成", f"whitelist {list_key} {period} is already approved"
        )


class InvalidPeriod(ValidationFailed):
    def __init__(self, period: str, kind: str) -> None:
        want = "2026Q4" if kind == "quarter" else "2026"
        super().__init__(f"期次 {period} 格式不对，应为 {want}", f"period {period!r} should look like {want}")


class InvalidEligibility(ValidationFailed):
    code = "invalid_eligibility"

    def __init__(self, zh: str, en: str, fields: list[str] | None = None) -> None:
        super().__init__(zh, en, details={"fields": fields or []})


class InvalidProduct(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class InvalidRequest(ValidationFailed):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class TransitionNotAllowed(ConflictError):
    code = "transition_not_allowed"

    def __init__(self, action_label: str, status_label: str) -> None:
        super().__init__(
            f"融资需求当前状态为“{status_label}”，不能执行“{action_label}”",
            f"action {action_label} not allowed from status {status_label}",
        )


class ProductNotReviewable(ConflictError):
    code = "product_not_reviewable"

    def __init__(self, status_label: str) -> None:
        super().__init__(f"产品当前状态为“{status_label}”，不能审核", f"product in status {status_label}")
