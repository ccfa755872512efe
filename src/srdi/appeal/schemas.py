"""API shapes of the appeals domain (Chinese descriptions; statuses carry their labels)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from srdi.appeal.enums import AppealAction, Channel, RejectReason

# Bodies are bounded here generously; the service gives the precise Chinese message for a too-long text.
BODY_TEXT_MAX = 20000


class DepartmentOut(BaseModel):
    key: str
    name: str
    aliases: list[str]
    region_code: str
    region_name: str = Field(description="所属行政区划名称")
    level: str = Field(description="city 市级 | district 区县级")
    level_label: str
    duty: str = Field(description="职责描述")
    categories: list[str] = Field(description="受理的诉求类别")
    leader_name: str | None
    active: bool


class DepartmentIn(BaseModel):
    name: str = Field(min_length=2, max_length=100, description="责任单位名称")
    aliases: list[str] = Field(default_factory=list, max_length=20)
    region_code: str = Field(pattern=r"^\d{6}$", description="所属市或区县的行政区划代码")
    level: str = Field(pattern=r"^(city|district)$")
    duty: str = Field(default="", max_length=2000, description="职责描述")
    categories: list[str] = Field(default_factory=list, max_length=20)
    leader_name: str | None = Field(None, max_length=50, description="负责人（超时督办对象）")
    active: bool = True


class CategoryOut(BaseModel):
    key: str
    name: str
    time_limit_working_days: int | None = Field(description="答复时限（工作日）")
    answer_hours: int | None = Field(description="答复时限（小时），如政策咨询 24 小时")


class TransitionRuleOut(BaseModel):
    action: str
    action_label: str
    from_: list[str] = Field(alias="from", serialization_alias="from")
    to: str
    roles: list[str]
    needs_reason: bool


class SuggestionIn(BaseModel):
    text: str = Field(
        min_length=1, max_length=BODY_TEXT_MAX, description="诉求文本", examples=["想申请贴息贷款"]
    )
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="企业所在市或区县代码")
    top_k: int = Field(3, ge=1, le=10)


class SuggestionOut(BaseModel):
    department_key: str
    department_name: str
    category_key: str
    category_name: str
    score: float
    matched_terms: list[str] = Field(description="决定该建议的词语")


class AppealIn(BaseModel):
    title: str = Field(
        max_length=BODY_TEXT_MAX, description="诉求标题（不超过 100 字）", examples=["申请贴息贷款"]
    )
    content: str = Field(max_length=BODY_TEXT_MAX, description="诉求内容（5–5000 字）")
    category_key: str | None = Field(None, max_length=60, description="诉求类别；不填则按文本建议")
    enterprise_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="代企业登记时必填（工作人员）；企业用户不填"
    )
    channel: Channel | None = Field(None, description="来源渠道；企业网上提交为 web")
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30, pattern=r"^[0-9+\- ]{5,30}$")
    contact_email: str | None = Field(None, max_length=254, description="接收办理进度邮件的邮箱（可选）")
    confirm_duplicate: bool = Field(
        False,
        description="工作人员确认：虽与该企业一件仍在办理的诉求相似，仍予登记（企业用户无效，相似时仍被拒绝）",
    )


class TransitionIn(BaseModel):
    action: AppealAction
    reason: str | None = Field(None, max_length=BODY_TEXT_MAX, description="说明或理由（退回、重办须填）")
    department_key: str | None = Field(None, max_length=60, description="转派：牵头责任单位")
    assist_department_keys: list[str] = Field(
        default_factory=list, max_length=10, description="转派：协办单位"
    )
    category_key: str | None = Field(None, max_length=60, description="转派：更正后的诉求类别")
    answer: str | None = Field(None, max_length=BODY_TEXT_MAX, description="答复内容")
    reject_reason: RejectReason | None = Field(None, description="不予受理的情形")
    satisfied: bool | None = Field(None, description="评价：是否满意")
    rating: int | None = Field(None, ge=1, le=5, description="评价：1–5 星")
    version: int | None = Field(None, ge=1, description="页面所见的版本号；与当前不符则拒绝（防止并发覆盖）")


class AppealEventOut(BaseModel):
    id: int
    at: datetime
    kind: str = Field(description="transition 状态变更 | reminder 时限提醒 | escalation 超时督办")
    action: str | None
    action_label: str | None
    from_status: str | None
    from_label: str | None
    to_status: str | None
    to_label: str | None
    actor_name: str
    reason: str | None
    detail: dict[str, Any]


class AppealOut(BaseModel):
    id: int
    version: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    title: str
    content: str
    category_key: str
    category_name: str
    channel: str
    channel_label: str
    status: str
    status_label: str
    department_key: str | None
    department_name: str | None
    suggested_department_key: str | None
    suggested_category_key: str | None
    submitted_at: datetime
    accepted_at: datetime | None
    dispatched_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    rated_at: datetime | None
    due_at: datetime | None = Field(description="当前环节的期限")
    due_stage: str | None
    due_stage_label: str | None
    overdue: bool
    escalation_level: int = Field(description="0 未督办，1 已督办至单位负责人，2 已督办至区县")
    answer: str | None
    reject_reason: str | None
    reject_reason_label: str | None
    satisfied: bool | None
    rating: int | None
    rating_comment: str | None
    redo_count: int
    handling_working_days: int | None
    on_time: bool | None


class AttachmentOut(BaseModel):
    id: int
    appeal_id: int
    kind: str = Field(description="filing 申请材料 | answer 答复材料")
    kind_label: str
    filename: str
    content_type: str = Field(description="按文件内容识别的类型")
    type_label: str
    size_bytes: int
    uploaded_by_name: str
    created_at: datetime
    download_url: str


class AppealDetailOut(AppealOut):
    events: list[AppealEventOut]
    attachments: list[AttachmentOut] = Field(description="附件（申请材料与答复材料）")
    assist_departments: list[str] = Field(description="协办单位名称")
    allowed_actions: list[str] = Field(description="当前账号可执行的操作")


class AppealPage(BaseModel):
    items: list[AppealOut]
    total: int
    page: int
    page_size: int
    status_counts: dict[str, int] | None = None


class KpiRowOut(BaseModel):
    key: str | None
    label: str
    filed: int = Field(description="诉求总数")
    rejected: int = Field(description="不予受理")
    done: int = Field(description="办结数（含已评价）")
    on_time: int
    rated: int
    satisfied: int
    escalated_open: int = Field(description="超时督办中的诉求")
    closure_rate: float | None = Field(description="办结率 = 办结 / (总数 − 不予受理)")
    on_time_rate: float | None = Field(description="按时办结率 = 按时答复的办结 / 办结")
    satisfaction_rate: float | None = Field(description="满意率 = 满意 / 已评价")
    avg_handling_working_days: float | None = Field(description="平均办理时长（工作日）")


class KpiReportOut(BaseModel):
    counted_at: datetime = Field(
        description="统计时间：读预汇总时为其最近一次重算时间（每次时限扫描后），否则为本次查询时间"
    )
    from_aggregate: bool = Field(description="是否读自预汇总（大规模数据时）")
    rows: list[KpiRowOut]


class NoticeOut(BaseModel):
    id: int
    appeal_id: int
    title: str
    body: str
    created_at: datetime


class CalendarDayIn(BaseModel):
    date: date
    is_off_day: bool = Field(description="true 放假；false 调休上班")
    name: str = Field(min_length=1, max_length=50, description="节日名称，如 春节")


class CalendarYearIn(BaseModel):
    days: list[CalendarDayIn] = Field(max_length=120)


class CalendarDayOut(BaseModel):
    date: date
    is_off_day: bool
    name: str


class CalendarYearOut(BaseModel):
    year: int
    known: bool = Field(description="该年度安排是否已有（内置数据或管理员录入）")
    source: str = Field(description="bundled 内置 | admin 管理员录入 | missing 缺失")
    days: list[CalendarDayOut] = Field(
        description="与周一至周五不同的日子：放假日（含节假期间的周末）、周末调休上班"
    )
    entered_by: str | None = Field(default=None, description="录入该年度的管理员（管理员录入时）")


class CalendarOut(BaseModel):
    years: list[CalendarYearOut] = Field(description="已知放假安排的年份（新的在前）")
    editable: bool = Field(
        description="能否在界面中录入年份（内置年份只读，缺失年份和管理员录入的年份可录入）"
    )
    next_missing_year: int = Field(description="最近一个尚无放假安排的年份（应尽快录入）")


class SweepOut(BaseModel):
    reminded: int
    escalated_department: int
    escalated_district: int
    skipped_years: list[int]
