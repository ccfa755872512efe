"""String enums of applications and review (values = identifiers of docs/glossary.md, labels = UI text)."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"
    returned = "return_for_correction"
    publicity = "publicity"
    recognized = "recognition"
    rejected = "rejected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.draft: "草稿",
    ApplicationStatus.in_review: "审核中",
    ApplicationStatus.returned: "退回补正",
    ApplicationStatus.publicity: "公示中",
    ApplicationStatus.recognized: "已认定",
    ApplicationStatus.rejected: "未通过",
}

# The enterprise may edit and upload while the application is in its hands.
EDITABLE = frozenset({ApplicationStatus.draft, ApplicationStatus.returned})


class ReviewAction(StrEnum):
    approve = "approve"
    return_ = "return_for_correction"
    reject = "reject"

    @property
    def label(self) -> str:
        return {"approve": "通过", "return_for_correction": "退回补正", "reject": "不予通过"}[self.value]


class EventAction(StrEnum):
    """Every step on an application's timeline (who, when, why)."""

    create = "create"
    submit = "submit"
    resubmit = "resubmit"
    upload = "upload"
    remove_file = "remove_file"
    approve = "approve"
    return_ = "return_for_correction"
    reject = "reject"
    assign_experts = "random_assignment"
    score = "score"
    experts_done = "experts_done"
    publicity = "publicity"
    objection = "objection"
    objection_answered = "objection_answered"
    announce = "announcement"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventAction, str] = {
    EventAction.create: "创建申报",
    EventAction.submit: "提交申报",
    EventAction.resubmit: "补正后重新提交",
    EventAction.upload: "上传证明材料",
    EventAction.remove_file: "删除证明材料",
    EventAction.approve: "审核通过",
    EventAction.return_: "退回补正",
    EventAction.reject: "不予通过",
    EventAction.assign_experts: "双随机抽取专家",
    EventAction.score: "专家提交评分",
    EventAction.experts_done: "专家评审完成",
    EventAction.publicity: "进入公示",
    EventAction.objection: "收到异议",
    EventAction.objection_answered: "异议已答复",
    EventAction.announce: "公告认定",
}


class Aggregation(StrEnum):
    mean = "mean"
    median = "median"
    trimmed_mean = "trimmed_mean"

    @property
    def label(self) -> str:
        return {"mean": "平均分", "median": "中位数", "trimmed_mean": "去掉最高最低后的平均分"}[self.value]


class AssignmentStatus(StrEnum):
    assigned = "assigned"
    scored = "scored"

    @property
    def label(self) -> str:
        return {"assigned": "待评分", "scored": "已评分"}[self.value]


class ObjectionStatus(StrEnum):
    open = "open"
    dismissed = "dismissed"
    upheld = "upheld"

    @property
    def label(self) -> str:
        return {"open": "待答复", "dismissed": "异议不成立", "upheld": "异议成立"}[self.value]


# --- 动态管理 (CRITERIA §7) -------------------------------------------------------------------------------------


class UpdateTaskStatus(StrEnum):
    open = "open"
    submitted = "submitted"
    acknowledged = "acknowledged"
    overdue = "overdue"

    @property
    def label(self) -> str:
        return {
            "open": "待更新",
            "submitted": "已提交，待确认",
            "acknowledged": "已确认",
            "overdue": "逾期未更新",
        }[self.value]


class ReReviewState(StrEnum):
    """Where a title ending soon stands for 复核 (the candidates list of 动态管理)."""

    applied = "applied"
    not_applied = "not_applied"
    ineligible = "ineligible"

    @property
    def label(self) -> str:
        return {"applied": "已申请复核", "not_applied": "未申请", "ineligible": "已丧失复核资格"}[self.value]


class MajorChangeKind(StrEnum):
    """重大变化: 更名、合并、重组、跨省迁移 (CRITERIA §7)."""

    rename = "rename"
    merger = "merger"
    restructuring = "restructuring"
    cross_province_move = "cross_province_move"

    @property
    def label(self) -> str:
        return {
            "rename": "更名",
            "merger": "合并",
            "restructuring": "重组",
            "cross_province_move": "跨省迁移",
        }[self.value]


class MajorChangeStatus(StrEnum):
    reported = "reported"
    acknowledged = "acknowledged"

    @property
    def label(self) -> str:
        return {"reported": "已报告，待确认", "acknowledged": "已确认"}[self.value]


# Severity words of rules/dynamic_management.yaml's revocation kinds.
SEVERITY_LABELS: dict[str, str] = {"major": "重大", "especially_major": "特别重大", "serious": "严重"}
