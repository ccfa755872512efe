"""API shapes of casework."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from srdi.casework.enums import AssignmentBasis


class AssignmentIn(BaseModel):
    commissioner_id: int = Field(ge=1, le=2**31 - 1, description="服务专员的用户编号")
    basis: AssignmentBasis = Field(description="district 按区县 | industry 按行业 | manual 手工指定")
    region_prefix: str | None = Field(None, pattern=r"^\d{2,6}$", description="按区县：行政区划代码前缀")
    industry_prefix: str | None = Field(
        None, pattern=r"^\d{1,4}$", description="按行业：国民经济行业代码前缀"
    )
    enterprise_ids: list[int] | None = Field(None, max_length=1000, description="手工指定：企业编号")


class AssignmentOut(BaseModel):
    assigned: int = Field(description="本次分配的企业数")


class VisitIn(BaseModel):
    visit_date: date
    notes: str = Field(max_length=20000, description="走访记录")
    follow_up: str | None = Field(None, max_length=2000, description="跟进事项")
    follow_up_due_date: date | None = None


class VisitOut(BaseModel):
    id: int
    enterprise_id: int
    commissioner_id: int | None
    visit_date: date
    notes: str
    follow_up: str | None
    follow_up_due_date: date | None
    created_at: datetime


class WorkEnterpriseOut(BaseModel):
    id: int
    name: str
    region_code: str
    industry_code: str


class WorklistAppealOut(BaseModel):
    id: int
    enterprise_id: int
    title: str
    status: str
    status_label: str
    due_at: datetime | None
    overdue: bool
    escalation_level: int


class WorklistOut(BaseModel):
    enterprises: list[WorkEnterpriseOut]
    open_appeals: list[WorklistAppealOut]
    open_total: int
    overdue: int
    follow_ups: list[VisitOut]
