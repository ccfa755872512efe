"""API shapes of events and talent needs: contract amounts in 万元 (Decimal), salaries in 元/月, labels beside codes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from srdi.matchmaking.schemas import LogOut

# Bounded generously; the service gives the precise Chinese message (为空/过短/过长).
TEXT_MAX = 20000


class EventIn(BaseModel):
    kind: str = Field(
        description="matchmaking 供需对接会 | roadshow 路演推介 | product_launch 新品发布会 | job_fair 校企人才对接会"
    )
    title: str = Field(max_length=500, description="活动名称")
    event_date: date = Field(description="活动日期")
    place: str = Field(max_length=1000, description="活动地点")
    organiser: str = Field(max_length=500, description="主办单位")
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="活动所在地（行政区划代码）")
    description: str = Field("", max_length=TEXT_MAX, description="活动说明")
    industry_codes: list[str] = Field(
        default_factory=list, max_length=20, description="面向行业（GB/T 4754）"
    )
    need_ids: list[int] = Field(default_factory=list, max_length=50, description="关联的需求编号")
    capacity: int | None = Field(None, description="报名企业数上限")


class MatchEventOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    title: str
    event_date: date
    place: str
    organiser: str
    region_code: str
    region_name: str
    description: str
    industry_codes: list[str]
    industry_names: list[str]
    need_ids: list[int]
    need_titles: list[str]
    capacity: int | None
    status: str
    status_label: str
    leader_enterprise_id: int | None
    registered_count: int
    my_registration: str | None = Field(
        None, description="本企业报名状态：registered 已报名 | cancelled 已取消"
    )
    cancel_reason: str | None
    can_manage: bool


class RegistrationOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    status: str
    status_label: str
    attended: bool | None
    attended_label: str
    note: str | None
    created_at: datetime


class MeetingOut(BaseModel):
    id: int
    event_id: int
    event_title: str
    leader_enterprise_id: int
    leader_name: str
    enterprise_id: int
    enterprise_name: str
    need_id: int | None
    need_title: str | None
    note: str
    created_at: datetime


class OutcomeOut(BaseModel):
    id: int
    event_id: int
    buyer_enterprise_id: int
    buyer_name: str
    seller_enterprise_id: int
    seller_name: str
    title: str
    amount_wan: Decimal = Field(description="合同金额（万元）")
    amount_text: str
    signed_on: date
    provenance: str = Field(description="来源：仅买方登记 | 供方确认 | 主管部门核实")
    can_confirm: bool
    can_verify: bool


class FairTalentOut(BaseModel):
    """A post an enterprise registered for a 校企人才对接会 brings (no responses, no outcomes)."""

    id: int
    enterprise_name: str
    post: str
    headcount: int
    skills: list[str]
    joint_training: bool
    salary_text: str


class ParticipantOut(BaseModel):
    enterprise_id: int
    enterprise_name: str


class EventDetailOut(MatchEventOut):
    log: list[LogOut]
    registrations: list[RegistrationOut] | None = Field(None, description="报名企业（仅主办方与主管部门）")
    meetings: list[MeetingOut]
    outcomes: list[OutcomeOut]
    fair_posts: list[FairTalentOut] = Field(
        default_factory=list, description="校企人才对接会：报名企业的岗位"
    )
    participants: list[ParticipantOut] = Field(
        default_factory=list, description="参会企业（主办方、主管部门与报名参会的链主企业可见，供登记洽谈）"
    )
    allowed_actions: list[str]


class RegisterIn(BaseModel):
    note: str | None = Field(None, max_length=TEXT_MAX, description="报名备注（参会人、拟洽谈内容）")


class EventTransitionIn(BaseModel):
    action: str = Field(description="hold 确认已举办 | cancel 取消（须写原因）")
    note: str | None = Field(None, max_length=TEXT_MAX)


class AttendanceIn(BaseModel):
    attended_enterprise_ids: list[int] = Field(max_length=5000, description="出席的报名企业")


class MeetingIn(BaseModel):
    enterprise_id: int = Field(ge=1, le=2**31 - 1, description="洽谈企业")
    leader_enterprise_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="链主企业（主管部门登记时必填）"
    )
    need_id: int | None = Field(None, ge=1, le=2**31 - 1, description="关联需求")
    note: str | None = Field(None, max_length=TEXT_MAX, description="洽谈纪要")


class OutcomeIn(BaseModel):
    seller_enterprise_id: int = Field(ge=1, le=2**31 - 1, description="供方企业")
    buyer_enterprise_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="买方企业（主管部门登记时必填）"
    )
    title: str = Field(max_length=1000, description="合作内容")
    amount_wan: Decimal = Field(description="合同金额（万元）")
    signed_on: date = Field(description="签约日期")


class TalentIn(BaseModel):
    kind: str = Field("hiring", description="hiring 招聘用工 | training 人才培训")
    post: str = Field(max_length=500, description="岗位名称")
    headcount: int = Field(ge=-(2**31), le=2**31 - 1, description="需求人数")
    skills: list[str] = Field(default_factory=list, max_length=100, description="技能要求")
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="工作地点（区县），默认企业所在地")
    place: str = Field("", max_length=1000, description="工作地址")
    salary_min_yuan: Decimal | None = Field(None, description="月薪下限（元/月）")
    salary_max_yuan: Decimal | None = Field(None, description="月薪上限（元/月）")
    joint_training: bool = Field(False, description="是否愿意开展校企联合培养")
    description: str = Field("", max_length=TEXT_MAX, description="需求说明")


class TalentOutcomeIn(BaseModel):
    on_date: date = Field(description="日期")
    resumes: int = Field(0, ge=-(2**31), le=2**31 - 1, description="收到简历数")
    interviews: int = Field(0, ge=-(2**31), le=2**31 - 1, description="面试人数")
    hires: int = Field(0, ge=-(2**31), le=2**31 - 1, description="录用人数")
    event_id: int | None = Field(None, ge=1, le=2**31 - 1, description="在哪场校企人才对接会")
    note: str | None = Field(None, max_length=TEXT_MAX)


class TalentTransitionIn(BaseModel):
    action: str = Field(description="respond 区人力资源服务响应 | close 关闭")
    note: str | None = Field(None, max_length=TEXT_MAX)


class TalentOutcomeOut(BaseModel):
    id: int
    on_date: date
    resumes: int
    interviews: int
    hires: int
    event_id: int | None
    note: str | None


class TalentOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    kind: str
    kind_label: str
    post: str
    skills: list[str]
    headcount: int
    region_code: str
    region_name: str
    place: str
    salary_min_yuan: Decimal | None
    salary_max_yuan: Decimal | None
    salary_text: str
    joint_training: bool
    description: str
    status: str
    status_label: str
    pushed_at: datetime | None
    responded_at: datetime | None
    response_note: str | None
    resumes: int
    interviews: int
    hires: int
    created_at: datetime


class TalentDetailOut(TalentOut):
    outcomes: list[TalentOutcomeOut]
    log: list[LogOut]
    fairs: list[MatchEventOut] = Field(description="可参加的校企人才对接会")
    allowed_actions: list[str]


class FiguresOut(BaseModel):
    region_code: str | None
    region_name: str
    year: int
    events_held: int
    events_by_kind: dict[str, int] = Field(description="各类活动举办场次，键为活动类型名称")
    events_planned: int
    registrations: int
    attended: int
    meetings: int
    outcomes: int
    outcomes_proven: int
    amount_text: str = Field(description="合作成果合同金额（万元）")
    amount_proven_text: str = Field(description="其中经供方确认或主管部门核实（万元）")
    talent_needs: int
    headcount: int
    joint_training: int
    responded: int
    awaiting_response: int
    resumes: int
    interviews: int
    hires: int
