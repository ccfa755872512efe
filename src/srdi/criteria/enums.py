from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """申报 (new application) or 复核 (re-review on expiry) — the regime can differ (CRITERIA §1)."""

    new_application = "new_application"
    re_review = "re_review"

    @property
    def label(self) -> str:
        return {"new_application": "新申报", "re_review": "复核"}[self.value]


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "运行中", "succeeded": "已完成", "failed": "失败"}[self.value]


class DynamicCategory(StrEnum):
    """The 动态管理 lists (有进有出)."""

    newly_eligible = "newly_eligible"
    at_risk = "at_risk"
    expiring = "expiring"
    to_be_revoked = "to_be_revoked"
    update_overdue = "update_overdue"

    @property
    def label(self) -> str:
        return {
            "newly_eligible": "新达标",
            "at_risk": "存在风险",
            "expiring": "即将到期",
            "to_be_revoked": "应撤销",
            "update_overdue": "未按期更新数据",
        }[self.value]
