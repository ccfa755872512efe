"""User-facing errors of matchmaking (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import ConflictError, NotFoundError, ValidationFailed


class NeedNotFound(NotFoundError):
    def __init__(self, need_id: object) -> None:
        super().__init__("未找到该需求", f"match need {need_id} not found")


class BidNotFound(NotFoundError):
    def __init__(self, bid_id: object) -> None:
        super().__init__("未找到该揭榜方案", f"bid {bid_id} not found")


class CapabilityNotFound(NotFoundError):
    def __init__(self, capability_id: object) -> None:
        super().__init__("未找到该能力或产品", f"capability {capability_id} not found")


class MilestoneNotFound(NotFoundError):
    def __init__(self, milestone_id: object) -> None:
        super().__init__("未找到该里程碑", f"milestone {milestone_id} not found")


class InvalidPosting(ValidationFailed):
    code = "invalid_posting"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class DuplicatePosting(ConflictError):
    code = "duplicate_posting"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class ActionNotAllowed(ConflictError):
    code = "action_not_allowed"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
