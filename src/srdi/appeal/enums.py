"""String enums of the appeals domain (values = identifiers of docs/glossary.md, labels = UI text)."""

from __future__ import annotations

from enum import StrEnum


class AppealStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    dispatched = "dispatched"
    in_progress = "in_progress"
    answered = "answered"
    closed = "closed"
    rated = "rated"
    rejected = "rejected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[AppealStatus, str] = {
    AppealStatus.submitted: "已提交",
    AppealStatus.accepted: "已受理",
    AppealStatus.dispatched: "已转派",
    AppealStatus.in_progress: "办理中",
    AppealStatus.answered: "已答复",
    AppealStatus.closed: "已办结",
    AppealStatus.rated: "已评价",
    AppealStatus.rejected: "不予受理",
}

OPEN_STATUSES = frozenset(
    {
        AppealStatus.submitted,
        AppealStatus.accepted,
        AppealStatus.dispatched,
        AppealStatus.in_progress,
        AppealStatus.answered,
    }
)
DONE_STATUSES = frozenset({AppealStatus.closed, AppealStatus.rated})


class AppealAction(StrEnum):
    """The verbs of the state machine (service.TRANSITIONS says which status each leads from and to)."""

    accept = "accept"
    reject = "reject"
    dispatch = "dispatch"
    start = "start"
    return_ = "return"
    answer = "answer"
    close = "close"
    rate = "rate"
    redo = "redo"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[AppealAction, str] = {
    AppealAction.accept: "受理",
    AppealAction.reject: "不予受理",
    AppealAction.dispatch: "转派",
    AppealAction.start: "开始办理",
    AppealAction.return_: "退回",
    AppealAction.answer: "答复",
    AppealAction.close: "办结",
    AppealAction.rate: "评价",
    AppealAction.redo: "重办",
}


class Channel(StrEnum):
    web = "web"
    phone = "phone"
    hotline_12345 = "hotline_12345"
    visit = "visit"
    api = "api"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.web: "网上提交",
    Channel.phone: "电话",
    Channel.hotline_12345: "12345 热线转办",
    Channel.visit: "走访",
    Channel.api: "接口",
}


class RejectReason(StrEnum):
    """The seven cases a 诉求 is not accepted (深圳市企业诉求服务指引)."""

    outside_jurisdiction = "outside_jurisdiction"
    litigation = "litigation"
    petition = "petition"
    secrets_privacy = "secrets_privacy"
    abusive = "abusive"
    repeated = "repeated"
    other = "other"

    @property
    def label(self) -> str:
        return REJECT_REASON_LABELS[self]


REJECT_REASON_LABELS: dict[RejectReason, str] = {
    RejectReason.outside_jurisdiction: "不属于本平台受理范围或本级政府职责",
    RejectReason.litigation: "已进入或应通过诉讼、仲裁、行政复议等法定途径解决",
    RejectReason.petition: "属于信访事项，应按信访渠道办理",
    RejectReason.secrets_privacy: "涉及国家秘密、商业秘密或个人隐私",
    RejectReason.abusive: "含有侮辱、诽谤、威胁等内容或无实质诉求",
    RejectReason.repeated: "同一诉求正在办理中重复提交",
    RejectReason.other: "其他不予受理的情形",
}


class Stage(StrEnum):
    """The stage a deadline belongs to."""

    accept = "accept"
    dispatch = "dispatch"
    answer = "answer"

    @property
    def label(self) -> str:
        return {"accept": "受理", "dispatch": "转派", "answer": "答复"}[self.value]


class DepartmentLevel(StrEnum):
    city = "city"
    district = "district"

    @property
    def label(self) -> str:
        return {"city": "市级", "district": "区县级"}[self.value]


class AppealEventKind(StrEnum):
    """Event rows that are not transitions: the sweeper's reminders and escalations, notes."""

    transition = "transition"
    reminder = "reminder"
    escalation = "escalation"
    assist = "assist"

    @property
    def label(self) -> str:
        return {"transition": "状态变更", "reminder": "时限提醒", "escalation": "超时督办", "assist": "协办"}[
            self.value
        ]


# Open311 "closed": 办结, 已评价 and 不予受理.
CLOSED_FOR_OPEN311 = frozenset({AppealStatus.closed, AppealStatus.rated, AppealStatus.rejected})
