"""API shapes of 免申即享. Money leaves as exact yuan decimals; bank accounts leave masked."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class RunIn(BaseModel):
    policy_key: str = Field(min_length=1, max_length=80, examples=["dg_srdi_award_auto_grant"])
    as_of: date | None = Field(default=None, description="数据比对基准日，默认今天")


class RunOut(BaseModel):
    id: int
    policy_key: str
    policy_version_id: int
    period: str
    as_of_date: date
    status: str
    status_label: str = Field(description="状态（中文）")
    resumable: bool = Field(
        description="已中断的批次：再次发起同一政策、同一期间的数据比对即从中断处续跑，不会重复或遗漏"
    )
    budget_yuan: Decimal | None
    allocation_order: str
    total: int
    processed: int
    progress: float = Field(description="0–1")
    summary: dict[str, Any]
    error: str | None
    actor: str
    created_at: datetime
    finished_at: datetime | None


class GrantOut(BaseModel):
    id: int
    policy_key: str
    policy_title: str
    period: str
    enterprise_id: int
    enterprise_name: str
    uscc: str
    status: str
    status_label: str
    amount_yuan: Decimal
    rank: int
    bank_name: str | None
    account_name: str | None
    bank_account_masked: str | None = Field(description="收款账号（仅显示后4位）")
    consented_at: datetime | None
    published_at: datetime | None
    payment_deadline_days: int | None = Field(description="政策规定的拨付时限：确认后N个工作日（无则为空）")
    payment_due_at: datetime | None = Field(
        description="拨付截止时间（北京时间当日24:00，按工作日与调休计算）"
    )
    disbursed_at: datetime | None = Field(description="拨付（列入拨付批次）时间")
    overdue: bool = Field(description="逾期：超过时限仍未拨付，或拨付晚于时限")
    overdue_label: str = Field(description="逾期说明（中文），未逾期为空")
    payment_note: str = Field(description="时限无法计算时的原因（中文），否则为空")


class EventOut(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    reason: str


class GrantDetailOut(GrantOut):
    trace: dict[str, Any]
    events: list[EventOut]
    disbursement_status: str | None


class ConsentIn(BaseModel):
    bank_name: str = Field(min_length=2, max_length=100, description="开户银行")
    account_name: str = Field(min_length=2, max_length=200, description="账户名称")
    bank_account: str = Field(min_length=8, max_length=40, description="银行账号（8–30位数字）")


class DeclineIn(BaseModel):
    reason: str = Field(default="", max_length=500)


class ContestIn(BaseModel):
    policy_key: str = Field(min_length=1, max_length=80)
    grant_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    reason: str = Field(min_length=2, max_length=2000, description="异议理由")


class ContestOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(default="", description="提出异议的企业")
    policy_key: str
    grant_id: int | None
    reason: str
    status: str
    status_label: str
    response: str | None
    created_by: str
    created_at: datetime
    handled_by: str | None
    handled_at: datetime | None


class ResolveIn(BaseModel):
    upheld: bool = Field(description="异议是否成立")
    response: str = Field(min_length=2, max_length=2000, description="答复")


class PolicyPeriodIn(BaseModel):
    policy_key: str = Field(min_length=1, max_length=80)
    period: str = Field(min_length=4, max_length=10, examples=["2025"])


class BatchOut(BaseModel):
    id: int
    policy_key: str
    period: str
    status: str
    count: int
    total_yuan: Decimal
    created_by: str
    created_at: datetime
    closed_at: datetime | None


class PublicityOut(BaseModel):
    policy_key: str
    period: str
    items: list[dict[str, Any]] = Field(description="公示名单：企业名称、统一社会信用代码、金额（元）")
    total_yuan: Decimal
