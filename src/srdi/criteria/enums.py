from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """申报 (new application) or 复核 (re-review on expiry) — the regime can differ (CRITERIA §1)."""

    new_application = "new_application"
    re_review = "re_review"


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


OUTCOME_LABELS = {"pass": "达到", "fail": "未达到", "unknown": "待补充数据"}


class DynamicCategory(StrEnum):
    """The 动态管理 lists (有进有出)."""

    newly_eligible = "newly_eligible"
    at_risk = "at_risk"
    expiring = "expiring"
    to_be_revoked = "to_be_revoked"
    update_overdue = "update_overdue"
