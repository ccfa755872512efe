"""Statuses and choices of the financing domain, with their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    draft = "draft"  # generated, waiting for an official's approval; banks never see it
    approved = "approved"

    @property
    def label(self) -> str:
        return RUN_STATUS_LABELS[self]


RUN_STATUS_LABELS = {RunStatus.draft: "待审定", RunStatus.approved: "已审定发布"}


class EntryChange(StrEnum):
    new = "new"
    kept = "kept"
    out = "out"
    undecided = "undecided"  # not on the list for lack of data; officials see what is missing, banks never

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self]


CHANGE_LABELS = {
    EntryChange.new: "本期新进",
    EntryChange.kept: "连续在列",
    EntryChange.out: "本期退出",
    EntryChange.undecided: "数据不足待定",
}


class ProductStatus(StrEnum):
    pending_review = "pending_review"
    published = "published"
    rejected = "rejected"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return PRODUCT_STATUS_LABELS[self]


PRODUCT_STATUS_LABELS = {
    ProductStatus.pending_review: "待审核",
    ProductStatus.published: "已发布",
    ProductStatus.rejected: "未通过审核",
    ProductStatus.withdrawn: "已下架",
}


class Collateral(StrEnum):
    none = "none"
    real_estate = "real_estate"
    equipment = "equipment"
    ip_pledge = "ip_pledge"
    receivables = "receivables"

    @property
    def label(self) -> str:
        return COLLATERAL_LABELS[self]


COLLATERAL_LABELS = {
    Collateral.none: "无需抵质押（信用）",
    Collateral.real_estate: "不动产抵押",
    Collateral.equipment: "设备抵押",
    Collateral.ip_pledge: "知识产权质押",
    Collateral.receivables: "应收账款质押",
}


class Guarantee(StrEnum):
    none = "none"
    government_guarantee = "government_guarantee"
    third_party = "third_party"

    @property
    def label(self) -> str:
        return GUARANTEE_LABELS[self]


GUARANTEE_LABELS = {
    Guarantee.none: "无需担保",
    Guarantee.government_guarantee: "政府性融资担保",
    Guarantee.third_party: "第三方担保",
}


class RequestStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    info_requested = "info_requested"
    approved = "approved"
    declined = "declined"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return REQUEST_STATUS_LABELS[self]


REQUEST_STATUS_LABELS = {
    RequestStatus.submitted: "已提交",
    RequestStatus.accepted: "银行已受理",
    RequestStatus.info_requested: "待补充材料",
    RequestStatus.approved: "已获批",
    RequestStatus.declined: "未获批",
    RequestStatus.withdrawn: "企业已撤回",
}
DECIDED = (RequestStatus.approved, RequestStatus.declined)


class RequestAction(StrEnum):
    accept = "accept"
    ask_info = "ask_info"
    supply_info = "supply_info"
    approve = "approve"
    decline = "decline"
    withdraw = "withdraw"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    RequestAction.accept: "受理",
    RequestAction.ask_info: "要求补充材料",
    RequestAction.supply_info: "补充材料",
    RequestAction.approve: "批准",
    RequestAction.decline: "不予批准",
    RequestAction.withdraw: "撤回",
}


class RequestEvent(StrEnum):
    """A step on a financing request's timeline: its submission, then the actions taken on it."""

    submit = "submit"
    accept = "accept"
    ask_info = "ask_info"
    supply_info = "supply_info"
    approve = "approve"
    decline = "decline"
    withdraw = "withdraw"

    @property
    def label(self) -> str:
        return "提交" if self is RequestEvent.submit else ACTION_LABELS[RequestAction(self.value)]


BANK_ACTIONS = (RequestAction.accept, RequestAction.ask_info, RequestAction.approve, RequestAction.decline)
ENTERPRISE_ACTIONS = (RequestAction.supply_info, RequestAction.withdraw)

# (from, action) → to. Anything else is refused with both labels.
TRANSITIONS: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (RequestStatus.submitted, RequestAction.accept): RequestStatus.accepted,
    (RequestStatus.submitted, RequestAction.ask_info): RequestStatus.info_requested,
    (RequestStatus.submitted, RequestAction.decline): RequestStatus.declined,
    (RequestStatus.accepted, RequestAction.ask_info): RequestStatus.info_requested,
    (RequestStatus.accepted, RequestAction.approve): RequestStatus.approved,
    (RequestStatus.accepted, RequestAction.decline): RequestStatus.declined,
    (RequestStatus.info_requested, RequestAction.supply_info): RequestStatus.accepted,
    (RequestStatus.info_requested, RequestAction.decline): RequestStatus.declined,
    (RequestStatus.submitted, RequestAction.withdraw): RequestStatus.withdrawn,
    (RequestStatus.accepted, RequestAction.withdraw): RequestStatus.withdrawn,
    (RequestStatus.info_requested, RequestAction.withdraw): RequestStatus.withdrawn,
}


class ShareField(StrEnum):
    """Named data an enterprise consents to share with the banks it sends a request to."""

    identity = "identity"
    credit_score = "credit_score"
    financials = "financials"
    recognitions = "recognitions"

    @property
    def label(self) -> str:
        return SHARE_LABELS[self]


SHARE_LABELS = {
    ShareField.identity: "企业名称、统一社会信用代码、所在区县、行业",
    ShareField.credit_score: "信用评分与各因子得分（不含原始数据）",
    ShareField.financials: "上年度营业收入、净利润、资产负债率",
    ShareField.recognitions: "梯度培育称号（创新型、专精特新、小巨人）及有效期",
}


class Operator(StrEnum):
    """How a loan product's eligibility compares a field with its value."""

    ge = ">="
    gt = ">"
    le = "<="
    lt = "<"
    eq = "=="
    is_true = "is_true"
    is_false = "is_false"
    in_ = "in"

    @property
    def label(self) -> str:
        return OP_LABELS[self.value]


OP_LABELS = {
    ">=": "不低于",
    ">": "高于",
    "<=": "不高于",
    "<": "低于",
    "==": "等于",
    "is_true": "为是",
    "is_false": "为否",
    "in": "属于",
}
