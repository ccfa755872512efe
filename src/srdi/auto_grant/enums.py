"""Grant states and the explicit table of allowed transitions (ARCHITECTURE convention 9)."""

from __future__ import annotations

from enum import StrEnum


class GrantStatus(StrEnum):
    # 数据比对 found it eligible, but a deciding input lacks the provenance the policy requires: it waits in
    # the verification queue, takes no budget and no place in the order, and is never offered for consent.
    pending_verification = "pending_verification"
    matched = "matched"  # 数据比对: eligible and within budget, awaiting the enterprise's confirmation
    waitlisted = "waitlisted"  # eligible but the budget is exhausted in the stated order
    consented = "consented"  # 意愿确认: confirmed with a bank account; a disbursement record exists
    declined = "declined"  # the enterprise declined the benefit
    withdrawn = "withdrawn"  # a re-run found it no longer eligible before confirmation
    disbursed = "disbursed"  # 拨付: exported to the finance system
    published = "published"  # 公示归档

    @property
    def label(self) -> str:
        return GRANT_LABELS[self]


GRANT_LABELS = {
    GrantStatus.pending_verification: "待核验",
    GrantStatus.matched: "待企业确认",
    GrantStatus.waitlisted: "候补（预算不足）",
    GrantStatus.consented: "已确认，待拨付",
    GrantStatus.declined: "企业放弃",
    GrantStatus.withdrawn: "已撤回（不再符合）",
    GrantStatus.disbursed: "已拨付",
    GrantStatus.published: "已公示归档",
}

G = GrantStatus
TRANSITIONS: dict[GrantStatus | None, frozenset[GrantStatus]] = {
    None: frozenset({G.matched, G.waitlisted, G.pending_verification}),
    G.pending_verification: frozenset({G.matched, G.waitlisted, G.withdrawn}),  # verified / rejected / gone
    # A changed (self-reported) input sends an unconfirmed grant back to verification.
    G.matched: frozenset({G.consented, G.declined, G.withdrawn, G.waitlisted, G.pending_verification}),
    G.waitlisted: frozenset({G.matched, G.withdrawn, G.pending_verification}),
    G.withdrawn: frozenset({G.matched, G.waitlisted, G.pending_verification}),  # eligible again later
    G.consented: frozenset({G.disbursed}),
    G.disbursed: frozenset({G.published}),
    G.declined: frozenset(),
    G.published: frozenset(),
}
# Once confirmed, a re-run never changes the amount or the state: money promised is not taken back silently.
LOCKED = frozenset({G.consented, G.disbursed, G.published, G.declined})


class RunStatus(StrEnum):
    running = "running"
    interrupted = "interrupted"  # its process died (lease expired): resumable, nothing is lost or doubled
    done = "done"
    failed = "failed"

    @property
    def label(self) -> str:
        return RUN_LABELS[self]


RUN_LABELS = {
    RunStatus.running: "比对中",
    RunStatus.interrupted: "已中断（可续跑）",
    RunStatus.done: "已完成",
    RunStatus.failed: "失败",
}
# A run of these states is the one a new request for the same policy and period continues.
OPEN_RUN = (RunStatus.running.value, RunStatus.interrupted.value)


class RunChange(StrEnum):
    """How a re-run changed a grant against the run before it (RunOut.changes)."""

    new = "new"
    amount_changed = "amount_changed"
    status_changed = "status_changed"
    withdrawn = "withdrawn"
    unchanged = "unchanged"

    @property
    def label(self) -> str:
        return {
            "new": "新增",
            "amount_changed": "金额变化",
            "status_changed": "状态变化",
            "withdrawn": "撤回",
            "unchanged": "无变化",
        }[self.value]


class DisbursementStatus(StrEnum):
    pending = "pending"
    exported = "exported"

    @property
    def label(self) -> str:
        return {"pending": "待导出", "exported": "已导出"}[self.value]


class ContestStatus(StrEnum):
    open = "open"
    upheld = "upheld"
    rejected = "rejected"

    @property
    def label(self) -> str:
        return {"open": "处理中", "upheld": "异议成立", "rejected": "异议不成立"}[self.value]
