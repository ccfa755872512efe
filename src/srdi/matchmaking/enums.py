"""String enums of matchmaking (供需对接 / 揭榜挂帅): values are identifiers, labels are UI text."""

from __future__ import annotations

from enum import StrEnum


class NeedKind(StrEnum):
    open_challenge = "open_challenge"  # 揭榜挂帅: a technology problem with a reward
    supply_need = "supply_need"  # 供应需求: a product or part the leader wants to buy

    @property
    def label(self) -> str:
        return {"open_challenge": "揭榜挂帅技术难题", "supply_need": "供应链配套需求"}[self.value]


class NeedStatus(StrEnum):
    pending_review = "pending_review"
    rejected = "rejected"
    open = "open"
    taken = "taken"
    in_progress = "in_progress"
    delivered = "delivered"
    failed = "failed"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return NEED_STATUS_LABELS[self]


NEED_STATUS_LABELS = {
    NeedStatus.pending_review: "待审核",
    NeedStatus.rejected: "审核未通过",
    NeedStatus.open: "征集中",
    NeedStatus.taken: "已揭榜",
    NeedStatus.in_progress: "攻关中",
    NeedStatus.delivered: "已交付",
    NeedStatus.failed: "未成功",
    NeedStatus.withdrawn: "已撤回",
}
# Needs that still count for duplicate postings and appear as current work.
LIVE_STATUSES = (NeedStatus.pending_review, NeedStatus.open, NeedStatus.taken, NeedStatus.in_progress)


class NeedAction(StrEnum):
    submit = "submit"
    approve = "approve"
    reject = "reject"
    withdraw = "withdraw"
    select = "select"
    start = "start"
    deliver = "deliver"
    fail = "fail"

    @property
    def label(self) -> str:
        return {
            "submit": "发布（提交审核）",
            "approve": "审核通过",
            "reject": "审核不通过",
            "withdraw": "撤回",
            "select": "选定揭榜方",
            "start": "开始攻关",
            "deliver": "确认交付",
            "fail": "记录未成功",
        }[self.value]


class BidStatus(StrEnum):
    submitted = "submitted"
    shortlisted = "shortlisted"
    selected = "selected"
    declined = "declined"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "submitted": "已提交",
            "shortlisted": "已入围",
            "selected": "已选定",
            "declined": "未入选",
            "withdrawn": "已撤回",
        }[self.value]


class BidAction(StrEnum):
    shortlist = "shortlist"
    select = "select"
    decline = "decline"
    withdraw = "withdraw"

    @property
    def label(self) -> str:
        return {"shortlist": "入围", "select": "选定", "decline": "未入选", "withdraw": "撤回"}[self.value]


# --- events and talent needs -------------------------------------------------------------------------------------


class EventKind(StrEnum):
    matchmaking = "matchmaking"  # 对接会: SRDI enterprises meet leading enterprises
    roadshow = "roadshow"  # 路演推介
    product_launch = "product_launch"  # 新品发布会
    job_fair = "job_fair"  # 校企人才对接、招聘会

    @property
    def label(self) -> str:
        return {
            "matchmaking": "供需对接会",
            "roadshow": "路演推介",
            "product_launch": "新品发布会",
            "job_fair": "校企人才对接会",
        }[self.value]


class EventStatus(StrEnum):
    open = "open"  # 报名中
    held = "held"  # 已举办
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {"open": "报名中", "held": "已举办", "cancelled": "已取消"}[self.value]


class RegistrationStatus(StrEnum):
    """An enterprise's registration for an event (event_registration.status)."""

    registered = "registered"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {"registered": "已报名", "cancelled": "已取消报名"}[self.value]


class Attendance(StrEnum):
    """Whether a registered enterprise came (event_registration.attended: null, true, false)."""

    unrecorded = "unrecorded"
    attended = "attended"
    absent = "absent"

    @property
    def label(self) -> str:
        return {"unrecorded": "未登记", "attended": "出席", "absent": "未出席"}[self.value]

    @classmethod
    def of(cls, attended: bool | None) -> Attendance:
        return cls.unrecorded if attended is None else cls.attended if attended else cls.absent


class TalentKind(StrEnum):
    hiring = "hiring"
    training = "training"

    @property
    def label(self) -> str:
        return {"hiring": "招聘用工", "training": "人才培训"}[self.value]


class TalentStatus(StrEnum):
    open = "open"
    filled = "filled"
    closed = "closed"

    @property
    def label(self) -> str:
        return {"open": "招聘中", "filled": "已招满", "closed": "已关闭"}[self.value]


ACTIVITY_LABELS = {
    "event_create": "创建活动",
    "event_hold": "确认已举办",
    "event_cancel": "取消活动",
    "register": "企业报名",
    "unregister": "取消报名",
    "attendance": "登记出席",
    "meeting": "登记洽谈",
    "outcome_record": "登记合作成果",
    "outcome_confirm": "供方确认成果",
    "outcome_verify": "主管部门核实成果",
    "talent_post": "发布用人需求",
    "talent_push": "推送至区人力资源服务",
    "talent_respond": "区人力资源服务响应",
    "talent_outcome": "登记招聘成效",
    "talent_fill": "标记已招满",
    "talent_close": "关闭需求",
}
